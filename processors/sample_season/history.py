"""What has happened so far in the season, appended game by game; context only reads it before a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PlayedGame:
    game_date: dt.date
    minutes: float
    usage_rate: float
    points: int


@dataclass(frozen=True)
class TeamGame:
    game_date: dt.date
    pace: float


@dataclass
class SeasonHistory:
    """Only games already simulated are here, so reading it before a date cannot leak that date."""

    player_games: dict[str, list[PlayedGame]] = field(default_factory=dict)
    team_games: dict[str, list[TeamGame]] = field(default_factory=dict)

    def record_player(self, player_lookup: str, game: PlayedGame) -> None:
        self.player_games.setdefault(player_lookup, []).append(game)

    def record_team(self, team_abbr: str, game: TeamGame) -> None:
        self.team_games.setdefault(team_abbr, []).append(game)

    def games_of(self, player_lookup: str) -> list[PlayedGame]:
        return self.player_games.get(player_lookup, [])

    def team_history(self, team_abbr: str) -> list[TeamGame]:
        return self.team_games.get(team_abbr, [])


def full_days_off(last: dt.date | None, game_date: dt.date) -> int | None:
    """Played yesterday = 0 days off; None before the first game."""
    return None if last is None else (game_date - last).days - 1


def within_days(dates: list[dt.date], game_date: dt.date, days: int) -> list[dt.date]:
    """Dates in the `days` days before game_date (game_date itself excluded)."""
    start = game_date - dt.timedelta(days=days)
    return [day for day in dates if start <= day < game_date]


def back_to_back_pairs(dates: list[dt.date]) -> int:
    ordered = sorted(dates)
    return sum(1 for earlier, later in zip(ordered, ordered[1:], strict=False) if (later - earlier).days == 1)
