"""Every statement the package sends, recorded from its real code paths on the mini season.

The flows run on the local backend (sample-season loader, Phase 3 readiness,
the five processors, the audit, the completion message, the Phase 5
coordinator and worker, alerts, run history, monitoring) with the warehouse's
entry points wrapped: each statement is kept as the BigQuery backend would
send it (the same rendered text, parameters typed as google-cloud-bigquery
types them), and each query is run at that moment on ZetaSQL's reference
evaluator too, over the same table contents, for the differential check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import sqlglot

import googlesql
from processors.config import SQL_ROOT, PipelineSettings, WarehouseSettings
from processors.warehouse import Statement, schema
from processors.warehouse import statements as statement_files
from processors.warehouse.bigquery import query_parameter
from processors.warehouse.local import LocalWarehouse

_REPLACING = re.compile(r"^(?P<select>.+) \(replacing (?P<table>\S+) (?P<date>\d{4}-\d{2}-\d{2})\)$")
_TABLE_PATH = re.compile(r"`([A-Za-z0-9_\-]+)\.([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)`")
REPLACE_PARTITION = "warehouse/replace_partition.sql"
# The reference evaluator is a slow nested-loop engine: each query file is compared on its
# first runs with a distinct text or parameters (the nights differ in their edge cases), at
# most this many; every run is analyzed.
COMPARED_RUNS_PER_FILE = 4
# SQL the BigQuery backend builds in Python (processors/warehouse/bigquery.py): multi-job transactions.
PYTHON_BUILT = {
    "bigquery.py: BEGIN TRANSACTION": "BEGIN TRANSACTION",
    "bigquery.py: COMMIT TRANSACTION": "COMMIT TRANSACTION",
    "bigquery.py: ROLLBACK TRANSACTION": "ROLLBACK TRANSACTION",
    "bigquery.py: CALL BQ.ABORT_SESSION()": "CALL BQ.ABORT_SESSION()",
}


@dataclass
class Execution:
    """One statement as sent, and for a query both engines' answers."""

    file: str                               # include/sql file, or a Python-built statement's id
    text: str                               # the rendered BigQuery SQL
    parameter_types: dict[str, str]         # BigQuery types google-cloud-bigquery declares
    params: dict[str, Any]
    is_query: bool
    local: list[dict] | None = None
    compared: bool = False
    reference: list[dict] | None = None
    reference_columns: list[str] | None = None
    reference_error: str | None = None

    @property
    def analysis_key(self) -> tuple[str, tuple]:
        return self.text, tuple(sorted(self.parameter_types.items()))

    @property
    def ordered(self) -> bool:
        """Whether the statement fixes its row order (an outer ORDER BY)."""
        return _outer_order_by(self.text)


@dataclass
class Recording:
    executions: list[Execution] = field(default_factory=list)
    loaded: dict[str, set[str]] = field(default_factory=dict)   # include/sql file -> its rendered texts
    catalog: DdlCatalog | None = None
    # (text, parameter types) -> ZetaSQL's error, or None: analyzed while the evaluations finish
    analysis: dict[tuple[str, tuple], str | None] = field(default_factory=dict)

    def analyze_all(self) -> None:
        for execution in self.executions:
            key = execution.analysis_key
            if key not in self.analysis:
                try:
                    googlesql.analyze_script(execution.text, self.catalog.proto, execution.parameter_types)
                    self.analysis[key] = None
                except googlesql.GoogleSqlError as exc:
                    self.analysis[key] = str(exc)

    def by_file(self, file: str) -> list[Execution]:
        return [e for e in self.executions if e.file == file]

    def carriers(self, file: str) -> list[Execution]:
        """The statements that sent a file: itself, or those that include it or embed it as a fragment."""
        direct = self.by_file(file)
        if direct:
            return direct
        texts = [t.strip().rstrip(";") for t in self.loaded.get(file, ())]
        return [e for e in self.executions
                if file in included_files(e.file) or any(t and t in e.text for t in texts)]


@cache
def _outer_order_by(text: str) -> bool:
    return sqlglot.parse_one(text, read="bigquery").args.get("order") is not None


def included_files(name: str) -> set[str]:
    path = SQL_ROOT / name
    if not path.is_file():
        return set()
    found = set(re.findall(r"\{\{\s*include\s+([\w/.\-]+\.sql)\s*\}\}", path.read_text()))
    for included in list(found):
        found |= included_files(included)
    return found


