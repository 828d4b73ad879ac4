"""Write one partition file in time order from chunks, streaming, with bounded memory.

Log files are nearly in time order: a device writes lines as events happen, and a syslog relay
delivers a few of them late. ``OrderedWriter`` takes chunks in file order, sorts each, and writes
rows to the Parquet file as soon as no later chunk can still hold an older row — it keeps back the
newest ``slack`` of time (a carry buffer) and writes the rest. Rows without a time go last.

When a chunk holds a row older than one already written (disorder larger than ``slack``, or
several files of one day that overlap in time), order cannot be repaired while streaming: the
writer then keeps every further chunk in a staging folder and, on ``close``, sorts the file
written so far together with them in DuckDB, which spills to disk, so memory stays bounded either
way. ``sorted_in_stream`` tells which way the file was made.

Rows in order are written by a ``FrameSink`` (Polars encodes the row groups on every core); the
sort of the rare disordered day is written by pyarrow from DuckDB's sorted batches.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from seclake.frame_sink import ROW_GROUP_ROWS, FrameSink
from seclake.schema import EVENT_POLARS_SCHEMA, EVENT_WRITE_SCHEMA, events_frame, events_to_arrow
from seclake.views import sql_literal

DEFAULT_SLACK = dt.timedelta(minutes=15)
SORT_MEMORY_LIMIT = "1GB"
ORDER = ["time", "raw_file", "raw_line"]

LOW_CARDINALITY = [
    "org",
    "source",
    "vendor",
    "product",
    "format",
    "event_class",
    "action",
    "vendor_action",
    "severity",
    "vendor_severity",
    "message_id",
    "protocol",
    "direction",
    "src_zone",
    "dst_zone",
    "rule_name",
    "device",
    "host",
    "user",
    "malware_name",
    "raw_file",
]
"""Columns worth dictionary encoding; the rest (raw text, addresses, numbers) are not."""


def parquet_writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    """The lake's Parquet settings: zstd, dictionaries only where values repeat. The Arrow schema
    is not stored: readers take the Parquet types (strings written from views read as strings)."""
    return pq.ParquetWriter(
        path,
        schema,
        compression="zstd",
        use_dictionary=[name for name in schema.names if name in LOW_CARDINALITY],
        store_schema=False,
    )


def _sort_keys(rows: pl.DataFrame) -> list[str] | None:
    """The columns that put ``rows`` in ``ORDER``, or None when they already are (the usual case:
    a device writes in time order), which spares sorting and gathering every column. Rows of one
    file sort by time and line alone: comparing the file names was a third of the sort."""
    in_time, in_lines, one_file = rows.select(
        pl.col("time").diff().dt.total_microseconds().min().fill_null(0) >= 0,
        pl.col("raw_line").diff().min().fill_null(1) > 0,
        pl.col("raw_file").n_unique() == 1,
    ).row(0)
    if not one_file:
        return ORDER
    return None if in_time and in_lines else ["time", "raw_line"]


class OrderedWriter:
    """See the module docstring. ``add`` chunks (Polars event frames), then ``close``."""

    def __init__(self, path: Path, staging: Path, slack: dt.timedelta = DEFAULT_SLACK) -> None:
        self.path = path
        self.staging = staging
        self.slack = slack
        self.rows = 0
        self.sorted_in_stream = True
        self._sink = FrameSink(path, EVENT_POLARS_SCHEMA)
        self._carry: pl.DataFrame | None = None
        self._written_until: dt.datetime | None = None
        self._staged = 0

    def add(self, chunk: pl.DataFrame) -> None:
        """Take one chunk of rows (any order inside the chunk)."""
        if chunk.height == 0:
            return
        self.rows += chunk.height
        if chunk.get_column("time").null_count():
            self._stage(chunk.filter(pl.col("time").is_null()), "untimed")
            chunk = chunk.filter(pl.col("time").is_not_null())
        if not self.sorted_in_stream:
            self._stage(chunk, "late")
            return
        if self._written_until is not None and chunk.height and chunk["time"].min() < self._written_until:
            self._give_up_streaming(chunk)
            return
        buffer = chunk if self._carry is None else pl.concat([self._carry, chunk], how="diagonal_relaxed")
        keys = _sort_keys(buffer)
        if keys is not None:
            buffer = buffer.sort(keys)
        if buffer.height == 0:
            return
        times = buffer.get_column("time")
        ready = times.search_sorted(times[-1] - self.slack, side="left")
        self._carry = buffer.slice(ready)
        self._emit(buffer.slice(0, ready))

    def close(self) -> int:
        """Write what is left and finish the file; return the number of rows written."""
        if self.sorted_in_stream:
            if self._carry is not None:
                self._emit(self._carry)
            for part in sorted(self.staging.glob("untimed-*.parquet")):
                self._sink.write(pl.read_parquet(part))
            self._sink.close()
        else:
            self._sink.close()
            self._sort_everything()
        return self.rows

    def abort(self) -> None:
        """Stop writing (the caller removes the unfinished file)."""
        with contextlib.suppress(Exception):  # the file is being thrown away
            self._sink.close()

    def _emit(self, rows: pl.DataFrame) -> None:
        if rows.height:
            self._written_until = rows["time"][-1]
            self._sink.write(events_frame(rows))

    def _stage(self, rows: pl.DataFrame, kind: str) -> None:
        self._staged += 1
        pq.write_table(
            events_to_arrow(rows, views=True),
            self.staging / f"{kind}-{self._staged:05d}.parquet",
            compression="lz4",
        )

    def _give_up_streaming(self, chunk: pl.DataFrame) -> None:
        self.sorted_in_stream = False
        if self._carry is not None:
            self._stage(self._carry, "late")
            self._carry = None
        self._stage(chunk, "late")

    def _sort_everything(self) -> None:
        written = self.path.with_name(self.path.name + ".prefix")
        self.path.rename(written)
        sources = [
            str(written),
            *map(str, sorted(self.staging.glob("late-*.parquet"))),
            *map(str, sorted(self.staging.glob("untimed-*.parquet"))),
        ]
        with duckdb.connect(config={"threads": 2, "memory_limit": SORT_MEMORY_LIMIT}) as con:
            con.execute("SET enable_progress_bar = false")
            con.execute(f"SET temp_directory = {sql_literal(self.staging / 'spill')}")
            relation = con.sql(
                "SELECT * FROM read_parquet($sources) ORDER BY time NULLS LAST, raw_file, raw_line",
                params={"sources": sources},
            )
            with parquet_writer(self.path, EVENT_WRITE_SCHEMA) as writer:
                for batch in relation.to_arrow_reader(ROW_GROUP_ROWS):
                    writer.write_batch(
                        batch.cast(EVENT_WRITE_SCHEMA) if batch.schema != EVENT_WRITE_SCHEMA else batch,
                        row_group_size=ROW_GROUP_ROWS,
                    )
        written.unlink()
