"""Counting stats of one team in one game, filled in as the game is simulated."""

from __future__ import annotations

from dataclasses import dataclass, field

from processors.sample_season.minutes import Appearance
from processors.sample_season.teams_players import Player, Team

PAINT, MID, THREE = 0, 1, 2
ZONES = (PAINT, MID, THREE)


@dataclass
class StatLine:
    """A player's counting stats in one game."""

    appearance: Appearance
    attempts: list[int] = field(default_factory=lambda: [0, 0, 0])
    makes: list[int] = field(default_factory=lambda: [0, 0, 0])
    ft_attempts: int = 0
    ft_makes: int = 0
    turnovers: int = 0
    assisted: int = 0
    assists: int = 0
    offensive_rebounds: int = 0
    defensive_rebounds: int = 0
    steals: int = 0
    blocks: int = 0
    fouls: int = 0

    @property
    def player(self) -> Player:
        return self.appearance.player

    @property
    def points(self) -> int:
        return 2 * (self.makes[PAINT] + self.makes[MID]) + 3 * self.makes[THREE] + self.ft_makes

    @property
    def plays(self) -> float:
        return sum(self.attempts) + 0.44 * self.ft_attempts + self.turnovers


@dataclass
class TeamSide:
    team: Team
    home: bool
    lines: list[StatLine]
    dnp: list[Player]
    blocks_by_zone: list[int] = field(default_factory=lambda: [0, 0, 0])

    def total(self, stat: str) -> int:
        return sum(getattr(line, stat) for line in self.lines)

    def zone_total(self, stat: str, zone: int) -> int:
        return sum(getattr(line, stat)[zone] for line in self.lines)

    def field_goals(self, stat: str) -> int:
        """All zones: stat is "attempts" or "makes"."""
        return sum(sum(getattr(line, stat)) for line in self.lines)

    @property
    def points(self) -> int:
        return sum(line.points for line in self.lines)

    @property
    def possessions(self) -> float:
        """FGA + 0.44 x FTA + TOV - ORB, the spec's estimate."""
        return (
            self.field_goals("attempts")
            + 0.44 * self.total("ft_attempts")
            + self.total("turnovers")
            - self.total("offensive_rebounds")
        )
