-- downtime_silence: silence outages, a service gone quiet while it would have carried traffic.
--
-- Profile of a service s at local hour h (0-23 in the org's timezone, the session's), learned
-- from its history. The samples of h are the local hours (of day d, hour h) wholly inside
-- [$window_start, $day_start) in which the organisation logged allowed network_activity (hours
-- without data teach nothing). Over the samples of h:
--   quietest(s, h) = the fewest active minutes of s (minutes with traffic of s, downtime_quiet.sql)
--                    in one sample hour: minutes, not events, so a burst of connections counts once;
--   others(s, h)   = the fewest allowed events of the rest of the organisation (its allowed
--                    network_activity less s's traffic) in one sample hour.
-- An hour is learned when it has at least $min_history_days samples (a week of history covers
-- each day of the week once, weekends included); until then s expects nothing at that hour.
-- Expected active minutes of a quiet piece = the sum, over the local hours it overlaps, of
-- quietest(s, h) x the share of the hour it covers, counting only the hours in which the rest of
-- the organisation was at least as busy as on its quietest sample (its allowed events in the hour
-- less s's >= others(s, h), pro rata when the data ends inside the hour). A night, a weekend or a
-- holiday that is quiet for everyone expects nothing: no false outage there.
-- A silence outage = a quiet piece that overlaps the day (ends after $day_start), lasts at least
-- $min_silence_s (downtime_quiet.sql) and expected at least $silence_minutes active minutes.
-- Within one busy hour h that is a silence longer than the learned threshold
--   T(s, h) = max($min_silence_s, $silence_minutes / quietest(s, h) hours)
-- (silence_profile.threshold_s; null when s has an hour without traffic among its samples).
-- down_at = the piece's start (the last traffic before it, or the end of the explicit outage or
-- no-data stretch that cut it); up_at = its end (the next traffic, or the start of what cut it),
-- null while still quiet at the end of the data.
--
-- Inputs: quiet_pieces, service_traffic, org_minutes (downtime_quiet.sql), service_addresses.
-- Parameters: $window_start, $day_start, $data_end, $min_silence_s, $silence_minutes,
-- $min_history_days.
-- Output: silence_hours (asset, service, slot, active_minutes, others: per local hour with data);
-- silence_profile (asset, service, hour, samples, quietest, others, threshold_s); silence_rows
-- (the columns of explicit_rows; cause 'silence', device null, subject '<asset> <service>').
CREATE OR REPLACE TEMP TABLE silence_hours AS
WITH org_hours AS (
    SELECT date_trunc('hour', minute) AS slot, sum(allowed)::BIGINT AS allowed FROM org_minutes GROUP BY ALL
),
service_counts AS (
    SELECT asset, service, date_trunc('hour', time) AS slot, count(*) AS events,
           count(DISTINCT date_trunc('minute', time)) AS active_minutes
    FROM service_traffic GROUP BY ALL
)
SELECT s.asset, s.service, o.slot, coalesce(c.active_minutes, 0) AS active_minutes,
       o.allowed - coalesce(c.events, 0) AS others
FROM (SELECT DISTINCT asset, service FROM service_addresses) s CROSS JOIN org_hours o
LEFT JOIN service_counts c ON c.asset = s.asset AND c.service = s.service AND c.slot = o.slot;

CREATE OR REPLACE TEMP TABLE silence_profile AS
SELECT asset, service, hour(slot)::INTEGER AS hour, count(*) AS samples, min(active_minutes) AS quietest,
       min(others) AS others,
       CASE WHEN min(active_minutes) > 0
            THEN greatest($min_silence_s::DOUBLE, 3600.0 * $silence_minutes / min(active_minutes))
       END AS threshold_s
FROM silence_hours
WHERE slot >= $window_start AND slot + INTERVAL 1 HOUR <= $day_start AND active_minutes + others > 0
GROUP BY ALL
HAVING count(*) >= $min_history_days;

CREATE OR REPLACE TEMP TABLE silence_rows AS
WITH candidates AS (
    SELECT row_number() OVER (ORDER BY asset, service, quiet_from) AS piece_id, *
    FROM quiet_pieces WHERE quiet_to > $day_start
),
covered AS (  -- each candidate's share of every local hour it overlaps
    SELECT c.piece_id, c.asset, c.service, h.slot,
           (epoch(least(c.quiet_to, h.slot + INTERVAL 1 HOUR)) - epoch(greatest(c.quiet_from, h.slot))) / 3600
               AS share
    FROM candidates c,
         unnest(generate_series(date_trunc('hour', c.quiet_from), c.quiet_to - INTERVAL 1 MICROSECOND,
                                INTERVAL 1 HOUR)) AS h(slot)
),
expected AS (  -- hours unlearned, without data, or quiet for the whole organisation add nothing
    SELECT v.piece_id, sum(p.quietest * v.share) AS active_minutes
    FROM covered v
    JOIN silence_profile p ON p.asset = v.asset AND p.service = v.service AND p.hour = hour(v.slot)
    JOIN silence_hours o ON o.asset = v.asset AND o.service = v.service AND o.slot = v.slot
    WHERE o.others >= p.others * (epoch(least(v.slot + INTERVAL 1 HOUR, $data_end)) - epoch(v.slot)) / 3600
    GROUP BY v.piece_id
),
services AS (SELECT DISTINCT asset, service, port, protocol FROM service_addresses)
SELECT c.asset, c.service, 'silence' AS cause, NULL::VARCHAR AS device,
       c.asset || ' ' || c.service AS subject,
       c.quiet_from AS down_at, CASE WHEN NOT c.still_quiet THEN c.quiet_to END AS up_at,
       printf('no allowed %s/%d traffic to %s; even its quietest days had traffic in %.0f of these minutes',
              s.protocol, s.port, c.service, e.active_minutes) AS detail,
       c.evidence_file, c.evidence_line
FROM candidates c
JOIN expected e USING (piece_id)
JOIN services s ON s.asset = c.asset AND s.service = c.service
WHERE e.active_minutes >= $silence_minutes;
