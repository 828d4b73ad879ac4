-- Per incident: its alerts, title, severity, kind, entities, assets and the times its alerts give.
--
-- incident_id   sha256(org | first alert id)[:16]; the first alert is the first detected
--               (detected_at, alert_id) of the group, so re-runs and later days keep the id.
-- title         the title of its worst alert (highest severity, then earliest detected).
-- severity      the highest severity among its alerts.
-- kind          the highest-ranked kind among its alerts' rules (see incidents.py KIND_RANK);
--               'malware' on two or more hosts is an 'outbreak'.
-- first_activity  the earliest evidence event of its alerts (alerts' first_seen); for AV-health
--               incidents, the first failure its first detected alert saw (a staleness alert dates
--               from the last good update, which is not a fault).
-- detected_at   the earliest moment one of its alerts' conditions was met (alerts' detected_at):
--               when a reader of the logs could first have known.
-- assets        inventory assets its alerts concern (alert_keys 'asset:'), assets its evidence
--               targeted (traffic to them, allowed or not, or logins on a network device: the VPN
--               gateway of a brute force), the assets behind the
--               interface for availability incidents (interface_assets); criticality = the highest.
--
-- Inputs: alerts_in, alert_kinds, alert_labels, alert_keys, evidence_events, interface_assets,
-- assets. Parameters: $org, $day (the snapshot day). Output: incident_members, incident_facts.
CREATE OR REPLACE TEMP TABLE incident_members AS
WITH ranked AS (
    SELECT alert_id, row_number() OVER (ORDER BY detected_at, alert_id) AS rank FROM alerts_in
)
SELECT l.alert_id, substr(sha256($org || '|' || r.alert_id), 1, 16) AS incident_id
FROM alert_labels l JOIN ranked r ON r.rank = l.label;

CREATE OR REPLACE TEMP TABLE incident_facts AS
WITH alerts AS (
    SELECT m.incident_id, a.*, k.kind, k.kind_rank, k.domain,
        list_position(['info', 'low', 'medium', 'high', 'critical'], a.severity) AS severity_rank
    FROM incident_members m JOIN alerts_in a USING (alert_id) JOIN alert_kinds k USING (rule_id)
),
hosts AS (
    SELECT m.incident_id, list_sort(list_distinct(list(lower(e.host)))) AS infected,
        list_sort(list_distinct(list(e.malware_name))) AS malware
    FROM incident_members m JOIN evidence_events e USING (alert_id)
    WHERE e.event_class = 'malware_detection' AND e.host IS NOT NULL
    GROUP BY m.incident_id
),
targeted_assets AS (
    SELECT DISTINCT m.incident_id, x.asset
    FROM incident_members m JOIN evidence_events e USING (alert_id)
    JOIN assets x ON (
        (x.match_type = 'ip' AND x.value = e.dst_ip)
        OR (x.match_type = 'hostname' AND x.value = lower(e.device) AND e.event_class = 'authentication'))
    WHERE e.via = 'evidence'
),
interface_devices AS (
    SELECT DISTINCT m.alert_id, lower(e.device) AS device
    FROM incident_members m JOIN evidence_events e USING (alert_id)
    WHERE e.event_class = 'system' AND e.device IS NOT NULL
),
asset_names AS (
    SELECT m.incident_id, substr(k.key, 7) AS asset
    FROM incident_members m JOIN alert_keys k USING (alert_id)
    WHERE k.key LIKE 'asset:%'
    UNION
    SELECT incident_id, asset FROM targeted_assets
    UNION
    SELECT m.incident_id, i.asset
    FROM incident_members m JOIN alerts_in a USING (alert_id)
    JOIN alert_kinds k USING (rule_id)
    JOIN interface_devices d USING (alert_id)
    JOIN interface_assets i ON i.device = d.device AND i.interface = a.entity
    WHERE k.domain = 'availability' AND a.entity_type = 'rule_name'
),
criticality AS (
    SELECT n.incident_id, list_sort(list(DISTINCT n.asset)) AS assets,
        (list(a.criticality ORDER BY list_position(['low', 'medium', 'high', 'critical'], a.criticality) DESC))[1]
            AS asset_criticality
    FROM asset_names n LEFT JOIN (SELECT DISTINCT asset, criticality FROM assets) a USING (asset)
    GROUP BY n.incident_id
)
SELECT
    a.incident_id,
    $org AS org,
    any_value(a.domain) AS domain,
    (list(a.title ORDER BY a.severity_rank DESC, a.detected_at, a.alert_id))[1] AS title,
    (list(a.severity ORDER BY a.severity_rank DESC))[1] AS severity,
    CASE WHEN (list(a.kind ORDER BY a.kind_rank DESC))[1] = 'malware' AND len(any_value(h.infected)) >= 2
         THEN 'outbreak' ELSE (list(a.kind ORDER BY a.kind_rank DESC))[1] END AS kind,
    list_sort(list_distinct(list(a.entity_type || ':' || a.entity))) AS entities,
    coalesce(any_value(c.assets), []::VARCHAR[]) AS assets,
    any_value(c.asset_criticality) AS asset_criticality,
    CASE WHEN (list(a.kind ORDER BY a.kind_rank DESC))[1] = 'av_health'
         THEN (list(a.first_seen ORDER BY a.detected_at, a.alert_id))[1]
         ELSE min(a.first_seen) END AS first_activity,
    min(a.detected_at) AS detected_at,
    max(a.last_seen) AS last_alert_activity,
    count(*) AS alert_count,
    list(a.alert_id ORDER BY a.detected_at, a.alert_id) AS alert_ids,
    list_sort(list_distinct(list(a.rule_id))) AS rule_ids,
    list_sort(list_distinct(flatten(list(a.mitre_techniques)))) AS mitre_techniques,
    coalesce(any_value(h.infected), []::VARCHAR[]) AS infected_hosts,
    coalesce(any_value(h.malware), []::VARCHAR[]) AS malware,
    list_sort(list_distinct(list(a.entity) FILTER (WHERE a.entity_type = 'src_ip'))) AS attacker_ips,
    bool_or(a.date = $day) AS alerted_on_day
FROM alerts a
LEFT JOIN hosts h USING (incident_id)
LEFT JOIN criticality c USING (incident_id)
GROUP BY a.incident_id;
