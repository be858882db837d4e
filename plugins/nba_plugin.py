"""The NBA pipeline's Airflow plugin: the nightly timetable and the run-note listener.

Airflow only deserializes a custom timetable that a plugin registers: without this plugin the
scheduler, the dag-processor and the API server cannot load nba_nightly_predictions. It is the
only AirflowPlugin: Airflow imports every .py file of the plugins folder looking for plugins
(those of nba_airflow too, as top-level modules), and registers each subclass it finds.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from nba_airflow import run_notes
from nba_airflow.timetables import NightlyTimetable


class NbaPipelinePlugin(AirflowPlugin):
    name = "nba_pipeline"
    timetables = [NightlyTimetable]
    listeners = [run_notes]
