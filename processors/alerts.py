"""Pipeline alerts: every alert is a row of nba_reference.pipeline_alerts (and a log line).

Delivery to Slack or e-mail is Airflow glue (plugins/nba_airflow/notifiers.py);
this module only knows the alert, the outcome of each channel and where they are recorded.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from processors.warehouse import Warehouse

SEVERITIES = ("info", "warning", "critical")
OUTCOMES = ("delivered", "failed", "not_configured")
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


@dataclass(frozen=True)
class ChannelOutcome:
    """What one channel did with an alert: delivered, failed (detail: the reason) or not_configured."""

    channel: str
    outcome: str
    detail: str | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"channel outcome must be one of {', '.join(OUTCOMES)}, got {self.outcome!r}")

    @property
    def delivered(self) -> bool:
        return self.outcome == "delivered"

    def as_json(self) -> dict[str, str]:
        found = {"channel": self.channel, "outcome": self.outcome}
        return found if self.detail is None else {**found, "detail": self.detail}

    def __str__(self) -> str:
        return f"{self.channel} {self.outcome}" + (f" ({self.detail})" if self.detail else "")


def record_alert(warehouse: Warehouse, alert: Alert, outcomes: Sequence[ChannelOutcome | str]) -> None:
    """Write the alert with every channel's outcome; a bare channel name is a channel that delivered it.

    `channels` keeps its meaning (the channels that delivered); `channel_outcomes` holds all of them."""
    outcomes = [o if isinstance(o, ChannelOutcome) else ChannelOutcome(o, "delivered") for o in outcomes]
    warehouse.append_rows(ALERTS_TABLE, [{
        "alert_id": alert.alert_id, "created_at": alert.created_at, "game_date": alert.game_date,
        "severity": alert.severity, "title": alert.title, "message": alert.message, "source": alert.source,
        "channels": [o.channel for o in outcomes if o.delivered],
        "channel_outcomes": [o.as_json() for o in outcomes],
        "dag_id": alert.dag_id, "dag_run_id": alert.dag_run_id,
    }])
