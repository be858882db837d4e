-- Local outbox for the messages production publishes to Pub/Sub.
CREATE TABLE IF NOT EXISTS `{{ project }}.{{ nba_reference }}.pipeline_events` (
  event_id STRING NOT NULL,
  topic STRING NOT NULL,
  game_date DATE,
  message JSON,
  published_at TIMESTAMP NOT NULL
)
PARTITION BY game_date
CLUSTER BY topic
