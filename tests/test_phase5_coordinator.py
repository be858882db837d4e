"""The platform's Phase 5 test plan, unit level, on hand-built nights (local backend)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pendulum
import pytest

from phase4_fixtures import League, day
from phase5_fixtures import Recorder
from processors.config import PipelineSettings
from processors.phase5.coordinator import (
    Coordinator,
    Phase5NotReady,
    backup_deadline,
    check_readiness,
    parse_trigger_request,
    plan_night,
    player_sets,
)
from processors.run_history import RunContext, RunRecord, record_run
from processors.warehouse import Statement

NIGHT = day(60)
SETTINGS = PipelineSettings()


def build_night(warehouse, total=450, ready=420, predicted=0, p5_ran=True, low_minutes=0):
    """`total` players expected on NIGHT (15 teams' worth), the first `ready` production ready,
    the first `predicted` with an active prediction; `low_minutes` more below 15 projected minutes."""
    league = League()
    league.game(day(0), "NYK", "BOS")  # opening night: NIGHT is mid-season
    league.game(day(58), "NYK", "BOS")
    league.game(NIGHT, "NYK", "BOS", status=1)
    for n in range(total + low_minutes):
        player = f"player{n:03d}"
        league.upcoming_player(player, "BOS", "NYK", NIGHT, avg_minutes_per_game_last_7=30.0 if n < total else 8.0)
        league.add("nba_predictions.ml_feature_store_v2", player_lookup=player, game_date=NIGHT, season_year=2024,
                   game_id="g", features=[20.0] * 25, feature_quality_score=90.0, is_production_ready=n < ready)
        if n < predicted:
            league.add("nba_predictions.player_prop_predictions", prediction_id=f"p{n}", system_id="moving_average_baseline",
                       player_lookup=player, game_date=NIGHT, is_active=True)
    league.load(warehouse)
    if p5_ran:
        record_run(warehouse, RunRecord(processor_name="ml_feature_store_v2", data_date=NIGHT, phase="phase4",
                                        status="success", started_at=dt.datetime.now(dt.UTC), duration_seconds=1),
                   RunContext())


def make_ready(warehouse, count):
    warehouse.execute_script(Statement("t.sql", """
        UPDATE nba_predictions.ml_feature_store_v2 SET is_production_ready = TRUE
        WHERE player_lookup IN (SELECT player_lookup FROM nba_predictions.ml_feature_store_v2
                                WHERE NOT is_production_ready ORDER BY player_lookup LIMIT @n)"""), {"n": count})


@pytest.fixture
def recorder():
    return Recorder()


def coordinator(warehouse, recorder, **kwargs) -> Coordinator:
    return Coordinator(warehouse, NIGHT, SETTINGS, publisher=recorder, alert=recorder.alert, **kwargs)


def requested(recorder) -> list[str]:
    return [m["player_lookup"] for _, messages in recorder.published for m in messages]


# --- readiness ---------------------------------------------------------------------------
def test_readiness_success(warehouse):
    build_night(warehouse, total=450, ready=420)
    readiness = check_readiness(warehouse, NIGHT, SETTINGS)
    assert readiness.ready and readiness.processor_complete
    assert (readiness.players_ready, readiness.players_total, readiness.ready_pct) == (420, 450, 93.3)


def test_not_ready_when_p5_has_not_run(warehouse):
    build_night(warehouse, p5_ran=False)
    readiness = check_readiness(warehouse, NIGHT, SETTINGS)
    assert not readiness.ready and "ml_feature_store_v2 has not run" in readiness.message


def test_not_ready_with_60_of_450(warehouse):
    build_night(warehouse, total=450, ready=60)
    readiness = check_readiness(warehouse, NIGHT, SETTINGS)
    assert not readiness.ready and readiness.ready_pct == 13.3
    assert "60 of 450 players production ready" in readiness.message


def test_one_hundred_ready_players_is_enough_whatever_the_share(warehouse):
    build_night(warehouse, total=450, ready=100)
    assert check_readiness(warehouse, NIGHT, SETTINGS).ready


# --- waiting ---------------------------------------------------------------------------------
def sensor_context():
    return {"params": {"game_date": NIGHT.isoformat()}, "ti": SimpleNamespace(dag_id="d", task_id="phase5.wait"),
            "dag_run": SimpleNamespace(run_id="r", run_type="scheduled")}


@pytest.fixture
def env_warehouse(warehouse, monkeypatch):
    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(warehouse.path))
    return warehouse


def test_wait_returns_at_once_when_ready(env_warehouse):
    from nba_airflow.phase5 import Phase5ReadinessSensor

    build_night(env_warehouse)
    env_warehouse.close()
    early = pendulum.datetime(NIGHT.year, NIGHT.month, NIGHT.day, 0, tz="America/Los_Angeles")
    assert Phase5ReadinessSensor(task_id="w").poke(sensor_context(), now=early) is True


def test_scheduler_style_wait_until_ready_then_give_up_at_the_deadline(env_warehouse):
    from nba_airflow.phase5 import Phase5ReadinessSensor

    build_night(env_warehouse, ready=60)
    env_warehouse.close()
    sensor = Phase5ReadinessSensor(task_id="w")
    deadline = backup_deadline(NIGHT, SETTINGS)
    assert deadline == pendulum.datetime(NIGHT.year, NIGHT.month, NIGHT.day, 6, 30, tz="America/Los_Angeles")
    assert sensor.poke(sensor_context(), now=deadline.subtract(minutes=40)) is False   # polls, not ready
    assert sensor.poke(sensor_context(), now=deadline.subtract(minutes=39)) is False
    assert sensor.poke(sensor_context(), now=deadline) is True                         # gives up at the deadline
    make_ready(env_warehouse, 100)
    env_warehouse.close()
    assert sensor.poke(sensor_context(), now=deadline.subtract(hours=2)) is True        # became ready


def test_a_past_clock_time_passes_at_once():
    from nba_airflow.phase5 import PacificClockSensor

    sensor = PacificClockSensor(task_id="c", step="retry_1")
    target = pendulum.datetime(NIGHT.year, NIGHT.month, NIGHT.day, 6, 15, tz="America/Los_Angeles")
    assert sensor.target(sensor_context()) == target
    assert sensor.poke(sensor_context(), now=target.subtract(seconds=1)) is False
    assert sensor.poke(sensor_context(), now=target) is True


# --- batches ------------------------------------------------------------------------------------
def test_batch_status_fully_complete_and_partial(warehouse):
    build_night(warehouse, total=420, ready=420, predicted=420)
    sets = player_sets(warehouse, NIGHT, 15)
    assert sets.fully_complete and sets.coverage_pct == 100.0
    warehouse.execute_script(Statement("t.sql", "UPDATE nba_predictions.player_prop_predictions SET is_active = FALSE "
                                                "WHERE player_lookup >= 'player300'"))
    sets = player_sets(warehouse, NIGHT, 15)
    assert not sets.fully_complete and (sets.eligible_predicted, sets.eligible, sets.coverage_pct) == (300, 420, 71.4)


def test_players_needing_retry(warehouse):
    build_night(warehouse, total=450, ready=420, predicted=380)
    assert player_sets(warehouse, NIGHT, 15).ready_unpredicted == 40


def test_dedup_when_complete_publishes_nothing(warehouse, recorder):
    build_night(warehouse, total=420, ready=420, predicted=420, low_minutes=30)  # low-minute players never count
    result = coordinator(warehouse, recorder).start_batch()
    assert (result.decision, recorder.published) == ("already_complete", [])
    assert player_sets(warehouse, NIGHT, 15).eligible == 420


def test_start_requests_ready_unpredicted_and_records_the_batch(warehouse, recorder):
    build_night(warehouse, total=450, ready=420, predicted=100)
    result = coordinator(warehouse, recorder).start_batch()
    assert result.requested == 320 and len(requested(recorder)) == 320
    topic, messages = recorder.published[0]
    assert topic == "prediction-request-prod"
    assert set(messages[0]) == {"player_lookup", "game_date", "game_id", "line_values", "team_abbr",
                                "opponent_team_abbr", "is_home", "projected_minutes", "batch_id", "timestamp"}
    assert messages[0]["line_values"] == [20.5] and messages[0]["batch_id"].startswith(f"batch_{NIGHT.isoformat()}_")
    batch = warehouse.query(Statement("t.sql", "SELECT run_id, status, records_processed, summary "
                                               "FROM nba_reference.processor_run_history "
                                               "WHERE processor_name = 'phase5_coordinator'"))
    assert len(batch) == 1 and batch[0]["run_id"] == result.batch_id and batch[0]["records_processed"] == 320
    assert batch[0]["summary"]["gap_players"] == 30 and batch[0]["summary"]["eligible"] == 450
    # 30 of 450 eligible (6.7 %) stay out: above 5 %, so a warning.
    assert [a[:2] for a in recorder.alerts] == [("warning", "Predictions batch leaves eligible players out")]


def test_not_ready_with_fewer_than_50_is_critical_and_fails(warehouse, recorder):
    build_night(warehouse, total=450, ready=40)
    with pytest.raises(Phase5NotReady, match="only 40 production-ready players .* manual intervention required"):
        coordinator(warehouse, recorder).start_batch()
    assert recorder.alerts[0][0] == "critical" and recorder.published == []


def test_between_50_and_ready_proceeds_on_partial_data_with_a_warning(warehouse, recorder):
    build_night(warehouse, total=450, ready=60)
    result = coordinator(warehouse, recorder).start_batch()
    assert result.requested == 60
    assert recorder.alerts[0][:2] == ("warning", "Predictions proceeding on partial Phase 4 data")


@pytest.mark.parametrize(("payload", "message"), [
    ({}, "trigger request needs game_date (YYYY-MM-DD)"),
    ({"game_date": "2025-13-01"}, "trigger request game_date must be an ISO date YYYY-MM-DD, got '2025-13-01'"),
])
def test_trigger_request_validation(payload, message):
    with pytest.raises(ValueError) as info:
        parse_trigger_request(payload)
    assert str(info.value) == message


def test_trigger_request_valid():
    assert parse_trigger_request({"game_date": "2025-01-15"}) == dt.date(2025, 1, 15)


def test_retry_with_nothing_to_do_is_a_success(warehouse, recorder):
    build_night(warehouse, total=450, ready=420, predicted=420)
    result = coordinator(warehouse, recorder).retry(1)
    assert (result.status, result.decision, recorder.published) == ("success", "complete", [])


def test_retry_requests_exactly_the_40_missing(warehouse, recorder):
    build_night(warehouse, total=450, ready=420, predicted=380)
    result = coordinator(warehouse, recorder).retry(1)
    assert result.requested == 40 and sorted(requested(recorder)) == [f"player{n:03d}" for n in range(380, 420)]


def test_status_check_below_90_percent_is_critical(warehouse, recorder):
    build_night(warehouse, total=450, ready=420, predicted=380)
    result = coordinator(warehouse, recorder).status_check()
    assert (result.coverage_pct, result.decision) == (84.4, "sla_missed")
    assert recorder.alerts[0][:2] == ("critical", "Predictions SLA missed")


def test_plan_skips_backfills_off_nights_and_the_bootstrap(warehouse):
    build_night(warehouse)
    assert plan_night(warehouse, NIGHT, "auto", "backfill").run is False
    assert plan_night(warehouse, NIGHT, "on", "backfill").run is True
    assert plan_night(warehouse, NIGHT, "off", "scheduled").reason == "predictions=off"
    assert "off night" in plan_night(warehouse, day(59), "auto", "scheduled").reason
    league = League()
    league.game(day(3), "NYK", "BOS", status=1)
    league.load(warehouse)
    assert "bootstrap (day 3)" in plan_night(warehouse, day(3), "auto", "scheduled").reason
    assert plan_night(warehouse, NIGHT, "auto", "manual").run is True


def test_readiness_on_a_night_without_feature_rows_is_zero_not_an_error(warehouse):
    """COUNTIF over no rows is 0 in BigQuery; locally it was NULL and int(None) crashed wait_for_phase4."""
    readiness = check_readiness(warehouse, NIGHT, SETTINGS)
    assert (readiness.players_total, readiness.players_ready, readiness.ready) == (0, 0, False)
