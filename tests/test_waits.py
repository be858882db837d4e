"""Waiting costs nothing: clock waits defer to the triggerer, data waits poll with backoff.

Unit tests move the waits' clock (nba_airflow.sensors.utcnow as each module imported it);
one dag.test() shows a real deferral resolved by the inline trigger. No test asserts on
wall-clock durations."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from types import SimpleNamespace

import pendulum
import pytest
from airflow.providers.standard.triggers.temporal import DateTimeTrigger
from airflow.sdk.exceptions import AirflowRescheduleException, TaskDeferred
from airflow.triggers.base import TaskSuccessEvent

from nba_airflow import phase5, sensors
from nba_airflow.phase5 import PacificClockSensor, Phase5ReadinessSensor
from nba_airflow.sensors import Phase3ReadinessSensor, duration_text, moment_text

NIGHT = dt.date(2025, 1, 15)
RETRY_1 = pendulum.datetime(2025, 1, 15, 6, 15, tz="America/Los_Angeles")


def context(**extra):
    return {"params": {"game_date": NIGHT.isoformat()},
            "ti": SimpleNamespace(dag_id="nba_nightly_predictions", task_id="phase5.wait",
                                  get_first_reschedule_date=lambda context: extra.get("first_poke")),
            "dag_run": SimpleNamespace(run_id="r", run_type="scheduled")}


@pytest.fixture
def clock(monkeypatch):
    """Set the clock every wait reads."""
    def set_to(moment):
        for module in (sensors, phase5):
            monkeypatch.setattr(module, "utcnow", lambda: pendulum.instance(moment))
    return set_to


@pytest.fixture
def logged(caplog):
    caplog.set_level(logging.INFO, logger="nba_airflow")
    return caplog


@pytest.mark.parametrize(("seconds", "text"), [
    (45, "45 s"), (250, "4 min 10 s"), (300, "5 min"), (900, "15 min"), (7 * 3600 + 12 * 60, "7 h 12 min"),
    (3600, "1 h"), (26 * 3600 + 5 * 60, "1 d 2 h 5 min"), (-3, "0 s")])
def test_durations_read_like_a_person_wrote_them(seconds, text):
    assert duration_text(seconds) == text


def test_moments_show_local_time_and_utc():
    assert moment_text(RETRY_1, "America/Los_Angeles", "PT") == "2025-01-15 06:15 PT (14:15 UTC)"
    evening = pendulum.datetime(2025, 1, 14, 20, tz="America/Los_Angeles")
    assert moment_text(evening, "America/Los_Angeles", "PT") == "2025-01-14 20:00 PT (2025-01-15 04:00 UTC)"


# --- clock waits ----------------------------------------------------------------------------------
def test_a_clock_wait_defers_to_the_triggerer_and_says_how_long(clock, logged):
    clock(RETRY_1.subtract(hours=7, minutes=12))
    sensor = PacificClockSensor(task_id="wait_until_retry_1", step="retry_1")
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute(context())
    trigger = deferred.value.trigger
    assert isinstance(trigger, DateTimeTrigger) and trigger.moment == RETRY_1 and trigger.end_from_trigger
    assert deferred.value.method_name == "execute_complete"
    assert deferred.value.timeout == dt.timedelta(hours=18)  # the sensor's timeout, as before
    assert "retry_1 at 2025-01-15 06:15 PT (14:15 UTC): waiting 7 h 12 min" in logged.text
    # The trigger is importable by the triggerer (a provider class, not from dags/).
    assert trigger.serialize()[0] == "airflow.providers.standard.triggers.temporal.DateTimeTrigger"


def test_a_past_clock_time_passes_at_once_without_deferring(clock, logged):
    clock(RETRY_1.add(seconds=1))
    assert PacificClockSensor(task_id="w", step="retry_1").execute(context()) is None
    assert "retry_1 at 2025-01-15 06:15 PT (14:15 UTC) already passed: continuing" in logged.text
    clock(pendulum.datetime(2025, 1, 15, 7, tz="America/Los_Angeles"))
    assert PacificClockSensor(task_id="w", step="status").execute(context()) is None
    assert "status check at 2025-01-15 07:00 PT (15:00 UTC) already passed: continuing" in logged.text


def test_the_trigger_ends_the_task_itself():
    """end_from_trigger: at the target the triggerer marks the task successful (no task start)."""
    trigger = DateTimeTrigger(moment=pendulum.now("UTC").subtract(seconds=1), end_from_trigger=True)
    event = asyncio.run(anext(trigger.run()))
    assert isinstance(event, TaskSuccessEvent)


def test_without_a_triggerer_the_clock_wait_falls_back_to_reschedule_pokes(clock):
    clock(RETRY_1.subtract(minutes=5))
    sensor = PacificClockSensor(task_id="w", step="retry_1", deferrable=False)
    assert sensor.mode == "reschedule"
    with pytest.raises(AirflowRescheduleException):
        sensor.execute(context())


def test_a_deferred_clock_wait_under_dags_test(nightly_dag, night_warehouse, monkeypatch, caplog):
    """`airflow dags test` runs the trigger inline: the wait defers, the trigger fires, the task ends."""
    from airflow_fixtures import run_dag

    caplog.set_level(logging.INFO)
    targets = []

    def two_seconds_after_the_first_look(self, context):
        targets[:] = targets or [pendulum.now("UTC").add(seconds=2)]
        return targets[0]

    monkeypatch.setattr(PacificClockSensor, "target", two_seconds_after_the_first_look)
    _, states = run_dag(nightly_dag, NIGHT, mark_success_pattern=r"(?!phase5\.wait_until_retry_1$).*")
    assert states["phase5.wait_until_retry_1"] == "success"
    assert re.search(r"retry_1 at .* PT \(.* UTC\): waiting \d s \(deferred to the triggerer", caplog.text)
    assert "running trigger in line" in caplog.text and "reached: continuing" in caplog.text
    assert pendulum.now("UTC") >= targets[0]  # it did wait for the trigger


# --- data waits -----------------------------------------------------------------------------------
@pytest.fixture
def not_ready(night_warehouse, monkeypatch):
    """The sample season before the night's team context landed and before Phase 4 ran;
    pokes every 300 s (Phase 3) / 60 s (Phase 5), as configured by default."""
    from airflow_fixtures import execute

    execute(night_warehouse, "DELETE FROM nba_analytics.upcoming_team_game_context WHERE game_date = @d", d=NIGHT)
    monkeypatch.setenv("NBA_SENSOR_POKE_SECONDS", "300")
    monkeypatch.setenv("NBA_SENSOR_TIMEOUT_SECONDS", str(3 * 3600))
    monkeypatch.setenv("NBA_PHASE5_POKE_SECONDS", "60")
    return night_warehouse


def next_poke_in(sensor, ctx) -> float:
    before = pendulum.now("UTC")
    with pytest.raises(AirflowRescheduleException) as rescheduled:
        sensor.execute(ctx)
    return (pendulum.instance(rescheduled.value.reschedule_date) - before).total_seconds()


def test_phase3_readiness_backs_off_exponentially_and_says_when_it_looks_again(not_ready, logged):
    sensor = Phase3ReadinessSensor(task_id="wait_for_upcoming_team_game_context", table="upcoming_team_game_context")
    assert (sensor.mode, sensor.exponential_backoff) == ("reschedule", True)
    first = next_poke_in(sensor, context())
    assert 150 - 1 <= first <= 300 + 1  # the first look again: half to one poke interval
    assert "not ready yet; next poke at " in logged.text and "(poke interval 5 min with backoff, at most 15 min)" \
        in logged.text
    # Ten minutes into the wait the pokes are further apart, never more than 3 poke intervals.
    later = next_poke_in(sensor, context(first_poke=pendulum.now("UTC").subtract(minutes=10)))
    assert 300 - 1 <= later <= 900 + 1
    hours_in = next_poke_in(sensor, context(first_poke=pendulum.now("UTC").subtract(hours=2)))
    assert 900 - 1 <= hours_in <= 900 + 1


def test_phase3_readiness_still_times_out_naming_the_table(not_ready, monkeypatch):
    from airflow.sdk.exceptions import AirflowSensorTimeout

    monkeypatch.setenv("NBA_SENSOR_TIMEOUT_SECONDS", "60")
    sensor = Phase3ReadinessSensor(task_id="w", table="upcoming_team_game_context")
    with pytest.raises(AirflowSensorTimeout, match="upcoming_team_game_context.*gave up after 60 s"):
        sensor.execute(context(first_poke=pendulum.now("UTC").subtract(minutes=2)))


def test_phase5_readiness_backs_off_but_never_past_the_backup_deadline(not_ready, monkeypatch, logged):
    sensor = Phase5ReadinessSensor(task_id="wait_for_phase4")
    assert (sensor.mode, sensor.exponential_backoff) == ("reschedule", True)
    deadline = pendulum.now("UTC").add(hours=3)
    monkeypatch.setattr(phase5, "backup_deadline", lambda game_date, settings: deadline)
    assert 30 - 1 <= next_poke_in(sensor, context()) <= 60 + 1
    assert 300 - 1 <= next_poke_in(sensor, context(first_poke=pendulum.now("UTC").subtract(hours=1))) <= 600 + 1
    assert "(poke interval 1 min with backoff, at most 10 min)" in logged.text and " PT (" in logged.text
    deadline = pendulum.now("UTC").add(seconds=20)  # sooner than any backoff: the next poke is the deadline
    with pytest.raises(AirflowRescheduleException) as rescheduled:
        sensor.execute(context(first_poke=pendulum.now("UTC").subtract(hours=1)))
    assert rescheduled.value.reschedule_date == deadline
