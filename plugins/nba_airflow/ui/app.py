"""The NBA pipeline's pages in the Airflow UI: a FastAPI app the api-server mounts at /nba.

    /nba/season[?season=2024]          the season at a glance (the "NBA season" navigation entry)
    /nba/night?game_date=YYYY-MM-DD     one night
    /nba/runs/{dag_id}/{run_id}         the night of a DAG run (the "Night report" tab of every run)

Imported only by the api-server (nba_plugin builds the app when it asks for it). Read-only,
and behind Airflow's own login: every route depends on the auth manager's
`requires_access_dag("GET", RUN)` for the nightly DAG, which reads the UI's session cookie
(or a bearer token) and refuses anyone else with 401/403. The data is read from the
warehouse at request time (processors.night_report, processors.season_overview: the
monitoring SQL of include/sql/monitoring/); nothing is cached between requests.
A warehouse file locked by a running task gets a 503 "busy" page that retries itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
from airflow.api_fastapi.common.db.common import SessionDep
from airflow.api_fastapi.core_api.security import requires_access_dag
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from nba_airflow.night import night_of_dag_run, parse_game_date
from nba_airflow.ui.pages import Links, render_error, render_night, render_season
from processors.config import WarehouseSettings
from processors.warehouse import Warehouse, WarehouseBusy, WarehouseFileError

log = logging.getLogger(__name__)

DAG_ID = "nba_nightly_predictions"
URL_PREFIX = "/nba"
LOCK_WAIT_SECONDS = 2.0  # a page waits this long for a writing task, then says "busy"
BUSY_RETRY_SECONDS = 5
SEASON_PATTERN = r"^[0-9]{4}$"
ICON_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
            'stroke-width="1.8"><circle cx="12" cy="12" r="9.5" fill="#dd6b20" stroke="#7b341e"/>'
            '<path d="M2.5 12h19M12 2.5v19M5.3 5.3c3 3 3 10.4 0 13.4M18.7 5.3c-3 3-3 10.4 0 13.4" stroke="#7b341e"/></svg>')


class PageError(Exception):
    """A request the pages answer with an error page: its HTTP status and one readable line."""

    def __init__(self, status: int, title: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.title, self.message, self.headers = status, title, message, headers or {}


def _require_dag_run_access() -> Any:
    """Airflow's own check: the caller is logged in and may read the nightly DAG's runs."""
    return Depends(requires_access_dag("GET", DagAccessEntity.RUN, param_dag_id=DAG_ID))


def create_app() -> FastAPI:
    access = _require_dag_run_access()
    app = FastAPI(title="NBA pipeline views", docs_url=None, redoc_url=None, openapi_url=None, dependencies=[access],
                  lifespan=_lifespan)
    app.state.access_check = access.dependency  # what a test overrides to call the pages without a login

    @app.get("/", include_in_schema=False)
    def home(request: Request) -> RedirectResponse:
        return RedirectResponse(str(request.url_for("season_view")))

    @app.get("/icon.svg", include_in_schema=False)
    def icon() -> Response:
        return Response(ICON_SVG, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})

    @app.get("/season", response_class=HTMLResponse, name="season_view")
    def season_view(request: Request, season: str | None = None) -> HTMLResponse:
        from processors.season_charts import season_chart_svgs
        from processors.season_overview import season_nights, season_summary, seasons

        started = time.perf_counter()
        with _warehouse() as warehouse:
            known = seasons(warehouse)
            if not known:
                raise PageError(404, "No season", "nba_raw.nbac_schedule holds no season: run `make sample-season`")
            chosen = _chosen_season(season, known)
            nights = season_nights(warehouse, chosen)
        charts = season_chart_svgs(nights)
        html = render_season(_links(request), chosen, known, nights, season_summary(nights), charts)
        log.info("season %s: %d nights in %.2f s", chosen.label, len(nights), time.perf_counter() - started)
        return HTMLResponse(html)

    @app.get("/night", response_class=HTMLResponse, name="night_view")
    def night_view(request: Request, game_date: str | None = None) -> HTMLResponse:
        return HTMLResponse(_night_page(request, _game_date(game_date), run=None))

    @app.get("/runs/{dag_id}/{run_id}", response_class=HTMLResponse, name="run_night_view")
    def run_night_view(request: Request, dag_id: str, run_id: str, session: SessionDep) -> HTMLResponse:
        run = _dag_run(session, dag_id, run_id)
        try:
            night = night_of_dag_run(run)
        except ValueError as exc:
            raise PageError(422, "This run names no night", f"run {run_id} computed no night: {exc}") from None
        try:
            return HTMLResponse(_night_page(request, night, run={"dag_id": dag_id, "run_id": run_id,
                                                                 "state": str(getattr(run.state, "value", run.state))}))
        except PageError as exc:
            if exc.status != 404:
                raise
            # A scheduled run in the off-season: a real run with nothing to report, not a bad request.
            return HTMLResponse(render_error(_links(request), 200, f"No games to report for {night}",
                                             f"{exc.message}; run {run_id} had nothing to compute"))

    _install_error_pages(app)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Airflow's api-server enters the lifespan of every mounted plugin app once the whole app is built.
    The warm-up starts only then: a thread started while the api-server was still importing its models
    deadlocked it (our thread's first ORM query took SQLAlchemy's configure lock and waited for a model
    module the main thread was importing, which waited for that lock)."""
    _start_warm_up()
    yield


