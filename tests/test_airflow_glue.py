"""The Airflow glue in plugins/nba_airflow, unit by unit (no DAG run)."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pendulum
import pytest
from airflow.sdk.exceptions import AirflowFailException

from nba_airflow import deadlines, notifiers
from nba_airflow.night import night_of, run_context
from nba_airflow.params import InvalidParams, validate_params
from nba_airflow.sensors import Phase3ReadinessSensor
from processors.alerts import Alert
from processors.config import ConfigError, PipelineSettings
from processors.run_history import RunContext, RunRecord, record_run
from processors.warehouse import Statement


@pytest.mark.parametrize(("params", "message"), [
    ({"game_date": "2025-02-30"}, "param game_date must be an ISO date YYYY-MM-DD, got '2025-02-30'"),
    ({"min_minutes": -1}, "param min_minutes must be an integer from 0 to 48 (the minutes of a regulation game), "
                          "got -1"),
    ({"min_minutes": "15"}, "param min_minutes must be an integer from 0 to 48 (the minutes of a regulation game), "
                            "got '15'"),
    ({"predictions": "maybe"}, "param predictions must be one of auto, on, off, got 'maybe'"),
    ({"input_checks": "off"}, "param input_checks must be one of enforce, warn, got 'off'"),
    ({"force": "true"}, "param force must be true or false, got 'true'"),
])
def test_each_invalid_param_is_named(params, message):
    with pytest.raises(InvalidParams) as info:
        validate_params(params)
    assert str(info.value) == message


def test_valid_params_are_normalised():
    assert validate_params({"game_date": "2025-01-15", "force": True, "min_minutes": 0, "predictions": "off",
                            "input_checks": "warn"}) == \
        {"game_date": "2025-01-15", "force": True, "min_minutes": 0, "predictions": "off", "input_checks": "warn"}
    assert validate_params({})["min_minutes"] == 15


@pytest.mark.parametrize(("logical_date", "game_date"), [
    (pendulum.datetime(2025, 1, 15, 4, tz="UTC"), dt.date(2025, 1, 15)),    # 23:00 EST on Jan 14
    (pendulum.datetime(2025, 7, 1, 3, tz="UTC"), dt.date(2025, 7, 1)),      # 23:00 EDT on Jun 30
    (pendulum.datetime(2025, 3, 10, 3, tz="UTC"), dt.date(2025, 3, 10)),    # the night DST starts
])
def test_the_night_is_the_new_york_date_plus_one(logical_date, game_date):
    assert night_of({"logical_date": logical_date, "params": {}}) == game_date


def test_the_game_date_param_wins():
    context = {"logical_date": pendulum.datetime(2025, 1, 15, 4, tz="UTC"), "params": {"game_date": "2025-02-01"}}
    assert night_of(context) == dt.date(2025, 2, 1)


def test_run_context_records_who_asked():
    context = {"dag_run": SimpleNamespace(run_type="backfill", run_id="backfill__x"), "params": {"force": True},
               "ti": SimpleNamespace(dag_id="d", task_id="t", try_number=2)}
    assert run_context(context) == RunContext(triggered_by="backfill", trigger_source="airflow", backfill_mode=True,
                                              force_reprocess=True, dag_id="d", dag_run_id="backfill__x",
                                              task_id="t", try_number=2)


def test_pipeline_settings_reject_bad_values():
    with pytest.raises(ConfigError, match="NBA_SENSOR_TIMEOUT_SECONDS must be a number, got 'soon'"):
        PipelineSettings.from_env({"NBA_SENSOR_TIMEOUT_SECONDS": "soon"})
    with pytest.raises(ConfigError, match="NBA_MESSAGING_TRANSPORT must be one of local, pubsub"):
        PipelineSettings.from_env({"NBA_MESSAGING_TRANSPORT": "carrier-pigeon"})


def test_unknown_phase3_table_fails_at_parse_time():
    with pytest.raises(ValueError, match="unknown Phase 3 table 'box_scores'"):
        Phase3ReadinessSensor(task_id="x", table="box_scores")


@pytest.fixture
def local_env(warehouse, monkeypatch):
    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(warehouse.path))
    warehouse.close()  # the code under test opens the file itself
    return warehouse


def alerts(warehouse) -> list[dict]:
    try:
        return warehouse.query(Statement("t.sql", "SELECT severity, title, channels FROM nba_reference.pipeline_alerts"))
    finally:
        warehouse.close()  # the code under test may open the file read-only: not beside a read-write connection


def test_a_failing_channel_never_fails_the_alert(local_env, monkeypatch):
    def broken(alert, settings):
        def send():
            raise ConnectionError("slack is down")
        return send

    monkeypatch.setattr(notifiers, "CHANNELS", {"slack": broken, "email": lambda alert, settings: lambda: None})
    delivered = notifiers.deliver(Alert(severity="warning", title="t", message="m", game_date=dt.date(2025, 1, 15)))
    assert delivered == ["log", "email"]
    assert alerts(local_env) == [{"severity": "warning", "title": "t", "channels": ["log", "email"]}]


def test_channels_without_connections_are_not_used(local_env):
    assert notifiers.deliver(Alert(severity="info", title="t", message="m")) == ["log"]


class TestPhase4Deadline:
    NIGHT = dt.date(2025, 1, 15)

    def context(self, started: dt.datetime, run_type="scheduled"):
        return {"params": {}, "logical_date": pendulum.datetime(2025, 1, 15, 4, tz="UTC"),
                "dag_run": SimpleNamespace(start_date=started, run_type=run_type, run_id="scheduled__x"),
                "ti": SimpleNamespace(dag_id="nba_nightly_predictions", task_id="phase4_deadline")}

    def test_the_earlier_of_sixty_minutes_and_one_am(self):
        on_time = pendulum.datetime(2025, 1, 14, 23, tz="America/New_York")
        assert deadlines.phase4_deadline(on_time, self.NIGHT) == (
            pendulum.datetime(2025, 1, 15, 0, tz="America/New_York"),
            "Phase 4 not complete 60 minutes after the run started")
        late_start = pendulum.datetime(2025, 1, 15, 0, 30, tz="America/New_York")
        assert deadlines.phase4_deadline(late_start, self.NIGHT) == (
            pendulum.datetime(2025, 1, 15, 1, tz="America/New_York"), "Phase 4 not complete by 01:00 ET")

    def test_waits_then_alerts_once_late(self, local_env):
        sensor = deadlines.Phase4DeadlineSensor(task_id="phase4_deadline")
        started = pendulum.datetime(2025, 1, 14, 23, tz="America/New_York")
        context = self.context(started)
        assert sensor.poke(context, now=started.add(minutes=30)) is False
        assert alerts(local_env) == []
        assert sensor.poke(context, now=started.add(minutes=61)) is True
        assert alerts(local_env) == [{"severity": "warning", "channels": ["log"],
                                      "title": "Phase 4 not complete 60 minutes after the run started"}]

    def finish_final_processor(self, warehouse, status: str, at: dt.datetime) -> None:
        """P5's outcome row, as if it had finished at `at` (record_run stamps the wall clock)."""
        record_run(warehouse, RunRecord(processor_name="ml_feature_store_v2", data_date=self.NIGHT, phase="phase4",
                                        status=status, started_at=at, duration_seconds=1.0), RunContext())
        warehouse.execute_script(Statement("t.sql", "UPDATE nba_reference.processor_run_history SET processed_at = "
                                                    "@at WHERE processor_name = 'ml_feature_store_v2'"), {"at": at})
        warehouse.close()

    def test_done_in_time_means_no_alert(self, local_env):
        started = pendulum.datetime(2025, 1, 14, 23, tz="America/New_York")
        self.finish_final_processor(local_env, "success", started.add(minutes=30))
        sensor = deadlines.Phase4DeadlineSensor(task_id="phase4_deadline")
        assert sensor.poke(self.context(started), now=started.add(hours=3)) is True
        assert alerts(local_env) == []

    def test_done_after_the_deadline_still_warns(self, local_env):
        """A check that itself runs late (e.g. queued behind the pool) must not stay quiet about a late P5."""
        started = pendulum.datetime(2025, 1, 14, 23, tz="America/New_York")
        self.finish_final_processor(local_env, "success", started.add(minutes=75))
        sensor = deadlines.Phase4DeadlineSensor(task_id="phase4_deadline")
        assert sensor.poke(self.context(started), now=started.add(hours=3)) is True
        assert alerts(local_env) == [{"severity": "warning", "channels": ["log"],
                                      "title": "Phase 4 not complete 60 minutes after the run started"}]

    def test_manual_runs_have_no_deadline(self):
        from airflow.sdk.exceptions import AirflowSkipException

        sensor = deadlines.Phase4DeadlineSensor(task_id="phase4_deadline")
        with pytest.raises(AirflowSkipException, match="scheduled runs only; this run is manual"):
            sensor.execute(self.context(pendulum.now("UTC"), run_type="manual"))

    def test_a_night_outside_every_season_has_no_deadline(self, local_env):
        """The scheduled off-season run: nothing to compute, so nothing is late (no alert)."""
        from airflow.sdk.exceptions import AirflowSkipException

        sensor = deadlines.Phase4DeadlineSensor(task_id="phase4_deadline")
        with pytest.raises(AirflowSkipException, match="no Phase 4 deadline: .*2025-01-15"):
            sensor.execute(self.context(pendulum.now("UTC")))
        assert alerts(local_env) == []

    def test_a_skipped_final_processor_completes_the_night(self, local_env):
        started = pendulum.datetime(2025, 1, 14, 23, tz="America/New_York")
        self.finish_final_processor(local_env, "skipped", started.add(minutes=5))
        sensor = deadlines.Phase4DeadlineSensor(task_id="phase4_deadline")
        assert sensor.poke(self.context(started), now=started.add(hours=3)) is True
        assert alerts(local_env) == []

    # --- deferred until the deadline (the DAG's way): one check there, no task start before ---------
    STARTED = pendulum.datetime(2025, 1, 14, 23, tz="America/New_York")

    @pytest.fixture
    def game_night(self, night_warehouse, monkeypatch, caplog):
        """The sample season (2025-01-15 has games); the watch's clock is set by each test."""
        caplog.set_level("INFO", logger="nba_airflow")
        return night_warehouse

    @staticmethod
    def night_alerts(path) -> list[tuple[str, str]]:
        from airflow_fixtures import select

        return [(r["severity"], r["title"]) for r in select(
            path, "SELECT severity, title FROM nba_reference.pipeline_alerts WHERE source = 'phase4_deadline'")]

    def test_waits_for_the_deadline_deferred_to_the_triggerer(self, game_night, monkeypatch, caplog):
        from airflow.sdk.exceptions import TaskDeferred

        monkeypatch.setattr(deadlines, "utcnow", lambda: self.STARTED.add(minutes=2))
        with pytest.raises(TaskDeferred) as deferred:
            deadlines.Phase4DeadlineSensor(task_id="phase4_deadline").execute(self.context(self.STARTED))
        trigger = deferred.value.trigger
        # Not end_from_trigger: the task resumes at the deadline to check and maybe alert.
        assert trigger.moment == self.STARTED.add(minutes=60) and trigger.end_from_trigger is False
        assert deferred.value.method_name == "execute_complete"
        assert ("Phase 4 of 2025-01-15 due at 2025-01-15 00:00 ET (05:00 UTC) (60 min after the run started): "
                "waiting 58 min (deferred to the triggerer), then one check") in caplog.text
        assert self.night_alerts(game_night) == []

    def test_resumed_at_the_deadline_one_check_and_one_alert(self, game_night, monkeypatch):
        monkeypatch.setattr(deadlines, "utcnow", lambda: self.STARTED.add(minutes=60, seconds=1))
        sensor = deadlines.Phase4DeadlineSensor(task_id="phase4_deadline")
        assert sensor.execute_complete(self.context(self.STARTED), event=self.STARTED.add(minutes=60)) is None
        assert self.night_alerts(game_night) == [("warning", "Phase 4 not complete 60 minutes after the run started")]

    def test_done_by_the_deadline_ends_quietly(self, game_night, monkeypatch):
        from airflow_fixtures import _when_unlocked

        _when_unlocked(self.finish_final_processor, game_night, "success", self.STARTED.add(minutes=59))
        monkeypatch.setattr(deadlines, "utcnow", lambda: self.STARTED.add(minutes=60))
        deadlines.Phase4DeadlineSensor(task_id="phase4_deadline").execute_complete(self.context(self.STARTED))
        assert self.night_alerts(game_night) == []

    def test_a_deadline_already_past_is_checked_at_once(self, game_night, monkeypatch, caplog):
        late_start = pendulum.datetime(2025, 1, 15, 0, 30, tz="America/New_York")
        monkeypatch.setattr(deadlines, "utcnow", lambda: late_start.add(hours=2))
        assert deadlines.Phase4DeadlineSensor(task_id="phase4_deadline").execute(self.context(late_start)) is None
        assert "Phase 4 of 2025-01-15 due at 2025-01-15 01:00 ET (06:00 UTC): already passed, checking now" \
            in caplog.text
        assert self.night_alerts(game_night) == [("warning", "Phase 4 not complete by 01:00 ET")]

    def test_a_locked_warehouse_at_the_deadline_is_looked_at_again(self, game_night, monkeypatch):
        from airflow.sdk.exceptions import TaskDeferred

        from processors.warehouse import WarehouseBusy

        def locked(warehouse, processor, game_date):
            raise WarehouseBusy(game_night, "locked", "PID 4242 (a Phase 4 processor)")

        now = self.STARTED.add(minutes=60)
        monkeypatch.setattr(deadlines, "utcnow", lambda: now)
        monkeypatch.setattr(deadlines, "latest_run", locked)
        sensor = deadlines.Phase4DeadlineSensor(task_id="phase4_deadline")
        with pytest.raises(TaskDeferred) as deferred:
            sensor.execute_complete(self.context(self.STARTED))
        assert deferred.value.trigger.moment == now.add(minutes=1) and deferred.value.kwargs == {"looks": 1}
        assert self.night_alerts(game_night) == []
        sensor.execute_complete(self.context(self.STARTED), looks=deadlines.MAX_LOOKS - 1)  # gives up: one warning
        assert self.night_alerts(game_night) == [("warning", "Phase 4 not complete 60 minutes after the run started")]


