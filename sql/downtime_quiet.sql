-- downtime_quiet: when each inventory service carried no traffic, less what is explained otherwise.
--
-- Traffic of a service = allowed network_activity events to one of its asset's IPs (dst_ip or
-- nat_dst_ip) on the service's port and protocol (protocol 'any': any protocol; 'icmp': any port).
-- A quiet gap runs from one traffic event to the next; after the last one of the window it runs to
-- $data_end (the end of the data) and is still quiet. Removed from each gap (merged per asset and
-- service, so no minute is counted twice):
--   - the explicit outages of the asset (whole-asset rows, and rows of this service): that time is
--     already downtime with a known cause;
--   - the org's no-data stretches: at least $min_silence_s without any network_activity event of
--     the organisation (whole minutes: from the end of the last minute with an event to the next
--     minute with one, or to $data_end). The logs stopped, not the service.
-- What remains are the quiet pieces; those shorter than $min_silence_s are dropped (never an outage).
--
-- Inputs: events (the lake view), service_addresses (asset, service, port, protocol, ip),
-- explicit_rows (downtime_assets.sql). Parameters: $org, $first_date, $day, $window_start,
-- $day_end, $data_end, $min_silence_s.
-- Output: service_traffic (asset, service, time, raw_file, raw_line); org_minutes (minute, allowed:
-- the minutes with a network_activity event of the org, and its allowed events in them);
-- quiet_pieces (asset, service, quiet_from, quiet_to, still_quiet, evidence_file, evidence_line):
-- evidence = the last traffic event before the piece when the piece starts there (null when it
-- starts where an explicit outage or a no-data stretch ended).
CREATE OR REPLACE TEMP TABLE service_traffic AS
WITH allowed AS (
    SELECT time, dst_ip, nat_dst_ip, dst_port, protocol, raw_file, raw_line
    FROM events
    WHERE org = $org AND date BETWEEN $first_date AND $day AND time >= $window_start AND time < $day_end
      AND event_class = 'network_activity' AND action = 'allow'
      AND (dst_ip IN (SELECT ip FROM service_addresses) OR nat_dst_ip IN (SELECT ip FROM service_addresses))
),
matched AS (
    SELECT s.asset, s.service, s.port, s.protocol AS service_protocol, e.*
    FROM allowed e JOIN service_addresses s ON s.ip = e.dst_ip
    UNION ALL
    SELECT s.asset, s.service, s.port, s.protocol, e.*
    FROM allowed e JOIN service_addresses s ON s.ip = e.nat_dst_ip
)
SELECT DISTINCT asset, service, time, raw_file, raw_line
FROM matched
WHERE (service_protocol = 'any' OR protocol = service_protocol)
  AND (service_protocol = 'icmp' OR dst_port = port);

CREATE OR REPLACE TEMP TABLE org_minutes AS
SELECT date_trunc('minute', time) AS minute, count(*) FILTER (WHERE action = 'allow') AS allowed
FROM events
WHERE org = $org AND date BETWEEN $first_date AND $day AND time >= $window_start AND time < $day_end
  AND event_class = 'network_activity'
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE quiet_pieces AS
WITH no_data AS (
    SELECT * FROM (
        SELECT minute + INTERVAL 1 MINUTE AS cut_from,
               coalesce(lead(minute) OVER (ORDER BY minute), $data_end) AS cut_to
        FROM org_minutes
    )
    WHERE epoch(cut_to) - epoch(cut_from) >= $min_silence_s
),
gaps AS (
    SELECT asset, service, time AS quiet_from, raw_file AS evidence_file, raw_line AS evidence_line,
           lead(time) OVER (PARTITION BY asset, service ORDER BY time, raw_file, raw_line) AS next_traffic
    FROM service_traffic
),
quiet AS (
    SELECT row_number() OVER (ORDER BY asset, service, quiet_from) AS gap_id, asset, service, quiet_from,
           coalesce(next_traffic, $data_end) AS quiet_to, next_traffic IS NULL AS still_quiet,
           evidence_file, evidence_line
    FROM gaps
    WHERE epoch(coalesce(next_traffic, $data_end)) - epoch(quiet_from) >= $min_silence_s
),
services AS (SELECT DISTINCT asset, service FROM service_addresses),
removed AS (
    SELECT s.asset, s.service, r.down_at AS cut_from, coalesce(r.up_at, $data_end) AS cut_to
    FROM services s JOIN explicit_rows r ON r.asset = s.asset AND (r.service IS NULL OR r.service = s.service)
    UNION ALL
    SELECT s.asset, s.service, n.cut_from, n.cut_to FROM services s CROSS JOIN no_data n
),
islands AS (  -- the removed intervals merged: disjoint, per asset and service
    SELECT asset, service, min(cut_from) AS cut_from, max(cut_to) AS cut_to
    FROM (
        SELECT *, sum(starts::INTEGER) OVER (PARTITION BY asset, service ORDER BY cut_from, cut_to) AS island
        FROM (
            SELECT *, (cut_from > max(cut_to) OVER (
                PARTITION BY asset, service ORDER BY cut_from, cut_to
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) IS NOT FALSE AS starts
            FROM removed
        )
    )
    GROUP BY asset, service, island
),
cuts AS (  -- the islands inside each quiet gap, clipped to it
    SELECT q.gap_id, greatest(i.cut_from, q.quiet_from) AS cut_from, least(i.cut_to, q.quiet_to) AS cut_to
    FROM quiet q JOIN islands i
      ON i.asset = q.asset AND i.service = q.service AND i.cut_from < q.quiet_to AND i.cut_to > q.quiet_from
),
stretches AS (  -- the uncut stretches of a gap that has cuts: before each cut, and after the last
    SELECT gap_id, lag(cut_to) OVER (PARTITION BY gap_id ORDER BY cut_from) AS piece_from,
           cut_from AS piece_to
    FROM cuts
    UNION ALL
    SELECT gap_id, max(cut_to), NULL FROM cuts GROUP BY gap_id
),
pieces AS (  -- a null bound is the gap's own
    SELECT q.asset, q.service, coalesce(s.piece_from, q.quiet_from) AS quiet_from,
           coalesce(s.piece_to, q.quiet_to) AS quiet_to, q.still_quiet AND s.piece_to IS NULL AS still_quiet,
           CASE WHEN s.piece_from IS NULL THEN q.evidence_file END AS evidence_file,
           CASE WHEN s.piece_from IS NULL THEN q.evidence_line END AS evidence_line
    FROM quiet q LEFT JOIN stretches s USING (gap_id)
)
SELECT * FROM pieces WHERE epoch(quiet_to) - epoch(quiet_from) >= $min_silence_s;
