-- Write the baseline prediction of every requested player the call writes (`writes`;
-- deactivate_active.sql has retired an outdated or replaced one just before) that has
-- no active prediction of this system for the date (NOT EXISTS: however often the
-- worker runs, at most one active row per player, date and system). Each prediction
-- records the data_hash of the feature row it was computed from.
--
-- prediction_id = SHA-256 of (system, player, date, batch, n) where n counts this
-- system's earlier rows for the player and date: the same call sequence gives the
-- same ids, and a replacement within one batch still gets a new id.
INSERT INTO `{{ project }}.{{ nba_predictions }}.player_prop_predictions` (
  prediction_id, system_id, player_lookup, game_date, game_id, predicted_points, confidence_score,
  recommendation, current_points_line, line_margin, batch_id, feature_quality_score, is_active, created_at,
  feature_data_hash
)
SELECT
  TO_HEX(SHA256(CONCAT(
    @system_id, '|', c.player_lookup, '|', CAST(@game_date AS STRING), '|', @batch_id, '|',
    CAST(c.prediction_count AS STRING)
  ))) AS prediction_id,
  @system_id AS system_id,
  c.player_lookup,
  @game_date AS game_date,
  c.game_id,
  c.predicted_points,
  c.confidence_score,
  c.recommendation,
  c.current_points_line,
  c.line_margin,
  @batch_id AS batch_id,
  c.feature_quality_score,
  TRUE AS is_active,
  CURRENT_TIMESTAMP() AS created_at,
  c.feature_data_hash
FROM (
{{ candidates }}
) AS c
WHERE c.writes
  AND NOT EXISTS (
    SELECT 1
    FROM `{{ project }}.{{ nba_predictions }}.player_prop_predictions` AS p
    WHERE p.game_date = @game_date
      AND p.system_id = @system_id
      AND p.player_lookup = c.player_lookup
      AND p.is_active
  )