def _start_warm_up() -> None:
    """Read the settings (Airflow Variables, an ORM query) here on the server's own thread, then warm up
    in the background: the thread itself touches nothing of Airflow's."""
    from nba_airflow.settings import warehouse_settings

    try:
        settings = warehouse_settings()
    except Exception as exc:  # noqa: BLE001 (warming is optional: the first request then pays)
        _log_not_warmed_up(exc)
        return
    if settings.backend == "local":
        threading.Thread(target=_warm_up, args=(settings,), name="nba-views-warm-up", daemon=True).start()


def _night_page(request: Request, game_date: dt.date, run: dict[str, str] | None) -> str:
    from processors.night_report import UnknownNight, night_report

    started = time.perf_counter()
    with _warehouse() as warehouse:
        try:
            report = night_report(warehouse, game_date)
        except UnknownNight as exc:
            raise PageError(404, "Unknown night", str(exc)) from None
    html = render_night(_links(request), report, run)
    log.info("night %s in %.2f s", game_date, time.perf_counter() - started)
    return html


def _game_date(value: str | None) -> dt.date:
    if not value:
        raise PageError(400, "Which night?", "add ?game_date=YYYY-MM-DD, e.g. /nba/night?game_date=2025-01-15")
    try:
        return parse_game_date(value)
    except ValueError as exc:
        raise PageError(400, "Not a date", str(exc)) from None


def _chosen_season(value: str | None, known: list) -> Any:
    if value is None:
        return known[0]  # the newest
    if not re.fullmatch(SEASON_PATTERN, value):
        raise PageError(400, "Not a season", f"season must be the year a season starts (e.g. 2024), got {value!r}")
    for season in known:
        if season.season_year == int(value):
            return season
    listed = ", ".join(f"{s.season_year} ({s.label})" for s in known)
    raise PageError(404, "Unknown season", f"no season {value} in nba_raw.nbac_schedule; there are: {listed}")


def _dag_run(session: Any, dag_id: str, run_id: str) -> Any:
    from airflow.models.dagrun import DagRun
    from sqlalchemy import select

    if dag_id != DAG_ID:
        raise PageError(404, "Not this pipeline's DAG", f"the night report is for {DAG_ID}, not {dag_id!r}")
    run = session.scalar(select(DagRun).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id))
    if run is None:
        raise PageError(404, "Unknown run", f"{dag_id} has no run {run_id!r}")
    return run


