-- Remove a derived table's rows within a season's dates: they were computed from a previous
-- build of the sample season (another seed or generator), so they describe inputs that are gone.
DELETE FROM `{{ project }}.{{ dataset }}.{{ table_name }}`
WHERE {{ partition_column }} BETWEEN @first_date AND @last_date
