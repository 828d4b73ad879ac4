"""The detect step: run every enabled rule for an organisation and day, write the alerts partition.

The day is the organisation's local day. Each rule sees the events of the day plus its lookback
(``window_events``) and returns alert rows (see ``seclake.detection.rule``); the engine keeps the
alerts detected during the day, adds evidence where the rule gave none, gives each a
deterministic ``alert_id`` (rule, org, entity, first_seen), and drops an alert when the same rule
already alerted on the same entity within its window before (suppression across days).

A rule that fails — bad SQL, a runtime error, or running past the per-rule time limit — is
reported and the others still run. Alerts are written to
``alerts/org=<org>/date=<day>/data.parquet`` in the lake (``seclake.storage``) atomically, with a manifest at
``manifests/detect/org=<org>/date=<day>/manifest.json`` (rules run, alerts and seconds per rule,
failures).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from seclake.config import Config
from seclake.detection.rule import Rule, RuleError, load_rule, one_select, rule_files
from seclake.detection.sandbox import cache_small_classes, in_interval, open_sandbox, window_events
from seclake.detection.threshold import EVIDENCE_LIMIT, threshold_sql
from seclake.lake import new_run_id
from seclake.storage import Store, open_lake
from seclake.tables import manifest_key, org_day_key

RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
RULE_TIME_LIMIT_S = 60.0

EVIDENCE_TYPE = pa.list_(pa.struct([("raw_file", pa.string()), ("raw_line", pa.int64())]))
ALERT_SCHEMA = pa.schema(
    [
        ("alert_id", pa.string()),
        ("org", pa.string()),
        ("rule_id", pa.string()),
        ("rule_version", pa.int32()),
        ("title", pa.string()),
        ("severity", pa.string()),
        ("mitre_tactics", pa.list_(pa.string())),
        ("mitre_techniques", pa.list_(pa.string())),
        ("entity_type", pa.string()),
        ("entity", pa.string()),
        ("first_seen", pa.timestamp("us", tz="UTC")),
        ("detected_at", pa.timestamp("us", tz="UTC")),
        ("last_seen", pa.timestamp("us", tz="UTC")),
        ("count", pa.int64()),
        ("summary", pa.string()),
        ("evidence", EVIDENCE_TYPE),
    ]
)


@dataclass
class RuleRun:
    """How one rule did."""

    rule_id: str
    path: str
    alerts: int = 0
    seconds: float = 0.0
    error: str | None = None


@dataclass
class DetectResult:
    """The outcome of detect for one organisation and day."""

    org: str
    date: dt.date
    run_id: str
    alerts: pa.Table
    runs: list[RuleRun] = field(default_factory=list)
    rule_errors: list[str] = field(default_factory=list)
    suppressed: int = 0

    @property
    def failed_rules(self) -> list[RuleRun]:
        return [r for r in self.runs if r.error]


def load_rules(root: Path = RULES_DIR) -> tuple[list[tuple[Path, Rule]], list[str]]:
    """Every rule file below ``root``: the rules that load, and the problems of those that do not."""
    rules, problems = [], []
    for path in rule_files(root):
        try:
            rules.append((path, load_rule(path)))
        except RuleError as exc:
            problems.append(str(exc))
    return rules, problems


def rule_sql(rule: Rule) -> str:
    """The SELECT a rule runs over ``events``."""
    return rule.sql if rule.sql is not None else threshold_sql(rule.threshold, rule.entity)


def _evidence_sql(rule: Rule, body: str, has_evidence: bool) -> str:
    if has_evidence:
        return f"SELECT *, coalesce(detected_at, last_seen) AS detected_at_ FROM ({body})"
    classes = ", ".join(f"'{c}'" for c in rule.reads)
    return f"""
SELECT a.*, coalesce(a.detected_at, a.last_seen) AS detected_at_,
       (SELECT list({{'raw_file': e.raw_file, 'raw_line': e.raw_line}} ORDER BY e.time, e.raw_file, e.raw_line)[1:{EVIDENCE_LIMIT}]
          FROM events e
         WHERE e.{rule.entity}::VARCHAR = a.entity AND e.time BETWEEN a.first_seen AND a.last_seen
           AND e.event_class IN ({classes})) AS evidence
