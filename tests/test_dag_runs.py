"""Whole nights through Airflow (dag.test, tasks in-process) on copies of the sample season."""

from __future__ import annotations

import datetime as dt

import pytest

from airflow_fixtures import PHASE4_TABLES, PROCESSOR_TASKS, execute, phase4_counts, select
from airflow_fixtures import run_dag as run_whole_night
from processors.config import WarehouseSettings
from processors.monitoring import render_night_status
from processors.warehouse.local import LocalWarehouse

MID_SEASON = dt.date(2025, 1, 15)


def run_dag(dag, game_date, conf=None):
    """These tests are about Phase 4: Phase 5 is switched off unless a test asks for it
    (tests/test_dag_phase5.py covers it)."""
    return run_whole_night(dag, game_date, {"predictions": "off", **(conf or {})})


def history(path, game_date) -> list[dict]:
    return select(path, "SELECT processor_name, status, task_id, dag_id, triggered_by FROM "
                        "nba_reference.processor_run_history WHERE data_date = @d AND phase = 'phase4' "
                        "AND status != 'running' ORDER BY processor_name", d=game_date)


def test_a_mid_season_night_end_to_end(nightly_dag, night_warehouse):
    dag_run, states = run_dag(nightly_dag, MID_SEASON)
    assert str(dag_run.state) in ("success", "DagRunState.SUCCESS")
    assert {t: states[t] for t in PROCESSOR_TASKS + ["publish_phase4_complete"]} == \
        dict.fromkeys(PROCESSOR_TASKS + ["publish_phase4_complete"], "success")
    assert states["phase4_deadline"] == "skipped"  # manual run: no deadline
    counts = phase4_counts(night_warehouse, MID_SEASON)
    assert counts["nba_precompute.team_defense_zone_analysis"] == 30 and all(counts.values())
    runs = history(night_warehouse, MID_SEASON)
    assert [(r["processor_name"], r["status"]) for r in runs] == [
        ("ml_feature_store_v2", "success"), ("player_composite_factors", "success"), ("player_daily_cache", "success"),
        ("player_shot_zone_analysis", "success"), ("team_defense_zone_analysis", "success")]
    assert {r["task_id"] for r in runs} == set(PROCESSOR_TASKS)
    assert {r["dag_id"] for r in runs} == {"nba_nightly_predictions"} and {r["triggered_by"] for r in runs} == {"manual"}
    with LocalWarehouse(WarehouseSettings(local_path=night_warehouse)) as wh:
        report = render_night_status(wh, MID_SEASON)
    for name in PHASE4_TABLES:
        assert name.split(".")[1] in report
    event = select(night_warehouse, "SELECT topic, message FROM nba_reference.pipeline_events WHERE game_date = @d",
                   d=MID_SEASON)
    assert len(event) == 1 and event[0]["topic"] == "nba-phase4-precompute-complete"
    message = event[0]["message"]
    assert set(message) == {"event_type", "processor", "game_date", "players_processed", "players_ready",
                            "players_failed", "timestamp", "run_id"}
    assert (message["event_type"], message["processor"], message["game_date"]) == \
        ("phase4_complete", "ml_feature_store_v2", "2025-01-15")
    assert message["players_processed"] == counts["nba_predictions.ml_feature_store_v2"]
    assert message["run_id"] == dag_run.run_id


def test_rerunning_the_night_duplicates_nothing(nightly_dag, night_warehouse):
    run_dag(nightly_dag, MID_SEASON)
    first = phase4_counts(night_warehouse, MID_SEASON)
    _, states = run_dag(nightly_dag, MID_SEASON)
    assert states["phase4.ml_feature_store_v2"] == "success"
    assert phase4_counts(night_warehouse, MID_SEASON) == first
    assert len(history(night_warehouse, MID_SEASON)) == 10  # two runs of five processors


def test_early_season_bootstrap_night(nightly_dag, night_warehouse):
    night = dt.date(2024, 10, 24)
    dag_run, states = run_dag(nightly_dag, night)
    assert all(states[t] == "success" for t in PROCESSOR_TASKS)  # a bootstrap skip is not an Airflow skip
    runs = {r["processor_name"]: r["status"] for r in history(night_warehouse, night)}
    assert runs == {"team_defense_zone_analysis": "skipped", "player_shot_zone_analysis": "skipped",
                    "player_composite_factors": "skipped", "player_daily_cache": "skipped",
                    "ml_feature_store_v2": "partial"}  # 60 placeholders on a 2-game night, below 100
    placeholders = select(night_warehouse, "SELECT COUNT(*) AS n, COUNTIF(is_production_ready) AS ready, "
                                           "MIN(data_source) AS source FROM nba_predictions.ml_feature_store_v2 "
                                           "WHERE game_date = @d", d=night)[0]
    assert placeholders["n"] > 0 and placeholders["ready"] == 0 and placeholders["source"] == "early_season"


def test_off_night_with_no_games(nightly_dag, night_warehouse):
    night = dt.date(2025, 2, 16)  # All-Star break
    dag_run, states = run_dag(nightly_dag, night)
    assert all(states[t] == "success" for t in PROCESSOR_TASKS)
    assert {r["status"] for r in history(night_warehouse, night)} == {"skipped"}
    assert not any(phase4_counts(night_warehouse, night).values())


