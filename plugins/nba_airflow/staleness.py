"""Warn when a task leaves the night's downstream outputs stale.

A processor rerun alone (its task cleared without its downstream) rewrites an
output that later ones were computed from. Outputs whose tasks will still run
in this DAG run are not stale for long and raise nothing; the others are named
in one warning alert with what to clear.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from nba_airflow.notifiers import raise_alert
from processors.monitoring import stale_message, stale_outputs
from processors.phase4 import PROCESSOR_NAMES
from processors.warehouse import Warehouse

log = logging.getLogger(__name__)
PHASE4_GROUP = "phase4"
# Task states after which a task will not run again in this DAG run unless cleared.
FINISHED_STATES = {"success", "failed", "skipped", "upstream_failed", "removed"}


def finished_tasks(context: Mapping[str, Any], task_ids: Iterable[str]) -> set[str]:
    """Those of task_ids that are done in this DAG run (asked of the API server, not the DB)."""
    ti, run_id = context["ti"], context["dag_run"].run_id
    states = ti.get_task_states(dag_id=ti.dag_id, task_ids=list(task_ids), run_ids=[run_id]).get(run_id, {})
    return {task_id for task_id, state in states.items() if state in FINISHED_STATES}


def stale_and_done(context: Mapping[str, Any], warehouse: Warehouse, game_date: dt.date,
                   processors: Iterable[str] = PROCESSOR_NAMES) -> list[dict[str, Any]]:
    """The night's stale outputs among `processors` whose tasks have finished in this run:
    nothing in this run will recompute them. Best effort: a failure to tell is logged, never
    raised (the task's own work is already committed)."""
    task_ids = [f"{PHASE4_GROUP}.{name}" for name in processors]
    if not task_ids:  # e.g. P5: nothing reads its output in Phase 4
        return []
    try:
        done = finished_tasks(context, task_ids)
        if not done:  # in a normal night the downstream tasks are still to run: nothing to ask
            return []
        return [s for s in stale_outputs(warehouse, game_date) if f"{PHASE4_GROUP}.{s['processor_name']}" in done]
    except Exception as exc:
        log.warning("could not tell whether outputs of %s are stale: %s: %s", game_date, type(exc).__name__, exc)
        return []


def alert_stale(context: Mapping[str, Any], game_date: dt.date, stale: list[dict[str, Any]]) -> None:
    """One warning alert naming the stale outputs and what to clear (nothing when none)."""
    if stale:
        raise_alert(context, "warning", f"Phase 4 outputs stale for {game_date}", stale_message(game_date, stale))
