"""The derived lake tables (incidents, downtime, metrics): their Arrow schemas and one atomic writer.

Layout (hive partitions; one Parquet file a partition, replaced whole by an atomic publish, see
``seclake.storage``; ``<lake>`` is a local folder or an object-store URL)::

    <lake>/incidents/org=<org>/date=<YYYY-MM-DD>/data.parquet     incidents as known at the end of that day
    <lake>/downtime/org=<org>/date=<YYYY-MM-DD>/data.parquet      outages that touch that (org-local) day
    <lake>/metrics/org=<org>/period=<day|week|month>/start=<YYYY-MM-DD>/data.parquet   one row
    <lake>/manifests/<step>/org=<org>/.../manifest.json            what each run wrote, written last

``incidents`` partitions are snapshots: the partition of day D holds every incident with an alert
on D, with its whole extent as known at the end of D (alerts are re-read over a lookback, so an
incident that started days earlier keeps its id and first times). The ``incidents`` view over the
lake (``seclake.views``) keeps the latest snapshot of each incident id, so an incident spanning
midnight is one row. Times are UTC; durations are seconds (float64) or minutes where named so.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path, PurePosixPath

import pyarrow as pa

from seclake.config import check_id
from seclake.storage import Store

UTC_TIME = pa.timestamp("us", tz="UTC")
SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")
INCIDENT_STATUSES: tuple[str, ...] = ("open", "contained", "resolved")
INCIDENT_KINDS: tuple[str, ...] = (
    "scan",
    "brute_force",
    "account_compromise",
    "malware",
    "outbreak",
    "exfiltration",
    "command_and_control",
    "intrusion",
    "policy",
    "av_health",
    "availability",
    "other",
)
NOT_ATTACK_KINDS: tuple[str, ...] = ("availability", "av_health", "policy")
"""Incident kinds that are not attacks (outages, AV upkeep, audit findings): they have no response
times in the metrics and cause no breach downtime."""
OUTAGE_CAUSES: tuple[str, ...] = (
    "interface_down",
    "vpn_tunnel_down",
    "failover",
    "service_stop",
    "host_isolated",
    "silence",
)
DOWNTIME_BANDS: tuple[str, ...] = ("under 1 h", "1-4 h", "5-8 h", "9-16 h", "17-24 h", "over 24 h")
PERIODS: tuple[str, ...] = ("day", "week", "month")

TIMELINE_ENTRY = pa.struct(
    [
        ("time", UTC_TIME),
        ("kind", pa.string()),  # 'alert' | 'event'
        ("severity", pa.string()),  # alert severity; null for events
        ("title", pa.string()),  # rule title, or event_class/action for events
        ("detail", pa.string()),  # alert summary or the event's message
        ("rule_id", pa.string()),
        ("alert_id", pa.string()),
        ("source", pa.string()),
        ("raw_file", pa.string()),  # evidence link: the raw file and line
        ("raw_line", pa.int64()),
        ("raw", pa.string()),
    ]
)

INCIDENT_SCHEMA = pa.schema(
    [
        ("incident_id", pa.string()),  # deterministic: hash of org + first alert id
        ("org", pa.string()),
        ("title", pa.string()),  # from the worst alert (severity, then earliest)
        ("severity", pa.string()),  # max over its alerts; SEVERITIES
        ("kind", pa.string()),  # INCIDENT_KINDS
        ("status", pa.string()),  # INCIDENT_STATUSES, as of the snapshot day's end
        ("entities", pa.list_(pa.string())),  # 'src_ip:203.0.113.7', 'host:pc-07', 'user:alice'
        ("assets", pa.list_(pa.string())),  # inventory asset names touched
        ("asset_criticality", pa.string()),  # highest criticality among them; null when none
        ("first_activity", UTC_TIME),  # earliest evidence event of its alerts
        ("detected_at", UTC_TIME),  # earliest alert condition met
        ("contained_at", UTC_TIME),  # null while open
        ("containment", pa.string()),  # how: 'blocked', 'quarantined', 'isolated', 'last activity'
        ("resolved_at", UTC_TIME),  # null until the quiet period passed (and AV clean)
        ("last_activity", UTC_TIME),  # latest hostile evidence event
        ("reported_at", UTC_TIME),  # when seclake first wrote the incident
        ("time_to_detect_s", pa.float64()),  # detected_at - first_activity (= dwell time)
        ("time_to_contain_s", pa.float64()),  # contained_at - detected_at
        ("time_to_resolve_s", pa.float64()),  # resolved_at - detected_at
        ("pipeline_latency_s", pa.float64()),  # reported_at - detected_at
        ("alert_count", pa.int64()),
        ("alert_ids", pa.list_(pa.string())),
        ("rule_ids", pa.list_(pa.string())),
        ("mitre_techniques", pa.list_(pa.string())),
        ("malware", pa.list_(pa.string())),  # malware names seen in its evidence
        ("timeline", pa.list_(TIMELINE_ENTRY)),  # alerts and key events, time order
    ]
)

OUTAGE_SCHEMA = pa.schema(
    [
        ("outage_id", pa.string()),  # deterministic: hash of org, asset, service, cause, down_at
        ("org", pa.string()),
        ("asset", pa.string()),  # inventory asset name
        ("service", pa.string()),  # service name; null = the whole asset
        ("criticality", pa.string()),  # the asset's
        ("cause", pa.string()),  # OUTAGE_CAUSES
        ("device", pa.string()),  # the device whose log showed it (null for silence)
        ("detail", pa.string()),  # e.g. 'interface servers administratively down'
        ("down_at", UTC_TIME),
        ("up_at", UTC_TIME),  # null: still down at the end of the data
        ("minutes", pa.float64()),  # whole outage, to up_at or to the end of the day when still down
        ("day_minutes", pa.float64()),  # the part inside this partition's org-local day
        ("breach_caused", pa.bool_()),
        ("breach_minutes", pa.float64()),  # part of day_minutes overlapping the incident (+ margin)
        ("incident_id", pa.string()),  # the incident that caused it, when breach_caused
        ("band", pa.string()),  # DOWNTIME_BANDS, of ``minutes``
        ("evidence_file", pa.string()),
        ("evidence_line", pa.int64()),
    ]
)

NAME_COUNT = pa.list_(pa.struct([("name", pa.string()), ("count", pa.int64())]))
"""A ranked list: top attackers, top services, events by class, ..."""

METRICS_SCHEMA = pa.schema(
    [
        ("org", pa.string()),
        ("period", pa.string()),  # PERIODS
        ("start", pa.date32()),  # first org-local day of the period
        ("end", pa.date32()),  # last org-local day (inclusive)
        ("days_with_data", pa.int32()),
        ("events", pa.int64()),
        ("events_by_class", NAME_COUNT),
        ("events_by_source", NAME_COUNT),
        ("quarantined", pa.int64()),
        ("alerts", pa.int64()),
        ("alerts_by_severity", NAME_COUNT),
        ("incidents", pa.int64()),  # incidents with activity in the period
        ("incidents_by_severity", NAME_COUNT),
        ("incidents_by_kind", NAME_COUNT),
        ("incidents_open", pa.int64()),
        ("mttd_s", pa.float64()),
        ("mttd_median_s", pa.float64()),
        ("mttc_s", pa.float64()),
        ("mttc_median_s", pa.float64()),
        ("mttr_s", pa.float64()),
        ("mttr_median_s", pa.float64()),
        ("dwell_median_days", pa.float64()),
        ("pipeline_latency_median_s", pa.float64()),
        ("downtime_minutes", pa.float64()),  # union per asset, summed over assets
        ("downtime_breach_minutes", pa.float64()),
        ("availability_pct", pa.float64()),  # 100 * (1 - downtime / (assets x period minutes))
        ("longest_outage_minutes", pa.float64()),
        ("longest_outage_asset", pa.string()),
        ("longest_outage_band", pa.string()),
        ("worst_breach_downtime_minutes", pa.float64()),  # the incident with most breach downtime
        ("worst_breach_band", pa.string()),
        ("hosts_infected", pa.list_(pa.string())),
        ("hosts_reinfected", pa.list_(pa.string())),  # infected again after a clean/quarantine
        ("unprotected_assets", pa.list_(pa.string())),  # workstations/servers with no AV events
        ("av_stale_hosts", pa.list_(pa.string())),  # failed or missing signature updates
        ("av_protection_off_hosts", pa.list_(pa.string())),
        ("top_attackers", NAME_COUNT),
        ("top_targeted_services", NAME_COUNT),
        ("top_malware", NAME_COUNT),
    ]
)


def org_day_key(table: str, org: str, date: dt.date) -> str:
    """The key of one org-day partition file of a derived table (alerts, incidents, downtime)."""
    check_id(org, "organisation id")
    return f"{table}/org={org}/date={date.isoformat()}/data.parquet"


def metrics_key(org: str, period: str, start: dt.date) -> str:
    """The key of one org-period row file of the metrics table."""
    check_id(org, "organisation id")
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r} (use one of {', '.join(PERIODS)})")
    return f"metrics/org={org}/period={period}/start={start.isoformat()}/data.parquet"


def manifest_key(step: str, data_key: str, table: str) -> str:
    """The manifest key of a derived partition: its partition keys below ``manifests/<step>``."""
    return f"manifests/{step}/{PurePosixPath(data_key).parent.relative_to(table)}/manifest.json"


def org_day_path(lake: Path, table: str, org: str, date: dt.date) -> Path:
    """``org_day_key`` in a lake on local disk."""
    return lake / org_day_key(table, org, date)


def metrics_path(lake: Path, org: str, period: str, start: dt.date) -> Path:
    """``metrics_key`` in a lake on local disk."""
    return lake / metrics_key(org, period, start)


def manifest_for(lake: Path, step: str, data_file: Path, table: str) -> Path:
    """``manifest_key`` in a lake on local disk, for the partition file ``data_file``."""
    return lake / manifest_key(step, data_file.relative_to(lake).as_posix(), table)


def write_partition(lake: Store, key: str, table: pa.Table, run_id: str, manifest: str, record: dict) -> None:
    """Write ``table`` at ``key`` atomically (zstd), then its manifest ``record`` at key ``manifest``."""
    lake.write_parquet(key, table, run_id)
    lake.write_json(manifest, {"run_id": run_id, "rows": table.num_rows, **record}, run_id)
