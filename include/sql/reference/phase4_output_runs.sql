-- The run that wrote each Phase 4 processor's current output for one night
-- (@game_date): its latest run that committed rows, i.e. recorded the lineage of
-- what it computed. A failed or skipped run leaves the output of an earlier one.
SELECT processor_name, run_id, processed_at, summary
FROM `{{ project }}.{{ nba_reference }}.processor_run_history`
WHERE data_date = @game_date
  AND phase = 'phase4'
  AND JSON_VALUE(summary, '$.lineage.phase3_fingerprints.nbac_schedule') IS NOT NULL  -- every processor reads it
QUALIFY ROW_NUMBER() OVER (PARTITION BY processor_name ORDER BY processed_at DESC, run_id DESC) = 1
