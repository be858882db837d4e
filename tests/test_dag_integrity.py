"""The nightly DAG as declared: imports cleanly, exact graph, rules, schedule, params."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from airflow_fixtures import DAG_ID, load_dag
from nba_airflow.timetables import NightlyTimetable

ROOT = Path(__file__).resolve().parent.parent
P1, P2, P3, P4, P5 = ("phase4.team_defense_zone_analysis", "phase4.player_shot_zone_analysis",
                      "phase4.player_composite_factors", "phase4.player_daily_cache", "phase4.ml_feature_store_v2")
SENSORS = {f"phase3_readiness.wait_for_{t}" for t in (
    "player_game_summary", "team_defense_game_summary", "team_offense_game_summary",
    "upcoming_player_game_context", "upcoming_team_game_context")}
CONTRACTS = "phase3_readiness.check_input_contracts"

EXPECTED_UPSTREAM = {
    "check_params": set(),
    **{sensor: {"check_params"} for sensor in SENSORS},
    CONTRACTS: SENSORS,
    P1: {CONTRACTS},
    P2: {CONTRACTS},
    P3: {P1, P2},
    P4: {P2},
    P5: {P1, P2, P3, P4},
    "publish_phase4_complete": {P5},
    "phase4_deadline": {"check_params"},
    "phase4_audit": {P1, P2, P3, P4, P5},
    "phase5.plan": {P5},
    "phase5.wait_for_phase4": {"phase5.plan"},
    "phase5.start_batch": {"phase5.wait_for_phase4"},
    "phase5.wait_until_retry_1": {"phase5.start_batch"},
    "phase5.retry_1": {"phase5.wait_until_retry_1"},
    "phase5.wait_until_retry_2": {"phase5.retry_1"},
    "phase5.retry_2": {"phase5.wait_until_retry_2"},
    "phase5.wait_until_status_check": {"phase5.retry_2"},
    "phase5.status_check": {"phase5.wait_until_status_check"},
}


@pytest.fixture(scope="module")
def dag():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, nightly = load_dag()
    ours = [w for w in caught if any(part in str(w.filename) for part in ("/dags/", "/plugins/", "/processors/"))]
    assert not ours, [f"{w.filename}:{w.lineno} {w.message}" for w in ours]
    return nightly


def test_exact_task_graph(dag):
    assert {task.task_id: set(task.upstream_task_ids) for task in dag.tasks} == EXPECTED_UPSTREAM


def test_trigger_rules_and_retries(dag):
    for task_id in (P1, P2, P3, P4, P5):
        task = dag.get_task(task_id)
        assert task.trigger_rule == "all_success"
        assert task.retries == 2 and task.retry_delay == dt.timedelta(minutes=2)
        assert task.pool == "nba_warehouse"
        assert task.on_failure_callback
    for sensor in SENSORS:
        task = dag.get_task(sensor)
        assert (task.mode, task.retries, task.pool) == ("reschedule", 0, "nba_warehouse")
    assert dag.get_task("check_params").retries == 0
    assert dag.get_task("phase4_audit").trigger_rule == "all_done"
    assert dag.get_task("phase5.plan").trigger_rule == "all_done"  # runs even when P5 failed
    for sensor in ("phase5.wait_for_phase4", "phase5.wait_until_retry_1", "phase5.wait_until_status_check"):
        assert dag.get_task(sensor).mode == "reschedule"


def test_schedule_timezone_and_run_policy(dag):
    assert dag.dag_id == DAG_ID
    assert isinstance(dag.timetable, NightlyTimetable)  # CronTriggerTimetable; run ids name the night
    assert (dag.timetable.summary, dag.timetable._timezone.name) == ("0 23 * * *", "America/New_York")
    assert dag.catchup is False and dag.max_active_runs == 1
    assert dag.start_date == dt.datetime(2024, 10, 1, 4, 0, tzinfo=dt.UTC)  # midnight New York (EDT)
    assert {"nba", "phase4", "phase5"} <= set(dag.tags)
    assert "game_date = the day after the run starts" in dag.doc_md and "ET" in dag.doc_md and "PT" in dag.doc_md


def test_params_are_declared_with_defaults(dag):
    assert {name: dag.params[name] for name in ("game_date", "force", "min_minutes", "predictions", "input_checks")} == \
        {"game_date": None, "force": False, "min_minutes": 15, "predictions": "auto", "input_checks": "enforce"}


def test_processor_tasks_declare_their_output_assets(dag):
    assert [o.name for o in dag.get_task(P5).outlets] == ["nba_predictions.ml_feature_store_v2"]
    assert [o.name for o in dag.get_task(P1).outlets] == ["nba_precompute.team_defense_zone_analysis"]


def test_ruff_airflow3_rules_are_clean():
    result = subprocess.run([str(Path(sys.executable).parent / "ruff"), "check", "--select", "AIR3",
                             "dags", "plugins"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_parsing_the_dag_file_touches_no_warehouse(tmp_path, monkeypatch):
    """Nothing heavy at parse time: loading the DAG never opens the warehouse."""
    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(tmp_path / "never-created.duckdb"))
    load_dag()
    assert not (tmp_path / "never-created.duckdb").exists()


def test_parsing_the_dag_file_imports_no_sql_or_warehouse_client():
    """Every task start parses the DAG file: the SQL parser (~0.6 s) and the warehouse clients load
    only when a task uses them (lazy imports in the glue)."""
    heavy = ("sqlglot", "duckdb", "google.cloud.bigquery")
    probe = ("import runpy, sys; runpy.run_path(sys.argv[1]); "
             f"print(','.join(m for m in {heavy!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe, str(ROOT / "dags" / "nba_nightly_predictions.py")],
                            cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'plugins'}"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1:] in ([], [""]), f"imported at parse: {result.stdout.strip()}"
