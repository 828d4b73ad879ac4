"""The incidents step: group an organisation's alerts into incidents and time the response.

``build_incidents(config, org_id, date)`` re-reads the alerts of ``date`` and the
``config.incidents.lookback`` before it, links them into incidents (``sql/incidents_*.sql``),
derives each incident's times from the logs and writes the snapshot partition
``incidents/org=<org>/date=<date>`` (see ``seclake.tables``): every incident with an alert on
that day, with its whole extent. Ids come from the first alert, so an incident crossing midnight
keeps its id and the ``incidents`` view shows it once; re-running a day rewrites the same rows
(``reported_at``, the first time seclake wrote an incident, is carried over from earlier snapshots).

The definitions (first activity, detected, contained, resolved, the response times) are written
once, in the SQL files' headers, and in the README glossary. An incident's kind comes from the
tags of its rules, ranked by ``KIND_BY_TAG`` (the first matching tag wins; the highest-ranked kind
among an incident's alerts is the incident's).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from seclake.config import Config, Organisation
from seclake.detection.engine import ALERT_SCHEMA, RULES_DIR, day_bounds, load_rules
from seclake.detection.sandbox import MACROS
from seclake.durations import parse_duration
from seclake.inventory import inventory_tables
from seclake.lake import new_run_id
from seclake.schema import EVENT_SCHEMA
from seclake.sqlfiles import run_sql
from seclake.storage import open_lake
from seclake.tables import INCIDENT_SCHEMA, manifest_key, org_day_key, write_partition
from seclake.views import add_empty_views, connect
from seclake.views import views as view_names

KIND_BY_TAG: tuple[tuple[str, str], ...] = (
    ("outbreak", "outbreak"),
    ("ransomware", "malware"),
    ("malware", "malware"),
    ("exfiltration", "exfiltration"),
    ("initial-access", "account_compromise"),
    ("command-and-control", "command_and_control"),
    ("lateral-movement", "intrusion"),
    ("exploit", "intrusion"),
    ("brute-force", "brute_force"),
    ("scan", "scan"),
    ("health", "av_health"),
    ("availability", "availability"),
    ("exposure", "policy"),
    ("config", "policy"),
    ("admin", "policy"),
)
"""Rule tag → incident kind, most telling first."""
KIND_RANK: tuple[str, ...] = (
    "other",
    "policy",
    "availability",
    "av_health",
    "scan",
    "brute_force",
    "intrusion",
    "command_and_control",
    "account_compromise",
    "exfiltration",
    "malware",
    "outbreak",
)
"""Incident kinds from least to most telling: an incident takes the highest kind of its alerts."""
AVAILABILITY_TAG = "availability"
TIMELINE_EVENTS = 40
"""Evidence events shown per incident timeline (alerts are always all shown)."""


@dataclass
class IncidentsResult:
    """The outcome of the incidents step for one organisation and day."""

    org: str
    date: dt.date
    run_id: str
    incidents: pa.Table


def rule_kind(tags: list[str]) -> str:
    """The incident kind a rule's tags give (``'other'`` when none is telling)."""
    for tag, kind in KIND_BY_TAG:
        if tag in tags:
            return kind
    return "other"


