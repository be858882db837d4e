"""The plugin's pages (plugins/nba_airflow/ui) in-process: a computed night on a copy of the
sample season, served by the plugin's FastAPI app through Starlette's test client. Airflow's
login check is the real one where a test says so (no credentials: 401) and is overridden
elsewhere; tests/test_local_airflow.py looks at the same pages behind a real login in Chromium.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import re
import shutil
import sys
from html import unescape
from pathlib import Path

import pytest

from processors.alerts import Alert, ChannelOutcome, record_alert
from processors.config import PipelineSettings, WarehouseSettings
from processors.monitoring import phase4_status, phase5_counts, phase5_steps
from processors.phase4.night import run_night
from processors.phase5.night import run_phase5_night
from processors.season_overview import season_nights, season_summary, seasons
from processors.warehouse.local import LocalWarehouse

NIGHT = dt.date(2025, 1, 15)


@pytest.fixture(scope="module")
def computed(season_warehouse_settings, tmp_path_factory):
    """NIGHT through Phase 4 and Phase 5 on a copy of the sample season, plus an alert one channel failed."""
    path = tmp_path_factory.mktemp("ui-views") / "night.duckdb"
    shutil.copy(season_warehouse_settings.local_path, path)
    with LocalWarehouse(WarehouseSettings(local_path=path)) as warehouse:
        run_night(warehouse, NIGHT)
        run_phase5_night(warehouse, NIGHT)
        record_alert(warehouse, Alert(severity="critical", title="Phase 4 late", message="deadline 01:00 ET missed",
                                      game_date=NIGHT, source="phase4_deadline"),
                     [ChannelOutcome("log", "delivered"), ChannelOutcome("slack", "failed", "HTTP 503 from hooks.slack.com")])
    return path


@pytest.fixture(scope="module")
def app(computed):
    from nba_airflow.ui.app import create_app

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(computed))
        patch.setenv("NBA_WAREHOUSE_BACKEND", "local")
        yield create_app()


@pytest.fixture(scope="module")
def client(app):
    from fastapi.testclient import TestClient

    app.dependency_overrides[app.state.access_check] = lambda: None  # logged in, allowed
    with TestClient(app, root_path="/nba", raise_server_exceptions=False) as client:
        yield client
    app.dependency_overrides.clear()


def metrics(html: str) -> dict[str, str]:
    """The page's figures by data-metric (the first of each key: the headline one)."""
    found: dict[str, str] = {}
    for key, inner in re.findall(r'data-metric="([a-z_0-9]+)"[^>]*>(.*?)</(?:div|span|td)>', html, re.S):
        found.setdefault(key, unescape(re.sub(r"<[^>]+>", "", inner)).strip())
    return found


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_night_shows_the_monitoring_sqls_figures(client, computed):
    response = client.get("/night", params={"game_date": NIGHT.isoformat()})
    assert response.status_code == 200
    with LocalWarehouse(WarehouseSettings(local_path=computed), read_only=True) as warehouse:
        status = phase4_status(warehouse, NIGHT)
        counts = phase5_counts(warehouse, NIGHT, phase5_steps(warehouse, NIGHT))
    shown = metrics(response.text)
    assert shown["eligible"] == f"{counts['eligible']:,}" and shown["ready"] == f"{counts['ready']:,}"
    assert shown["predicted"] == f"{counts['predicted']:,}"
    assert shown["coverage_pct"] == f"{counts['coverage_pct']:.1f} %"
    assert shown["phase4_success"] == "5 / 5" and shown["batches"] == str(counts["batches"])
    page = text(response.text)
    for row in status:
        assert f"{row['rows_in_table']:,} / {row['success_threshold']:,}" in page, row["processor_name"]
    assert "Night of 2025-01-15" in page and "sla_met" in page


def test_each_alert_shows_every_channels_delivery_outcome(client):
    page = text(client.get("/night", params={"game_date": NIGHT.isoformat()}).text)
    assert "Phase 4 late" in page and "log delivered" in page
    assert "slack failed" in page and "HTTP 503 from hooks.slack.com" in page


