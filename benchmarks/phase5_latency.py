"""Phase 4 -> Phase 5 hand-off latency under a real scheduler (LocalExecutor).

    make bench-latency [NIGHT=2025-01-15]

Starts a private Airflow (api-server on a free 127.0.0.1 port, scheduler,
dag-processor; state in .benchmarks/airflow-latency) on a copy of the sample
season, triggers the night with the REST-equivalent CLI, waits for the run, and
reports the time from P5's success to the first prediction request, measured
two ways: the warehouse's own timestamps (run history -> pipeline_events) and
Airflow's task timestamps. Stops exactly the processes it started, by PID.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pendulum

from processors.config import PROJECT_ROOT, WarehouseSettings
from processors.warehouse import Statement
from processors.warehouse.local import LocalWarehouse

DAG_ID = "nba_nightly_predictions"
HOME = PROJECT_ROOT / ".benchmarks" / "airflow-latency"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def airflow_env(port: int, warehouse: Path) -> dict[str, str]:
    return {**os.environ,
            "AIRFLOW_HOME": str(HOME), "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor", "AIRFLOW__CORE__PARALLELISM": "2",
            "AIRFLOW__API__HOST": "127.0.0.1", "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "PYTHONPATH": f"{PROJECT_ROOT}:{PROJECT_ROOT / 'plugins'}",
            "NBA_LOCAL_WAREHOUSE_PATH": str(warehouse)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--night", type=dt.date.fromisoformat, default=dt.date(2025, 1, 15))
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args(argv)
    airflow = str(Path(sys.executable).parent / "airflow")
    shutil.rmtree(HOME, ignore_errors=True)
    HOME.mkdir(parents=True)
    source = WarehouseSettings.from_env().local_path
    if not source.exists():
        sys.exit(f"no sample season at {source}: run `make sample-season` first")
    warehouse = HOME / "warehouse.duckdb"
    shutil.copy(source, warehouse)
    env = airflow_env(free_port(), warehouse)
    run = lambda *cmd: subprocess.run([airflow, *cmd], env=env, check=True, capture_output=True)  # noqa: E731
    run("db", "migrate")
    run("pools", "set", "nba_warehouse", "1", "NBA warehouse tasks")
    run("dags", "reserialize")
    before = args.night - dt.timedelta(days=1)
    logical = pendulum.datetime(before.year, before.month, before.day, 23, tz="America/New_York")
    processes = {name: subprocess.Popen([airflow, *cmd], env=env, stdout=open(HOME / f"{name}.log", "w"),
                                        stderr=subprocess.STDOUT)
                 for name, cmd in (("api-server", ["api-server"]), ("scheduler", ["scheduler", "--skip-serve-logs"]),
                                   ("dag-processor", ["dag-processor"]))}
    try:
        run("dags", "trigger", DAG_ID, "-l", logical.isoformat(), "-c", json.dumps({"game_date": args.night.isoformat()}))
        run("dags", "unpause", DAG_ID)
        started = time.time()
        db = sqlite3.connect(HOME / "airflow.db")
        state = None
        while time.time() - started < args.timeout:
            row = db.execute("SELECT run_id, state FROM dag_run WHERE dag_id = ? AND run_type = 'manual'",
                             (DAG_ID,)).fetchone()
            state = row[1] if row else None
            if state in ("success", "failed"):
                break
            time.sleep(2)
        print(f"manual run {row[0] if row else '?'}: {state} after {time.time() - started:.0f} s")
        run_id = row[0]
        tasks = dict(db.execute("SELECT task_id, end_date FROM task_instance WHERE run_id = ?", (run_id,)))
        starts = dict(db.execute("SELECT task_id, start_date FROM task_instance WHERE run_id = ?", (run_id,)))
    finally:
        for process in processes.values():
            process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    with LocalWarehouse(WarehouseSettings(local_path=warehouse)) as wh:
        p5_done = wh.query(Statement("latency.sql", """
            SELECT MAX(processed_at) AS at FROM nba_reference.processor_run_history
            WHERE processor_name = 'ml_feature_store_v2' AND data_date = @d AND dag_run_id = @r"""),
            {"d": args.night, "r": run_id})[0]["at"]
        first_request = wh.query(Statement("latency.sql", """
            SELECT MIN(published_at) AS at FROM nba_reference.pipeline_events
            WHERE topic = 'prediction-request-prod' AND game_date = @d"""), {"d": args.night})[0]["at"]
    parse = lambda value: pendulum.parse(value) if value else None  # noqa: E731
    airflow_gap = (parse(starts.get("phase5.start_batch")) - parse(tasks.get("phase4.ml_feature_store_v2")))
    print(f"P5 success (run history)          {p5_done}")
    print(f"first prediction request (outbox) {first_request}")
    if p5_done and first_request:
        print(f"latency P5 success -> first request: {(first_request - p5_done).total_seconds():.1f} s (warehouse timestamps)")
    print(f"P5 task end -> start_batch task start: {airflow_gap.total_seconds():.1f} s (Airflow task timestamps)")


if __name__ == "__main__":
    main()
