"""`airflow dags test` of one full night on the sample season: wall time including
Airflow start-up, and each task's time split into processor time vs Airflow overhead.

    make bench-dag [NIGHT=2025-01-15]

Task times come from Airflow's own metadata DB (SQLite in $AIRFLOW_HOME) after the
run; processor times from the night's run history. Figures only: nothing fails on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pendulum

from processors.cli.output import format_table
from processors.warehouse import Statement, open_warehouse

DAG_ID = "nba_nightly_predictions"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--night", type=dt.date.fromisoformat, default=dt.date(2025, 1, 15))
    args = parser.parse_args(argv)
    before = args.night - dt.timedelta(days=1)
    logical = pendulum.datetime(before.year, before.month, before.day, 23, tz="America/New_York")
    airflow = Path(sys.executable).parent / "airflow"
    started = time.perf_counter()
    result = subprocess.run([str(airflow), "dags", "test", DAG_ID, logical.isoformat()], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"airflow dags test failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")

    db = sqlite3.connect(Path(os.environ["AIRFLOW_HOME"]) / "airflow.db")
    run_id, run_start, run_end = db.execute(
        "SELECT run_id, start_date, end_date FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1", (DAG_ID,)).fetchone()
    tasks = db.execute("SELECT task_id, state, duration FROM task_instance WHERE dag_id = ? AND run_id = ? "
                       "ORDER BY start_date", (DAG_ID, run_id)).fetchall()
    with open_warehouse() as wh:
        history = wh.query(Statement("benchmark.sql", """
            SELECT task_id, duration_seconds FROM nba_reference.processor_run_history
            WHERE data_date = @d AND dag_run_id = @run_id"""), {"d": args.night, "run_id": run_id})
    processor_seconds = {row["task_id"]: row["duration_seconds"] for row in history}
    rows = []
    for task_id, state, duration in tasks:
        inside = processor_seconds.get(task_id)
        rows.append({"task": task_id, "state": state, "task_s": round(duration or 0, 2),
                     "processor_s": round(inside, 2) if inside is not None else "",
                     "overhead_s": round((duration or 0) - inside, 2) if inside is not None else ""})
    print(f"airflow dags test {DAG_ID} {logical.isoformat()} (game_date {args.night})")
    print(f"wall time including Airflow start-up: {wall:.1f} s")
    print(format_table(rows))
    total_tasks = sum(r["task_s"] for r in rows)
    total_processor = sum(processor_seconds.values())
    print(f"\nsum of task durations {total_tasks:.1f} s, of which processor time {total_processor:.2f} s; "
          f"the rest of the {wall:.1f} s is CLI start-up, DAG parsing and scheduling between tasks")


if __name__ == "__main__":
    main()
