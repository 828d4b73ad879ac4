"""Run a rule's own test cases: events in, the expected alerts out.

A case's events are compact rows of event columns; a row may stand for many with ``repeat: N``,
``every: 10s`` (time step) and ``step: {dst_port: 1}`` (integer columns counted up).
Unspecified columns are null, except the
provenance and identity columns, which get test values (``raw_file`` = the case name,
``raw_line`` = the row number, ``event_class`` = the rule's first class). ``time`` is either an
ISO timestamp or relative to ``CASE_EPOCH`` (``+90s``, ``+5m``, ``-1h``, ``+2d``); rows without
a time take the epoch. The rule runs through the same ``run_rule`` as on the lake, over a day that
covers every event of the case, with the case's ``assets`` as the organisation's inventory and its ``intel`` entries as the
threat-intel list.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pyarrow as pa

from seclake.config import Organisation
from seclake.detection.engine import run_rule
from seclake.detection.rule import Case, Rule
from seclake.detection.sandbox import cache_small_classes, open_sandbox
from seclake.durations import parse_duration
from seclake.schema import EVENT_SCHEMA

CASE_EPOCH = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)


def case_time(value: object) -> dt.datetime:
    """A case's time: relative (``+5m``) to CASE_EPOCH, an ISO string, or a datetime."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    text = str(value).strip()
    if text[:1] in "+-":
        delta = parse_duration(text[1:])
        return CASE_EPOCH + (delta if text[0] == "+" else -delta)
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


REPEAT_KEYS = ("repeat", "every", "step")


def _expand(row: dict) -> list[dict]:
    """A row with ``repeat``/``every``/``step`` as the rows it stands for."""
    base = {k: v for k, v in row.items() if k not in REPEAT_KEYS}
    start = case_time(base.get("time", "+0s"))
    every = parse_duration(row.get("every", 0))
    steps = row.get("step", {})
    return [
        {**base, "time": start + i * every, **{column: base[column] + i * by for column, by in steps.items()}}
        for i in range(int(row.get("repeat", 1)))
    ]


def case_events(rule: Rule, case: Case) -> pa.Table:
    """The case's rows (expanded) as an events table of exactly the event schema."""
    unknown = {key for row in case.events for key in row} - set(EVENT_SCHEMA.names) - set(REPEAT_KEYS)
    if unknown:
        raise ValueError(f"case {case.name!r}: columns not in the event schema: {sorted(unknown)}")
    rows = []
    expanded = [each for row in case.events for each in _expand(row)]
    for number, row in enumerate(expanded, 1):
        full = {name: None for name in EVENT_SCHEMA.names}
        full.update(
            org="test", source="test", vendor="test", product="test", format="test", event_class=rule.reads[0]
        )
        full.update(row)
        full.update(time=case_time(row.get("time", "+0s")), raw_file=case.name, raw_line=number)
        full["raw"] = full["raw"] or json.dumps(row, default=str, sort_keys=True)
        full["extra"] = list(full["extra"].items()) if isinstance(full["extra"], dict) else full["extra"]
        rows.append(full)
    return pa.Table.from_pylist(rows, schema=EVENT_SCHEMA)


@dataclass
class CaseResult:
    """One case's verdict and what was seen."""

    rule_id: str
    case: str
    passed: bool
    detail: str


def run_case(rule: Rule, case: Case) -> CaseResult:
    """Run one case; ``passed`` when the alerts match ``expect``."""
    try:
        events = case_events(rule, case)
        times = events.column("time").to_pylist() or [CASE_EPOCH]
        day_start = min(times) - dt.timedelta(days=1)
        day_end = max(times) + dt.timedelta(seconds=1)
        intel = [{"cidr": entry, "list": "case", "line": n} for n, entry in enumerate(case.intel, 1)]
        con = open_sandbox(
            None, Organisation(id="test", name="test", assets=list(case.assets)), events, intel
        )
        try:
            cache_small_classes(con, day_start - rule.lookback_delta, day_end)
            alerts = run_rule(con, rule, day_start, day_end).to_pylist()
        finally:
            con.close()
    except Exception as exc:  # a broken case or rule is a failed case, reported, not a crash
        return CaseResult(rule.id, case.name, False, f"error: {type(exc).__name__}: {exc}".splitlines()[0])
    expect = case.expect
    problems = []
    if len(alerts) != expect.alerts:
        problems.append(f"{len(alerts)} alert(s), expected {expect.alerts}")
    if alerts and expect.entity is not None and alerts[0]["entity"] != str(expect.entity):
        problems.append(f"entity {alerts[0]['entity']!r}, expected {expect.entity!r}")
    if alerts and expect.first_seen is not None and alerts[0]["first_seen"] != case_time(expect.first_seen):
        problems.append(
            f"first_seen {alerts[0]['first_seen'].isoformat()}, expected {case_time(expect.first_seen).isoformat()}"
        )
    if alerts and expect.count is not None and alerts[0]["count"] != expect.count:
        problems.append(f"count {alerts[0]['count']}, expected {expect.count}")
    seen = "; ".join(f"{a['entity']}: {a['summary']}" for a in alerts[:3]) or "no alert"
    return CaseResult(rule.id, case.name, not problems, "; ".join(problems) or seen)


def run_cases(rule: Rule) -> list[CaseResult]:
    """Every case of a rule."""
    return [run_case(rule, case) for case in rule.tests]
