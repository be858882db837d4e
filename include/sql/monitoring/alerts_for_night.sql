-- The alerts raised for one night (@game_date), oldest first.
SELECT
  created_at,
  severity,
  source,
  title,
  message
FROM `{{ project }}.{{ nba_reference }}.pipeline_alerts`
WHERE game_date = @game_date
ORDER BY created_at, alert_id
