-- Rows available to a night's processors, one column per input: Phase 3 history
-- of the season before the date, the date's upcoming context, and the Phase 4
-- outputs already written for the date.
SELECT
  (SELECT COUNT(*) FROM `{{ project }}.{{ nba_raw }}.nbac_schedule`
    WHERE game_date = @game_date) AS nbac_schedule,
  (SELECT COUNT(*) FROM `{{ project }}.{{ nba_analytics }}.player_game_summary`
    WHERE season_year = @season_year AND game_date < @game_date) AS player_game_summary,
  (SELECT COUNT(*) FROM `{{ project }}.{{ nba_analytics }}.team_defense_game_summary`
    WHERE season_year = @season_year AND game_date < @game_date) AS team_defense_game_summary,
  (SELECT COUNT(*) FROM `{{ project }}.{{ nba_analytics }}.team_offense_game_summary`
    WHERE season_year = @season_year AND game_date < @game_date) AS team_offense_game_summary,
  (SELECT COUNT(*) FROM `{{ project }}.{{ nba_analytics }}.upcoming_player_game_context`
    WHERE game_date = @game_date) AS upcoming_player_game_context,
  (SELECT COUNT(*) FROM `{{ project }}.{{ nba_analytics }}.upcoming_team_game_context`
    WHERE game_date = @game_date) AS upcoming_team_game_context,
  (SELECT COUNT(*) FROM `{{ project }}.{{ nba_precompute }}.team_defense_zone_analysis`
    WHERE analysis_date = @game_date) AS team_defense_zone_analysis,
  (SELECT COUNT(*) FROM `{{ project }}.{{ nba_precompute }}.player_shot_zone_analysis`
    WHERE analysis_date = @game_date) AS player_shot_zone_analysis,
  (SELECT COUNT(*) FROM `{{ project }}.{{ nba_precompute }}.player_composite_factors`
    WHERE game_date = @game_date) AS player_composite_factors,
  (SELECT COUNT(*) FROM `{{ project }}.{{ nba_precompute }}.player_daily_cache`
    WHERE cache_date = @game_date) AS player_daily_cache
