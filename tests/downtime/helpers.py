"""Hand-made events, inventory and DuckDB connections for the downtime SQL tests.

The test organisation ``acme`` (UTC) has a firewall ``fw`` with interfaces outside, servers and
dmz, a VPN service on outside; a file server ``srv1`` (smb) behind servers; a web server ``web``
(https) in the dmz, published at 198.51.100.2; a workstation ``pc1``; and a branch gateway
``branch-gw`` at 203.0.113.9 (a site-to-site VPN peer).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from seclake.config import Config
from seclake.detection.sandbox import MACROS
from seclake.downtime import service_addresses, window_params
from seclake.durations import parse_duration
from seclake.inventory import inventory_tables
from seclake.schema import EVENT_SCHEMA
from seclake.sqlfiles import run_sql
from seclake.tables import INCIDENT_SCHEMA, UTC_TIME
from seclake.views import sql_literal

ORG = "acme"
DAY = dt.date(2026, 3, 11)
"""A Wednesday."""

ASSETS = [
    {
        "name": "fw",
        "ips": ["198.51.100.1", "10.0.2.1", "172.16.0.1"],
        "hostnames": ["fw", "fw.acme.local"],
        "kind": "network",
        "criticality": "critical",
        "interfaces": [
            {"name": "outside", "network": "198.51.100.0/29"},
            {"name": "servers", "network": "10.0.2.0/24"},
            {"name": "dmz", "network": "172.16.0.0/24"},
        ],
        "services": [{"name": "vpn", "port": 443, "interface": "outside"}],
    },
    {"name": "srv1", "ips": ["10.0.2.10"], "hostnames": ["srv1"], "criticality": "high",
     "services": [{"name": "smb", "port": 445}, {"name": "clamd", "port": 3310}]},
    {"name": "web", "ips": ["172.16.0.10", "198.51.100.2"], "hostnames": ["web"], "criticality": "high",
     "services": [{"name": "https", "port": 443}]},
    {"name": "pc1", "ips": ["10.0.1.21"], "hostnames": ["pc1"], "kind": "workstation", "criticality": "low"},
    {"name": "branch-gw", "ips": ["203.0.113.9"], "kind": "network"},
]  # fmt: skip


def make_config(root: Path | None = None, timezone: str = "UTC", **downtime: str) -> Config:
    """The test organisation; lake under ``root`` (when given); ``downtime`` settings override."""
    return Config.model_validate(
        {
            "lake": str(root / "lake") if root else "lake",
            "downtime": downtime,
            "organisations": [{"id": ORG, "name": "Acme", "timezone": timezone, "assets": ASSETS}],
        }
    )


def at(day: dt.date, clock: str) -> dt.datetime:
    """A UTC time on ``day``."""
    return dt.datetime.combine(day, dt.time.fromisoformat(clock), tzinfo=dt.UTC)


ASA_STATES = {
    "411001": "up", "411002": "down", "411003": "up", "411004": "down",
    "713050": "down", "713259": "down", "713119": "up", "713120": "up",
    "104001": "failover", "104002": "failover", "104003": "down", "104004": "up", "105005": "down",
    "113019": "down", "722023": "down", "716002": "down", "722022": "up",
}  # fmt: skip
"""The ASA system messages the tests use, with the action the parser gives them."""


def asa(
    time: dt.datetime, message_id: str, subject: str | None = None, device: str = "fw", **columns
) -> dict:
    """A Cisco ASA system event: interface and failover messages name ``subject`` in rule_name,
    IKE messages give the peer in src_ip."""
    row = {"time": time, "format": "cisco_asa", "event_class": "system", "message_id": message_id,
           "action": ASA_STATES[message_id], "device": device, "message": f"%ASA {message_id}"}  # fmt: skip
    row |= {"src_ip": subject} if message_id.startswith("713") else {"rule_name": subject}
    return row | columns


def clamd(time: dt.datetime, message_id: str, host: str = "srv1") -> dict:
    """A ClamAV clamd STARTED/STOPPED event of ``host``."""
    return {"time": time, "format": "clamav", "event_class": "system", "message_id": message_id,
            "action": "up" if message_id == "STARTED" else "down", "device": host, "host": host,
            "rule_name": "clamd"}  # fmt: skip


def hit(time: dt.datetime, dst_ip: str, dst_port: int, protocol: str = "tcp", action: str = "allow") -> dict:
    """A network_activity event to ``dst_ip:dst_port``."""
    return {"time": time, "format": "cisco_asa", "event_class": "network_activity", "action": action,
            "dst_ip": dst_ip, "dst_port": dst_port, "protocol": protocol, "src_ip": "10.0.1.21"}  # fmt: skip


def every(start: dt.datetime, end: dt.datetime, step: dt.timedelta, make) -> list[dict]:
    """``make(time)`` for each time from ``start`` (included) to ``end`` (excluded), ``step`` apart."""
    rows, time = [], start
    while time < end:
        rows.append(make(time))
        time += step
    return rows


def events_table(rows: list[dict]) -> pa.Table:
    """Full event rows (EVENT_SCHEMA, raw_line = position) plus the ``date`` partition column (UTC day)."""
    full = []
    for number, row in enumerate(rows, 1):
        event = dict.fromkeys(EVENT_SCHEMA.names)
        event |= {"org": ORG, "source": "fw", "vendor": "t", "product": "t", "raw": "", "raw_file": "fw.log",
                  "raw_line": number, "format": "t"}  # fmt: skip
        full.append(event | row)
    table = pa.Table.from_pylist(full, schema=EVENT_SCHEMA)
    dates = [row["time"].date() for row in full]
    return table.append_column("date", pa.array(dates, pa.date32()))


def connect_with(events: list[dict], config: Config | None = None) -> duckdb.DuckDBPyConnection:
    """A connection as the step prepares it: macros (downtime_band too), the org's timezone,
    ``events``, the inventory tables and ``service_addresses``, an empty ``incident_snapshots``."""
    org = (config or make_config()).organisations[0]
    con = duckdb.connect()
    con.execute(MACROS)
    con.execute(f"SET TimeZone = {sql_literal(org.timezone)}")
    create(con, "events", events_table(events))
    inventory_tables(con, org)
    create(con, "service_addresses", service_addresses(org))
    create(con, "incident_snapshots", incidents_table([]))
    run_sql(con, "downtime_band")
    return con


def create(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """A table ``name`` holding ``table``."""
    con.register(f"{name}_rows", table)
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {name}_rows")
    con.unregister(f"{name}_rows")


def params(config: Config, day: dt.date = DAY, data_end: dt.datetime | None = None) -> dict:
    """The parameters the step binds for ``day`` (data_end: the end of the day unless given)."""
    org = config.organisations[0]
    window = window_params(org, day, parse_duration(config.downtime.history))
    return {
        **window,
        "data_end": data_end or window["day_end"],
        "min_silence_s": parse_duration(config.downtime.min_silence).total_seconds(),
        "margin_s": parse_duration(config.downtime.breach_margin).total_seconds(),
    }


def rows(con: duckdb.DuckDBPyConnection, query: str) -> list[dict]:
    """The rows of a query, as dicts (times in UTC)."""
    table = con.sql(query).to_arrow_table()
    return _utc(table).to_pylist()


def run(con: duckdb.DuckDBPyConnection, name: str, values: dict, **extra: object) -> list[dict]:
    """Run ``sql/<name>.sql``; the rows of its final SELECT (empty when it has none)."""
    relation = run_sql(con, name, **values, **extra)
    return [] if relation is None else _utc(relation.to_arrow_table()).to_pylist()


def _utc(table: pa.Table) -> pa.Table:
    columns = [
        column.cast(UTC_TIME) if pa.types.is_timestamp(column.type) else column for column in table.columns
    ]
    return pa.table(columns, names=table.column_names)


EXPLICIT_ROW = pa.schema(
    [("asset", pa.string()), ("service", pa.string()), ("cause", pa.string()), ("device", pa.string()),
     ("subject", pa.string()), ("down_at", UTC_TIME), ("up_at", UTC_TIME), ("detail", pa.string()),
     ("evidence_file", pa.string()), ("evidence_line", pa.int64())]
)  # fmt: skip


def explicit_rows(rows_: list[dict]) -> pa.Table:
    """explicit_rows (or silence_rows) from compact dicts: asset, cause, down_at, up_at, ..."""
    defaults = {"service": None, "cause": "interface_down", "device": "fw", "subject": "servers", "up_at": None,
                "detail": "interface servers line protocol down", "evidence_file": "fw.log", "evidence_line": 1}  # fmt: skip
    return pa.Table.from_pylist([defaults | row for row in rows_], schema=EXPLICIT_ROW)


def incidents_table(rows_: list[dict]) -> pa.Table:
    """incident_snapshots from compact dicts (incident_id, kind, assets, first_activity, ..., date)."""
    full = [dict.fromkeys(INCIDENT_SCHEMA.names) | {"org": ORG, "kind": "malware"} | row for row in rows_]
    table = pa.Table.from_pylist(
        [{k: r[k] for k in INCIDENT_SCHEMA.names} for r in full], schema=INCIDENT_SCHEMA
    )
    return table.append_column("date", pa.array([r.get("date") for r in full], pa.date32()))


def write_lake(root: Path, events: list[dict]) -> None:
    """Events into the lake's ``events`` partitions under ``root/lake`` (source fw, partition = UTC day)."""
    table = events_table(events)
    for day in sorted(set(table.column("date").to_pylist())):
        path = root / "lake" / "events" / f"org={ORG}" / "source=fw" / f"date={day}" / "data.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        day_rows = table.filter(pc.equal(table.column("date"), pa.scalar(day, pa.date32())))
        pq.write_table(day_rows.drop_columns(["date"]), path)


def write_incidents(root: Path, day: dt.date, incidents: list[dict], org: str = ORG) -> None:
    """An incidents snapshot partition of ``day`` (INCIDENT_SCHEMA rows from compact dicts)."""
    path = root / "lake" / "incidents" / f"org={org}" / f"date={day}" / "data.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(incidents_table(incidents).drop_columns(["date"]), path)