def _alert_kinds(rules_dir: Path) -> pa.Table:
    rules, _ = load_rules(rules_dir)
    rows = [
        {
            "rule_id": rule.id,
            "kind": rule_kind(rule.tags),
            "kind_rank": KIND_RANK.index(rule_kind(rule.tags)),
            "domain": AVAILABILITY_TAG if AVAILABILITY_TAG in rule.tags else "security",
        }
        for _, rule in rules
    ]
    schema = pa.schema(
        [("rule_id", pa.string()), ("kind", pa.string()), ("kind_rank", pa.int32()), ("domain", pa.string())]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def _window(
    con: duckdb.DuckDBPyConnection, org_id: str, start: dt.datetime, end: dt.datetime, day: dt.date
) -> None:
    """alerts_in (the window's alerts) and window_events (the events the incident SQL looks at)."""
    params = {
        "org": org_id,
        "first": start.date() - dt.timedelta(days=1),
        "day": day,
        "start": start,
        "end": end,
    }
    add_empty_views(con, {"alerts": ALERT_SCHEMA, "events": EVENT_SCHEMA})
    con.execute(
        "CREATE TEMP TABLE alerts_in AS SELECT * FROM alerts WHERE org = $org AND date BETWEEN $first AND $day",
        {k: params[k] for k in ("org", "first", "day")},
    )
    con.execute(
        """
        CREATE TEMP TABLE watched_ips AS
        SELECT DISTINCT entity AS ip FROM alerts_in WHERE entity_type = 'src_ip'
        UNION
        SELECT DISTINCT extra['assigned_ip'] FROM events
        WHERE org = $org AND date BETWEEN $first AND $day AND time >= $start AND time < $end
          AND event_class = 'system' AND extra['assigned_ip'] IS NOT NULL
          AND src_ip IN (SELECT entity FROM alerts_in WHERE entity_type = 'src_ip')
        """,
        params,
    )
    con.execute(
        """
        CREATE TEMP TABLE evidence_links AS
        SELECT DISTINCT e.raw_file, e.raw_line FROM alerts_in a, unnest(a.evidence) AS t(e)
        """
    )
    con.execute(
        """
        CREATE TEMP TABLE window_events AS
        SELECT * FROM events
        WHERE org = $org AND date BETWEEN $first AND $day AND time >= $start AND time < $end
          AND (event_class <> 'network_activity'
               OR src_ip IN (SELECT ip FROM watched_ips)
               OR (raw_file, raw_line) IN (SELECT (raw_file, raw_line) FROM evidence_links))
        """,
        params,
    )


def _reported(con: duckdb.DuckDBPyConnection, org_id: str, now: dt.datetime, views: set[str]) -> None:
    """incident_reported: when seclake first wrote each incident (an earlier snapshot's, else now)."""
    if "incidents" in views:
        earlier = "SELECT incident_id, reported_at FROM incidents WHERE org = $org"
        params = {"now": now, "org": org_id}
    else:
        earlier = "SELECT NULL::VARCHAR AS incident_id, NULL::TIMESTAMPTZ AS reported_at WHERE false"
        params = {"now": now}
    con.execute(
        f"""
        CREATE TEMP TABLE incident_reported AS
        SELECT f.incident_id, coalesce(e.reported_at, $now::TIMESTAMPTZ) AS reported_at
        FROM incident_facts f LEFT JOIN ({earlier}) e USING (incident_id)
        """,
        params,
    )


def compute_incidents(
    con: duckdb.DuckDBPyConnection, config: Config, org: Organisation, date: dt.date, now: dt.datetime
) -> pa.Table:
    """The incident rows of ``date`` from a connection with lake views (``seclake.views.connect``)."""
    settings = config.incidents
    day_start, day_end = day_bounds(date, org.timezone)
    window_start = day_start - parse_duration(settings.lookback)
    con.execute(MACROS)
    con.execute("SET TimeZone = 'UTC'")
    con.register("alert_kinds_rows", _alert_kinds(RULES_DIR))
    con.execute("CREATE TEMP TABLE alert_kinds AS SELECT * FROM alert_kinds_rows")
    inventory_tables(con, org)
    _window(con, org.id, window_start, day_end, date)
    con.execute(
        "INSERT INTO alert_kinds SELECT DISTINCT rule_id, 'other', 0, 'security' FROM alerts_in "
        "WHERE rule_id NOT IN (SELECT rule_id FROM alert_kinds)"
    )
    run_sql(con, "incidents_evidence")
    run_sql(con, "incidents_alert_keys")
    gap_s = parse_duration(settings.gap).total_seconds()
    run_sql(con, "incidents_group", gap_s=gap_s)
    while True:
        run_sql(con, "incidents_propagate")
        changed = con.execute(
            "SELECT count(*) FROM alert_labels_next n JOIN alert_labels l USING (alert_id) WHERE n.label <> l.label"
        ).fetchone()[0]
        con.execute("CREATE OR REPLACE TEMP TABLE alert_labels AS SELECT * FROM alert_labels_next")
        if not changed:
            break
    run_sql(con, "incidents_facts", org=org.id, day=date)
    quiet_s = parse_duration(settings.quiet_period).total_seconds()
    run_sql(con, "incidents_response", data_end=day_end, quiet_s=quiet_s, gap_s=gap_s)
    _reported(con, org.id, now, set(view_names(con)))
    rows = run_sql(
        con, "incidents_timeline", max_events=TIMELINE_EVENTS, day_start=day_start, quiet_s=quiet_s
    ).to_arrow_table()
    return rows.select(INCIDENT_SCHEMA.names).cast(INCIDENT_SCHEMA)


def build_incidents(config: Config, org_id: str, date: dt.date) -> IncidentsResult:
    """Compute and write the incidents snapshot of one organisation and day; see the module doc."""
    org = config.organisation(org_id)
    lake = open_lake(config)
    result = IncidentsResult(org.id, date, new_run_id(), INCIDENT_SCHEMA.empty_table())
    con = connect(lake)
    try:
        result.incidents = compute_incidents(con, config, org, date, dt.datetime.now(dt.UTC))
    finally:
        con.close()
    final = org_day_key("incidents", org.id, date)
    write_partition(
        lake,
        final,
        result.incidents,
        result.run_id,
        manifest_key("incidents", final, "incidents"),
        {"org": org.id, "date": date.isoformat(), "lookback": config.incidents.lookback},
    )
    return result
