"""DuckDB over the lake: one view per lake table, for ad-hoc SQL and for the steps that read it.

``connect(lake)`` opens an in-memory DuckDB with a view per table that has data
(``events``, ``quarantine``, and the tables later steps add) over the hive-partitioned Parquet
files, plus ``manifests`` over the ingest manifests. ``incidents`` partitions are daily snapshots:
its view keeps the latest snapshot of each incident. Partition columns (org, source, date) come
from the paths. The lake is a local folder or an object-store URL (``seclake.storage``): over an
object store the connection reads through the lake's fsspec filesystem, registered on it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from seclake.storage import Location, Store, as_store

PARQUET_TABLES: tuple[str, ...] = ("events", "quarantine", "alerts", "incidents", "downtime", "metrics")
LATEST = {"incidents": " QUALIFY row_number() OVER (PARTITION BY org, incident_id ORDER BY date DESC) = 1"}
"""Tables whose partitions are snapshots: the view keeps each row's latest (incidents: per id)."""


def sql_literal(text: str | Path) -> str:
    """A SQL string literal for DuckDB statements that cannot take parameters (views, COPY TO)."""
    return "'" + str(text).replace("'", "''") + "'"


def table_glob(lake: Store, table: str) -> str:
    """The glob of every Parquet file of a table, as DuckDB reads it."""
    return lake.location(f"{table}/**/*.parquet")


def connect(lake: Location, *, threads: int = 2) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a view per existing lake table."""
    store = as_store(lake)
    con = store.attach(duckdb.connect(config={"threads": threads}))
    for table in PARQUET_TABLES:
        if store.any(f"{table}/**/*.parquet"):
            con.execute(
                f"CREATE VIEW {table} AS SELECT * FROM read_parquet({sql_literal(table_glob(store, table))}, "
                f"hive_partitioning = true, union_by_name = true){LATEST.get(table, '')}"
            )
    manifests = "manifests/ingest/**/manifest.json"
    if store.any(manifests):
        pattern = sql_literal(store.location(manifests))
        con.execute(f"CREATE VIEW manifests AS SELECT * FROM read_json_auto({pattern}, union_by_name = true)")
    return con


def views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the views defined on a connection."""
    return [
        row[0]
        for row in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1"
        ).fetchall()
    ]


def add_empty_views(con: duckdb.DuckDBPyConnection, schemas: dict[str, pa.Schema]) -> None:
    """An empty view, with its ``date`` partition column, for each table no step has written yet,
    so the steps' SQL reads a missing table as no rows."""
    present = set(views(con))
    for table, schema in schemas.items():
        if table not in present:
            con.register(f"{table}_empty", schema.empty_table())
            con.execute(f"CREATE TEMP VIEW {table} AS SELECT *, NULL::DATE AS date FROM {table}_empty")
