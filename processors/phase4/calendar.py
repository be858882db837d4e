"""Where a game_date falls in its season: bootstrap, early season, off night."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from processors.warehouse import Warehouse

BOOTSTRAP_DAYS = 7          # days 0-6: not enough history, P1-P4 write nothing
EARLY_SEASON_LAST_DAY = 20  # days 7-20: relaxed success criteria


def season_label(season_year: int) -> str:
    """2024 -> "2024-25"."""
    return f"{season_year}-{(season_year + 1) % 100:02d}"


class NoScheduleError(ValueError):
    """The date lies outside every season in the schedule: there is no Phase 3 data for it."""


@dataclass(frozen=True)
class Season:
    """One season of the schedule: its first to its last game, off nights included."""

    season_year: int
    first_game: dt.date
    last_game: dt.date
    game_nights: int = 0  # dates with at least one game

    @property
    def label(self) -> str:
        return season_label(self.season_year)

    def contains(self, game_date: dt.date) -> bool:
        return self.first_game <= game_date <= self.last_game


def schedule_seasons(warehouse: Warehouse) -> list[Season]:
    """The seasons in nba_raw.nbac_schedule, oldest first. A date in none of them is one
    SeasonCalendar.load refuses (NoScheduleError)."""
    return [Season(**row) for row in warehouse.query("phase4/schedule_seasons.sql")]


@dataclass(frozen=True)
class SeasonCalendar:
    game_date: dt.date
    season_year: int
    season_start: dt.date
    season_end: dt.date
    games_on_date: int

    @property
    def days_into_season(self) -> int:
        return (self.game_date - self.season_start).days

    @property
    def is_bootstrap(self) -> bool:
        return self.days_into_season < BOOTSTRAP_DAYS

    @property
    def is_early_season(self) -> bool:
        return BOOTSTRAP_DAYS <= self.days_into_season <= EARLY_SEASON_LAST_DAY

    @property
    def is_off_night(self) -> bool:
        return self.games_on_date == 0

    @property
    def sql_params(self) -> dict:
        return {
            "game_date": self.game_date,
            "season_year": self.season_year,
            "season_start": self.season_start,
            "early_season": self.is_early_season,
        }

    @classmethod
    def load(cls, warehouse: Warehouse, game_date: dt.date) -> SeasonCalendar:
        rows = warehouse.query("phase4/season_calendar.sql", {"game_date": game_date})
        if not rows or game_date > rows[0]["season_end"]:
            raise NoScheduleError(
                f"no Phase 3 data for {game_date}: the date is outside every season in nba_raw.nbac_schedule"
            )
        return cls(game_date=game_date, **rows[0])
