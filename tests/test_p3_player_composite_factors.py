"""P3 player_composite_factors on hand-built nights, expected values worked out by hand.

Every night is built around one team history: BOS (and, where a test needs it,
other teams) played 10 final games before NIGHT and has a scheduled game on
NIGHT. P1 and P2 rows of the night are inserted directly. Unless a test says
otherwise a player's upcoming context is the fixture default (days_rest 1,
3 games / 90 minutes / 30 per game in the last 7 days, no back-to-backs,
age 25, pace differential 0, usage 25 projected vs 25 baseline, no star out),
which scores fatigue 100 and every factor 0.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from phase4_fixtures import SEASON_YEAR, League, day
from processors.phase4 import DependencyMissing, get_processor
from processors.warehouse import Statement

NIGHT = day(40)
TIMESTAMPS = ("processed_at", "created_at")


class Night:
    """A League with the helpers P3 needs: team histories, P1 / P2 rows, upcoming players."""

    def __init__(self, night: dt.date = NIGHT) -> None:
        self.league = League()
        self.night = night
        self.team_games: dict[str, list[tuple[dt.date, str]]] = {}

    def team(self, team: str, opponent: str = "NYK", games: int = 10, context: bool = True) -> None:
        """`games` final games on alternate days before the night, the night's game, and its team context."""
        history = []
        for n in range(games):
            date = self.night - dt.timedelta(days=2 * (games - n))
            history.append((date, self.league.game(date, f"Z{team[:2]}", team)))
        self.team_games[team] = history
        self.league.game(self.night, opponent, team, status=1)
        if context:
            self.league.upcoming_team(team, opponent, self.night)

    def defense(self, team: str, paint: float | None = 0.0, mid: float | None = 0.0, three: float | None = 0.0,
                ready: bool = True) -> None:
        """The night's P1 row of a team (the values are <zone>_defense_vs_league_avg)."""
        self.league.add("nba_precompute.team_defense_zone_analysis", team_abbr=team, analysis_date=self.night,
                        season_year=SEASON_YEAR, paint_defense_vs_league_avg=paint,
                        mid_range_defense_vs_league_avg=mid, three_pt_defense_vs_league_avg=three,
                        is_production_ready=ready, data_quality_issues=[])

    def shot_zone(self, player: str, zone: str | None = "paint", rates: tuple = (50.0, 25.0, 25.0),
                  ready: bool = True, date: dt.date | None = None) -> None:
        """The night's P2 row of a player; rates = (paint, mid-range, three) share of attempts, 0-100."""
        self.league.add("nba_precompute.player_shot_zone_analysis", player_lookup=player,
                        analysis_date=date or self.night, season_year=SEASON_YEAR, primary_scoring_zone=zone,
                        paint_rate_last_10=rates[0], mid_range_rate_last_10=rates[1],
                        three_pt_rate_last_10=rates[2], is_production_ready=ready, data_quality_issues=[])

    def player(self, name: str, team: str = "BOS", opponent: str = "NYK", played: int | None = None,
               zone: str | None = "paint", rates: tuple = (50.0, 25.0, 25.0), p2: bool = True,
               p2_ready: bool = True, **context: Any) -> None:
        """An upcoming player who played the team's last `played` games (all by default), with a P2 row."""
        history = self.team_games[team]
        for date, gid in history[len(history) - (len(history) if played is None else played):]:
            self.league.player_game(name, team, f"Z{team[:2]}", date, gid=gid)
        self.league.upcoming_player(name, team, opponent, self.night, **context)
        if p2:
            self.shot_zone(name, zone, rates, p2_ready)

    def load(self, warehouse) -> None:
        self.league.load(warehouse)


def bos_night(night: dt.date = NIGHT) -> Night:
    """BOS with 10 final games and a game against NYK on the night; NYK's P1 row is all zeros."""
    n = Night(night)
    n.team("BOS")
    n.defense("NYK")
    return n


def run_p3(warehouse, night: dt.date = NIGHT):
    return get_processor("player_composite_factors").run(warehouse, night)


def rows(warehouse, night: dt.date = NIGHT) -> dict[str, dict]:
    found = warehouse.query(Statement("t.sql", "SELECT * FROM nba_precompute.player_composite_factors "
                                               "WHERE game_date = @d"), {"d": night})
    return {r["player_lookup"]: r for r in found}


