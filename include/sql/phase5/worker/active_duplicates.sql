-- Safety check run before the worker commits: requested players that would end
-- up with more than one active prediction of this system for the date (expected: none).
SELECT player_lookup, COUNT(*) AS active_predictions
FROM `{{ project }}.{{ nba_predictions }}.player_prop_predictions`
WHERE game_date = @game_date
  AND system_id = @system_id
  AND is_active
  AND player_lookup IN UNNEST(@players)
GROUP BY player_lookup
HAVING COUNT(*) > 1
ORDER BY player_lookup
