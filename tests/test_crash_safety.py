"""A processor that dies mid-run: its output and its run-history row commit together or
not at all, a run that never finished shows as `running` then `abandoned`, and a rerun
repairs the night. The crash test kills real processes (SIGKILL) at random moments."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from processors.config import PROJECT_ROOT, WarehouseSettings
from processors.monitoring import phase4_status, render_night_status
from processors.phase4 import PROCESSOR_NAMES, get_processor
from processors.phase4.night import run_night
from processors.run_history import RunContext, RunRecord, record_start
from processors.warehouse import Statement
from processors.warehouse.local import LocalWarehouse
from processors.warehouse.schema import table

NIGHT = dt.date(2025, 1, 15)
KILLS = 20
OUTPUTS = {name: get_processor(name).output_table for name in PROCESSOR_NAMES}

# Imports once, then for each "go" forks a child that runs the night's five processors and
# prints its PID: the test SIGKILLs that child at a random moment of its work.
DRIVER = """
import datetime as dt, os, sys
from processors.config import WarehouseSettings
from processors.phase4.night import run_night
from processors.warehouse.local import LocalWarehouse
print("ready", flush=True)
for line in sys.stdin:
    child = os.fork()
    if child == 0:
        warehouse = LocalWarehouse(WarehouseSettings(local_path=sys.argv[1]))
        run_night(warehouse, dt.date.fromisoformat(sys.argv[2]))
        warehouse.close()
        os._exit(0)
    print(child, flush=True)
    os.waitpid(child, 0)
    print("exited", flush=True)
"""


def select(wh, sql: str, **params) -> list[dict]:
    return wh.query(Statement("test.sql", sql), params)


def outcomes(wh, processor: str) -> list[dict]:
    """The processor's rows of the night other than `running`."""
    return select(wh, "SELECT run_id, status, records_processed FROM nba_reference.processor_run_history "
                      "WHERE data_date = @d AND processor_name = @p AND status != 'running'", d=NIGHT, p=processor)


def forget_night(wh) -> None:
    """The night as if never computed: no output partitions, no run history."""
    with wh.transaction():
        for key in OUTPUTS.values():
            wh.execute_script(wh.table_statement("warehouse/delete_partitions.sql", key), {"partition_dates": [NIGHT]})
        wh.execute_script(Statement("forget.sql", "DELETE FROM nba_reference.processor_run_history "
                                                  "WHERE data_date = @d"), {"d": NIGHT})


@pytest.fixture
def night_copy(season_warehouse_settings, tmp_path) -> LocalWarehouse:
    import shutil

    path = tmp_path / "crash.duckdb"
    shutil.copy(season_warehouse_settings.local_path, path)
    wh = LocalWarehouse(WarehouseSettings(local_path=path))
    yield wh
    wh.close()


class Killed(BaseException):
    """What SIGKILL does to the process, as far as the warehouse can tell: nothing more runs."""


def test_a_run_killed_as_it_records_its_outcome_leaves_no_output(night_copy, monkeypatch):
    """The moment between the output's commit and its history row is gone: they are one commit."""
    import processors.phase4.base as base

    record_run = base.record_run

    def killed_on_outcome(warehouse, record, context):
        if record.status != "running":
            raise Killed()
        record_run(warehouse, record, context)

    processor = get_processor("player_shot_zone_analysis")
    first = processor.run(night_copy, NIGHT)
    written_at = select(night_copy, "SELECT MAX(processed_at) AS at FROM nba_precompute.player_shot_zone_analysis "
                                    "WHERE analysis_date = @d", d=NIGHT)
    monkeypatch.setattr(base, "record_run", killed_on_outcome)
    with pytest.raises(Killed):
        processor.run(night_copy, NIGHT)
    # The first run's rows and its outcome, nothing of the second but its start.
    assert night_copy.partition_row_count(processor.output_table, NIGHT) == first.rows_written > 0
    assert select(night_copy, "SELECT MAX(processed_at) AS at FROM nba_precompute.player_shot_zone_analysis "
                              "WHERE analysis_date = @d", d=NIGHT) == written_at
    assert outcomes(night_copy, processor.name) == [
        {"run_id": first.run_id, "status": "success", "records_processed": first.rows_written}]
    status = {r["processor_name"]: r for r in phase4_status(night_copy, NIGHT)}
    assert status[processor.name]["status"] == "running"  # started, never finished
    assert status[processor.name]["runs"] == 2


def test_a_run_that_never_finished_shows_as_abandoned_past_its_timeout(night_copy):
    forget_night(night_copy)
    started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=90)
    record_start(night_copy, RunRecord(processor_name="player_daily_cache", data_date=NIGHT, phase="phase4",
                                       status="running", started_at=started, duration_seconds=0.0,
                                       output_table=OUTPUTS["player_daily_cache"]), RunContext(timeout_seconds=3600))
    record_start(night_copy, RunRecord(processor_name="player_shot_zone_analysis", data_date=NIGHT, phase="phase4",
                                       status="running", started_at=started, duration_seconds=0.0,
                                       output_table=OUTPUTS["player_shot_zone_analysis"]),
                 RunContext(timeout_seconds=4 * 3600))
    status = {r["processor_name"]: r["status"] for r in phase4_status(night_copy, NIGHT)}
    assert status["player_daily_cache"] == "abandoned"
    assert status["player_shot_zone_analysis"] == "running"  # within its timeout
    report = render_night_status(night_copy, NIGHT)
    assert "abandoned" in report and "running" in report


