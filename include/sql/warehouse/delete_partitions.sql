-- Delete whole date partitions before a bulk load replaces them.
DELETE FROM `{{ project }}.{{ dataset }}.{{ table_name }}`
WHERE {{ partition_column }} IN UNNEST(@partition_dates)
