"""Which night a DAG run prepares, and who asked for it.

The run that starts at 23:00 America/New_York on day D prepares game_date D + 1.
The date comes from the run's logical date in New York time, or from the
`game_date` param; never from now().
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import pendulum

from processors.run_history import DEFAULT_TIMEOUT_SECONDS, RunContext

NEW_YORK = pendulum.timezone("America/New_York")
RUN_TYPE_TRIGGER = {"scheduled": "scheduled", "manual": "manual", "backfill": "backfill",
                    "asset_triggered": "asset", "asset_materialization": "asset"}
# Exactly YYYY-MM-DD: Python 3.11's date.fromisoformat alone also takes 20250115 and 2025-W03-3.
# The same pattern is in the param's schema (nba_airflow.params), which Airflow checks at trigger time.
GAME_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def parse_game_date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        if not isinstance(value, str) or not re.fullmatch(GAME_DATE_PATTERN, value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"param game_date must be an ISO date YYYY-MM-DD, got {value!r}") from None


def night_of(context: Mapping[str, Any]) -> dt.date:
    """The night's game_date: the `game_date` param, else the logical date in New York + 1 day."""
    requested = (context.get("params") or {}).get("game_date")
    if requested:
        return parse_game_date(requested)
    moment = context.get("logical_date") or context["dag_run"].run_after  # runs without a logical date
    return pendulum.instance(moment).in_timezone(NEW_YORK).date() + dt.timedelta(days=1)


def run_type(context: Mapping[str, Any]) -> str:
    dag_run = context.get("dag_run")
    kind = getattr(dag_run, "run_type", None) or "manual"
    return str(getattr(kind, "value", kind))


def run_context(context: Mapping[str, Any]) -> RunContext:
    ti = context.get("ti")
    dag_run = context.get("dag_run")
    kind = run_type(context)
    return RunContext(
        triggered_by=RUN_TYPE_TRIGGER.get(kind, kind),
        trigger_source="airflow",
        backfill_mode=kind == "backfill",
        force_reprocess=bool((context.get("params") or {}).get("force", False)),
        dag_id=getattr(ti, "dag_id", None),
        dag_run_id=getattr(dag_run, "run_id", None),
        task_id=getattr(ti, "task_id", None),
        try_number=getattr(ti, "try_number", None),
        timeout_seconds=_timeout_seconds(context),
    )


def _timeout_seconds(context: Mapping[str, Any]) -> int:
    """The task's execution_timeout: a run still `running` after it is abandoned."""
    timeout = getattr(context.get("task"), "execution_timeout", None)
    return int(timeout.total_seconds()) if timeout else DEFAULT_TIMEOUT_SECONDS
