"""The DuckDB connection rules run in: it can read one organisation's lake folders and nothing else.

``open_sandbox`` defines, before locking:
- ``org_events``: the organisation's events (hive-partitioned Parquet, partition columns dropped);
- ``assets``: the organisation's inventory, one row per asset address or host name;
- ``intel_bad_ips``: the configured threat-intel lists (IPs and CIDRs) with their source file;
- macros ``ip4_to_int(ip)``, ``in_cidr(ip, cidr)`` (IPv4), ``is_private_ip(ip)`` (IPv4 and IPv6);
- the session time zone set to the organisation's, so ``hour(time)`` is the local hour.
Then file access is limited to the organisation's ``events`` and ``alerts`` folders, and the
configuration is locked so a rule cannot lift it. On an object-store lake the folders are the
``s3://.../events/org=<org>/`` and ``alerts/org=<org>/`` prefixes, read through the lake's fsspec
filesystem registered on the connection: ``enable_external_access = false`` with
``allowed_directories`` applies to registered filesystems as to local files (a rule can read those
two prefixes and nothing else, local or remote). ``events`` itself is a view the engine points
at each rule's window and event classes (its ``reads``) with ``window_events``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa

from seclake.config import Config, Organisation
from seclake.parsers.envelope import PRIVATE_IP
from seclake.schema import EVENT_COLUMN_NAMES, EVENT_SCHEMA
from seclake.storage import open_lake
from seclake.views import sql_literal

MEMORY_LIMIT = "2GB"

MACROS = f"""
CREATE MACRO ip4_octets(ip) AS TRY_CAST(string_split(ip, '.') AS UTINYINT[]);
CREATE MACRO ip4_to_int(ip) AS CASE WHEN len(ip4_octets(ip)) = 4 THEN
    (ip4_octets(ip)[1]::BIGINT << 24) + (ip4_octets(ip)[2]::BIGINT << 16)
    + (ip4_octets(ip)[3]::BIGINT << 8) + ip4_octets(ip)[4]::BIGINT END;
CREATE MACRO in_cidr(ip, cidr) AS coalesce(
    ip4_to_int(ip) >> (32 - coalesce(TRY_CAST(nullif(split_part(cidr, '/', 2), '') AS INTEGER), 32))
    = ip4_to_int(split_part(cidr, '/', 1)) >> (32 - coalesce(TRY_CAST(nullif(split_part(cidr, '/', 2), '') AS INTEGER), 32)),
    false);