def bigquery_parameters(params: dict[str, Any] | None) -> dict[str, tuple[str, Any]]:
    """name -> (BigQuery type, value) exactly as the BigQuery backend builds its query parameters."""
    out = {}
    for name, value in (params or {}).items():
        parameter = query_parameter(name, value)
        out[name] = (googlesql.parameter_type(parameter), value)
    return out


# --- the reference side: the same tables, read at the moment of the query -----------------
class Reference:
    """ZetaSQL's evaluator over the local warehouse's table contents at the moment of each query.

    The contents are read here; the evaluations run in worker processes (the reference
    evaluator is slow and single-threaded), in parallel with the local flows."""

    def __init__(self, settings: WarehouseSettings):
        catalog = self.ddl = ddl_catalog(settings)
        self.columns = {t.path: t.columns for t in catalog.tables}
        self.views: dict[tuple[str, str, str], str] = {}
        for _, text in catalog.statements:
            match = re.search(r"CREATE\s+OR\s+REPLACE\s+VIEW\s+`([^`]+)`\s+AS\s+(.*)$", text, re.S | re.I)
            if match:
                self.views[tuple(match.group(1).split("."))] = match.group(2)
        self._contents: dict[tuple[str, str, str], bytes] = {}  # cleared whenever the warehouse writes
        self._pool = googlesql.EvaluatorPool(googlesql.catalog_proto(catalog.tables, flat=True), self.views)

    def tables_changed(self) -> None:
        self._contents.clear()

    def submit(self, warehouse: LocalWarehouse, text: str, params: dict[str, Any]) -> Future:
        """Evaluate `text` on the tables as they are now; the future gives (columns, rows)."""
        base_tables = {p for path in _tables_in(text) for p in ([path] if path not in self.views
                                                                 else _tables_in(self.views[path]))}
        contents = {path: self._content(warehouse, path) for path in sorted(base_tables)}
        return self._pool.submit(text, contents, bigquery_parameters(params))

    def close(self) -> None:
        self._pool.close()

    def _content(self, warehouse: LocalWarehouse, path: tuple[str, str, str]) -> bytes:
        """The table's rows now, as a serialized TableContent (read once between two writes)."""
        if path not in self._contents:
            rows = _UNWRAPPED["query"](warehouse, Statement("dump", f"SELECT * FROM `{'.'.join(path)}`"))
            self._contents[path] = googlesql.table_content(self.columns[path], rows).SerializeToString()
        return self._contents[path]


def _tables_in(text: str) -> list[tuple[str, str, str]]:
    return sorted(set(_TABLE_PATH.findall(text)))


_UNWRAPPED: dict[str, Any] = {}


@contextmanager
def recording(settings: WarehouseSettings) -> Iterator[Recording]:
    """Wrap the warehouse's entry points for the duration of the block."""
    reference = Reference(settings)
    record = Recording(catalog=reference.ddl)
    pending: list[tuple[Execution, Future]] = []
    original_query = _UNWRAPPED["query"] = LocalWarehouse.query
    original_script = LocalWarehouse.execute_script
    original_replace = LocalWarehouse.replace_partition
    original_load = statement_files.load
    original_bulk_load = LocalWarehouse._load_rows

    def compare(statement: Statement, params) -> bool:
        """Whether this run of the statement is compared: the first distinct runs (text or parameters)."""
        earlier = [e for e in record.by_file(statement.name) if e.compared]
        if len(earlier) >= COMPARED_RUNS_PER_FILE:
            return False
        return all((e.text, e.params) != (statement.text, dict(params or {})) for e in earlier)

    def query(self, statement, params=None, *, compared: bool | None = None):
        statement = self._as_statement(statement)
        rows = original_query(self, statement, params)
        execution = Execution(file=statement.name, text=statement.text, params=dict(params or {}),
                              parameter_types=_types(params), is_query=True, local=rows)
        if compare(statement, params) if compared is None else compared:
            execution.compared = True
            pending.append((execution, reference.submit(self, statement.text, params or {})))
        record.executions.append(execution)
        return rows

    def execute_script(self, statement, params=None):
        reference.tables_changed()
        statement = self._as_statement(statement)
        match = _REPLACING.match(statement.name)
        record.executions.append(Execution(
            file=REPLACE_PARTITION if match else statement.name, text=statement.text, params=dict(params or {}),
            parameter_types=_types(params), is_query=False))
        return original_script(self, statement, params)

    def replace_partition(self, table_key, partition_date, select, params=None, check=None):
        select = self._as_statement(select)
        if compare(select, params):  # the processor's SELECT alone: both engines' rows
            query(self, select, params, compared=True)
        return original_replace(self, table_key, partition_date, select, params, check)

    def bulk_load(self, *args, **kwargs):
        reference.tables_changed()
        return original_bulk_load(self, *args, **kwargs)

    def load(name, *args, **kwargs):
        statement = original_load(name, *args, **kwargs)
        record.loaded.setdefault(name, set()).add(statement.text)
        return statement

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(LocalWarehouse, "query", query)
        # One at a time through the recording (the threads of query_all are the backend's business).
        patch.setattr(LocalWarehouse, "query_all", lambda self, requests: [query(self, s, p) for s, p in requests])
        patch.setattr(LocalWarehouse, "execute_script", execute_script)
        patch.setattr(LocalWarehouse, "replace_partition", replace_partition)
        patch.setattr(LocalWarehouse, "_load_rows", bulk_load)
        patch.setattr(statement_files, "load", load)
        try:
            yield record
            record.analyze_all()  # in this process, while the evaluator processes finish
            for execution, future in pending:
                try:
                    execution.reference_columns, execution.reference = future.result()
                except googlesql.GoogleSqlError as exc:
                    execution.reference_error = str(exc)
        finally:
            reference.close()


