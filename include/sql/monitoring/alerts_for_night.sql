-- The alerts raised for one night (@game_date), oldest first, with each channel's
-- delivery outcome (channel_outcomes: [{channel, outcome, detail?}]; NULL on rows
-- written before the column existed, whose `channels` are the ones that delivered).
SELECT
  alert_id,
  created_at,
  severity,
  source,
  title,
  message,
  channels,
  channel_outcomes,
  dag_run_id
FROM `{{ project }}.{{ nba_reference }}.pipeline_alerts`
WHERE game_date = @game_date
ORDER BY created_at, alert_id
