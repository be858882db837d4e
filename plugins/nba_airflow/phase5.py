"""Operators and sensors of the Phase 5 TaskGroup: thin wiring around
processors.phase5.coordinator (the coordinator's logic lives there)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pendulum
from airflow.sdk import BaseOperator, BaseSensorOperator
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from nba_airflow.night import night_of, run_context, run_type
from nba_airflow.notifiers import raise_alert
from nba_airflow.publishing import publisher_for
from nba_airflow.settings import pipeline_settings
from nba_airflow.warehouse import task_warehouse
from processors.config import PipelineSettings
from processors.input_gate import blocked_by_gate
from processors.phase5.coordinator import (
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
                plan = Plan(False, blocked)
            if not plan.run:
                coordinator_for(context, warehouse, pipeline_settings()).record_skip(plan.reason)
                raise AirflowSkipException(f"Phase 5 skipped for {game_date}: {plan.reason}")
        log.info("Phase 5 runs for %s: %s", game_date, plan.reason)
        return plan.reason


class Phase5ReadinessSensor(BaseSensorOperator):
    """Waits for Phase 4 readiness (P5 done and 80 % / 100 players ready), polling without
    holding a worker slot, until ready or the backup deadline (06:00 PT + 30 min). The check
    only reads; a warehouse locked by another process counts as not ready yet (poke again)."""

    ui_color = "#fff3d6"

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("mode", "reschedule")
        kwargs.setdefault("timeout", 12 * 3600)
        super().__init__(**kwargs)

    def execute(self, context: Mapping[str, Any]) -> Any:
        self.poke_interval = pipeline_settings().phase5_poke_seconds
        return super().execute(context)

    def poke(self, context: Mapping[str, Any], now: pendulum.DateTime | None = None) -> bool:
        settings, game_date = pipeline_settings(), night_of(context)
        try:
            with task_warehouse(context, read_only=True) as warehouse:
                readiness = check_readiness(warehouse, game_date, settings)
        except WarehouseBusy as exc:  # transient: not ready yet as far as we know
            log.warning("Phase 4 readiness for %s not checked, the warehouse %s is locked by %s; poking again in %.0f s",
                        game_date, exc.path, exc.holder, self.poke_interval)
        else:
            log.info("%s", readiness.message)
            if readiness.ready:
                return True
        deadline = backup_deadline(game_date, settings)
        if (now or pendulum.now("UTC")) >= deadline:
            log.warning("backup deadline %s reached: the batch decides on what is ready", deadline)
            return True
        return False


class PacificClockSensor(BaseSensorOperator):
    """Waits (without a worker slot) until a configured time of game_date in Pacific time;
    a time already past passes at once."""

    ui_color = "#e8e8ff"

    def __init__(self, *, step: str, **kwargs: Any):
        if step not in STEPS[1:]:
            raise ValueError(f"step must be one of {', '.join(STEPS[1:])}, got {step!r}")
        kwargs.setdefault("mode", "reschedule")
        kwargs.setdefault("poke_interval", 60)
        kwargs.setdefault("timeout", 18 * 3600)
        super().__init__(**kwargs)
        self.step = step

    def target(self, context: Mapping[str, Any]) -> pendulum.DateTime:
        settings = pipeline_settings()
        clock = {"retry_1": settings.retry_times[0], "retry_2": settings.retry_times[-1],
                 "status": settings.status_check_time}[self.step]
        return pacific_time(night_of(context), clock)

    def poke(self, context: Mapping[str, Any], now: pendulum.DateTime | None = None) -> bool:
        target = self.target(context)
        log.info("%s at %s", self.step, target)
        return (now or pendulum.now("UTC")) >= target


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
