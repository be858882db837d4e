"""Phase 4 -> Phase 5 through Airflow (dag.test) on copies of the sample season."""

from __future__ import annotations

import datetime as dt

from airflow_fixtures import execute, logical_date_for, run_dag, select
from processors.config import WarehouseSettings
from processors.phase5.coordinator import player_sets
from processors.warehouse.local import LocalWarehouse

NIGHT = dt.date(2025, 1, 15)
PHASE5 = ["phase5.plan", "phase5.wait_for_phase4", "phase5.start_batch", "phase5.retry_1", "phase5.retry_2",
          "phase5.status_check"]
REQUESTS = "SELECT COUNT(*) AS n FROM nba_reference.pipeline_events WHERE topic = 'prediction-request-prod'"


def night_sets(path):
    with LocalWarehouse(WarehouseSettings(local_path=path)) as wh:
        return player_sets(wh, NIGHT, 15)


def active_duplicates(path) -> int:
    return select(path, """SELECT COUNT(*) AS n FROM (
        SELECT player_lookup FROM nba_predictions.player_prop_predictions
        WHERE game_date = @d AND is_active GROUP BY player_lookup, system_id HAVING COUNT(*) > 1)""", d=NIGHT)[0]["n"]


def test_phase4_to_phase5_end_to_end(nightly_dag, night_warehouse):
    dag_run, states = run_dag(nightly_dag, NIGHT)
    assert "success" in str(dag_run.state)
    assert {states[t] for t in PHASE5} == {"success"}
    sets = night_sets(night_warehouse)
    predictions = select(night_warehouse, "SELECT COUNT(*) AS n, MIN(feature_quality_score) AS q FROM "
                                          "nba_predictions.player_prop_predictions WHERE game_date = @d AND is_active",
                         d=NIGHT)[0]
    assert predictions["n"] > 50 and float(predictions["q"]) >= 70  # every prediction from a quality >= 70 row
    assert sets.ready_unpredicted == 0 and active_duplicates(night_warehouse) == 0
    steps = select(night_warehouse, "SELECT JSON_VALUE(summary, '$.step') AS step, JSON_VALUE(summary, '$.decision') "
                                    "AS decision, records_processed FROM nba_reference.processor_run_history "
                                    "WHERE processor_name = 'phase5_coordinator' ORDER BY processed_at")
    assert [s["step"] for s in steps] == ["start", "retry_1", "retry_2", "status"]
    assert steps[0]["decision"] == "requested" and steps[0]["records_processed"] == predictions["n"]
    assert [s["decision"] for s in steps[1:3]] == ["complete", "complete"]
    assert select(night_warehouse, REQUESTS)[0]["n"] == predictions["n"]  # one request per predicted player


def test_duplicate_triggers_make_one_batch_of_requests(nightly_dag, night_warehouse):
    for _ in range(3):
        run_dag(nightly_dag, NIGHT)
    batches = select(night_warehouse, "SELECT COUNT(DISTINCT JSON_VALUE(message, '$.batch_id')) AS n "
                                      "FROM nba_reference.pipeline_events WHERE topic = 'prediction-request-prod'")
    assert batches[0]["n"] == 1
    assert active_duplicates(night_warehouse) == 0


def test_incremental_retry_requests_only_the_newly_ready(nightly_dag, night_warehouse):
    run_dag(nightly_dag, NIGHT)
    before = select(night_warehouse, REQUESTS)[0]["n"]
    # 40 (or all remaining) eligible players become production ready after the first batch.
    execute(night_warehouse, """
        UPDATE nba_predictions.ml_feature_store_v2 SET is_production_ready = TRUE, feature_quality_score = 90
        WHERE game_date = @d AND player_lookup IN (
          SELECT c.player_lookup FROM nba_analytics.upcoming_player_game_context AS c
          JOIN nba_predictions.ml_feature_store_v2 AS f ON f.player_lookup = c.player_lookup AND f.game_date = c.game_date
          WHERE c.game_date = @d AND c.avg_minutes_per_game_last_7 >= 15 AND NOT f.is_production_ready
            AND LOWER(COALESCE(c.player_status, 'available')) NOT IN ('out', 'doubtful')
          ORDER BY c.player_lookup LIMIT 40)""", d=NIGHT)
    newly_ready = night_sets(night_warehouse).ready_unpredicted
    assert 0 < newly_ready <= 40
    # Rerun only Phase 5: Phase 4 marked as done so the new readiness stays.
    nightly_dag.test(logical_date=logical_date_for(NIGHT),
             run_conf={"game_date": None, "force": False, "min_minutes": 15, "predictions": "auto"},
             mark_success_pattern=r"check_params|phase3_readiness\..*|phase4\..*|phase4_audit|phase4_deadline|"
                                  r"publish_phase4_complete")
    assert select(night_warehouse, REQUESTS)[0]["n"] - before == newly_ready
    assert night_sets(night_warehouse).ready_unpredicted == 0 and active_duplicates(night_warehouse) == 0


def test_a_backfill_run_writes_phase4_but_no_predictions(nightly_dag, night_warehouse, monkeypatch):
    import nba_airflow.phase5

    monkeypatch.setattr(nba_airflow.phase5, "run_type", lambda context: "backfill")
    dag_run, states = run_dag(nightly_dag, NIGHT)
    assert states["phase4.ml_feature_store_v2"] == "success" and states["phase5.plan"] == "skipped"
    assert {states[t] for t in PHASE5[1:]} == {"skipped"}
    assert select(night_warehouse, "SELECT COUNT(*) AS n FROM nba_predictions.player_prop_predictions")[0]["n"] == 0
    skip = select(night_warehouse, "SELECT status, JSON_VALUE(summary, '$.message') AS reason FROM "
                                   "nba_reference.processor_run_history WHERE processor_name = 'phase5_coordinator'")
    assert skip == [{"status": "skipped", "reason": "backfill run: predictions are off for backfills (predictions=auto)"}]


def test_predictions_on_overrides_a_backfill_and_off_disables_a_manual_run(nightly_dag, night_warehouse):
    _, states = run_dag(nightly_dag, NIGHT, {"predictions": "off"})
    assert states["phase5.plan"] == "skipped" and states["phase4.ml_feature_store_v2"] == "success"
