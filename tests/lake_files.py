"""Reading an events file the way the lake's readers see it, for tests."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from seclake.schema import EVENT_SCHEMA


def read_events(path: Path) -> pa.Table:
    """The file's rows as ``EVENT_SCHEMA``, after checking what DuckDB (every lake reader) sees: the
    schema's columns in order, ``time`` a UTC timestamp, ``extra`` a string map, strings as text."""
    described = duckdb.sql(
        "DESCRIBE SELECT * FROM read_parquet($path, hive_partitioning = false)", params={"path": str(path)}
    ).fetchall()
    types = {row[0]: row[1] for row in described}
    assert list(types) == EVENT_SCHEMA.names
    assert types["time"] == "TIMESTAMP WITH TIME ZONE" and types["extra"] == "MAP(VARCHAR, VARCHAR)"
    assert (types["raw"], types["raw_line"], types["src_port"]) == ("VARCHAR", "BIGINT", "INTEGER")
    return pq.read_table(path).cast(EVENT_SCHEMA)
