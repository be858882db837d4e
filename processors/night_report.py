"""One night as the warehouse records it, as data: what the UI's night view shows.

The same monitoring SQL as `make status` (processors.monitoring): the input gate, the
Phase 4 status per processor, the coordinator's steps with the night's Phase 5 figures,
and the alerts with each channel's delivery outcome. Read at request time, never cached.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from processors.input_gate import GATE
from processors.monitoring import night_alerts, phase4_status, phase5_counts, phase5_steps
from processors.phase4.calendar import NoScheduleError, SeasonCalendar, schedule_seasons, season_label
from processors.phase5.night import TASK_IDS as PHASE5_STEP_TASKS  # the DAG's task of each recorded step
from processors.run_history import latest_run
from processors.season_report import deciding_step
from processors.warehouse import Warehouse

__all__ = ["PHASE5_STEP_TASKS", "NightReport", "UnknownNight", "channel_outcomes", "night_report"]


class UnknownNight(LookupError):
    """The date lies outside every season of the schedule: there is no such night."""


@dataclass(frozen=True)
class NightReport:
    game_date: dt.date
    season_label: str
    day: int                          # days into the season (0 = first game night)
    games: int
    is_bootstrap: bool
    input_gate: dict[str, Any] | None  # status, message of the latest gate run; None if none ran
    phase4: list[dict[str, Any]]      # monitoring/phase4_status.sql, P1..P5
    phase5_steps: list[dict[str, Any]]
    phase5: dict[str, Any] | None     # monitoring.phase5_counts; None when Phase 5 never ran
    alerts: list[dict[str, Any]]      # monitoring/alerts_for_night.sql, channel_outcomes as a list

    @property
    def is_off_night(self) -> bool:
        return self.games == 0

    @property
    def sla(self) -> str | None:
        """The predictions SLA verdict of the latest status check: its decision (sla_met, ...), or None."""
        status = [s for s in self.phase5_steps if s["step"] == "status"]
        return status[-1]["decision"] if status else None

    @property
    def phase5_skip(self) -> dict[str, Any] | None:
        """The plan's skip that speaks for the night's Phase 5 (season_report.deciding_step: no batch ever
        ran): its decision says why (predictions_off, inputs_blocked, skipped), else None."""
        step = deciding_step(self.phase5_steps)
        return step if step is not None and step["step"] == "plan" else None


def night_report(warehouse: Warehouse, game_date: dt.date) -> NightReport:
    """The night's report; UnknownNight (naming the seasons there are) for a date outside every season."""
    calendar = _calendar(warehouse, game_date)
    gate = latest_run(warehouse, GATE, game_date)
    steps = phase5_steps(warehouse, game_date)
    return NightReport(
        game_date=game_date,
        season_label=season_label(calendar.season_year),
        day=calendar.days_into_season,
        games=calendar.games_on_date,
        is_bootstrap=calendar.is_bootstrap,
        input_gate=None if gate is None else {"status": gate["status"],
                                              "message": (gate["summary"] or {}).get("message") or ""},
        phase4=phase4_status(warehouse, game_date),
        phase5_steps=steps,
        phase5=phase5_counts(warehouse, game_date, steps),
        alerts=[{**a, "channel_outcomes": channel_outcomes(a)} for a in night_alerts(warehouse, game_date)],
    )


def _calendar(warehouse: Warehouse, game_date: dt.date) -> SeasonCalendar:
    try:
        return SeasonCalendar.load(warehouse, game_date)
    except NoScheduleError:  # name the seasons there are (only when refusing: one query less per page)
        known = ", ".join(f"{s.label}: {s.first_game} to {s.last_game}" for s in schedule_seasons(warehouse)) or "none"
        raise UnknownNight(f"no night {game_date}: it is outside every season in nba_raw.nbac_schedule ({known})") from None


def channel_outcomes(alert: dict[str, Any]) -> list[dict[str, Any]]:
    """Each channel's outcome ({channel, outcome, detail}: detail None when there is none); rows written
    before channel_outcomes existed list the channels that delivered."""
    outcomes = alert.get("channel_outcomes")
    if isinstance(outcomes, str):
        outcomes = json.loads(outcomes)
    if not outcomes:
        outcomes = [{"channel": channel, "outcome": "delivered"} for channel in alert.get("channels") or []]
    return [{"channel": o["channel"], "outcome": o["outcome"], "detail": o.get("detail")} for o in outcomes]
