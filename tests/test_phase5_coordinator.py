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
from processors.phase5.worker import serve_requests
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
                                "opponent_team_abbr", "is_home", "projected_minutes", "batch_id", "timestamp",
                                "feature_data_hash"}
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
    with pytest.raises(Phase5NotReady, match="only 40 production-ready eligible players .* manual intervention "
                                             "required"):
        coordinator(warehouse, recorder).start_batch()
    assert recorder.alerts[0][0] == "critical" and recorder.published == []


def test_the_minimum_to_proceed_counts_ready_eligible_players_not_feature_rows(warehouse, recorder):
    """60 feature rows are production ready, but only 30 of them are players eligible tonight."""
    build_night(warehouse, total=30, ready=60, low_minutes=420)
    with pytest.raises(Phase5NotReady) as caught:
        coordinator(warehouse, recorder).start_batch()
    assert ("only 30 production-ready eligible players (of 30 eligible; 60 of 450 feature rows ready), "
            "minimum 50") in str(caught.value)
    assert recorder.alerts[0][:2] == ("critical", "Phase 4 not ready for predictions")


def test_between_50_and_ready_proceeds_on_partial_data_with_a_warning(warehouse, recorder):
    build_night(warehouse, total=450, ready=60)
    result = coordinator(warehouse, recorder).start_batch()
    assert result.requested == 60
    assert recorder.alerts[0][:2] == ("warning", "Predictions proceeding on partial Phase 4 data")


# --- predictions follow their features --------------------------------------------------------
def set_feature_hash(warehouse, data_hash, players=None, points_avg_last_5=None):
    """Recompute feature rows (all, or `players`): a new data_hash, and optionally a new last-5 average."""
    warehouse.execute_script(Statement("t.sql", """
        UPDATE nba_predictions.ml_feature_store_v2
        SET data_hash = @h,
            features = IF(@l5 IS NULL, features,
                          ARRAY_CONCAT([@l5], ARRAY(SELECT x FROM UNNEST(features) AS x WITH OFFSET AS i
                                                    WHERE i > 0 ORDER BY i)))
        WHERE game_date = @d AND (@all OR player_lookup IN UNNEST(@players))"""),
        {"h": data_hash, "l5": points_avg_last_5, "d": NIGHT, "all": players is None, "players": players or [""]})


def set_prediction_hash(warehouse, data_hash, players):
    warehouse.execute_script(Statement("t.sql", "UPDATE nba_predictions.player_prop_predictions "
                                                "SET feature_data_hash = @h WHERE player_lookup IN UNNEST(@players)"),
                             {"h": data_hash, "players": players})


def baseline_worker(warehouse):
    return lambda requests, replace: serve_requests(warehouse, NIGHT, requests, replace_existing=replace)


def active_predictions(warehouse, players) -> dict[str, list[tuple]]:
    """player -> (feature_data_hash, predicted_points) of each active prediction."""
    found = warehouse.query(Statement("t.sql", "SELECT player_lookup, feature_data_hash, predicted_points "
                                               "FROM nba_predictions.player_prop_predictions "
                                               "WHERE is_active AND player_lookup IN UNNEST(@players) "
                                               "ORDER BY player_lookup"), {"players": players})
    out: dict[str, list[tuple]] = {p: [] for p in players}
    for r in found:
        out[r["player_lookup"]].append((r["feature_data_hash"], float(r["predicted_points"])))
    return out


