"""The mini season (tests/mini_season.py): its edge cases are really in the tables, every
processor runs on each named night, and Phase 5 has eligible, ready players on the regular night."""

from __future__ import annotations

import datetime as dt

from mini_season import NIGHTS, TRADED, build_mini_season, load_mini_season
from phase5_fixtures import Recorder
from processors.config import PipelineSettings
from processors.phase3_readiness import check_phase3
from processors.phase4 import PROCESSOR_NAMES
from processors.phase4.night import run_night
from processors.phase5.coordinator import Coordinator, plan_night, player_sets
from processors.phase5.worker import serve_requests
from processors.warehouse import Statement

PGS = "nba_analytics.player_game_summary"
CONTEXT = "nba_analytics.upcoming_player_game_context"


def one(warehouse, sql: str, **params) -> dict:
    rows = warehouse.query(Statement("test.sql", sql), params)
    assert len(rows) == 1, rows
    return rows[0]


def test_small_and_deterministic():
    first, second = build_mini_season().rows, build_mini_season().rows
    assert first == second
    counts = {table: len(rows) for table, rows in first.items()}
    print(counts)
    assert counts[PGS] <= 800 and sum(counts.values()) < 2500


def test_box_score_invariants(warehouse):
    load_mini_season(warehouse)
    bad = one(warehouse, f"""
        SELECT COUNTIF(NOT (fg_makes <= fg_attempts AND three_pt_makes <= three_pt_attempts
                  AND ft_makes <= ft_attempts AND paint_makes <= paint_attempts
                  AND mid_range_makes <= mid_range_attempts
                  AND fg_attempts = paint_attempts + mid_range_attempts + three_pt_attempts
                  AND fg_makes = paint_makes + mid_range_makes + three_pt_makes
                  AND assisted_fg_makes + unassisted_fg_makes = fg_makes
                  AND points = 2 * (fg_makes - three_pt_makes) + 3 * three_pt_makes + ft_makes
                  AND minutes_played BETWEEN 0 AND 48)) AS broken,
               COUNTIF(is_active AND (points IS NULL OR minutes_played IS NULL OR fg_attempts IS NULL)) AS active_nulls,
               COUNTIF(NOT is_active AND minutes_played IS NOT NULL) AS inactive_minutes
        FROM {PGS}""")
    assert bad == {"broken": 0, "active_nulls": 0, "inactive_minutes": 0}
    teams = one(warehouse, """
        SELECT COUNTIF(o.points_scored != 2 * (o.fg_makes - o.three_pt_makes) + 3 * o.three_pt_makes + o.ft_makes
                       OR o.points_scored != d.points_allowed OR o.fg_attempts != d.opp_fg_attempts
                       OR o.win_flag = d.win_flag) AS broken,
               COUNT(*) AS team_games
        FROM nba_analytics.team_offense_game_summary AS o
        JOIN nba_analytics.team_defense_game_summary AS d
          ON d.game_id = o.game_id AND d.opponent_team_abbr = o.team_abbr""")
    assert teams["broken"] == 0 and teams["team_games"] == 100


