"""Runtime configuration, read from the environment when a task or command runs.

Defaults run the embedded local warehouse inside the project folder; production
sets NBA_WAREHOUSE_BACKEND=bigquery plus the GCP connection and project.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_ROOT = PROJECT_ROOT / "include" / "sql"

# Logical dataset names used in the SQL files ({{ nba_analytics }} ...).
DATASETS = ("nba_raw", "nba_analytics", "nba_precompute", "nba_predictions", "nba_reference")
BACKENDS = ("local", "bigquery")
# Identifiers reach SQL text (the only thing templated), so they are names and nothing else.
DATASET_NAME = re.compile(r"^[A-Za-z0-9_]{1,1024}$")             # BigQuery dataset ids
PROJECT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")       # GCP: 6-30, lowercase, digits, hyphens
LOCATION = re.compile(r"^[A-Za-z][A-Za-z0-9-]{1,30}$")           # US, EU, us-central1


class ConfigError(ValueError):
    """A configuration value is missing or malformed."""


@dataclass(frozen=True)
class WarehouseSettings:
    backend: str = "local"
    local_path: Path = PROJECT_ROOT / ".warehouse" / "nba.duckdb"
    gcp_project: str = "nba-props-platform"
    gcp_conn_id: str = "google_cloud_default"
    location: str = "US"
    # Logical dataset name -> actual dataset name (e.g. a per-developer suffix).
    datasets: dict[str, str] = field(default_factory=lambda: {d: d for d in DATASETS})
    # How long opening the local file waits while another process holds its lock.
    local_lock_wait_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ConfigError(
                f"NBA_WAREHOUSE_BACKEND must be one of {', '.join(BACKENDS)}, got {self.backend!r}"
            )
        unknown = set(self.datasets) - set(DATASETS)
        if unknown:
            raise ConfigError(f"NBA_DATASETS names unknown datasets: {', '.join(sorted(unknown))}")
        for logical, name in self.datasets.items():
            if not isinstance(name, str) or not DATASET_NAME.match(name):
                raise ConfigError(f"NBA_DATASETS: the name of dataset {logical} must be letters, digits and "
                                  f"underscores (at most 1024), got {name!r}")
        if not PROJECT_ID.match(self.gcp_project):
            raise ConfigError("NBA_GCP_PROJECT must be a GCP project id (6-30 lowercase letters, digits and "
                              f"hyphens, starting with a letter, not ending with a hyphen), got {self.gcp_project!r}")
        if not LOCATION.match(self.location):
            raise ConfigError(f"NBA_BQ_LOCATION must be a BigQuery location such as US, EU or us-central1, "
                              f"got {self.location!r}")
        wait = self.local_lock_wait_seconds
        if isinstance(wait, bool) or not isinstance(wait, (int, float)) or not math.isfinite(wait) or wait < 0:
            raise ConfigError(f"NBA_LOCAL_LOCK_WAIT_SECONDS must be a finite number of seconds >= 0, got {wait!r}")

    @property
    def identifiers(self) -> dict[str, str]:
        """The only values templated into SQL text: project, location and dataset names."""
        return {"project": self.gcp_project, "location": self.location, **self.datasets}

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> WarehouseSettings:
        env = os.environ if env is None else env
        datasets = {d: d for d in DATASETS}
        raw = env.get("NBA_DATASETS")
        if raw:
            try:
                overrides = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"NBA_DATASETS is not valid JSON: {exc}") from None
            if not isinstance(overrides, dict):
                raise ConfigError("NBA_DATASETS must be a JSON object of dataset -> name")
            datasets.update(overrides)
        return cls(
            backend=env.get("NBA_WAREHOUSE_BACKEND", "local"),
            local_path=Path(env.get("NBA_LOCAL_WAREHOUSE_PATH", cls.local_path)),
            gcp_project=env.get("NBA_GCP_PROJECT", cls.gcp_project),
            gcp_conn_id=env.get("NBA_GCP_CONN_ID", cls.gcp_conn_id),
            location=env.get("NBA_BQ_LOCATION", cls.location),
            datasets=datasets,
            local_lock_wait_seconds=_number(env, "NBA_LOCAL_LOCK_WAIT_SECONDS", cls.local_lock_wait_seconds),
        )


def _number(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative, got {raw!r}")
    return value


TRANSPORTS = ("local", "pubsub")


def _clock(name: str, value: str) -> None:
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise ConfigError(f"{name} must be a time HH:MM, got {value!r}")


@dataclass(frozen=True)
class PipelineSettings:
    """Everything the nightly DAG reads at run time besides the warehouse."""

    sensor_poke_seconds: float = 300.0
    sensor_timeout_seconds: float = 3 * 3600.0
    transport: str = "local"                 # local: nba_reference.pipeline_events; pubsub: Google Pub/Sub
    topic_phase4_complete: str = "nba-phase4-precompute-complete"
    topic_prediction_requests: str = "prediction-request-prod"
    slack_conn_id: str = "slack_alerts"      # alerts go to Slack / e-mail only when these connections exist
    smtp_conn_id: str = "smtp_alerts"
    alert_emails: tuple[str, ...] = ()
    alert_slack_channel: str = ""            # the channel, for a Slack API (token) connection; a webhook has its own
    alert_channel_timeout_seconds: float = 10.0  # each channel's delivery of one alert takes at most this long
    # Phase 5 thresholds.
    ready_pct: float = 80.0                  # Phase 4 ready: >= 80 % of feature rows production ready
    ready_players: float = 100               # ... or >= 100 players
    min_ready_to_proceed: float = 50         # at the backup deadline: fewer ready players is critical
    gap_pct: float = 5.0                     # warn when eligible - predicted after a batch is > 5 %
    gap_players: float = 20                  # ... or > 20 players
    sla_coverage_pct: float = 90.0           # 07:00 PT: coverage below this is critical
    # Phase 5 times, America/Los_Angeles on game_date (HH:MM).
    backup_deadline: str = "06:00"
    backup_wait_minutes: float = 30
    retry_times: tuple[str, ...] = ("06:15", "06:30")
    status_check_time: str = "07:00"
    phase5_poke_seconds: float = 60.0

    def __post_init__(self) -> None:
        for name in ("backup_deadline", "status_check_time"):
            _clock(name, getattr(self, name))
        for value in self.retry_times:
            _clock("retry_times", value)
        if self.transport not in TRANSPORTS:
            raise ConfigError(f"NBA_MESSAGING_TRANSPORT must be one of {', '.join(TRANSPORTS)}, got {self.transport!r}")
        if not 0 < self.alert_channel_timeout_seconds < float("inf"):
            raise ConfigError("NBA_ALERT_CHANNEL_TIMEOUT_SECONDS must be a finite number of seconds more than 0, "
                              f"got {self.alert_channel_timeout_seconds:g}")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> PipelineSettings:
        env = os.environ if env is None else env
        return cls(
            sensor_poke_seconds=_number(env, "NBA_SENSOR_POKE_SECONDS", cls.sensor_poke_seconds),
            sensor_timeout_seconds=_number(env, "NBA_SENSOR_TIMEOUT_SECONDS", cls.sensor_timeout_seconds),
            transport=env.get("NBA_MESSAGING_TRANSPORT", cls.transport),
            topic_phase4_complete=env.get("NBA_TOPIC_PHASE4_COMPLETE", cls.topic_phase4_complete),
            topic_prediction_requests=env.get("NBA_TOPIC_PREDICTION_REQUESTS", cls.topic_prediction_requests),
            slack_conn_id=env.get("NBA_SLACK_CONN_ID", cls.slack_conn_id),
            smtp_conn_id=env.get("NBA_SMTP_CONN_ID", cls.smtp_conn_id),
            alert_emails=tuple(e.strip() for e in env.get("NBA_ALERT_EMAILS", "").split(",") if e.strip()),
            alert_slack_channel=env.get("NBA_ALERT_SLACK_CHANNEL", cls.alert_slack_channel).strip(),
            alert_channel_timeout_seconds=_number(env, "NBA_ALERT_CHANNEL_TIMEOUT_SECONDS",
                                                  cls.alert_channel_timeout_seconds),
            ready_pct=_number(env, "NBA_READY_PCT", cls.ready_pct),
            ready_players=_number(env, "NBA_READY_PLAYERS", cls.ready_players),
            min_ready_to_proceed=_number(env, "NBA_MIN_READY_TO_PROCEED", cls.min_ready_to_proceed),
            gap_pct=_number(env, "NBA_GAP_PCT", cls.gap_pct),
            gap_players=_number(env, "NBA_GAP_PLAYERS", cls.gap_players),
            sla_coverage_pct=_number(env, "NBA_SLA_COVERAGE_PCT", cls.sla_coverage_pct),
            backup_deadline=env.get("NBA_BACKUP_DEADLINE_PT", cls.backup_deadline),
            backup_wait_minutes=_number(env, "NBA_BACKUP_WAIT_MINUTES", cls.backup_wait_minutes),
            retry_times=tuple(t.strip() for t in env.get("NBA_RETRY_TIMES_PT", ",".join(cls.retry_times)).split(",")),
            status_check_time=env.get("NBA_STATUS_CHECK_PT", cls.status_check_time),
            phase5_poke_seconds=_number(env, "NBA_PHASE5_POKE_SECONDS", cls.phase5_poke_seconds),
        )
