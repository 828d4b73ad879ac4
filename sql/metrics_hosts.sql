-- Host health and top lists of one organisation and period.
--
-- hosts_infected        hosts with a malware detection not immediately remediated or remediated
--                       (any detection: detected, failed, allowed, quarantined, cleaned, deleted, blocked).
-- hosts_reinfected      hosts detected again more than an hour after a remediation (quarantined,
--                       cleaned, deleted) of an earlier detection, in the period.
-- unprotected_assets    inventory workstations and servers no anti-virus event named (by hostname)
--                       in the period: no AV, or an AV that stopped reporting.
-- av_stale_hosts        hosts whose last signature update attempt in the period failed, or with an
--                       'AV definitions stale' alert in the period.
-- av_protection_off_hosts  hosts whose last protection event in the period is 'protection_disabled'.
-- top_attackers         external addresses that alerts were about, by alerts (top 10).
-- top_targeted_services inbound denied connections to inventory addresses, by service (the
--                       inventory's service name for the port, else protocol/port; top 10).
-- top_malware           malware names by detections (top 10).
--
-- Inputs: views events, alerts; tables assets, services (the inventory). Parameters: $org,
-- $first, $last. Output: metrics_hosts (one row).
CREATE OR REPLACE TEMP TABLE metrics_hosts AS
WITH av AS (
    SELECT time, lower(host) AS host, event_class, action, malware_name
    FROM events
    WHERE org = $org AND date BETWEEN $first AND $last AND host IS NOT NULL
      AND event_class IN ('malware_detection', 'system')
),
detections AS (
    SELECT * FROM av WHERE event_class = 'malware_detection'
),
remediated AS (
    SELECT * FROM detections WHERE action IN ('quarantined', 'cleaned', 'deleted')
),
reinfected AS (
    SELECT DISTINCT d.host FROM detections d JOIN remediated r
      ON d.host = r.host AND d.time > r.time + INTERVAL 1 HOUR
    WHERE d.action IN ('detected', 'failed', 'allowed')
),
named AS (
    SELECT DISTINCT a.asset
    FROM assets a JOIN av ON a.match_type = 'hostname' AND a.value = av.host
),
updates AS (
    SELECT host, arg_max(action, time) AS last_action FROM av
    WHERE event_class = 'system' AND action IN ('update_success', 'update_failed') GROUP BY host
),
protection AS (
    SELECT host, arg_max(action, time) AS last_action FROM av
    WHERE event_class = 'system' AND action IN ('protection_enabled', 'protection_disabled') GROUP BY host
),
stale AS (
    SELECT host FROM updates WHERE last_action = 'update_failed'
    UNION
    SELECT lower(entity) FROM alerts
    WHERE org = $org AND date BETWEEN $first AND $last AND rule_id = 'av-signatures-stale'
),
attackers AS (
    SELECT entity AS name, count(*) AS n FROM alerts
    WHERE org = $org AND date BETWEEN $first AND $last AND entity_type = 'src_ip' AND NOT is_private_ip(entity)
    GROUP BY ALL ORDER BY n DESC, name LIMIT 10
),
targeted AS (
    SELECT coalesce(any_value(s.service), e.protocol || '/' || e.dst_port) AS name, count(*) AS n
    FROM events e
    JOIN assets a ON a.match_type = 'ip' AND a.value = e.dst_ip
    LEFT JOIN services s ON s.asset = a.asset AND s.port = e.dst_port
    WHERE e.org = $org AND e.date BETWEEN $first AND $last AND e.event_class = 'network_activity'
      AND e.action IN ('deny', 'drop') AND NOT is_private_ip(e.src_ip) AND e.dst_port IS NOT NULL
    GROUP BY e.protocol, e.dst_port ORDER BY n DESC, name LIMIT 10
),
malware AS (
    SELECT malware_name AS name, count(*) AS n FROM detections
    WHERE malware_name IS NOT NULL AND action IN ('detected', 'failed', 'allowed', 'blocked')
    GROUP BY ALL ORDER BY n DESC, name LIMIT 10
)
SELECT
    coalesce((SELECT list(DISTINCT host ORDER BY host) FROM detections), []) AS hosts_infected,
    coalesce((SELECT list(host ORDER BY host) FROM reinfected), []) AS hosts_reinfected,
    coalesce((SELECT list(DISTINCT asset ORDER BY asset) FROM assets
              WHERE kind IN ('workstation', 'server') AND asset NOT IN (SELECT asset FROM named)), [])
        AS unprotected_assets,
    coalesce((SELECT list(host ORDER BY host) FROM stale), []) AS av_stale_hosts,
    coalesce((SELECT list(host ORDER BY host) FROM protection WHERE last_action = 'protection_disabled'), [])
        AS av_protection_off_hosts,
    coalesce((SELECT list({'name': name, 'count': n} ORDER BY n DESC, name) FROM attackers), []) AS top_attackers,
    coalesce((SELECT list({'name': name, 'count': n} ORDER BY n DESC, name) FROM targeted), [])
        AS top_targeted_services,
    coalesce((SELECT list({'name': name, 'count': n} ORDER BY n DESC, name) FROM malware), []) AS top_malware;
