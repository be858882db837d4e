"""Every table as DDL: datasets, columns the spec names, DAY partitioning and clustering."""

from __future__ import annotations

import pytest

from processors.config import SQL_ROOT
from processors.warehouse import Statement, schema

EXPECTED_LAYOUT = {
    # table: (partition column, clustering)
    "nba_raw.nbac_schedule": ("game_date", ("home_team_abbr", "away_team_abbr")),
    "nba_analytics.player_game_summary": ("game_date", ("player_lookup", "team_abbr")),
    "nba_analytics.team_defense_game_summary": ("game_date", ("defending_team_abbr",)),
    "nba_analytics.team_offense_game_summary": ("game_date", ("team_abbr",)),
    "nba_analytics.upcoming_player_game_context": ("game_date", ("player_lookup", "team_abbr")),
    "nba_analytics.upcoming_team_game_context": ("game_date", ("team_abbr",)),
    "nba_precompute.team_defense_zone_analysis": ("analysis_date", ("team_abbr",)),
    "nba_precompute.player_shot_zone_analysis": ("analysis_date", ("player_lookup",)),
    "nba_precompute.player_composite_factors": ("game_date", ("player_lookup",)),
    "nba_precompute.player_daily_cache": ("cache_date", ("player_lookup",)),
    "nba_predictions.ml_feature_store_v2": ("game_date", ("player_lookup",)),
    "nba_predictions.player_prop_predictions": ("game_date", ("system_id", "player_lookup")),
    "nba_reference.processor_run_history": ("data_date", ("processor_name", "status")),
    "nba_reference.pipeline_alerts": ("game_date", ("severity",)),
    "nba_reference.pipeline_events": ("game_date", ("topic",)),
}

COMMON_PHASE4_COLUMNS = {
    "expected_games_count": "INT64", "actual_games_count": "INT64", "completeness_percentage": "FLOAT64",
    "is_production_ready": "BOOL", "data_quality_issues": "ARRAY<STRING>", "early_season_flag": "BOOL",
    "processing_decision_reason": "STRING", "processed_at": "TIMESTAMP", "created_at": "TIMESTAMP",
}

# Column types the spec states explicitly.
SPEC_TYPES = {
    "nba_analytics.player_game_summary": {"minutes_played": "NUMERIC(5, 1)", "usage_rate": "NUMERIC(5, 2)",
                                          "is_active": "BOOL"},
    "nba_analytics.team_defense_game_summary": {"defensive_rating": "NUMERIC(6, 2)", "opponent_pace": "NUMERIC(5, 1)"},
    "nba_predictions.ml_feature_store_v2": {"features": "ARRAY<FLOAT64>", "feature_names": "ARRAY<STRING>",
                                            "feature_quality_score": "NUMERIC(5, 2)"},
    "nba_predictions.player_prop_predictions": {"predicted_points": "NUMERIC(5, 1)", "is_active": "BOOL"},
    "nba_reference.processor_run_history": {"missing_dependencies": "ARRAY<STRING>", "errors": "JSON",
                                            "warnings": "JSON", "summary": "JSON", "backfill_mode": "BOOL"},
}


def test_registry_holds_exactly_the_platform_tables():
    assert set(schema.all_tables()) == set(EXPECTED_LAYOUT)


@pytest.mark.parametrize("key", sorted(EXPECTED_LAYOUT))
def test_partitioning_and_clustering(key):
    table = schema.table(key)
    assert (table.partition_column, table.clustering) == EXPECTED_LAYOUT[key]
    assert table.columns[table.partition_column] == "DATE"  # DAY partitioning on a DATE column


@pytest.mark.parametrize("key", [k for k in EXPECTED_LAYOUT if k.split(".")[0] in ("nba_precompute",)]
                         + ["nba_predictions.ml_feature_store_v2"])
def test_phase4_outputs_carry_the_common_columns(key):
    columns = schema.table(key).columns
    assert {c: columns.get(c) for c in COMMON_PHASE4_COLUMNS} == COMMON_PHASE4_COLUMNS


@pytest.mark.parametrize("key", sorted(SPEC_TYPES))
def test_types_the_spec_states(key):
    columns = schema.table(key).columns
    assert {c: columns.get(c) for c in SPEC_TYPES[key]} == SPEC_TYPES[key]


def test_every_ddl_file_is_idempotent_and_templated():
    for table in schema.all_tables().values():
        text = (SQL_ROOT / table.ddl_file).read_text()
        assert "CREATE TABLE IF NOT EXISTS `{{ project }}.{{ " + table.dataset + " }}." + table.name + "`" in text


def test_creating_the_schema_twice_keeps_existing_rows(warehouse):
    warehouse.execute_script(Statement("t.sql", "INSERT INTO nba_raw.nbac_schedule (game_id, game_date, season_year, "
                                                "home_team_abbr, away_team_abbr, game_status) "
                                                "VALUES ('20250115_BOS_NYK', DATE '2025-01-15', 2024, 'NYK', 'BOS', 3)"))
    warehouse.create_schema()
    assert warehouse.table_row_count("nba_raw.nbac_schedule") == 1


def test_local_tables_have_the_registry_columns_in_order(warehouse):
    for key, table in schema.all_tables().items():
        dataset, name = key.split(".")
        rows = warehouse.query(Statement("t.sql", "SELECT column_name FROM duckdb_columns() "
                                                  "WHERE schema_name = @d AND table_name = @t ORDER BY column_index"),
                               {"d": dataset, "t": name})
        assert [r["column_name"] for r in rows] == list(table.columns)


def test_team_schedule_view_has_one_row_per_team_per_game(warehouse):
    warehouse.execute_script(Statement("t.sql", "INSERT INTO nba_raw.nbac_schedule (game_id, game_date, season_year, "
                                                "home_team_abbr, away_team_abbr, game_status) "
                                                "VALUES ('20250115_BOS_NYK', DATE '2025-01-15', 2024, 'NYK', 'BOS', 3)"))
    rows = warehouse.query(Statement("t.sql", "SELECT team_abbr, opponent_team_abbr, home_game "
                                              "FROM nba_raw.team_schedule ORDER BY team_abbr"))
    assert rows == [{"team_abbr": "BOS", "opponent_team_abbr": "NYK", "home_game": False},
                    {"team_abbr": "NYK", "opponent_team_abbr": "BOS", "home_game": True}]
    warehouse.create_schema()  # CREATE OR REPLACE: idempotent