def test_the_shared_failure_notifier_renders_each_alert_afresh(monkeypatch):
    """One PipelineAlertNotifier instance sits in default_args: every failure must get its own text."""
    from nba_airflow import notifiers

    sent = []
    monkeypatch.setattr(notifiers, "raise_alert", lambda context, severity, title, message: sent.append(
        (severity, title, message)))
    notifier = notifiers.PipelineAlertNotifier()
    for task_id, error in (("phase4.player_daily_cache", "first failure"), ("check_input_contracts", "second one")):
        notifier({"ti": SimpleNamespace(task_id=task_id), "exception": ValueError(error)})
    assert sent == [("critical", "Task phase4.player_daily_cache failed", "first failure"),
                    ("critical", "Task check_input_contracts failed", "second one")]


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("NBA_DATASETS", '{"nba_precompute": "nba_precompute; DROP TABLE nba_raw.nbac_schedule; --"}',
     "NBA_DATASETS: the name of dataset nba_precompute must be letters, digits and underscores"),
    ("NBA_DATASETS", '{"nba_reference": "nba-reference"}', "the name of dataset nba_reference"),
    ("NBA_DATASETS", '{"nba_raw": 7}', "the name of dataset nba_raw"),
    ("NBA_GCP_PROJECT", "my-project`; DROP", "NBA_GCP_PROJECT must be a GCP project id"),
    ("NBA_GCP_PROJECT", "Prod", "NBA_GCP_PROJECT must be a GCP project id"),
    ("NBA_BQ_LOCATION", "US; DROP", "NBA_BQ_LOCATION must be a BigQuery location"),
])
def test_identifiers_from_configuration_are_names_or_a_clear_error(monkeypatch, setting, value, message):
    """Identifiers are the only values templated into SQL: checked once, when the settings load,
    on every path (environment or the Variable nba_pipeline), naming the setting."""
    from nba_airflow import settings as task_settings

    monkeypatch.setenv(setting, value)
    with pytest.raises(ConfigError, match=re.escape(message)) as caught:
        task_settings.warehouse_settings()
    assert isinstance(caught.value, AirflowFailException)  # a retry would read the same settings
    monkeypatch.delenv(setting)
    monkeypatch.setattr(task_settings, "configuration", lambda: {setting: value})  # as the Variable gives it
    with pytest.raises(ConfigError, match=re.escape(message)):
        task_settings.warehouse_settings()
