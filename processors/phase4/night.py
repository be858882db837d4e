"""Run the Phase 4 processors of one night (or a range of nights) in dependency order.

The command line's runner; in Airflow the DAG expresses the same graph with one
task per processor.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator

from processors.phase4 import PROCESSOR_NAMES, UPSTREAM, ProcessorFailed, ProcessorResult, get_processor
from processors.phase4.calendar import SeasonCalendar
from processors.run_history import RunContext, RunRecord, record_run
from processors.warehouse import Warehouse, WarehouseError

log = logging.getLogger(__name__)
FAILED_STATUSES = ("failed", "abandoned")
_UNFINISHED = {"running": "abandoned"}


def record_upstream_failed(warehouse: Warehouse, name: str, game_date: dt.date, failed_upstream: list[str],
                           context: RunContext, season_year: int | None = None) -> ProcessorResult:
    """A processor that did not run because a critical upstream failed: say which, in the run history."""
    processor = get_processor(name)
    result = ProcessorResult(
        processor=name, game_date=game_date, status="skipped", decision="upstream_failed",
        output_table=processor.output_table, quality_label=processor.quality_label,
        missing_dependencies=failed_upstream, message=f"not run: upstream failed: {', '.join(failed_upstream)}",
    )
    record = RunRecord(processor_name=name, data_date=game_date, phase="phase4", status="skipped",
                       started_at=dt.datetime.now(dt.UTC), duration_seconds=0.0, season_year=season_year,
                       dependency_check_passed=False, missing_dependencies=failed_upstream,
                       summary=result.summary(), output_table=processor.output_table)
    try:
        record_run(warehouse, record, context)
    except WarehouseError as exc:  # e.g. the disk that failed the upstream: the night goes on saying so
        log.error("%s %s: could not record that it did not run: %s", name, game_date, exc)
        result.message += f" (and its run-history row could not be written: {exc.problem})"
    result.run_id = record.run_id
    return result


def audit_dag_run(warehouse: Warehouse, game_date: dt.date, context: RunContext) -> dict[str, str]:
    """After an orchestrated night: record the processors that never ran because an upstream
    failed (naming it), and return every processor's final status in that run."""
    rows = warehouse.query("reference/phase4_runs_of_dag_run.sql",
                           {"data_date": game_date, "dag_run_id": context.dag_run_id})
    # The audit runs after every processor task ended: one still `running` died mid-run.
    statuses = {row["processor_name"]: (_UNFINISHED.get(row["status"], row["status"]), row["decision"])
                for row in rows}

    def root_causes(name: str) -> list[str]:
        """The failed processors upstream of one that never ran; else the Phase 3 readiness gate."""
        causes: list[str] = []
        for up in UPSTREAM[name]:
            found = [up] if statuses.get(up, (None,))[0] in FAILED_STATUSES else root_causes(up) if up not in statuses else []
            causes += [c for c in found if c not in causes]
        return causes or ["phase3_readiness"]

    never_ran = [name for name in PROCESSOR_NAMES if name not in statuses]
    for name in never_ran:
        record_upstream_failed(warehouse, name, game_date, root_causes(name), context)
    statuses.update({name: ("skipped", "upstream_failed") for name in never_ran})
    return {name: statuses[name][0] if statuses[name][1] != "upstream_failed" else "upstream_failed"
            for name in PROCESSOR_NAMES}


def _did_not_deliver(result: ProcessorResult) -> bool:
    """Failed, or skipped because its own upstream failed (a bootstrap or empty-night skip is fine)."""
    return result.status == "failed" or result.decision == "upstream_failed"


def run_night(warehouse: Warehouse, game_date: dt.date, names: Iterable[str] | None = None,
              context: RunContext | None = None) -> list[ProcessorResult]:
    """Run the named processors (default: all five) for one night; failures don't stop the others."""
    context = context or RunContext()
    selected = list(names or PROCESSOR_NAMES)
    for name in selected:
        get_processor(name)  # unknown names fail before anything runs
    calendar = SeasonCalendar.load(warehouse, game_date)  # a date without Phase 3 data fails here
    results: dict[str, ProcessorResult] = {}
    for name in (n for n in PROCESSOR_NAMES if n in selected):
        failed = [up for up in UPSTREAM[name] if up in results and _did_not_deliver(results[up])]
        if failed:
            results[name] = record_upstream_failed(warehouse, name, game_date, failed, context, calendar.season_year)
            continue
        try:
            results[name] = get_processor(name).run(warehouse, game_date, context)
        except ProcessorFailed as exc:
            log.error("%s", exc)
            results[name] = exc.result
    return list(results.values())


def dates_between(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    if end < start:
        raise ValueError(f"end date {end} is before start date {start}")
    for offset in range((end - start).days + 1):
        yield start + dt.timedelta(days=offset)
