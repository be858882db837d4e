"""Phase 3 readiness sensors: the night's inputs exist before any processor runs.

Reschedule mode: between pokes the task releases its worker slot (and the
warehouse pool slot). Poke interval and timeout come from configuration at run
time (NBA_SENSOR_POKE_SECONDS, NBA_SENSOR_TIMEOUT_SECONDS). The check only reads
(a read-only connection). A warehouse locked by another process past
NBA_LOCAL_LOCK_WAIT_SECONDS is "not ready yet": the sensor pokes again, within
its timeout, instead of failing (the sensors run with retries=0).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from airflow.sdk import BaseSensorOperator
from airflow.sdk.exceptions import AirflowSensorTimeout

from nba_airflow.night import night_of
from nba_airflow.settings import pipeline_settings
from nba_airflow.warehouse import task_warehouse
from processors.phase3_readiness import PHASE3_TABLES, check_phase3_table
from processors.warehouse import WarehouseBusy

log = logging.getLogger(__name__)


class Phase3ReadinessSensor(BaseSensorOperator):
    ui_color = "#fff3d6"

    def __init__(self, *, table: str, **kwargs: Any):
        if table not in PHASE3_TABLES:
            raise ValueError(f"unknown Phase 3 table {table!r}; known: {', '.join(PHASE3_TABLES)}")
        kwargs.setdefault("mode", "reschedule")
        super().__init__(**kwargs)
        self.table = table
        self._last_message = f"nba_analytics.{table}: not checked yet"

    def execute(self, context: Mapping[str, Any]) -> Any:
        settings = pipeline_settings()
        self.poke_interval = settings.sensor_poke_seconds
        self.timeout = settings.sensor_timeout_seconds
        try:
            return super().execute(context)
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
            log.warning("%s; poking again in %.0f s", self._last_message, self.poke_interval)
            return False
        self._last_message = readiness.message
        log.info("%s", readiness.message)
        return readiness.ready
