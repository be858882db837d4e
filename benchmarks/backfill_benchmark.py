"""A 7-night backfill under a real scheduler, against the same nights through the processors command.

    make bench-backfill [FROM=2025-01-10] [NIGHTS=7] [MAX_ACTIVE=1]

Starts a private local Airflow (devtools/local_airflow.py: api-server, scheduler,
dag-processor, triggerer, LocalExecutor, its own PostgreSQL; state in
.benchmarks/backfill, a free 127.0.0.1 port) on a copy of the sample season,
runs `airflow backfill create --max-active-runs MAX_ACTIVE` for the nights FROM ..
FROM + NIGHTS - 1 and times it from the command to the backfill's completion.
Then, on a fresh copy, times `python -m processors.cli.phase4 --date FROM --end LAST`
(the input gate and the five processors per night, no Airflow) and prints the ratio.
It also splits the backfill's time: the sum of the task instances' own durations
(work done in tasks, start-up of each task process included) against the wall time
(scheduling and hand-offs). Stops exactly the processes it started, by PID. Never fails on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import time

import pendulum

from benchmarks.season_copy import fresh_season_copy
from devtools.airflow_api import AirflowApi
from devtools.local_airflow import ADMIN, DAG_ID, LocalAirflow, free_port
from processors.config import PROJECT_ROOT

HOME = PROJECT_ROOT / ".benchmarks" / "backfill"
NEW_YORK = "America/New_York"


def tick_before(night: dt.date) -> pendulum.DateTime:
    """The 23:00 New York tick whose run prepares `night`."""
    before = night - dt.timedelta(days=1)
    return pendulum.datetime(before.year, before.month, before.day, 23, tz=NEW_YORK)


def time_backfill(local: LocalAirflow, first: dt.date, last: dt.date, max_active: int, timeout: float) -> dict:
    api = AirflowApi(local.url, ADMIN, local.admin_password())
    try:
        for run in api.dag_runs(DAG_ID, state=["running", "queued"]):  # the unpause's own run
            api.wait_for_runs(DAG_ID, [run["dag_run_id"]], timeout=timeout)
        started = time.perf_counter()
        local.airflow("backfill", "create", "--dag-id", DAG_ID, "--from-date", tick_before(first).isoformat(),
                      "--to-date", tick_before(last).isoformat(), "--max-active-runs", str(max_active))
        backfill_id = max(b["id"] for b in api.backfills(DAG_ID))
        api.wait_for_backfill(backfill_id, timeout=timeout)
        wall = time.perf_counter() - started
        runs = api.dag_runs(DAG_ID, run_type=["backfill"])
        task_seconds = sum(ti.get("duration") or 0.0 for r in runs
                           for ti in api.task_instances(DAG_ID, r["dag_run_id"]).values())
        return {"wall": wall, "runs": len(runs), "states": sorted({r["state"] for r in runs}),
                "task_seconds": task_seconds}
    finally:
        api.close()


def time_processors_command(copy, first: dt.date, last: dt.date) -> float:
    """`make phase4` over the nights, on `copy` (an untouched copy of the sample season)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "processors.cli.phase4", "--date", first.isoformat(),
                    "--end", last.isoformat()], check=True, capture_output=True,
                   env={**os.environ, "NBA_LOCAL_WAREHOUSE_PATH": str(copy)})
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-night", type=dt.date.fromisoformat, default=dt.date(2025, 1, 10))
    parser.add_argument("--nights", type=int, default=7)
    parser.add_argument("--max-active-runs", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("--scheduler-idle-sleep", type=float, default=None,
                        help="[scheduler] scheduler_idle_sleep_time for this stack (default: Airflow's, 1 s)")
    args = parser.parse_args(argv)
    first = args.from_night
    last = first + dt.timedelta(days=args.nights - 1)
    warehouse = fresh_season_copy(HOME)
    untouched = warehouse.with_name("processors.duckdb")  # the same season, for the processors command
    shutil.copy(warehouse, untouched)
    extra_env = {}
    if args.scheduler_idle_sleep is not None:  # what a longer idle sleep (less waiting CPU) costs a backfill
        extra_env["AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME"] = str(args.scheduler_idle_sleep)
        print(f"scheduler_idle_sleep_time = {args.scheduler_idle_sleep:g} s")
    local = LocalAirflow(home=HOME / "home", port=free_port(), warehouse=warehouse, extra_env=extra_env)
    try:
        print(f"start-up: {local.start():.1f} s; backfill of nights {first} .. {last}, "
              f"--max-active-runs {args.max_active_runs}")
        backfill = time_backfill(local, first, last, args.max_active_runs, args.timeout)
    finally:
        local.stop()
    direct = time_processors_command(untouched, first, last)
    nights = args.nights
    print(f"backfill: {backfill['runs']} runs ({', '.join(backfill['states'])}) in {backfill['wall']:.0f} s, "
          f"{backfill['wall'] / nights:.1f} s a night; task instances' own durations {backfill['task_seconds']:.0f} s "
          f"({100 * backfill['task_seconds'] / backfill['wall']:.0f} % of the wall time)")
    print(f"processors command (make phase4 DATE={first} END={last}): {direct:.1f} s, {direct / nights:.1f} s a night")
    print(f"ratio backfill / processors command: {backfill['wall'] / direct:.1f}x")


if __name__ == "__main__":
    main()
