"""The NBA pipeline's Airflow plugin: the nightly timetable, the run-note listener and the UI pages.

Airflow only deserializes a custom timetable that a plugin registers: without this plugin the
scheduler, the dag-processor and the API server cannot load nba_nightly_predictions. It is the
only AirflowPlugin, and the only file of the plugins folder Airflow executes when it looks for
plugins (plugins/.airflowignore leaves the nba_airflow package to normal imports).

The pages (nba_airflow.ui) are a FastAPI app that only the api-server mounts: it is built when
the api-server asks for `fastapi_apps`, so no other process imports FastAPI, Jinja2 or matplotlib
for it. `external_views` put them in the UI: a "Night report" tab on every run of the DAG, and
"NBA season" in the navigation.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from airflow.plugins_manager import AirflowPlugin

from nba_airflow import run_notes
from nba_airflow.timetables import NightlyTimetable

VIEWS_PREFIX = "/nba"


class NbaPipelinePlugin(AirflowPlugin):
    name = "nba_pipeline"
    timetables = [NightlyTimetable]
    listeners = [run_notes]
    external_views = [
        {"name": "Night report", "href": f"{VIEWS_PREFIX}/runs/{{DAG_ID}}/{{RUN_ID}}", "destination": "dag_run",
         "url_route": "nba-night-report", "icon": f"{VIEWS_PREFIX}/icon.svg"},
        {"name": "NBA season", "href": f"{VIEWS_PREFIX}/season", "destination": "nav", "url_route": "nba-season",
         "nav_top_level": True, "icon": f"{VIEWS_PREFIX}/icon.svg"},
    ]

    @cached_property
    def fastapi_apps(self) -> list[dict[str, Any]]:  # type: ignore[override]
        from nba_airflow.ui.app import create_app

        return [{"app": create_app(), "url_prefix": VIEWS_PREFIX, "name": "NBA pipeline views"}]