@pytest.mark.parametrize(("query", "status", "message"), [
    ({"game_date": "2031-01-01"}, 404, "no night 2031-01-01: it is outside every season in nba_raw.nbac_schedule "
                                       "(2024-25: 2024-10-22 to 2025-04-13)"),
    ({"game_date": "2025-01-15' OR 1=1 --"}, 400, "param game_date must be an ISO date YYYY-MM-DD, "
                                                  "got \"2025-01-15' OR 1=1 --\""),
    ({"game_date": "20250115"}, 400, "must be an ISO date YYYY-MM-DD"),
    ({}, 400, "add ?game_date=YYYY-MM-DD"),
])
def test_a_bad_night_gets_a_4xx_page_naming_the_problem(client, query, status, message):
    response = client.get("/night", params=query)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert message in text(response.text)
    assert "Traceback" not in response.text


@pytest.mark.parametrize(("season", "status", "message"), [
    ("1999", 404, "no season 1999 in nba_raw.nbac_schedule; there are: 2024 (2024-25)"),
    ("2024; DROP TABLE x", 400, "season must be the year a season starts (e.g. 2024)"),
])
def test_a_bad_season_gets_a_4xx_page(client, season, status, message):
    response = client.get("/season", params={"season": season})
    assert (response.status_code, message in text(response.text)) == (status, True)


def test_the_season_shows_its_summary_and_one_chart_per_concern(client, computed):
    response = client.get("/season")
    assert response.status_code == 200
    with LocalWarehouse(WarehouseSettings(local_path=computed), read_only=True) as warehouse:
        summary = season_summary(season_nights(warehouse, seasons(warehouse)[0]))
    shown = metrics(response.text)
    assert shown["eligible"] == f"{summary['eligible']:,}" and shown["predicted"] == f"{summary['predicted']:,}"
    assert shown["coverage_pct"] == f"{summary['coverage_pct']:.1f} %"
    assert (shown["sla_met"], shown["nights_computed"]) == (str(summary["sla_met"]), str(summary["computed_nights"]))
    assert summary["computed_nights"] == 1
    assert response.text.count("<svg") >= 5  # inline charts: nothing fetched from elsewhere
    assert "<script" not in response.text
    assert f'href="/nba/night?game_date={NIGHT}"' in response.text


def test_without_a_login_every_page_is_refused(app):
    from fastapi.testclient import TestClient

    logged_in, app.dependency_overrides = app.dependency_overrides, {}  # Airflow's own check again
    try:
        with TestClient(app, root_path="/nba", raise_server_exceptions=False) as anonymous:
            for url in ("/season", f"/night?game_date={NIGHT}", "/runs/nba_nightly_predictions/x", "/icon.svg"):
                response = anonymous.get(url)
                assert response.status_code == 401, url
                assert "these pages need the Airflow login" in text(response.text)
                assert "Eligible" not in response.text and "<svg" not in response.text  # nothing of the data
    finally:
        app.dependency_overrides = logged_in


def test_an_off_season_run_gets_a_notice_not_an_error(client, monkeypatch):
    """A scheduled run of a summer night is a real run with nothing to report (its tab is not a 404)."""
    import nba_airflow.ui.app as views

    run = type("Run", (), {"run_type": "scheduled", "conf": {"game_date": "2026-07-01"}, "logical_date": None,
                           "run_after": None, "state": "success"})()
    monkeypatch.setattr(views, "_dag_run", lambda session, dag_id, run_id: run)
    response = client.get("/runs/nba_nightly_predictions/scheduled__night_2026-07-01")
    assert response.status_code == 200
    assert "No games to report for 2026-07-01" in text(response.text)
    assert "outside every season in nba_raw.nbac_schedule" in text(response.text)