@pytest.mark.slow
def test_processes_killed_at_random_moments_never_split_output_from_history(night_copy):
    """KILLS processes running the night, each SIGKILLed at a random moment of its work; after
    each, every processor has either its full output and exactly one outcome row saying so, or
    neither. Then a rerun repairs the night: all five successful and current."""
    wh = night_copy
    forget_night(wh)
    full = {name: result.rows_written for name, result in
            ((r.processor, r) for r in run_night(wh, NIGHT))}
    assert all(full.values())
    wh.close()
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    rng = random.Random(20250115)
    work_seconds, landed = None, []
    deadline = time.monotonic() + 600  # bounded, whatever the machine's speed

    driver = subprocess.Popen([sys.executable, "-c", DRIVER, str(wh.path), NIGHT.isoformat()],
                              cwd=PROJECT_ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert driver.stdout.readline().strip() == "ready"
        for kill in range(KILLS + 1):
            assert time.monotonic() < deadline, f"only {kill} kills in 600 s"
            forget_night(wh)
            wh.close()  # the file belongs to the night's process now
            driver.stdin.write("go\n")
            driver.stdin.flush()
            started = time.monotonic()
            night_pid = int(driver.stdout.readline())
            if work_seconds is None:  # the first night is timed, not killed
                assert driver.stdout.readline().strip() == "exited"
                work_seconds = time.monotonic() - started
                continue
            time.sleep(rng.uniform(0, work_seconds))
            try:
                os.kill(night_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # it finished first: a kill after the end, checked all the same
            assert driver.stdout.readline().strip() == "exited"
            committed = []
            for name, output in OUTPUTS.items():
                rows = wh.partition_row_count(output, NIGHT)
                done = outcomes(wh, name)
                if rows:
                    committed.append(name)
                    assert rows == full[name], f"kill {kill}: {name} half-written ({rows} of {full[name]} rows)"
                    assert [(d["status"], d["records_processed"]) for d in done] == [("success", rows)], \
                        f"kill {kill}: {name} has output but its history says {done}"
                else:
                    assert done == [], f"kill {kill}: {name} has no output but its history says {done}"
            landed.append(len(committed))
            status = {r["processor_name"]: r for r in phase4_status(wh, NIGHT)}
            for name in OUTPUTS:  # what `make status` says matches what is there
                assert (status[name]["status"] == "success") == (name in committed)
    finally:
        driver.stdin.close()
        driver.wait(timeout=60)
    assert len(landed) == KILLS
    assert len(set(landed)) > 2, f"the kills all landed at the same stage: {landed}"

    results = run_night(wh, NIGHT)  # the rerun repairs everything
    assert {r.processor: r.status for r in results} == dict.fromkeys(PROCESSOR_NAMES, "success")
    status = phase4_status(wh, NIGHT)
    assert [(r["processor_name"], r["rows_in_table"], r["status"], r["stale"]) for r in status] == [
        (name, full[name], "success", False) for name in PROCESSOR_NAMES]
    duplicates = select(wh, f"SELECT COUNT(*) - COUNT(DISTINCT player_lookup) AS n FROM "
                            f"{table(OUTPUTS['ml_feature_store_v2']).dataset}.ml_feature_store_v2 "
                            "WHERE game_date = @d", d=NIGHT)
    assert duplicates == [{"n": 0}]


def test_a_commit_that_fails_is_a_failed_run_and_the_night_goes_on(night_copy, monkeypatch):
    """E.g. disk full at COMMIT: the processor fails naming the cause, with its history row
    when that can still be written, and the night's other processors still run."""
    from processors.warehouse import WarehouseError

    commit = night_copy._commit
    commits = {"seen": 0, "fail": {2}}  # P1's `running` row commits, then its output fails to

    def failing_commit():
        commits["seen"] += 1
        if commits["seen"] in commits["fail"] or "all" in commits["fail"]:
            night_copy._rollback()
            raise WarehouseError(str(night_copy.path), "disk full at commit")
        commit()

    forget_night(night_copy)
    monkeypatch.setattr(night_copy, "_commit", failing_commit)
    results = {r.processor: r for r in run_night(night_copy, NIGHT)}
    first = results["team_defense_zone_analysis"]
    assert (first.status, first.decision) == ("failed", "warehouse_error")
    assert "disk full at commit" in first.message and str(night_copy.path) in first.message
    assert night_copy.partition_row_count(OUTPUTS["team_defense_zone_analysis"], NIGHT) == 0
    assert outcomes(night_copy, "team_defense_zone_analysis") == [
        {"run_id": first.run_id, "status": "failed", "records_processed": 0}]
    assert {r["processor_name"]: r["status"] for r in phase4_status(night_copy, NIGHT)}[
        "team_defense_zone_analysis"] == "failed"
    assert results["player_shot_zone_analysis"].status == "success"  # the night went on

    # Nothing can be written at all: every processor still fails with one message, none aborts the night.
    commits["fail"] = {"all"}
    results = run_night(night_copy, NIGHT)
    assert len(results) == len(PROCESSOR_NAMES)
    p2 = next(r for r in results if r.processor == "player_shot_zone_analysis")
    assert p2.status == "failed" and "disk full at commit" in p2.message
    assert "run-history row could not be written" in p2.message
