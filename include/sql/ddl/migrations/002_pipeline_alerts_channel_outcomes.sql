-- Alerts record what every channel did with them (pipeline_alerts.sql has the column; a table
-- created before it gets it here). Idempotent: create_schema() runs it every time.
ALTER TABLE `{{ project }}.{{ nba_reference }}.pipeline_alerts`
ADD COLUMN IF NOT EXISTS channel_outcomes JSON