def test_missing_phase3_input_times_out_naming_the_table(nightly_dag, night_warehouse, caplog):
    execute(night_warehouse, "DELETE FROM nba_analytics.upcoming_team_game_context WHERE game_date = @d", d=MID_SEASON)
    dag_run, states = run_dag(nightly_dag, MID_SEASON)
    assert states["phase3_readiness.wait_for_upcoming_team_game_context"] == "failed"
    assert states["phase3_readiness.wait_for_player_game_summary"] == "success"
    assert {states[t] for t in PROCESSOR_TASKS} == {"upstream_failed"}
    assert "nba_analytics.upcoming_team_game_context not ready for 2025-01-15" in caplog.text
    assert not any(phase4_counts(night_warehouse, MID_SEASON).values())
    assert states["phase4_audit"] == "failed" and "failed" in str(dag_run.state)
    not_run = select(night_warehouse, "SELECT status, missing_dependencies FROM nba_reference.processor_run_history "
                                      "WHERE data_date = @d AND phase = 'phase4'", d=MID_SEASON)
    assert len(not_run) == 5 and all(r == {"status": "skipped", "missing_dependencies": ["phase3_readiness"]}
                                     for r in not_run)


def test_validation_failure_fails_the_run_and_keeps_the_previous_partition(nightly_dag, night_warehouse):
    run_dag(nightly_dag, MID_SEASON)
    before = phase4_counts(night_warehouse, MID_SEASON)
    # Nobody has a played game left: P2 computes 0 rows on a game day and must not commit them.
    execute(night_warehouse, "UPDATE nba_analytics.player_game_summary SET minutes_played = 0 WHERE game_date < @d",
            d=MID_SEASON)
    dag_run, states = run_dag(nightly_dag, MID_SEASON)
    assert "failed" in str(dag_run.state)
    assert states["phase4.player_shot_zone_analysis"] == "failed"
    assert states["phase4.team_defense_zone_analysis"] == "success"
    for downstream in ("phase4.player_composite_factors", "phase4.player_daily_cache", "phase4.ml_feature_store_v2",
                       "publish_phase4_complete"):
        assert states[downstream] == "upstream_failed"
    assert phase4_counts(night_warehouse, MID_SEASON) == before  # the first run's rows are intact
    assert states["phase4_audit"] == "failed"
    not_run = select(night_warehouse, "SELECT processor_name, missing_dependencies FROM nba_reference.processor_run_history "
                                      "WHERE data_date = @d AND status = 'skipped' AND dag_run_id = @r AND phase = 'phase4' "
                                      "ORDER BY 1",
                     d=MID_SEASON, r=dag_run.run_id)
    assert not_run == [{"processor_name": n, "missing_dependencies": ["player_shot_zone_analysis"]}
                       for n in ("ml_feature_store_v2", "player_composite_factors", "player_daily_cache")]
    p2_runs = select(night_warehouse, "SELECT status, errors FROM nba_reference.processor_run_history "
                                      "WHERE data_date = @d AND processor_name = 'player_shot_zone_analysis' "
                                      "ORDER BY processed_at", d=MID_SEASON)
    assert [r["status"] for r in p2_runs] == ["running", "success", "running", "failed"]
    assert "0 rows for 2025-01-15, a game day" in str(p2_runs[3]["errors"])
    alerts = select(night_warehouse, "SELECT severity, source FROM nba_reference.pipeline_alerts WHERE game_date = @d",
                    d=MID_SEASON)
    assert {"severity": "critical", "source": "phase4.player_shot_zone_analysis"} in alerts


@pytest.mark.parametrize(("conf", "message"), [
    ({"game_date": "2025-13-40"}, "game_date"),
    ({"min_minutes": -5}, "min_minutes"),
    ({"predictions": "sometimes"}, "predictions"),
    ({"force": "yes"}, "force"),
])
def test_invalid_params_fail_the_run_at_once_naming_the_param(nightly_dag, night_warehouse, conf, message):
    try:
        dag_run, states = run_dag(nightly_dag, MID_SEASON, conf)
    except Exception as exc:  # Airflow's own JSON-schema check refuses the run before it starts
        assert message in str(exc)
    else:
        assert states["check_params"] == "failed"
        assert all(states[t] in ("upstream_failed", "skipped") for t in PROCESSOR_TASKS)
    assert not any(phase4_counts(night_warehouse, MID_SEASON).values())
    assert history(night_warehouse, MID_SEASON) == []


def test_publishing_failure_is_a_warning_not_a_failed_run(nightly_dag, night_warehouse, monkeypatch):
    from processors.messaging import OutboxPublisher

    def broken(self, topic, messages, game_date):
        raise ConnectionError("topic unreachable")

    monkeypatch.setattr(OutboxPublisher, "publish", broken)
    dag_run, states = run_dag(nightly_dag, MID_SEASON)
    assert states["publish_phase4_complete"] == "success" and "success" in str(dag_run.state)
    alerts = select(night_warehouse, "SELECT severity, title, message FROM nba_reference.pipeline_alerts "
                                     "WHERE game_date = @d", d=MID_SEASON)
    assert alerts == [{"severity": "warning", "title": "Phase 4 completion message not published",
                       "message": "ConnectionError: topic unreachable"}]


def test_game_date_param_overrides_the_logical_date(nightly_dag, night_warehouse):
    _, states = run_dag(nightly_dag, MID_SEASON, {"game_date": "2025-01-20"})
    assert states["phase4.ml_feature_store_v2"] == "success"
    assert phase4_counts(night_warehouse, dt.date(2025, 1, 20))["nba_predictions.ml_feature_store_v2"] > 0
    assert not any(phase4_counts(night_warehouse, MID_SEASON).values())


def test_an_off_season_night_skips_quietly(nightly_dag, night_warehouse):
    """A daily schedule runs in summer too: outside every season there is nothing to do."""
    dag_run, states = run_dag(nightly_dag, dt.date(2025, 7, 1))
    assert "success" in str(dag_run.state)
    assert {states[t] for t in PROCESSOR_TASKS} == {"skipped"}
    assert states["publish_phase4_complete"] == "skipped"
