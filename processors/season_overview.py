"""The season view's data: every night of a season in one query, for charts across the season.

The figures are the season report's (processors.season_report.night_row, many queries per
night), read set-based by include/sql/monitoring/season_nights.sql: one row per calendar
night, off nights included. Plain Python: the Airflow UI plugin and any script can call it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from processors.phase4 import PROCESSOR_NAMES
from processors.phase4.calendar import BOOTSTRAP_DAYS, Season, schedule_seasons
from processors.season_report import sla_verdict
from processors.warehouse import Warehouse

SEASON_NIGHTS_SQL = "monitoring/season_nights.sql"
PROCESSOR_KEYS = tuple(f"p{i}" for i in range(1, len(PROCESSOR_NAMES) + 1))  # p1..p5, in PROCESSOR_NAMES order


@dataclass(frozen=True)
class SeasonNight:
    game_date: dt.date
    day: int                             # days into the season (0 = first game night)
    games: int
    p1_rows: int                         # rows in each Phase 4 output partition of the night
    p2_rows: int
    p3_rows: int
    p4_rows: int
    p5_rows: int
    p1_ready_pct: float | None           # latest run's production-ready %, None when its partition is empty
    p2_ready_pct: float | None
    p3_ready_pct: float | None
    p4_ready_pct: float | None
    p5_ready_pct: float | None
    p1_duration_seconds: float | None    # latest run's duration, None when it never ran
    p2_duration_seconds: float | None
    p3_duration_seconds: float | None
    p4_duration_seconds: float | None
    p5_duration_seconds: float | None
    quality: float | None                # ml_feature_store_v2's mean feature quality
    phase5_step: str | None              # the coordinator's latest step: plan, start, retry, status
    phase5_decision: str | None
    phase5_status: str | None
    phase5: str                          # ran, skipped, failed (the start batch), not run
    eligible: int | None                 # None unless a batch ran (as season_report.night_row)
    ready: int | None
    predicted: int | None
    coverage_pct: float | None
    alerts_warning: int
    alerts_critical: int
    is_off_night: bool
    is_bootstrap: bool
    sla: str                             # met, missed, skipped, not run; empty: off night, bootstrap, not reached

    @property
    def computed(self) -> bool:
        """Whether anything ran for the night (a Phase 4 run or a coordinator step)."""
        return self.phase5 != "not run" or any(
            getattr(self, f"{key}_duration_seconds") is not None for key in PROCESSOR_KEYS)


def seasons(warehouse: Warehouse) -> list[Season]:
    """The seasons in nba_raw.nbac_schedule, newest first."""
    return schedule_seasons(warehouse)[::-1]


def season_nights(warehouse: Warehouse, season: Season) -> list[SeasonNight]:
    """Every calendar night of the season, first to last game night, off nights included.

    A night nothing ran for is not judged as computed: before the last computed night its SLA
    is "not run" (no predictions were made for it: a gap, not a missed coverage figure); after
    it, the night is not reached yet (sla empty)."""
    rows = warehouse.query(SEASON_NIGHTS_SQL, {"start_date": season.first_game, "end_date": season.last_game})
    nights = [season_night(row, season.first_game) for row in rows]
    reached = max((n for n, night in enumerate(nights) if night.computed), default=-1)
    return [night if night.computed or not night.sla else replace(night, sla="not run" if n < reached else "")
            for n, night in enumerate(nights)]


def season_night(row: dict[str, Any], first_night: dt.date) -> SeasonNight:
    """A season_nights.sql row, placed in its season, with the SLA judged as season_report.night_row does."""
    day = (row["game_date"] - first_night).days
    return SeasonNight(**row, day=day, is_off_night=row["games"] == 0, is_bootstrap=day < BOOTSTRAP_DAYS,
                       sla=sla_verdict(games=row["games"], day=day, last_step=row["phase5_step"],
                                       last_decision=row["phase5_decision"]))


def season_summary(nights: Sequence[SeasonNight]) -> dict[str, Any]:
    """Totals over the nights: coverage is predicted over eligible players of every night a batch ran."""
    batch_nights = [n for n in nights if n.eligible is not None]
    eligible = sum(n.eligible for n in batch_nights)
    predicted = sum(n.predicted or 0 for n in batch_nights)
    return {
        "nights": len(nights),
        "computed_nights": sum(n.computed for n in nights),
        "game_nights": sum(not n.is_off_night for n in nights),
        "phase5_nights": len(batch_nights),
        "eligible": eligible,
        "predicted": predicted,
        "coverage_pct": round(100.0 * predicted / eligible, 1) if eligible else None,
        "sla_met": sum(n.sla == "met" for n in nights),
        "sla_missed": sum(n.sla == "missed" for n in nights),
        "sla_not_run": sum(n.sla == "not run" for n in nights),
        "sla_skipped": sum(n.sla == "skipped" for n in nights),
        "alerts_warning": sum(n.alerts_warning for n in nights),
        "alerts_critical": sum(n.alerts_critical for n in nights),
    }
