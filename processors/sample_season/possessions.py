"""A game's possessions: one shared count from both teams' tempo, then played one by one.

Both offenses play until the spec's estimate FGA + 0.44 x FTA + TOV - ORB reaches the
same target (each stops within half a possession of it; the last possession adds about
one), so the two teams of a game agree on possessions, and so on pace, within 2.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from processors.sample_season.randomness import clamp
from processors.sample_season.stat_lines import MID, PAINT, THREE, ZONES, StatLine, TeamSide
from processors.sample_season.teams_players import LEAGUE_PACE, Player, Team

GAME_PACE_NOISE = 3.5  # sd of one game's pace around what the two teams' tempos predict
PACE_LIMITS = (84.0, 115.0)
HOME_SHOOTING_BONUS = 0.006
TURNOVER_SCALE = 1.08  # turnover_share is per play; scaled to the league's ~14.5 turnovers a game
AND_ONE_RATE = 0.055  # share of made field goals that also draw a shooting foul (one free throw)
THREE_SHOT_TRIP_SHARE = 0.06  # trips after a foul on a three: three free throws
MEAN_FREE_THROWS_PER_TRIP = 2 + THREE_SHOT_TRIP_SHARE
TYPICAL_FG_PCT = 0.47
FREE_THROW_SCALE = 0.95  # ft_rate draws run a little above the league's free throws per field-goal attempt
ASSISTED_RATE = (0.57, 0.44, 0.9)  # by zone
OFFENSIVE_REBOUND_RATE = 0.24
FREE_THROW_OFFENSIVE_REBOUND_RATE = 0.12
BLOCK_RATE = (0.2, 0.09, 0.03)  # share of misses in the zone that were blocked
STEAL_SHARE_OF_TURNOVERS = 0.55


def game_pace(home: Team, away: Team, rng: random.Random) -> float:
    """Tempo is roughly additive: each team pulls the game toward its own pace."""
    return clamp(home.pace + away.pace - LEAGUE_PACE + rng.gauss(0.0, GAME_PACE_NOISE), *PACE_LIMITS)


def play_offense(offense: TeamSide, defense: TeamSide, possessions: float, rng: random.Random) -> None:
    """Play `offense`'s possessions until its estimate is within half a possession of the target."""
    game = _Offense(offense, defense, rng)
    estimate = 0.0
    while estimate < possessions - 0.5:
        estimate += game.possession()


@dataclass(frozen=True)
class _Tendencies:
    """One player's per-action odds in this game (against this defense, at home or away)."""

    turnover: float  # P(the action is a turnover)
    trip: float  # P(turnover or a shooting foul without a field-goal attempt)
    paint_cut: float
    mid_cut: float
    make: tuple[float, float, float]
    assisted: tuple[float, float, float]
    ft_pct: float


def _tendencies(player: Player, bonus: float, defense: Team) -> _Tendencies:
    defense_by_zone = (defense.paint_defense, defense.mid_defense, defense.three_defense)
    turnover = player.turnover_share * TURNOVER_SCALE
    # ft_rate is free throws per field-goal attempt: and-ones give some, the rest come from trips.
    from_trips = max(0.0, player.ft_rate * FREE_THROW_SCALE - AND_ONE_RATE * TYPICAL_FG_PCT)
    trip = (1 - turnover) * from_trips / (MEAN_FREE_THROWS_PER_TRIP + from_trips)
    paint_cut = player.zone_shares[PAINT]
    return _Tendencies(
        turnover=turnover,
        trip=turnover + trip,
        paint_cut=paint_cut,
        mid_cut=paint_cut + player.zone_shares[MID],
        make=tuple(clamp(player.zone_pcts[z] + bonus + defense_by_zone[z], 0.1, 0.85) for z in ZONES),
        assisted=tuple(clamp(ASSISTED_RATE[z] * player.assisted_bias, 0.0, 0.95) for z in ZONES),
        ft_pct=player.ft_pct,
    )


