-- Each player with an active prediction for @game_date (any system), and whether it is
-- outdated: computed from a feature row whose data_hash has changed since (the latest
-- ml_feature_store_v2 row per player, as the worker reads it). A prediction or feature
-- row without a hash is never outdated: its lineage is unknown. Included as the body
-- of a CTE by player_sets.sql and prediction_requests.sql; the worker's candidates.sql
-- applies the same rule to its own system's rows.
SELECT
  p.player_lookup,
  LOGICAL_OR(p.feature_data_hash IS NOT NULL AND f.data_hash IS NOT NULL
             AND p.feature_data_hash != f.data_hash) AS outdated
FROM `{{ project }}.{{ nba_predictions }}.player_prop_predictions` AS p
LEFT JOIN (
  SELECT player_lookup, data_hash
  FROM `{{ project }}.{{ nba_predictions }}.ml_feature_store_v2`
  WHERE game_date = @game_date
  QUALIFY ROW_NUMBER() OVER (PARTITION BY player_lookup ORDER BY processed_at DESC) = 1
) AS f ON f.player_lookup = p.player_lookup
WHERE p.game_date = @game_date AND p.is_active
GROUP BY p.player_lookup
