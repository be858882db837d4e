"""Runs named by their night (issue 13, item 3): the nightly timetable's run ids, one time zone
(New York) in every id Airflow builds from it, the plugin that registers it, and the note
naming the night that the scheduler writes on every run. Item 4's refusal of a manual run
without game_date is in tests/test_params.py."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pendulum
import pytest

from airflow_fixtures import DAG_ID
from nba_airflow.night import NightUnknown, night_for
from nba_airflow.run_notes import night_note, on_dag_run_running
from nba_airflow.timetables import NightlyTimetable, is_schedule_tick, night_after

UTC = pendulum.timezone("UTC")
OFFSET = re.compile(r"[+-]\d{2}:\d{2}")


def tick(day: dt.date) -> pendulum.DateTime:
    """The 23:00 New York tick of a day, as Airflow stores it (UTC)."""
    return pendulum.datetime(day.year, day.month, day.day, 23, tz="America/New_York").in_timezone(UTC)


def scheduled_id(timetable, at: dt.datetime, run_type: str = "scheduled") -> str:
    """The id as the scheduler asks for it (scheduler_job_runner: run_after and data interval from the DB)."""
    from airflow.timetables.base import DataInterval
    from airflow.utils.types import DagRunType

    return timetable.generate_run_id(run_type=DagRunType(run_type), run_after=at, data_interval=DataInterval(at, at))


@pytest.fixture(scope="module")
def scheduler_dag(nightly_dag):
    """The DAG as the scheduler, the dag-processor and the API server load it (serialized)."""
    from airflow.serialization.serialized_objects import DagSerialization

    return DagSerialization.deserialize_dag(DagSerialization.serialize_dag(nightly_dag))


# --- the timetable's ids -------------------------------------------------------------------------

@pytest.mark.parametrize(("run_after", "run_id"), [
    (tick(dt.date(2025, 1, 14)), "scheduled__night_2025-01-15__2025-01-14T23:00:00-05:00"),
    (tick(dt.date(2025, 6, 30)), "scheduled__night_2025-07-01__2025-06-30T23:00:00-04:00"),
    # DST starts at 02:00 on 2025-03-09 and ends at 02:00 on 2025-11-02: the ticks around both.
    (tick(dt.date(2025, 3, 8)), "scheduled__night_2025-03-09__2025-03-08T23:00:00-05:00"),
    (tick(dt.date(2025, 3, 9)), "scheduled__night_2025-03-10__2025-03-09T23:00:00-04:00"),
    (tick(dt.date(2025, 11, 1)), "scheduled__night_2025-11-02__2025-11-01T23:00:00-04:00"),
    (tick(dt.date(2025, 11, 2)), "scheduled__night_2025-11-03__2025-11-02T23:00:00-05:00"),
    (tick(dt.date(2024, 12, 31)), "scheduled__night_2025-01-01__2024-12-31T23:00:00-05:00"),
])
def test_a_scheduled_run_is_named_by_its_night_then_its_tick_in_new_york_time(run_after, run_id):
    assert scheduled_id(NightlyTimetable(), run_after) == run_id


def test_a_backfill_run_would_be_named_by_its_night_too_when_airflow_asks_the_timetable():
    assert scheduled_id(NightlyTimetable(), tick(dt.date(2025, 1, 14)), "backfill") == \
        "backfill__night_2025-01-15__2025-01-14T23:00:00-05:00"


def test_a_manual_run_is_named_by_its_trigger_time_in_new_york():
    """Its night comes from the game_date param, which generate_run_id never sees: no night in the id."""
    from airflow.utils.types import DagRunType

    at = pendulum.datetime(2026, 11, 30, 15, 4, 5, 123456, tz=UTC)
    assert NightlyTimetable().generate_run_id(run_type=DagRunType.MANUAL, run_after=at, data_interval=None) == \
        "manual__2026-11-30T10:04:05.123456-05:00"


def test_a_year_of_ticks_has_unique_ids_each_naming_its_night_in_one_time_zone():
    from airflow.timetables.base import TimeRestriction

    timetable = NightlyTimetable()
    restriction = TimeRestriction(earliest=tick(dt.date(2024, 10, 1)), latest=tick(dt.date(2025, 10, 1)), catchup=True)
    infos, last = [], None
    while (info := timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)):
        infos.append(info)
        last = info.data_interval
    assert len(infos) == 366  # 2024-10-01 to 2025-10-01, both ends included
    ids = [scheduled_id(timetable, info.run_after) for info in infos]
    assert len(set(ids)) == len(ids)
    for info, run_id in zip(infos, ids, strict=True):
        night = pendulum.instance(info.logical_date).in_timezone("America/New_York").date() + dt.timedelta(days=1)
        assert run_id.startswith(f"scheduled__night_{night}__")
        assert set(OFFSET.findall(run_id)) <= {"-05:00", "-04:00"}, run_id
        assert is_schedule_tick(info.logical_date) and night_after(info.logical_date) == night


def test_the_ticks_are_those_of_cron_trigger_timetable_in_new_york_time():
    """Same schedule semantics: the same instants for run_after, logical date and data interval."""
    from airflow.timetables.base import TimeRestriction
    from airflow.timetables.trigger import CronTriggerTimetable

    plain = CronTriggerTimetable("0 23 * * *", timezone="America/New_York")
    ours = NightlyTimetable()
    for earliest in (pendulum.parse("2025-01-09T23:00:00-05:00"), pendulum.parse("2025-01-10T04:00:00Z"),
                     pendulum.parse("2025-01-09T00:00:00Z"), pendulum.parse("2025-03-09T12:00:00-04:00")):
        restriction = TimeRestriction(earliest=earliest, latest=earliest + dt.timedelta(days=5), catchup=True)
        last_plain = last_ours = None
        for _ in range(5):
            a = plain.next_dagrun_info(last_automated_data_interval=last_plain, restriction=restriction)
            b = ours.next_dagrun_info(last_automated_data_interval=last_ours, restriction=restriction)
            assert (b.run_after, b.data_interval.start, b.data_interval.end) == \
                (a.run_after, a.data_interval.start, a.data_interval.end)
            assert {str(d.tzinfo.name) for d in (b.run_after, *b.data_interval)} == {"America/New_York"}
            last_plain, last_ours = a.data_interval, b.data_interval
    assert ours.summary == "0 23 * * *" and ours.description == "At 23:00 America/New_York, for the next day's games"


# --- what Airflow builds from it ----------------------------------------------------------------

@pytest.mark.parametrize("from_date", ["2025-01-09T23:00:00-05:00", "2025-01-10T04:00:00+00:00", "2025-01-09T20:00:00-08:00"])
def test_backfill_run_ids_are_all_in_new_york_time_whatever_the_offset_typed(scheduler_dag, from_date):
    """Airflow 3.3 names backfill runs itself (models/backfill.py: DagRun.generate_run_id with the
    DagRunInfo's run_after): with the plain CronTriggerTimetable the first id carried the offset of
    --from-date and the others +00:00."""
    from airflow.models.backfill import _get_info_list
    from airflow.models.dagrun import DagRun
    from airflow.utils.types import DagRunType

    infos = _get_info_list(from_date=pendulum.parse(from_date), to_date=pendulum.parse("2025-01-11T23:00:00-05:00"),
                           reverse=False, dag=scheduler_dag)
    assert [DagRun.generate_run_id(run_type=DagRunType.BACKFILL_JOB, logical_date=i.logical_date, run_after=i.run_after)
            for i in infos] == ["backfill__2025-01-09T23:00:00-05:00", "backfill__2025-01-10T23:00:00-05:00",
                                "backfill__2025-01-11T23:00:00-05:00"]


def test_the_trigger_form_and_rest_api_name_a_manual_run_in_new_york_time(scheduler_dag):
    from airflow.api_fastapi.core_api.datamodels.dag_run import TriggerDAGRunPostBody

    body = TriggerDAGRunPostBody(logical_date=pendulum.datetime(2026, 11, 30, 15, 4, 5, tz=UTC), conf={},
                                 run_after=pendulum.datetime(2026, 11, 30, 15, 4, 5, 123456, tz=UTC))
    assert body.validate_context(scheduler_dag)["run_id"] == "manual__2026-11-30T10:04:05.123456-05:00"


# --- the plugin ---------------------------------------------------------------------------------

def test_the_plugin_registers_the_timetable_and_the_note_listener():
    from airflow import plugins_manager

    from nba_airflow import run_notes

    plugins, errors = plugins_manager._get_plugins()
    assert not errors
    ours = [p for p in plugins if p.name == "nba_pipeline"]
    assert len(ours) == 1 and str(ours[0].source).endswith("nba_plugin.py")
    assert plugins_manager.get_timetables_plugins()["nba_airflow.timetables.NightlyTimetable"] is NightlyTimetable
    assert ours[0].listeners == [run_notes]


def test_the_dag_serializes_with_its_timetable(nightly_dag, scheduler_dag):
    """What the scheduler needs: without the plugin, deserializing the DAG fails (TimetableNotRegistered)."""
    assert type(nightly_dag.timetable) is NightlyTimetable
    assert type(scheduler_dag.timetable) is NightlyTimetable and scheduler_dag.timetable == nightly_dag.timetable


# --- the note -----------------------------------------------------------------------------------

def fake_run(run_type: str, logical_date, conf=None, note=None, timetable=None):
    return SimpleNamespace(dag=SimpleNamespace(timetable=timetable or NightlyTimetable()), run_type=run_type,
                           logical_date=logical_date, run_after=logical_date or pendulum.now(UTC), conf=conf,
                           note=note, run_id=f"{run_type}__x")


@pytest.mark.parametrize(("run", "note"), [
    (fake_run("scheduled", tick(dt.date(2025, 1, 14))), "Night of game_date 2025-01-15"),
    (fake_run("backfill", tick(dt.date(2025, 3, 9))), "Night of game_date 2025-03-10"),
    (fake_run("manual", pendulum.datetime(2026, 11, 30, 15, tz=UTC), {"game_date": "2025-01-20"}),
     "Night of game_date 2025-01-20"),
    (fake_run("manual", None, {"game_date": "2025-01-20"}), "Night of game_date 2025-01-20"),
    (fake_run("manual", tick(dt.date(2025, 1, 14)), {"game_date": None}), "Night of game_date 2025-01-15"),
    # No night: check_params refuses these runs, saying why.
    (fake_run("manual", pendulum.datetime(2026, 11, 30, 15, tz=UTC), {"game_date": None}), None),
    (fake_run("manual", None, {}), None),
    (fake_run("manual", None, {"game_date": "2025-02-30"}), None),
    # Another DAG's runs.
    (fake_run("scheduled", tick(dt.date(2025, 1, 14)), timetable=object()), None),
])
def test_the_note_names_the_night_as_the_tasks_compute_it(run, note):
    assert night_note(run) == note
    on_dag_run_running(dag_run=run, msg="started")
    assert run.note == note


def test_a_note_given_at_trigger_time_is_kept():
    run = fake_run("manual", None, {"game_date": "2025-01-20"}, note="rerun for the late box scores")
    on_dag_run_running(dag_run=run, msg="started")
    assert run.note == "rerun for the late box scores"


def test_the_scheduler_writes_the_note_into_the_metadata_db(nightly_dag):
    """Runs created in the metadata DB as the scheduler and the REST API create them, then started the way
    the scheduler starts a queued run (its listener hook, its session, its commit)."""
    import os

    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import DagBag, sync_bag_to_db
    from airflow.listeners.listener import get_listener_manager
    from airflow.models.dagbag import DBDagBag
    from airflow.models.dagrun import DagRun
    from airflow.timetables.base import DataInterval
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunTriggeredByType, DagRunType
    from sqlalchemy import delete, select

    with create_session() as session:
        DagBundlesManager().sync_bundles_to_db(session=session)
    sync_bag_to_db(DagBag(dag_folder=os.environ["AIRFLOW__CORE__DAGS_FOLDER"]), "dags-folder", None)
    runs = [(DagRunType.SCHEDULED, tick(dt.date(2025, 1, 14)), {}, None),
            (DagRunType.MANUAL, pendulum.datetime(2026, 11, 30, 15, 4, 5, tz=UTC), {"game_date": "2025-01-20"}, None),
            (DagRunType.MANUAL, pendulum.datetime(2026, 11, 30, 15, 5, 5, tz=UTC), {"game_date": None}, None),
            (DagRunType.MANUAL, pendulum.datetime(2026, 11, 30, 15, 6, 5, tz=UTC), {"game_date": "2025-01-21"}, "mine")]
    with create_session() as session:
        dag = DBDagBag().get_latest_version_of_dag(DAG_ID, session=session)
        session.execute(delete(DagRun).where(DagRun.dag_id == DAG_ID))
        for run_type, at, conf, note in runs:
            interval = DataInterval(at, at)
            dag.create_dagrun(run_id=dag.timetable.generate_run_id(run_type=run_type, run_after=at, data_interval=interval),
                              logical_date=at, data_interval=interval, run_after=at, conf=conf, run_type=run_type,
                              triggered_by=DagRunTriggeredByType.TEST, state=DagRunState.QUEUED, note=note, session=session)
        session.commit()
        for dag_run in session.scalars(select(DagRun).where(DagRun.dag_id == DAG_ID)):
            dag_run.dag, dag_run.state = dag, DagRunState.RUNNING  # as _start_queued_dagruns does
            dag_run.notify_dagrun_state_changed(msg="started")
        assert get_listener_manager().hook.on_dag_run_running.get_hookimpls()
    with create_session() as session:
        notes = {r.run_id: r.note for r in session.scalars(select(DagRun).where(DagRun.dag_id == DAG_ID))}
        session.execute(delete(DagRun).where(DagRun.dag_id == DAG_ID))
    assert notes == {
        "scheduled__night_2025-01-15__2025-01-14T23:00:00-05:00": "Night of game_date 2025-01-15",
        "manual__2026-11-30T10:04:05-05:00": "Night of game_date 2025-01-20",
        "manual__2026-11-30T10:05:05-05:00": None,  # no night: check_params refuses it
        "manual__2026-11-30T10:06:05-05:00": "mine",
    }


# --- the night rule behind both ----------------------------------------------------------------

@pytest.mark.parametrize(("game_date", "logical_date", "kind", "night"), [
    ("2025-01-20", None, "manual", dt.date(2025, 1, 20)),
    (None, tick(dt.date(2025, 1, 14)), "manual", dt.date(2025, 1, 15)),     # `airflow dags test DAG <tick>`
    (None, tick(dt.date(2025, 1, 14)), "scheduled", dt.date(2025, 1, 15)),
    (None, tick(dt.date(2025, 3, 9)), "backfill", dt.date(2025, 3, 10)),
    (None, pendulum.datetime(2025, 1, 15, 4, 0, 1, tz=UTC), "scheduled", dt.date(2025, 1, 15)),
])
def test_night_for(game_date, logical_date, kind, night):
    assert night_for(game_date, logical_date, None, kind) == night


@pytest.mark.parametrize("logical_date", [
    None, pendulum.datetime(2026, 11, 30, 15, 4, 5, tz=UTC), pendulum.datetime(2025, 1, 15, 4, 0, 1, tz=UTC),
    pendulum.datetime(2025, 1, 14, 23, tz=UTC),  # 23:00 UTC is 18:00 in New York: no tick
])
def test_a_manual_run_without_game_date_off_the_ticks_names_no_night(logical_date):
    with pytest.raises(NightUnknown, match=r"^a manual run needs param game_date \(YYYY-MM-DD\): the night to compute"):
        night_for(None, logical_date, pendulum.datetime(2026, 11, 30, 15, tz=UTC), "manual")


def test_a_run_triggered_by_another_dag_needs_game_date_too():
    with pytest.raises(NightUnknown, match=r"^a run of type operator_triggered needs param game_date"):
        night_for(None, pendulum.datetime(2026, 11, 30, 15, tz=UTC), None, "operator_triggered")
    assert night_for("2025-01-20", pendulum.datetime(2026, 11, 30, 15, tz=UTC), None, "operator_triggered") == \
        dt.date(2025, 1, 20)