def without_timestamps(table: dict[str, dict]) -> dict[str, dict]:
    return {k: {c: v for c, v in r.items() if c not in TIMESTAMPS} for k, r in table.items()}


# --- fatigue -------------------------------------------------------------------------------------------
FATIGUE_CASES = {
    # name: (context overrides, expected fatigue_score)
    "rested": ({}, 100),                                             # defaults: no rule fires
    "rest3_alone": (dict(days_rest=3), 100),                         # 100 + 5 = 105, clamped to 100
    "rest3_games4": (dict(days_rest=3, games_in_last_7_days=4), 95),  # 100 + 5 - 10
    "back_to_back": (dict(days_rest=0, back_to_back=True), 85),     # 100 - 15 (no +5)
    "games4": (dict(games_in_last_7_days=4), 90),                    # 100 - 10
    "games3": (dict(games_in_last_7_days=3), 100),
    "minutes241": (dict(minutes_in_last_7_days=241.0), 90),          # > 240: -10
    "minutes240": (dict(minutes_in_last_7_days=240.0), 100),         # exactly 240: no penalty
    "avg35_1": (dict(avg_minutes_per_game_last_7=35.1), 92),         # > 35: -8
    "avg35": (dict(avg_minutes_per_game_last_7=35.0), 100),
    "b2bs2": (dict(back_to_backs_last_14_days=2), 88),               # >= 2: -12
    "b2bs1": (dict(back_to_backs_last_14_days=1), 95),               # exactly 1: -5
    "age35": (dict(player_age=35), 90),                              # >= 35: -10
    "age34": (dict(player_age=34), 95),                              # 30-34: -5
    "age30": (dict(player_age=30), 95),
    "age29": (dict(player_age=29), 100),
    # Every penalty at once: 100 - 15 - 10 - 10 - 8 - 12 - 10 = 35. The rules cannot push the score
    # below 35, so the clamp at 0 never fires; the clamp at 100 does (rest3_alone).
    "stacked": (dict(days_rest=0, back_to_back=True, games_in_last_7_days=5, minutes_in_last_7_days=260.0,
                     avg_minutes_per_game_last_7=36.0, back_to_backs_last_14_days=3, player_age=36), 35),
    # NULL inputs take the defaults days_rest 1, games 3, minutes 200, avg 30, age 25 (b2bs 0): no rule fires.
    "all_null": (dict(days_rest=None, back_to_back=None, games_in_last_7_days=None,
                      minutes_in_last_7_days=None, avg_minutes_per_game_last_7=None,
                      back_to_backs_last_14_days=None, player_age=None), 100),
    # A NULL days_rest defaults to 1: neither back-to-back nor the +5, whatever else fires.
    "null_rest_games4": (dict(days_rest=None, back_to_back=None, games_in_last_7_days=4), 90),
}


def test_fatigue_rules_each_separately_clamps_and_defaults(warehouse):
    n = bos_night()
    for name, (context, _) in FATIGUE_CASES.items():
        n.player(name, **context)
    n.load(warehouse)
    run_p3(warehouse)
    found = rows(warehouse)
    scores = {name: found[name]["fatigue_score"] for name in FATIGUE_CASES}
    assert scores == {name: expected for name, (_, expected) in FATIGUE_CASES.items()}
    # fatigue_adjustment = (score - 100) / 20
    assert found["rested"]["fatigue_adjustment"] == 0.0
    assert found["back_to_back"]["fatigue_adjustment"] == pytest.approx(-0.75)
    assert found["stacked"]["fatigue_adjustment"] == pytest.approx(-3.25)
    assert found["avg35_1"]["fatigue_adjustment"] == pytest.approx(-0.4)
    assert isinstance(found["stacked"]["fatigue_score"], int)


