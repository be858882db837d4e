"""P4 player_daily_cache on hand-built games, expected values worked out by hand,
and P2 + P4 on the generated sample season."""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import time

import pytest

from phase4_fixtures import League, day, game_id
from processors.config import WarehouseSettings
from processors.phase4 import DependencyMissing, get_processor
from processors.phase4.calendar import NoScheduleError
from processors.warehouse import Statement
from processors.warehouse.local import LocalWarehouse

NIGHT = day(60)
# BOS's final games before NIGHT, latest first. Windows on NIGHT:
#   L7d  (on or after day 53): 59, 58, 56, 54           -> 4 games
#   L14d (on or after day 46): 59 ... 46                -> 8 games
#   L5: 59 ... 52; L10: 59 ... 42; two older games (40, 38) count for the season only.
BOS_DAYS = [59, 58, 56, 54, 52, 50, 48, 46, 44, 42, 40, 38]
BOS_DATES = [day(d) for d in BOS_DAYS]
VOLATILE = ("processed_at", "created_at")


class CacheLeague(League):
    """Season from day 0; BOS hosts NYK on BOS_DATES with pace 95, 96, ... and ratings 100, 102, ...
    (latest first); NYK @ BOS on NIGHT is scheduled."""

    def __init__(self) -> None:
        super().__init__()
        self.game(day(0), "LAL", "LAC")
        for k, date in enumerate(BOS_DATES):
            self.game(date, "NYK", "BOS", home_offense=dict(pace=95.0 + k, offensive_rating=100.0 + 2 * k))
        self.game(NIGHT, "NYK", "BOS", status=1)

    def player(self, name: str, dates: list[dt.date], upcoming: bool = True, shot_zones: bool = True,
               **stats) -> None:
        """Box scores on `dates`, the night's upcoming context and (by default) the night's P2 row."""
        for date in dates:
            self.player_game(name, "BOS", "NYK", date, **stats)
        if upcoming:
            self.upcoming_player(name, "BOS", "NYK", NIGHT)
        if shot_zones:
            self.shot_zones(name)

    def shot_zones(self, name: str, **overrides) -> dict:
        return add_shot_zones(self, name, **overrides)


def add_shot_zones(league: League, name: str, team: str = "BOS", night: dt.date = NIGHT, **overrides) -> dict:
    """The player's P2 row of the night (production ready)."""
    values = dict(player_lookup=name, universal_player_id=f"{name}_001", team_abbr=team, analysis_date=night,
                  season_year=2024, primary_scoring_zone="paint", paint_rate_last_10=45.0,
                  three_pt_rate_last_10=25.0, assisted_rate_last_10=62.5, is_production_ready=True)
    values.update(overrides)
    return league.add("nba_precompute.player_shot_zone_analysis", **values)


def run_p4(warehouse, night=NIGHT):
    return get_processor("player_daily_cache").run(warehouse, night)


def rows(warehouse, night=NIGHT) -> dict[str, dict]:
    found = warehouse.query(Statement("t.sql", "SELECT * FROM nba_precompute.player_daily_cache "
                                               "WHERE cache_date = @d"), {"d": night})
    return {r["player_lookup"]: r for r in found}


def stable(found: dict[str, dict]) -> dict[str, dict]:
    return {k: {c: v for c, v in r.items() if c not in VOLATILE} for k, r in found.items()}


# The scorer's games, latest first.
POINTS = [35, 10, 20, 25, 15, 18, 22, 12, 28, 20, 5, 7]
MINUTES = [36.0, 30.0, 32.5, 34.0, 28.0, 31.0, 33.0, 29.5, 35.0, 30.0, 12.0, 14.0]
USAGE = [20.0 + k for k in range(12)]


def scorer_league() -> CacheLeague:
    league = CacheLeague()
    for k, date in enumerate(BOS_DATES):
        shooting = dict(fg_attempts=20, ft_attempts=5) if k < 10 else \
            dict(fg_attempts=10, ft_attempts=0, paint_attempts=5, mid_range_attempts=2, three_pt_attempts=3,
                 paint_makes=2, mid_range_makes=1, three_pt_makes=1, fg_makes=4, assisted_fg_makes=2,
                 unassisted_fg_makes=2)
        league.player_game("scorer", "BOS", "NYK", date, points=POINTS[k], minutes_played=MINUTES[k],
                           usage_rate=USAGE[k], **shooting)
    league.upcoming_player("scorer", "BOS", "NYK", NIGHT, games_in_last_7_days=4, games_in_last_14_days=8,
                           minutes_in_last_7_days=130.5, minutes_in_last_14_days=250.5,
                           back_to_backs_last_14_days=2, avg_minutes_per_game_last_7=32.6, player_age=31)
    league.shot_zones("scorer")
    return league


