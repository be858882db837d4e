"""One `processor_run_history` row per processor run or Phase 5 step, failures included."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from processors.warehouse import Warehouse

RUN_HISTORY = "nba_reference.processor_run_history"


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
    """Append the run's row (outside any transaction of the run itself)."""
    output_dataset, _, output_table = (record.output_table or "").partition(".")
    row = {
        "processor_name": record.processor_name,
        "run_id": record.run_id,
        "data_date": record.data_date,
        "season_year": record.season_year,
        "status": record.status,
        "records_processed": record.records_processed,
        "records_created": record.records_created,
        "records_skipped": record.records_skipped,
        "duration_seconds": round(record.duration_seconds, 3),
        "triggered_by": context.triggered_by,
        "trigger_source": context.trigger_source,
        "backfill_mode": context.backfill_mode,
        "force_reprocess": context.force_reprocess,
        "dependency_check_passed": record.dependency_check_passed,
        "missing_dependencies": record.missing_dependencies,
        "alert_sent": record.alert_sent,
        "alert_type": record.alert_type,
        "errors": record.errors or None,
        "warnings": record.warnings or None,
        "summary": record.summary,
        "started_at": record.started_at,
        "processed_at": dt.datetime.now(dt.UTC),
        "phase": record.phase,
        "output_table": output_table or None,
        "output_dataset": warehouse.settings.datasets.get(output_dataset, output_dataset) or None,
        "dag_id": context.dag_id,
        "dag_run_id": context.dag_run_id,
        "task_id": context.task_id,
        "try_number": context.try_number,
    }
    warehouse.append_rows(RUN_HISTORY, [row])


def latest_run(warehouse: Warehouse, processor_name: str, data_date: dt.date) -> dict[str, Any] | None:
    """The most recent run-history row of a processor for a night, or None."""
    rows = warehouse.query("reference/latest_run.sql", {"processor_name": processor_name, "data_date": data_date})
    return rows[0] if rows else None
