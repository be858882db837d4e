-- Replace one date partition: delete that date, then insert the new rows of
-- that date only (rows of any other date are never touched). The warehouse
-- runs it inside one transaction.
DELETE FROM `{{ project }}.{{ dataset }}.{{ table_name }}`
WHERE {{ partition_column }} = @partition_date;

INSERT INTO `{{ project }}.{{ dataset }}.{{ table_name }}` ({{ columns }})
SELECT {{ columns }}
FROM (
{{ select }}
) AS new_rows
WHERE {{ partition_column }} = @partition_date;
