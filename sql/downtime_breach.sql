-- downtime_breach: the day's outage rows (OUTAGE_SCHEMA): clipped to the day, banded, and each
-- outage attributed to the incident that caused it, if any.
--
-- Rows: every explicit row (downtime_assets.sql) and silence row (downtime_silence.sql) whose
-- outage touches the org-local day [$day_start, $day_end). An outage still down ends, for now, at
-- $data_end (the org's last event up to the day's end): minutes = from down_at to up_at, else to
-- $data_end; day_minutes = the part inside the day. Both exact (float minutes).
-- outage_id = the first 16 hex digits of sha256('<org>|<asset>|<service or empty>|<cause>|<down_at
-- as UTC ISO 8601 with microseconds>'): the same outage has the same id on every day it touches.
-- band = downtime_band(minutes) (sql/downtime_band.sql: whole hours rounded down).
-- Breach-caused: one outage = one down/up pair of a device's subject, or one silence of a service.
-- It is breach-caused when its interval [down_at, up_at or $data_end] overlaps the interval of a
-- security incident, extended by $margin_s on both sides, whose assets include ANY asset the
-- outage took down. Incident interval = [first_activity, coalesce(resolved_at, last_activity,
-- $data_end)], from its latest snapshot up to the day (a later snapshot is never read: re-running
-- the day gives the same rows). Security incident = kind not in $not_breach_kinds (availability,
-- AV health and policy incidents report outages and hygiene, not attacks). Of several such
-- incidents, the one overlapping the outage longest (then the earliest, then the lowest id). Every
-- asset row of a breach-caused outage carries its incident_id, and breach_minutes = the part of
-- its day_minutes inside the margin-extended incident interval; 0 when not breach-caused.
--
-- Inputs: explicit_rows, silence_rows, incident_snapshots (INCIDENT_SCHEMA + date, the snapshot
-- day), assets (for criticality), macro downtime_band. Parameters: $org, $day, $day_start,
-- $day_end, $data_end, $margin_s, $not_breach_kinds. Result: the rows, in OUTAGE_SCHEMA's columns.
WITH outage_rows AS (
    SELECT asset, service, cause, device, subject, down_at, up_at, detail, evidence_file, evidence_line
    FROM explicit_rows
    UNION ALL
    SELECT asset, service, cause, device, subject, down_at, up_at, detail, evidence_file, evidence_line
    FROM silence_rows
),
touching AS (
    SELECT *, coalesce(up_at, $data_end) AS ends_at,
           concat_ws('|', cause, coalesce(lower(device), ''), subject, epoch_us(down_at)) AS outage_key
    FROM outage_rows
    WHERE down_at < $day_end AND (coalesce(up_at, $data_end) > $day_start OR down_at >= $day_start)
),
outages AS (
    SELECT outage_key, min(down_at) AS down_at, max(ends_at) AS ends_at, list(DISTINCT asset) AS assets
    FROM touching GROUP BY outage_key
),
incidents_known AS (
    SELECT incident_id, assets, first_activity - to_seconds($margin_s::DOUBLE) AS from_at,
           coalesce(resolved_at, last_activity, $data_end) + to_seconds($margin_s::DOUBLE) AS to_at
    FROM (
        SELECT * FROM incident_snapshots
        WHERE org = $org AND date <= $day
        QUALIFY row_number() OVER (PARTITION BY incident_id ORDER BY date DESC) = 1
    )
    WHERE first_activity IS NOT NULL AND NOT list_contains($not_breach_kinds, kind)
),
causes AS (
    SELECT o.outage_key, i.incident_id, i.from_at, i.to_at
    FROM outages o JOIN incidents_known i
      ON list_has_any(o.assets, i.assets) AND o.down_at <= i.to_at AND o.ends_at >= i.from_at
    QUALIFY row_number() OVER (
        PARTITION BY o.outage_key
        ORDER BY epoch(least(o.ends_at, i.to_at)) - epoch(greatest(o.down_at, i.from_at)) DESC,
                 i.from_at, i.incident_id
    ) = 1
),
measured AS (
    SELECT t.*, c.incident_id, c.from_at, c.to_at,
           (epoch(t.ends_at) - epoch(t.down_at)) / 60 AS minutes,
           greatest(0, epoch(least(t.ends_at, $day_end)) - epoch(greatest(t.down_at, $day_start))) / 60
               AS day_minutes,
           greatest(0, epoch(least(t.ends_at, $day_end, c.to_at))
                       - epoch(greatest(t.down_at, $day_start, c.from_at))) / 60 AS inside_incident_minutes
    FROM touching t LEFT JOIN causes c USING (outage_key)
),
criticality AS (SELECT DISTINCT asset, criticality FROM assets)
SELECT substr(sha256(concat_ws('|', $org, m.asset, coalesce(m.service, ''), m.cause,
                               strftime(timezone('UTC', m.down_at), '%Y-%m-%dT%H:%M:%S.%fZ'))), 1, 16)
           AS outage_id,
       $org AS org, m.asset, m.service, k.criticality, m.cause, m.device, m.detail, m.down_at, m.up_at,
       m.minutes, m.day_minutes,
       m.incident_id IS NOT NULL AS breach_caused,
       CASE WHEN m.incident_id IS NULL THEN 0.0 ELSE m.inside_incident_minutes END AS breach_minutes,
       m.incident_id,
       downtime_band(m.minutes) AS band,
       m.evidence_file, m.evidence_line
FROM measured m LEFT JOIN criticality k USING (asset)
ORDER BY m.down_at, m.asset, m.service NULLS FIRST, m.cause;