def test_a_backfilled_night_shows_phase5_skipped_not_a_missed_sla(client, computed, tmp_path, monkeypatch):
    """A backfill recomputes Phase 4 with predictions off: the night page says Phase 5 was skipped and the
    season counts the night as skipped, not as a missed SLA."""
    from processors.messaging import OutboxPublisher
    from processors.phase5.coordinator import Coordinator, plan_night

    backfilled = NIGHT + dt.timedelta(days=1)
    path = tmp_path / "backfilled.duckdb"
    shutil.copy(computed, path)
    with LocalWarehouse(WarehouseSettings(local_path=path)) as warehouse:
        run_night(warehouse, backfilled)
        Coordinator(warehouse, backfilled, PipelineSettings(), publisher=OutboxPublisher(warehouse),
                    alert=lambda *args: None).record_skip(plan_night(warehouse, backfilled, "auto", "backfill"))
    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(path))
    night = text(client.get("/night", params={"game_date": backfilled.isoformat()}).text)
    assert "Phase 5 skipped" in night and "backfill run: predictions are off for backfills" in night
    season = client.get("/season").text
    assert (metrics(season)["sla_skipped"], metrics(season)["sla_missed"]) == ("1", "0")


def _hold_write_lock(path: str, holding, release) -> None:
    import duckdb

    connection = duckdb.connect(path)
    holding.set()
    release.wait(60)
    connection.close()


def test_a_warehouse_locked_by_a_writer_gets_a_busy_page_that_retries(client, computed):
    context = multiprocessing.get_context("spawn")
    holding, release = context.Event(), context.Event()
    writer = context.Process(target=_hold_write_lock, args=(str(computed), holding, release))
    writer.start()
    try:
        assert holding.wait(30)
        response = client.get("/night", params={"game_date": NIGHT.isoformat()})
    finally:
        release.set()
        writer.join(30)
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert "The warehouse is busy" in text(response.text) and f"PID {writer.pid}" in text(response.text)
    assert '<meta http-equiv="refresh" content="5">' in response.text
    assert client.get("/night", params={"game_date": NIGHT.isoformat()}).status_code == 200  # free again


def test_the_plugin_builds_its_app_only_when_the_api_server_asks():
    """Every Airflow process imports the plugin; only the api-server reads fastapi_apps."""
    import subprocess

    code = ("import sys; import nba_plugin; p = nba_plugin.NbaPipelinePlugin(); "
            "assert 'nba_airflow.ui.app' not in sys.modules; "
            "views = {v['destination']: v for v in p.external_views}; "
            "assert views['dag_run']['href'] == '/nba/runs/{DAG_ID}/{RUN_ID}'; "
            "assert views['nav']['href'] == '/nba/season' and views['nav']['nav_top_level']; "
            "apps = p.fastapi_apps; assert apps[0]['url_prefix'] == '/nba' and 'nba_airflow.ui.app' in sys.modules")
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": f"{root}:{root / 'plugins'}"})
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_warm_up_starts_with_the_served_app_not_while_it_is_built(computed, monkeypatch):
    """A warm-up thread started while the api-server was still importing Airflow's models deadlocked it
    (SQLAlchemy's configure lock against a model module's import lock): the thread starts from the app's
    lifespan, which Airflow enters once the whole api-server app is built, with the settings already read."""
    import threading

    from fastapi.testclient import TestClient

    from nba_airflow.ui import app as views

    started = threading.Event()
    seen: dict = {}

    def record(settings):
        seen.update(settings=settings, thread=threading.current_thread().name)
        started.set()

    monkeypatch.setattr(views, "_warm_up", record)
    monkeypatch.setenv("NBA_LOCAL_WAREHOUSE_PATH", str(computed))
    monkeypatch.setenv("NBA_WAREHOUSE_BACKEND", "local")
    app = views.create_app()
    assert not started.wait(0.5), "the warm-up started while the app was being built"
    with TestClient(app):
        assert started.wait(10)
    assert seen["thread"] == "nba-views-warm-up"
    assert seen["settings"].backend == "local" and seen["settings"].local_path == computed
