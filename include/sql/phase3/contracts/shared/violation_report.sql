-- The report every contract ends with, from its `violations` CTE (one row per broken
-- row or key: rule, description, example_key): one row per broken rule with its count
-- and the first three example keys, sorted. Included as a contract's final SELECT.
SELECT
  rule,
  description,
  COUNT(*) AS violations,
  ARRAY_AGG(example_key ORDER BY example_key LIMIT 3) AS example_keys
FROM violations
GROUP BY rule, description
ORDER BY rule