CREATE MACRO is_private_ip(ip) AS coalesce(regexp_matches(ip, '{PRIVATE_IP}'), false);
"""
"""``is_private_ip`` is the parsers' private-range rule (``envelope.PRIVATE_IP``), so rules and
``direction`` agree on what is local (private, loopback, link-local, CGNAT, multicast, broadcast)."""


def assets_table(org: Organisation) -> pa.Table:
    """The inventory as rows (asset, kind, criticality, match_type ip|hostname, value); hostnames lower-case."""
    rows = []
    for asset in org.assets:
        for value, kind in [(ip, "ip") for ip in asset.ips] + [
            (h.lower(), "hostname") for h in asset.hostnames
        ]:
            rows.append(
                {
                    "asset": asset.name,
                    "kind": asset.kind,
                    "criticality": asset.criticality,
                    "match_type": kind,
                    "value": value,
                }
            )
    schema = pa.schema([(n, pa.string()) for n in ("asset", "kind", "criticality", "match_type", "value")])
    return pa.Table.from_pylist(rows, schema=schema)


INTEL_SCHEMA = pa.schema([("cidr", pa.string()), ("list", pa.string()), ("line", pa.int64())])


def config_intel(config: Config) -> list[dict]:
    """The entries of the configured threat-intel lists: first column, '#' comments, header skipped."""
    rows = []
    for listed in config.intel.bad_ips:
        path = Path(config.resolve(listed))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            entry = line.split("#", 1)[0].split(",", 1)[0].strip()
            if entry and entry.lower() not in {"ip", "cidr", "indicator"}:
                rows.append({"cidr": entry, "list": path.name, "line": number})
    return rows


def empty_events() -> pa.Table:
    """An empty events table (for rule tests and days without data)."""
    return EVENT_SCHEMA.empty_table()


def open_sandbox(
    config: Config | None,
    org: Organisation | None,
    events: pa.Table | None = None,
    intel: list[dict] | None = None,
) -> duckdb.DuckDBPyConnection:
    """A locked connection with ``org_events`` from the lake (or ``events`` and ``intel``, for rule tests)."""
    con = duckdb.connect(config={"threads": 2, "memory_limit": MEMORY_LIMIT})
    con.execute(MACROS)
    allowed: list[str] = []
    columns = ", ".join(EVENT_COLUMN_NAMES)
    if events is not None:
        con.register("_case_events", events)
        con.execute(f"CREATE TABLE org_events AS SELECT {columns} FROM _case_events")
        con.unregister("_case_events")
    else:
        assert config is not None and org is not None
        lake = open_lake(config)
        lake.attach(con)
        folder = f"events/org={org.id}"
        if lake.any(f"{folder}/**/*.parquet"):
            pattern = sql_literal(lake.location(f"{folder}/**/*.parquet"))
            con.execute(
                f"CREATE VIEW org_events AS SELECT {columns} FROM read_parquet({pattern}, hive_partitioning = false)"
            )
        else:
            con.register("_empty", empty_events())
            con.execute(f"CREATE TABLE org_events AS SELECT {columns} FROM _empty")
            con.unregister("_empty")
        allowed = [lake.location(folder) + "/", lake.location(f"alerts/org={org.id}") + "/"]
    con.register("_assets", assets_table(org) if org else assets_table(Organisation(id="test", name="test")))
    con.execute("CREATE TABLE assets AS SELECT * FROM _assets")
    con.unregister("_assets")
    intel_rows = intel if intel is not None else (config_intel(config) if config else [])
    con.register("_intel", pa.Table.from_pylist(intel_rows, schema=INTEL_SCHEMA))
    con.execute("CREATE TABLE intel_bad_ips AS SELECT * FROM _intel")
    con.unregister("_intel")
    timezone = org.timezone if org else "UTC"
    con.execute(f"SET TimeZone = {sql_literal(timezone)}")
    con.execute(f"SET allowed_directories = [{', '.join(sql_literal(a) for a in allowed)}]")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def in_interval(column: str, start: dt.datetime, end: dt.datetime) -> str:
    """SQL condition: ``column`` in [start, end) (timestamps written by seclake, not by a rule)."""
    return f"{column} >= TIMESTAMPTZ '{start.isoformat()}' AND {column} < TIMESTAMPTZ '{end.isoformat()}'"


BULK_CLASS = "network_activity"
"""The one event class that is most of a day; the others are small enough to keep in memory."""


def cache_small_classes(con: duckdb.DuckDBPyConnection, start: dt.datetime, end: dt.datetime) -> None:
    """Keep the events of every class but ``BULK_CLASS`` in [start, end) in memory, read once for all rules."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE small_events AS SELECT * FROM org_events "
        f"WHERE {in_interval('time', start, end)} AND event_class <> '{BULK_CLASS}'"
    )


def window_events(
    con: duckdb.DuckDBPyConnection, start: dt.datetime, end: dt.datetime, classes: list[str]
) -> None:
    """Point the view ``events`` at the organisation's events of ``classes`` in [start, end).

    Small classes come from ``small_events`` (``cache_small_classes`` must cover the window);
    ``BULK_CLASS`` is read from the lake only for rules that read it.
    """
    window = in_interval("time", start, end)
    small = [c for c in classes if c != BULK_CLASS]
    parts = []
    if small:
        listed = ", ".join(f"'{c}'" for c in small)
        parts.append(f"SELECT * FROM small_events WHERE {window} AND event_class IN ({listed})")
    if BULK_CLASS in classes:
        parts.append(f"SELECT * FROM org_events WHERE {window} AND event_class = '{BULK_CLASS}'")
    con.execute(f"CREATE OR REPLACE TEMP VIEW events AS {' UNION ALL '.join(parts)}")
