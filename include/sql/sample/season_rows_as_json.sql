-- One season's rows of a table as canonical JSON, sorted: the input of a checksum.
SELECT TO_JSON_STRING(t) AS row_json
FROM `{{ project }}.{{ dataset }}.{{ table_name }}` AS t
WHERE season_year = @season_year
ORDER BY row_json