FROM ({body}) a
"""


def run_rule(
    con: duckdb.DuckDBPyConnection,
    rule: Rule,
    day_start: dt.datetime,
    day_end: dt.datetime,
    time_limit: float = RULE_TIME_LIMIT_S,
) -> pa.Table:
    """Run one rule over the events of [day_start - lookback, day_end); alerts detected in the day."""
    window_events(con, day_start - rule.lookback_delta, day_end, rule.reads)
    body = one_select(rule_sql(rule))
    columns = {
        row[0] for row in con.execute(f"DESCRIBE SELECT * FROM ({body})", rule.params or None).fetchall()
    }
    missing = {"entity", "first_seen", "last_seen", "count", "summary"} - columns
    if missing:
        raise ValueError(f"rule SQL must return {sorted(missing)}")
    if "detected_at" not in columns:
        body = f"SELECT *, NULL::TIMESTAMPTZ AS detected_at FROM ({body})"
    query = f"""
SELECT entity::VARCHAR AS entity, first_seen::TIMESTAMPTZ AS first_seen, detected_at_::TIMESTAMPTZ AS detected_at,
       last_seen::TIMESTAMPTZ AS last_seen, count::BIGINT AS count, summary::VARCHAR AS summary, evidence
FROM ({_evidence_sql(rule, body, "evidence" in columns)})
WHERE entity IS NOT NULL AND {in_interval("detected_at_", day_start, day_end)}
ORDER BY detected_at, entity
"""
    timer = threading.Timer(time_limit, con.interrupt)
    timer.start()
    try:
        return con.sql(query, params=rule.params or None).to_arrow_table()
    except duckdb.InterruptException as exc:
        raise TimeoutError(f"stopped after the {time_limit:.0f} s limit") from exc
    finally:
        timer.cancel()


def alert_id(rule_id: str, org: str, entity: str, first_seen_utc: str) -> str:
    """Deterministic id: the same rule, org, entity and episode start give the same id.

    ``first_seen_utc`` is the episode start in UTC as Python's ``datetime.isoformat`` writes it
    (``2026-03-02T10:00:00+00:00``; ``.ffffff`` before the offset only when there are microseconds).
    """
    key = f"{rule_id}|{org}|{entity}|{first_seen_utc}"
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def _utc_isoformat(times: pa.ChunkedArray) -> list[str]:
    """A timestamp column as ``datetime.isoformat`` writes its values in UTC (see ``alert_id``)."""
    text = pc.strftime(times.cast(pa.timestamp("us", tz="UTC")), format="%Y-%m-%dT%H:%M:%S")  # %S: SS.ffffff
    return [f"{value}+00:00" for value in pc.replace_substring_regex(text, r"\.000000$", "").to_pylist()]


def _stamp(rows: pa.Table, rule: Rule, org: str) -> pa.Table:
    """A rule's alert rows (``run_rule``) as ``ALERT_SCHEMA`` rows: ids, the rule's header, evidence never null."""
    if rows.num_rows == 0:
        return ALERT_SCHEMA.empty_table()
    entities = rows.column("entity").to_pylist()
    starts = _utc_isoformat(rows.column("first_seen"))
    ids = [alert_id(rule.id, org, entity, start) for entity, start in zip(entities, starts, strict=True)]
    constant = {
        "org": org,
        "rule_id": rule.id,
        "rule_version": rule.version,
        "title": rule.title,
        "severity": rule.severity,
        "mitre_tactics": list(rule.mitre.tactics),
        "mitre_techniques": list(rule.mitre.techniques),
        "entity_type": rule.entity,
    }
    columns = []
    for spec in ALERT_SCHEMA:
        if spec.name == "alert_id":
            columns.append(pa.array(ids, spec.type))
        elif spec.name in constant:
            columns.append(pa.repeat(pa.scalar(constant[spec.name], spec.type), rows.num_rows))
        else:
            columns.append(rows.column(spec.name).cast(spec.type))
    alerts = pa.Table.from_arrays(columns, schema=ALERT_SCHEMA)
    evidence = alerts.column("evidence").fill_null(pa.scalar([], EVIDENCE_TYPE))
    return alerts.set_column(ALERT_SCHEMA.get_field_index("evidence"), "evidence", evidence)


def day_bounds(date: dt.date, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """The organisation's local day as a UTC interval [start, end)."""
    zone = zoneinfo.ZoneInfo(timezone)
    start = dt.datetime.combine(date, dt.time(), zone)
    end = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


PREVIOUS_COLUMNS = ["rule_id", "entity", "last_seen"]


def _previous_alerts(lake: Store, org: str, date: dt.date, days: int) -> pa.Table:
    """The rule, entity and last_seen of the alerts of the ``days`` before ``date``."""
    tables = [ALERT_SCHEMA.empty_table().select(PREVIOUS_COLUMNS)]
    for back in range(1, days + 1):
        key = org_day_key("alerts", org, date - dt.timedelta(days=back))
        if lake.exists(key):
            tables.append(lake.read_parquet(key, columns=PREVIOUS_COLUMNS).cast(tables[0].schema))
    return pa.concat_tables(tables)


