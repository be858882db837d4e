"""Plain counts describing a generated season, for printing and sanity checks."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from processors.sample_season.table_names import PLAYER_CONTEXT, PLAYER_GAMES, SCHEDULE, TEAM_CONTEXT

FEW_GAMES = 10
CALL_UP_WINDOW_DAYS = 42


def summarize(tables: dict[str, list[dict]]) -> dict[str, object]:
    schedule = tables[SCHEDULE]
    games_per_night = Counter(row["game_date"] for row in schedule)
    first, last = min(games_per_night), max(games_per_night)
    return {
        "games": len(schedule),
        "final_games": sum(1 for row in schedule if row["game_status"] == 3),
        "scheduled_games": sum(1 for row in schedule if row["game_status"] == 1),
        "teams": len({row["home_team_abbr"] for row in schedule} | {row["away_team_abbr"] for row in schedule}),
        "players": len({row["player_lookup"] for row in tables[PLAYER_CONTEXT]}),
        "game_dates": len(games_per_night),
        "off_nights": (last - first).days + 1 - len(games_per_night),
        "first_game_date": first,
        "last_game_date": last,
        "games_per_night_min": min(games_per_night.values()),
        "games_per_night_max": max(games_per_night.values()),
        "rows": {name: len(rows) for name, rows in tables.items()},
        "dnp_rows": sum(1 for row in tables[PLAYER_GAMES] if not row["is_active"]),
        "players_below_10_games": _players_below(tables[PLAYER_GAMES], tables[PLAYER_CONTEXT]),
        "late_call_ups": _late_call_ups(tables[PLAYER_CONTEXT], last),
        "back_to_back_team_games": sum(1 for row in tables[TEAM_CONTEXT] if row["team_back_to_back"]),
        "players_aged_35_plus": len({r["player_lookup"] for r in tables[PLAYER_CONTEXT] if r["player_age"] >= 35}),
        "player_nights_out": sum(1 for row in tables[PLAYER_CONTEXT] if row["player_status"] == "out"),
        "traded_players": _traded_players(tables[PLAYER_CONTEXT]),
    }


def _traded_players(player_context: list[dict]) -> int:
    """Players listed by more than one team during the season."""
    teams: dict[str, set[str]] = {}
    for row in player_context:
        teams.setdefault(row["player_lookup"], set()).add(row["team_abbr"])
    return sum(1 for listed_by in teams.values() if len(listed_by) > 1)


def _players_below(player_games: list[dict], player_context: list[dict]) -> int:
    """Rostered players with fewer than 10 games played (active, minutes > 0) in the box scores."""
    played = Counter(row["player_lookup"] for row in player_games if row["is_active"] and row["minutes_played"])
    rostered = {row["player_lookup"] for row in player_context}
    return sum(1 for player in rostered if played[player] < FEW_GAMES)


def _late_call_ups(player_context: list[dict], last_game: dt.date) -> int:
    """Players first listed in the last six weeks of the season."""
    first_listed: dict[str, dt.date] = {}
    for row in player_context:
        first_listed.setdefault(row["player_lookup"], row["game_date"])
    cutoff = last_game - dt.timedelta(days=CALL_UP_WINDOW_DAYS)
    return sum(1 for day in first_listed.values() if day >= cutoff)