# --- shot-zone mismatch ------------------------------------------------------------------------------
def test_shot_zone_mismatch(warehouse):
    n = bos_night()
    # One opponent per case; each P1 value is <zone>_defense_vs_league_avg in percentage points.
    n.defense("T1", paint=5.1)                  # just above 5 after the rate factor 1 -> x1.2
    n.defense("T2", paint=5.0)                  # exactly 5 -> no boost
    n.defense("T3", mid=8.0)                    # mid rate 25 -> x0.5
    n.defense("T4", mid=12.0)                   # mid rate 25 -> 6 -> boosted
    n.defense("T5", paint=3.0, mid=4.0, three=-6.0)  # perimeter reads the three-point value
    n.defense("T6", paint=9.0)                  # 9 x 1.2 = 10.8 -> +10
    n.defense("T7", paint=-15.0)                # -15 x 1.2 = -18 -> -10
    n.defense("T8", paint=9.0, mid=9.0, three=9.0)
    n.player("boost", opponent="T1", zone="paint", rates=(60.0, 20.0, 20.0))        # 5.1 x 1 x 1.2 = 6.12
    n.player("no_boost", opponent="T2", zone="paint", rates=(60.0, 20.0, 20.0))     # 5.0
    n.player("rate_half", opponent="T3", zone="mid_range", rates=(40.0, 25.0, 35.0))  # 8 x 25/50 = 4.0
    n.player("rate_then_boost", opponent="T4", zone="mid_range", rates=(40.0, 25.0, 35.0))  # 12 x 0.5 x 1.2
    n.player("perimeter", opponent="T5", zone="perimeter", rates=(30.0, 20.0, 50.0))  # -6 x 1 x 1.2 = -7.2
    n.player("clamp_high", opponent="T6", zone="paint", rates=(80.0, 10.0, 10.0))   # +10
    n.player("clamp_low", opponent="T7", zone="paint", rates=(80.0, 10.0, 10.0))    # -10
    n.player("balanced", opponent="T8", zone="balanced", rates=(34.0, 33.0, 33.0))  # 0
    n.player("no_zone", opponent="T8", zone=None, rates=(None, None, None))         # 0: no shots
    n.player("no_p2", opponent="T8", p2=False)                                      # 0: P2 row missing
    n.player("no_p1", opponent="NOP", zone="paint", rates=(80.0, 10.0, 10.0))       # 0: no P1 row for NOP
    n.load(warehouse)
    run_p3(warehouse)
    found = {k: r["shot_zone_mismatch_score"] for k, r in rows(warehouse).items()}
    assert found["boost"] == pytest.approx(6.12)
    assert found["no_boost"] == pytest.approx(5.0)
    assert found["rate_half"] == pytest.approx(4.0)
    assert found["rate_then_boost"] == pytest.approx(7.2)
    assert found["perimeter"] == pytest.approx(-7.2)
    assert found["clamp_high"] == pytest.approx(10.0)
    assert found["clamp_low"] == pytest.approx(-10.0)
    assert found["balanced"] == 0.0
    assert found["no_zone"] == 0.0
    assert found["no_p2"] == 0.0
    assert found["no_p1"] == 0.0


# --- pace and usage ----------------------------------------------------------------------------------------
def test_pace_score(warehouse):
    n = bos_night()
    n.player("up", pace_differential=4.0)        # 4 / 2 = 2.0
    n.player("down", pace_differential=-5.0)     # -2.5
    n.player("clamp_up", pace_differential=7.0)  # 3.5 -> 3.0
    n.player("clamp_down", pace_differential=-8.0)  # -4 -> -3.0
    n.player("missing", pace_differential=None)  # 0
    n.load(warehouse)
    run_p3(warehouse)
    found = {k: r["pace_score"] for k, r in rows(warehouse).items()}
    assert found == pytest.approx({"up": 2.0, "down": -2.5, "clamp_up": 3.0, "clamp_down": -3.0, "missing": 0.0})


def test_usage_spike_score(warehouse):
    n = bos_night()
    cases = {
        # name: (projected, baseline, stars out) -> expected
        "none_out": ((30.0, 25.0, 0), 1.5),         # (30 - 25) x 0.3
        "one_out": ((30.0, 25.0, 1), 1.725),        # 1.5 x 1.15
        "two_out": ((30.0, 25.0, 2), 1.95),         # 1.5 x 1.30
        "three_out": ((30.0, 25.0, 3), 1.95),       # two or more: x1.30
        "negative_two_out": ((20.0, 25.0, 2), -1.5),  # negative: no boost
        "clamp_up": ((40.0, 25.0, 0), 3.0),         # 4.5 -> 3
        "clamp_down": ((10.0, 25.0, 0), -3.0),      # -4.5 -> -3
        "boost_over_clamp": ((33.0, 25.0, 2), 3.0),  # 2.4 x 1.3 = 3.12 -> 3
        "zero_baseline": ((30.0, 0.0, 2), 0.0),     # baseline 0 -> 0
        "projected_null": ((None, 20.0, 0), 1.5),   # projected defaults to 25: (25 - 20) x 0.3
        "baseline_null": ((28.0, None, 1), 1.035),  # baseline defaults to 25: 0.9 x 1.15
        "both_null": ((None, None, 2), 0.0),        # 25 - 25
        "stars_null": ((30.0, 25.0, None), 1.5),    # no star count: no boost
    }
    for name, ((projected, baseline, stars), _) in cases.items():
        n.player(name, projected_usage_rate=projected, avg_usage_rate_last_7_games=baseline,
                 star_teammates_out=stars)
    n.load(warehouse)
    run_p3(warehouse)
    found = {k: r["usage_spike_score"] for k, r in rows(warehouse).items()}
    assert found == pytest.approx({name: expected for name, (_, expected) in cases.items()})


