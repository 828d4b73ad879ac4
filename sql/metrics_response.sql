-- Incident figures of one organisation and period (definitions in the README glossary).
--
-- incidents            incidents detected in the period (the incidents view: latest snapshot each).
-- incidents_open       incidents detected by the end of the period and not resolved by then.
-- MTTD / MTTC / MTTR   mean and median of time_to_detect_s / time_to_contain_s / time_to_resolve_s
--                      over the security incidents detected in the period (kinds other than
--                      availability, av_health and policy: outages, AV upkeep and audit findings
--                      such as a config change are not attacks) that have the value; null when none has.
-- dwell_median_days    median time to detect of those incidents, in days (as M-Trends reports dwell).
-- pipeline_latency_median_s  median of reported_at - detected_at over the period's incidents.
--
-- Inputs: view incidents. Parameters: $org, $start_ts, $end_ts (UTC bounds of the period),
-- $not_attack_kinds (seclake.tables.NOT_ATTACK_KINDS).
-- Output: metrics_response (one row).
CREATE OR REPLACE TEMP TABLE metrics_response AS
WITH inc AS (
    SELECT * FROM incidents WHERE org = $org AND detected_at >= $start_ts AND detected_at < $end_ts
),
security AS (
    SELECT * FROM inc WHERE NOT list_contains($not_attack_kinds, kind)
)
SELECT
    (SELECT count(*) FROM inc) AS incidents,
    coalesce((SELECT list({'name': severity, 'count': n}
                          ORDER BY list_position(['critical', 'high', 'medium', 'low', 'info'], severity))
              FROM (SELECT severity, count(*) AS n FROM inc GROUP BY ALL)), []) AS incidents_by_severity,
    coalesce((SELECT list({'name': kind, 'count': n} ORDER BY n DESC, kind)
              FROM (SELECT kind, count(*) AS n FROM inc GROUP BY ALL)), []) AS incidents_by_kind,
    (SELECT count(*) FROM incidents WHERE org = $org AND detected_at < $end_ts
        AND (resolved_at IS NULL OR resolved_at >= $end_ts)) AS incidents_open,
    (SELECT avg(time_to_detect_s) FROM security) AS mttd_s,
    (SELECT median(time_to_detect_s) FROM security) AS mttd_median_s,
    (SELECT avg(time_to_contain_s) FROM security) AS mttc_s,
    (SELECT median(time_to_contain_s) FROM security) AS mttc_median_s,
    (SELECT avg(time_to_resolve_s) FROM security) AS mttr_s,
    (SELECT median(time_to_resolve_s) FROM security) AS mttr_median_s,
    (SELECT median(time_to_detect_s) / 86400 FROM security) AS dwell_median_days,
    (SELECT median(pipeline_latency_s) FROM inc) AS pipeline_latency_median_s;
