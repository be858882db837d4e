"""Operators and sensors of the Phase 5 TaskGroup: thin wiring around
processors.phase5.coordinator (the coordinator's logic lives there)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

import pendulum
from airflow.providers.standard.triggers.temporal import DateTimeTrigger
from airflow.sdk import BaseOperator, BaseSensorOperator
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from nba_airflow.night import night_of, run_context, run_type
from nba_airflow.notifiers import raise_alert
from nba_airflow.publishing import publisher_for
from nba_airflow.sensors import PollingSensor, duration_text, moment_text, utcnow
from nba_airflow.settings import pipeline_settings
from nba_airflow.warehouse import task_warehouse
from processors.config import PipelineSettings
from processors.input_gate import blocked_by_gate
from processors.phase5.coordinator import (
    PACIFIC,
    Coordinator,
    Phase5NotReady,
    Plan,
    backup_deadline,
    check_readiness,
    pacific_time,
    plan_night,
)
from processors.phase5.worker import serve_requests
from processors.warehouse import Warehouse, WarehouseBusy

log = logging.getLogger(__name__)
STEPS = ("start", "retry_1", "retry_2", "status")


def coordinator_for(context: Mapping[str, Any], warehouse: Warehouse, settings: PipelineSettings) -> Coordinator:
    game_date, params, who = night_of(context), context["params"], run_context(context)
    worker = None
    if settings.transport == "local":  # the package's baseline worker serves the outbox in-process
        def worker(requests: list[dict[str, Any]], replace: bool) -> None:
            result = serve_requests(warehouse, game_date, requests, replace_existing=replace, context=who)
            log.info("baseline worker: %s", result)
    return Coordinator(warehouse, game_date, settings, publisher=publisher_for(settings, warehouse),
                       alert=lambda severity, title, message: raise_alert(context, severity, title, message),
                       worker=worker, min_minutes=int(params.get("min_minutes", 15)),
                       force=bool(params.get("force", False)), context=who)


class Phase5PlanOperator(BaseOperator):
    """First task of Phase 5 (runs whatever Phase 4's outcome): skips the whole group,
    with the reason logged and recorded, for backfills (predictions=auto), predictions=off,
    off nights, the off-season, the early-season bootstrap, and a night whose input gate failed."""

    ui_color = "#f0e4ff"

    def execute(self, context: Mapping[str, Any]) -> str:
        game_date = night_of(context)
        with task_warehouse(context) as warehouse:
            plan = plan_night(warehouse, game_date, context["params"].get("predictions", "auto"), run_type(context))
            blocked = blocked_by_gate(warehouse, game_date) if plan.run else None
            if blocked:  # never predict from inputs the gate refused (features of an earlier run included)
                plan = Plan.blocked(blocked)
            if not plan.run:
                coordinator_for(context, warehouse, pipeline_settings()).record_skip(plan)
                raise AirflowSkipException(f"Phase 5 skipped for {game_date}: {plan.reason}")
        log.info("Phase 5 runs for %s: %s", game_date, plan.reason)
        return plan.reason


class Phase5ReadinessSensor(PollingSensor):
    """Waits for Phase 4 readiness (P5 done and 80 % / 100 players ready) until ready or the
    backup deadline (06:00 PT + 30 min): reschedule mode (no worker slot between pokes), every
    NBA_PHASE5_POKE_SECONDS (60 s) at first, backing off up to 10 poke intervals apart, never
    past the deadline. The check only reads; a warehouse locked by another process counts as
    not ready yet (poke again)."""

    ui_color = "#fff3d6"
    zone, zone_label = PACIFIC, "PT"
    backoff_cap = 10  # 60 s -> 10 min: a night can wait here from ~20:05 PT to the 06:30 PT deadline

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("timeout", 12 * 3600)
        super().__init__(**kwargs)

    def execute(self, context: Mapping[str, Any]) -> Any:
        settings = pipeline_settings()
        return self.poll(context, poke_seconds=settings.phase5_poke_seconds,
                         not_after=backup_deadline(night_of(context), settings))

    def poke(self, context: Mapping[str, Any], now: pendulum.DateTime | None = None) -> bool:
        settings, game_date = pipeline_settings(), night_of(context)
        try:
            with task_warehouse(context, read_only=True) as warehouse:
                readiness = check_readiness(warehouse, game_date, settings)
        except WarehouseBusy as exc:  # transient: not ready yet as far as we know
            log.warning("Phase 4 readiness for %s not checked, the warehouse %s is locked by %s; poking again",
                        game_date, exc.path, exc.holder)
        else:
            log.info("%s", readiness.message)
            if readiness.ready:
                return True
        deadline = backup_deadline(game_date, settings)
        if (now or utcnow()) >= deadline:
            log.warning("backup deadline %s reached: the batch decides on what is ready", deadline)
            return True
        return False


class PacificClockSensor(BaseSensorOperator):
    """Waits until a configured time of game_date in Pacific time (06:15 / 06:30 PT retries,
    07:00 PT status check) without a worker slot or any task start: it logs the target and how
    long that is, then defers to the triggerer (DateTimeTrigger, end_from_trigger: the triggerer
    ends the task at the target). A time already past passes at once, without deferring.

    deferrable=False falls back to reschedule-mode pokes every poke_interval (for an Airflow
    without a triggerer); `mode` describes that fallback."""

    ui_color = "#e8e8ff"
    LABELS = {"retry_1": "retry_1", "retry_2": "retry_2", "status": "status check"}

    def __init__(self, *, step: str, deferrable: bool = True, **kwargs: Any):
        if step not in STEPS[1:]:
            raise ValueError(f"step must be one of {', '.join(STEPS[1:])}, got {step!r}")
        kwargs.setdefault("mode", "reschedule")
        kwargs.setdefault("poke_interval", 60)
        kwargs.setdefault("timeout", 18 * 3600)
        super().__init__(**kwargs)
        self.step = step
        self.deferrable = deferrable

    def target(self, context: Mapping[str, Any]) -> pendulum.DateTime:
        settings = pipeline_settings()
        clock = {"retry_1": settings.retry_times[0], "retry_2": settings.retry_times[-1],
                 "status": settings.status_check_time}[self.step]
        return pacific_time(night_of(context), clock)

    def describe(self, target: dt.datetime) -> str:
        return f"{self.LABELS[self.step]} at {moment_text(target, PACIFIC, 'PT')}"

    def execute(self, context: Mapping[str, Any]) -> Any:
        if not self.deferrable:
            return super().execute(context)
        target, now = self.target(context), utcnow()
        if now >= target:
            log.info("%s already passed: continuing", self.describe(target))
            return None
        log.info("%s: waiting %s (deferred to the triggerer; no task runs until then)", self.describe(target),
                 duration_text((target - now).total_seconds()))
        self.defer(trigger=DateTimeTrigger(moment=target, end_from_trigger=True), method_name="execute_complete",
                   timeout=dt.timedelta(seconds=self.timeout))

    def execute_complete(self, context: Mapping[str, Any], event: Any = None) -> None:
        """Resumed here only where the trigger cannot end the task itself (`airflow dags test`)."""
        log.info("%s reached: continuing", self.describe(self.target(context)))

    def poke(self, context: Mapping[str, Any], now: pendulum.DateTime | None = None) -> bool:
        target = self.target(context)
        log.info("%s", self.describe(target))
        return (now or utcnow()) >= target


class Phase5StepOperator(BaseOperator):
    """One coordinator step: the start batch, a retry, or the 07:00 PT status check."""

    ui_color = "#d9ecff"

    def __init__(self, *, step: str, **kwargs: Any):
        if step not in STEPS:
            raise ValueError(f"step must be one of {', '.join(STEPS)}, got {step!r}")
        super().__init__(**kwargs)
        self.step = step

    def execute(self, context: Mapping[str, Any]) -> dict[str, Any]:
        with task_warehouse(context) as warehouse:
            coordinator = coordinator_for(context, warehouse, pipeline_settings())
            try:
                if self.step == "start":
                    result = coordinator.start_batch()
                elif self.step == "status":
                    result = coordinator.status_check()
                else:
                    result = coordinator.retry(int(self.step[-1]))
            except Phase5NotReady as exc:
                raise AirflowFailException(str(exc)) from None
        log.info("phase5 %s: %s", self.step, result.summary())
        return result.summary()