def test_rolling_stats_team_means_and_copied_fields(warehouse):
    scorer_league().load(warehouse)
    result = run_p4(warehouse)
    assert (result.status, result.rows_written, result.production_ready) == ("partial", 1, 1)  # below 100
    s = rows(warehouse)["scorer"]
    assert s["points_avg_last_5"] == pytest.approx(21.0)            # 105 / 5
    assert s["points_avg_last_10"] == pytest.approx(20.5)           # 205 / 10
    assert s["points_avg_season"] == pytest.approx(217 / 12)
    assert s["points_std_last_10"] == pytest.approx(statistics.stdev(POINTS[:10]))
    assert s["minutes_avg_last_10"] == pytest.approx(statistics.fmean(MINUTES[:10]))
    assert s["usage_rate_last_10"] == pytest.approx(24.5)           # 20 ... 29
    assert s["player_usage_rate_season"] == pytest.approx(25.5)     # 20 ... 31
    assert s["ts_pct_last_10"] == pytest.approx(205 / (2 * (200 + 0.44 * 50)))
    assert s["games_played_season"] == 12
    assert s["team_pace_last_10"] == pytest.approx(99.5)            # 95 ... 104
    assert s["team_off_rating_last_10"] == pytest.approx(109.0)     # 100, 102 ... 118
    copied = {c: s[c] for c in ("games_in_last_7_days", "games_in_last_14_days", "minutes_in_last_7_days",
                                "minutes_in_last_14_days", "back_to_backs_last_14_days",
                                "avg_minutes_per_game_last_7", "player_age")}
    assert copied == {"games_in_last_7_days": 4, "games_in_last_14_days": 8, "minutes_in_last_7_days": 130.5,
                      "minutes_in_last_14_days": 250.5, "back_to_backs_last_14_days": 2,
                      "avg_minutes_per_game_last_7": 32.6, "player_age": 31}
    assert (s["primary_scoring_zone"], s["paint_rate_last_10"], s["three_pt_rate_last_10"]) == ("paint", 45.0, 25.0)
    assert s["assisted_rate_last_10"] == pytest.approx(0.625)       # P2's 62.5 % as a fraction
    assert (s["team_abbr"], s["universal_player_id"], s["cache_version"], s["season_year"]) == \
        ("BOS", "scorer_001", "v1", 2024)
    assert (s["l5_completeness_pct"], s["l10_completeness_pct"], s["l7d_completeness_pct"],
            s["l14d_completeness_pct"]) == (100.0, 100.0, 100.0, 100.0)
    assert s["all_windows_complete"] and s["is_production_ready"] and s["data_quality_issues"] == []
    assert (s["expected_games_count"], s["actual_games_count"], s["completeness_percentage"]) == (10, 10, 100.0)
    assert not s["early_season_flag"] and s["processing_decision_reason"] == "computed"


WINDOW_CASES = {
    # player: (missed BOS days, (L5, L10, L7d, L14d) %)
    "misses42": ((42,), (100.0, 90.0, 100.0, 100.0)),          # exactly 90 % on L10: ready
    "misses52": ((52,), (80.0, 90.0, 100.0, 87.5)),
    "misses59": ((59,), (80.0, 90.0, 75.0, 87.5)),
    "misses42and44": ((42, 44), (100.0, 80.0, 100.0, 100.0)),  # only L10 short
    "misses46": ((46,), (100.0, 90.0, 100.0, 87.5)),           # only L14d short
}


def test_each_window_completeness_and_all_windows_complete(warehouse):
    league = CacheLeague()
    for name, (missed, _) in WINDOW_CASES.items():
        league.player(name, [day(d) for d in BOS_DAYS if d not in missed])
    league.load(warehouse)
    run_p4(warehouse)
    found = rows(warehouse)
    windows = ("l5_completeness_pct", "l10_completeness_pct", "l7d_completeness_pct", "l14d_completeness_pct")
    assert {p: tuple(r[w] for w in windows) for p, r in found.items()} == \
        {p: pct for p, (_, pct) in WINDOW_CASES.items()}
    assert {p for p, r in found.items() if r["all_windows_complete"]} == {"misses42"}
    assert all(r["is_production_ready"] == r["all_windows_complete"] for r in found.values())
    assert found["misses42"]["data_quality_issues"] == []
    assert found["misses46"]["data_quality_issues"] == ["l14d_games_incomplete"]
    assert found["misses42and44"]["data_quality_issues"] == ["l10_games_incomplete"]
    assert (found["misses42and44"]["expected_games_count"], found["misses42and44"]["actual_games_count"],
            found["misses42and44"]["completeness_percentage"]) == (10, 8, 80.0)