def _warehouse() -> Warehouse:
    """The pipeline's warehouse, read-only; waits at most LOCK_WAIT_SECONDS for a writing task."""
    from nba_airflow.settings import warehouse_settings
    from nba_airflow.warehouse import task_warehouse

    settings = replace(warehouse_settings(), local_lock_wait_seconds=LOCK_WAIT_SECONDS)
    return task_warehouse(None, settings, read_only=True)


def _links(request: Request) -> Links:
    prefix = request.scope.get("root_path", "").rstrip("/")  # /nba, behind Airflow's own base path
    return Links(views=prefix, airflow=prefix.removesuffix(URL_PREFIX), dag_id=DAG_ID)


def _install_error_pages(app: FastAPI) -> None:
    """Every failure is an HTML page with one readable line, never a stack trace."""

    @app.exception_handler(PageError)
    def page_error(request: Request, exc: PageError) -> HTMLResponse:
        return _error_page(request, exc.status, exc.title, exc.message, exc.headers)

    @app.exception_handler(WarehouseBusy)
    def busy(request: Request, exc: WarehouseBusy) -> HTMLResponse:
        return _error_page(request, 503, "The warehouse is busy",
                           f"a running task is writing the warehouse ({exc.holder}); this page retries in "
                           f"{BUSY_RETRY_SECONDS} s", {"Retry-After": str(BUSY_RETRY_SECONDS)},
                           refresh=BUSY_RETRY_SECONDS)

    @app.exception_handler(WarehouseFileError)
    def unreadable(request: Request, exc: WarehouseFileError) -> HTMLResponse:
        return _error_page(request, 503, "No warehouse to read", str(exc))

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
        titles = {401: "Sign in first", 403: "Not allowed"}
        message = {401: f"these pages need the Airflow login ({exc.detail}): sign in to Airflow, then come back",
                   403: f"your Airflow role may not read the runs of {DAG_ID} ({exc.detail})"}
        return _error_page(request, exc.status_code, titles.get(exc.status_code, "Request refused"),
                           message.get(exc.status_code, str(exc.detail)), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> HTMLResponse:
        problems = "; ".join(f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}" for e in exc.errors())
        return _error_page(request, 400, "Bad request", problems)

    @app.exception_handler(Exception)
    def unexpected(request: Request, exc: Exception) -> HTMLResponse:
        log.exception("NBA view %s failed", request.url.path)
        return _error_page(request, 500, "The page failed", f"{type(exc).__name__}: {exc}".splitlines()[0][:300])


def _error_page(request: Request, status: int, title: str, message: str, headers: dict[str, str] | None = None,
                refresh: int | None = None) -> HTMLResponse:
    log.info("NBA view %s: %d %s: %s", request.url.path, status, title, message)
    return HTMLResponse(render_error(_links(request), status, title, message, refresh=refresh),
                        status_code=status, headers=headers)


def _warm_up(settings: WarehouseSettings) -> None:
    """Translate the pages' SQL for the local stand-in once, in the background, at api-server start
    (about 2 s of sqlglot work the first request would otherwise pay). Reads the latest computed night,
    read-only, and gives up at once if a task holds the file: warming is never worth a wait."""
    from processors.night_report import night_report
    from processors.season_charts import season_chart_svgs
    from processors.season_overview import season_nights, seasons

    started = time.perf_counter()
    try:
        from nba_airflow.warehouse import task_warehouse

        with task_warehouse(None, replace(settings, local_lock_wait_seconds=0), read_only=True) as warehouse:
            known = seasons(warehouse)
            if known:
                nights = season_nights(warehouse, known[0])
                night_report(warehouse, known[0].first_game)
        if known:
            season_chart_svgs(nights)  # imports matplotlib (about 1 s)
        log.info("NBA views warmed up in %.1f s", time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 (warming is optional: the first request then pays)
        _log_not_warmed_up(exc)


def _log_not_warmed_up(exc: Exception) -> None:
    log.info("NBA views not warmed up (%s)", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
