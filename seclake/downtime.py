"""The downtime step: outages per inventory asset and service, for an organisation and day.

``build_downtime(config, org_id, date)`` reads the organisation's events over
``downtime.history`` before its local day and the day itself, and the incident snapshots up to the
day when there are any, and writes ``downtime/org=<org>/date=<date>`` (``seclake.tables.
OUTAGE_SCHEMA``): one row per (outage, asset, service) that touches the day, then its manifest
under ``manifests/downtime``.

The definitions are written once, in the headers of the SQL files the step runs in this order:
``downtime_data_end`` (how far the data goes), ``downtime_explicit`` (the down/up pairs the logs
state: interface, site-to-site VPN tunnel, HA failover, service stop), ``downtime_assets`` (which
assets and services each one takes down), ``downtime_quiet`` (when each service carried no
traffic, less what is explained otherwise), ``downtime_silence`` (thresholds learned from each
service's history; silence outages) and ``downtime_breach`` (day clipping, bands, ids, breach
attribution). The constants below are the fixed parts of those definitions; the configurable ones
are ``downtime.history``, ``downtime.min_silence`` and ``downtime.breach_margin``. In short:

- explicit outages run from the first down event to the last up event of the recovery burst; they
  take down the assets behind a device's interface (``interfaces`` in the inventory), the device's
  services on it, a VPN peer listed in the inventory, or an inventory service that stopped;
- a silence outage is a service quiet (no allowed traffic, nothing else explaining it) for so long
  that even its quietest days seen at those hours had traffic in ``SILENCE_MINUTES`` of those
  minutes, while the rest of the organisation was as busy as usual; judged only after
  ``MIN_HISTORY_DAYS`` of history, so a new lake has no silence outages in its first week;
- an outage is breach-caused when it overlaps (give or take ``breach_margin``) a security incident
  touching any asset it took down.

Nothing after the day is read (neither later event partitions nor later incident snapshots), so
re-running a day gives the same rows whenever it runs. An outage still running at the end of the
day has ``up_at`` null and counts up to the end of the data; the next day's partition carries it
again (same ``outage_id``) with that day's ``day_minutes``, and the partition of the day it ends
holds its whole ``minutes``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from seclake.config import Config, Organisation
from seclake.detection.engine import day_bounds
from seclake.detection.sandbox import MACROS
from seclake.durations import parse_duration
from seclake.inventory import inventory_tables
from seclake.lake import new_run_id
from seclake.schema import EVENT_SCHEMA
from seclake.sqlfiles import run_sql
from seclake.storage import Store, open_lake
from seclake.tables import (
    INCIDENT_SCHEMA,
    NOT_ATTACK_KINDS,
    OUTAGE_SCHEMA,
    manifest_key,
    org_day_key,
    write_partition,
)
from seclake.views import add_empty_views, connect, sql_literal

UP_BURST = dt.timedelta(minutes=1)
"""Up events this close after the first up of a recovery belong to it (411003 then 411001)."""
SILENCE_MINUTES = 20
"""A silence is an outage when even the service's quietest days had traffic in this many of its minutes."""
MIN_HISTORY_DAYS = 7
"""Samples (history days with data) an hour of the day needs before silences at that hour are judged."""

SERVICE_ADDRESS_SCHEMA = pa.schema(
    [
        ("asset", pa.string()),
        ("service", pa.string()),
        ("port", pa.int32()),
        ("protocol", pa.string()),
        ("ip", pa.string()),
    ]
)
UNATTRIBUTED_COLUMNS = ("cause", "device", "subject", "down_at", "up_at", "detail")


@dataclass
class DowntimeResult:
    """The outcome of the downtime step for one organisation and day."""

    org: str
    date: dt.date
    run_id: str
    outages: pa.Table
    data_end: dt.datetime | None = None
    unattributed: list[dict] = field(default_factory=list)
    """Explicit outages of the day that take down no inventory asset (device or interface unknown)."""
    watched_services: int = 0
    """Services with learned silence thresholds (enough history)."""
    incidents_read: bool = False
    """Whether the lake had incident snapshots (else nothing can be breach-caused)."""


def service_addresses(org: Organisation) -> pa.Table:
    """Every inventory service at every address of its asset: (asset, service, port, protocol, ip)."""
    rows = [
        {"asset": a.name, "service": s.name, "port": s.port, "protocol": s.protocol, "ip": ip}
        for a in org.assets
        for s in a.services
        for ip in a.ips
    ]
    return pa.Table.from_pylist(rows, schema=SERVICE_ADDRESS_SCHEMA)


def _create_table(con: duckdb.DuckDBPyConnection, name: str, rows: pa.Table, extra: str = "") -> None:
    """A temp table ``name`` holding ``rows`` (plus the ``extra`` select items)."""
    con.register(f"{name}_rows", rows)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT *{extra} FROM {name}_rows")
    con.unregister(f"{name}_rows")


