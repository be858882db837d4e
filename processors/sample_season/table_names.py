"""Names of the tables the sample season fills, as `dataset.table`."""

SCHEDULE = "nba_raw.nbac_schedule"
PLAYER_GAMES = "nba_analytics.player_game_summary"
TEAM_DEFENSE = "nba_analytics.team_defense_game_summary"
TEAM_OFFENSE = "nba_analytics.team_offense_game_summary"
PLAYER_CONTEXT = "nba_analytics.upcoming_player_game_context"
TEAM_CONTEXT = "nba_analytics.upcoming_team_game_context"
TABLE_NAMES = (SCHEDULE, PLAYER_GAMES, TEAM_DEFENSE, TEAM_OFFENSE, PLAYER_CONTEXT, TEAM_CONTEXT)
