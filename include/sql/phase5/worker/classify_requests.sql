-- The worker's decision for every request of a call: eligible or why not, whether
-- an active prediction of this system already exists, whether it is outdated, and
-- whether the call writes a new one. Read inside the worker's transaction, before
-- deactivate_active.sql / insert_predictions.sql.
SELECT player_lookup, decision, has_active, outdated, writes, feature_quality_score
FROM (
{{ candidates }}
) AS c
