"""P2: each player's shot zones over his last 10 and 20 games (~450 rows a night)."""

from processors.phase4.base import Phase4Processor


class PlayerShotZoneAnalysis(Phase4Processor):
    name = "player_shot_zone_analysis"
    short_name = "P2"
    output_table = "nba_precompute.player_shot_zone_analysis"
    phase3_inputs = ("nbac_schedule", "player_game_summary")
    critical_inputs = ("player_game_summary",)
    success_rows = 400
    early_season_success_rows = 100
    duration_warning_seconds = 15 * 60
    quality_label = "% rows with sample_quality_10 excellent or good"
