"""Phase 5 of one night without Airflow: the DAG's steps, in its order, on the local outbox.

The TaskGroup runs plan -> start_batch -> retry_1 -> retry_2 -> status_check, each
a task; here they run one after the other with no waits (a replayed night's data
no longer changes, so its clock times have passed). As in the DAG, a start batch
that fails (too few ready players at the backup deadline) ends the night there:
its retries and status check never run. Requests go to the outbox table and are
served in-process by the package's baseline worker, whatever the configured transport.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from processors.alerts import Alert, record_alert
from processors.config import PipelineSettings
from processors.input_gate import blocked_by_gate
from processors.messaging import OutboxPublisher
from processors.phase5.coordinator import Coordinator, Phase5NotReady, Plan, StepResult, plan_night
from processors.phase5.worker import serve_requests
from processors.run_history import RunContext
from processors.warehouse import Warehouse

# The DAG's task ids, so an alert names the same source as it would in Airflow.
TASK_IDS = {"plan": "phase5.plan", "start": "phase5.start_batch", "retry_1": "phase5.retry_1",
            "retry_2": "phase5.retry_2", "status": "phase5.status_check"}


def run_phase5_night(warehouse: Warehouse, game_date: dt.date, settings: PipelineSettings | None = None, *,
                     context: RunContext | None = None, min_minutes: int = 15) -> list[StepResult]:
    """Plan, start batch, both retries and the status check of one night; returns the steps that ran.

    Every step is recorded in the run history and every alert in pipeline_alerts, as the DAG does."""
    settings, context = settings or PipelineSettings(), context or RunContext()
    step = {"name": "plan"}  # the step running now: the source of its alerts

    def alert(severity: str, title: str, message: str) -> None:
        record_alert(warehouse, Alert(severity=severity, title=title, message=message, game_date=game_date,
                                      source=TASK_IDS[step["name"]], dag_id=context.dag_id,
                                      dag_run_id=context.dag_run_id), ["log"])

    def worker(requests: list[dict[str, Any]], replace: bool) -> None:
        serve_requests(warehouse, game_date, requests, replace_existing=replace, context=context)

    coordinator = Coordinator(warehouse, game_date, settings, publisher=OutboxPublisher(warehouse), alert=alert,
                              worker=worker, min_minutes=min_minutes, context=context)
    plan = plan_night(warehouse, game_date, "on", context.triggered_by)
    blocked = blocked_by_gate(warehouse, game_date) if plan.run else None
    if blocked:  # never predict from inputs the gate refused
        plan = Plan.blocked(blocked)
    if not plan.run:
        return [coordinator.record_skip(plan)]
    steps = []
    for name, run in (("start", coordinator.start_batch), ("retry_1", lambda: coordinator.retry(1)),
                      ("retry_2", lambda: coordinator.retry(2)), ("status", coordinator.status_check)):
        step["name"] = name
        try:
            steps.append(run())
        except Phase5NotReady:  # recorded and alerted by the coordinator; the DAG's later steps never run
            break
    return steps
