"""Orchestration: league -> schedule -> availability -> night-by-night context and box scores."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from processors.sample_season.availability import Availability, AvailabilityPlan, build_availability
from processors.sample_season.box_scores import GameBox, simulate_game
from processors.sample_season.context import SeasonFrame, player_context_rows, team_context_rows
from processors.sample_season.history import PlayedGame, SeasonHistory, TeamGame
from processors.sample_season.randomness import derived_rng
from processors.sample_season.schedule import ScheduledGame, build_schedule
from processors.sample_season.summary import summarize
from processors.sample_season.table_names import (
    PLAYER_CONTEXT,
    PLAYER_GAMES,
    SCHEDULE,
    TABLE_NAMES,
    TEAM_CONTEXT,
    TEAM_DEFENSE,
    TEAM_OFFENSE,
)
from processors.sample_season.teams_players import TEAM_ABBRS, League, Player, build_league

STATUS_SCHEDULED, STATUS_FINAL = 1, 3
SORT_KEYS: dict[str, tuple[str, ...]] = {
    SCHEDULE: ("game_date", "game_id"),
    PLAYER_GAMES: ("game_date", "game_id", "team_abbr", "player_lookup"),
    TEAM_DEFENSE: ("game_date", "game_id", "defending_team_abbr"),
    TEAM_OFFENSE: ("game_date", "game_id", "team_abbr"),
    PLAYER_CONTEXT: ("game_date", "game_id", "team_abbr", "player_lookup"),
    TEAM_CONTEXT: ("game_date", "game_id", "team_abbr"),
}


@dataclass(frozen=True)
class SampleSeason:
    season_year: int
    seed: int
    tables: dict[str, list[dict]]

    def summary(self) -> dict[str, object]:
        return summarize(self.tables)


def generate_season(season_year: int = 2024, seed: int = 42, as_of: dt.date | None = None) -> SampleSeason:
    """A full regular season; games on or after `as_of` stay scheduled and have no box scores."""
    league = build_league(derived_rng(seed, season_year, "league"))
    schedule = build_schedule(season_year, TEAM_ABBRS, derived_rng(seed, season_year, "schedule"))
    plan = build_availability(league, schedule, derived_rng(seed, season_year, "availability"))
    tables: dict[str, list[dict]] = {name: [] for name in TABLE_NAMES}
    tables[SCHEDULE] = [_schedule_row(game, season_year, as_of) for game in schedule]
    _play_season(league, schedule, plan, season_year, seed, as_of, tables)
    for name, key_columns in SORT_KEYS.items():
        tables[name].sort(key=lambda row, columns=key_columns: tuple(row[column] for column in columns))
    return SampleSeason(season_year=season_year, seed=seed, tables=tables)


def _is_final(game_date: dt.date, as_of: dt.date | None) -> bool:
    return as_of is None or game_date < as_of


def _schedule_row(game: ScheduledGame, season_year: int, as_of: dt.date | None) -> dict:
    return {
        "game_id": game.game_id,
        "game_date": game.game_date,
        "season_year": season_year,
        "home_team_abbr": game.home_team_abbr,
        "away_team_abbr": game.away_team_abbr,
        "game_status": STATUS_FINAL if _is_final(game.game_date, as_of) else STATUS_SCHEDULED,
        "game_start_time_et": game.start_time_utc,
        "is_all_star_break": False,  # the break has no games; every scheduled game is outside it
    }


def _play_season(
    league: League,
    schedule: list[ScheduledGame],
    plan: AvailabilityPlan,
    season_year: int,
    seed: int,
    as_of: dt.date | None,
    tables: dict[str, list[dict]],
) -> None:
    """Night by night: context first (from history before the night), then the night's games.

    Every game is simulated even after `as_of`, so the context tables do not depend on it.
    """
    frame = SeasonFrame(season_year, schedule[0].game_date, schedule[-1].game_date)
    rosters = {abbr: league.roster(abbr) for abbr in league.teams}
    games_played = dict.fromkeys(league.teams, 0)
    history = SeasonHistory()
    for game_date, night in groupby(schedule, key=lambda game: game.game_date):
        night_games = []
        for game in night:
            listed = {
                abbr: _listed_roster(rosters[abbr], plan, games_played[abbr])
                for abbr in (game.home_team_abbr, game.away_team_abbr)
            }
            context_rng = derived_rng(seed, season_year, "context", game.game_id)
            tables[TEAM_CONTEXT] += team_context_rows(game, league.teams, history, frame, context_rng)
            for abbr, roster in listed.items():
                tables[PLAYER_CONTEXT] += player_context_rows(game, abbr, roster, history, frame, context_rng)
            night_games.append((game, listed))
        lines = _current_lines(tables[PLAYER_CONTEXT], game_date)
        for game, listed in night_games:
            box = simulate_game(
                game, season_year, league.teams, listed, lines, derived_rng(seed, season_year, "game", game.game_id)
            )
            _record(box, history, game_date)
            for abbr in listed:
                games_played[abbr] += 1
            if _is_final(game_date, as_of):
                tables[PLAYER_GAMES] += box.player_rows
                tables[TEAM_OFFENSE] += box.offense_rows
                tables[TEAM_DEFENSE] += box.defense_rows


def _listed_roster(roster: list[Player], plan: AvailabilityPlan, game_index: int) -> list[tuple[Player, Availability]]:
    return [(player, plan.for_game(player, game_index)) for player in roster if plan.on_roster(player, game_index)]


def _current_lines(context_rows: list[dict], game_date: dt.date) -> dict[str, float | None]:
    """The night's current lines become the box scores' points_line."""
    lines: dict[str, float | None] = {}
    for row in reversed(context_rows):
        if row["game_date"] != game_date:
            break
        lines[row["player_lookup"]] = row["current_points_line"]
    return lines


def _record(box: GameBox, history: SeasonHistory, game_date: dt.date) -> None:
    for row in box.player_rows:
        if row["is_active"] and row["minutes_played"] > 0:
            history.record_player(
                row["player_lookup"], PlayedGame(game_date, row["minutes_played"], row["usage_rate"], row["points"])
            )
    for team_abbr, pace in sorted(box.paces.items()):
        history.record_team(team_abbr, TeamGame(game_date, round(pace, 1)))  # as in team_offense
