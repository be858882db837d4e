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
                   processors: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The night's stale outputs among `processors` (default all) whose tasks have finished in
    this run: nothing in this run will recompute them."""
    wanted = set(processors) if processors is not None else None
    stale = [s for s in stale_outputs(warehouse, game_date) if wanted is None or s["processor_name"] in wanted]
    if not stale:
        return []
    task_of = {s["processor_name"]: f"{PHASE4_GROUP}.{s['processor_name']}" for s in stale}
    done = finished_tasks(context, task_of.values())
    return [s for s in stale if task_of[s["processor_name"]] in done]


def alert_stale(context: Mapping[str, Any], game_date: dt.date, stale: list[dict[str, Any]]) -> None:
    """One warning alert naming the stale outputs and what to clear (nothing when none)."""
    if stale:
        raise_alert(context, "warning", f"Phase 4 outputs stale for {game_date}", stale_message(game_date, stale))