WINDOWS = ("l5_completeness_pct", "l10_completeness_pct", "l7d_completeness_pct", "l14d_completeness_pct")


def bos_windows(warehouse, night: dt.date, bos_days: list[int], players: dict[str, tuple[int, ...]]) -> dict:
    """BOS hosts NYK on `bos_days` and on `night`; each player plays every BOS game but his missed days.
    P4's rows of the night."""
    league = League()
    for d in bos_days:
        league.game(day(d), "NYK", "BOS")
    league.game(night, "NYK", "BOS", status=1)
    for name, missed in players.items():
        for d in bos_days:
            if d not in missed:
                league.player_game(name, "BOS", "NYK", day(d))
        league.upcoming_player(name, "BOS", "NYK", night)
        add_shot_zones(league, name, night=night)
    league.load(warehouse)
    run_p4(warehouse, night)
    return rows(warehouse, night)


def test_a_day_window_without_team_games_misses_nothing_after_a_break(warehouse):
    """The first night after the All-Star break: BOS's last game was 8 days ago, so the L7-day window
    expects nothing. It is 100 % complete (was 0 %, which made every player unready that night)."""
    bos_days = [30, 32, 34, 36, 38, 40, 42, 44, 46, 48, 50, 52]   # L7d (>= day 53): none; L14d (>= 46): 4
    found = bos_windows(warehouse, day(60), bos_days, {"every": (), "misses46": (46,)})
    assert {p: tuple(r[w] for w in WINDOWS) for p, r in found.items()} == {
        "every": (100.0, 100.0, 100.0, 100.0),
        "misses46": (80.0, 90.0, 100.0, 75.0),    # L5 and L14d still count what they hold
    }
    assert (found["every"]["is_production_ready"], found["every"]["data_quality_issues"]) == (True, [])
    assert found["misses46"]["data_quality_issues"] == ["l5_games_incomplete", "l14d_games_incomplete"]


def test_windows_on_a_night_right_after_the_bootstrap(warehouse):
    """Day 9: BOS has played 6 games, so every window holds fewer games than its length."""
    bos_days = [0, 1, 3, 4, 6, 8]             # L5: 8 ... 1; L10 and L14d: all 6; L7d (>= day 2): 3, 4, 6, 8
    found = bos_windows(warehouse, day(9), bos_days, {"every": (), "missesopener": (0,), "misses8": (8,)})
    assert {p: tuple(round(r[w], 1) for w in WINDOWS) for p, r in found.items()} == {
        "every": (100.0, 100.0, 100.0, 100.0),
        "missesopener": (100.0, 83.3, 100.0, 83.3),
        "misses8": (80.0, 83.3, 75.0, 83.3),
    }
    assert {p for p, r in found.items() if r["is_production_ready"]} == {"every"}
    assert (found["every"]["expected_games_count"], found["every"]["early_season_flag"]) == (6, True)


def test_a_team_before_its_first_game_is_zero_complete(warehouse):
    """A player whose current team has not played a final game yet: nothing can be complete (0 %),
    although his own history (with his former team) gives him a row."""
    night = day(30)
    league = League()
    nyk_days = [10, 12, 14, 16, 18, 20]
    for d in nyk_days:
        league.game(day(d), "BOS", "NYK")
        league.player_game("moved", "NYK", "BOS", day(d))
    league.game(night, "LAL", "CHA", status=1)       # CHA's first game of the season
    league.upcoming_player("moved", "CHA", "LAL", night)
    add_shot_zones(league, "moved", team="CHA", night=night)
    league.load(warehouse)
    run_p4(warehouse, night)
    moved = rows(warehouse, night)["moved"]
    assert tuple(moved[w] for w in WINDOWS) == (0.0, 0.0, 0.0, 0.0)
    assert (moved["expected_games_count"], moved["is_production_ready"]) == (0, False)


