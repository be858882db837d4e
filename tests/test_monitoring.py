"""The monitoring SQL and the night's status report, on a copy of the sample season."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from processors.cli import night_status as command
from processors.config import WarehouseSettings
from processors.monitoring import night_alerts, phase4_status, processing_times, render_night_status
from processors.phase4 import PROCESSOR_NAMES
from processors.phase4.night import run_night
from processors.warehouse.local import LocalWarehouse

NIGHT = dt.date(2025, 1, 15)
OTHER_NIGHT = dt.date(2025, 1, 16)


@pytest.fixture(scope="module")
def night(season_warehouse_settings, tmp_path_factory):
    """NIGHT run twice on a copy of the sample season; the status after each run, and one alert."""
    path = tmp_path_factory.mktemp("monitoring") / "night.duckdb"
    shutil.copy(season_warehouse_settings.local_path, path)
    wh = LocalWarehouse(WarehouseSettings(local_path=path))
    first = run_night(wh, NIGHT)
    status_first = phase4_status(wh, NIGHT)
    second = run_night(wh, NIGHT)
    status_second = phase4_status(wh, NIGHT)
    wh.append_rows("nba_reference.pipeline_alerts", [
        {"alert_id": "a2", "created_at": dt.datetime(2025, 1, 15, 4, 10, tzinfo=dt.UTC), "game_date": NIGHT,
         "severity": "warning", "title": "P2 slow", "message": "player_shot_zone_analysis took 16 min",
         "source": "player_shot_zone_analysis", "channels": ["log"]},
        {"alert_id": "a1", "created_at": dt.datetime(2025, 1, 15, 4, 5, tzinfo=dt.UTC), "game_date": NIGHT,
         "severity": "critical", "title": "Phase 4 late", "message": "deadline 01:00 ET missed",
         "source": "phase4_deadline", "channels": ["log", "slack"]},
        {"alert_id": "other", "created_at": dt.datetime(2025, 1, 16, 4, 5, tzinfo=dt.UTC), "game_date": OTHER_NIGHT,
         "severity": "info", "title": "another night", "message": None, "source": None, "channels": []},
    ])
    yield {"wh": wh, "first": first, "second": second, "status_first": status_first, "status_second": status_second}
    wh.close()


def test_one_row_per_processor_matching_the_run(night):
    rows = night["status_first"]
    assert [r["processor_name"] for r in rows] == list(PROCESSOR_NAMES)
    for row, result in zip(rows, night["first"], strict=True):
        assert row["processor_name"] == result.processor
        assert row["rows_in_table"] == result.rows_written > 0
        assert row["status"] == result.status
        assert row["records_processed"] == result.rows_written
        assert row["success_threshold"] == result.success_threshold > 0
        assert row["production_ready"] == result.production_ready
        assert row["quality"] == pytest.approx(result.quality)
        assert row["decision"] == result.decision == "computed"
        assert row["duration_seconds"] == pytest.approx(result.duration_seconds, abs=0.001)
        assert isinstance(row["last_run_at"], dt.datetime)
        assert row["runs"] == 1


def test_a_rerun_counts_two_runs_keeps_the_rows_and_shows_the_latest(night):
    first, second = night["status_first"], night["status_second"]
    for before, after, result in zip(first, second, night["second"], strict=True):
        assert after["runs"] == 2
        assert after["rows_in_table"] == before["rows_in_table"] == result.rows_written
        assert after["last_run_at"] > before["last_run_at"]
        assert after["duration_seconds"] == pytest.approx(result.duration_seconds, abs=0.001)


def test_processors_that_never_ran_show_null_status_and_no_rows(night):
    rows = phase4_status(night["wh"], OTHER_NIGHT)
    assert [r["processor_name"] for r in rows] == list(PROCESSOR_NAMES)
    for row in rows:
        assert row["rows_in_table"] == 0 and row["runs"] == 0
        assert row["status"] is None and row["success_threshold"] is None and row["last_run_at"] is None


def test_processing_times_over_the_night(night):
    rows = processing_times(night["wh"], NIGHT, NIGHT)
    assert [r["processor_name"] for r in rows] == list(PROCESSOR_NAMES)
    durations = {r.processor: [r.duration_seconds] for r in night["first"]}
    for r in night["second"]:
        durations[r.processor].append(r.duration_seconds)
    for row in rows:
        seconds = durations[row["processor_name"]]
        assert row["nights"] == 1 and row["runs"] == 2 and row["successful_runs"] == 2
        assert row["failed_runs"] == 0 and row["skipped_runs"] == 0
        assert row["max_seconds"] == pytest.approx(max(seconds), abs=0.002)
        assert row["avg_seconds"] == pytest.approx(sum(seconds) / 2, abs=0.002)
        assert row["median_seconds"] == pytest.approx(row["avg_seconds"], abs=0.002)  # median of two = mean
    assert processing_times(night["wh"], dt.date(2025, 2, 1), dt.date(2025, 2, 28)) == []
    with pytest.raises(ValueError, match="before"):
        processing_times(night["wh"], OTHER_NIGHT, NIGHT)


def test_night_alerts_are_the_nights_only_oldest_first(night):
    alerts = night_alerts(night["wh"], NIGHT)
    assert [a["title"] for a in alerts] == ["Phase 4 late", "P2 slow"]
    assert alerts[0] == {"alert_id": "a1", "created_at": dt.datetime(2025, 1, 15, 4, 5, tzinfo=dt.UTC),
                         "severity": "critical", "source": "phase4_deadline", "title": "Phase 4 late",
                         "message": "deadline 01:00 ET missed", "channels": ["log", "slack"], "channel_outcomes": None,
                         "dag_run_id": None}


def test_render_night_status(night):
    text = render_night_status(night["wh"], NIGHT)
    assert text.startswith("Night of game_date 2025-01-15")
    for name in PROCESSOR_NAMES:
        assert name in text
    assert "Phase 4 late" in text and "deadline 01:00 ET missed" in text and "no alerts" not in text
    feb = render_night_status(night["wh"], dt.date(2025, 2, 20))
    assert "no alerts" in feb and feb.count("not run") == 5


def test_command_line_prints_the_night_and_processing_time(night, monkeypatch, capsys):
    wh = night["wh"]
    wh.close()   # the command opens the file itself; the fixture reconnects on its next query
    monkeypatch.setenv("NBA_WAREHOUSE_BACKEND", "local")
    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(wh.path))
    assert command.main(["--date", "2025-01-15"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == render_night_status(wh, NIGHT).strip()
    wh.close()
    assert command.main(["--processing-time", "--start", "2025-01-15", "--end", "2025-01-16"]) == 0
    out = capsys.readouterr().out
    assert "2025-01-15 to 2025-01-16" in out and all(name in out for name in PROCESSOR_NAMES)


@pytest.mark.parametrize(("args", "message"), [
    (["--date", "2025-02-30"], "argument --date: expected an ISO date"),
    (["--processing-time", "--start", "x"], "argument --start: expected an ISO date"),
    (["--processing-time", "--start", "2025-01-15", "--end", "15/01/2025"], "argument --end"),
    (["--processing-time", "--start", "2025-01-15", "--end", "2025-01-14"], "--end 2025-01-14 is before --start"),
    (["--processing-time"], "needs --start"),
    ([], "give --date"),
])
def test_command_line_rejects_bad_input(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        command.main(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_a_skipped_phase5_night_shows_what_was_ready_and_no_coverage_without_eligible(night):
    """A backfill night (Phase 5 skipped) still shows its production-ready eligible players;
    a night with no eligible players shows no coverage figure rather than `None %`."""
    from processors.config import PipelineSettings
    from processors.phase5.coordinator import PREDICTIONS_OFF, Coordinator, Plan, player_sets

    wh = night["wh"]
    skipped = Coordinator(wh, NIGHT, PipelineSettings(), publisher=None, alert=None)
    skipped.record_skip(Plan(False, "backfill run: predictions are off for backfills (predictions=auto)", PREDICTIONS_OFF))
    sets = player_sets(wh, NIGHT, 15)
    assert sets.ready > 50
    report = render_night_status(wh, NIGHT)
    assert f"Phase 5: eligible {sets.eligible}, ready {sets.ready} (production-ready eligible), predicted 0, " \
           "coverage 0.0 %" in report

    Coordinator(wh, NIGHT, PipelineSettings(), publisher=None, alert=None, min_minutes=48).record_skip(Plan(False, "off"))
    report = render_night_status(wh, NIGHT)
    assert "eligible 0, ready 0 (production-ready eligible), predicted 0, coverage n/a (no eligible players)" in report
    assert "None %" not in report
