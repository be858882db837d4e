"""`processor_run_history`: one outcome row per processor run or Phase 5 step, failures
included, and for Phase 4 processors a `running` row when the run starts.

A run that writes output records its outcome inside the transaction that commits the
output (a DML INSERT joins it): one never exists without the other. A run that dies
leaves only its `running` row, which monitoring shows as `abandoned` past its timeout.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from processors.warehouse import Warehouse

RUN_HISTORY = "nba_reference.processor_run_history"
INSERT_SQL = "reference/insert_run_history.sql"
DEFAULT_TIMEOUT_SECONDS = 3600  # a run still `running` after this is abandoned (the DAG's execution_timeout)


@dataclass(frozen=True)
class RunContext:
    """Who asked for a run: recorded with it, and (in Airflow) used to label warehouse jobs."""

    triggered_by: str = "manual"          # scheduled, manual, backfill, retry, ...
    trigger_source: str = "cli"
    backfill_mode: bool = False
    force_reprocess: bool = False
    dag_id: str | None = None
    dag_run_id: str | None = None
    task_id: str | None = None
    try_number: int | None = None
    timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS  # after this, a run that never finished is abandoned


@dataclass
class RunRecord:
    """The fields of a run that vary; the rest come from the RunContext."""

    processor_name: str
    data_date: dt.date
    phase: str
    status: str
    started_at: dt.datetime
    duration_seconds: float
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    season_year: int | None = None
    records_processed: int = 0
    records_created: int = 0
    records_skipped: int = 0
    dependency_check_passed: bool | None = None
    missing_dependencies: list[str] = field(default_factory=list)
    alert_sent: bool = False
    alert_type: str | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    output_table: str | None = None


def record_run(warehouse: Warehouse, record: RunRecord, context: RunContext) -> None:
    """Insert the run's row; inside an open transaction it commits (or not) with it."""
    output_dataset, _, output_table = (record.output_table or "").partition(".")
    warehouse.execute_script(INSERT_SQL, {
        "processor_name": record.processor_name,
        "run_id": record.run_id,
        "data_date": record.data_date,
        "season_year": record.season_year,
        "status": record.status,
        "records_processed": int(record.records_processed),
        "records_created": int(record.records_created),
        "records_skipped": int(record.records_skipped),
        "duration_seconds": round(float(record.duration_seconds), 3),
        "triggered_by": context.triggered_by,
        "trigger_source": context.trigger_source,
        "backfill_mode": bool(context.backfill_mode),
        "force_reprocess": bool(context.force_reprocess),
        "dependency_check_passed": record.dependency_check_passed,
        "missing_dependencies": list(record.missing_dependencies),
        "alert_sent": bool(record.alert_sent),
        "alert_type": record.alert_type,
        "errors": _json_or_none(record.errors),
        "warnings": _json_or_none(record.warnings),
        "summary": json.dumps(record.summary, sort_keys=True, default=str),
        "started_at": record.started_at,
        "processed_at": dt.datetime.now(dt.UTC),
        "phase": record.phase,
        "output_table": output_table or None,
        "output_dataset": warehouse.settings.datasets.get(output_dataset, output_dataset) or None,
        "dag_id": context.dag_id,
        "dag_run_id": context.dag_run_id,
        "task_id": context.task_id,
        "try_number": context.try_number,
    })


def record_start(warehouse: Warehouse, record: RunRecord, context: RunContext) -> None:
    """The run's `running` row, committed before its work starts: a run that dies stays visible."""
    start = RunRecord(processor_name=record.processor_name, data_date=record.data_date, phase=record.phase,
                      status="running", started_at=record.started_at, duration_seconds=0.0, run_id=record.run_id,
                      season_year=record.season_year, output_table=record.output_table,
                      summary={"timeout_seconds": context.timeout_seconds, "message": "running"})
    record_run(warehouse, start, context)


def _json_or_none(values: list[str]) -> str | None:
    return json.dumps(values) if values else None


def latest_run(warehouse: Warehouse, processor_name: str, data_date: dt.date) -> dict[str, Any] | None:
    """The most recent run-history row of a processor for a night, or None."""
    rows = warehouse.query("reference/latest_run.sql", {"processor_name": processor_name, "data_date": data_date})
    return rows[0] if rows else None
