-- Each incident's timeline: its alerts and the evidence events behind them (the first
-- $max_events events by time, each with its raw file, line and text — the evidence link), in
-- time order; then the incident rows in the lake's schema (seclake.tables.INCIDENT_SCHEMA).
--
-- Inputs: incident_facts, incident_response, incident_members, alerts_in, evidence_events.
-- incident_reported (incident_id -> first reported time). Parameters: $max_events, $day_start,
-- $quiet_s. Output: the incident rows (a SELECT) of every incident with an alert on the day, still
-- not resolved at its end, or whose resolution became known during it (resolved + quiet period).
WITH alert_entries AS (
    SELECT m.incident_id, a.detected_at AS time, 'alert' AS kind, a.severity, a.title, a.summary AS detail,
        a.rule_id, a.alert_id, NULL::VARCHAR AS source, NULL::VARCHAR AS raw_file,
        NULL::BIGINT AS raw_line, NULL::VARCHAR AS raw
    FROM incident_members m JOIN alerts_in a USING (alert_id)
),
event_rows AS (
    SELECT DISTINCT m.incident_id, e.time, e.event_class, e.action, e.via, e.message, e.source,
        e.raw_file, e.raw_line, e.raw
    FROM incident_members m JOIN evidence_events e USING (alert_id)
),
event_entries AS (
    SELECT incident_id, time, 'event' AS kind, NULL AS severity,
        event_class || ' ' || action || CASE WHEN via = 'vpn session' THEN ' (attacker VPN session)' ELSE '' END AS title,
        message AS detail, NULL AS rule_id, NULL AS alert_id, source, raw_file, raw_line, raw
    FROM event_rows
    QUALIFY row_number() OVER (PARTITION BY incident_id ORDER BY time, raw_file, raw_line) <= $max_events
),
timelines AS (
    SELECT incident_id,
        list({'time': time, 'kind': kind, 'severity': severity, 'title': title, 'detail': detail,
              'rule_id': rule_id, 'alert_id': alert_id, 'source': source, 'raw_file': raw_file,
              'raw_line': raw_line, 'raw': raw}
             ORDER BY time, kind, alert_id, raw_file, raw_line) AS timeline
    FROM (SELECT * FROM alert_entries UNION ALL BY NAME SELECT * FROM event_entries)
    GROUP BY incident_id
)
SELECT
    f.incident_id, f.org, f.title, f.severity, f.kind,
    CASE WHEN r.resolved_at IS NOT NULL THEN 'resolved' WHEN r.contained_at IS NOT NULL THEN 'contained' ELSE 'open' END
        AS status,
    f.entities, f.assets, f.asset_criticality,
    f.first_activity, f.detected_at, r.contained_at, r.containment, r.resolved_at,
    r.last_activity,
    p.reported_at,
    epoch(f.detected_at) - epoch(f.first_activity) AS time_to_detect_s,
    epoch(r.contained_at) - epoch(f.detected_at) AS time_to_contain_s,
    epoch(r.resolved_at) - epoch(f.detected_at) AS time_to_resolve_s,
    epoch(p.reported_at) - epoch(f.detected_at) AS pipeline_latency_s,
    f.alert_count, f.alert_ids, f.rule_ids, f.mitre_techniques, f.malware,
    t.timeline
FROM incident_facts f
JOIN incident_response r USING (incident_id)
JOIN incident_reported p USING (incident_id)
JOIN timelines t USING (incident_id)
WHERE f.alerted_on_day OR r.resolved_at IS NULL OR r.resolved_at + to_seconds($quiet_s) >= $day_start
ORDER BY f.detected_at, f.incident_id;
