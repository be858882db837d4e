"""The nightly DAG's params (issue 12, defect 7): one definition of each param, the same answer
from Airflow's trigger-time schema and from check_params, unknown keys and nights outside the
schedule's seasons refused by name, and a refused run that writes and runs nothing after
check_params. Unit checks first, then whole runs through Airflow (dag.test)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pendulum
import pytest

from airflow_fixtures import logical_date_for, nightly_conf, run_dag, select
from nba_airflow.night import parse_game_date
from nba_airflow.params import NIGHTLY_PARAMS, InvalidParams, validate_params

NIGHT = dt.date(2025, 1, 15)
KNOWN = "game_date, force, min_minutes, predictions, input_checks"


# --- one definition: Airflow's schema and check_params give the same answer ---------------------

def schema_verdict(scheduler_dag, conf: dict) -> bool:
    """What Airflow itself says when a run is created with conf (create_dagrun's check, on the
    DAG as the scheduler and the API server see it): True = accepted."""
    from airflow.exceptions import ParamValidationError

    try:
        scheduler_dag.params.deep_merge(conf).validate()
    except ParamValidationError:
        return False
    return True


def check_params_verdict(conf: dict) -> bool:
    try:
        validate_params(conf)
    except InvalidParams:
        return False
    return True


@pytest.fixture(scope="module")
def scheduler_dag(nightly_dag):
    from airflow.serialization.serialized_objects import DagSerialization

    return DagSerialization.deserialize_dag(DagSerialization.serialize_dag(nightly_dag))


@pytest.mark.parametrize("conf", [
    {"min_minutes": 1_000_000_000}, {"min_minutes": 1e9}, {"min_minutes": 49}, {"min_minutes": -1},
    {"min_minutes": 15.5}, {"min_minutes": "15"}, {"min_minutes": True},
    {"min_minutes": 0}, {"min_minutes": 48}, {"min_minutes": 15.0},
    {"game_date": "20250115"}, {"game_date": "2025-W03-3"}, {"game_date": "2025-02-30"}, {"game_date": "2025-1-15"},
    {"game_date": "2025-01-15T00:00:00"}, {"game_date": " 2025-01-15"}, {"game_date": ""}, {"game_date": 20250115},
    {"game_date": "2025-01-15"}, {"game_date": None},
    {"force": "true"}, {"force": 1}, {"force": True},
    {"predictions": "maybe"}, {"predictions": "on"}, {"input_checks": "off"}, {"input_checks": "warn"},
])
def test_the_schema_and_check_params_agree(scheduler_dag, conf):
    assert check_params_verdict(conf) == schema_verdict(scheduler_dag, conf), conf


@pytest.mark.parametrize(("conf", "message"), [
    ({"min_minutes": 1_000_000_000},
     "param min_minutes must be an integer from 0 to 48 (the minutes of a regulation game), got 1000000000"),
    ({"min_minutes": 1e9},
     "param min_minutes must be an integer from 0 to 48 (the minutes of a regulation game), got 1000000000.0"),
    ({"game_date": "20250115"}, "param game_date must be an ISO date YYYY-MM-DD, got '20250115'"),
    ({"game_date": "2025-W03-3"}, "param game_date must be an ISO date YYYY-MM-DD, got '2025-W03-3'"),
])
def test_each_reported_value_is_refused_naming_the_param_and_its_bounds(conf, message):
    with pytest.raises(InvalidParams) as info:
        validate_params(conf)
    assert str(info.value) == message


def test_an_integral_float_is_the_integer_airflow_accepts():
    assert validate_params({"min_minutes": 15.0})["min_minutes"] == 15
    assert type(validate_params({"min_minutes": 15.0})["min_minutes"]) is int


def test_the_declared_params_carry_their_bounds():
    schemas = {name: param.schema for name, param in NIGHTLY_PARAMS.items()}
    assert (schemas["min_minutes"]["minimum"], schemas["min_minutes"]["maximum"]) == (0, 48)
    assert schemas["game_date"]["type"] == ["null", "string"]  # scheduled runs have none
    assert schemas["game_date"]["pattern"] == r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    assert all(param.description for param in NIGHTLY_PARAMS.values())


@pytest.mark.parametrize("value", ["20250115", "2025-W03-3", "2025-015", "2025-01-15T00:00", "2025-02-30"])
def test_the_night_of_a_game_date_is_strictly_an_iso_date(value):
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_game_date(value)
    assert parse_game_date("2025-01-15") == NIGHT


# --- unknown keys -----------------------------------------------------------------------------

def test_an_unknown_key_is_refused_by_name():
    with pytest.raises(InvalidParams) as info:
        validate_params({"min_minute": 20})
    assert str(info.value) == f"unknown param min_minute (did you mean min_minutes?); the params are {KNOWN}"


def test_every_problem_is_named_at_once():
    with pytest.raises(InvalidParams) as info:
        validate_params({"min_minutes": 60, "gamedate": "2025-01-15", "predictions": "maybe"})
    assert str(info.value).split("; ") == [
        "unknown param gamedate (did you mean game_date?)",
        f"the params are {KNOWN}",
        "param min_minutes must be an integer from 0 to 48 (the minutes of a regulation game), got 60",
        "param predictions must be one of auto, on, off, got 'maybe'",
    ]


# --- game_date outside the schedule's seasons --------------------------------------------------

def season_range(path) -> tuple[dt.date, dt.date]:
    row = select(path, "SELECT MIN(game_date) AS first, MAX(game_date) AS last FROM nba_raw.nbac_schedule "
                       "WHERE season_year = 2024")[0]
    return row["first"], row["last"]


def test_the_seasons_in_the_schedule(season_warehouse, season_warehouse_settings):
    from processors.phase4.calendar import schedule_seasons

    first, last = season_range(season_warehouse_settings.local_path)
    seasons = schedule_seasons(season_warehouse)
    assert [(s.label, s.first_game, s.last_game) for s in seasons] == [("2024-25", first, last)]
    assert seasons[0].contains(first) and seasons[0].contains(last) and not seasons[0].contains(dt.date(1900, 1, 1))


# --- whole runs through Airflow ----------------------------------------------------------------

def written(path) -> dict[str, int]:
    """Rows of the tables a run writes to whatever it does: alerts, run history, events, predictions."""
    return {table: select(path, f"SELECT COUNT(*) AS n FROM {table}")[0]["n"] for table in (
        "nba_reference.pipeline_alerts", "nba_reference.processor_run_history", "nba_reference.pipeline_events",
        "nba_predictions.player_prop_predictions")}


def all_alerts(path) -> list[dict]:
    return select(path, "SELECT severity, source, title, message, game_date FROM nba_reference.pipeline_alerts")


@pytest.mark.parametrize(("conf", "message"), [
    ({"min_minute": 20}, f"unknown param min_minute (did you mean min_minutes?); the params are {KNOWN}"),
    ({"game_date": "1900-01-01"}, "param game_date 1900-01-01 is outside every season in nba_raw.nbac_schedule "
                                  "(2024-25: {first} to {last})"),
])
def test_a_refused_run_writes_nothing_and_runs_nothing_after_check_params(nightly_dag, night_warehouse, conf,
                                                                           message):
    first, last = season_range(night_warehouse)
    message = message.format(first=first, last=last)
    before = written(night_warehouse)
    dag_run, states = run_dag(nightly_dag, NIGHT, conf)
    assert "failed" in str(dag_run.state)
    assert states.pop("check_params") == "failed"
    assert set(states.values()) <= {"upstream_failed", "skipped"}, states  # nothing else ran
    alerts = all_alerts(night_warehouse)
    assert len(alerts) == 1, alerts  # check_params's own failure alert, naming the param
    assert (alerts[0]["severity"], alerts[0]["source"]) == ("critical", "check_params")
    assert message in alerts[0]["message"]
    after = written(night_warehouse)
    assert after == {**before, "nba_reference.pipeline_alerts": before["nba_reference.pipeline_alerts"] + 1}


def test_a_value_beyond_the_bounds_is_refused_before_the_run_starts(nightly_dag, night_warehouse):
    """1e9 minutes: Airflow's schema refuses the run (the trigger form and the API say why); no run,
    no task, no alert."""
    from airflow.exceptions import ParamValidationError

    before = written(night_warehouse)
    with pytest.raises(ParamValidationError, match="min_minutes"):
        run_dag(nightly_dag, NIGHT, {"min_minutes": 1e9})
    assert written(night_warehouse) == before


def test_a_game_date_in_a_season_is_accepted_and_a_scheduled_off_season_night_skips_quietly(nightly_dag,
                                                                                            night_warehouse):
    """The season check is for a requested game_date only: an off-season night of the daily schedule
    is routine (tests/test_dag_runs.py: test_an_off_season_night_skips_quietly), and an off night
    inside a season is a night like any other (Phase 5 ends it quietly)."""
    first, _ = season_range(night_warehouse)
    dag_run, states = run_dag(nightly_dag, NIGHT, {"game_date": first.isoformat(), "predictions": "off"},
                              mark_success_pattern=r"phase3_readiness\..*|phase4.*|phase5\..*|publish_phase4_complete")
    assert states["check_params"] == "success" and "success" in str(dag_run.state)
    assert not all_alerts(night_warehouse)


def test_check_params_is_the_runs_setup_task(nightly_dag):
    """What makes a refused run stop: every task after check_params needs it to have succeeded,
    whatever its own trigger rule (phase4_audit and phase5.plan are all_done)."""
    check = nightly_dag.get_task("check_params")
    assert check.is_setup and not check.is_teardown
    assert {t.task_id for t in nightly_dag.tasks if t.task_id != "check_params"} <= \
        {t.task_id for t in check.get_flat_relatives(upstream=False)}


def test_check_params_reads_unknown_keys_from_the_run_conf_too():
    """With [core] dag_run_conf_overrides_params off, conf keys never reach the params: still refused."""
    from airflow.sdk.exceptions import AirflowFailException

    from nba_airflow.operators import CheckParamsOperator

    context = {"params": {"game_date": None, "force": False, "min_minutes": 15, "predictions": "auto",
                          "input_checks": "enforce"},
               "dag_run": SimpleNamespace(conf={"min_minute": 20}, run_type="manual", run_id="manual__x"),
               "logical_date": logical_date_for(NIGHT)}
    with pytest.raises(AirflowFailException, match="unknown param min_minute"):
        CheckParamsOperator(task_id="check_params").execute(context)


# --- a manual run names its night (issue 13, item 4) --------------------------------------------

REFUSED_MANUAL = "a manual run needs param game_date (YYYY-MM-DD): the night to compute"
# The trigger form's logical date is the time you open it: no 23:00 New York schedule tick.
FORM_LOGICAL_DATE = pendulum.datetime(2025, 1, 20, 15, 4, 5, tz="UTC")


def check_params_context(run_type: str, logical_date, game_date=None) -> dict:
    return {"params": {"game_date": game_date, "force": False, "min_minutes": 15, "predictions": "auto",
                       "input_checks": "enforce"},
            "dag_run": SimpleNamespace(conf={"game_date": game_date}, run_type=run_type, run_id=f"{run_type}__x",
                                       run_after=logical_date or FORM_LOGICAL_DATE),
            "logical_date": logical_date}


@pytest.mark.parametrize("logical_date", [FORM_LOGICAL_DATE, None])
def test_check_params_refuses_a_manual_run_without_game_date(logical_date):
    """The trigger form scenario: the date field empty (or cleared by the browser for a date that does
    not exist) sends game_date null; the night is not silently "today + 1"."""
    from airflow.sdk.exceptions import AirflowFailException

    from nba_airflow.operators import CheckParamsOperator

    with pytest.raises(AirflowFailException) as info:
        CheckParamsOperator(task_id="check_params").execute(check_params_context("manual", logical_date))
    assert str(info.value).startswith(REFUSED_MANUAL)
    assert "the trigger form sends none when its date field is empty or holds a date that does not exist" in \
        str(info.value)


@pytest.mark.parametrize(("run_type", "logical_date", "night"), [
    ("scheduled", logical_date_for(NIGHT), NIGHT),
    ("backfill", logical_date_for(NIGHT), NIGHT),
    ("manual", logical_date_for(NIGHT), NIGHT),  # `airflow dags test DAG 2025-01-14T23:00:00-05:00` (bin/run-night)
])
def test_check_params_accepts_a_run_whose_logical_date_is_a_tick(run_type, logical_date, night):
    from nba_airflow.operators import CheckParamsOperator

    out = CheckParamsOperator(task_id="check_params").execute(check_params_context(run_type, logical_date))
    assert out["game_date"] == night.isoformat()


def check_params_result(dag_run) -> dict:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = session.scalars(XComModel.get_many(run_id=dag_run.run_id, dag_ids=dag_run.dag_id, task_ids="check_params",
                                                 key="return_value")).one()
        return XComModel.deserialize_value(row)


def test_the_trigger_form_scenario_is_refused_with_a_message(nightly_dag, night_warehouse):
    """A manual run as the form sends it with the date field cleared: every param, game_date null,
    logical date = when the form was opened. check_params fails naming what is missing; nothing runs."""
    before = written(night_warehouse)
    dag_run = nightly_dag.test(logical_date=FORM_LOGICAL_DATE, run_conf=nightly_conf())
    states = {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in dag_run.get_task_instances()}
    assert "failed" in str(dag_run.state)
    assert states.pop("check_params") == "failed"
    assert set(states.values()) <= {"upstream_failed", "skipped"}, states
    alerts = all_alerts(night_warehouse)
    assert len(alerts) == 1 and alerts[0]["source"] == "check_params" and alerts[0]["game_date"] is None
    assert REFUSED_MANUAL in alerts[0]["message"]
    assert written(night_warehouse) == {**before, "nba_reference.pipeline_alerts": before["nba_reference.pipeline_alerts"] + 1}


def test_the_trigger_form_scenario_with_a_date_computes_the_night_typed(nightly_dag, night_warehouse):
    """The same form with game_date filled in: the night typed, not the one of the logical date."""
    typed = dt.date(2025, 1, 10)
    dag_run = nightly_dag.test(logical_date=FORM_LOGICAL_DATE, run_conf=nightly_conf(game_date=typed.isoformat(),
                                                                                     predictions="off"),
                               mark_success_pattern=r"phase3_readiness\..*|phase4.*|phase5\..*|publish_phase4_complete")
    assert "success" in str(dag_run.state)
    assert check_params_result(dag_run)["game_date"] == typed.isoformat()
