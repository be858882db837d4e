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
from processors.phase4 import PROCESSOR_NAMES, get_processor
from processors.warehouse import Statement, schema
from processors.warehouse.local import LocalWarehouse

DAG_ID = "nba_nightly_predictions"
NEW_YORK = pendulum.timezone("America/New_York")
# Each Phase 4 output table and its partition (date) column, from the processors and the DDL registry.
PHASE4_TABLES = {table: schema.table(table).partition_column
                 for table in (get_processor(name).output_table for name in PROCESSOR_NAMES)}
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


def nightly_conf(**conf) -> dict:
    """Every param of the nightly DAG, defaults overridden by conf."""
    return {"game_date": None, "force": False, "min_minutes": 15, "predictions": "auto", "input_checks": "enforce",
            **conf}


def run_dag(dag, game_date: dt.date, conf: dict | None = None, mark_success_pattern: str | None = None):
    """dag.test() for the night; returns {task_id: state}. Every param is passed explicitly:
    dag.test() keeps a previous run's conf in the DAG's params. Tasks matching
    mark_success_pattern are marked success without running (as if left from an earlier run)."""
    dag_run = dag.test(logical_date=logical_date_for(game_date), run_conf=nightly_conf(**(conf or {})),
                       mark_success_pattern=mark_success_pattern)
    return dag_run, {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in dag_run.get_task_instances()}


def _when_unlocked(action, path: Path, *args):
    """A scheduler (tests/test_local_airflow.py) may be running a task on the warehouse file: opening
    it waits for the lock (NBA_LOCAL_LOCK_WAIT_SECONDS, 60 s by default)."""
    with LocalWarehouse(WarehouseSettings(local_path=path)) as wh:
        return action(wh, *args)


def select(path: Path, sql: str, **params) -> list[dict]:
    return _when_unlocked(lambda wh: wh.query(Statement("test.sql", sql), params), path)


def execute(path: Path, sql: str, **params) -> None:
    _when_unlocked(lambda wh: wh.execute_script(Statement("test.sql", sql), params), path)


def phase4_counts(path: Path, game_date: dt.date) -> dict[str, int]:
    """Rows of each Phase 4 output table for the night."""
    return {table: select(path, f"SELECT COUNT(*) AS n FROM {table} WHERE {column} = @d", d=game_date)[0]["n"]
            for table, column in PHASE4_TABLES.items()}
