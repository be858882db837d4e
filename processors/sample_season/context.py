"""Pre-game context tables, built for a date from the season history strictly before it."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from statistics import fmean  # given lists: a generator is counted item by item in Python (slow)

from processors.sample_season.availability import Availability
from processors.sample_season.history import (
    PlayedGame,
    SeasonHistory,
    back_to_back_pairs,
    full_days_off,
    within_days,
)
from processors.sample_season.randomness import clamp, prop_line
from processors.sample_season.schedule import ScheduledGame
from processors.sample_season.season_calendar import season_phase
from processors.sample_season.teams_players import LEAGUE_PACE, Player, Team

HOME_COURT_POINTS = 2.5
POINTS_PER_POSSESSION = 1.145  # the league's offensive rating / 100
PACE_WINDOW = 10
RECENT_GAMES = 7
LINE_WINDOW = 10
LINE_MIN_GAMES = 3
LINE_MIN_MINUTES = 15.0  # books do not post lines for low-minute players
LINE_NOISE = 1.0
LINE_MOVES = (-1.0, 0.0, 0.0, 0.0, 0.0, 1.0)  # whole points: lines stay on .5, no pushes
USAGE_BUMP_PER_STAR_OUT = 2.0
NO_LINE_STATUSES = frozenset({"out", "doubtful"})


@dataclass(frozen=True)
class SeasonFrame:
    season_year: int
    first_game_date: dt.date
    last_game_date: dt.date


def team_context_rows(
    game: ScheduledGame, teams: dict[str, Team], history: SeasonHistory, frame: SeasonFrame, rng: random.Random
) -> list[dict]:
    home, away = teams[game.home_team_abbr], teams[game.away_team_abbr]
    home_margin = home.expected_margin_vs(away) + HOME_COURT_POINTS + rng.gauss(0.0, 1.0)
    home_spread = -round(home_margin * 2) / 2
    expected_pace = home.pace + away.pace - LEAGUE_PACE  # tempo is additive, as the games are played
    total = clamp(round((2 * expected_pace * POINTS_PER_POSSESSION + rng.gauss(0.0, 3.0)) * 2) / 2, 205.0, 245.0)
    rows = []
    for team_abbr, spread in ((home.abbr, home_spread), (away.abbr, -home_spread)):
        dates = [team_game.game_date for team_game in history.team_history(team_abbr)]
        days_rest = full_days_off(dates[-1] if dates else None, game.game_date)
        rows.append(
            {
                "team_abbr": team_abbr,
                "game_id": game.game_id,
                "game_date": game.game_date,
                "season_year": frame.season_year,
                "opponent_team_abbr": game.opponent_of(team_abbr),
                "home_game": team_abbr == home.abbr,
                "team_days_rest": days_rest,
                "team_back_to_back": days_rest == 0,
                "game_spread": float(spread) + 0.0,  # + 0.0 turns -0.0 into 0.0
                "game_total": float(total),
                "games_in_last_7_days": len(within_days(dates, game.game_date, 7)),
            }
        )
    return rows


def player_context_rows(
    game: ScheduledGame,
    team_abbr: str,
    roster: list[tuple[Player, Availability]],
    history: SeasonHistory,
    frame: SeasonFrame,
    rng: random.Random,
    expected: Callable[[Player, Availability], bool] = lambda player, availability: True,
) -> list[dict]:
    """Rows for the roster players `expected` to play (rotation.py); star_teammates_out counts the whole roster."""
    opponent = game.opponent_of(team_abbr)
    opponent_games = history.team_history(opponent)
    opponent_days_rest = full_days_off(opponent_games[-1].game_date if opponent_games else None, game.game_date)
    pace_differential = _pace_differential(history, team_abbr, opponent)
    phase = season_phase(game.game_date, frame.first_game_date, frame.last_game_date)
    stars_out = [player for player, availability in roster if player.role == "star" and availability.is_out]
    rows = []
    for player, availability in sorted(roster, key=lambda entry: entry[0].player_lookup):
        if not expected(player, availability):
            continue
        star_teammates_out = sum(1 for star in stars_out if star is not player)
        games = history.games_of(player.player_lookup)
        load = _rest_and_load(games, game.game_date)
        usage = _usage(games, star_teammates_out, rng)
        opening, current = _points_lines(games, availability.status, rng)
        rows.append(  # keys in the DDL's column order
            {
                "player_lookup": player.player_lookup,
                "universal_player_id": player.universal_player_id,
                "game_id": game.game_id,
                "game_date": game.game_date,
                "season_year": frame.season_year,
                "team_abbr": team_abbr,
                "opponent_team_abbr": opponent,
                "home_game": team_abbr == game.home_team_abbr,
                "days_rest": load["days_rest"],
                "back_to_back": load["back_to_back"],
                "opponent_days_rest": opponent_days_rest,
                "games_in_last_7_days": load["games_in_last_7_days"],
                "games_in_last_14_days": load["games_in_last_14_days"],
                "minutes_in_last_7_days": load["minutes_in_last_7_days"],
                "minutes_in_last_14_days": load["minutes_in_last_14_days"],
                "avg_minutes_per_game_last_7": load["avg_minutes_per_game_last_7"],
                "back_to_backs_last_14_days": load["back_to_backs_last_14_days"],
                "player_age": player.age,
                "pace_differential": pace_differential,
                "projected_usage_rate": usage["projected_usage_rate"],
                "avg_usage_rate_last_7_games": usage["avg_usage_rate_last_7_games"],
                "star_teammates_out": star_teammates_out,
                "player_status": availability.status,
                "season_phase": phase,
                "current_points_line": current,
                "opening_points_line": opening,
            }
        )
    return rows


def _rest_and_load(games: list[PlayedGame], game_date: dt.date) -> dict:
    days_rest = full_days_off(games[-1].game_date if games else None, game_date)
    last_7_days = [played for played in games[-7:] if played.game_date >= game_date - dt.timedelta(days=7)]
    last_14_days = [played for played in games[-14:] if played.game_date >= game_date - dt.timedelta(days=14)]
    recent = games[-RECENT_GAMES:]
    return {
        "days_rest": days_rest,
        "back_to_back": None if days_rest is None else days_rest == 0,
        "games_in_last_7_days": len(last_7_days),
        "games_in_last_14_days": len(last_14_days),
        "minutes_in_last_7_days": round(sum((played.minutes for played in last_7_days), 0.0), 1),
        "minutes_in_last_14_days": round(sum((played.minutes for played in last_14_days), 0.0), 1),
        "avg_minutes_per_game_last_7": round(fmean([p.minutes for p in recent]), 1) if recent else None,
        "back_to_backs_last_14_days": back_to_back_pairs([played.game_date for played in last_14_days]),
    }


def _pace_differential(history: SeasonHistory, team_abbr: str, opponent: str) -> float | None:
    team_paces = [game.pace for game in history.team_history(team_abbr)[-PACE_WINDOW:]]
    opponent_paces = [game.pace for game in history.team_history(opponent)[-PACE_WINDOW:]]
    if not team_paces or not opponent_paces:
        return None
    return round(fmean(team_paces) - fmean(opponent_paces), 1)


def _usage(games: list[PlayedGame], star_teammates_out: int, rng: random.Random) -> dict:
    """Projected usage leans on the last 7 games and rises when star teammates sit."""
    if not games:
        return {"projected_usage_rate": None, "avg_usage_rate_last_7_games": None}
    recent = fmean([played.usage_rate for played in games[-RECENT_GAMES:]])
    season = fmean([played.usage_rate for played in games])
    projected = 0.6 * recent + 0.4 * season + USAGE_BUMP_PER_STAR_OUT * star_teammates_out + rng.gauss(0.0, 0.8)
    return {
        "projected_usage_rate": round(clamp(projected, 5.0, 45.0), 2),
        "avg_usage_rate_last_7_games": round(recent, 2),
    }


def _points_lines(games: list[PlayedGame], status: str | None, rng: random.Random) -> tuple[float | None, float | None]:
    """(opening, current): near the last-10 scoring average; none for low-minute or unavailable players."""
    recent = games[-LINE_WINDOW:]
    if len(games) < LINE_MIN_GAMES or status in NO_LINE_STATUSES:
        return None, None
    if fmean([played.minutes for played in recent]) < LINE_MIN_MINUTES:
        return None, None
    opening = prop_line(fmean([played.points for played in recent]) + rng.gauss(0.0, LINE_NOISE))
    current = max(0.5, opening + rng.choice(LINE_MOVES))
    return opening, current
