-- When each incident was contained and resolved, from what the logs show (definitions in the
-- README glossary; every signal must fall between the incident's first activity and $data_end).
--
-- hostile activity  its alerts' evidence, any later event from its attacker addresses, and any
--                   malware detection (not remediated) on its infected hosts — up to $gap_s after
--                   its last alert's activity (later, it would be the next incident's).
-- contained_at  the first of, for security incidents:
--               'attacker session ended'  an attacker's VPN/remote session ended by an administrator;
--               'blocked'      the firewall denying an attacker address after it had logged in or
--                              exchanged data (first deny after its last success; a packet log's
--                              single allowed packet is not an exchange);
--               'quarantined' / 'cleaned' / 'deleted' / 'blocked by AV'  AV remediation on an infected host;
--               'isolated'     an administrative shutdown of an interface carrying one of its assets;
--               else 'last activity': its last hostile activity, once $quiet_s seconds have passed
--               without any and no infected host is left without remediation. Availability and AV-health incidents have no containment (null).
-- resolved_at   security: the latest of its last hostile activity, its last AV remediation, the
--               isolation lifted (interface back up), a config change naming an attacker address
--               (a permanent block) — once $quiet_s seconds passed without hostile activity and
--               every infected host had a remediation after its last detection (AV clean);
--               availability: the last 'up' of the burst that follows the last 'down' of its
--               interfaces (null while still down); AV health: the first successful update or
--               protection re-enabled after the last failure on the host (null while failing).
--
-- Inputs: incident_facts, incident_members, alerts_in, evidence_events, window_events,
-- interface_assets. Parameters: $data_end, $quiet_s, $gap_s. Output: incident_response.
CREATE OR REPLACE TEMP TABLE incident_response AS
WITH inc AS (
    SELECT * FROM incident_facts
),
attacker_events AS (
    SELECT i.incident_id, w.*
    FROM inc i, unnest(i.attacker_ips) AS t(ip)
    JOIN window_events w ON w.src_ip = t.ip
    WHERE w.time >= i.first_activity AND w.time < least($data_end, i.last_alert_activity + to_seconds($gap_s))
),
host_events AS (
    SELECT i.incident_id, w.*
    FROM inc i, unnest(i.infected_hosts) AS t(h)
    JOIN window_events w ON lower(w.host) = t.h
    WHERE w.event_class = 'malware_detection' AND w.time >= i.first_activity
      AND w.time < least($data_end, i.last_alert_activity + to_seconds($gap_s))
),
remediations AS (
    SELECT incident_id, time, lower(host) AS host, action FROM host_events
    WHERE action IN ('quarantined', 'cleaned', 'deleted', 'blocked')
),
hostile AS (
    SELECT incident_id, max(time) AS last_activity FROM (
        SELECT incident_id, last_alert_activity AS time FROM inc
        UNION ALL SELECT incident_id, time FROM attacker_events
        UNION ALL SELECT incident_id, time FROM host_events WHERE action IN ('detected', 'failed', 'allowed')
    ) GROUP BY incident_id
),
isolations AS (
    SELECT i.incident_id, w.time, lower(w.device) AS device, w.rule_name AS interface
    FROM inc i, unnest(i.assets) AS t(asset)
    JOIN interface_assets x ON x.asset = t.asset AND x.service IS NULL
    JOIN window_events w ON lower(w.device) = x.device AND w.rule_name = x.interface
    WHERE i.domain = 'security' AND w.event_class = 'system' AND w.action = 'down'
      AND w.vendor_action ILIKE '%administratively%'
      AND w.time >= i.first_activity AND w.time < $data_end
),
lifted AS (
    SELECT s.incident_id, min(w.time) AS time
    FROM isolations s JOIN window_events w
      ON lower(w.device) = s.device AND w.rule_name = s.interface
     AND w.event_class = 'system' AND w.action = 'up' AND w.time > s.time AND w.time < $data_end
    GROUP BY s.incident_id
),
last_success AS (
    SELECT incident_id, src_ip, max(time) AS time FROM attacker_events
    WHERE (event_class = 'authentication' AND action = 'success')
       OR (event_class = 'network_activity' AND action = 'allow' AND coalesce(bytes_total, 0) > 0
           AND packets IS DISTINCT FROM 1)  -- a packet log's single packet is no exchange of data
    GROUP BY incident_id, src_ip
),
signals AS (
    SELECT incident_id, time, 'attacker session ended' AS how FROM attacker_events
    WHERE event_class = 'system' AND action = 'down' AND extra['reason'] ILIKE '%admin%'
    UNION ALL
    SELECT a.incident_id, min(a.time), 'blocked' FROM attacker_events a JOIN last_success s USING (incident_id, src_ip)
    WHERE a.event_class = 'network_activity' AND a.action IN ('deny', 'drop') AND a.time > s.time
    GROUP BY a.incident_id
    UNION ALL
    SELECT incident_id, time, CASE action WHEN 'blocked' THEN 'blocked by AV' ELSE action END FROM remediations
    UNION ALL
    SELECT incident_id, time, 'isolated' FROM isolations
),
first_signal AS (
    SELECT s.incident_id, min(s.time) AS time, arg_min(s.how, s.time) AS how
    FROM signals s JOIN inc i USING (incident_id)
    WHERE i.domain = 'security' AND s.time >= i.first_activity
    GROUP BY s.incident_id
),
permanent_blocks AS (
    SELECT i.incident_id, max(w.time) AS time
    FROM inc i, unnest(i.attacker_ips) AS t(ip)
    JOIN window_events w ON w.event_class = 'system' AND w.action = 'config_change'
     AND contains(w.message, t.ip) AND w.time >= i.first_activity AND w.time < $data_end
    GROUP BY i.incident_id
),
uncleaned AS (
    SELECT DISTINCT d.incident_id
    FROM host_events d
    WHERE d.action IN ('detected', 'failed', 'allowed')
      AND NOT EXISTS (SELECT 1 FROM remediations r
                      WHERE r.incident_id = d.incident_id AND r.host = lower(d.host) AND r.time >= d.time)
),
interface_state AS (
    SELECT m.incident_id, lower(w.device) AS device, w.rule_name AS interface, w.time, w.action
    FROM incident_members m JOIN alerts_in a USING (alert_id)
    JOIN inc i USING (incident_id)
    JOIN window_events w ON w.rule_name = a.entity AND w.event_class = 'system' AND w.action IN ('up', 'down')
     AND w.host IS NULL  -- a device's own object (interface, tunnel), not an endpoint's service
    WHERE i.domain = 'availability' AND a.entity_type = 'rule_name'
      AND w.time >= i.first_activity AND w.time < $data_end
),
back_up AS (
    SELECT incident_id,
        max(time) FILTER (WHERE action = 'down') AS last_down,
        min(time) FILTER (WHERE action = 'up' AND time > (SELECT max(time) FROM interface_state x
                                                          WHERE x.incident_id = s.incident_id AND x.action = 'down')) AS first_up
    FROM interface_state s GROUP BY incident_id
),
availability_resolved AS (
    SELECT b.incident_id, max(s.time) AS time
    FROM back_up b JOIN interface_state s USING (incident_id)
    WHERE s.action = 'up' AND s.time >= b.first_up AND s.time <= b.first_up + INTERVAL 5 MINUTE
    GROUP BY b.incident_id
),
health_hosts AS (
    SELECT i.incident_id, lower(a.entity) AS host
    FROM inc i JOIN incident_members m USING (incident_id) JOIN alerts_in a USING (alert_id)
    WHERE i.kind = 'av_health' AND a.entity_type = 'host'
),
health_events AS (
    SELECT h.incident_id, w.time, w.action
    FROM health_hosts h JOIN window_events w ON lower(w.host) = h.host
    JOIN inc i USING (incident_id)
    WHERE w.event_class = 'system' AND w.action IN ('update_failed', 'protection_disabled', 'update_success', 'protection_enabled')
      AND w.time >= i.first_activity AND w.time < $data_end
),
health_resolved AS (
    SELECT incident_id,
        min(time) FILTER (WHERE action IN ('update_success', 'protection_enabled')
                          AND time > (SELECT max(x.time) FROM health_events x WHERE x.incident_id = e.incident_id
                                      AND x.action IN ('update_failed', 'protection_disabled'))) AS time
    FROM health_events e GROUP BY incident_id
)
SELECT
    i.incident_id,
    h.last_activity,
    CASE
        WHEN i.domain <> 'security' OR i.kind = 'av_health' THEN NULL
        WHEN f.time IS NOT NULL THEN f.time
        WHEN $data_end - h.last_activity >= to_seconds($quiet_s) AND u.incident_id IS NULL THEN h.last_activity
    END AS contained_at,
    CASE
        WHEN i.domain <> 'security' OR i.kind = 'av_health' THEN NULL
        WHEN f.time IS NOT NULL THEN f.how
        WHEN $data_end - h.last_activity >= to_seconds($quiet_s) AND u.incident_id IS NULL THEN 'last activity'
    END AS containment,
    CASE
        WHEN i.domain = 'availability' THEN ar.time
        WHEN i.kind = 'av_health' THEN hr.time
        WHEN $data_end - h.last_activity >= to_seconds($quiet_s) AND u.incident_id IS NULL THEN
            greatest(h.last_activity, (SELECT max(r.time) FROM remediations r WHERE r.incident_id = i.incident_id),
                     l.time, p.time)
    END AS resolved_at
FROM inc i
JOIN hostile h USING (incident_id)
LEFT JOIN first_signal f USING (incident_id)
LEFT JOIN lifted l USING (incident_id)
LEFT JOIN permanent_blocks p USING (incident_id)
LEFT JOIN uncleaned u USING (incident_id)
LEFT JOIN availability_resolved ar USING (incident_id)
LEFT JOIN health_resolved hr USING (incident_id);
