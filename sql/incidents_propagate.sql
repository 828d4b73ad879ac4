-- One round of label propagation (see incidents_group.sql): every alert takes the smallest label
-- of any alert it shares a run with. Run until the number of changed labels is 0.
CREATE OR REPLACE TEMP TABLE alert_labels_next AS
WITH run_min AS (
    SELECT r.run, min(l.label) AS label
    FROM alert_runs r JOIN alert_labels l USING (alert_id)
    GROUP BY r.run
)
SELECT l.alert_id, least(l.label, coalesce(min(m.label), l.label)) AS label
FROM alert_labels l
LEFT JOIN alert_runs r USING (alert_id)
LEFT JOIN run_min m USING (run)
GROUP BY l.alert_id, l.label;
