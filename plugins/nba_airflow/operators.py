"""Operators of the nightly DAG: params check, one Phase 4 processor, the completion message."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from nba_airflow.assets import table_asset
from nba_airflow.night import NightUnknown, night_of, parse_game_date, run_context
from nba_airflow.notifiers import raise_alert
from nba_airflow.params import InvalidParams, check_in_a_season, validate_params
from nba_airflow.publishing import publisher_for
from nba_airflow.settings import pipeline_settings
from nba_airflow.staleness import alert_stale, stale_and_done
from nba_airflow.warehouse import task_warehouse
from processors.cli.output import format_table
from processors.messaging import phase4_complete_message
from processors.phase4 import DependencyMissing, ProcessorFailed, ValidationFailed, downstream_of, get_processor
from processors.phase4.calendar import NoScheduleError, SeasonCalendar
from processors.phase4.night import FAILED_STATUSES, audit_dag_run

log = logging.getLogger(__name__)


class CheckParamsOperator(BaseOperator):
    """First task of the run, and its setup task: a bad param fails it at once, naming the param
    (its failure alert is the run's only one), and nothing after it runs or writes. Checks each
    value as Airflow's trigger-time schema does, refuses keys that are no param, a requested
    game_date outside every season in the schedule (scheduled off-season nights skip quietly),
    and a manual run that names no night (no game_date, logical date off the 23:00 New York
    ticks: what the trigger form sends when its date field is empty), instead of computing
    "today + 1"."""

    ui_color = "#f0e4ff"

    def execute(self, context: Mapping[str, Any]) -> dict[str, Any]:
        try:
            params = validate_params(context["params"], getattr(context.get("dag_run"), "conf", None))
            game_date = night_of(context)
            if params["game_date"]:
                with task_warehouse(context, read_only=True) as warehouse:
                    check_in_a_season(warehouse, parse_game_date(params["game_date"]))
        except (InvalidParams, NightUnknown) as exc:
            raise AirflowFailException(str(exc)) from None
        log.info("Night of game_date %s (params %s, run type %s)", game_date, params,
                 run_context(context).triggered_by)
        return {**params, "game_date": game_date.isoformat()}


class Phase4ProcessorOperator(BaseOperator):
    """Runs one Phase 4 processor for the night.

    Pushes the result summary to XCom, emits an Asset event for the output table,
    raises a warning alert for slow runs or short outputs. A validation failure or
    a missing input fails the task without retries (retrying cannot fix the data);
    a warehouse error is retried.
    """

    ui_color = "#d9ecff"

    def __init__(self, *, processor: str, **kwargs: Any):
        self.processor = get_processor(processor)  # an unknown name fails at parse time, clearly
        super().__init__(outlets=[table_asset(self.processor.output_table)], **kwargs)

    def execute(self, context: Mapping[str, Any]) -> dict[str, Any]:
        game_date = night_of(context)
        with task_warehouse(context) as warehouse:
            try:
                result = self.processor.run(warehouse, game_date, run_context(context))
            except NoScheduleError as exc:
                # Off-season nights are routine for a daily schedule: nothing to do, downstream skips too.
                raise AirflowSkipException(str(exc)) from None
            except (ValidationFailed, DependencyMissing) as exc:
                self._log_result(exc.result)
                raise AirflowFailException(str(exc)) from None
            except ProcessorFailed as exc:
                self._log_result(exc.result)
                raise
            # Rerun alone (downstream not cleared)? Name the outputs it left stale.
            stale = stale_and_done(context, warehouse, game_date, downstream_of(self.processor.name))
        self._log_result(result)
        alert_stale(context, game_date, stale)
        for warning in result.warnings:
            raise_alert(context, "warning", f"{self.processor.name} {game_date}", warning)
        context["outlet_events"][table_asset(self.processor.output_table)].extra = {
            "game_date": game_date.isoformat(), "status": result.status, "rows": result.rows_written,
        }
        return result.summary()

    @staticmethod
    def _log_result(result) -> None:
        log.info("%s for %s\n%s", result.processor, result.game_date, format_table([{
            "status": result.status, "decision": result.decision, "rows": result.rows_written,
            "threshold": result.success_threshold, "ready": result.production_ready, "ready_%": result.ready_pct,
            "quality": result.quality, "seconds": round(result.duration_seconds, 2), "message": result.message,
        }]))


class PublishPhase4CompleteOperator(BaseOperator):
    """Publishes `nba-phase4-precompute-complete` after P5. Best effort: a failure raises a
    warning alert and the task still succeeds (other consumers depend on the topic)."""

    ui_color = "#e4ffe4"

    def execute(self, context: Mapping[str, Any]) -> dict[str, Any] | None:
        game_date = night_of(context)
        try:
            settings = pipeline_settings()
            with task_warehouse(context) as warehouse:
                message = phase4_complete_message(warehouse, game_date, context["dag_run"].run_id)
                ids = publisher_for(settings, warehouse).publish(settings.topic_phase4_complete, [message], game_date)
        except Exception as exc:
            log.warning("Phase 4 completion message not published: %s", exc)
            raise_alert(context, "warning", "Phase 4 completion message not published",
                        f"{type(exc).__name__}: {exc}")
            return None
        log.info("Published %s to %s (%s transport): %s", ids, settings.topic_phase4_complete, settings.transport, message)
        return message


class Phase4AuditOperator(BaseOperator):
    """Runs after the five processors whatever their states (ALL_DONE). Records the
    processors that never ran because an upstream failed (naming it) and fails when
    Phase 4 failed, so the run's state shows it even though Phase 5 runs on. Never runs
    in a run check_params refused (check_params is the run's setup task)."""

    ui_color = "#eeeeee"

    def execute(self, context: Mapping[str, Any]) -> dict[str, str]:
        game_date = night_of(context)
        with task_warehouse(context) as warehouse:
            try:
                SeasonCalendar.load(warehouse, game_date)
            except NoScheduleError as exc:  # off-season: the processors skipped, nothing to audit
                raise AirflowSkipException(str(exc)) from None
            statuses = audit_dag_run(warehouse, game_date, run_context(context))
            stale = stale_and_done(context, warehouse, game_date)  # e.g. Phase 3 rewritten during the night
        alert_stale(context, game_date, stale)
        log.info("Phase 4 for %s\n%s", game_date, format_table([{"processor": k, "status": v} for k, v in statuses.items()]))
        failed = [name for name, status in statuses.items() if status in (*FAILED_STATUSES, "upstream_failed")]
        if failed:
            raise AirflowFailException(f"Phase 4 incomplete for {game_date}: {', '.join(failed)}")
        return statuses
