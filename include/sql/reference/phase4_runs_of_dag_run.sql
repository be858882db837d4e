-- The latest status of each Phase 4 processor in one DAG run for one night
-- (`running` or `abandoned` for a run that never recorded its outcome).
WITH run_outcomes AS (
  {{ include reference/run_outcomes.sql }}
)
SELECT processor_name, status, decision
FROM (
  SELECT
    processor_name,
    status,
    JSON_VALUE(summary, '$.decision') AS decision,
    ROW_NUMBER() OVER (PARTITION BY processor_name ORDER BY processed_at DESC) AS recency
  FROM run_outcomes
  WHERE data_date = @data_date AND dag_run_id = @dag_run_id AND phase = 'phase4'
)
WHERE recency = 1
