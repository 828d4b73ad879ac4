-- downtime_explicit: outages the logs state explicitly, as down/up pairs per device and subject.
--
-- A state change is a system event of one of these kinds (cause; subject = what went down):
--   interface_down   Cisco ASA 411002 line protocol down, 411004 administratively down;
--                    up: 411001, 411003. Subject = the interface nameif (rule_name).
--   vpn_tunnel_down  Cisco ASA site-to-site IKE tunnel: down 713050 (connection terminated),
--                    713259 (session torn down); up 713119/713120 (phase 1/2 completed).
--                    Subject = the peer address (src_ip). Site-to-site = no user, or the user is the
--                    peer address. Remote-access sessions (113019, 722023, 716002, and IKE lines
--                    naming a user) end when a person logs off: never outages.
--   failover         Cisco ASA HA: down 104003 (unit switching to FAILED), 105005 (lost failover
--                    communications with mate); up 104001 (a unit switching to ACTIVE), 104004
--                    (unit OK). Subject = ''. Only a failure closed by a switch to ACTIVE is an
--                    outage (the pair stopped forwarding until the other unit took over); a failure
--                    closed by 104004 alone, or not closed, was the standby's and took nothing down.
--   service_stop     ClamAV clamd: down STOPPED ("--- Stopped at"), up STARTED ("+++ Started at").
--                    Subject = the service (rule_name 'clamd'). A STARTED with no STOPPED before it
--                    (a boot) is not an outage.
--   every other format: its normalised state changes, system events with action down/up and the
--                    object in rule_name (the parsers' rule). Cause: service_stop when the event is
--                    about an endpoint (host set); vpn_tunnel_down when its vendor action, message or
--                    object names a tunnel, VPN, IPsec or IKE (not for a user's session: user set);
--                    else interface_down (administratively when the vendor action says so).
-- Pairing, per (cause, lower-case device, subject) in time order: an outage starts at the first
-- down event while up (further downs before an up belong to it) and ends at the LAST up event of
-- the up-burst that follows: the up events at most $up_burst_s seconds after its first up (the
-- admin "up" 411003 is followed within seconds by the line-protocol "up" 411001; the service is
-- back at the latter). No up yet: up_at null. A flapping link is several outages. Events are read
-- over [$window_start, $day_end) (the history before the day), so a down before the day is found;
-- nothing after the day is read, so a re-run of the day gives the same pairs.
--
-- Input: events (the lake view: org, date partition columns). Parameters: $org, $first_date, $day
-- (partition dates read), $window_start, $day_end, $up_burst_s.
-- Output: explicit_outages (cause, device, subject, down_at, up_at, detail, evidence_file,
-- evidence_line): device as the first down event wrote it; evidence = that event's raw line.
CREATE OR REPLACE TEMP TABLE explicit_outages AS
WITH kinds(format, message_id, cause, state) AS (
    VALUES ('cisco_asa', '411002', 'interface_down', 'down'),
           ('cisco_asa', '411004', 'interface_down', 'down'),
           ('cisco_asa', '411001', 'interface_down', 'up'), ('cisco_asa', '411003', 'interface_down', 'up'),
           ('cisco_asa', '713050', 'vpn_tunnel_down', 'down'),
           ('cisco_asa', '713259', 'vpn_tunnel_down', 'down'),
           ('cisco_asa', '713119', 'vpn_tunnel_down', 'up'), ('cisco_asa', '713120', 'vpn_tunnel_down', 'up'),
           ('cisco_asa', '104003', 'failover', 'down'), ('cisco_asa', '105005', 'failover', 'down'),
           ('cisco_asa', '104001', 'failover', 'up'), ('cisco_asa', '104004', 'failover', 'up'),
           ('clamav', 'STOPPED', 'service_stop', 'down'), ('clamav', 'STARTED', 'service_stop', 'up')
),
changes AS (
    SELECT e.time, e.device, lower(e.device) AS device_key, k.cause, k.state, e.message_id, e.message,
           e.vendor_action, e.raw_file, e.raw_line,
           CASE k.cause WHEN 'vpn_tunnel_down' THEN e.src_ip WHEN 'failover' THEN '' ELSE e.rule_name END
               AS subject
    FROM events e JOIN kinds k ON k.format = e.format AND k.message_id = e.message_id
    WHERE e.org = $org AND e.date BETWEEN $first_date AND $day
      AND e.time >= $window_start AND e.time < $day_end AND e.event_class = 'system'
      AND (k.cause <> 'vpn_tunnel_down' OR e."user" IS NULL OR e."user" = e.src_ip)
    UNION ALL
    SELECT * EXCLUDE ("user") FROM (
        SELECT e.time, e.device, lower(e.device) AS device_key,
               CASE WHEN e.host IS NOT NULL THEN 'service_stop'
                    WHEN regexp_matches(lower(concat_ws(' ', e.vendor_action, e.message, e.rule_name)),
                                        'tunnel|vpn|ipsec|ike') THEN 'vpn_tunnel_down'
                    ELSE 'interface_down' END AS cause,
               e.action AS state, e.message_id, e.message, e.vendor_action, e.raw_file, e.raw_line,
               e.rule_name AS subject, e."user"
        FROM events e
        WHERE e.org = $org AND e.date BETWEEN $first_date AND $day
          AND e.time >= $window_start AND e.time < $day_end AND e.event_class = 'system'
          AND e.action IN ('down', 'up') AND e.rule_name IS NOT NULL
          AND e.format NOT IN (SELECT DISTINCT format FROM kinds)
    ) WHERE cause <> 'vpn_tunnel_down' OR "user" IS NULL
),
runs AS (  -- run = number of the stretch of same-state events this event belongs to
    SELECT *, sum(starts_run::INTEGER) OVER (
               PARTITION BY cause, device_key, subject ORDER BY time, raw_file, raw_line) AS run
    FROM (
        SELECT *, state IS DISTINCT FROM lag(state) OVER (
            PARTITION BY cause, device_key, subject ORDER BY time, raw_file, raw_line) AS starts_run
        FROM changes WHERE subject IS NOT NULL
    )
),
down_starts AS (
    SELECT * FROM runs WHERE state = 'down'
    QUALIFY row_number() OVER (
        PARTITION BY cause, device_key, subject, run ORDER BY time, raw_file, raw_line) = 1
),
first_ups AS (
    SELECT cause, device_key, subject, run, min(time) AS first_up FROM runs WHERE state = 'up' GROUP BY ALL
),
up_bursts AS (
    SELECT r.cause, r.device_key, r.subject, r.run, max(r.time) AS up_at,
           bool_or(r.message_id = '104001') AS switched_active
    FROM runs r JOIN first_ups f USING (cause, device_key, subject, run)
    WHERE r.state = 'up' AND r.time <= f.first_up + to_seconds($up_burst_s::DOUBLE)
    GROUP BY ALL
)
SELECT d.cause, d.device, d.subject, d.time AS down_at, u.up_at,
       CASE d.cause
           WHEN 'interface_down' THEN 'interface ' || d.subject
               || CASE WHEN d.message_id = '411004' OR d.vendor_action ILIKE 'administratively%'
                       THEN ' administratively down' ELSE ' line protocol down' END
           WHEN 'vpn_tunnel_down' THEN 'site-to-site VPN tunnel to ' || d.subject || ' down'
           WHEN 'failover' THEN 'failover: ' || coalesce(d.message, d.message_id)
           ELSE d.subject || ' stopped'
       END AS detail,
       d.raw_file AS evidence_file, d.raw_line AS evidence_line
FROM down_starts d
LEFT JOIN up_bursts u
  ON u.cause = d.cause AND u.device_key IS NOT DISTINCT FROM d.device_key AND u.subject = d.subject
 AND u.run = d.run + 1
WHERE d.cause <> 'failover' OR coalesce(u.switched_active, false);
