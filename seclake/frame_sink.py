"""One Parquet file written by Polars' streaming engine from frames handed over one at a time.

pyarrow's ``ParquetWriter`` encodes and compresses each row group on a single core, which made
the lake writer the slowest serial stage of ingest. ``FrameSink`` runs ``sink_parquet`` in a
background thread over a Python source that yields the frames given to ``write``: Polars cuts
them into row groups and encodes columns on every core while the caller prepares the next frame.
At most ``QUEUE_FRAMES`` frames wait, so memory stays bounded.

The file has the lake's settings: zstd level 1, row groups of ``ROW_GROUP_ROWS``, statistics for
every column (DuckDB skips row groups by them), the Parquet types of the Polars schema (a
``pl.Map`` column is a Parquet MAP).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from pathlib import Path

import polars as pl
from polars.io.plugins import register_io_source

from seclake.reader import put_while

ROW_GROUP_ROWS = 122_880
COMPRESSION_LEVEL = 1
QUEUE_FRAMES = 2
_END = object()


class SinkFailed(RuntimeError):
    """The background Parquet writer stopped with an error (the cause is chained)."""


class FrameSink:
    """``write`` frames of ``polars_schema`` in order, then ``close``; see the module docstring."""

    def __init__(self, path: Path, polars_schema: dict[str, pl.DataType]) -> None:
        self.path = path
        self.rows = 0
        self._schema = polars_schema
        self._frames: queue.Queue = queue.Queue(maxsize=QUEUE_FRAMES)
        self._failure: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="seclake-sink", daemon=True)
        self._thread.start()

    def write(self, frame: pl.DataFrame) -> None:
        """Queue ``frame`` (its columns in schema order) behind the frames already written."""
        if frame.height:
            self._hand(frame.select(list(self._schema)))
            self.rows += frame.height

    def close(self) -> None:
        """Finish the file; raise ``SinkFailed`` when the writer failed."""
        if not self._closed:
            self._closed = True
            self._hand(_END)
            self._thread.join()
        if self._failure is not None:
            raise SinkFailed(f"{self.path}: {self._failure}") from self._failure

    def _hand(self, item: object) -> None:
        if not put_while(self._frames, item, self._thread.is_alive) and self._failure is not None:
            raise SinkFailed(f"{self.path}: {self._failure}") from self._failure

    def _source(self, with_columns: list[str] | None, *_: object) -> Iterator[pl.DataFrame]:
        while (frame := self._frames.get()) is not _END:
            yield frame if with_columns is None else frame.select(with_columns)

    def _run(self) -> None:
        try:
            register_io_source(self._source, schema=self._schema).sink_parquet(
                self.path,
                compression="zstd",
                compression_level=COMPRESSION_LEVEL,
                row_group_size=ROW_GROUP_ROWS,
            )
        except BaseException as exc:  # raised in the caller's thread by write/close
            self._failure = exc
