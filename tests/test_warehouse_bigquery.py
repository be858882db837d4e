"""The BigQuery backend's requests, checked without network against a recording client."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from google.api_core.exceptions import BadRequest
from google.cloud import bigquery

from processors.config import WarehouseSettings
from processors.warehouse import Statement, WarehouseError, open_warehouse
from processors.warehouse.bigquery import BigQueryWarehouse, query_parameter, schema_field

DAY = dt.date(2025, 1, 15)


class FakeJob:
    def __init__(self, rows=(), error: Exception | None = None):
        self._rows, self._error = rows, error
        self.session_info = SimpleNamespace(session_id="session-1")

    def result(self):
        if self._error:
            raise self._error
        return self._rows


class RecordingClient:
    """Stands in for bigquery.Client: records every request, returns canned rows."""

    def __init__(self, rows=(), error=None):
        self.queries, self.loads, self._rows, self._error = [], [], rows, error

    def query(self, sql, job_config, location):
        self.queries.append((sql, job_config, location))
        return FakeJob(self._rows, self._error)

    def load_table_from_json(self, rows, destination, job_config):
        self.loads.append((rows, destination, job_config))
        return FakeJob()

    def close(self):
        pass


class FakeRow(dict):
    pass


@pytest.fixture
def bq_settings():
    return WarehouseSettings(backend="bigquery", gcp_project="proj-1", location="US",
                             datasets={"nba_raw": "nba_raw", "nba_analytics": "nba_analytics",
                                       "nba_precompute": "nba_precompute_dev", "nba_predictions": "nba_predictions",
                                       "nba_reference": "nba_reference"})


def make(settings, client) -> BigQueryWarehouse:
    wh = open_warehouse(settings, client_factory=lambda: client,
                        job_labels={"dag_id": "nba_nightly", "task_id": "Phase4.P1 Team Defense"})
    assert isinstance(wh, BigQueryWarehouse)
    return wh


def test_query_uses_named_parameters_standard_sql_and_labels(bq_settings):
    client = RecordingClient(rows=[FakeRow(n=3)])
    wh = make(bq_settings, client)
    rows = wh.query(Statement("phase4/example.sql", "SELECT @n AS n"), {
        "game_date": DAY, "n": 3, "rate": 0.5, "force": True, "name": "x", "line": Decimal("21.5"),
        "at": dt.datetime(2025, 1, 15, tzinfo=dt.UTC), "teams": ["BOS", "NYK"], "nothing": None,
    })
    assert rows == [{"n": 3}]
    sql, config, location = client.queries[0]
    assert sql == "SELECT @n AS n" and location == "US"
    assert config.use_legacy_sql is False
    params = {p.name: p for p in config.query_parameters}
    assert {name: p.type_ for name, p in params.items() if hasattr(p, "type_")} == {
        "game_date": "DATE", "n": "INT64", "rate": "FLOAT64", "force": "BOOL", "name": "STRING",
        "line": "NUMERIC", "at": "TIMESTAMP", "nothing": "STRING",
    }
    assert params["teams"].array_type == "STRING" and params["teams"].values == ["BOS", "NYK"]
    assert config.labels == {"app": "nba-props", "dag_id": "nba_nightly", "task_id": "phase4-p1-team-defense",
                             "sql_file": "phase4-example"}


def test_statements_from_files_carry_the_configured_identifiers(bq_settings):
    client = RecordingClient(rows=[FakeRow(row_count=30)])
    wh = make(bq_settings, client)
    assert wh.partition_row_count("nba_precompute.team_defense_zone_analysis", DAY) == 30
    sql, config, _ = client.queries[0]
    assert "`proj-1.nba_precompute_dev.team_defense_zone_analysis`" in sql
    assert "WHERE analysis_date = @partition_date" in sql
    assert [(p.name, p.type_, p.value) for p in config.query_parameters] == [("partition_date", "DATE", DAY)]


SELECT_P1 = Statement("phase4/p1.sql", "SELECT team_abbr, @game_date AS analysis_date, 2024 AS season_year\n"
                                       "FROM `proj-1.nba_analytics.team_defense_game_summary`;")


def session_of(config) -> str | None:
    props = {p.key: p.value for p in (config.connection_properties or [])}
    return props.get("session_id")


def test_replace_partition_is_one_transaction_of_delete_and_insert(bq_settings):
    client = RecordingClient(rows=[FakeRow(row_count=2)])
    wh = make(bq_settings, client)
    checked = []
    assert wh.replace_partition("nba_precompute.team_defense_zone_analysis", DAY, SELECT_P1, {"game_date": DAY},
                                check=checked.append) == 2
    assert checked == [2]
    sqls = [sql for sql, _, _ in client.queries]
    assert sqls[0] == "BEGIN TRANSACTION" and client.queries[0][1].create_session is True
    script, config, _ = client.queries[1]
    table = "`proj-1.nba_precompute_dev.team_defense_zone_analysis`"
    assert script.index(f"DELETE FROM {table}") < script.index(f"INSERT INTO {table} (team_abbr, analysis_date, season_year)")
    assert script.count("WHERE analysis_date = @partition_date") == 2  # delete and insert: that date only
    assert "FROM `proj-1.nba_analytics.team_defense_game_summary`\n) AS new_rows" in script  # trailing ; dropped
    assert {p.name for p in config.query_parameters} == {"game_date", "partition_date"}
    assert "COUNT(*) AS row_count" in sqls[2]  # the check counts inside the transaction
    assert sqls[3:] == ["COMMIT TRANSACTION", "CALL BQ.ABORT_SESSION()"]
    assert all(session_of(cfg) == "session-1" for _, cfg, _ in client.queries[1:])


def test_a_failing_check_rolls_the_partition_back(bq_settings):
    client = RecordingClient(rows=[FakeRow(row_count=0)])
    wh = make(bq_settings, client)

    def refuse(rows):
        raise ValueError(f"only {rows} rows")

    with pytest.raises(ValueError, match="only 0 rows"):
        wh.replace_partition("nba_precompute.team_defense_zone_analysis", DAY, SELECT_P1, {"game_date": DAY}, check=refuse)
    assert [sql for sql, _, _ in client.queries][-2:] == ["ROLLBACK TRANSACTION", "CALL BQ.ABORT_SESSION()"]
    assert not wh.in_transaction


def test_single_statements_run_without_a_session(bq_settings):
    client = RecordingClient()
    make(bq_settings, client).create_schema()
    assert client.queries and all(session_of(cfg) is None for _, cfg, _ in client.queries)
    assert not any(sql == "BEGIN TRANSACTION" for sql, _, _ in client.queries)


def test_load_rows_truncates_each_date_partition_with_a_load_job(bq_settings):
    client = RecordingClient()
    wh = make(bq_settings, client)
    rows = [{"event_id": "a", "topic": "t", "game_date": DAY, "message": {"k": 1},
             "published_at": dt.datetime(2025, 1, 15, tzinfo=dt.UTC)},
            {"event_id": "b", "topic": "t", "game_date": DAY + dt.timedelta(days=1), "message": None,
             "published_at": dt.datetime(2025, 1, 16, tzinfo=dt.UTC)}]
    wh.load_rows("nba_reference.pipeline_events", rows)
    destinations = [(dest, cfg.write_disposition, len(batch)) for batch, dest, cfg in client.loads]
    assert destinations == [("proj-1.nba_reference.pipeline_events$20250115", "WRITE_TRUNCATE", 1),
                            ("proj-1.nba_reference.pipeline_events$20250116", "WRITE_TRUNCATE", 1)]
    first_rows, _, config = client.loads[0]
    assert first_rows[0]["game_date"] == "2025-01-15" and first_rows[0]["message"] == {"k": 1}
    assert config.source_format == "NEWLINE_DELIMITED_JSON"
    assert [f.name for f in config.schema] == ["event_id", "topic", "game_date", "message", "published_at"]


def test_append_rows_appends_with_one_load_job(bq_settings):
    client = RecordingClient()
    make(bq_settings, client).append_rows("nba_reference.pipeline_alerts", [
        {"alert_id": "a", "created_at": dt.datetime(2025, 1, 15, tzinfo=dt.UTC), "severity": "warning", "title": "t"}])
    (_, destination, config), = client.loads
    assert destination == "proj-1.nba_reference.pipeline_alerts" and config.write_disposition == "WRITE_APPEND"


def test_api_errors_name_the_statement(bq_settings):
    client = RecordingClient(error=BadRequest("Unrecognized name: nope at [1:8]"))
    with pytest.raises(WarehouseError) as info:
        make(bq_settings, client).query(Statement("phase4/p2.sql", "SELECT nope"))
    assert str(info.value) == "phase4/p2.sql: Unrecognized name: nope at [1:8]"


def test_schema_fields_and_parameter_types():
    assert schema_field("n", "NUMERIC(5, 1)").precision == 5
    assert schema_field("tags", "ARRAY<STRING>").mode == "REPEATED"
    assert isinstance(query_parameter("xs", []), bigquery.ArrayQueryParameter)
    with pytest.raises(TypeError, match="no BigQuery parameter type for object"):
        query_parameter("x", object())


def test_query_all_submits_every_job_before_waiting_for_any(bq_settings):
    events = []

    class OrderedJob(FakeJob):
        def __init__(self, name):
            super().__init__([FakeRow(name=name)])
            self.name = name

        def result(self):
            events.append(f"wait {self.name}")
            return super().result()

    class Client(RecordingClient):
        def query(self, sql, job_config, location):
            events.append(f"submit {sql}")
            return OrderedJob(sql)

    wh = make(bq_settings, Client())
    rows = wh.query_all([(Statement("a.sql", "a"), {}), (Statement("b.sql", "b"), {"n": 1})])
    assert rows == [[{"name": "a"}], [{"name": "b"}]]
    assert events == ["submit a", "submit b", "wait a", "wait b"]
