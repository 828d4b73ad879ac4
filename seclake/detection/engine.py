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

from seclake.config import Config
from seclake.detection.rule import Rule, RuleError, load_rule, rule_files
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
    body = rule_sql(rule)
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


def alert_id(rule_id: str, org: str, entity: str, first_seen: dt.datetime) -> str:
    """Deterministic id: the same rule, org, entity and episode start give the same id."""
    key = f"{rule_id}|{org}|{entity}|{first_seen.astimezone(dt.UTC).isoformat()}"
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def _stamp(rows: pa.Table, rule: Rule, org: str) -> list[dict]:
    stamped = []
    for row in rows.to_pylist():  # one dict per alert: alerts are few, events never pass here
        stamped.append(
            {
                "alert_id": alert_id(rule.id, org, row["entity"], row["first_seen"]),
                "org": org,
                "rule_id": rule.id,
                "rule_version": rule.version,
                "title": rule.title,
                "severity": rule.severity,
                "mitre_tactics": list(rule.mitre.tactics),
                "mitre_techniques": list(rule.mitre.techniques),
                "entity_type": rule.entity,
                **row,
                "evidence": row["evidence"] or [],
            }
        )
    return stamped


def day_bounds(date: dt.date, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """The organisation's local day as a UTC interval [start, end)."""
    zone = zoneinfo.ZoneInfo(timezone)
    start = dt.datetime.combine(date, dt.time(), zone)
    end = dt.datetime.combine(date + dt.timedelta(days=1), dt.time(), zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _previous_alerts(lake: Store, org: str, date: dt.date, days: int) -> list[dict]:
    rows = []
    for back in range(1, days + 1):
        key = org_day_key("alerts", org, date - dt.timedelta(days=back))
        if lake.exists(key):
            rows += lake.read_parquet(key, columns=["rule_id", "entity", "last_seen"]).to_pylist()
    return rows


def _suppress(
    alerts: list[dict], previous: list[dict], windows: dict[str, dt.timedelta]
) -> tuple[list[dict], int]:
    """Drop alerts whose rule and entity already alerted within the rule's window before them."""
    last_seen: dict[tuple[str, str], dt.datetime] = {}
    for row in sorted(previous, key=lambda r: r["last_seen"]):
        last_seen[(row["rule_id"], row["entity"])] = row["last_seen"]
    kept = []
    for alert in sorted(alerts, key=lambda a: a["detected_at"]):
        key = (alert["rule_id"], alert["entity"])
        before = last_seen.get(key)
        if before is not None and alert["first_seen"] - before <= windows[alert["rule_id"]]:
            last_seen[key] = max(before, alert["last_seen"])
            continue
        last_seen[key] = alert["last_seen"]
        kept.append(alert)
    return kept, len(alerts) - len(kept)


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
    collected: list[dict] = []
    con = open_sandbox(config, org)
    longest_lookback = max((rule.lookback_delta for _, rule in rules), default=dt.timedelta())
    cache_small_classes(con, day_start - longest_lookback, day_end)
    try:
        for path, rule in rules:
            run = RuleRun(rule.id, str(path))
            started = time.perf_counter()
            try:
                rows = run_rule(con, rule, day_start, day_end)
                stamped = _stamp(rows, rule, org.id)
                run.alerts = len(stamped)
                collected += stamped
            except Exception as exc:  # one broken rule must not stop the others
                run.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
            run.seconds = time.perf_counter() - started
            result.runs.append(run)
    finally:
        con.close()
    longest = max((rule.window_delta for _, rule in rules), default=dt.timedelta())
    previous = _previous_alerts(lake, org.id, date, days=max(1, longest.days + 1))
    kept, result.suppressed = _suppress(
        collected, previous, {rule.id: rule.window_delta for _, rule in rules}
    )
    result.alerts = pa.Table.from_pylist(
        sorted(kept, key=lambda a: (a["detected_at"], a["alert_id"])), schema=ALERT_SCHEMA
    )
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
