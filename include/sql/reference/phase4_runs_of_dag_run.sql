-- The latest status of each Phase 4 processor in one DAG run for one night.
SELECT processor_name, status, decision
FROM (
  SELECT
    processor_name,
    status,
    JSON_VALUE(summary, '$.decision') AS decision,
    ROW_NUMBER() OVER (PARTITION BY processor_name ORDER BY processed_at DESC) AS recency
  FROM `{{ project }}.{{ nba_reference }}.processor_run_history`
  WHERE data_date = @data_date AND dag_run_id = @dag_run_id AND phase = 'phase4'
)
WHERE recency = 1
