"""Which night a DAG run prepares, and who asked for it.

The run that starts at 23:00 America/New_York on day D prepares game_date D + 1.
The date comes from the `game_date` param, or from the run's logical date in New York
time; never from now(). A manual run needs the param: without it, its logical date names
a night only when it is a tick of the schedule (23:00 New York, as `airflow dags test`
of bin/run-night passes), otherwise the run is refused (a trigger form whose date field
was left empty, or cleared by the browser, must not become "today + 1").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from nba_airflow.timetables import NEW_YORK as NEW_YORK  # the schedule's time zone, for the tasks
from nba_airflow.timetables import in_new_york, is_schedule_tick, night_after
from processors.run_history import DEFAULT_TIMEOUT_SECONDS, RunContext

SCHEDULE_RUN_TYPES = ("scheduled", "backfill")  # their logical date is a tick of the schedule
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


class NightUnknown(ValueError):
    """The run names no night: not made by the schedule, no game_date, off the schedule's ticks."""


def night_for(game_date: Any, logical_date: dt.datetime | None, run_after: dt.datetime | None,
              kind: str) -> dt.date:
    """The night's game_date: the `game_date` param, else the logical date (or, for runs without
    one, run_after) in New York + 1 day. Raises NightUnknown for a run that the schedule did not
    make (manual, or triggered by another DAG) without game_date whose logical date is no tick."""
    if game_date:
        return parse_game_date(game_date)
    if kind not in SCHEDULE_RUN_TYPES and not is_schedule_tick(logical_date):
        no_tick = (f"its logical date, {in_new_york(logical_date):%Y-%m-%d %H:%M} New York, is no 23:00 schedule tick"
                   if logical_date else "it has no logical date")
        raise NightUnknown(
            f"{'a manual run' if kind == 'manual' else f'a run of type {kind}'} needs param game_date (YYYY-MM-DD): "
            "the night to compute. This run has none "
            "(the trigger form sends none when its date field is empty or holds a date that does not exist), "
            f"and {no_tick} that would name a night")
    moment = logical_date or run_after
    if moment is None:
        raise NightUnknown("the run has neither param game_date nor a logical date")
    return night_after(moment)


def night_of_dag_run(dag_run: Any) -> dt.date:
    """The night of a DAG run as the metadata DB records it (its conf, logical date, run_after and
    type): what its tasks compute. Raises ValueError (NightUnknown) for a run that names no night."""
    kind = getattr(dag_run.run_type, "value", dag_run.run_type)
    return night_for((dag_run.conf or {}).get("game_date"), dag_run.logical_date, dag_run.run_after, str(kind))


def night_of(context: Mapping[str, Any]) -> dt.date:
    """The night's game_date of the running task's DAG run (see night_for)."""
    return night_for((context.get("params") or {}).get("game_date"), context.get("logical_date"),
                     getattr(context.get("dag_run"), "run_after", None), run_type(context))


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