# --- total, data completeness, warnings --------------------------------------------------------------------
def test_total_data_completeness_and_warnings(warehouse):
    n = bos_night()
    n.defense("T1", paint=5.1)
    n.defense("T6", paint=9.0)
    n.defense("T7", paint=-15.0)
    # fatigue 85 -> -0.75; mismatch 5.1 x 1.2 = 6.12; pace 4 / 2 = 2.0; usage (28 - 25) x 0.3 = 0.9;
    # total = -0.75 + 6.12 + 2.0 + 0.9 + 4 x 0.0 = 8.27. No warning.
    n.player("mixed", opponent="T1", rates=(60.0, 20.0, 20.0), days_rest=0, back_to_back=True,
             pace_differential=4.0, projected_usage_rate=28.0)
    # fatigue 100 - 15 - 10 - 10 - 8 = 57 (not < 50); mismatch +10 (|x| > 8: warning);
    # total -2.15 + 10 + 3 + 3 = 13.85 (> 12: warning).
    n.player("matchup", opponent="T6", rates=(80.0, 10.0, 10.0), days_rest=0, back_to_back=True,
             games_in_last_7_days=4, minutes_in_last_7_days=250.0, avg_minutes_per_game_last_7=36.0,
             pace_differential=8.0, projected_usage_rate=40.0)
    # fatigue 35 (< 50) -> -3.25; mismatch -10; pace -3; usage -3: total -19.25. All three warnings.
    n.player("everything", opponent="T7", rates=(80.0, 10.0, 10.0),
             **FATIGUE_CASES["stacked"][0], pace_differential=-8.0, projected_usage_rate=10.0)
    # fatigue 100 - 10 - 10 - 8 - 12 - 10 = 50: not < 50, no warning.
    n.player("fatigue50", games_in_last_7_days=4, minutes_in_last_7_days=250.0,
             avg_minutes_per_game_last_7=36.0, back_to_backs_last_14_days=2, player_age=35)
    # Five checks: days_rest, projected_usage_rate, pace_differential, P2 row, P1 row of the opponent.
    n.player("missing_two", days_rest=None, pace_differential=None)   # 3 / 5 = 60 %
    n.player("missing_p2", p2=False)                                  # 4 / 5 = 80 %
    n.player("missing_p1", opponent="NOP")                            # 4 / 5 = 80 %
    n.player("missing_usage", projected_usage_rate=None)              # 4 / 5 = 80 %
    n.player("missing_all", opponent="NOP", p2=False, days_rest=None, pace_differential=None,
             projected_usage_rate=None)                               # 0 %
    n.load(warehouse)
    result = run_p3(warehouse)
    found = rows(warehouse)

    mixed = found["mixed"]
    assert mixed["total_composite_adjustment"] == pytest.approx(8.27)
    assert (mixed["referee_favorability_score"], mixed["look_ahead_pressure_score"],
            mixed["travel_impact_score"], mixed["opponent_strength_score"]) == (0.0, 0.0, 0.0, 0.0)
    assert mixed["calculation_version"] == "v1_4factors"
    assert (mixed["has_warnings"], mixed["warning_details"]) == (False, [])
    assert mixed["data_completeness_pct"] == 100.0

    matchup = found["matchup"]
    assert matchup["fatigue_score"] == 57
    assert matchup["total_composite_adjustment"] == pytest.approx(13.85)
    assert matchup["has_warnings"] and matchup["warning_details"] == ["EXTREME_MATCHUP", "EXTREME_ADJUSTMENT"]

    everything = found["everything"]
    assert everything["total_composite_adjustment"] == pytest.approx(-19.25)
    assert everything["warning_details"] == ["EXTREME_FATIGUE", "EXTREME_MATCHUP", "EXTREME_ADJUSTMENT"]

    assert found["fatigue50"]["fatigue_score"] == 50 and not found["fatigue50"]["has_warnings"]

    completeness = {k: found[k]["data_completeness_pct"] for k in
                    ("missing_two", "missing_p2", "missing_p1", "missing_usage", "missing_all")}
    assert completeness == pytest.approx({"missing_two": 60.0, "missing_p2": 80.0, "missing_p1": 80.0,
                                          "missing_usage": 80.0, "missing_all": 0.0})
    # quality = average data_completeness_pct over the 9 rows: (4 x 100 + 60 + 3 x 80 + 0) / 9
    assert result.quality == pytest.approx(round(700 / 9, 2))
    assert result.rows_written == 9 and result.status == "partial"  # below 100 players


