"""Who can play each game: injuries, rest nights, injury-report statuses and late call-ups.

Planned up front per player over the games of his team at the time (trades move him),
so the pre-game context and the box score of a game agree on who is out.

Calibrated so that on a typical mid-season night at least 90 % of the players Phase 5
predicts for are production ready: a single missed game keeps a player below 90 %
complete for two weeks (L5-game and L14-day windows), so rotation players miss games
mostly through injury stretches, stars rest some second nights of back-to-backs, and
only a few players miss the odd game. One designed exception: the teams that play on
the season's last night rest their two leading players and their leading bench player in
the game before it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from processors.sample_season.schedule import ScheduledGame
from processors.sample_season.teams_players import League, Player
from processors.sample_season.trades import Rosters

INJURY_PROBABILITY = {"star": 0.25, "starter": 0.2, "rotation": 0.2, "bench": 0.2, "deep_bench": 0.15}
SECOND_INJURY_PROBABILITY = 0.1
INJURY_GAMES = (5, 25)
SEASON_ENDING_INJURIES = 2
STAR_REST_ON_BACK_TO_BACK = 0.06
CO_STAR_JOINS_REST = 0.4
SCATTERED_REST_PLAYERS = 0.04  # share of players who miss the odd game for rest or personal reasons
SCATTERED_REST_PER_GAME = 0.04
QUESTIONABLE_PER_GAME = 0.02
QUESTIONABLE_PLAYS = 0.95
PROBABLE_PER_GAME = 0.03
CALL_UP_GAMES_LEFT = (6, 9)  # call-ups join with this many team games left: fewer than 10 games
SEASON_END_RESTERS_PER_TEAM = 2  # its stars first, then the starters with the most minutes
SEASON_END_BENCH_RESTERS_PER_TEAM = 1  # and its bench player with the most minutes


@dataclass(frozen=True)
class Availability:
    status: str | None  # injury-report status shown in the pre-game context
    can_play: bool  # the coach may still leave him on the bench
    listed: bool  # gets a DNP box-score row when he does not play

    @property
    def is_out(self) -> bool:
        return self.status == "out"


AVAILABLE = Availability("available", True, True)
UNLISTED = Availability(None, True, True)  # deep bench: not on the injury report
OUT_INJURED = Availability("out", False, False)
DOUBTFUL = Availability("doubtful", False, True)
RETURNING = Availability("questionable", True, True)
RESTING = Availability("out", False, True)
PROBABLE = Availability("probable", True, True)


@dataclass(frozen=True)
class AvailabilityPlan:
    by_player: dict[str, dict[dt.date, Availability]]  # player_lookup -> his team's game dates -> availability
    first_game_date: dict[str, dt.date]  # first game the player is on a roster for

    def on_roster(self, player: Player, game_date: dt.date) -> bool:
        return game_date >= self.first_game_date[player.player_lookup]

    def for_date(self, player: Player, game_date: dt.date) -> Availability:
        return self.by_player[player.player_lookup][game_date]


def team_game_dates(schedule: list[ScheduledGame]) -> dict[str, list[dt.date]]:
    dates: dict[str, list[dt.date]] = {}
    for game in schedule:
        for team in (game.home_team_abbr, game.away_team_abbr):
            dates.setdefault(team, []).append(game.game_date)
    return dates


def build_availability(
    league: League, schedule: list[ScheduledGame], rosters: Rosters, rng: random.Random
) -> AvailabilityPlan:
    team_dates = team_game_dates(schedule)
    player_dates = {player.player_lookup: rosters.game_dates(player, team_dates) for player in league.players}
    by_player: dict[str, list[Availability]] = {}
    first_game_index: dict[str, int] = {}
    for player in league.players:
        games = len(player_dates[player.player_lookup])
        default = UNLISTED if player.role == "deep_bench" else AVAILABLE
        by_player[player.player_lookup] = [default] * games
        first_game_index[player.player_lookup] = games - rng.randint(*CALL_UP_GAMES_LEFT) if player.is_call_up else 0
    for player in league.players:
        slots = by_player[player.player_lookup]
        _add_injuries(slots, player, rng)
        _add_scattered_rest(slots, rng)
        _add_report_noise(slots, rng)
    _add_season_ending_injuries(league, by_player, rng)
    for team_abbr in league.teams:
        _add_star_rest(league.roster(team_abbr), by_player, team_dates[team_abbr], rng)  # stars are never traded
    dated = {lookup: dict(zip(player_dates[lookup], slots, strict=True)) for lookup, slots in by_player.items()}
    _add_season_end_rest(rosters, dated, team_dates)
    return AvailabilityPlan(
        by_player=dated,
        first_game_date={lookup: player_dates[lookup][index] for lookup, index in first_game_index.items()},
    )


def _add_injuries(slots: list[Availability], player: Player, rng: random.Random) -> None:
    if player.is_call_up or rng.random() >= INJURY_PROBABILITY[player.role]:
        return
    stretches = 2 if rng.random() < SECOND_INJURY_PROBABILITY else 1
    for _ in range(stretches):
        length = rng.randint(*INJURY_GAMES)
        start = rng.randrange(0, len(slots) - length)
        _mark_injury(slots, start, start + length)


def _mark_injury(slots: list[Availability], start: int, end: int) -> None:
    """Doubtful the first game, out after, questionable (and playing) on return."""
    slots[start] = DOUBTFUL
    for index in range(start + 1, min(end, len(slots))):
        slots[index] = OUT_INJURED
    if end < len(slots):
        slots[end] = RETURNING


def _add_scattered_rest(slots: list[Availability], rng: random.Random) -> None:
    if rng.random() >= SCATTERED_REST_PLAYERS:
        return
    for index, slot in enumerate(slots):
        if slot.can_play and rng.random() < SCATTERED_REST_PER_GAME:
            slots[index] = RESTING


def _add_report_noise(slots: list[Availability], rng: random.Random) -> None:
    """Some healthy players are listed probable or questionable (questionable ones usually play)."""
    for index, slot in enumerate(slots):
        if slot not in (AVAILABLE, UNLISTED):
            continue
        draw = rng.random()
        if draw < QUESTIONABLE_PER_GAME:
            slots[index] = RETURNING if rng.random() < QUESTIONABLE_PLAYS else Availability("questionable", False, True)
        elif draw < QUESTIONABLE_PER_GAME + PROBABLE_PER_GAME:
            slots[index] = PROBABLE


def _add_season_ending_injuries(league: League, by_player: dict[str, list[Availability]], rng: random.Random) -> None:
    """A couple of rotation players go down in the first weeks and never return: fewer than 10 games."""
    candidates = [player for player in league.players if player.role == "rotation"]
    for player in rng.sample(candidates, SEASON_ENDING_INJURIES):
        slots = by_player[player.player_lookup]
        last_game = rng.randint(4, 8)
        slots[:last_game] = [AVAILABLE] * last_game
        _mark_injury(slots, last_game, len(slots))


def _add_star_rest(
    roster: list[Player], by_player: dict[str, list[Availability]], dates: list[dt.date], rng: random.Random
) -> None:
    """Stars sit the second night of some back-to-backs, sometimes together (two stars out)."""
    stars = [player for player in roster if player.role == "star"]
    for index in range(1, len(dates)):
        if (dates[index] - dates[index - 1]).days != 1:
            continue
        resting: list[Player] = []
        for star in stars:
            joins = bool(resting) and rng.random() < CO_STAR_JOINS_REST
            if joins or rng.random() < STAR_REST_ON_BACK_TO_BACK:
                resting.append(star)
        for star in resting:
            if by_player[star.player_lookup][index].can_play:
                by_player[star.player_lookup][index] = RESTING


def season_end_rest_games(team_dates: dict[str, list[dt.date]]) -> dict[str, dt.date]:
    """Team -> the date of its second-to-last game, for the teams that play on the season's last night."""
    last_night = max(dates[-1] for dates in team_dates.values())
    return {team: dates[-2] for team, dates in sorted(team_dates.items()) if dates[-1] == last_night}


def _add_season_end_rest(
    rosters: Rosters, by_player: dict[str, dict[dt.date, Availability]], team_dates: dict[str, list[dt.date]]
) -> None:
    """Designed: the last night's teams rest their two leading players and their leading bench player
    the game before (seeding settled), so those players come back on the last night with a missed
    game in every short window."""
    for team, rest_date in season_end_rest_games(team_dates).items():
        leaders = sorted(rosters.roster(team, rest_date), key=lambda p: (p.role_rank, -p.minutes_mean, p.player_lookup))
        bench = [player for player in leaders if player.role == "bench"]
        for player in leaders[:SEASON_END_RESTERS_PER_TEAM] + bench[:SEASON_END_BENCH_RESTERS_PER_TEAM]:
            slots = by_player[player.player_lookup]
            if slots[rest_date].can_play:
                slots[rest_date] = RESTING
