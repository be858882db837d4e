"""P5: the 25 model features of each player expected to play on the date.

Every feature reads the same night's Phase 4 outputs (P1-P4) first, falls back
to Phase 3 where the spec allows it, then to a default; the per-feature source
drives the quality score. During the bootstrap window (days 0-6) P1-P4 write
nothing and P5 writes one placeholder row per expected player instead.
"""

from __future__ import annotations

from processors.phase4.base import Phase4Processor
from processors.phase4.calendar import SeasonCalendar
from processors.warehouse import Warehouse

FEATURE_VERSION = "v1_baseline_25"
# The order of `features` / `feature_names` (the SQL writes the same list).
FEATURE_NAMES = (
    "points_avg_last_5", "points_avg_last_10", "points_avg_season", "points_std_last_10",
    "games_in_last_7_days", "fatigue_score", "shot_zone_mismatch_score", "pace_score",
    "usage_spike_score", "rest_advantage", "injury_risk", "recent_trend", "minutes_change",
    "opponent_def_rating", "opponent_pace", "home_away", "back_to_back", "playoff_game",
    "pct_paint", "pct_mid_range", "pct_three", "pct_free_throw", "team_pace", "team_off_rating",
    "team_win_pct",
)
SOURCE_WEIGHTS = {"phase4": 100, "phase3": 75, "calculated": 100, "default": 40}
MIN_AVERAGE_QUALITY = 70.0  # after the early season

UPSTREAM_TABLES = ("team_defense_zone_analysis", "player_shot_zone_analysis",
                   "player_composite_factors", "player_daily_cache")


class MlFeatureStoreV2(Phase4Processor):
    name = "ml_feature_store_v2"
    short_name = "P5"
    output_table = "nba_predictions.ml_feature_store_v2"
    phase3_inputs = ("nbac_schedule", "player_game_summary",
                     "team_offense_game_summary", "upcoming_player_game_context")
    critical_inputs = ("upcoming_player_game_context", *UPSTREAM_TABLES)
    success_rows = 100
    duration_warning_seconds = 5 * 60
    quality_label = "avg feature quality"
    writes_during_bootstrap = True

    def sql_file_for(self, calendar: SeasonCalendar) -> str:
        if calendar.is_bootstrap:
            return f"phase4/{self.name}_placeholders.sql"
        return f"phase4/{self.name}.sql"

    def critical_inputs_for(self, calendar: SeasonCalendar) -> tuple[str, ...]:
        # P1-P4 write nothing during the bootstrap: only the players to placehold are needed.
        if calendar.is_bootstrap:
            return ("upcoming_player_game_context",)
        # Early in the season P4 may legitimately be empty (nobody has 5 games yet):
        # its features fall back to Phase 3 and defaults.
        if calendar.is_early_season:
            return tuple(name for name in self.critical_inputs if name != "player_daily_cache")
        return self.critical_inputs

    def before_validation(self, warehouse: Warehouse, calendar: SeasonCalendar, elapsed_ms: int) -> None:
        # The whole night is one set-based statement: every row carries its elapsed time.
        warehouse.execute_script(f"phase4/{self.name}_generation_time.sql",
                                 {"game_date": calendar.game_date, "elapsed_ms": elapsed_ms})

    def validation_problem(self, stats: dict, calendar: SeasonCalendar) -> str | None:
        problem = super().validation_problem(stats, calendar)
        if problem or calendar.is_bootstrap or calendar.is_early_season:
            return problem  # placeholders and early-season rows fail only on 0 rows
        quality = stats.get("quality")
        if quality is not None and float(quality) < MIN_AVERAGE_QUALITY:
            return f"average quality {float(quality):.2f} below {MIN_AVERAGE_QUALITY:.0f}"
        return None
