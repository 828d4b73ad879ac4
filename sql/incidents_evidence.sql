-- The events behind each alert of the window: its evidence lines (alerts keep raw_file/raw_line
-- of every event they counted), plus what an attacker did with a remote-access VPN session it
-- obtained: the connections made from the address assigned to that session, while it lasted.
--
-- Inputs: alerts_in, window_events (the org's events of the window). Output: evidence_events
-- (alert_id, via = 'evidence' | 'vpn session', and the event's columns).
CREATE OR REPLACE TEMP TABLE evidence_events AS
WITH links AS (
    SELECT a.alert_id, e.raw_file, e.raw_line
    FROM alerts_in a, unnest(a.evidence) AS t(e)
),
direct AS (
    SELECT l.alert_id, 'evidence' AS via, w.*
    FROM links l JOIN window_events w USING (raw_file, raw_line)
),
attackers AS (
    SELECT DISTINCT alert_id, entity AS ip FROM alerts_in WHERE entity_type = 'src_ip'
),
sessions AS (
    SELECT a.alert_id, w.time AS started, w.extra['assigned_ip'] AS assigned,
        (SELECT min(x.time) FROM window_events x
          WHERE x.event_class = 'system' AND x.action = 'down' AND x.src_ip = w.src_ip
            AND x.user IS NOT DISTINCT FROM w.user AND x.time >= w.time) AS ended
    FROM window_events w JOIN attackers a ON w.src_ip = a.ip
    WHERE w.event_class = 'system' AND w.action = 'up' AND w.extra['assigned_ip'] IS NOT NULL
),
reached AS (
    SELECT s.alert_id, 'vpn session' AS via, w.*
    FROM sessions s JOIN window_events w
      ON w.src_ip = s.assigned AND w.event_class = 'network_activity'
     AND w.time >= s.started AND w.time <= coalesce(s.ended, w.time)
)
SELECT * FROM direct
UNION ALL BY NAME
SELECT * FROM reached;
