"""Running the nightly DAG in-process with dag.test() on a copy of the sample season."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pendulum

from processors.config import WarehouseSettings
from processors.warehouse import Statement
from processors.warehouse.local import LocalWarehouse

DAG_ID = "nba_nightly_predictions"
NEW_YORK = pendulum.timezone("America/New_York")
PROCESSOR_TASKS = ["phase4.team_defense_zone_analysis", "phase4.player_shot_zone_analysis",
                   "phase4.player_composite_factors", "phase4.player_daily_cache", "phase4.ml_feature_store_v2"]


_MIGRATED = []


def migrate_airflow_db() -> None:
    """A fresh test Airflow metadata DB in .airflow/test, once per test process: nothing left by an
    earlier version of the code (serialized DAGs, assets, runs) can leak into this session."""
    if _MIGRATED:
        return
    home = Path(os.environ["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    (home / "airflow.db").unlink(missing_ok=True)
    _MIGRATED.append(True)
    subprocess.run([str(Path(sys.executable).parent / "airflow"), "db", "migrate"], check=True,
                   capture_output=True, env=os.environ.copy())


def load_dag():
    """The DagBag of the dags folder (it needs the metadata DB) and the nightly DAG."""
    from airflow.dag_processing.dagbag import DagBag

    migrate_airflow_db()
    bag = DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"])
    assert not bag.import_errors, bag.import_errors
    return bag, bag.get_dag(DAG_ID)


def logical_date_for(game_date: dt.date) -> dt.datetime:
    """The scheduled tick that prepares game_date: 23:00 New York the day before."""
    before = game_date - dt.timedelta(days=1)
    return pendulum.datetime(before.year, before.month, before.day, 23, tz=NEW_YORK)


def season_copy(season_settings: WarehouseSettings, tmp_path: Path, name: str = "night.duckdb") -> Path:
    path = tmp_path / name
    shutil.copy(season_settings.local_path, path)
    return path


def run_dag(dag, game_date: dt.date, conf: dict | None = None):
    """dag.test() for the night; returns {task_id: state}. Every param is passed explicitly:
    dag.test() keeps a previous run's conf in the DAG's params."""
    full_conf = {"game_date": None, "force": False, "min_minutes": 15, "predictions": "auto", **(conf or {})}
    dag_run = dag.test(logical_date=logical_date_for(game_date), run_conf=full_conf)
    return dag_run, {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in dag_run.get_task_instances()}


def select(path: Path, sql: str, **params) -> list[dict]:
    with LocalWarehouse(WarehouseSettings(local_path=path)) as wh:
        return wh.query(Statement("test.sql", sql), params)


def execute(path: Path, sql: str, **params) -> None:
    with LocalWarehouse(WarehouseSettings(local_path=path)) as wh:
        wh.execute_script(Statement("test.sql", sql), params)
