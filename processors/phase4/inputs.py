"""The inputs a processor can declare critical, and how each is checked for a night.

Phase 3 history tables must hold games of the season before the night; the
night's upcoming context and the Phase 4 outputs must hold the night's partition.
"""

from __future__ import annotations

from processors.phase4.calendar import SeasonCalendar
from processors.warehouse import Warehouse

SEASON_HISTORY = {
    "player_game_summary": "nba_analytics.player_game_summary",
    "team_defense_game_summary": "nba_analytics.team_defense_game_summary",
    "team_offense_game_summary": "nba_analytics.team_offense_game_summary",
}
NIGHT_PARTITION = {
    "upcoming_player_game_context": "nba_analytics.upcoming_player_game_context",
    "upcoming_team_game_context": "nba_analytics.upcoming_team_game_context",
    "team_defense_zone_analysis": "nba_precompute.team_defense_zone_analysis",
    "player_shot_zone_analysis": "nba_precompute.player_shot_zone_analysis",
    "player_composite_factors": "nba_precompute.player_composite_factors",
    "player_daily_cache": "nba_precompute.player_daily_cache",
}
INPUT_NAMES = (*SEASON_HISTORY, *NIGHT_PARTITION)


def input_row_count(warehouse: Warehouse, name: str, calendar: SeasonCalendar) -> int:
    """Rows of one input for the night (only that input's table is read)."""
    if name in SEASON_HISTORY:
        statement = warehouse.table_statement("phase4/season_history_count.sql", SEASON_HISTORY[name])
        params = {"season_year": calendar.season_year, "game_date": calendar.game_date}
        return int(warehouse.query(statement, params)[0]["row_count"])
    if name in NIGHT_PARTITION:
        return warehouse.partition_row_count(NIGHT_PARTITION[name], calendar.game_date)
    raise ValueError(f"unknown input {name!r}; known: {', '.join(INPUT_NAMES)}")
