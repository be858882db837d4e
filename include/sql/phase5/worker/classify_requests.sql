-- The worker's decision for every request of a call: eligible or why not, and
-- whether an active prediction of this system already exists. Read inside the
-- worker's transaction, before deactivate_active.sql / insert_predictions.sql.
SELECT player_lookup, decision, has_active, feature_quality_score
FROM (
{{ candidates }}
) AS c
