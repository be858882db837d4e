-- Phase 5 coverage per night over a date range: eligible players and how many have
-- an active prediction (eligibility as the coordinator's: projected minutes >=
-- @min_minutes, not OUT or DOUBTFUL), plus the number of request batches.
WITH eligible AS (
  SELECT DISTINCT game_date, player_lookup
  FROM `{{ project }}.{{ nba_analytics }}.upcoming_player_game_context`
  WHERE game_date BETWEEN @start_date AND @end_date
    AND avg_minutes_per_game_last_7 >= @min_minutes
    AND LOWER(COALESCE(player_status, 'available')) NOT IN ('out', 'doubtful')
),
predicted AS (
  SELECT DISTINCT game_date, player_lookup
  FROM `{{ project }}.{{ nba_predictions }}.player_prop_predictions`
  WHERE game_date BETWEEN @start_date AND @end_date AND is_active
),
batches AS (
  SELECT data_date AS game_date, COUNTIF(records_processed > 0) AS batches
  FROM `{{ project }}.{{ nba_reference }}.processor_run_history`
  WHERE processor_name = 'phase5_coordinator' AND data_date BETWEEN @start_date AND @end_date
  GROUP BY data_date
)
SELECT
  e.game_date,
  COUNT(*) AS eligible,
  COUNT(p.player_lookup) AS predicted,
  ROUND(100.0 * COUNT(p.player_lookup) / COUNT(*), 1) AS coverage_pct,
  ANY_VALUE(COALESCE(b.batches, 0)) AS batches
FROM eligible AS e
LEFT JOIN predicted AS p USING (game_date, player_lookup)
LEFT JOIN batches AS b ON b.game_date = e.game_date
GROUP BY e.game_date
ORDER BY e.game_date
