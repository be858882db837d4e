-- Retire the active prediction of this system for the date of every requested
-- player that gets a new one (`writes`: outdated, or @replace_existing). Runs in the
-- same transaction as insert_predictions.sql, so the table never shows zero or two
-- active rows for a player.
UPDATE `{{ project }}.{{ nba_predictions }}.player_prop_predictions`
SET is_active = FALSE
WHERE game_date = @game_date
  AND system_id = @system_id
  AND is_active
  AND player_lookup IN (
    SELECT player_lookup
    FROM (
{{ candidates }}
    ) AS c
    WHERE writes
  )
