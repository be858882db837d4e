-- Rows of a Phase 3 history table in the season before the night: a processor's
-- critical input exists when this is above 0.
SELECT COUNT(*) AS row_count
FROM `{{ project }}.{{ dataset }}.{{ table_name }}`
WHERE season_year = @season_year AND game_date < @game_date