def test_who_gets_a_row_and_players_skipped_without_shot_zones(warehouse):
    league = CacheLeague()
    five_points = [30, 12, 18, 25, 9]
    for date, points in zip(BOS_DATES, five_points, strict=False):
        league.player_game("five", "BOS", "NYK", date, points=points)
    league.player("five", [])                                          # upcoming context and P2 row
    league.player("nine", BOS_DATES[:9])
    league.player("ten", BOS_DATES[:10])
    league.player("four", BOS_DATES[:4])                               # < 5 games: no row
    league.player("noshotzones", BOS_DATES[:8], shot_zones=False)      # no P2 row: skipped
    league.player("fournoshotzones", BOS_DATES[:4], shot_zones=False)  # < 5 games anyway: not a skip
    league.player("notupcoming", BOS_DATES, upcoming=False)            # not expected to play
    league.load(warehouse)
    result = run_p4(warehouse)
    found = rows(warehouse)
    assert set(found) == {"five", "nine", "ten"}
    assert result.records_skipped == 1
    history = warehouse.query(Statement("h.sql", "SELECT records_skipped FROM nba_reference.processor_run_history "
                                                "WHERE status != 'running'"))
    assert [h["records_skipped"] for h in history] == [1]
    assert {p: r["early_season_flag"] for p, r in found.items()} == {"five": True, "nine": True, "ten": False}
    assert result.early_season_rows == 2
    assert found["five"]["points_std_last_10"] == pytest.approx(statistics.stdev(five_points))
    assert found["five"]["points_avg_last_10"] == found["five"]["points_avg_season"] == pytest.approx(18.8)
    # 9 of the last 10 team games: L10 exactly 90 %.
    assert (found["nine"]["l10_completeness_pct"], found["nine"]["is_production_ready"]) == (90.0, True)


def test_sample_std_dev_of_a_single_game_is_null(warehouse):
    # P4 rows need 5 games, so a one-game sample never reaches the table; pin the aggregate itself.
    sql = "SELECT STDDEV_SAMP(x) AS one, STDDEV_SAMP(IF(x > 20, x, NULL)) AS none FROM UNNEST([20, 22]) AS x"
    assert warehouse.query(Statement("std.sql", sql)) == [{"one": pytest.approx(statistics.stdev([20, 22])),
                                                           "none": None}]
    sql = "SELECT STDDEV_SAMP(x) AS s FROM UNNEST([20]) AS x"
    assert warehouse.query(Statement("std1.sql", sql)) == [{"s": None}]


def test_nothing_from_the_night_itself_or_later_is_used(warehouse):
    league = scorer_league()
    league.load(warehouse)
    run_p4(warehouse)
    before = stable(rows(warehouse))
    # The night's own box score (player and team) and a later final game.
    gid = game_id(NIGHT, "NYK", "BOS")
    league.player_game("scorer", "BOS", "NYK", NIGHT, points=70, minutes_played=48.0, fg_attempts=40)
    league.team_offense(NIGHT, "BOS", "NYK", gid, pace=130.0, offensive_rating=150.0)
    league.game(day(62), "NYK", "BOS", home_offense=dict(pace=130.0))
    league.player_game("scorer", "BOS", "NYK", day(62), points=60)
    league.load(warehouse)
    run_p4(warehouse)
    assert stable(rows(warehouse)) == before


def test_rerun_replaces_the_night_without_duplicates(warehouse):
    league = scorer_league()
    league.player("ten", BOS_DATES[:10])
    league.load(warehouse)
    run_p4(warehouse)
    once = stable(rows(warehouse))
    assert run_p4(warehouse).rows_written == 2
    assert stable(rows(warehouse)) == once
    count = warehouse.query(Statement("c.sql", "SELECT cache_date, COUNT(*) AS n FROM "
                                               "nba_precompute.player_daily_cache GROUP BY 1"))
    assert [(r["cache_date"], r["n"]) for r in count] == [(NIGHT, 2)]


@pytest.mark.parametrize("missing, table", [
    ("upcoming_player_game_context", "nba_analytics.upcoming_player_game_context"),
    ("player_game_summary", "nba_analytics.player_game_summary"),
    ("team_offense_game_summary", "nba_analytics.team_offense_game_summary"),
    ("player_shot_zone_analysis", "nba_precompute.player_shot_zone_analysis"),
])
def test_a_missing_critical_input_fails_and_writes_nothing(warehouse, missing, table):
    league = scorer_league()
    league.rows.pop(table)
    league.load(warehouse)
    with pytest.raises(DependencyMissing, match=missing) as caught:
        run_p4(warehouse)
    assert caught.value.result.missing_dependencies == [missing]
    assert warehouse.table_row_count("nba_precompute.player_daily_cache") == 0