class _Picker:
    """Weighted draws among a side's lines; cumulative weights built once per game."""

    def __init__(self, lines: list[StatLine], rating: str) -> None:
        self.lines = lines
        self.cumulative = list(accumulate(getattr(line.player, rating) * line.appearance.minutes for line in lines))
        self.total = self.cumulative[-1]

    def index(self, rng: random.Random) -> int:
        return bisect_right(self.cumulative, rng.random() * self.total)

    def pick(self, rng: random.Random) -> StatLine:
        return self.lines[self.index(rng)]


class _Offense:
    """One team's possessions against one defense; counting stats go straight onto the lines."""

    def __init__(self, offense: TeamSide, defense: TeamSide, rng: random.Random) -> None:
        bonus = offense.team.shooting_adj + (HOME_SHOOTING_BONUS if offense.home else 0.0)
        self.rng = rng
        self.lines = offense.lines
        self.tendencies = [_tendencies(line.player, bonus, defense.team) for line in offense.lines]
        self.blocks_by_zone = defense.blocks_by_zone
        self.users = _Picker(offense.lines, "usage")  # who ends the play: usage x minutes
        self.passers = _Picker(offense.lines, "playmaking")
        self.offensive_rebounders = _Picker(offense.lines, "offensive_rebounding")
        self.defensive_rebounders = _Picker(defense.lines, "defensive_rebounding")
        self.blockers = _Picker(defense.lines, "blocking")
        self.thieves = _Picker(defense.lines, "steals")

    def possession(self) -> float:
        """Play one possession; returns what it adds to FGA + 0.44 x FTA + TOV - ORB."""
        rng = self.rng
        added = 0.0
        while True:  # an offensive rebound keeps the possession going
            index = self.users.index(rng)
            line, odds = self.lines[index], self.tendencies[index]
            draw = rng.random()
            if draw < odds.turnover:
                line.turnovers += 1
                if rng.random() < STEAL_SHARE_OF_TURNOVERS:
                    self.thieves.pick(rng).steals += 1
                return added + 1
            if draw < odds.trip:
                shots = 3 if rng.random() < THREE_SHOT_TRIP_SHARE else 2
                added += 0.44 * shots
                if self._free_throws(line, odds, shots) or not self._rebound(FREE_THROW_OFFENSIVE_REBOUND_RATE):
                    return added
                added -= 1
                continue
            added += 1
            if self._field_goal(line, odds):
                if rng.random() < AND_ONE_RATE:
                    self._free_throws(line, odds, 1)
                    added += 0.44
                return added
            if not self._rebound(OFFENSIVE_REBOUND_RATE):
                return added
            added -= 1

    def _field_goal(self, line: StatLine, odds: _Tendencies) -> bool:
        rng = self.rng
        draw = rng.random()
        zone = PAINT if draw < odds.paint_cut else MID if draw < odds.mid_cut else THREE
        line.attempts[zone] += 1
        if rng.random() < odds.make[zone]:
            line.makes[zone] += 1
            if rng.random() < odds.assisted[zone]:
                line.assisted += 1
                self._credit_assist(line)
            return True
        if rng.random() < BLOCK_RATE[zone]:
            self.blocks_by_zone[zone] += 1
            self.blockers.pick(self.rng).blocks += 1
        return False

    def _credit_assist(self, shooter: StatLine) -> None:
        """Every assisted make is one teammate's assist (never the shooter's own)."""
        passer = self.passers.pick(self.rng)
        while passer is shooter:
            passer = self.passers.pick(self.rng)
        passer.assists += 1

    def _free_throws(self, line: StatLine, odds: _Tendencies, shots: int) -> bool:
        """Shoot `shots` free throws; True when the last one went in."""
        made = False
        for _ in range(shots):
            made = self.rng.random() < odds.ft_pct
            line.ft_attempts += 1
            line.ft_makes += made
        return made

    def _rebound(self, offensive_rate: float) -> bool:
        """A live miss: True when the offense gets it back."""
        if self.rng.random() < offensive_rate:
            self.offensive_rebounders.pick(self.rng).offensive_rebounds += 1
            return True
        self.defensive_rebounders.pick(self.rng).defensive_rebounds += 1
        return False