# --- completeness and readiness ------------------------------------------------------------------------------
def test_readiness_and_every_upstream_reason(warehouse):
    n = bos_night()
    n.team("SAS", opponent="NYK", context=False)   # no upcoming_team_game_context row for SAS
    n.team("LAL", opponent="PHX", games=12)        # 12 final games: only the last 10 are expected
    n.defense("PHX", ready=False)
    n.player("ready")                              # 10 / 10 games
    n.player("ninety", played=9)                   # 9 / 10 = 90 %: ready
    n.player("eighty", played=8)                   # 8 / 10 = 80 %: not ready
    n.player("p2_missing", p2=False)
    n.player("p2_unready", p2_ready=False)
    n.player("p1_missing", opponent="NOP")
    n.player("p1_unready", team="LAL", opponent="PHX")   # played all 12; expected capped at 10
    n.player("no_team_context", team="SAS")
    n.player("everything_wrong", team="SAS", opponent="NOP", played=0, p2=False)
    # A game the player sat out (inactive) or logged 0 minutes in is not played.
    n.player("inactive_two", played=8)
    date8, gid8 = n.team_games["BOS"][1]
    date9, gid9 = n.team_games["BOS"][0]
    n.league.player_game("inactive_two", "BOS", "ZBO", date8, gid=gid8, is_active=False, minutes_played=0.0)
    n.league.player_game("inactive_two", "BOS", "ZBO", date9, gid=gid9, minutes_played=0.0)
    n.load(warehouse)
    result = run_p3(warehouse)
    found = rows(warehouse)

    def summary(name):
        r = found[name]
        return (r["expected_games_count"], r["actual_games_count"], r["completeness_percentage"],
                r["is_production_ready"], r["data_quality_issues"])

    assert summary("ready") == (10, 10, 100.0, True, [])
    assert summary("ninety") == (10, 9, 90.0, True, [])
    assert summary("eighty") == (10, 8, 80.0, False, ["own_games_incomplete"])
    assert summary("inactive_two") == (10, 8, 80.0, False, ["own_games_incomplete"])
    assert summary("p2_missing") == (10, 10, 100.0, False, ["upstream_player_shot_zone_missing"])
    assert summary("p2_unready") == (10, 10, 100.0, False, ["upstream_player_shot_zone_incomplete"])
    assert summary("p1_missing") == (10, 10, 100.0, False, ["upstream_team_defense_missing"])
    assert summary("p1_unready") == (10, 10, 100.0, False, ["upstream_team_defense_incomplete"])
    assert summary("no_team_context") == (10, 10, 100.0, False, ["upstream_team_context_missing"])
    assert summary("everything_wrong") == (10, 0, 0.0, False, [
        "own_games_incomplete", "upstream_player_shot_zone_missing", "upstream_team_defense_missing",
        "upstream_team_context_missing"])
    assert result.production_ready == 2 and result.rows_written == 10
    assert not found["ready"]["early_season_flag"] and found["ready"]["processing_decision_reason"] == "computed"


