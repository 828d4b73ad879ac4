-- Linking keys of each alert: alerts sharing a key, close in time, belong to one incident.
--
-- An alert is keyed by its entity ('src_ip:203.0.113.7', 'host:pc-07', 'rule_name:servers', ...)
-- and, for security alerts, by the inventory assets it concerns: the asset whose IP or hostname the
-- entity is, and the assets its evidence reached (allowed traffic from or to the entity, AV events
-- on an asset), and by the malware names in its evidence. So a host's AV alert and the firewall
-- alert about that host's IP, an attacker IP and the server it reached, or the same malware on two
-- hosts (an outbreak), link. Network devices (the firewall itself) never link: every alert
-- passes through them. Availability alerts (tag 'availability') link only by their own entity
-- (device interface), within their own domain, so an outage is its own incident.
--
-- Inputs: alerts_in (the window's alerts), alert_kinds (rule_id -> kind, domain),
-- evidence_events (alert_id + the evidence event's columns), assets (the inventory; see
-- seclake.detection.sandbox.assets_table).
CREATE OR REPLACE TEMP TABLE alert_keys AS
WITH alerts AS (
    SELECT a.alert_id, a.entity_type, a.entity, k.domain
    FROM alerts_in a JOIN alert_kinds k USING (rule_id)
),
entity_keys AS (
    SELECT alert_id, domain, entity_type || ':' || entity AS key FROM alerts
),
entity_assets AS (
    SELECT a.alert_id, a.domain, 'asset:' || x.asset AS key
    FROM alerts a JOIN assets x ON lower(a.entity) = lower(x.value)
    WHERE a.domain = 'security' AND x.kind <> 'network'
),
malware_names AS (
    SELECT DISTINCT e.alert_id, 'security' AS domain, 'malware:' || e.malware_name AS key
    FROM evidence_events e
    WHERE e.event_class = 'malware_detection' AND e.malware_name IS NOT NULL
),
evidence_assets AS (
    SELECT e.alert_id, 'security' AS domain, 'asset:' || x.asset AS key
    FROM evidence_events e
    JOIN assets x ON lower(x.value) IN (lower(e.host), e.dst_ip, e.src_ip)
    JOIN alerts a USING (alert_id)
    WHERE a.domain = 'security' AND x.kind <> 'network'
      AND (e.event_class = 'malware_detection' OR e.action = 'allow')
)
SELECT DISTINCT alert_id, domain, key FROM (
    SELECT * FROM entity_keys
    UNION ALL SELECT * FROM entity_assets
    UNION ALL SELECT * FROM evidence_assets
    UNION ALL SELECT * FROM malware_names
);
