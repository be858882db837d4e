"""HTML of the NBA pipeline's pages: Jinja2 templates (ui/templates/, autoescaped), plain HTML
and inline CSS in the Airflow UI's look; the charts arrive as inline SVG. No JavaScript."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from processors.monitoring import format_utc

TEMPLATES = Path(__file__).parent / "templates"
# Phase 4 tasks of the DAG, by processor (the DAG's task ids: phase4.<processor>).
PHASE4_GROUP = "phase4"


@dataclass(frozen=True)
class Links:
    """Where the pages link: their own routes (views, e.g. /nba) and the Airflow UI (airflow, e.g. '')."""

    views: str
    airflow: str
    dag_id: str

    def night(self, game_date: dt.date) -> str:
        return f"{self.views}/night?{urlencode({'game_date': game_date.isoformat()})}"

    def season(self, season_year: int | None = None) -> str:
        return f"{self.views}/season" + (f"?{urlencode({'season': season_year})}" if season_year else "")

    def run(self, run_id: str) -> str:
        return f"{self.airflow}/dags/{quote(self.dag_id)}/runs/{quote(run_id, safe='')}"

    def task(self, run_id: str, task_id: str) -> str:
        return f"{self.run(run_id)}/tasks/{quote(task_id, safe='')}"

    def home(self) -> str:
        return f"{self.airflow}/"


@cache
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters.update(number=_number, pct=_pct, seconds=_seconds, utc=_utc)
    return environment


def _render(template: str, *, refresh: int | None = None, **values: Any) -> str:
    return _environment().get_template(template).render(refresh=refresh, **values)


def render_night(links: Links, report: Any, run: dict[str, str] | None) -> str:
    """One night: processors.night_report.NightReport; `run` is the DAG run the page was opened from."""
    from processors.night_report import PHASE5_STEP_TASKS

    return _render("night.html", links=links, report=report, run=run, phase4_group=PHASE4_GROUP,
                   step_tasks=PHASE5_STEP_TASKS, title=f"Night of {report.game_date}")


def render_season(links: Links, season: Any, seasons: list, nights: list, summary: dict[str, Any],
                  charts: list) -> str:
    computed = [n for n in nights if n.computed]  # the table lists those; the charts show every night
    return _render("season.html", links=links, season=season, seasons=seasons, nights=computed,
                   summary=summary, charts=charts, title=f"Season {season.label}")


def render_error(links: Links, status: int, title: str, message: str, *, refresh: int | None = None) -> str:
    return _render("error.html", links=links, status=status, title=title, message=message, refresh=refresh)


def _number(value: Any) -> str:
    return "–" if value is None else f"{value:,}" if isinstance(value, int) else str(value)


def _pct(value: Any) -> str:
    return "–" if value is None else f"{value:.1f} %"


def _seconds(value: Any) -> str:
    return "–" if value is None else f"{value:.2f} s"


def _utc(value: Any) -> str:
    return "–" if value is None else format_utc(value)
