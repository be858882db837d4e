-- Rows in one date partition of a table.
SELECT COUNT(*) AS row_count
FROM `{{ project }}.{{ dataset }}.{{ table_name }}`
WHERE {{ partition_column }} = @partition_date
