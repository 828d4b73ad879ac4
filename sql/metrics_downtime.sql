-- Downtime figures of one organisation and period, from the downtime table's outage rows.
--
-- downtime_minutes        per asset, the union of its outage intervals (whole asset or any of
--                         its services) inside the period, summed over assets.
-- downtime_breach_minutes per asset, the breach-caused minutes (breach_minutes of its rows, at
--                         most its union downtime), summed over assets.
-- availability_pct        100 x (1 - downtime_minutes / (inventory assets x period minutes so far)).
-- longest outage          the longest single outage (its whole `minutes`) touching the period.
-- worst breach downtime   the incident whose breach-caused minutes (over its assets) are the most.
--
-- Inputs: view downtime, macro downtime_band. Parameters: $org, $first, $last (org-local dates), $start_ts, $end_ts,
-- $asset_count, $period_minutes. Output: metrics_downtime (one row).
CREATE OR REPLACE TEMP TABLE metrics_downtime AS
WITH rows AS (
    SELECT * FROM downtime WHERE org = $org AND date BETWEEN $first AND $last
),
spans AS (
    SELECT DISTINCT asset,
        greatest(down_at, $start_ts) AS s,
        least(coalesce(up_at, down_at + to_seconds(CAST(minutes * 60 AS BIGINT))), $end_ts) AS e
    FROM rows
),
ordered AS (
    SELECT *, max(e) OVER (PARTITION BY asset ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
    FROM spans WHERE e > s
),
islands AS (
    SELECT *, sum(CASE WHEN reach IS NULL OR s > reach THEN 1 ELSE 0 END) OVER (PARTITION BY asset ORDER BY s, e) AS island
    FROM ordered
),
per_asset AS (
    SELECT asset, sum(minutes) AS minutes FROM (
        SELECT asset, island, (epoch(max(e)) - epoch(min(s))) / 60 AS minutes FROM islands GROUP BY ALL
    ) GROUP BY asset
),
breach AS (
    SELECT asset, sum(breach_minutes) AS minutes
    FROM (SELECT DISTINCT outage_id, asset, date, breach_minutes FROM rows WHERE breach_caused)
    GROUP BY asset
),
longest AS (
    SELECT asset, minutes, band FROM rows ORDER BY minutes DESC, down_at, asset LIMIT 1
),
worst_breach AS (
    SELECT incident_id, sum(breach_minutes) AS minutes
    FROM (SELECT DISTINCT outage_id, asset, date, incident_id, breach_minutes FROM rows WHERE breach_caused)
    GROUP BY incident_id ORDER BY minutes DESC, incident_id LIMIT 1
)
SELECT
    coalesce((SELECT sum(minutes) FROM per_asset), 0.0) AS downtime_minutes,
    coalesce((SELECT sum(least(b.minutes, coalesce(p.minutes, 0))) FROM breach b LEFT JOIN per_asset p USING (asset)), 0.0)
        AS downtime_breach_minutes,
    CASE WHEN $asset_count > 0 AND $period_minutes > 0 THEN
        100 * (1 - coalesce((SELECT sum(minutes) FROM per_asset), 0) / ($asset_count * $period_minutes)) END
        AS availability_pct,
    (SELECT minutes FROM longest) AS longest_outage_minutes,
    (SELECT asset FROM longest) AS longest_outage_asset,
    (SELECT band FROM longest) AS longest_outage_band,
    (SELECT minutes FROM worst_breach) AS worst_breach_downtime_minutes,
    downtime_band((SELECT minutes FROM worst_breach)) AS worst_breach_band;