def _microseconds(times: pa.ChunkedArray) -> list[int]:
    """Timestamps as integer microseconds since the epoch (cheap to compare in a loop)."""
    return times.cast(pa.timestamp("us", tz="UTC")).cast(pa.int64()).to_pylist()


def _suppress(alerts: pa.Table, previous: pa.Table, windows: dict[str, dt.timedelta]) -> pa.Table:
    """Drop alerts whose rule and entity already alerted within the rule's window before them."""
    window_us = {rule_id: window // dt.timedelta(microseconds=1) for rule_id, window in windows.items()}
    last_seen: dict[tuple[str, str], int] = {}
    earlier = zip(
        previous.column("rule_id").to_pylist(),
        previous.column("entity").to_pylist(),
        _microseconds(previous.column("last_seen")),
        strict=True,
    )
    for rule_id, entity, seen in sorted(earlier, key=lambda row: row[2]):
        last_seen[(rule_id, entity)] = seen
    rule_ids, entities = alerts.column("rule_id").to_pylist(), alerts.column("entity").to_pylist()
    first, detected, last = (
        _microseconds(alerts.column(c)) for c in ("first_seen", "detected_at", "last_seen")
    )
    keep = [False] * alerts.num_rows
    for index in sorted(range(alerts.num_rows), key=detected.__getitem__):
        key = (rule_ids[index], entities[index])
        before = last_seen.get(key)
        if before is not None and first[index] - before <= window_us[rule_ids[index]]:
            last_seen[key] = max(before, last[index])
            continue
        last_seen[key] = last[index]
        keep[index] = True
    return alerts.filter(pa.array(keep, pa.bool_()))


def alerts_path(lake: Path, org: str, date: dt.date) -> Path:
    """The alerts partition file of an organisation and day in a lake on local disk."""
    return lake / org_day_key("alerts", org, date)


def detect(config: Config, org_id: str, date: dt.date, rules_dir: Path = RULES_DIR) -> DetectResult:
    """Run every enabled rule for an organisation and day; write the alerts partition; see the module doc."""
    org = config.organisation(org_id)
    lake = open_lake(config)
    rules, problems = load_rules(rules_dir)
    rules = [(path, rule) for path, rule in rules if rule.enabled]
    day_start, day_end = day_bounds(date, org.timezone)
    result = DetectResult(org.id, date, new_run_id(), ALERT_SCHEMA.empty_table(), rule_errors=problems)
    collected: list[pa.Table] = []
    con = open_sandbox(config, org)
    longest_lookback = max((rule.lookback_delta for _, rule in rules), default=dt.timedelta())
    try:
        cache_small_classes(con, day_start - longest_lookback, day_end)
        for path, rule in rules:
            run = RuleRun(rule.id, str(path))
            started = time.perf_counter()
            try:
                rows = run_rule(con, rule, day_start, day_end)
                stamped = _stamp(rows, rule, org.id)
                run.alerts = stamped.num_rows
                collected.append(stamped)
            except Exception as exc:  # one broken rule must not stop the others
                run.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
            run.seconds = time.perf_counter() - started
            result.runs.append(run)
    finally:
        con.close()
    longest = max((rule.window_delta for _, rule in rules), default=dt.timedelta())
    previous = _previous_alerts(lake, org.id, date, days=max(1, longest.days + 1))
    found = pa.concat_tables([ALERT_SCHEMA.empty_table(), *collected])
    kept = _suppress(found, previous, {rule.id: rule.window_delta for _, rule in rules})
    result.suppressed = found.num_rows - kept.num_rows
    result.alerts = kept.sort_by([("detected_at", "ascending"), ("alert_id", "ascending")])
    _write(lake, result)
    return result


def _write(lake: Store, result: DetectResult) -> None:
    final = org_day_key("alerts", result.org, result.date)
    lake.write_parquet(final, result.alerts, result.run_id)
    lake.write_json(
        manifest_key("detect", final, "alerts"),
        {
            "org": result.org,
            "date": result.date.isoformat(),
            "run_id": result.run_id,
            "alerts": result.alerts.num_rows,
            "suppressed": result.suppressed,
            "rules": [vars(run) for run in result.runs],
            "rule_file_errors": result.rule_errors,
        },
        result.run_id,
    )
