-- Alerts → incidents: per linking key, alerts whose activity is within $gap_s seconds of the
-- key's earlier alerts form a run; alerts sharing a run are linked; an incident is a connected
-- group of linked alerts (label propagation: each alert takes the smallest label among the alerts
-- it shares a run with, repeated until nothing changes — see incidents.py).
--
-- Inputs: alerts_in, alert_keys. Output: alert_runs(alert_id, run), alert_labels(alert_id, label),
-- where the first label of an alert is its own rank in (detected_at, alert_id) order: the
-- detection order, which later alerts cannot change (an alert detected later may reach further back).
CREATE OR REPLACE TEMP TABLE alert_runs AS
WITH keyed AS (
    SELECT k.key, k.domain, a.alert_id, a.first_seen, a.last_seen
    FROM alert_keys k JOIN alerts_in a USING (alert_id)
),
marked AS (
    SELECT *,
        CASE WHEN first_seen > max(last_seen) OVER (
                PARTITION BY domain, key ORDER BY first_seen, alert_id
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
            ) + to_seconds($gap_s) THEN 1 ELSE 0 END AS starts_run
    FROM keyed
)
SELECT alert_id,
    domain || '|' || key || '|' || sum(starts_run) OVER (
        PARTITION BY domain, key ORDER BY first_seen, alert_id
    ) AS run
FROM marked;

CREATE OR REPLACE TEMP TABLE alert_labels AS
SELECT alert_id, row_number() OVER (ORDER BY detected_at, alert_id) AS label FROM alerts_in;
