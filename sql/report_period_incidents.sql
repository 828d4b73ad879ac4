-- period_incidents: the incidents a period's report lists. As the metrics count them, an incident
-- belongs to the period it was detected in (detected_at in [$start, $end)): detected_in_period.
-- Also listed, apart: incidents detected earlier and not resolved when the period began (still
-- open from before). One row per incident: the incidents view holds each incident's latest
-- snapshot. Worst first, then by detection.
-- Parameters: $org, $start, $end (UTC timestamps).
SELECT *, detected_at >= $start AS detected_in_period
FROM incidents
WHERE org = $org
  AND detected_at < $end
  AND (detected_at >= $start OR resolved_at IS NULL OR resolved_at >= $start)
ORDER BY list_position(['critical', 'high', 'medium', 'low', 'info'], severity), detected_at, incident_id
