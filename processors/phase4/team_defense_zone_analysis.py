"""P1: each team's zone defense over its last 15 games (~30 rows a night)."""

from processors.phase4.base import Phase4Processor


class TeamDefenseZoneAnalysis(Phase4Processor):
    name = "team_defense_zone_analysis"
    short_name = "P1"
    output_table = "nba_precompute.team_defense_zone_analysis"
    phase3_inputs = ("nbac_schedule", "team_defense_game_summary")
    critical_inputs = ("team_defense_game_summary",)
    success_rows = 30
    early_season_success_rows = 20
    duration_warning_seconds = 5 * 60
    quality_label = "% teams with 15 games"
