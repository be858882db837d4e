"""The Phase 4 deadline watch: a warning alert while a scheduled night is late.

Airflow's DAG-level DeadlineAlert does not fit here: the run lasts until the
Phase 5 SLA check in the morning, so a run deadline would fire every night
(and in Airflow 3.3.2 a DAG with deadlines cannot finish under `dags test`).
Instead a sensor beside Phase 4 waits for the deadline — 60 minutes after the
run started, or 01:00 ET, whichever comes first — deferred to the triggerer
(DateTimeTrigger: no worker slot and no task start while it waits), then
checks once: P5 has finished the night, it ends quietly; otherwise one warning
alert. A warning, never a kill. A deadline already past is checked at once. A
warehouse locked at the check is looked at again a minute later (deferred
again). Manual runs and backfills have no deadline, nor do nights without
games (off nights, the off-season): the watch skips them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

import pendulum
from airflow.providers.standard.triggers.temporal import DateTimeTrigger
from airflow.sdk import BaseSensorOperator
from airflow.sdk.exceptions import AirflowSkipException

from nba_airflow.night import NEW_YORK, night_of, run_type
from nba_airflow.notifiers import raise_alert
from nba_airflow.sensors import duration_text, moment_text, utcnow
from nba_airflow.warehouse import task_warehouse
from processors.phase4.calendar import NoScheduleError, SeasonCalendar
from processors.run_history import latest_run
from processors.warehouse import WarehouseBusy

log = logging.getLogger(__name__)
PHASE4_FINAL_PROCESSOR = "ml_feature_store_v2"
PHASE4_MAX_DURATION = dt.timedelta(minutes=60)
HARD_DEADLINE_ET = dt.time(1, 0)
LOOK_AGAIN = dt.timedelta(minutes=1)  # the warehouse was locked at the check
MAX_LOOKS = 15


def phase4_deadline(run_started: dt.datetime, game_date: dt.date) -> tuple[dt.datetime, str]:
    """The earlier of run start + 60 min and 01:00 ET on game_date, with the rule's name."""
    over_an_hour = pendulum.instance(run_started) + PHASE4_MAX_DURATION
    hard = pendulum.datetime(game_date.year, game_date.month, game_date.day, HARD_DEADLINE_ET.hour,
                             HARD_DEADLINE_ET.minute, tz=NEW_YORK)
    if over_an_hour <= hard:
        return over_an_hour, "Phase 4 not complete 60 minutes after the run started"
    return hard, "Phase 4 not complete by 01:00 ET"


class Phase4DeadlineSensor(BaseSensorOperator):
    """Deferred until the Phase 4 deadline, then one check (see the module). deferrable=False
    falls back to reschedule-mode pokes every poke_interval (for an Airflow without a
    triggerer); `mode` describes that fallback."""

    ui_color = "#ffe4e4"

    def __init__(self, *, deferrable: bool = True, **kwargs: Any):
        kwargs.setdefault("mode", "reschedule")
        kwargs.setdefault("poke_interval", 60)
        kwargs.setdefault("timeout", 6 * 3600)
        super().__init__(**kwargs)
        self.deferrable = deferrable
        self._busy: WarehouseBusy | None = None

    def execute(self, context: Mapping[str, Any]) -> Any:
        kind = run_type(context)
        if kind != "scheduled":
            raise AirflowSkipException(f"Phase 4 deadlines apply to scheduled runs only; this run is {kind}")
        game_date = night_of(context)
        with task_warehouse(context, read_only=True) as warehouse:
            try:
                calendar = SeasonCalendar.load(warehouse, game_date)
            except NoScheduleError as exc:
                raise AirflowSkipException(f"no Phase 4 deadline: {exc}") from None
        if calendar.is_off_night:
            raise AirflowSkipException(f"no Phase 4 deadline: no games scheduled on {game_date}")
        if not self.deferrable:
            return super().execute(context)
        deadline, rule = phase4_deadline(context["dag_run"].start_date, game_date)
        now = utcnow()
        if now < deadline:
            log.info("Phase 4 of %s due at %s (%s): waiting %s (deferred to the triggerer), then one check",
                     game_date, moment_text(deadline, NEW_YORK, "ET"),
                     "60 min after the run started" if "60 minutes" in rule else "the hard deadline",
                     duration_text((deadline - now).total_seconds()))
            self.defer(trigger=DateTimeTrigger(moment=deadline), method_name="execute_complete",
                       timeout=dt.timedelta(seconds=self.timeout))
        log.info("Phase 4 of %s due at %s: already passed, checking now", game_date,
                 moment_text(deadline, NEW_YORK, "ET"))
        return self.execute_complete(context)

    def execute_complete(self, context: Mapping[str, Any], event: Any = None, looks: int = 0) -> None:
        """At (or after) the deadline: quiet if P5 finished the night, else the warning alert.
        A locked warehouse is looked at again LOOK_AGAIN later, MAX_LOOKS times at most."""
        deadline, rule = phase4_deadline(context["dag_run"].start_date, night_of(context))
        if self.poke(context, now=max(utcnow(), deadline)):  # the trigger fired: the deadline has come
            return
        if looks + 1 >= MAX_LOOKS:
            raise_alert(context, "warning", rule, f"game_date {night_of(context)}: not checked, the warehouse "
                                                  f"stayed locked after the deadline ({self._busy})")
            return
        at = utcnow() + LOOK_AGAIN
        log.info("looking again at %s (look %d of %d)", moment_text(at, NEW_YORK, "ET", seconds=True), looks + 2,
                 MAX_LOOKS)
        self.defer(trigger=DateTimeTrigger(moment=at), method_name="execute_complete", kwargs={"looks": looks + 1})

    def poke(self, context: Mapping[str, Any], now: dt.datetime | None = None) -> bool:
        game_date = night_of(context)
        try:
            with task_warehouse(context, read_only=True) as warehouse:
                last = latest_run(warehouse, PHASE4_FINAL_PROCESSOR, game_date)
        except WarehouseBusy as exc:  # transient: look again
            self._busy = exc
            log.warning("Phase 4 for %s not checked, the warehouse %s is locked by %s", game_date, exc.path, exc.holder)
            return False
        deadline, rule = phase4_deadline(context["dag_run"].start_date, game_date)
        if last and last["status"] in ("success", "partial", "skipped"):  # skipped: nothing to compute
            finished = pendulum.instance(last["processed_at"])
            if finished > deadline:  # the check itself ran late (e.g. queued for the pool): still say so
                raise_alert(context, "warning", rule, f"game_date {game_date}: {PHASE4_FINAL_PROCESSOR} finished "
                                                      f"only at {moment_text(finished, NEW_YORK, 'ET')}")
            else:
                log.info("Phase 4 for %s complete (%s at %s)", game_date, last["status"], last["processed_at"])
            return True
        now = now or utcnow()
        if now < deadline:
            log.info("Phase 4 for %s not complete yet; deadline %s", game_date, deadline.in_timezone(NEW_YORK))
            return False
        state = f"last {PHASE4_FINAL_PROCESSOR} run: {last['status']}" if last else f"{PHASE4_FINAL_PROCESSOR} has not run"
        raise_alert(context, "warning", rule, f"game_date {game_date}: {state}")
        return True