def _incident_snapshots(con: duckdb.DuckDBPyConnection, lake: Store, org_id: str) -> bool:
    """``incident_snapshots``: the org's incident partitions with their ``date``; False when there are none."""
    files = f"incidents/org={org_id}/date=*/*.parquet"
    if not lake.any(files):
        _create_table(con, "incident_snapshots", INCIDENT_SCHEMA.empty_table(), ", NULL::DATE AS date")
        return False
    con.execute(
        "CREATE OR REPLACE TEMP TABLE incident_snapshots AS "
        "SELECT * FROM read_parquet($files, hive_partitioning = true, union_by_name = true)",
        {"files": lake.location(files)},
    )
    return True


def window_params(org: Organisation, date: dt.date, history: dt.timedelta) -> dict:
    """The parameters that bound what the downtime SQL reads: the org, the partition dates, the
    history start and the org-local day (UTC times)."""
    day_start, day_end = day_bounds(date, org.timezone)
    window_start = day_start - history
    return {
        "org": org.id,
        "first_date": window_start.date() - dt.timedelta(days=1),
        "day": date,
        "window_start": window_start,
        "day_start": day_start,
        "day_end": day_end,
    }


def compute_downtime(
    con: duckdb.DuckDBPyConnection, config: Config, org: Organisation, date: dt.date
) -> DowntimeResult:
    """The outage rows of ``date`` from a connection over the lake (``seclake.views.connect``); see
    the module doc. Nothing is written (``run_id`` is left empty)."""
    settings = config.downtime
    window = window_params(org, date, parse_duration(settings.history))
    min_silence_s = parse_duration(settings.min_silence).total_seconds()
    con.execute(MACROS)
    con.execute(f"SET TimeZone = {sql_literal(org.timezone)}")
    add_empty_views(con, {"events": EVENT_SCHEMA})
    inventory_tables(con, org)
    _create_table(con, "service_addresses", service_addresses(org))
    incidents_read = _incident_snapshots(con, open_lake(config), org.id)
    (data_end,) = run_sql(con, "downtime_data_end", **window, min_silence_s=min_silence_s).fetchall()[0]
    result = DowntimeResult(
        org.id, date, "", OUTAGE_SCHEMA.empty_table(), data_end, incidents_read=incidents_read
    )
    if data_end is None:
        return result
    bounds = {**window, "data_end": data_end}
    run_sql(con, "downtime_explicit", **window, up_burst_s=UP_BURST.total_seconds())
    unattributed = run_sql(con, "downtime_assets", **bounds).to_arrow_table()
    result.unattributed = unattributed.select(UNATTRIBUTED_COLUMNS).to_pylist()
    run_sql(con, "downtime_quiet", **bounds, min_silence_s=min_silence_s)
    run_sql(
        con,
        "downtime_silence",
        **bounds,
        min_silence_s=min_silence_s,
        silence_minutes=SILENCE_MINUTES,
        min_history_days=MIN_HISTORY_DAYS,
    )
    result.watched_services = con.execute(
        "SELECT count(*) FROM (SELECT DISTINCT asset, service FROM silence_profile WHERE threshold_s IS NOT NULL)"
    ).fetchall()[0][0]
    run_sql(con, "downtime_band")
    rows = run_sql(
        con,
        "downtime_breach",
        **bounds,
        margin_s=parse_duration(settings.breach_margin).total_seconds(),
        not_breach_kinds=list(NOT_ATTACK_KINDS),
    ).to_arrow_table()
    result.outages = rows.select(OUTAGE_SCHEMA.names).cast(OUTAGE_SCHEMA)
    return result


def build_downtime(config: Config, org_id: str, date: dt.date) -> DowntimeResult:
    """Compute and write the downtime partition of one organisation and day; see the module doc."""
    org = config.organisation(org_id)
    lake = open_lake(config)
    con = connect(lake)
    try:
        result = compute_downtime(con, config, org, date)
    finally:
        con.close()
    result.run_id = new_run_id()
    final = org_day_key("downtime", org.id, date)
    manifest = manifest_key("downtime", final, "downtime")
    write_partition(lake, final, result.outages, result.run_id, manifest, _record(config, result))
    return result


def _utc_text(value: object) -> object:
    """A time as UTC ISO 8601 text (for JSON); any other value as it is."""
    return value.astimezone(dt.UTC).isoformat() if isinstance(value, dt.datetime) else value


def _record(config: Config, result: DowntimeResult) -> dict:
    """The manifest record of a downtime partition: the definitions' settings and what was found."""
    return {
        "org": result.org,
        "date": result.date.isoformat(),
        "data_end": _utc_text(result.data_end),
        "settings": {
            **config.downtime.model_dump(),
            "up_burst_s": UP_BURST.total_seconds(),
            "silence_minutes": SILENCE_MINUTES,
            "min_history_days": MIN_HISTORY_DAYS,
            "not_breach_kinds": list(NOT_ATTACK_KINDS),
        },
        "rows_by_cause": dict(sorted(Counter(result.outages.column("cause").to_pylist()).items())),
        "breach_caused_rows": sum(result.outages.column("breach_caused").to_pylist()),
        "silence_watched_services": result.watched_services,
        "incidents_read": result.incidents_read,
        "unattributed": [{k: _utc_text(v) for k, v in row.items()} for row in result.unattributed],
    }