def _types(params: dict[str, Any] | None) -> dict[str, str]:
    return {name: t for name, (t, _) in bigquery_parameters(params).items()}


# --- the flows ----------------------------------------------------------------------------
def run_flows(path: Path) -> tuple[WarehouseSettings, Recording]:
    """Everything the package sends, on the mini season in a fresh warehouse file at `path`."""
    from mini_season import NIGHTS, mini_sample_season
    from processors.alerts import Alert, record_alert
    from processors.cli.sample_season import clear_derived_outputs, load_season, season_checksums
    from processors.input_gate import gate_night
    from processors.messaging import OutboxPublisher, phase4_complete_message
    from processors.monitoring import night_alerts, phase4_status, phase5_coverage, phase5_steps, processing_times
    from processors.phase3_readiness import check_phase3
    from processors.phase4.calendar import schedule_seasons
    from processors.phase4.night import audit_dag_run, run_night
    from processors.phase5.coordinator import Coordinator, Phase5NotReady, check_readiness, plan_night
    from processors.phase5.worker import serve_requests
    from processors.run_history import RunContext, latest_run
    from processors.season_overview import season_nights, seasons

    settings = WarehouseSettings(local_path=path)
    pipeline = PipelineSettings()
    season = mini_sample_season()
    nights = sorted(NIGHTS.values())
    with recording(settings) as record, LocalWarehouse(settings) as wh:
        load_season(wh, season)
        season_checksums(wh, season.season_year, list(season.tables))
        for key in season.tables:  # the warehouse API's whole-table check
            wh.has_rows(key)
        assert len(schedule_seasons(wh)) == 2  # check_params: is a requested game_date in a season?
        for night in nights:
            context = RunContext(triggered_by="scheduled", dag_id="nba_nightly_predictions",
                                 dag_run_id=f"scheduled__{night}")
            check_phase3(wh, night)
            gate_night(wh, night, "warn", context)
            run_night(wh, night, context=context)
            audit_dag_run(wh, night, context)
            message = phase4_complete_message(wh, night, context.dag_run_id)
            OutboxPublisher(wh).publish(pipeline.topic_phase4_complete, [message], night)
            latest_run(wh, "ml_feature_store_v2", night)
            if plan_night(wh, night, "on", "scheduled").run:
                check_readiness(wh, night, pipeline)

                def alert(severity, title, text, night=night, context=context):
                    record_alert(wh, Alert(severity, title, text, game_date=night, source="phase5",
                                           dag_id=context.dag_id, dag_run_id=context.dag_run_id), ["log"])

                def worker(requests, replace, night=night, context=context):
                    serve_requests(wh, night, requests, replace_existing=replace, context=context)

                for force in (False, True) if night == NIGHTS["regular"] else (False,):  # a forced rerun once
                    coordinator = Coordinator(wh, night, pipeline, publisher=OutboxPublisher(wh), alert=alert,
                                              worker=worker, context=context, force=force)
                    try:
                        coordinator.start_batch()
                    except Phase5NotReady:
                        pass  # recorded and alerted; the retries and the status check still run
                    coordinator.retry(1)
                    coordinator.status_check()
            phase4_status(wh, night)
            phase5_steps(wh, night)
            night_alerts(wh, night)
        processing_times(wh, nights[0], nights[-1])
        phase5_coverage(wh, nights[0], nights[-1])
        season_nights(wh, seasons(wh)[0])  # the season view: newest season first, the 2024 mini season
        worker_safety_check_finds_a_duplicate(wh, NIGHTS["regular"])
        stale_outputs_and_broken_contracts(wh, NIGHTS["regular"])  # it corrupts Phase 3
        clear_derived_outputs(wh, season)  # a rebuild from other inputs: last, it deletes the outputs
        record.executions += bigquery_transaction_statements()
    return settings, record


