"""How the nightly DAG waits, and the Phase 3 readiness sensors.

Waiting costs nothing: no wait holds a worker slot or starts a task process
while there is nothing to look at.

- Clock waits (`phase5.PacificClockSensor`: 06:15 / 06:30 / 07:00 PT;
  `deadlines.Phase4DeadlineSensor`) defer to the triggerer with Airflow's
  `DateTimeTrigger`: one task start to defer, none while the wait is pending.
  A time already past passes at once, without deferring.
- Data waits (these Phase 3 sensors, `phase5.Phase5ReadinessSensor`) poll in
  reschedule mode (the slot is released between pokes) with exponential
  backoff: the first look again comes after half to one poke interval, each
  later one up to twice as late, at most `backoff_cap` poke intervals apart
  (Phase 3: 5 min, growing to 15 min; Phase 5: 60 s, growing to 10 min, never
  past its deadline). Each poke that is not ready logs when the next one is.

Phase 3 readiness: poke interval and timeout come from configuration at run
time (NBA_SENSOR_POKE_SECONDS, NBA_SENSOR_TIMEOUT_SECONDS). The check only
reads (a read-only connection). A warehouse locked by another process past
NBA_LOCAL_LOCK_WAIT_SECONDS is "not ready yet": the sensor pokes again, within
its timeout, instead of failing (the sensors run with retries=0).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

import pendulum
from airflow.sdk import BaseSensorOperator
from airflow.sdk.exceptions import AirflowRescheduleException, AirflowSensorTimeout

from nba_airflow.night import NEW_YORK, night_of
from nba_airflow.settings import pipeline_settings
from nba_airflow.warehouse import task_warehouse
from processors.phase3_readiness import PHASE3_TABLES, check_phase3_table
from processors.warehouse import WarehouseBusy

log = logging.getLogger(__name__)


def utcnow() -> pendulum.DateTime:
    """The clock of every wait (one place for tests to move it)."""
    return pendulum.now("UTC")


def duration_text(seconds: float) -> str:
    """7 h 12 min, 1 d 2 h 5 min, 4 min 10 s, 45 s."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 600:
        minutes, rest = divmod(seconds, 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    minutes = round(seconds / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{minutes} min"] * bool(minutes)
    return " ".join(parts) or "0 min"


def moment_text(moment: dt.datetime, zone: str, label: str, *, seconds: bool = False) -> str:
    """'2025-01-15 06:15 PT (14:15 UTC)': local date and time, and the UTC time (with its date when it differs)."""
    local, utc = pendulum.instance(moment).in_timezone(zone), pendulum.instance(moment).in_timezone("UTC")
    clock = "%H:%M:%S" if seconds else "%H:%M"
    utc_text = utc.strftime(clock if utc.date() == local.date() else f"%Y-%m-%d {clock}")
    return f"{local.strftime(f'%Y-%m-%d {clock}')} {label} ({utc_text} UTC)"


class PollingSensor(BaseSensorOperator):
    """A data wait: reschedule mode (no worker slot between pokes) with exponential backoff.

    Subclasses call `poll()` from execute() with the configured poke interval; a poke that is
    not ready logs when the next one is (never later than `not_after`, e.g. a deadline)."""

    zone, zone_label = NEW_YORK, "ET"  # where the next poke is shown, besides UTC
    backoff_cap = 3  # the longest gap between two pokes, in poke intervals

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("mode", "reschedule")
        kwargs.setdefault("exponential_backoff", True)
        super().__init__(**kwargs)

    def poll(self, context: Mapping[str, Any], *, poke_seconds: float, not_after: dt.datetime | None = None) -> Any:
        self.poke_interval = poke_seconds
        self.max_wait = dt.timedelta(seconds=self.backoff_cap * poke_seconds)
        try:
            return BaseSensorOperator.execute(self, context)
        except AirflowRescheduleException as exc:
            at = pendulum.instance(exc.reschedule_date)
            if not_after is not None and at > not_after:
                at = pendulum.instance(not_after)
                exc = AirflowRescheduleException(at)
            log.info("not ready yet; next poke at %s, in %s (poke interval %s with backoff, at most %s)",
                     moment_text(at, self.zone, self.zone_label, seconds=True),
                     duration_text((at - utcnow()).total_seconds()), duration_text(self.poke_interval),
                     duration_text(self.max_wait.total_seconds()))
            raise exc from None


class Phase3ReadinessSensor(PollingSensor):
    ui_color = "#fff3d6"

    def __init__(self, *, table: str, **kwargs: Any):
        if table not in PHASE3_TABLES:
            raise ValueError(f"unknown Phase 3 table {table!r}; known: {', '.join(PHASE3_TABLES)}")
        super().__init__(**kwargs)
        self.table = table
        self._last_message = f"nba_analytics.{table}: not checked yet"

    def execute(self, context: Mapping[str, Any]) -> Any:
        settings = pipeline_settings()
        self.timeout = settings.sensor_timeout_seconds
        try:
            return self.poll(context, poke_seconds=settings.sensor_poke_seconds)
        except AirflowSensorTimeout:
            raise AirflowSensorTimeout(
                f"{self._last_message} — gave up after {self.timeout:.0f} s (NBA_SENSOR_TIMEOUT_SECONDS)"
            ) from None

    def poke(self, context: Mapping[str, Any]) -> bool:
        try:
            with task_warehouse(context, read_only=True) as warehouse:
                readiness = check_phase3_table(warehouse, self.table, night_of(context))
        except WarehouseBusy as exc:  # transient: poke again
            self._last_message = f"nba_analytics.{self.table}: not checked, the warehouse {exc.path} is locked by {exc.holder}"
            log.warning("%s; poking again", self._last_message)
            return False
        self._last_message = readiness.message
        log.info("%s", readiness.message)
        return readiness.ready