def test_edge_cases_exist(warehouse):
    load_mini_season(warehouse)
    q = lambda sql, **params: one(warehouse, sql, **params)  # noqa: E731
    # traded: one player, one universal id, NYK then CHI
    trade = q(f"""SELECT COUNT(DISTINCT team_abbr) AS teams, COUNT(DISTINCT universal_player_id) AS ids,
                         MAX(IF(team_abbr = 'NYK', game_date, NULL)) < MIN(IF(team_abbr = 'CHI', game_date, NULL)) AS ordered
                  FROM {PGS} WHERE player_lookup = @p AND season_year = 2024""", p=TRADED)
    assert trade == {"teams": 2, "ids": 1, "ordered": True}
    # nights: games, teams playing, first games, scheduled games, box scores
    nights = {name: q(f"""
        SELECT COUNT(s.game_id) AS games, COUNTIF(s.game_status = 1) AS scheduled,
               (SELECT COUNT(*) FROM {PGS} WHERE game_date = @d) AS box_scores,
               (SELECT MAX(game_date) FROM nba_raw.nbac_schedule) = @d AS is_last,
               (SELECT COUNT(DISTINCT team_abbr) FROM nba_raw.team_schedule WHERE game_date = @d) AS teams,
               (SELECT COUNT(*) FROM nba_raw.team_schedule AS t WHERE t.game_date = @d AND NOT EXISTS (
                  SELECT 1 FROM nba_raw.team_schedule AS e WHERE e.team_abbr = t.team_abbr AND e.season_year = 2024
                    AND e.game_date < @d)) AS first_games,
               (SELECT COUNT(*) FROM nba_raw.team_schedule AS t WHERE t.game_date = @d AND NOT EXISTS (
                  SELECT 1 FROM nba_raw.team_schedule AS e WHERE e.team_abbr = t.team_abbr
                    AND e.game_date BETWEEN DATE_SUB(@d, INTERVAL 7 DAY) AND DATE_SUB(@d, INTERVAL 1 DAY))) AS rested_7,
               (SELECT COUNT(*) FROM {CONTEXT} WHERE game_date = @d AND player_lookup = @p AND team_abbr = 'CHI') AS traded
        FROM (SELECT @d AS d) LEFT JOIN nba_raw.nbac_schedule AS s ON s.game_date = @d""", d=date, p=TRADED)
        for name, date in NIGHTS.items()}
    days = {name: (date - dt.date(2024, 10, 22)).days for name, date in NIGHTS.items()}
    print(nights)
    assert days["bootstrap"] <= 6 < days["early_season"] <= 20 < days["regular"]
    assert all(n["games"] > 0 for name, n in nights.items() if name != "off_night")
    assert nights["off_night"]["games"] == 0
    assert nights["early_season"]["first_games"] == 1 and days["early_season"] > 7   # DEN's first game
    assert nights["after_break"]["rested_7"] >= 1                                     # LAL: empty L7d window
    assert nights["traded"]["traded"] == 1 and nights["regular"]["teams"] < 6
    assert nights["last"]["is_last"] and nights["last"]["scheduled"] > 0 and nights["last"]["box_scores"] == 0
    assert all(n["scheduled"] == 0 for name, n in nights.items() if name != "last")
    # NULLs, DNPs, statuses, low projected minutes, the previous season
    found = q(f"""
        SELECT (SELECT COUNTIF(points_line IS NULL AND minutes_played > 0) FROM {PGS}) AS null_lines,
               (SELECT COUNTIF(usage_rate IS NULL AND minutes_played > 0) FROM {PGS}) AS null_usage,
               (SELECT COUNTIF(NOT is_active) FROM {PGS}) AS inactive,
               (SELECT COUNTIF(is_active AND minutes_played = 0) FROM {PGS}) AS dnp_coach,
               (SELECT COUNTIF(season_year = 2023) FROM {PGS}) AS previous_season,
               (SELECT COUNTIF(game_spread IS NULL) FROM nba_analytics.upcoming_team_game_context) AS null_spreads,
               (SELECT COUNTIF(current_points_line IS NULL) FROM {CONTEXT}) AS null_current_lines,
               (SELECT COUNTIF(opening_points_line IS NULL AND current_points_line IS NOT NULL) FROM {CONTEXT}) AS late_open,
               (SELECT COUNTIF(avg_minutes_per_game_last_7 < 15) FROM {CONTEXT} WHERE game_date = @r) AS low_minutes,
               (SELECT ARRAY_AGG(DISTINCT COALESCE(player_status, 'NULL') ORDER BY COALESCE(player_status, 'NULL'))
                FROM {CONTEXT}) AS statuses""", r=NIGHTS["regular"])
    assert found.pop("statuses") == ["NULL", "available", "doubtful", "out", "probable", "questionable"]
    assert all(found.values()), found
    # every team playing on a night has its context rows (and its players')
    missing = q(f"""
        SELECT COUNTIF(t.team_abbr IS NULL) AS teams, COUNTIF(p.players IS NULL OR p.players < 6) AS players
        FROM nba_raw.team_schedule AS s
        LEFT JOIN nba_analytics.upcoming_team_game_context AS t USING (game_date, team_abbr, game_id)
        LEFT JOIN (SELECT game_date, team_abbr, COUNT(*) AS players FROM {CONTEXT} GROUP BY 1, 2) AS p
          USING (game_date, team_abbr)
        WHERE s.season_year = 2024""")
    assert missing == {"teams": 0, "players": 0}
    # injured miastar: well below 90 % of MIA's games
    injured = q(f"""SELECT COUNTIF(p.minutes_played > 0) AS played, COUNT(*) AS team_games FROM nba_raw.team_schedule AS s
                    LEFT JOIN {PGS} AS p ON p.game_id = s.game_id AND p.player_lookup = 'miastar'
                    WHERE s.team_abbr = 'MIA' AND s.season_year = 2024 AND s.game_status = 3""")
    assert injured["played"] < 0.9 * injured["team_games"]
    # ties: the twins' lines; BOS and NYK allow the same zone shooting
    twins = q(f"""SELECT COUNT(*) AS games FROM {PGS} AS a JOIN {PGS} AS b
                  ON a.game_id = b.game_id AND a.team_abbr = b.team_abbr AND a.player_lookup < b.player_lookup
                  WHERE a.minutes_played > 0 AND a.points = b.points AND a.minutes_played = b.minutes_played
                    AND a.usage_rate = b.usage_rate""")
    assert twins["games"] >= 10
    tied = q("""SELECT COUNT(*) AS teams FROM (
                  SELECT SUM(opp_paint_makes) AS pm, SUM(opp_paint_attempts) AS pa, SUM(opp_three_pt_makes) AS tm,
                         SUM(opp_three_pt_attempts) AS ta, SUM(opp_mid_range_makes) AS mm
                  FROM nba_analytics.team_defense_game_summary WHERE season_year = 2024
                  GROUP BY defending_team_abbr)
                GROUP BY pm, pa, tm, ta, mm HAVING COUNT(*) > 1""")
    assert tied["teams"] == 2


