"""P5 ml_feature_store_v2 on hand-built nights, expected values worked out by hand.

The main night is NIGHT = day 42 (after the first three weeks). Teams and games
before it (all final with box scores):
- BOS (home) vs NYK on days 2, 4, ..., 40: 20 games; BOS wins the last 15
  (team_win_pct 15/20 = 0.75), NYK the first 5 (5/20 = 0.25).
- LAL (home) vs DEN on days 32-40: 5 games, LAL wins the first 2 (2/5 = 0.4).
- MIA (home) vs ORL on days 34-40: 4 games (team_win_pct: default 0.5).
- PHX vs UTA on day 0: opening night, so the season starts on day 0.
P1 rows exist for NYK (ready) and MIA (not ready) only; P2-P4 rows per player.
Source weights: phase4 100, phase3 75, calculated 100, default 40; quality = sum / 25.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from phase4_fixtures import SEASON_YEAR, League, day, game_id
from processors.config import WarehouseSettings
from processors.phase4 import DependencyMissing, ValidationFailed, get_processor
from processors.phase4.calendar import SeasonCalendar
from processors.phase4.ml_feature_store_v2 import FEATURE_NAMES, MlFeatureStoreV2
from processors.warehouse import Statement
from processors.warehouse.local import LocalWarehouse

NIGHT = day(42)
TABLE = "nba_predictions.ml_feature_store_v2"
VOLATILE = ("processed_at", "created_at", "feature_generation_time_ms")

BOS_DATES = [day(2 * k) for k in range(1, 21)]          # days 2 ... 40
LAL_DATES = [day(d) for d in (32, 34, 36, 38, 40)]
MIA_DATES = [day(d) for d in (34, 36, 38, 40)]
TEAM_GAMES = {  # team -> (opponent, home?, dates)
    "BOS": ("NYK", True, BOS_DATES), "NYK": ("BOS", False, BOS_DATES),
    "LAL": ("DEN", True, LAL_DATES), "DEN": ("LAL", False, LAL_DATES),
    "MIA": ("ORL", True, MIA_DATES), "ORL": ("MIA", False, MIA_DATES),
}

# Values of a "full" player's upstream rows, and the features they give.
P4 = dict(points_avg_last_5=21.5, points_avg_last_10=20.5, points_avg_season=19.5, points_std_last_10=4.25,
          games_in_last_7_days=3, team_pace_last_10=101.5, team_off_rating_last_10=115.25)
P3 = dict(fatigue_score=85, shot_zone_mismatch_score=1.5, pace_score=-0.5, usage_spike_score=0.75)
P2 = dict(paint_rate_last_10=45.0, mid_range_rate_last_10=15.0, three_pt_rate_last_10=40.0)
P1 = dict(defensive_rating_last_15=108.5, opponent_pace=98.5)


# --- fixture builder ------------------------------------------------------------------------
def schedule(league: League) -> None:
    league.game(day(0), "UTA", "PHX")
    for i, d in enumerate(BOS_DATES):
        league.game(d, "NYK", "BOS", home_offense={"win_flag": i >= 5}, away_offense={"win_flag": i < 5})
    for i, d in enumerate(LAL_DATES):
        league.game(d, "DEN", "LAL", home_offense={"win_flag": i < 2}, away_offense={"win_flag": i >= 2})
    for d in MIA_DATES:
        league.game(d, "ORL", "MIA")
    for away, home in (("NYK", "BOS"), ("DEN", "LAL"), ("ORL", "MIA")):
        league.game(NIGHT, away, home, status=1)
        league.upcoming_team(home, away, NIGHT)
        league.upcoming_team(away, home, NIGHT, game_id=game_id(NIGHT, away, home), home_game=False)


def team_defense_row(league: League, team: str, ready: bool = True, **values: Any) -> None:
    league.add("nba_precompute.team_defense_zone_analysis", team_abbr=team, analysis_date=NIGHT,
               season_year=SEASON_YEAR, is_production_ready=ready, **{**P1, **values})


def player(league: League, name: str, team: str, games: list[dict | None] | int = 20, *,
           daily_cache: bool | str = True, composite: bool | str = True, shot_zone: bool | str = True,
           p4: dict | None = None, **context: Any) -> None:
    """A player of `team` on NIGHT. `games`: per-game overrides for the team's latest len(games) games
    (None = no row; an int n = n default games). Upstream rows: True = ready, 'unready', False = none."""
    opponent, home, dates = TEAM_GAMES[team]
    if isinstance(games, int):
        games = [{}] * games
    for d, overrides in zip(dates[len(dates) - len(games):], games, strict=True):
        if overrides is not None:
            gid = game_id(d, opponent, team) if home else game_id(d, team, opponent)
            league.player_game(name, team, opponent, d, gid=gid, home_game=home,
                               **{"points": 20, "ft_makes": 0, **overrides})
    gid = game_id(NIGHT, opponent, team) if home else game_id(NIGHT, team, opponent)
    league.upcoming_player(name, team, opponent, NIGHT, **{"game_id": gid, "home_game": home, **context})
    common = dict(player_lookup=name, universal_player_id=f"{name}_001", season_year=SEASON_YEAR)
    if daily_cache:
        league.add("nba_precompute.player_daily_cache", cache_date=NIGHT, team_abbr=team,
                   is_production_ready=daily_cache is True, **common, **{**P4, **(p4 or {})})
    if composite:
        league.add("nba_precompute.player_composite_factors", game_date=NIGHT, team_abbr=team,
                   is_production_ready=composite is True, **common, **P3)
    if shot_zone:
        league.add("nba_precompute.player_shot_zone_analysis", analysis_date=NIGHT, team_abbr=team,
                   is_production_ready=shot_zone is True, **common, **P2)


def trend(latest_five: list[int]) -> list[dict]:
    return [{"points": p} for p in latest_five]


def minutes(first_10: float, last_10: float) -> list[dict]:
    return [{"minutes_played": first_10}] * 10 + [{"minutes_played": last_10}] * 10


def free_throws(ft_last_10: int, points_last_10: int = 20) -> list[dict]:
    # The 10 older games have 10 FT makes each: they must not count.
    return [{"ft_makes": 10}] * 10 + [{"ft_makes": ft_last_10, "points": points_last_10}] * 10


def night_league() -> League:
    league = League()
    schedule(league)
    team_defense_row(league, "NYK")
    team_defense_row(league, "MIA", ready=False)
    # Sources and fallbacks.
    player(league, "alpha", "BOS", [{"ft_makes": 4}] * 20, days_rest=2, opponent_days_rest=1,
           player_status="probable")
    player(league, "beta", "BOS", [{"points": 10}] * 10 + [{"points": 20}] * 5 + [{"points": 24}] * 5,
           daily_cache=False, composite=False, shot_zone=False)
    player(league, "silver", "BOS", daily_cache=False)
    player(league, "knick", "NYK")
    player(league, "gamma", "LAL", [{"points": 10, "ft_makes": 2, "minutes_played": 25.0},
                                    {"points": 14, "ft_makes": 2, "minutes_played": 25.0},
                                    {"points": 18, "ft_makes": 2, "minutes_played": 25.0}],
           daily_cache=False, composite=False, shot_zone=False, opponent_days_rest=2,
           player_status="questionable", season_phase="playoffs")
    player(league, "delta", "MIA", 0, daily_cache=False, composite=False, shot_zone=False,
           days_rest=None, opponent_days_rest=None, player_status=None, home_game=False)
    player(league, "orl_p", "ORL", 4)
    # recent_trend: the 3 games before the latest 2 average 20.
    for name, latest_two, status in (("trend_p5", [25, 25], "available"), ("trend_p45", [24, 25], "questionable"),
                                     ("trend_p2", [22, 22], "doubtful"), ("trend_p15", [21, 22], "out"),
                                     ("trend_m15", [19, 18], "day-to-day"), ("trend_m2", [18, 18], None),
                                     ("trend_m45", [16, 15], "probable"), ("trend_m5", [15, 15], "available")):
        player(league, name, "BOS", trend([20, 20, 20, *latest_two]), player_status=status)
    player(league, "trend_short", "BOS", trend([20, 20, 30, 30]))
    # minutes_change: season = (first + last) / 2, L10 = last.
    for name, first, last in (("min_p20", 20.0, 30.0), ("min_p15", 17.0, 23.0), ("min_p10", 27.0, 33.0),
                              ("min_p06", 28.0, 32.0), ("min_m10", 33.0, 27.0), ("min_m15", 23.0, 17.0),
                              ("min_m20", 30.0, 20.0)):
        player(league, name, "BOS", minutes(first, last))
    # rest_advantage.
    player(league, "rest_p3", "BOS", days_rest=4, opponent_days_rest=1)
    player(league, "rest_m3", "BOS", days_rest=0, back_to_back=True, opponent_days_rest=3)
    # pct_free_throw.
    player(league, "ft_30", "BOS", free_throws(6))
    player(league, "ft_clamp", "BOS", free_throws(12))
    player(league, "ft_zero_pts", "BOS", free_throws(0, points_last_10=0))
    # Readiness.
    player(league, "ready_90", "BOS", [{}] * 15 + [{"minutes_played": 0.0}] + [{}] * 4)  # 9 of the last 10
    player(league, "ready_80", "BOS", [{}] * 12 + [None, None] + [{}] * 6)                # 8 of the last 10
    player(league, "dc_unready", "BOS", daily_cache="unready")
    player(league, "cf_unready", "BOS", composite="unready")
    player(league, "sz_unready", "BOS", shot_zone="unready")
    player(league, "cf_missing", "BOS", composite=False)
    player(league, "sz_missing", "BOS", shot_zone=False)
    return league


def rows_of(warehouse, date: dt.date = NIGHT) -> dict[str, dict]:
    rows = warehouse.query(Statement("t.sql", f"SELECT * FROM {TABLE} WHERE game_date = @d"), {"d": date})
    return {r["player_lookup"]: r for r in rows}


def stable(rows: dict[str, dict]) -> dict[str, dict]:
    return {k: {c: v for c, v in r.items() if c not in VOLATILE} for k, r in rows.items()}


def run(warehouse, date: dt.date = NIGHT):
    return get_processor("ml_feature_store_v2").run(warehouse, date)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """The main night, computed once: (result, rows by player)."""
    with LocalWarehouse(WarehouseSettings(local_path=tmp_path_factory.mktemp("p5") / "w.duckdb")) as wh:
        wh.create_schema()
        night_league().load(wh)
        result = run(wh)
        yield result, rows_of(wh)


def sources(row: dict) -> str:
    """Sources as one letter each: 4 phase4, 3 phase3, c calculated, d default."""
    return "".join({"phase4": "4", "phase3": "3", "calculated": "c", "default": "d"}[s] for s in row["feature_sources"])


# --- features, sources, fallbacks --------------------------------------------------------------
def test_the_registry_names_the_class_and_the_night_succeeds(night):
    result, rows = night
    assert isinstance(get_processor("ml_feature_store_v2"), MlFeatureStoreV2)
    assert result.status == "partial"  # 35 rows < 100: partial, not failed
    assert result.rows_written == len(rows) == 35
    assert result.quality_label == "avg feature quality"


def test_all_25_features_from_phase4_and_calculated(night):
    row = night[1]["alpha"]
    assert row["feature_names"] == list(FEATURE_NAMES) and len(row["features"]) == 25
    assert row["feature_count"] == 25 and row["feature_version"] == "v1_baseline_25"
    # 9 rest 2-1 = 1; 10 probable = 1; 11 flat points = 0; 12 flat minutes = 0; 21 FT 40 / points 200 = 0.2;
    # 24 BOS 15 wins / 20 games.
    assert row["features"] == pytest.approx([
        21.5, 20.5, 19.5, 4.25, 3.0, 85.0, 1.5, -0.5, 0.75, 1.0, 1.0, 0.0, 0.0, 108.5, 98.5, 1.0, 0.0, 0.0,
        0.45, 0.15, 0.40, 0.2, 101.5, 115.25, 0.75])
    assert sources(row) == "444444444cccc44333444c44c"
    # 22 x 100 + 3 x 75 = 2425 -> 97.0, the maximum.
    assert float(row["feature_quality_score"]) == 97.0
    assert (row["quality_tier"], row["data_source"]) == ("gold", "phase4")
    assert row["is_production_ready"] and row["data_quality_issues"] == []
    assert (row["expected_games_count"], row["actual_games_count"], row["completeness_percentage"]) == (10, 10, 100.0)
    assert (row["team_abbr"], row["opponent_team_abbr"], row["is_home"], row["days_rest"]) == ("BOS", "NYK", True, 2)
    assert row["game_id"] == game_id(NIGHT, "NYK", "BOS") and row["universal_player_id"] == "alpha_001"
    assert not row["early_season_flag"] and row["processing_decision_reason"] == "computed"
    # Tracking: rows of each upstream table for the night, and the player's (opponent's) row.
    assert (row["source_daily_cache_rows_found"], row["source_composite_rows_found"],
            row["source_shot_zones_rows_found"], row["source_team_defense_rows_found"]) == (31, 31, 31, 2)
    assert row["source_daily_cache_present"] and row["source_composite_present"]
    assert row["source_shot_zones_present"] and row["source_team_defense_present"]
    assert row["feature_generation_time_ms"] is not None and row["feature_generation_time_ms"] >= 0
    assert len(row["data_hash"]) == 64


def test_phase3_fallbacks_without_player_rows(night):
    row = night[1]["beta"]
    # L5 = 24, L10 = (5 x 20 + 5 x 24) / 10 = 22, season = (10 x 10 + 5 x 20 + 5 x 24) / 20 = 16 (Phase 3);
    # trend 24 - 24 = 0; FT 0 / 220 = 0.0; opponent NYK from P1; the rest defaults.
    assert row["features"] == pytest.approx([
        24.0, 22.0, 16.0, 5.0, 3.0, 50.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 108.5, 98.5, 1.0, 0.0, 0.0,
        0.30, 0.20, 0.35, 0.0, 100.0, 112.0, 0.75])
    assert sources(row) == "333ddddddcccc44333dddcddc"
    # 2 x 100 + 6 x 75 + 6 x 100 + 11 x 40 = 1690 -> 67.6; Phase 4 share (2 + 6) / 22 < 50 %,
    # Phase 3 share 6 / 14 non-default < 50 %: mixed.
    assert float(row["feature_quality_score"]) == 67.6
    assert (row["quality_tier"], row["data_source"]) == ("bronze", "mixed")
    assert not row["is_production_ready"]
    assert row["data_quality_issues"] == ["upstream_player_daily_cache_missing",
                                          "upstream_player_composite_factors_missing",
                                          "upstream_player_shot_zone_missing"]
    assert not row["source_daily_cache_present"] and row["source_team_defense_present"]


def test_short_history_uses_phase3_and_defaults(night):
    row = night[1]["gamma"]
    # 3 games (10, 14, 18 points): L5 needs 5 games -> 10.0 default; L10 = season = 14 (Phase 3);
    # rest 1 - 2 = -1; questionable = 2; trend and pct_free_throw: < 5 games -> 0 and 0.15 defaults;
    # minutes L10 = season -> 0; DEN has no P1 row -> 112 / 100; playoffs -> 1; LAL 2 wins / 5 = 0.4.
    assert row["features"] == pytest.approx([
        10.0, 14.0, 14.0, 5.0, 3.0, 50.0, 0.0, 0.0, 0.0, -1.0, 2.0, 0.0, 0.0, 112.0, 100.0, 1.0, 0.0, 1.0,
        0.30, 0.20, 0.35, 0.15, 100.0, 112.0, 0.4])
    assert sources(row) == "d33ddddddccdcdd333ddddddc"
    # 5 x 75 + 4 x 100 + 16 x 40 = 1415 -> 56.6; Phase 3 share 5 / 9 non-default >= 50 %.
    assert float(row["feature_quality_score"]) == 56.6
    assert (row["quality_tier"], row["data_source"]) == ("bronze", "phase3")
    assert (row["expected_games_count"], row["actual_games_count"], row["completeness_percentage"]) == (5, 3, 60.0)


def test_no_history_at_all_gives_defaults(night):
    row = night[1]["delta"]
    # No games, no rest figures, no status, MIA 4 games (< 5 -> 0.5), ORL without a P1 row.
    assert row["features"] == pytest.approx([
        10.0, 10.0, 10.0, 5.0, 3.0, 50.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 112.0, 100.0, 0.0, 0.0, 0.0,
        0.30, 0.20, 0.35, 0.15, 100.0, 112.0, 0.5])
    assert sources(row) == "ddddddddddcdddd333ddddddd"
    # 3 x 75 + 1 x 100 + 21 x 40 = 1165 -> 46.6 (poor); Phase 3 share 3 / 4 non-default.
    assert float(row["feature_quality_score"]) == 46.6
    assert (row["quality_tier"], row["data_source"]) == ("poor", "phase3")
    assert (row["expected_games_count"], row["completeness_percentage"]) == (4, 0.0)
    assert row["data_quality_issues"] == ["player_games_incomplete", "upstream_player_daily_cache_missing",
                                          "upstream_player_composite_factors_missing",
                                          "upstream_player_shot_zone_missing", "upstream_team_defense_missing"]
    assert row["is_home"] is False and row["days_rest"] is None


def test_missing_daily_cache_falls_back_to_phase3_silver_partial(night):
    row = night[1]["silver"]
    assert row["features"][:5] == pytest.approx([20.0, 20.0, 20.0, 5.0, 3.0])
    assert row["features"][22:] == pytest.approx([100.0, 112.0, 0.75])
    assert sources(row) == "333dd4444cccc44333444cddc"
    # 9 x 100 + 6 x 75 + 6 x 100 + 4 x 40 = 2110 -> 84.4; Phase 4 share (9 + 6) / 22 = 68 %.
    assert float(row["feature_quality_score"]) == 84.4
    assert (row["quality_tier"], row["data_source"]) == ("silver", "phase4_partial")
    assert row["data_quality_issues"] == ["upstream_player_daily_cache_missing"]


def test_missing_opponent_defense_still_phase4(night):
    row = night[1]["knick"]
    # NYK visits BOS, which has no P1 row: 13-14 default; NYK 5 wins / 20.
    assert row["features"][13:18] == pytest.approx([112.0, 100.0, 0.0, 0.0, 0.0])
    assert row["features"][24] == pytest.approx(0.25)
    assert sources(row) == "444444444ccccdd333444c44c"
    # 14 x 100 + 6 x 100 + 3 x 75 + 2 x 40 = 2305 -> 92.2; Phase 4 share 20 / 22 = 90.9 %.
    assert float(row["feature_quality_score"]) == 92.2
    assert (row["quality_tier"], row["data_source"]) == ("silver", "phase4")
    assert row["data_quality_issues"] == ["upstream_team_defense_missing"]
    assert not row["source_team_defense_present"] and row["is_home"] is False


# --- calculated features at their thresholds -----------------------------------------------------
@pytest.mark.parametrize("name, value", [
    ("trend_p5", 2), ("trend_p45", 1), ("trend_p2", 1), ("trend_p15", 0),
    ("trend_m15", 0), ("trend_m2", -1), ("trend_m45", -1), ("trend_m5", -2),
])
def test_recent_trend_thresholds(night, name, value):
    row = night[1][name]
    assert row["features"][11] == value and row["feature_sources"][11] == "calculated"


def test_recent_trend_needs_five_games(night):
    row = night[1]["trend_short"]  # 4 games, latest two +10 over the others: still 0, a default
    assert row["features"][11] == 0.0 and row["feature_sources"][11] == "default"
    assert row["features"][21] == 0.15 and row["feature_sources"][21] == "default"
    # 97.0 - 2 x (100 - 40) / 25 = 92.2
    assert float(row["feature_quality_score"]) == 92.2


@pytest.mark.parametrize("name, value", [
    ("min_p20", 2), ("min_p15", 1), ("min_p10", 1), ("min_p06", 0), ("min_m10", -1), ("min_m15", -1), ("min_m20", -2),
])
def test_minutes_change_thresholds(night, name, value):
    # (last - season) / season: 30 vs 25 = +20 %, 23 vs 20 = +15 %, 33 vs 30 = +10 %, 32 vs 30 = +6.7 %, ...
    row = night[1][name]
    assert row["features"][12] == value and row["feature_sources"][12] == "calculated"


@pytest.mark.parametrize("name, value, back_to_back", [
    ("rest_p3", 2.0, 0.0), ("rest_m3", -2.0, 1.0), ("alpha", 1.0, 0.0), ("beta", 0.0, 0.0), ("delta", 0.0, 0.0),
])
def test_rest_advantage_clamped(night, name, value, back_to_back):
    row = night[1][name]
    assert row["features"][9] == value and row["features"][16] == back_to_back
    assert row["feature_sources"][9] == ("default" if name == "delta" else "calculated")


@pytest.mark.parametrize("name, value", [
    ("trend_p5", 0), ("alpha", 1), ("trend_p45", 2), ("trend_p2", 3), ("trend_p15", 3),
    ("trend_m15", 0), ("trend_m2", 0),
])
def test_injury_risk_mapping(night, name, value):
    # available 0, probable 1, questionable 2, doubtful 3, out 3, unknown ('day-to-day') 0, NULL 0
    row = night[1][name]
    assert row["features"][10] == value and row["feature_sources"][10] == "calculated"


@pytest.mark.parametrize("name, value, source", [
    ("ft_30", 0.3, "calculated"),          # 60 FT / 200 points in the last 10 (older games ignored)
    ("ft_clamp", 0.5, "calculated"),       # 120 / 200 = 0.6 -> clamped to 0.5
    ("ft_zero_pts", 0.15, "default"),      # 0 points in the last 10
    ("gamma", 0.15, "default"),            # 3 games
    ("beta", 0.0, "calculated"),           # 0 FT
])
def test_pct_free_throw(night, name, value, source):
    row = night[1][name]
    assert row["features"][21] == pytest.approx(value) and row["feature_sources"][21] == source


@pytest.mark.parametrize("name, value, source", [
    ("alpha", 0.75, "calculated"), ("knick", 0.25, "calculated"), ("gamma", 0.4, "calculated"),  # 5 games
    ("delta", 0.5, "default"), ("orl_p", 0.5, "default"),                                        # 4 games
])
def test_team_win_pct(night, name, value, source):
    row = night[1][name]
    assert row["features"][24] == pytest.approx(value) and row["feature_sources"][24] == source


def test_home_away_and_playoff_game_are_phase3(night):
    rows = night[1]
    assert [rows[p]["features"][15] for p in ("alpha", "knick")] == [1.0, 0.0]
    assert [rows[p]["features"][17] for p in ("alpha", "gamma")] == [0.0, 1.0]
    assert all(r["feature_sources"][15:18] == ["phase3"] * 3 for r in rows.values())


# --- quality, readiness ------------------------------------------------------------------------------
def test_quality_never_exceeds_97_and_matches_the_weights(night):
    weights = {"phase4": 100, "phase3": 75, "calculated": 100, "default": 40}
    for row in night[1].values():
        expected = sum(weights[s] for s in row["feature_sources"]) / 25
        assert float(row["feature_quality_score"]) == pytest.approx(expected)
        assert float(row["feature_quality_score"]) <= 97.0
    assert night[0].quality == pytest.approx(
        sum(float(r["feature_quality_score"]) for r in night[1].values()) / len(night[1]), abs=0.01)


@pytest.mark.parametrize("name, ready, issues, completeness", [
    ("alpha", True, [], 100.0),
    ("ready_90", True, [], 90.0),  # 9 of the last 10 team games; the DNP (0 minutes) does not count
    ("ready_80", False, ["player_games_incomplete"], 80.0),
    ("dc_unready", False, ["upstream_player_daily_cache_incomplete"], 100.0),
    ("cf_unready", False, ["upstream_player_composite_factors_incomplete"], 100.0),
    ("cf_missing", False, ["upstream_player_composite_factors_missing"], 100.0),
    ("sz_unready", False, ["upstream_player_shot_zone_incomplete"], 100.0),
    ("sz_missing", False, ["upstream_player_shot_zone_missing"], 100.0),
    ("knick", False, ["upstream_team_defense_missing"], 100.0),
    ("orl_p", False, ["upstream_team_defense_incomplete"], 100.0),  # MIA's P1 row is not ready
    ("silver", False, ["upstream_player_daily_cache_missing"], 100.0),
])
def test_readiness_and_its_reasons(night, name, ready, issues, completeness):
    row = night[1][name]
    assert row["is_production_ready"] is ready
    assert row["data_quality_issues"] == issues
    assert row["completeness_percentage"] == completeness


def test_partial_upstream_data_source_and_tiers(night):
    rows = night[1]
    # cf_missing: 4 composite features default -> 12 phase4 + 6 calculated = 18 / 22 = 82 %: partial;
    # 97 - 4 x 2.4 = 87.4 silver.
    assert (rows["cf_missing"]["data_source"], float(rows["cf_missing"]["feature_quality_score"])) == (
        "phase4_partial", 87.4)
    assert rows["cf_missing"]["quality_tier"] == "silver"
    # orl_p: 4 games -> trend, pct_free_throw, team_win_pct default: 97 - 3 x 2.4 = 89.8;
    # (16 phase4 + 3 calculated) / 22 = 86 %: partial.
    assert (rows["orl_p"]["data_source"], float(rows["orl_p"]["feature_quality_score"])) == ("phase4_partial", 89.8)


# --- runs: bootstrap, early season, validation, dependencies, idempotence, leakage ------------------
def test_bootstrap_writes_placeholders(warehouse):
    league = League()
    league.game(day(0), "NYK", "BOS")
    league.player_game("alpha", "BOS", "NYK", day(0))
    league.game(day(3), "NYK", "BOS", status=1)
    league.upcoming_player("alpha", "BOS", "NYK", day(3))
    league.upcoming_player("beta", "BOS", "NYK", day(3))
    league.load(warehouse)
    processor = get_processor("ml_feature_store_v2")
    result = processor.run(warehouse, day(3))  # no P1-P4 rows: not a missing dependency in the bootstrap
    assert (result.status, result.rows_written, result.quality) == ("partial", 2, 0.0)
    rows = rows_of(warehouse, day(3))
    assert set(rows) == {"alpha", "beta"}
    for row in rows.values():
        assert row["features"] is None and row["feature_names"] is None
        assert float(row["feature_quality_score"]) == 0 and row["quality_tier"] == "unusable"
        assert row["early_season_flag"] and not row["is_production_ready"]
        assert (row["data_source"], row["feature_count"], row["feature_version"]) == (
            "early_season", 25, "v1_baseline_25")
        assert row["processing_decision_reason"] == "early_season_bootstrap"
        assert row["source_daily_cache_rows_found"] == 0 and not row["source_daily_cache_present"]
    assert (rows["alpha"]["expected_games_count"], rows["alpha"]["actual_games_count"]) == (1, 1)
    assert rows["beta"]["completeness_percentage"] == 0.0
    assert processor.critical_inputs_for(_calendar(warehouse, day(3))) == ("upcoming_player_game_context",)


def _calendar(warehouse, date):
    return SeasonCalendar.load(warehouse, date)


def test_early_season_low_quality_is_not_a_failure(warehouse):
    league = League()
    league.game(day(0), "NYK", "BOS")
    league.game(day(10), "NYK", "BOS", status=1)
    player_row = dict(player_lookup="ghost", universal_player_id="g", season_year=SEASON_YEAR)
    league.add("nba_precompute.player_daily_cache", cache_date=day(10), **player_row)
    league.add("nba_precompute.player_composite_factors", game_date=day(10), **player_row)
    league.add("nba_precompute.player_shot_zone_analysis", analysis_date=day(10), **player_row)
    league.add("nba_precompute.team_defense_zone_analysis", team_abbr="ZZZ", analysis_date=day(10),
               season_year=SEASON_YEAR)
    league.upcoming_player("alpha", "BOS", "NYK", day(10))
    league.load(warehouse)
    result = run(warehouse, day(10))
    assert result.status == "partial" and result.quality < 70
    row = rows_of(warehouse, day(10))["alpha"]
    assert row["early_season_flag"] and row["processing_decision_reason"] == "early_season_short_sample"


def _delete(warehouse, table: str, column: str) -> None:
    warehouse.execute_script(Statement("t.sql", f"DELETE FROM {table} WHERE {column} = @d"), {"d": NIGHT})


def test_low_quality_after_week_3_fails_and_keeps_the_previous_partition(warehouse):
    night_league().load(warehouse)
    run(warehouse)
    before = stable(rows_of(warehouse))
    # Break the inputs: P2-P4 keep one row each, for a player nobody expects -> every player falls back.
    ghost = dict(player_lookup="ghost", universal_player_id="g", season_year=SEASON_YEAR)
    league = League()
    league.add("nba_precompute.player_daily_cache", cache_date=NIGHT, **ghost)
    league.add("nba_precompute.player_composite_factors", game_date=NIGHT, **ghost)
    league.add("nba_precompute.player_shot_zone_analysis", analysis_date=NIGHT, **ghost)
    league.load(warehouse)
    with pytest.raises(ValidationFailed, match=r"average quality \d+\.\d+ below 70"):
        run(warehouse)
    assert stable(rows_of(warehouse)) == before


def test_missing_upstream_processor_fails_naming_it(warehouse):
    night_league().load(warehouse)
    run(warehouse)
    before = stable(rows_of(warehouse))
    _delete(warehouse, "nba_precompute.player_daily_cache", "cache_date")
    with pytest.raises(DependencyMissing, match="player_daily_cache") as failure:
        run(warehouse)
    assert failure.value.result.missing_dependencies == ["player_daily_cache"]
    assert stable(rows_of(warehouse)) == before
    _delete(warehouse, "nba_precompute.team_defense_zone_analysis", "analysis_date")
    with pytest.raises(DependencyMissing, match="team_defense_zone_analysis, player_daily_cache"):
        run(warehouse)


def test_zero_rows_on_a_game_day_fails(warehouse):
    league = night_league()
    league.rows.pop("nba_analytics.upcoming_player_game_context")
    league.upcoming_player("nobody", "BOS", "NYK", NIGHT, game_date=day(44))  # context exists for another date
    league.load(warehouse)
    # The context for the night is empty: a missing dependency, before anything is written.
    with pytest.raises(DependencyMissing, match="upcoming_player_game_context"):
        run(warehouse)
    processor = get_processor("ml_feature_store_v2")
    assert processor.validation_problem({"row_count": 0, "quality": None}, _calendar(warehouse, NIGHT))


def test_rerun_is_idempotent_and_touches_no_other_date(warehouse):
    night_league().load(warehouse)
    other = {"player_lookup": "x", "game_date": day(40), "season_year": SEASON_YEAR, "data_hash": "kept"}
    warehouse.load_rows(TABLE, [other])
    run(warehouse)
    first = rows_of(warehouse)
    run(warehouse)
    second = rows_of(warehouse)
    assert stable(first) == stable(second)
    assert {k: r["data_hash"] for k, r in first.items()} == {k: r["data_hash"] for k, r in second.items()}
    assert warehouse.partition_row_count(TABLE, NIGHT) == 35
    assert [r["data_hash"] for r in rows_of(warehouse, day(40)).values()] == ["kept"]
    assert warehouse.table_row_count(TABLE) == 36


def test_games_on_the_date_or_later_change_nothing(warehouse):
    night_league().load(warehouse)
    run(warehouse)
    before = stable(rows_of(warehouse))
    league = League()
    # Box scores of the night itself and of a later game, with extreme values.
    for d in (NIGHT, day(44)):
        gid = game_id(d, "NYK", "BOS")
        league.player_game("alpha", "BOS", "NYK", d, gid=gid, points=60, ft_makes=30, minutes_played=48.0)
        league.player_game("gamma", "BOS", "NYK", d, gid=gid, points=50)
        league.team_offense(d, "BOS", "NYK", gid, win_flag=False)
        league.team_offense(d, "NYK", "BOS", gid, win_flag=True)
    league.game(day(44), "NYK", "BOS", box_scores=False)
    league.load(warehouse)
    run(warehouse)
    assert stable(rows_of(warehouse)) == before
