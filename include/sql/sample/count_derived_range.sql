-- Rows of a derived (Phase 4, predictions, bookkeeping) table within a season's dates.
SELECT COUNT(*) AS row_count
FROM `{{ project }}.{{ dataset }}.{{ table_name }}`
WHERE {{ partition_column }} BETWEEN @first_date AND @last_date
