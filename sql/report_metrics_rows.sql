-- metrics_rows: the metrics rows of one organisation and period kind whose first day lies in
-- [$first, $last], oldest first. A period without a row has no data (it is not a period of zeros).
-- Parameters: $org, $period ('day' | 'week' | 'month'), $first, $last (dates).
SELECT *
FROM metrics
WHERE org = $org
  AND period = $period
  AND start BETWEEN $first AND $last
ORDER BY start
