"""The sample season in the local warehouse: the build command, idempotence and the
processors.md invariants checked in SQL on every row."""

from __future__ import annotations

import shutil

import pytest

from processors.cli import sample_season as command
from processors.config import WarehouseSettings
from processors.warehouse import Statement
from processors.warehouse.local import LocalWarehouse

PHASE3 = [
    "nba_raw.nbac_schedule", "nba_analytics.player_game_summary", "nba_analytics.team_defense_game_summary",
    "nba_analytics.team_offense_game_summary", "nba_analytics.upcoming_player_game_context",
    "nba_analytics.upcoming_team_game_context",
]


def count(wh, sql: str) -> int:
    return wh.query(Statement("invariant.sql", sql))[0]["n"]


def test_every_phase3_table_is_loaded_with_plausible_counts(season_warehouse):
    counts = {key: season_warehouse.table_row_count(key) for key in PHASE3}
    assert 1170 <= counts["nba_raw.nbac_schedule"] <= 1290
    assert counts["nba_analytics.team_offense_game_summary"] == 2 * counts["nba_raw.nbac_schedule"]
    assert counts["nba_analytics.team_defense_game_summary"] == 2 * counts["nba_raw.nbac_schedule"]
    assert count(season_warehouse, "SELECT COUNT(DISTINCT team_abbr) AS n FROM nba_analytics.player_game_summary") == 30
    players = count(season_warehouse, "SELECT COUNT(DISTINCT player_lookup) AS n FROM nba_analytics.player_game_summary")
    assert 400 <= players <= 500


INVARIANTS = {
    "fg attempts = paint + mid + three":
        "fg_attempts != paint_attempts + mid_range_attempts + three_pt_attempts",
    "fg makes = paint + mid + three": "fg_makes != paint_makes + mid_range_makes + three_pt_makes",
    "makes <= attempts": "paint_makes > paint_attempts OR mid_range_makes > mid_range_attempts "
                         "OR three_pt_makes > three_pt_attempts OR ft_makes > ft_attempts OR fg_makes > fg_attempts",
    "assisted + unassisted = fg makes": "assisted_fg_makes + unassisted_fg_makes != fg_makes",
    "points from makes": "points != 2 * (paint_makes + mid_range_makes) + 3 * three_pt_makes + ft_makes",
    "inactive players did not play": "NOT is_active AND COALESCE(minutes_played, 0) > 0",
}


@pytest.mark.parametrize("name", INVARIANTS)
def test_box_score_invariants_hold_on_every_row(season_warehouse, name):
    sql = f"SELECT COUNT(*) AS n FROM nba_analytics.player_game_summary WHERE {INVARIANTS[name]}"
    assert count(season_warehouse, sql) == 0


def test_team_offense_is_the_sum_of_its_players(season_warehouse):
    sql = """
        WITH players AS (
          SELECT game_id, team_abbr, SUM(points) AS points, SUM(fg_attempts) AS fga, SUM(three_pt_makes) AS tpm
          FROM nba_analytics.player_game_summary GROUP BY game_id, team_abbr)
        SELECT COUNT(*) AS n
        FROM nba_analytics.team_offense_game_summary AS o
        LEFT JOIN players AS p USING (game_id, team_abbr)
        WHERE p.points IS NULL OR o.points_scored != p.points OR o.fg_attempts != p.fga
           OR o.three_pt_makes != p.tpm"""
    assert count(season_warehouse, sql) == 0


def test_team_defense_mirrors_the_opponent_offense(season_warehouse):
    sql = """
        SELECT COUNT(*) AS n
        FROM nba_analytics.team_defense_game_summary AS d
        JOIN nba_analytics.team_offense_game_summary AS o
          ON o.game_id = d.game_id AND o.team_abbr = d.opponent_team_abbr
        WHERE d.points_allowed != o.points_scored OR d.opp_fg_attempts != o.fg_attempts
           OR d.opp_paint_attempts + d.opp_mid_range_attempts + d.opp_three_pt_attempts != d.opp_fg_attempts"""
    assert count(season_warehouse, sql) == 0


def test_no_team_plays_twice_a_night(season_warehouse):
    sql = """
        SELECT COUNT(*) AS n FROM (
          SELECT game_date, team FROM (
            SELECT game_date, home_team_abbr AS team FROM nba_raw.nbac_schedule
            UNION ALL SELECT game_date, away_team_abbr FROM nba_raw.nbac_schedule)
          GROUP BY game_date, team HAVING COUNT(*) > 1)"""
    assert count(season_warehouse, sql) == 0


def test_rebuilding_gives_identical_checksums_and_no_duplicates(season_warehouse_settings, sample_season, tmp_path):
    copy = WarehouseSettings(local_path=tmp_path / "copy.duckdb")
    shutil.copy(season_warehouse_settings.local_path, copy.local_path)
    with LocalWarehouse(season_warehouse_settings) as original:
        before = command.season_checksums(original, 2024, PHASE3)
    with LocalWarehouse(copy) as wh:
        written = command.load_season(wh, sample_season)
        assert command.season_checksums(wh, 2024, PHASE3) == before
        assert {k: wh.table_row_count(k) for k in PHASE3} == written


def test_the_command_prints_the_summary(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(tmp_path / "cmd.duckdb"))
    assert command.main(["--season", "2024", "--seed", "7", "--as-of", "2024-11-01"]) == 0
    out = capsys.readouterr().out
    assert "Sample season 2024-25 (seed 7)" in out and "nba_analytics.player_game_summary" in out
    with LocalWarehouse(WarehouseSettings(local_path=tmp_path / "cmd.duckdb")) as wh:
        scheduled = count(wh, "SELECT COUNT(*) AS n FROM nba_raw.nbac_schedule WHERE game_status = 1")
        late_box_scores = count(wh, "SELECT COUNT(*) AS n FROM nba_analytics.player_game_summary "
                                    "WHERE game_date >= DATE '2024-11-01'")
    assert scheduled > 1000 and late_box_scores == 0


@pytest.mark.parametrize(("args", "message"), [
    (["--as-of", "2025-13-01"], "--as-of must be an ISO date"),
    (["--season", "24"], "--season must be a season start year"),
])
def test_bad_arguments_are_named(args, message, capsys):
    with pytest.raises(SystemExit) as info:
        command.main(args)
    assert info.value.code == 2 and message in capsys.readouterr().err
