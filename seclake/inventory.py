"""An organisation's asset inventory (from the config) as DuckDB tables for the analysis SQL.

``inventory_tables(con, org)`` creates, on the connection:

- ``assets`` (asset, kind, criticality, match_type 'ip' | 'hostname', value): every address and
  hostname of every asset (``seclake.detection.sandbox.assets_table``; hostnames lower-case);
- ``services`` (asset, service, port, protocol, interface): every service of every asset;
- ``interfaces`` (device_asset, interface, network): network devices' interfaces;
- ``device_services`` (asset, service, interface): a device's services offered on an interface;
- ``interface_assets`` (device, interface, asset, service): what an interface carries
  (``sql/interface_assets.sql``).
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from seclake.config import Organisation
from seclake.detection.sandbox import assets_table
from seclake.sqlfiles import run_sql


def _table(
    con: duckdb.DuckDBPyConnection, name: str, rows: list[dict], columns: dict[str, pa.DataType]
) -> None:
    con.register(f"{name}_rows", pa.Table.from_pylist(rows, schema=pa.schema(list(columns.items()))))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_rows")
    con.unregister(f"{name}_rows")


def inventory_tables(con: duckdb.DuckDBPyConnection, org: Organisation) -> None:
    """Create the inventory tables of ``org`` on ``con`` (see the module doc)."""
    con.register("assets_rows", assets_table(org))
    con.execute("CREATE OR REPLACE TEMP TABLE assets AS SELECT * FROM assets_rows")
    con.unregister("assets_rows")
    services = [
        {"asset": a.name, "service": s.name, "port": s.port, "protocol": s.protocol, "interface": s.interface}
        for a in org.assets
        for s in a.services
    ]
    text = pa.string()
    _table(
        con,
        "services",
        services,
        {"asset": text, "service": text, "port": pa.int32(), "protocol": text, "interface": text},
    )
    interfaces = [
        {"device_asset": a.name, "interface": i.name, "network": i.network}
        for a in org.assets
        for i in a.interfaces
    ]
    _table(con, "interfaces", interfaces, {"device_asset": text, "interface": text, "network": text})
    con.execute(
        "CREATE OR REPLACE TEMP TABLE device_services AS "
        "SELECT asset, service, interface FROM services WHERE interface IS NOT NULL"
    )
    run_sql(con, "interface_assets")
