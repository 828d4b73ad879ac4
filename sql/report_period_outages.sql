-- period_outages: the outages that touch a period's days, one row per outage. The downtime table
-- repeats an outage in the partition of every org-local day it touches; the latest partition has
-- its latest known end (up_at), and the minutes inside the period are the sum of its day_minutes
-- (breach_minutes) over the period's partitions.
-- Parameters: $org, $first, $last (the period's first and last org-local days).
WITH in_period AS (
    SELECT *
    FROM downtime
    WHERE org = $org AND date BETWEEN $first AND $last
),
period_minutes AS (
    SELECT outage_id,
           sum(day_minutes) AS period_minutes,
           sum(coalesce(breach_minutes, 0)) AS period_breach_minutes
    FROM in_period
    GROUP BY outage_id
),
latest AS (
    SELECT *
    FROM in_period
    QUALIFY row_number() OVER (PARTITION BY outage_id ORDER BY date DESC) = 1
)
SELECT latest.* EXCLUDE (date), period_minutes.period_minutes, period_minutes.period_breach_minutes
FROM latest
JOIN period_minutes USING (outage_id)
ORDER BY latest.asset, latest.service NULLS FIRST, latest.down_at