def test_every_named_night_runs_and_phase5_has_players(warehouse):
    load_mini_season(warehouse)
    statuses = {}
    for name, night in sorted(NIGHTS.items(), key=lambda item: item[1]):
        assert all(not r.missing_teams for r in check_phase3(warehouse, night)), name  # Phase 3 is ready
        results = run_night(warehouse, night)
        assert [r.processor for r in results] == list(PROCESSOR_NAMES)
        statuses[name] = {r.processor: (r.status, r.decision, r.rows_written, r.production_ready) for r in results}
        print(night, name, statuses[name])
        assert all(r.status in ("success", "partial", "skipped") for r in results), statuses[name]
    assert {s[:2] for s in statuses["off_night"].values()} == {("skipped", "no_games_scheduled")}
    assert [s[1] for s in statuses["bootstrap"].values()] == ["early_season_bootstrap"] * 4 + [
        "early_season_placeholders"]
    assert all(s[0] == "partial" for name in ("early_season", "traded", "after_break", "regular", "last")
               for s in statuses[name].values())  # a mini league is below every success threshold

    night, recorder = NIGHTS["regular"], Recorder()
    assert plan_night(warehouse, night, "auto", "scheduled").run
    coordinator = Coordinator(warehouse, night, PipelineSettings(), publisher=recorder, alert=recorder.alert,
                              worker=lambda requests, replace: serve_requests(warehouse, night, requests,
                                                                              replace_existing=replace))
    start = coordinator.start_batch()
    sets = player_sets(warehouse, night, 15)
    status = coordinator.status_check()
    print(start, sets, status, recorder.alerts, sep="\n")
    assert sets.eligible >= 10 and sets.ready >= 10 and start.requested == sets.ready
    assert sets.eligible_predicted == sets.ready and status.decision in ("sla_met", "sla_missed")
