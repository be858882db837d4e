"""Who plays and for how long: coach's decisions, starters, and minutes summing exactly to the game total."""

from __future__ import annotations

import random
from dataclasses import dataclass

from processors.sample_season.availability import Availability
from processors.sample_season.randomness import clamp
from processors.sample_season.teams_players import Player

BENCH_DNP_PROBABILITY = 0.015  # the 9th-13th men rarely sit healthy: one DNP keeps a player unready for two weeks
DEEP_BENCH_PLAYS_PROBABILITY = 0.35
MIN_PLAYERS_USED = 9
MINUTES_NOISE = {"star": 2.2, "starter": 2.8, "rotation": 3.2, "bench": 3.0, "deep_bench": 1.5}
PROMOTED_STARTER_MINUTES = 25.0
REST_OF_GAME_MARGIN = 2.0  # nobody plays every second of regulation


@dataclass(frozen=True)
class Appearance:
    player: Player
    minutes_tenths: int  # tenths of a minute, so team totals are exact integers
    starter: bool

    @property
    def minutes(self) -> float:
        return self.minutes_tenths / 10


def split_players(roster: list[tuple[Player, Availability]], rng: random.Random) -> tuple[list[Player], list[Player]]:
    """(players who take the floor, listed players who do not: DNP rows)."""
    playing: list[Player] = []
    coach_dnp: list[Player] = []
    unavailable: list[Player] = []
    for player, availability in roster:
        if not availability.can_play:
            if availability.listed:
                unavailable.append(player)
        elif _coach_plays(player, rng):
            playing.append(player)
        else:
            coach_dnp.append(player)
    coach_dnp.sort(key=lambda player: (player.role_rank, player.player_lookup))
    while len(playing) < MIN_PLAYERS_USED and coach_dnp:
        playing.append(coach_dnp.pop(0))  # short-handed nights use the end of the bench
    return playing, coach_dnp + unavailable


def _coach_plays(player: Player, rng: random.Random) -> bool:
    if player.role == "bench":
        return rng.random() >= BENCH_DNP_PROBABILITY
    if player.role == "deep_bench":
        return rng.random() < DEEP_BENCH_PLAYS_PROBABILITY
    return True


def allocate_minutes(playing: list[Player], game_minutes: int, rng: random.Random) -> list[Appearance]:
    ordered = sorted(playing, key=lambda player: (player.role_rank, -player.minutes_mean, player.player_lookup))
    targets = []
    for position, player in enumerate(ordered):
        target = player.minutes_mean + rng.gauss(0.0, MINUTES_NOISE[player.role])
        if position < 5 and player.role_rank >= 2:
            target = max(target, PROMOTED_STARTER_MINUTES)  # a bench player filling in as a starter
        targets.append(max(1.0, target))
    total = 5.0 * game_minutes
    scaled = scale_with_cap(targets, total, game_minutes - REST_OF_GAME_MARGIN)
    tenths = to_tenths(scaled, round(total * 10))
    return [Appearance(player, tenths[index], index < 5) for index, player in enumerate(ordered)]


def scale_with_cap(targets: list[float], total: float, cap: float) -> list[float]:
    """Scale targets to sum to `total`; anyone past the cap is held there and the rest rescaled."""
    capped = [False] * len(targets)
    for _ in range(len(targets)):
        free_total = total - cap * sum(capped)
        free_sum = sum(target for target, held in zip(targets, capped, strict=True) if not held)
        factor = free_total / free_sum
        newly_capped = [i for i, target in enumerate(targets) if not capped[i] and target * factor > cap]
        if not newly_capped:
            return [cap if held else target * factor for target, held in zip(targets, capped, strict=True)]
        for index in newly_capped:
            capped[index] = True
    return [clamp(target, 0.0, cap) for target in targets]


def to_tenths(values: list[float], total_tenths: int) -> list[int]:
    """Largest-remainder rounding to tenths that sum exactly to total_tenths, at least 1 each."""
    raw = [value * 10 for value in values]
    tenths = [max(1, int(value)) for value in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - int(raw[i])), i))
    shortfall = total_tenths - sum(tenths)
    step = 1 if shortfall > 0 else -1
    position = 0
    while shortfall != 0:
        index = order[position % len(order)]
        if step > 0 or tenths[index] > 1:
            tenths[index] += step
            shortfall -= step
        position += 1
    return tenths