def worker_safety_check_finds_a_duplicate(wh: LocalWarehouse, night) -> None:
    """The worker's active_duplicates.sql answers nothing on healthy data: give it a second active
    prediction of one player so both engines have a row to agree on."""
    from processors.phase5.worker import SYSTEM_ID, _statement

    predictions = _UNWRAPPED["query"](wh, Statement("probe", "SELECT * FROM nba_predictions.player_prop_predictions "
                                                             "WHERE game_date = @d AND is_active LIMIT 1"), {"d": night})
    assert predictions, f"no active prediction on {night}: the flows predict nothing"
    wh.append_rows("nba_predictions.player_prop_predictions", [{**predictions[0], "prediction_id": "duplicate"}])
    player = predictions[0]["player_lookup"]
    rows = wh.query(_statement(wh, "active_duplicates.sql"),
                    {"game_date": night, "system_id": SYSTEM_ID, "players": [player]}, compared=True)
    assert rows == [{"player_lookup": player, "active_predictions": 2}], rows


def stale_outputs_and_broken_contracts(wh: LocalWarehouse, night) -> None:
    """Healthy nights answer nothing stale and no broken rule: rewrite P2 alone, then break one
    rule of every contract, so both engines have rows to agree on."""
    from processors.monitoring import PHASE4_STATUS_SQL, current_phase3_fingerprints
    from processors.phase3_contracts import CONTRACT_TABLES
    from processors.phase4.calendar import SeasonCalendar
    from processors.phase4.lineage import OUTPUT_RUNS_SQL
    from processors.phase4.night import run_night

    def status() -> list[dict]:
        return wh.query(PHASE4_STATUS_SQL, {"game_date": night,
                                            "phase3_fingerprints": current_phase3_fingerprints(wh, night)},
                        compared=True)

    assert wh.query(OUTPUT_RUNS_SQL, {"game_date": night}, compared=True)  # P1 of a night reads it empty
    run_night(wh, night, ["player_shot_zone_analysis"])
    assert any(row["stale"] for row in status()), "P2 rewritten alone left nothing stale"

    season_year = SeasonCalendar.load(wh, night).season_year

    def rows(table: str, where: str) -> list[dict]:  # the night's season only (the mini season has two)
        return _UNWRAPPED["query"](wh, Statement("probe", f"SELECT * FROM {table} WHERE {where} "
                                                          "AND season_year = @s ORDER BY game_id LIMIT 1"),
                                   {"d": night, "s": season_year})

    box_score = rows("nba_analytics.player_game_summary", "game_date < @d AND is_active")[0]
    upcoming_player = rows("nba_analytics.upcoming_player_game_context", "game_date = @d")[0]
    upcoming_team = rows("nba_analytics.upcoming_team_game_context", "game_date = @d")[0]
    game = rows("nba_raw.nbac_schedule", "game_date < @d")[0]
    wh.append_rows("nba_analytics.player_game_summary", [box_score, {**box_score, "player_lookup": "",
                                                                      "minutes_played": -1, "fg_makes": 99}])
    wh.append_rows("nba_analytics.team_defense_game_summary",
                   rows("nba_analytics.team_defense_game_summary", "game_date < @d"))
    wh.append_rows("nba_analytics.team_offense_game_summary",
                   rows("nba_analytics.team_offense_game_summary", "game_date < @d"))
    wh.append_rows("nba_analytics.upcoming_player_game_context",
                   [upcoming_player, {**upcoming_player, "player_lookup": "ghost", "game_id": "x",
                                      "player_status": "injured"}])
    wh.append_rows("nba_analytics.upcoming_team_game_context", [{**upcoming_team, "team_abbr": "XXX"}])
    wh.append_rows("nba_raw.nbac_schedule", [game, {**game, "game_id": "", "away_team_abbr": game["home_team_abbr"],
                                                    "game_status": 7}])
    params = {"game_date": night, "season_year": season_year}
    for _, table in CONTRACT_TABLES:
        assert wh.query(f"phase3/contracts/{table}.sql", params, compared=True), f"{table}: no rule broken"
    assert any("Phase 3 player_game_summary changed" in (row["stale_reason"] or "") for row in status())


