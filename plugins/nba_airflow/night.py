"""Which night a DAG run prepares, and who asked for it.

The run that starts at 23:00 America/New_York on day D prepares game_date D + 1.
The date comes from the run's logical date in New York time, or from the
`game_date` param; never from now().
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pendulum

from processors.run_history import RunContext

NEW_YORK = pendulum.timezone("America/New_York")
RUN_TYPE_TRIGGER = {"scheduled": "scheduled", "manual": "manual", "backfill": "backfill",
                    "asset_triggered": "asset", "asset_materialization": "asset"}


def parse_game_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
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
    )
