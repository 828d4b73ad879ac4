-- Activity figures of one organisation and period: events by class and source, quarantined lines,
-- alerts by severity. Partitions are org-local days, so the period is a range of `date` values.
--
-- Inputs: views events, quarantine, alerts. Parameters: $org, $first, $last (org-local dates,
-- inclusive). Output: metrics_activity (one row).
CREATE OR REPLACE TEMP TABLE metrics_activity AS
WITH ev AS (
    SELECT event_class, source, date FROM events WHERE org = $org AND date BETWEEN $first AND $last
),
by_class AS (
    SELECT list({'name': event_class, 'count': n} ORDER BY n DESC, event_class) AS items
    FROM (SELECT event_class, count(*) AS n FROM ev GROUP BY ALL)
),
by_source AS (
    SELECT list({'name': source, 'count': n} ORDER BY n DESC, source) AS items
    FROM (SELECT source, count(*) AS n FROM ev GROUP BY ALL)
),
al AS (
    SELECT severity FROM alerts WHERE org = $org AND date BETWEEN $first AND $last
),
by_severity AS (
    SELECT list({'name': severity, 'count': n}
                ORDER BY list_position(['critical', 'high', 'medium', 'low', 'info'], severity)) AS items
    FROM (SELECT severity, count(*) AS n FROM al GROUP BY ALL)
)
SELECT
    (SELECT count(DISTINCT date) FROM ev)::INTEGER AS days_with_data,
    (SELECT count(*) FROM ev) AS events,
    coalesce((SELECT items FROM by_class), []) AS events_by_class,
    coalesce((SELECT items FROM by_source), []) AS events_by_source,
    (SELECT count(*) FROM quarantine WHERE org = $org AND date BETWEEN $first AND $last) AS quarantined,
    (SELECT count(*) FROM al) AS alerts,
    coalesce((SELECT items FROM by_severity), []) AS alerts_by_severity;
