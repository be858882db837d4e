"""A night that stops when its inputs are doubtful, and says what is stale, through Airflow
(dag.test, tasks in-process) on copies of the sample season."""

from __future__ import annotations

import datetime as dt
import logging

from airflow_fixtures import PROCESSOR_TASKS, execute, phase4_counts, run_dag, select
from processors.config import WarehouseSettings
from processors.input_gate import GATE
from processors.monitoring import phase4_status
from processors.warehouse.local import LocalWarehouse

NIGHT = dt.date(2025, 1, 15)
PGS = "nba_analytics.player_game_summary"
CONTRACTS_TASK = "phase3_readiness.check_input_contracts"


def duplicate_a_box_score(path) -> dict:
    row = select(path, f"SELECT player_lookup, game_id FROM {PGS} WHERE game_date = @d AND is_active "
                       "ORDER BY player_lookup LIMIT 1", d=NIGHT - dt.timedelta(days=1))[0]
    execute(path, f"INSERT INTO {PGS} SELECT * FROM {PGS} WHERE player_lookup = @p AND game_id = @g",
            p=row["player_lookup"], g=row["game_id"])
    return row


def alerts(path) -> list[dict]:
    return select(path, "SELECT severity, source, title, message FROM nba_reference.pipeline_alerts "
                        "WHERE game_date = @d ORDER BY created_at", d=NIGHT)


def gate_row(path) -> dict:
    return select(path, "SELECT status, summary, dag_run_id FROM nba_reference.processor_run_history "
                        "WHERE processor_name = @p AND data_date = @d ORDER BY processed_at DESC LIMIT 1",
                  p=GATE, d=NIGHT)[0]


def active_predictions(path) -> dict[str, list[dict]]:
    rows = select(path, "SELECT player_lookup, predicted_points, feature_data_hash, is_active "
                        "FROM nba_predictions.player_prop_predictions WHERE game_date = @d", d=NIGHT)
    by_player: dict[str, list[dict]] = {}
    for row in rows:
        by_player.setdefault(row["player_lookup"], []).append(row)
    return by_player


def test_broken_contract_stops_the_night_before_anything_is_written(nightly_dag, night_warehouse, caplog):
    row = duplicate_a_box_score(night_warehouse)
    rule_line = f"{PGS} duplicate_key: 1 × more than one row per (player_lookup, game_id) " \
                f"(e.g. {row['player_lookup']} {row['game_id']})"
    with caplog.at_level(logging.INFO):
        dag_run, states = run_dag(nightly_dag, NIGHT)
    assert states[CONTRACTS_TASK] == "failed" and "failed" in str(dag_run.state)
    assert {states[t] for t in PROCESSOR_TASKS} == {"upstream_failed"}
    assert states["phase5.plan"] == "skipped"
    assert rule_line in caplog.text  # the task log
    assert not any(phase4_counts(night_warehouse, NIGHT).values())
    assert not select(night_warehouse, "SELECT 1 FROM nba_predictions.player_prop_predictions WHERE game_date = @d",
                      d=NIGHT)
    gate = gate_row(night_warehouse)  # the run history
    assert gate["status"] == "failed" and rule_line in gate["summary"]["message"]
    assert gate["dag_run_id"] == dag_run.run_id
    critical = [a for a in alerts(night_warehouse) if a["severity"] == "critical"]  # the alert
    assert critical[0]["source"] == CONTRACTS_TASK  # then phase4_audit: Phase 4 incomplete
    assert rule_line in critical[0]["message"].splitlines()
    plan = select(night_warehouse, "SELECT summary FROM nba_reference.processor_run_history WHERE data_date = @d "
                                   "AND processor_name = 'phase5_coordinator'", d=NIGHT)
    assert "input contracts" in plan[0]["summary"]["message"]


def test_waived_checks_compute_the_night_and_the_run_history_says_so(nightly_dag, night_warehouse):
    duplicate_a_box_score(night_warehouse)
    # Only the gate runs (the processors computing on waived inputs: tests/test_input_contracts.py).
    dag_run, states = run_dag(nightly_dag, NIGHT, {"input_checks": "warn", "predictions": "off"},
                              mark_success_pattern=r"phase4.*|phase5\..*|publish_phase4_complete")
    assert states[CONTRACTS_TASK] == "success" and str(dag_run.state) in ("success", "DagRunState.SUCCESS")
    gate = gate_row(night_warehouse)
    assert gate["status"] == "partial" and gate["summary"]["waived"] is True
    assert gate["summary"]["input_checks"] == "warn"
    assert [(a["severity"], a["title"]) for a in alerts(night_warehouse)] == [
        ("warning", f"Phase 3 input contracts waived for {NIGHT}")]


def test_a_recomputed_upstream_shows_its_stale_downstream_and_a_full_rerun_fixes_it(nightly_dag, night_warehouse):
    run_dag(nightly_dag, NIGHT)  # the whole night, predictions included
    before = active_predictions(night_warehouse)
    player = sorted(before)[0]
    # A Phase 3 correction of the player's last game, then P2 recomputed alone.
    execute(night_warehouse, f"UPDATE {PGS} SET points = points + 6, three_pt_makes = three_pt_makes + 2, "
                             "three_pt_attempts = three_pt_attempts + 2, fg_makes = fg_makes + 2, "
                             "fg_attempts = fg_attempts + 2, unassisted_fg_makes = unassisted_fg_makes + 2 "
                             f"WHERE player_lookup = @p AND game_date = (SELECT MAX(game_date) FROM {PGS} "
                             "WHERE player_lookup = @p AND game_date < @d)", p=player, d=NIGHT)
    # dag.test() cannot clear a task of an earlier run: a run that executes P2 alone (every other
    # task marked success) stands for "P2 cleared without its downstream".
    _, states = run_dag(nightly_dag, NIGHT, mark_success_pattern=r"(?!phase4\.player_shot_zone_analysis$).*")
    assert states["phase4.player_shot_zone_analysis"] == "success"
    with LocalWarehouse(WarehouseSettings(local_path=night_warehouse)) as wh:
        stale = {r["processor_name"]: r["stale_reason"] for r in phase4_status(wh, NIGHT)}
    assert stale["player_shot_zone_analysis"] is None  # recomputed on the corrected inputs
    assert stale["team_defense_zone_analysis"] is None  # it does not read player box scores
    for downstream in ("player_composite_factors", "player_daily_cache", "ml_feature_store_v2"):
        assert stale[downstream] == "Phase 3 player_game_summary changed since it was computed; " \
                                    "player_shot_zone_analysis rewritten after it"

    run_dag(nightly_dag, NIGHT)  # everything again, as clearing P2 with its downstream does
    with LocalWarehouse(WarehouseSettings(local_path=night_warehouse)) as wh:
        assert {r["stale_reason"] for r in phase4_status(wh, NIGHT)} == {None}
    after = active_predictions(night_warehouse)
    changed = [p for p in before if p in after and len(after[p]) > 1]
    assert player in changed  # his features changed: re-predicted without force
    for name, rows in after.items():
        assert sum(r["is_active"] for r in rows) == 1, name  # never two active ones
    mine = {r["is_active"]: r for r in after[player]}
    assert mine[True]["feature_data_hash"] != mine[False]["feature_data_hash"]
    assert mine[True]["predicted_points"] != mine[False]["predicted_points"]
    unchanged = [p for p in before if len(after.get(p, [])) == 1]
    assert len(unchanged) > 0.8 * len(before)  # an unchanged feature row is never re-predicted