def test_bad_input(warehouse):
    with pytest.raises(ValueError, match="unknown processor"):
        get_processor("daily_cache")
    CacheLeague().load(warehouse)
    with pytest.raises(NoScheduleError):
        run_p4(warehouse, dt.date(2030, 1, 1))
    assert warehouse.table_row_count("nba_precompute.player_daily_cache") == 0


# --- the generated 2024-25 sample season -----------------------------------------------------------

SEASON_CHECKS = "SELECT * FROM nba_precompute.{table} WHERE {column} = @d"


def test_sample_season_p2_then_p4(season_warehouse_settings, tmp_path):
    path = tmp_path / "season.duckdb"
    shutil.copy(season_warehouse_settings.local_path, path)
    figures = []
    with LocalWarehouse(WarehouseSettings(local_path=path)) as wh:
        for night in (dt.date(2025, 1, 15), dt.date(2024, 11, 5)):
            results = {}
            for name in ("player_shot_zone_analysis", "player_daily_cache"):
                clock = time.perf_counter()
                results[name] = get_processor(name).run(wh, night)
                ms = (time.perf_counter() - clock) * 1000
                r = results[name]
                figures.append(f"{night} {name}: {r.status} rows={r.rows_written} ready={r.ready_pct}% "
                               f"quality={r.quality} skipped={r.records_skipped} {ms:.0f} ms")
            p2, p4 = results["player_shot_zone_analysis"], results["player_daily_cache"]
            zones = wh.query(Statement("p2.sql", SEASON_CHECKS.format(table="player_shot_zone_analysis",
                                                                      column="analysis_date")), {"d": night})
            cache = wh.query(Statement("p4.sql", SEASON_CHECKS.format(table="player_daily_cache",
                                                                      column="cache_date")), {"d": night})
            eligible = wh.query(Statement("e.sql", """
                SELECT COUNT(*) AS n FROM (
                  SELECT u.player_lookup
                  FROM nba_analytics.upcoming_player_game_context AS u
                  JOIN nba_analytics.player_game_summary AS g
                    ON g.player_lookup = u.player_lookup AND g.season_year = u.season_year
                   AND g.game_date < @d AND g.is_active AND g.minutes_played > 0
                  WHERE u.game_date = @d
                  GROUP BY u.player_lookup HAVING COUNT(*) >= 5)"""), {"d": night})[0]["n"]

            assert p2.status == p4.status == "success"
            assert len(zones) == p2.rows_written and len(cache) == p4.rows_written
            for z in zones:
                if z["total_shots_last_10"]:
                    rates = (z["paint_rate_last_10"], z["mid_range_rate_last_10"], z["three_pt_rate_last_10"])
                    assert all(0 <= r <= 100 for r in rates) and sum(rates) == pytest.approx(100.0)
                for c in ("paint_pct_last_10", "mid_range_pct_last_10", "three_pt_pct_last_10"):
                    assert z[c] is None or 0 <= z[c] <= 1
                assert 0 <= z["completeness_percentage"] <= 100
            shot_zone_players = {z["player_lookup"] for z in zones}
            for c in cache:
                assert c["player_lookup"] in shot_zone_players and c["games_played_season"] >= 5
                # At most 1.5 (a made three per attempt); NULL without a shot or free throw.
                assert c["ts_pct_last_10"] is None or 0 <= c["ts_pct_last_10"] <= 1.5
                assert 85 < c["team_pace_last_10"] < 115 and 90 < c["team_off_rating_last_10"] < 135
                assert c["assisted_rate_last_10"] is None or 0 <= c["assisted_rate_last_10"] <= 1  # NULL: no FG makes
            assert p4.rows_written + p4.records_skipped == eligible
            assert 0.45 < statistics.fmean(c["ts_pct_last_10"] for c in cache if c["ts_pct_last_10"]) < 0.7

            if night.month == 1:  # mid-season
                assert p2.decision == "computed" and p2.rows_written >= 400 and p2.early_season_rows == 0
                assert all(z["games_in_sample_10"] == 10 for z in zones)
                assert p4.rows_written >= 180 and p4.early_season_rows == 0  # ~11 listed a team, 18 teams
            else:                 # day 14: early season
                assert p2.decision == "early_season" and p2.rows_written >= 100
                assert p2.early_season_rows == p2.rows_written
                assert all(z["data_quality_tier"] == "low" for z in zones if z["games_in_sample_10"] < 10)
                assert p4.rows_written >= 100 and p4.early_season_rows == p4.rows_written
            assert 40 <= p2.ready_pct <= 100 and 40 <= p4.ready_pct <= 100
    print("\n" + "\n".join(figures))
