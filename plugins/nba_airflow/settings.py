"""Configuration as a task sees it, read at run time (never at DAG parse time).

Environment variables (NBA_*), overlaid by the Airflow Variable `nba_pipeline`
when it exists: a JSON object of the same NBA_* keys, e.g.
{"NBA_WAREHOUSE_BACKEND": "bigquery", "NBA_GCP_PROJECT": "my-project"}.
Secrets never go there: they live in Airflow Connections.
"""

from __future__ import annotations

import json
import logging
import os

from airflow.sdk.exceptions import AirflowFailException

from processors.config import ConfigError, PipelineSettings, WarehouseSettings

VARIABLE = "nba_pipeline"
# Pool of every task that touches the warehouse: size 1 on the embedded local
# file (one writer at a time), larger on BigQuery. The DAG needs the name at parse time.
WAREHOUSE_POOL = os.environ.get("NBA_WAREHOUSE_POOL", "nba_warehouse")
log = logging.getLogger(__name__)


class TaskConfigError(AirflowFailException, ConfigError):
    """Bad configuration seen by a task: fails it at once, since a retry reads the same settings."""


def configuration() -> dict[str, str]:
    env = dict(os.environ)
    try:
        from airflow.sdk import Variable

        raw = Variable.get(VARIABLE, default=None)
    except Exception as exc:  # outside a task (e.g. a deadline callback) Variables may be unreachable
        log.debug("Variable %s not read: %s", VARIABLE, exc)
        raw = None
    if raw:
        try:
            overrides = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"Airflow Variable {VARIABLE} is not valid JSON: {exc}") from None
        if not isinstance(overrides, dict):
            raise ConfigError(f"Airflow Variable {VARIABLE} must be a JSON object of NBA_* settings")
        env.update({key: value if isinstance(value, str) else json.dumps(value) for key, value in overrides.items()})
    return env


def warehouse_settings() -> WarehouseSettings:
    try:
        return WarehouseSettings.from_env(configuration())
    except ConfigError as exc:
        raise TaskConfigError(str(exc)) from None


def pipeline_settings() -> PipelineSettings:
    try:
        return PipelineSettings.from_env(configuration())
    except ConfigError as exc:
        raise TaskConfigError(str(exc)) from None