def test_early_season_short_history_is_complete(warehouse):
    # Day 10: BOS has played 4 final games; a player who played them all is complete and ready.
    night = day(10)
    n = Night(night)
    n.team("BOS", games=4)
    n.defense("NYK")
    n.player("rookie")
    n.player("missed_one", played=3)    # 3 / 4 = 75 %
    n.load(warehouse)
    result = run_p3(warehouse, night)
    found = rows(warehouse, night)
    assert (found["rookie"]["expected_games_count"], found["rookie"]["actual_games_count"]) == (4, 4)
    assert found["rookie"]["is_production_ready"] and found["rookie"]["early_season_flag"]
    assert found["rookie"]["processing_decision_reason"] == "early_season_short_sample"
    assert found["missed_one"]["completeness_percentage"] == 75.0 and not found["missed_one"]["is_production_ready"]
    assert (result.decision, result.early_season_rows) == ("early_season", 2)


# --- leakage, idempotence, dependencies --------------------------------------------------------------------
def leakage_night(leak: bool) -> Night:
    n = Night()
    n.team("BOS", games=10)
    n.defense("NYK", paint=6.0)
    n.player("a", played=9)
    n.player("b", played=10, zone="perimeter", rates=(20.0, 20.0, 60.0))
    if leak:
        # The night's own game, already final with box scores, and a later game: neither may count.
        n.league.rows["nba_raw.nbac_schedule"] = [
            r for r in n.league.rows["nba_raw.nbac_schedule"] if r["game_date"] != NIGHT]
        gid = n.league.game(NIGHT, "NYK", "BOS")
        later = NIGHT + dt.timedelta(days=2)
        gid_later = n.league.game(later, "BOS", "MIA")
        for player in ("a", "b"):
            n.league.player_game(player, "BOS", "NYK", NIGHT, gid=gid)
            n.league.player_game(player, "BOS", "MIA", later, gid=gid_later)
            n.league.upcoming_player(player, "BOS", "MIA", later, days_rest=0, back_to_back=True)
            n.shot_zone(player, "paint", (90.0, 5.0, 5.0), ready=False, date=later)
        n.league.upcoming_team("BOS", "MIA", later)
        n.league.add("nba_precompute.team_defense_zone_analysis", team_abbr="NYK", analysis_date=later,
                     season_year=SEASON_YEAR, paint_defense_vs_league_avg=-9.0,
                     three_pt_defense_vs_league_avg=-9.0, is_production_ready=False)
    return n


def test_no_leakage_of_the_night_or_later(warehouse):
    leakage_night(leak=False).load(warehouse)
    run_p3(warehouse)
    before = without_timestamps(rows(warehouse))
    assert before["a"]["actual_games_count"] == 9
    leakage_night(leak=True).load(warehouse)   # replaces every partition it touches
    run_p3(warehouse)
    assert without_timestamps(rows(warehouse)) == before


def test_rerun_is_idempotent_and_touches_one_partition(warehouse):
    n = bos_night()
    n.player("a")
    n.player("b", played=5)
    other_night = NIGHT - dt.timedelta(days=1)
    n.league.add("nba_precompute.player_composite_factors", player_lookup="old", game_date=other_night,
                 season_year=SEASON_YEAR, calculation_version="v1_4factors")
    n.load(warehouse)
    run_p3(warehouse)
    first = without_timestamps(rows(warehouse))
    second_result = run_p3(warehouse)
    assert without_timestamps(rows(warehouse)) == first
    assert second_result.rows_written == 2
    assert warehouse.table_row_count("nba_precompute.player_composite_factors") == 3
    assert list(rows(warehouse, other_night)) == ["old"]


@pytest.mark.parametrize("missing", ["upcoming_player_game_context", "team_defense_zone_analysis",
                                     "player_shot_zone_analysis"])
def test_missing_critical_input_raises_and_writes_nothing(warehouse, missing):
    n = bos_night()
    n.player("a")
    table = {"upcoming_player_game_context": "nba_analytics.upcoming_player_game_context",
             "team_defense_zone_analysis": "nba_precompute.team_defense_zone_analysis",
             "player_shot_zone_analysis": "nba_precompute.player_shot_zone_analysis"}[missing]
    n.league.rows.pop(table)
    n.load(warehouse)
    with pytest.raises(DependencyMissing) as raised:
        run_p3(warehouse)
    assert raised.value.result.missing_dependencies == [missing]
    assert missing in raised.value.result.message
    assert not warehouse.has_rows("nba_precompute.player_composite_factors")
