"""P4: rolling stats cached for every player expected to play on the date (~250 rows a night in the sample season)."""

from processors.phase4.base import Phase4Processor
from processors.phase4.calendar import SeasonCalendar


class PlayerDailyCache(Phase4Processor):
    name = "player_daily_cache"
    short_name = "P4"
    output_table = "nba_precompute.player_daily_cache"
    phase3_inputs = ("nbac_schedule", "player_game_summary",
                     "team_offense_game_summary", "upcoming_player_game_context")
    critical_inputs = ("upcoming_player_game_context", "player_game_summary", "team_offense_game_summary",
                       "player_shot_zone_analysis")
    success_rows = 100
    duration_warning_seconds = 15 * 60
    quality_label = "% rows with all completeness windows >= 90 %"

    def validation_problem(self, stats: dict, calendar: SeasonCalendar) -> str | None:
        # In the first days after the bootstrap nobody has 5 games yet: 0 rows is then correct.
        if not stats["row_count"] and not stats["eligible_players"]:
            return None
        return super().validation_problem(stats, calendar)