def bigquery_transaction_statements() -> list[Execution]:
    """What the BigQuery backend itself sends around a committed and a rolled-back transaction."""
    from types import SimpleNamespace

    from processors.warehouse.bigquery import BigQueryWarehouse

    sent: list[str] = []

    class Client:
        def query(self, sql, job_config, location):
            sent.append(sql)
            return SimpleNamespace(result=lambda: [], session_info=SimpleNamespace(session_id="session"))

        def close(self):
            pass

    wh = BigQueryWarehouse(WarehouseSettings(backend="bigquery"), client_factory=Client)
    with wh.transaction():
        pass
    with pytest.raises(RuntimeError), wh.transaction():
        raise RuntimeError("roll back")
    ids = {sql: statement_id for statement_id, sql in PYTHON_BUILT.items()}
    return [Execution(file=ids.get(sql, f"bigquery.py: {sql}"), text=sql, parameter_types={}, params={},
                      is_query=False) for sql in sent]


def statement_files_on_disk() -> list[str]:
    return sorted(str(p.relative_to(SQL_ROOT)) for p in SQL_ROOT.rglob("*.sql"))


# --- the catalog, from the DDL as ZetaSQL reads it --------------------------------------------
@dataclass(frozen=True)
class DdlCatalog:
    tables: list[googlesql.CatalogTable]
    statements: list[tuple[str, str]]       # (file, rendered DDL) in creation order
    proto: Any


def ddl_catalog(settings: WarehouseSettings) -> DdlCatalog:
    """Analyze every CREATE in include/sql/ddl (datasets, tables, then views on those tables) and
    build the nested project > dataset > table catalog from the columns ZetaSQL resolved."""
    ids = settings.identifiers
    statements: list[tuple[str, str]] = []
    for dataset in sorted({t.dataset for t in schema.all_tables().values()}):
        text = statement_files.load("ddl/create_dataset.sql", {**ids, "dataset": settings.datasets[dataset]}).text
        statements.append(("ddl/create_dataset.sql", text))
        googlesql.analyze_script(text, googlesql.catalog_proto([]))
    tables = []
    for table in schema.all_tables().values():
        text = statement_files.load(table.ddl_file, ids).text
        statements.append((table.ddl_file, text))
        created = googlesql.analyze_script(text, googlesql.catalog_proto([]))[0]
        tables.append(googlesql.CatalogTable(settings.gcp_project, settings.datasets[table.dataset], table.name,
                                             {n: googlesql.bigquery_type(t) for n, t in created.output_columns}))
    for view_file in schema.view_files():
        text = statement_files.load(view_file, ids).text
        statements.append((view_file, text))
        created = googlesql.analyze_script(text, googlesql.catalog_proto(tables))[0]
        dataset, name = view_file.split("/")[1], Path(view_file).stem
        tables.append(googlesql.CatalogTable(settings.gcp_project, settings.datasets[dataset], name,
                                             {n: googlesql.bigquery_type(t) for n, t in created.output_columns}))
    return DdlCatalog(tables=tables, statements=statements, proto=googlesql.catalog_proto(tables))


def summary(recording: Recording) -> dict[str, int]:
    """What the check covers: statements analyzed and queries compared."""
    sent = {(e.file, *e.analysis_key) for e in recording.executions}
    compared = [e for e in recording.executions if e.compared]
    return {
        "sql_files": len(statement_files_on_disk()),
        "python_built_statements": len(PYTHON_BUILT),
        "statements_sent": len(recording.executions),
        "distinct_statements_analyzed": len(sent),
        "query_files_compared": len({e.file for e in compared}),
        "query_runs_compared": len(compared),
        "rows_compared": sum(len(e.local or ()) for e in compared),
    }
