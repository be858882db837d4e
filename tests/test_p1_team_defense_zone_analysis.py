"""P1 team_defense_zone_analysis on hand-built games, expected values worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from phase4_fixtures import League, day
from processors.phase4 import DependencyMissing, get_processor
from processors.phase4.calendar import NoScheduleError
from processors.warehouse import Statement

NIGHT = day(40)
TEAMS = ["ATL", "BOS", "CHA", "CHI", "CLE", "DAL", "DEN", "DET", "GSW", "HOU"]


def run_p1(warehouse, night=NIGHT):
    return get_processor("team_defense_zone_analysis").run(warehouse, night)


def rows(warehouse, night=NIGHT) -> dict[str, dict]:
    found = warehouse.query(Statement("t.sql", "SELECT * FROM nba_precompute.team_defense_zone_analysis "
                                               "WHERE analysis_date = @d"), {"d": night})
    return {r["team_abbr"]: r for r in found}


def three_bos_games(league: League) -> None:
    # BOS allowed paint 20/40, 22/40, 18/40 = 60/120 = 0.500; mid 8/20, 10/20, 9/20 = 27/60 = 0.450;
    # three 10/30, 14/30, 12/30 = 36/90 = 0.400. Ratings 100, 110, 120 -> 110; points 100, 110, 120 -> 110.
    for n, (paint, mid, three) in enumerate([(20, 8, 10), (22, 10, 14), (18, 9, 12)]):
        league.game(day(30 + 2 * n), "NYK", "BOS", home_defense=dict(
            opp_paint_attempts=40, opp_paint_makes=paint, opp_mid_range_attempts=20, opp_mid_range_makes=mid,
            opp_three_pt_attempts=30, opp_three_pt_makes=three, points_in_paint_allowed=2 * paint,
            blocks_paint=3 + n, blocks_mid_range=1, blocks_three_pt=n, defensive_rating=100.0 + 10 * n,
            points_allowed=100 + 10 * n, opponent_pace=98.0 + n))
    league.game(NIGHT, "NYK", "BOS", status=1)


def test_zone_pcts_per_game_values_and_league_defaults(warehouse):
    league = League()
    three_bos_games(league)
    league.load(warehouse)
    result = run_p1(warehouse)
    assert (result.status, result.rows_written) == ("partial", 2)  # 2 teams, below the 30 expected
    bos = rows(warehouse)["BOS"]
    assert bos["paint_pct_allowed_last_15"] == pytest.approx(0.500)
    assert bos["mid_range_pct_allowed_last_15"] == pytest.approx(0.450)
    assert bos["three_pt_pct_allowed_last_15"] == pytest.approx(0.400)
    assert bos["paint_attempts_allowed_per_game"] == pytest.approx(40.0)
    assert bos["paint_points_allowed_per_game"] == pytest.approx(40.0)
    assert bos["mid_range_attempts_allowed_per_game"] == pytest.approx(20.0)
    assert bos["three_pt_attempts_allowed_per_game"] == pytest.approx(30.0)
    assert bos["paint_blocks_per_game"] == pytest.approx(4.0)      # (3 + 4 + 5) / 3
    assert bos["three_pt_blocks_per_game"] == pytest.approx(1.0)   # (0 + 1 + 2) / 3
    assert bos["defensive_rating_last_15"] == pytest.approx(110.0)
    assert bos["opponent_points_per_game"] == pytest.approx(110.0)
    assert bos["opponent_pace"] == pytest.approx(99.0)
    assert bos["games_in_sample"] == 3 and bos["data_quality_tier"] == "low"
    # Fewer than 10 teams with 10 games in 30 days: league defaults 0.580 / 0.410 / 0.355.
    assert bos["league_avg_teams_in_sample"] == 0
    assert (bos["league_avg_paint_pct"], bos["league_avg_mid_range_pct"], bos["league_avg_three_pt_pct"]) == \
        pytest.approx((0.580, 0.410, 0.355))
    assert bos["paint_defense_vs_league_avg"] == pytest.approx(-8.0)      # (0.500 - 0.580) x 100
    assert bos["mid_range_defense_vs_league_avg"] == pytest.approx(4.0)   # (0.450 - 0.410) x 100
    assert bos["three_pt_defense_vs_league_avg"] == pytest.approx(4.5)    # (0.400 - 0.355) x 100
    assert (bos["strongest_zone"], bos["weakest_zone"]) == ("paint", "perimeter")
    assert (bos["expected_games_count"], bos["actual_games_count"], bos["completeness_percentage"]) == (3, 3, 100.0)
    assert bos["is_production_ready"] and bos["data_quality_issues"] == []


def test_only_the_last_15_games_count(warehouse):
    league = League()
    # 17 games: the two oldest allowed 40/40 in the paint; the last 15 allowed 20/40.
    for n in range(17):
        paint = 40 if n < 2 else 20
        league.game(day(2 * n), "NYK", "BOS", home_defense=dict(opp_paint_attempts=40, opp_paint_makes=paint))
    league.game(NIGHT, "NYK", "BOS", status=1)
    league.load(warehouse)
    run_p1(warehouse)
    bos = rows(warehouse)["BOS"]
    assert bos["games_in_sample"] == 15 and bos["data_quality_tier"] == "high"
    assert bos["paint_pct_allowed_last_15"] == pytest.approx(0.5)
    assert (bos["expected_games_count"], bos["actual_games_count"]) == (15, 15)


def round_robin(league: League, rounds: int) -> None:
    """10 teams, one game each per round, every other day from day 20; team i allows (16 + i)/40 in the paint."""
    teams = TEAMS[:]
    for r in range(rounds):
        for k in range(5):
            home, away = teams[k], teams[-1 - k]
            league.game(day(20 + 2 * r), away, home,
                        home_defense=dict(opp_paint_attempts=40, opp_paint_makes=16 + TEAMS.index(home)),
                        away_defense=dict(opp_paint_attempts=40, opp_paint_makes=16 + TEAMS.index(away)))
        teams = [teams[0], teams[-1], *teams[1:-1]]  # circle method
    league.game(NIGHT, "ATL", "BOS", status=1)


@pytest.mark.parametrize(("rounds", "teams_in_sample", "league_paint", "tier"), [
    (10, 10, (16 + 4.5) / 40, "medium"),   # 10 teams with 10 games: mean of (16 + i) / 40 = 0.5125
    (9, 0, 0.580, "low"),                  # 9 games each: nobody qualifies, default 0.580
])
def test_league_average_needs_ten_teams_with_ten_games(warehouse, rounds, teams_in_sample, league_paint, tier):
    league = League()
    round_robin(league, rounds)
    league.load(warehouse)
    run_p1(warehouse)
    found = rows(warehouse)
    assert len(found) == 10
    atl = found["ATL"]
    assert atl["league_avg_teams_in_sample"] == teams_in_sample
    assert atl["league_avg_paint_pct"] == pytest.approx(league_paint)
    assert atl["paint_defense_vs_league_avg"] == pytest.approx((16 / 40 - league_paint) * 100)
    assert atl["data_quality_tier"] == tier


@pytest.mark.parametrize(("missing_box_scores", "pct", "ready"), [(1, 90.0, True), (2, 80.0, False)])
def test_production_ready_at_exactly_90_percent(warehouse, missing_box_scores, pct, ready):
    league = League()
    for n in range(10):  # 10 final games in the schedule; the first few without box scores
        league.game(day(10 + 2 * n), "NYK", "BOS", box_scores=n >= missing_box_scores)
    league.game(NIGHT, "NYK", "BOS", status=1)
    league.load(warehouse)
    run_p1(warehouse)
    bos = rows(warehouse)["BOS"]
    assert (bos["expected_games_count"], bos["completeness_percentage"], bos["is_production_ready"]) == (10, pct, ready)
    assert bos["data_quality_issues"] == ([] if ready else ["team_defense_games_incomplete"])


def test_nothing_from_the_night_itself_or_later_is_used(warehouse):
    league = League()
    three_bos_games(league)
    league.load(warehouse)
    run_p1(warehouse)
    before = {k: {c: v for c, v in r.items() if c not in ("processed_at", "created_at")} for k, r in rows(warehouse).items()}
    later = League()
    later.team_defense(NIGHT, "BOS", "NYK", "20241201_NYK_BOS", opp_paint_attempts=40, opp_paint_makes=40)
    later.game(day(45), "NYK", "BOS", home_defense=dict(opp_paint_attempts=40, opp_paint_makes=0))
    later.load(warehouse)
    run_p1(warehouse)
    after = {k: {c: v for c, v in r.items() if c not in ("processed_at", "created_at")} for k, r in rows(warehouse).items()}
    assert after == before


def test_rerun_replaces_the_night_without_duplicates_or_touching_other_nights(warehouse):
    league = League()
    three_bos_games(league)
    league.load(warehouse)
    run_p1(warehouse, day(35))
    run_p1(warehouse)
    other_night = rows(warehouse, day(35))
    run_p1(warehouse)
    assert warehouse.partition_row_count("nba_precompute.team_defense_zone_analysis", NIGHT) == 2
    assert rows(warehouse, day(35)) == other_night


def test_bootstrap_off_night_and_bad_input(warehouse):
    league = League()
    league.game(day(3), "NYK", "BOS")
    league.game(day(5), "NYK", "BOS", status=1)
    league.game(day(9), "NYK", "BOS", status=1)
    league.load(warehouse)
    bootstrap = run_p1(warehouse, day(5))
    assert (bootstrap.status, bootstrap.decision, bootstrap.rows_written) == ("skipped", "early_season_bootstrap", 0)
    off = run_p1(warehouse, day(7))
    assert (off.status, off.decision) == ("skipped", "no_games_scheduled")
    with pytest.raises(NoScheduleError, match="no Phase 3 data for 2025-06-01"):
        run_p1(warehouse, dt.date(2025, 6, 1))
    with pytest.raises(ValueError, match="unknown processor 'team_defense'"):
        get_processor("team_defense")


def test_missing_box_scores_fail_the_dependency_check_and_write_nothing(warehouse):
    league = League()
    league.game(day(20), "NYK", "BOS", box_scores=False)
    league.game(NIGHT, "NYK", "BOS", status=1)
    league.load(warehouse)
    with pytest.raises(DependencyMissing, match="no rows for .* in: team_defense_game_summary") as info:
        run_p1(warehouse)
    assert info.value.result.missing_dependencies == ["team_defense_game_summary"]
    assert not warehouse.has_rows("nba_precompute.team_defense_zone_analysis")
    history = warehouse.query(Statement("t.sql", "SELECT status, dependency_check_passed, missing_dependencies "
                                                 "FROM nba_reference.processor_run_history ORDER BY processed_at"))
    assert history == [{"status": "running", "dependency_check_passed": None, "missing_dependencies": []},
                       {"status": "failed", "dependency_check_passed": False,
                        "missing_dependencies": ["team_defense_game_summary"]}]
