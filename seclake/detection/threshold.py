"""Compile a rule's ``threshold`` form to DuckDB SQL with true sliding windows.

For every matching event, the measure (``count(*)`` or ``count(DISTINCT col)``) is taken over the
events of its group in the ``within`` span ending at that event (a RANGE window, not fixed
buckets): "≥ 50 distinct ports from one source within any 5 minutes" fires however the 5 minutes
fall on the clock. Events where the condition holds are hits; hits of a group less than
``within`` apart form one episode, which is one alert:

- ``first_seen``: the start of the first hit's span (the earliest event that counted);
- ``detected_at``: the first hit (when a reader of the logs could first have known);
- ``last_seen``: the last matching event of the episode;
- ``count``: the highest measure reached; ``evidence``: the episode's events (up to the limit).
"""

from __future__ import annotations

from seclake.detection.rule import Threshold
from seclake.durations import parse_duration

EVIDENCE_LIMIT = 50


def _reachable(measure: str, op: str, value: int) -> str:
    """What a whole group's measure must pass for some window of it to pass ``op value``."""
    if op in (">", ">="):
        return f"{measure} {op} {value}"
    return f"{measure} >= {value}" if op == "=" else "true"  # '<' and '<=': every group can


def _suspects_sql(threshold: Threshold, matching: str) -> str:
    """The CTEs down to ``suspects``: the matching events of the groups with enough of them to reach
    the threshold (a group's measure never exceeds its count of events).

    The events are read twice: once with only the group columns to count, keyed by a hash of the
    group columns (cheaper to group by than strings; a collision only merges groups, so keeps more
    events, never fewer: ``candidates`` then checks the real groups), then the events of those groups.
    The second read computes ``matching`` as a column of a materialised result, so that the
    condition's costly parts run on those events only (a filter would be pushed down onto every
    event), and it stops early when no group has enough."""
    groups = ", ".join(threshold.group_by)
    if threshold.op in ("<", "<=") or (threshold.op != ">" and threshold.value <= 1):
        return f"suspects AS (\n    SELECT * FROM events WHERE {matching}\n)"  # every matching group can
    return f"""busy AS (
    SELECT hash({groups}) AS key FROM events WHERE {matching}
    GROUP BY key HAVING {_reachable("count(*)", threshold.op, threshold.value)}
),
busy_events AS MATERIALIZED (
    SELECT *, {matching} AS matches FROM events WHERE hash({groups}) IN (SELECT key FROM busy)
),
suspects AS (
    SELECT * EXCLUDE (matches) FROM busy_events WHERE matches
)"""


def episodes_sql(group_by: list[str], span: str, condition: str, events: str) -> str:
    """The CTEs from ``measured`` (one row per event: group columns, time, raw_file, raw_line,
    measure, span_start) to ``spans`` (one row per episode with its evidence from ``events``):
    hits are rows where ``condition`` holds; hits of a group at most ``span`` apart are one episode
    (see the module docstring). Shared by ``threshold:`` rules and imported Sigma correlations."""
    groups = ", ".join(group_by)
    return f"""hits AS (
    SELECT * FROM measured WHERE {condition}
),
numbered AS (
    SELECT *, sum(starts_episode) OVER (PARTITION BY {groups} ORDER BY time, raw_file, raw_line) AS episode
    FROM (
        SELECT *, CASE WHEN time - lag(time) OVER (PARTITION BY {groups} ORDER BY time, raw_file, raw_line) <= {span}
                       THEN 0 ELSE 1 END AS starts_episode
        FROM hits
    )
),
episodes AS (
    SELECT {groups}, episode, min(span_start) AS first_seen, min(time) AS detected_at,
           max(time) AS last_hit, max(measure) AS count
    FROM numbered GROUP BY ALL
),
spans AS (
    SELECT {", ".join(f"e.{c}" for c in group_by)}, e.episode, e.first_seen, e.detected_at, e.count,
           max(m.time) AS last_seen,
           list({{'raw_file': m.raw_file, 'raw_line': m.raw_line}} ORDER BY m.time, m.raw_file, m.raw_line) AS evidence
    FROM episodes e
    JOIN {events} m ON {" AND ".join(f"m.{c} = e.{c}" for c in group_by)}
         AND m.time >= e.first_seen AND m.time <= e.last_hit + {span}
    GROUP BY ALL
)"""


def threshold_sql(threshold: Threshold, entity: str, evidence_limit: int = EVIDENCE_LIMIT) -> str:
    """The SELECT that turns the view ``events`` into alert rows for this threshold."""
    groups = ", ".join(threshold.group_by)
    seconds = int(parse_duration(threshold.within).total_seconds())
    span = f"INTERVAL {seconds} SECOND"
    measure = "count(*)" if threshold.count else f"count(DISTINCT {threshold.distinct})"
    measured = "events" if threshold.count else f"distinct {threshold.distinct}"
    not_null = " AND ".join(f"{column} IS NOT NULL" for column in threshold.group_by)
    return f"""
WITH {_suspects_sql(threshold, f"({threshold.where}) AND {not_null}")},
candidates AS (
    -- a group below the threshold over the whole span cannot reach it in any window: skip it
    SELECT {groups} FROM suspects GROUP BY ALL HAVING {_reachable(measure, threshold.op, threshold.value)}
),
matched AS (
    SELECT * FROM suspects SEMI JOIN candidates USING ({groups})
),
measured AS (
    SELECT {groups}, time, raw_file, raw_line,
           {measure} OVER span AS measure,
           min(time) OVER span AS span_start
    FROM matched
    WINDOW span AS (PARTITION BY {groups} ORDER BY time RANGE BETWEEN {span} PRECEDING AND CURRENT ROW)
),
{episodes_sql(threshold.group_by, span, f"measure {threshold.op} {threshold.value}", "matched")}
SELECT {entity}::VARCHAR AS entity, first_seen, detected_at, last_seen, count,
       format('{{}} {measured} within {threshold.within} (threshold {threshold.op} {threshold.value})', count) AS summary,
       evidence[1:{evidence_limit}] AS evidence
FROM spans
"""