def test_player_sets_count_outdated_predictions(warehouse, recorder):
    build_night(warehouse, total=420, ready=420, predicted=420)
    set_feature_hash(warehouse, "h1")
    set_prediction_hash(warehouse, "h1", [f"player{n:03d}" for n in range(420)])
    assert player_sets(warehouse, NIGHT, 15).fully_complete
    set_feature_hash(warehouse, "h2", [f"player{n:03d}" for n in range(15)])          # 15 rows recomputed
    set_prediction_hash(warehouse, None, [f"player{n:03d}" for n in range(10, 15)])   # 5 without lineage

    sets = player_sets(warehouse, NIGHT, 15)

    assert (sets.outdated, sets.ready_unpredicted, sets.eligible_predicted) == (10, 10, 420)
    assert not sets.fully_complete and sets.coverage_pct == 100.0
    status = coordinator(warehouse, recorder).status_check()
    assert (status.decision, status.outdated) == ("sla_met", 10)
    assert status.message == ("420 of 420 eligible players predicted (100.0 %, SLA 90 %); "
                              "10 of them outdated (their feature rows changed since)")
    [(severity, title, message)] = recorder.alerts  # not silent, though the SLA is met
    assert (severity, title) == ("warning", "Predictions computed from superseded features")
    assert message.startswith(f"game_date {NIGHT}: 10 active predictions were computed from feature rows")


def test_request_messages_carry_the_feature_rows_data_hash(warehouse, recorder):
    build_night(warehouse, total=120, ready=120)
    warehouse.execute_script(Statement("t.sql", "UPDATE nba_predictions.ml_feature_store_v2 "
                                                "SET data_hash = CONCAT('hash-', player_lookup)"))
    coordinator(warehouse, recorder).start_batch()
    messages = recorder.published[0][1]
    assert len(messages) == 120
    assert all(m["feature_data_hash"] == f"hash-{m['player_lookup']}" for m in messages)


@pytest.mark.parametrize("step", ["start", "retry"])
def test_the_next_step_supersedes_predictions_whose_feature_row_changed(warehouse, recorder, step):
    build_night(warehouse, total=120, ready=120)
    set_feature_hash(warehouse, "h1")
    first = coordinator(warehouse, recorder, worker=baseline_worker(warehouse)).start_batch()
    assert (first.requested, first.outdated) == (120, 0)
    changed, kept = ["player000", "player001", "player002"], ["player003"]
    assert active_predictions(warehouse, changed + kept) == {p: [("h1", 76.0)] for p in changed + kept}
    # Phase 4 recomputes the night: three feature rows change (last-5 average 20 -> 30: 76.0 -> 81.0).
    set_feature_hash(warehouse, "h2", changed, points_avg_last_5=30.0)
    assert player_sets(warehouse, NIGHT, 15).outdated == 3

    night = coordinator(warehouse, recorder, worker=baseline_worker(warehouse))
    result = night.start_batch() if step == "start" else night.retry(1)

    assert (result.decision, result.requested, result.outdated) == ("requested", 3, 3)
    assert requested(recorder)[120:] == changed
    assert result.message == ("3 prediction requests published (3 outdated predictions re-requested; "
                              "120 of 120 eligible players predicted)")
    assert active_predictions(warehouse, changed + kept) == {**{p: [("h2", 81.0)] for p in changed},
                                                             "player003": [("h1", 76.0)]}
    # The superseded ones stay, inactive; nothing is left to do and an unchanged row is never re-predicted.
    total = warehouse.query(Statement("t.sql", "SELECT COUNTIF(is_active) AS active, COUNTIF(NOT is_active) AS "
                                               "inactive FROM nba_predictions.player_prop_predictions"))[0]
    assert (total["active"], total["inactive"]) == (120, 3)
    sets = player_sets(warehouse, NIGHT, 15)
    assert (sets.outdated, sets.ready_unpredicted, sets.fully_complete) == (0, 0, True)
    assert night.retry(2).decision == "complete"
    assert night.start_batch().decision == "already_complete" and len(requested(recorder)) == 123


def test_a_prediction_without_lineage_is_not_re_requested(warehouse, recorder):
    build_night(warehouse, total=120, ready=120, predicted=120)  # an external worker: no feature_data_hash
    set_feature_hash(warehouse, "h2")
    result = coordinator(warehouse, recorder).retry(1)
    assert (result.decision, recorder.published) == ("complete", [])


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
