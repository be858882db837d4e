-- Every alert the pipeline raises, whatever channels delivered it.
CREATE TABLE IF NOT EXISTS `{{ project }}.{{ nba_reference }}.pipeline_alerts` (
  alert_id STRING NOT NULL,
  created_at TIMESTAMP NOT NULL,
  game_date DATE,
  severity STRING NOT NULL,           -- info, warning, critical
  title STRING NOT NULL,
  message STRING,
  source STRING,                      -- the task that raised it
  channels ARRAY<STRING>,             -- channels that delivered it (log, slack, email)
  dag_id STRING,
  dag_run_id STRING,
  -- every channel's outcome: [{"channel": "email", "outcome": "failed", "detail": "..."}, ...];
  -- outcome is delivered, failed (detail: the reason) or not_configured (detail: what is missing)
  channel_outcomes JSON
)
PARTITION BY game_date
CLUSTER BY severity
