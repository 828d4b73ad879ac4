"""Sigma correlation rules that seclake's ``threshold:`` form cannot express, compiled to DuckDB SQL.

``event_count`` and ``value_count`` with one comparison are written as ``threshold:`` rules and
compiled by ``seclake.detection.threshold``; this module takes the rest — ``temporal``,
``temporal_ordered``, ranges (``gte: 10, lte: 20``) and ``neq`` — with the same true sliding
windows and the same episode shape:

- every event of a referenced rule is measured over the events of its group in the ``timespan``
  ending at it (a RANGE window): ``count`` (events), ``distinct`` (values of a field),
  ``temporal`` (distinct referenced rules seen), ``ordered`` (the rules seen in their order: the
  last rule's event completes a chain when a chain of the previous rules, started within the
  span, precedes it; events at the same instant count as in order);
- events whose measure meets every condition are hits; hits of a group less than ``timespan``
  apart form one episode, which is one alert: ``first_seen`` the start of the first hit's span,
  ``detected_at`` the first hit, ``last_seen`` the episode's last event, ``count`` the highest
  measure, ``evidence`` the episode's events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from seclake.detection.threshold import EVIDENCE_LIMIT, episodes_sql

Measure = Literal["count", "distinct", "temporal", "ordered"]
OPERATORS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "eq": "=", "neq": "<>"}


@dataclass(frozen=True)
class Correlation:
    """A correlation over referenced searches (label, SQL condition), grouped and windowed."""

    searches: list[tuple[str, str]]
    group_by: list[str]
    within_s: int
    timespan: str
    measure: Measure
    conditions: list[tuple[str, int | float]]
    distinct: str | None = None


def _matched(c: Correlation) -> str:
    """Events of the searches; temporal kinds keep one row per (event, rule) with the rule's step."""
    not_null = "".join(f" AND {column} IS NOT NULL" for column in c.group_by)
    if c.measure in ("count", "distinct"):
        where = " OR ".join(f"({condition})" for _, condition in c.searches)
        return f"SELECT *, 0 AS sigma_step FROM events WHERE ({where}){not_null}"
    return "\n    UNION ALL\n    ".join(
        f"SELECT *, {step} AS sigma_step FROM events WHERE ({condition}){not_null}"
        for step, (_, condition) in enumerate(c.searches, 1)
    )


def _measured(c: Correlation, groups: str, span: str) -> str:
    window = (
        f"WINDOW span AS (PARTITION BY {groups} ORDER BY time RANGE BETWEEN {span} PRECEDING AND CURRENT ROW)"
    )
    if c.measure != "ordered":
        measure = {
            "count": "count(*)",
            "distinct": f"count(DISTINCT {c.distinct})",
            "temporal": "count(DISTINCT sigma_step)",
        }[c.measure]
        return f"""measured AS (
    SELECT {groups}, time, raw_file, raw_line, {measure} OVER span AS measure, min(time) OVER span AS span_start
    FROM matched
    {window}
)"""
    # reach<k>: for an event of step k, the latest start of a chain 1..k within the span ending at it
    chains = ["reach1 AS (SELECT *, CASE WHEN sigma_step = 1 THEN time END AS reach1 FROM matched)"]
    for k in range(2, len(c.searches) + 1):
        chains.append(
            f"""reach{k} AS (
    SELECT *, CASE WHEN sigma_step = {k} AND max(reach{k - 1}) OVER span >= time - {span}
                   THEN max(reach{k - 1}) OVER span END AS reach{k}
    FROM reach{k - 1}
    {window}
)"""
        )
    n = len(c.searches)
    return (
        ",\n".join(chains)
        + f""",
measured AS (
    SELECT {groups}, time, raw_file, raw_line, CASE WHEN reach{n} IS NOT NULL THEN {n} ELSE 0 END AS measure,
           coalesce(reach{n}, time) AS span_start
    FROM reach{n}
)"""
    )


def correlation_sql(c: Correlation, entity: str, evidence_limit: int = EVIDENCE_LIMIT) -> str:
    """The SELECT that turns the view ``events`` into alert rows for this correlation."""
    groups = ", ".join(c.group_by)
    span = f"INTERVAL {c.within_s} SECOND"
    condition = " AND ".join(f"measure {OPERATORS[op]} {value}" for op, value in c.conditions)
    if c.measure == "ordered":
        condition = f"measure > 0 AND {condition}"
    described = " and ".join(f"{OPERATORS[op]} {value}" for op, value in c.conditions)
    unit = {
        "count": "events",
        "distinct": f"distinct {c.distinct}",
        "temporal": "rules",
        "ordered": "rules in order",
    }
    return f"""
WITH matched AS (
    {_matched(c)}
),
{_measured(c, groups, span)},
contributing AS (
    SELECT DISTINCT {groups}, time, raw_file, raw_line FROM matched
),
{episodes_sql(c.group_by, span, condition, "contributing")}
SELECT {entity}::VARCHAR AS entity, first_seen, detected_at, last_seen, count,
       format('{{}} {unit[c.measure]} within {c.timespan} ({described})', count) AS summary,
       evidence[1:{evidence_limit}] AS evidence
FROM spans
"""
