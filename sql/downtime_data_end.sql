-- downtime_data_end: how far a day's downtime can see. The end of the data = the end of the day
-- ($day_end) when the organisation's last event (any class) in [$window_start, $day_end) is less
-- than $min_silence_s before it (the logs cover the whole day), else that last event (a day still
-- being logged, or logs that stopped); null when there is no event. An outage or silence still
-- running is counted up to it, never past what the logs show.
-- Input: events (the lake view). Parameters: $org, $first_date, $day, $window_start, $day_end,
-- $min_silence_s.
SELECT CASE WHEN epoch($day_end) - epoch(max(time)) < $min_silence_s THEN $day_end ELSE max(time) END
       AS data_end
FROM events
WHERE org = $org AND date BETWEEN $first_date AND $day AND time >= $window_start AND time < $day_end;
