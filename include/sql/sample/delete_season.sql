-- Remove one season's rows from a Phase 3 table before the sample season is rebuilt.
DELETE FROM `{{ project }}.{{ dataset }}.{{ table_name }}`
WHERE season_year = @season_year
