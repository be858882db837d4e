-- Rows in a whole table.
SELECT COUNT(*) AS row_count
FROM `{{ project }}.{{ dataset }}.{{ table_name }}`
