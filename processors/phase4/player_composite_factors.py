"""P3: each upcoming player's composite adjustment factors (one row per player in the upcoming context)."""

from processors.phase4.base import Phase4Processor


class PlayerCompositeFactors(Phase4Processor):
    name = "player_composite_factors"
    short_name = "P3"
    output_table = "nba_precompute.player_composite_factors"
    phase3_inputs = ("nbac_schedule", "player_game_summary",
                     "upcoming_player_game_context", "upcoming_team_game_context")
    critical_inputs = ("upcoming_player_game_context", "team_defense_zone_analysis", "player_shot_zone_analysis")
    success_rows = 100
    duration_warning_seconds = 20 * 60
    quality_label = "avg data completeness %"
