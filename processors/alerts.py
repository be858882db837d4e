"""Pipeline alerts: every alert is a row of nba_reference.pipeline_alerts (and a log line).

Delivery to Slack or e-mail is Airflow glue (plugins/nba_airflow/notifiers.py);
this module only knows the alert and where it is recorded.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

from processors.warehouse import Warehouse

SEVERITIES = ("info", "warning", "critical")
ALERTS_TABLE = "nba_reference.pipeline_alerts"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alert:
    severity: str
    title: str
    message: str
    game_date: dt.date | None = None
    source: str | None = None           # the task (or command) that raised it
    dag_id: str | None = None
    dag_run_id: str | None = None
    alert_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"alert severity must be one of {', '.join(SEVERITIES)}, got {self.severity!r}")

    @property
    def text(self) -> str:
        night = f" [{self.game_date}]" if self.game_date else ""
        return f"{self.severity.upper()}{night} {self.title}: {self.message}"


def record_alert(warehouse: Warehouse, alert: Alert, channels: list[str]) -> None:
    """Write the alert with the channels that delivered it."""
    warehouse.append_rows(ALERTS_TABLE, [{
        "alert_id": alert.alert_id, "created_at": alert.created_at, "game_date": alert.game_date,
        "severity": alert.severity, "title": alert.title, "message": alert.message, "source": alert.source,
        "channels": channels, "dag_id": alert.dag_id, "dag_run_id": alert.dag_run_id,
    }])
