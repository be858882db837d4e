"""The warehouse interface on the local backend: the behaviour both backends share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from processors.warehouse import Statement, WarehouseError, schema, statements
from processors.warehouse.local import LocalWarehouse

DAY_1, DAY_2 = dt.date(2025, 1, 14), dt.date(2025, 1, 15)
EVENTS = "nba_reference.pipeline_events"
NOW = dt.datetime(2025, 1, 15, 4, 0, tzinfo=dt.UTC)


def event(event_id: str, day: dt.date, **message) -> dict:
    return {"event_id": event_id, "topic": "t", "game_date": day, "message": message or None, "published_at": NOW}


def ids(warehouse, day=None) -> list[str]:
    where = "WHERE game_date = @d" if day else ""
    rows = warehouse.query(Statement("t.sql", f"SELECT event_id FROM nba_reference.pipeline_events {where} "
                                              "ORDER BY event_id"), {"d": day} if day else None)
    return [r["event_id"] for r in rows]


SELECT_TWO = Statement("select_two.sql", """
    SELECT CONCAT('new-', CAST(n AS STRING)) AS event_id, 'topic' AS topic, @partition_date AS game_date,
           CURRENT_TIMESTAMP() AS published_at
    FROM UNNEST([1, 2]) AS n""")


def test_create_schema_is_idempotent_and_creates_every_table(warehouse):
    assert warehouse.create_schema() == list(schema.all_tables())  # second time: no error
    for key in schema.all_tables():
        assert warehouse.table_row_count(key) == 0


# player_prop_predictions as its DDL created it before feature_data_hash (a warehouse made then).
PREDICTIONS_BEFORE_FEATURE_DATA_HASH = """
CREATE TABLE `{{ project }}.{{ nba_predictions }}.player_prop_predictions` (
  prediction_id STRING NOT NULL, system_id STRING NOT NULL, player_lookup STRING NOT NULL, game_date DATE NOT NULL,
  game_id STRING, predicted_points NUMERIC(5, 1), confidence_score FLOAT64, recommendation STRING,
  current_points_line NUMERIC(4, 1), line_margin NUMERIC(5, 1), batch_id STRING, feature_quality_score NUMERIC(5, 2),
  is_active BOOL NOT NULL, created_at TIMESTAMP
)"""


def columns_of(warehouse, key: str) -> list[str]:
    dataset, name = key.split(".")
    rows = warehouse.query(Statement("t.sql", "SELECT column_name FROM duckdb_columns() "
                                              "WHERE schema_name = @d AND table_name = @t ORDER BY column_index"),
                           {"d": dataset, "t": name})
    return [r["column_name"] for r in rows]


def test_create_schema_migrates_a_table_made_from_an_older_ddl(settings):
    predictions = "nba_predictions.player_prop_predictions"
    with LocalWarehouse(settings) as wh:
        wh.execute_script(wh.statement("ddl/create_dataset.sql", dataset="nba_predictions"))
        wh.execute_script(statements.render("old_ddl.sql", PREDICTIONS_BEFORE_FEATURE_DATA_HASH,
                                            wh.settings.identifiers))
        wh.execute_script(Statement("t.sql", "INSERT INTO nba_predictions.player_prop_predictions (prediction_id, "
                                             "system_id, player_lookup, game_date, predicted_points, is_active) "
                                             "VALUES ('old', 's', 'p', DATE '2025-01-15', 21.5, TRUE)"))
        assert "feature_data_hash" not in columns_of(wh, predictions)

        wh.create_schema()
        wh.create_schema()  # the migration is idempotent

        assert columns_of(wh, predictions) == list(schema.table(predictions).columns)
        kept = wh.query(Statement("t.sql", "SELECT * FROM nba_predictions.player_prop_predictions"))
        assert [(r["prediction_id"], r["predicted_points"], r["is_active"], r["feature_data_hash"]) for r in kept] == [
            ("old", Decimal("21.5"), True, None)]
        wh.append_rows(predictions, [{"prediction_id": "new", "system_id": "s", "player_lookup": "p",
                                      "game_date": DAY_2, "is_active": False, "feature_data_hash": "abc"}])
        assert wh.table_row_count(predictions) == 2


def test_replace_partition_replaces_that_date_only(warehouse):
    warehouse.load_rows(EVENTS, [event("old-1", DAY_1), event("old-2", DAY_2), event("old-3", DAY_2)])
    assert warehouse.replace_partition(EVENTS, DAY_2, SELECT_TWO) == 2
    assert ids(warehouse, DAY_2) == ["new-1", "new-2"]
    assert ids(warehouse, DAY_1) == ["old-1"]
    # Rerun: same rows, no duplicates.
    assert warehouse.replace_partition(EVENTS, DAY_2, SELECT_TWO) == 2
    assert ids(warehouse) == ["new-1", "new-2", "old-1"]


def test_rows_of_another_date_in_the_select_are_never_written(warehouse):
    select = Statement("stray.sql", "SELECT 'stray' AS event_id, 't' AS topic, @other AS game_date, "
                                    "CURRENT_TIMESTAMP() AS published_at")
    assert warehouse.replace_partition(EVENTS, DAY_2, select, {"other": DAY_1}) == 0
    assert ids(warehouse) == []


def test_a_failing_replacement_leaves_the_previous_partition_intact(warehouse):
    warehouse.load_rows(EVENTS, [event("kept", DAY_2)])
    failing = Statement("failing.sql", "SELECT 'x' AS event_id, 't' AS topic, @partition_date AS game_date, "
                                       "CAST('not a time' AS TIMESTAMP) AS published_at")
    with pytest.raises(WarehouseError, match=r"^failing.sql \(replacing nba_reference.pipeline_events 2025-01-15\): "):
        warehouse.replace_partition(EVENTS, DAY_2, failing)
    assert ids(warehouse) == ["kept"]


def test_replace_partition_rejects_columns_the_table_does_not_have(warehouse):
    bad = Statement("bad.sql", "SELECT 'x' AS event_id, @partition_date AS game_date, 1 AS nope")
    with pytest.raises(WarehouseError, match="bad.sql: selects columns nba_reference.pipeline_events does not have: nope"):
        warehouse.replace_partition(EVENTS, DAY_2, bad)


def test_replace_partition_names_the_statement_of_a_syntax_error_each_time(warehouse):
    """The column check parses each text once (cached): the error still names the statement that used it."""
    for name in ("first.sql", "second.sql"):
        with pytest.raises(WarehouseError, match=rf"^{name}: syntax error"):
            warehouse.replace_partition(EVENTS, DAY_2, Statement(name, "SELECT event_id FROM (SELECT"))


def test_load_rows_replaces_the_partitions_present(warehouse):
    warehouse.load_rows(EVENTS, [event("a", DAY_1), event("b", DAY_2)])
    warehouse.load_rows(EVENTS, [event("c", DAY_2)])
    assert ids(warehouse) == ["a", "c"]


def test_append_rows_keeps_what_is_there(warehouse):
    warehouse.append_rows(EVENTS, [event("a", DAY_2)])
    warehouse.append_rows(EVENTS, [event("b", DAY_2)])
    assert ids(warehouse, DAY_2) == ["a", "b"]


def test_values_round_trip_with_bigquery_types(warehouse):
    warehouse.append_rows("nba_reference.processor_run_history", [{
        "processor_name": "p", "run_id": "r1", "data_date": DAY_2, "status": "success",
        "duration_seconds": 1.25, "missing_dependencies": ["a", "b"], "summary": {"rows": 30, "ok": True},
        "started_at": NOW, "dependency_check_passed": True,
    }])
    warehouse.append_rows("nba_predictions.player_prop_predictions", [{
        "prediction_id": "x", "system_id": "s", "player_lookup": "p", "game_date": DAY_2,
        "predicted_points": 21.35, "line_margin": Decimal("-1.2"), "is_active": True,
    }])
    run = warehouse.query(Statement("t.sql", "SELECT * FROM nba_reference.processor_run_history"))[0]
    assert run["summary"] == {"rows": 30, "ok": True}
    assert run["missing_dependencies"] == ["a", "b"]
    assert run["started_at"] == NOW and run["data_date"] == DAY_2
    prediction = warehouse.query(Statement("t.sql", "SELECT * FROM nba_predictions.player_prop_predictions"))[0]
    assert prediction["predicted_points"] == Decimal("21.4")  # NUMERIC(5, 1)
    assert prediction["line_margin"] == Decimal("-1.2")


def test_has_rows_for_a_table_and_a_partition(warehouse):
    assert not warehouse.has_rows(EVENTS)
    warehouse.append_rows(EVENTS, [event("a", DAY_1)])
    assert warehouse.has_rows(EVENTS) and warehouse.has_rows(EVENTS, DAY_1)
    assert not warehouse.has_rows(EVENTS, DAY_2)


def test_multi_statement_script_is_all_or_nothing(warehouse):
    warehouse.append_rows(EVENTS, [event("a", DAY_1)])
    script = Statement("script.sql", """
        DELETE FROM nba_reference.pipeline_events WHERE game_date = @d;
        INSERT INTO nba_reference.pipeline_events (event_id, topic, published_at) VALUES ('x', NULL, CURRENT_TIMESTAMP());
    """)
    with pytest.raises(WarehouseError, match="script.sql: .*NOT NULL"):
        warehouse.execute_script(script, {"d": DAY_1})
    assert ids(warehouse) == ["a"]


def test_unknown_table_and_unknown_columns_are_clear_errors(warehouse):
    with pytest.raises(WarehouseError, match="nba_analytics.nope: unknown table"):
        warehouse.load_rows("nba_analytics.nope", [])
    with pytest.raises(WarehouseError, match="rows have columns the table does not: colour"):
        warehouse.load_rows(EVENTS, [{**event("a", DAY_1), "colour": "red"}])


def test_data_persists_in_the_file_across_connections(settings):
    with LocalWarehouse(settings) as first:
        first.create_schema()
        first.append_rows(EVENTS, [event("a", DAY_1)])
    with LocalWarehouse(settings) as second:
        assert second.has_rows(EVENTS, DAY_1)


def test_a_failing_check_inside_the_transaction_keeps_the_previous_partition(warehouse):
    warehouse.load_rows(EVENTS, [event("kept", DAY_2)])

    def refuse(row_count):
        assert row_count == 2  # the check sees the new rows before the commit
        raise ValueError("validation failed")

    with pytest.raises(ValueError, match="validation failed"):
        warehouse.replace_partition(EVENTS, DAY_2, SELECT_TWO, check=refuse)
    assert ids(warehouse) == ["kept"] and not warehouse.in_transaction


def test_nested_transactions_join_the_outer_one(warehouse):
    with pytest.raises(RuntimeError):
        with warehouse.transaction():
            warehouse.append_rows(EVENTS, [event("a", DAY_1)])
            with warehouse.transaction():
                warehouse.append_rows(EVENTS, [event("b", DAY_1)])
            raise RuntimeError("outer fails")
    assert ids(warehouse) == []


def test_query_all_runs_independent_reads_side_by_side_in_order(warehouse):
    from processors.warehouse import Statement, WarehouseError

    requests = [(Statement(f"q{n}.sql", "SELECT @n AS n, CAST(@d AS STRING) AS d"), {"n": n, "d": dt.date(2025, 1, n)})
                for n in range(1, 6)]
    assert warehouse.query_all(requests) == [[{"n": n, "d": f"2025-01-0{n}"}] for n in range(1, 6)]
    with pytest.raises(WarehouseError, match=r"^broken\.sql: "):
        warehouse.query_all([requests[0], (Statement("broken.sql", "SELECT nope FROM nowhere"), {})])
    with warehouse.transaction():  # inside a transaction: in it, so its own writes are seen
        warehouse.execute_script(Statement("scratch.sql", "CREATE TABLE nba_reference.scratch AS SELECT 1 AS n"))
        seen = warehouse.query_all([(Statement("count.sql", "SELECT COUNT(*) AS n FROM nba_reference.scratch"),
                                     {})] * 2)
    assert seen == [[{"n": 1}], [{"n": 1}]]
