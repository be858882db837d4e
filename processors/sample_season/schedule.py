"""The regular-season schedule: 1,230 matchups (41 home / 41 away per team) placed on nights."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from processors.sample_season import season_calendar
from processors.sample_season.teams_players import WEST_COAST_TEAMS

EXTRA_GAME_OFFSETS = range(1, 13)  # each team hosts the 12 teams after it once more: 58 + 24 = 82 games
MAX_GAMES_PER_NIGHT = 15
# Relative night sizes Monday..Sunday: Wednesdays and Fridays are busy, Thursdays light.
WEEKDAY_WEIGHTS = (1.0, 0.95, 1.25, 0.55, 1.15, 1.0, 0.85)
BACK_TO_BACK_PENALTY = 0.45
SPECIAL_NIGHT_SIZES = {"opening": 2, "christmas": 5, "cup_final": 1}


@dataclass(frozen=True)
class ScheduledGame:
    game_id: str
    game_date: dt.date
    home_team_abbr: str
    away_team_abbr: str
    start_time_utc: dt.datetime

    def opponent_of(self, team_abbr: str) -> str:
        return self.away_team_abbr if team_abbr == self.home_team_abbr else self.home_team_abbr


def build_schedule(season_year: int, team_abbrs: tuple[str, ...], rng: random.Random) -> list[ScheduledGame]:
    matchups = build_matchups(team_abbrs, rng)
    games: list[ScheduledGame] = []
    for game_date, home, away in assign_nights(matchups, season_year, team_abbrs, rng):
        games.append(
            ScheduledGame(
                game_id=f"{game_date:%Y%m%d}_{away}_{home}",
                game_date=game_date,
                home_team_abbr=home,
                away_team_abbr=away,
                start_time_utc=_tip_off(game_date, home, rng),
            )
        )
    return sorted(games, key=lambda game: (game.game_date, game.game_id))


def build_matchups(team_abbrs: tuple[str, ...], rng: random.Random) -> list[tuple[str, str]]:
    """(home, away) pairs: every pair home and away once, plus a circulant of extra games."""
    order = list(team_abbrs)
    rng.shuffle(order)  # so the extra opponents are not alphabetical neighbours
    count = len(order)
    matchups = [(home, away) for home in order for away in order if home != away]
    for index, home in enumerate(order):
        matchups += [(home, order[(index + offset) % count]) for offset in EXTRA_GAME_OFFSETS]
    return matchups


def assign_nights(
    matchups: list[tuple[str, str]], season_year: int, team_abbrs: tuple[str, ...], rng: random.Random
) -> list[tuple[dt.date, str, str]]:
    """Greedy night by night: the teams furthest behind their pace play first, back-to-backs cost extra."""
    remaining = list(matchups)
    remaining_per_team = {abbr: 0 for abbr in team_abbrs}
    for home, away in remaining:
        remaining_per_team[home] += 1
        remaining_per_team[away] += 1
    nights = _game_nights(season_year)
    last_played: dict[str, list[dt.date]] = {abbr: [] for abbr in team_abbrs}
    placed: list[tuple[dt.date, str, str]] = []
    night_index = 0
    while remaining:
        night = (
            nights[night_index]
            if night_index < len(nights)
            else nights[-1] + dt.timedelta(days=night_index - len(nights) + 1)
        )
        nights_left = max(1, len(nights) - night_index)
        target = _night_size(night, season_year, len(remaining), nights_left, rng)
        chosen = _pick_games(night, remaining, remaining_per_team, nights_left, last_played, target, rng)
        for home, away in chosen:
            remaining.remove((home, away))
            for team in (home, away):
                remaining_per_team[team] -= 1
                last_played[team].append(night)
            placed.append((night, home, away))
        night_index += 1
    return placed


def _game_nights(season_year: int) -> list[dt.date]:
    off = season_calendar.league_off_nights(season_year)
    first, last = season_calendar.opening_night(season_year), season_calendar.target_last_night(season_year)
    days = (last - first).days + 1
    return [first + dt.timedelta(days=n) for n in range(days) if first + dt.timedelta(days=n) not in off]


def _night_size(night: dt.date, season_year: int, games_left: int, nights_left: int, rng: random.Random) -> int:
    special = {
        season_calendar.opening_night(season_year): "opening",
        season_calendar.christmas(season_year): "christmas",
        season_calendar.cup_final(season_year): "cup_final",
    }.get(night)
    if special:
        return SPECIAL_NIGHT_SIZES[special]
    average = games_left / nights_left
    size = average * WEEKDAY_WEIGHTS[night.weekday()] / (sum(WEEKDAY_WEIGHTS) / 7) + rng.gauss(0.0, 1.6)
    return int(max(2, min(MAX_GAMES_PER_NIGHT, round(size))))


def _pick_games(
    night: dt.date,
    remaining: list[tuple[str, str]],
    remaining_per_team: dict[str, int],
    nights_left: int,
    last_played: dict[str, list[dt.date]],
    target: int,
    rng: random.Random,
) -> list[tuple[str, str]]:
    yesterday, two_days_ago = night - dt.timedelta(days=1), night - dt.timedelta(days=2)

    def played_on(team: str, day: dt.date) -> bool:
        return bool(last_played[team]) and day in last_played[team][-2:]

    def urgency(team: str) -> float:
        return remaining_per_team[team] / nights_left - (BACK_TO_BACK_PENALTY if played_on(team, yesterday) else 0.0)

    scored = [
        (urgency(home) + urgency(away) + rng.random() * 0.5, index) for index, (home, away) in enumerate(remaining)
    ]
    scored.sort(reverse=True)
    busy: set[str] = set()
    chosen: list[tuple[str, str]] = []
    for _, index in scored:
        home, away = remaining[index]
        if home in busy or away in busy:
            continue
        # Never three games in three days.
        if any(played_on(team, yesterday) and played_on(team, two_days_ago) for team in (home, away)):
            continue
        chosen.append((home, away))
        busy.update((home, away))
        if len(chosen) == target:
            break
    return chosen


def _tip_off(game_date: dt.date, home: str, rng: random.Random) -> dt.datetime:
    if home in WEST_COAST_TEAMS:
        hour, minute = rng.choice([(22, 0), (22, 0), (22, 30), (21, 0)])
    else:
        hour, minute = rng.choice([(19, 0), (19, 30), (19, 30), (20, 0), (20, 30)])
    if game_date.weekday() == 6 and rng.random() < 0.4:
        hour, minute = rng.choice([(15, 30), (18, 0)])  # Sunday matinees
    return season_calendar.eastern_to_utc(game_date, hour, minute)
