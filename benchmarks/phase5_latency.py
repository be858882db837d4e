"""Local Airflow under a real scheduler: start-up time, memory (PSS) and Phase 4 -> Phase 5 hand-off.

    make bench-latency [NIGHT=2025-01-15]

Starts a private local Airflow (devtools/local_airflow.py: api-server on a free
127.0.0.1 port, scheduler, dag-processor, triggerer, LocalExecutor, its own
PostgreSQL for the metadata DB; state in .benchmarks/airflow-latency) on a copy of the sample season, triggers the night
through the REST API, waits for the run, and reports the start-up time, the PSS
of each component idle and right after the run, and the time from P5's success
to the published batch of prediction requests, measured two ways: the
warehouse's own timestamps (run history of P5 -> the coordinator's start step)
and Airflow's task timestamps.
Stops exactly the processes it started, by PID. Never fails on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import pendulum

from benchmarks.season_copy import fresh_season_copy
from devtools.airflow_api import AirflowApi
from devtools.local_airflow import ADMIN, DAG_ID, LocalAirflow, free_port
from processors.config import PROJECT_ROOT, WarehouseSettings
from processors.warehouse import Statement
from processors.warehouse.local import LocalWarehouse

HOME = PROJECT_ROOT / ".benchmarks" / "airflow-latency"


def _pss(local: LocalAirflow) -> str:
    memory = local.memory_pss_kb()
    parts = ", ".join(f"{name} {kb / 1024:.0f}" for name, kb in memory.items())
    return f"{sum(memory.values()) / 1024:.0f} MB ({parts})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--night", type=dt.date.fromisoformat, default=dt.date(2025, 1, 15))
    parser.add_argument("--timeout", type=int, default=600)
    args = parser.parse_args(argv)
    warehouse = fresh_season_copy(HOME)
    local = LocalAirflow(home=HOME / "home", port=free_port(), warehouse=warehouse,
                         extra_env={"AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1"})
    before = args.night - dt.timedelta(days=1)
    logical = pendulum.datetime(before.year, before.month, before.day, 23, tz="America/New_York")
    try:
        print(f"start-up: UI answering and DAG unpaused after {local.start():.1f} s")
        time.sleep(10)  # let the unpause's own (off-season) run finish
        print(f"PSS idle: {_pss(local)}")
        api = AirflowApi(local.url, ADMIN, local.admin_password())
        started = time.time()
        run_id = api.trigger(DAG_ID, logical.isoformat(), {"game_date": args.night.isoformat()})["dag_run_id"]
        state = api.wait_for_runs(DAG_ID, [run_id], timeout=args.timeout)[run_id]
        print(f"manual run {run_id}: {state} after {time.time() - started:.0f} s")
        print(f"PSS after the run: {_pss(local)}")
        tasks = api.task_instances(DAG_ID, run_id)
    finally:
        local.stop()
    with LocalWarehouse(WarehouseSettings(local_path=warehouse)) as wh:
        p5_done = wh.query(Statement("latency.sql", """
            SELECT MAX(processed_at) AS at FROM nba_reference.processor_run_history
            WHERE processor_name = 'ml_feature_store_v2' AND data_date = @d AND dag_run_id = @r"""),
            {"d": args.night, "r": run_id})[0]["at"]
        # The coordinator's start step of this run: with the night already requested in the source
        # warehouse it publishes nothing new (dedup), so its own run-history row is the mark, not the outbox.
        batch_done = wh.query(Statement("latency.sql", """
            SELECT MAX(processed_at) AS at FROM nba_reference.processor_run_history
            WHERE processor_name = 'phase5_coordinator' AND data_date = @d AND dag_run_id = @r
              AND JSON_VALUE(summary, '$.step') = 'start'"""), {"d": args.night, "r": run_id})[0]["at"]
    airflow_gap = (pendulum.parse(tasks["phase5.start_batch"]["start_date"])
                   - pendulum.parse(tasks["phase4.ml_feature_store_v2"]["end_date"]))
    print(f"P5 success (run history)                 {p5_done}")
    print(f"Phase 5 start batch done (run history)   {batch_done}")
    if p5_done and batch_done:
        print(f"latency P5 success -> requests published: {(batch_done - p5_done).total_seconds():.1f} s "
              "(warehouse timestamps)")
    print(f"P5 task end -> start_batch task start: {airflow_gap.total_seconds():.1f} s (Airflow task timestamps)")


if __name__ == "__main__":
    main()
