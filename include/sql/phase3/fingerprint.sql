-- What a night reads from Phase 3 and the schedule (@game_date, @season_year): the
-- season's box scores before the night, the night's upcoming context, the season's
-- schedule up to the night. One row per table: its row count and a fingerprint of
-- its rows. A Phase 4 output records the fingerprints of the tables it reads; a
-- different one later means that input was rewritten (a Phase 3 correction).
-- The value is engine-specific (the local stand-in hashes with DuckDB's hash()):
-- compare a fingerprint only with one the same warehouse computed.
SELECT 'nbac_schedule' AS table_name, COUNT(*) AS row_count,
  BIT_XOR(FARM_FINGERPRINT(TO_JSON_STRING(t))) AS row_hash
FROM (
  -- Tonight's games by identity only: their status and start time change once they are
  -- played, which no processor of the night reads.
  SELECT game_id, game_date, season_year, home_team_abbr, away_team_abbr,
    IF(game_date < @game_date, game_status, NULL) AS game_status
  FROM `{{ project }}.{{ nba_raw }}.nbac_schedule`
  WHERE season_year = @season_year AND game_date <= @game_date
) AS t
UNION ALL
SELECT 'player_game_summary' AS table_name, COUNT(*) AS row_count,
  BIT_XOR(FARM_FINGERPRINT(TO_JSON_STRING(t))) AS row_hash
FROM `{{ project }}.{{ nba_analytics }}.player_game_summary` AS t
WHERE season_year = @season_year AND game_date < @game_date
UNION ALL
SELECT 'team_defense_game_summary' AS table_name, COUNT(*) AS row_count,
  BIT_XOR(FARM_FINGERPRINT(TO_JSON_STRING(t))) AS row_hash
FROM `{{ project }}.{{ nba_analytics }}.team_defense_game_summary` AS t
WHERE season_year = @season_year AND game_date < @game_date
UNION ALL
SELECT 'team_offense_game_summary' AS table_name, COUNT(*) AS row_count,
  BIT_XOR(FARM_FINGERPRINT(TO_JSON_STRING(t))) AS row_hash
FROM `{{ project }}.{{ nba_analytics }}.team_offense_game_summary` AS t
WHERE season_year = @season_year AND game_date < @game_date
UNION ALL
SELECT 'upcoming_player_game_context' AS table_name, COUNT(*) AS row_count,
  BIT_XOR(FARM_FINGERPRINT(TO_JSON_STRING(t))) AS row_hash
FROM `{{ project }}.{{ nba_analytics }}.upcoming_player_game_context` AS t
WHERE game_date = @game_date
UNION ALL
SELECT 'upcoming_team_game_context' AS table_name, COUNT(*) AS row_count,
  BIT_XOR(FARM_FINGERPRINT(TO_JSON_STRING(t))) AS row_hash
FROM `{{ project }}.{{ nba_analytics }}.upcoming_team_game_context` AS t
WHERE game_date = @game_date
ORDER BY table_name
