-- The band of an outage's length, as reports show it: whole hours, rounded down
-- (under 1 h; 1-4 h = [60, 300) minutes; 5-8 h = [300, 540); 9-16 h = [540, 1020);
-- 17-24 h = [1020, 1500); over 24 h = 1500 minutes or more). seclake.tables.DOWNTIME_BANDS lists them.
CREATE OR REPLACE TEMP MACRO downtime_band(minutes) AS CASE
    WHEN minutes IS NULL THEN NULL
    WHEN minutes < 60 THEN 'under 1 h'
    WHEN minutes < 300 THEN '1-4 h'
    WHEN minutes < 540 THEN '5-8 h'
    WHEN minutes < 1020 THEN '9-16 h'
    WHEN minutes < 1500 THEN '17-24 h'
    ELSE 'over 24 h'
END;
