"""Every run of the nightly DAG carries its night in its note: "Night of game_date 2025-01-15".

Manual runs cannot carry it in their id: Airflow names them (`Timetable.generate_run_id`)
before anything reads their conf, where the `game_date` param is. Nor can a task write it:
in Airflow 3.3 the Task Execution API has no call that sets a DAG run's note, and tasks may
not use the metadata DB. So the scheduler writes it: this listener (registered by
plugins/nba_plugin.py) runs in the scheduler when it starts a queued run, and gives a run of
a DAG scheduled by NightlyTimetable the note of its night when the run has no note yet (a note
typed in the trigger form is kept). The night is computed as the tasks compute it
(nba_airflow.night.night_for); a run that names no night (check_params refuses it) gets no note.
The note shows on the run's page and as the note mark on its grid column.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.listeners import hookimpl

from nba_airflow.timetables import NightlyTimetable

log = logging.getLogger(__name__)
NOTE = "Night of game_date {night}"


def night_note(dag_run: Any) -> str | None:
    """The note naming the run's night, or None (another DAG, or no night: check_params refuses)."""
    if not isinstance(getattr(getattr(dag_run, "dag", None), "timetable", None), NightlyTimetable):
        return None
    # Imported here: the plugin (and with it the timetable the scheduler needs) loads even if the
    # pipeline's own packages cannot be imported.
    from nba_airflow.night import night_of_dag_run

    try:
        night = night_of_dag_run(dag_run)
    except ValueError:
        return None
    return NOTE.format(night=night.isoformat())


@hookimpl
def on_dag_run_running(dag_run: Any, msg: str) -> None:
    """Called by the scheduler, in its session, when a queued run starts (and the scheduler commits it)."""
    try:
        note = night_note(dag_run)
        if note and not dag_run.note:
            dag_run.note = note
    except Exception:  # a listener must never break the scheduler's loop
        log.exception("could not write the night into the note of run %s", getattr(dag_run, "run_id", "?"))
