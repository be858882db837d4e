"""The season view's data (one query for every night of a season) and its charts.

The per-night monitoring SQL behind the season report (season_report.night_row) is the
reference: on mini-season nights replayed once for the module, every figure of
season_nights.sql must be the one night_row reads for the night.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from mini_season import NIGHTS, load_mini_season
from phase4_fixtures import day
from processors.config import PROJECT_ROOT, PipelineSettings, WarehouseSettings
from processors.messaging import OutboxPublisher
from processors.monitoring import phase4_status
from processors.phase5.coordinator import Coordinator, Plan, plan_night
from processors.season_charts import NO_NIGHTS, season_chart_svgs
from processors.season_overview import Season, SeasonNight, season_night, season_nights, season_summary, seasons
from processors.season_report import night_row
from processors.season_shards import replay_season_rows
from processors.warehouse.local import LocalWarehouse

SVG = "{http://www.w3.org/2000/svg}"
# One night of each kind but the last (bootstrap, early season, off night, traded, after the break, regular):
# the nights after the last replayed one are the ones not reached yet.
REPLAYED = sorted(night for kind, night in NIGHTS.items() if kind != "last")


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    """The mini season with a handful of its nights replayed (two workers, about 15 s)."""
    path = tmp_path_factory.mktemp("season_overview") / "mini.duckdb"
    with LocalWarehouse(WarehouseSettings(local_path=path)) as warehouse:
        warehouse.create_schema()
        load_mini_season(warehouse)
    list(replay_season_rows(path, REPLAYED, workers=2))
    with LocalWarehouse(WarehouseSettings(local_path=path), read_only=True) as warehouse:
        all_seasons = seasons(warehouse)
        nights = season_nights(warehouse, all_seasons[0])
        reference = {night: night_row(warehouse, night) for night in REPLAYED}
        phase4 = {night: phase4_status(warehouse, night) for night in REPLAYED}
    return {"seasons": all_seasons, "nights": nights, "reference": reference, "phase4": phase4, "path": path}


@pytest.mark.slow
def test_every_replayed_night_has_the_figures_of_the_per_night_monitoring_queries(replayed):
    by_date = {n.game_date: n for n in replayed["nights"]}
    for night, expected in replayed["reference"].items():
        got = by_date[night]
        assert got.computed
        assert (got.day, got.games, got.p1_rows, got.p2_rows, got.p3_rows, got.p4_rows, got.p5_rows,
                got.p5_ready_pct, got.quality, got.phase5, got.eligible, got.ready, got.predicted, got.coverage_pct,
                got.alerts_warning, got.alerts_critical, got.sla) == (
            expected.day, expected.games, expected.p1_rows, expected.p2_rows, expected.p3_rows, expected.p4_rows,
            expected.p5_rows, expected.ready_pct, expected.quality, expected.phase5, expected.eligible,
            expected.ready, expected.predicted, expected.coverage_pct, expected.alerts_warning,
            expected.alerts_critical, expected.sla), night
    rows = replayed["reference"].values()
    assert any(r.sla == "met" for r in rows) or any(r.eligible for r in rows)  # the nights did Phase 5 work
    assert any(r.alerts_warning or r.alerts_critical for r in rows)


@pytest.mark.slow
def test_every_phase4_processor_has_its_latest_runs_figures(replayed):
    by_date = {n.game_date: n for n in replayed["nights"]}
    for night, status in replayed["phase4"].items():
        for position, processor in enumerate(status, 1):  # P1..P5
            key = f"p{position}"
            assert (getattr(by_date[night], f"{key}_rows"), getattr(by_date[night], f"{key}_ready_pct"),
                    getattr(by_date[night], f"{key}_duration_seconds")) == (
                processor["rows_in_table"], processor["ready_pct"] if processor["rows_in_table"] else None,
                processor["duration_seconds"]), (night, processor["processor_name"])
    regular = by_date[NIGHTS["regular"]]
    assert all(getattr(regular, f"p{k}_rows") > 0 and getattr(regular, f"p{k}_duration_seconds") > 0
               for k in range(1, 6))
    assert regular.phase5_step == "status" and regular.phase5_decision in ("sla_met", "sla_missed")


@pytest.mark.slow
def test_every_calendar_night_of_the_season_is_a_row_and_off_nights_have_no_games(replayed):
    nights = replayed["nights"]
    first, last = day(0), max(n.game_date for n in nights if n.games)
    assert [n.game_date for n in nights] == [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    assert [n.day for n in nights] == list(range(len(nights)))
    off = [n for n in nights if n.is_off_night]
    assert {n.game_date for n in off} >= {day(5), day(13), day(22)}
    assert all(n.games == 0 and n.sla == "" for n in off)
    assert [n.is_bootstrap for n in nights] == [n.day < 7 for n in nights]
    never_run = [n for n in nights if n.game_date not in replayed["reference"]]
    assert all(n.phase5 == "not run" and n.eligible is None and n.p5_ready_pct is None for n in never_run)
    # a game night before the last replayed one that nothing ran for: "not run", not a missed coverage
    # figure (no red cross at 0 %); after the last replayed night: not judged yet
    assert next(n for n in nights if n.game_date == day(28)).sla == "not run"
    assert [n.sla for n in nights if n.game_date > max(REPLAYED)] == [""] * (last - max(REPLAYED)).days


@pytest.mark.slow
def test_a_backfill_skipping_phase5_is_no_missed_sla_and_keeps_an_earlier_batchs_verdict(replayed, tmp_path):
    """A backfill recomputes Phase 4 with predictions off: its plan records a skip. On a night nothing
    predicted that is "skipped" (no red cross at 0 %); on a night a batch already predicted, the batch's
    predictions stay active and its verdict stands, in the season query as in night_row. A night the
    input gate blocked is skipped by the plan too, and stays a missed SLA."""
    path = tmp_path / "backfilled.duckdb"
    shutil.copy(replayed["path"], path)
    predicted_night = next(n for n in REPLAYED if replayed["reference"][n].sla)
    unpredicted_night = day(28)  # a game night before the last replayed one that nothing ran for
    # and a night whose inputs the gate refused: the plan skips it too, but predictions were due: missed
    blocked_night = next(n.game_date for n in replayed["nights"] if n.sla == "not run" and n.game_date != day(28))
    with LocalWarehouse(WarehouseSettings(local_path=path)) as warehouse:
        backfill = plan_night(warehouse, unpredicted_night, "auto", "backfill")  # as the DAG's phase5.plan decides
        for night, plan in ((predicted_night, backfill), (unpredicted_night, backfill),
                            (blocked_night, Plan.blocked(f"the Phase 3 input contracts of {blocked_night} are broken"))):
            Coordinator(warehouse, night, PipelineSettings(), publisher=OutboxPublisher(warehouse),
                        alert=lambda *args: None).record_skip(plan)
    with LocalWarehouse(WarehouseSettings(local_path=path), read_only=True) as warehouse:
        nights = {n.game_date: n for n in season_nights(warehouse, replayed["seasons"][0])}
        rows = {night: night_row(warehouse, night) for night in (predicted_night, unpredicted_night, blocked_night)}
    before = {n.game_date: n for n in replayed["nights"]}
    assert nights[predicted_night] == before[predicted_night]
    assert rows[predicted_night] == replayed["reference"][predicted_night]
    skipped = nights[unpredicted_night]
    assert (skipped.sla, skipped.phase5, skipped.eligible, skipped.coverage_pct) == ("skipped", "skipped", None, None)
    assert (rows[unpredicted_night].sla, rows[unpredicted_night].phase5) == ("skipped", "skipped")
    assert rows[unpredicted_night].note == f"Phase 5 skipped: {backfill.reason}" and not backfill.run
    assert (nights[blocked_night].sla, rows[blocked_night].sla, nights[blocked_night].phase5) == ("missed", "missed", "skipped")
    summary, summary_before = season_summary(list(nights.values())), season_summary(replayed["nights"])
    assert summary["sla_skipped"] == 1 and summary["sla_missed"] == summary_before["sla_missed"] + 1
    assert summary["sla_not_run"] == summary_before["sla_not_run"] - 2


@pytest.mark.slow
def test_the_seasons_are_the_schedules_newest_first(replayed):
    newest, previous = replayed["seasons"]
    game_nights = sum(n.games > 0 for n in replayed["nights"])
    assert newest == Season(season_year=2024, first_game=day(0), last_game=day(33), game_nights=game_nights)
    assert (previous.season_year, previous.first_game, previous.game_nights) == (2023, dt.date(2024, 4, 14), 1)
    assert (newest.label, previous.label) == ("2024-25", "2023-24")


@pytest.mark.slow
def test_the_summary_adds_up_the_nights(replayed):
    nights, reference = replayed["nights"], replayed["reference"].values()
    summary = season_summary(nights)
    batch_nights = [r for r in reference if r.eligible is not None]
    eligible, predicted = sum(r.eligible for r in batch_nights), sum(r.predicted for r in batch_nights)
    assert summary == {
        "nights": len(nights), "computed_nights": len(REPLAYED), "game_nights": sum(n.games > 0 for n in nights),
        "phase5_nights": len(batch_nights), "eligible": eligible, "predicted": predicted,
        "coverage_pct": round(100.0 * predicted / eligible, 1) if eligible else None,
        "sla_met": sum(n.sla == "met" for n in nights), "sla_missed": sum(n.sla == "missed" for n in nights),
        "sla_not_run": sum(n.sla == "not run" for n in nights),
        "sla_skipped": sum(r.sla == "skipped" for r in reference),
        "alerts_warning": sum(r.alerts_warning for r in reference),
        "alerts_critical": sum(r.alerts_critical for r in reference),
    }


def _svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # raises on anything but well-formed XML
    assert root.tag == f"{SVG}svg" and root.get("width") == "100%" and root.get("viewBox")
    assert root.get("height") is None  # scales with the page's width
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


@pytest.mark.slow
def test_each_chart_is_inline_svg_with_its_title_and_the_season_backdrop(replayed):
    charts = season_chart_svgs(replayed["nights"], sla_coverage_pct=90.0)
    assert [c.key for c in charts] == ["ready", "quality", "coverage", "durations", "alerts"]
    for chart in charts:
        assert not chart.svg.startswith("<?xml") and "<!DOCTYPE" not in chart.svg
        texts = _svg_texts(chart.svg)
        assert chart.title in texts, chart.key
        assert "Nov 2024" in texts  # month ticks
        assert "off night" in texts and " bootstrap" in texts
        assert NO_NIGHTS not in texts
    by_key = {c.key: _svg_texts(c.svg) for c in charts}
    assert "SLA 90 %" in by_key["coverage"]
    assert {f"P{k} {name}" for k, name in enumerate(("team_defense_zone_analysis", "player_shot_zone_analysis",
                                                     "player_composite_factors", "player_daily_cache",
                                                     "ml_feature_store_v2"), 1)} <= set(by_key["ready"])
    assert {"warning", "critical"} <= set(by_key["alerts"])


def _night(game_date: dt.date, first_night: dt.date, **figures) -> SeasonNight:
    """A season_nights.sql row: nothing ran unless figures say otherwise."""
    row = {field.name: None for field in dataclasses.fields(SeasonNight)
           if field.name not in ("day", "is_off_night", "is_bootstrap", "sla")}
    row.update(game_date=game_date, games=2, phase5="not run", alerts_warning=0, alerts_critical=0,
               **{f"p{k}_rows": 0 for k in range(1, 6)})
    row.update(figures)
    return season_night(row, first_night)


def test_the_sla_is_judged_as_the_season_report_judges_it():
    first = dt.date(2024, 10, 22)
    met = {"phase5_step": "status", "phase5_decision": "sla_met", "phase5": "ran"}
    assert _night(first + dt.timedelta(days=10), first, **met).sla == "met"
    assert _night(first + dt.timedelta(days=10), first, phase5_step="status", phase5_decision="sla_missed").sla == "missed"
    assert _night(first + dt.timedelta(days=10), first, phase5_step="retry", phase5_decision="sla_met").sla == "missed"
    assert _night(first + dt.timedelta(days=10), first).sla == "missed"  # Phase 5 never ran
    assert _night(first + dt.timedelta(days=6), first, **met).sla == ""  # bootstrap: no SLA
    assert _night(first + dt.timedelta(days=12), first, games=0).sla == ""  # off night: no SLA
    night = _night(first + dt.timedelta(days=7), first)
    assert (night.day, night.is_bootstrap, night.is_off_night, night.computed) == (7, False, False, False)


def test_a_season_with_no_night_computed_renders_every_chart_with_a_message():
    first = dt.date(2024, 10, 22)
    not_yet = [_night(first + dt.timedelta(days=k), first, games=0 if k == 3 else 2) for k in range(10)]
    for nights in ([], not_yet):
        charts = season_chart_svgs(nights)
        assert len(charts) == 5
        for chart in charts:
            texts = _svg_texts(chart.svg)
            assert NO_NIGHTS in texts and chart.title in texts
    assert season_summary([])["coverage_pct"] is None


def test_matplotlib_is_imported_only_when_drawing():
    code = "import sys, processors.season_charts; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT).returncode == 0
