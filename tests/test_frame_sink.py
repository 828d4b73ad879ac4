"""The Polars streaming Parquet sink that writes the events file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from seclake.frame_sink import ROW_GROUP_ROWS, FrameSink, SinkFailed

SCHEMA = {"n": pl.Int64, "text": pl.String, "extra": pl.Map(pl.String, pl.String)}


def _frame(start: int, rows: int) -> pl.DataFrame:
    numbers = range(start, start + rows)
    extra = pl.Series("extra", [[{"key": "k", "value": str(i)}] if i % 2 else None for i in numbers])
    return pl.DataFrame({"text": [f"line {i}" for i in numbers], "n": list(numbers)}).with_columns(
        extra.cast(SCHEMA["extra"])
    )


def _query(sql: str, path: Path) -> list[tuple]:
    with duckdb.connect() as con:
        return con.execute(sql, {"p": str(path)}).fetchall()


def test_frames_are_written_in_order_in_row_groups_with_a_map_column(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    sink = FrameSink(path, SCHEMA)
    for start in range(0, 300_000, 100_000):
        sink.write(_frame(start, 100_000))  # columns in another order than the schema's
    sink.write(_frame(300_000, 0))
    sink.close()
    assert sink.rows == 300_000
    written = pl.read_parquet(path)
    assert written.columns == list(SCHEMA) and written["n"].to_list() == list(range(300_000))
    row_groups = _query("SELECT count(DISTINCT row_group_id) FROM parquet_metadata($p)", path)
    assert row_groups == [(-(-300_000 // ROW_GROUP_ROWS),)]
    types = dict((name, kind) for name, kind, *_ in _query("DESCRIBE SELECT * FROM read_parquet($p)", path))
    assert types == {"n": "BIGINT", "text": "VARCHAR", "extra": "MAP(VARCHAR, VARCHAR)"}
    assert _query("SELECT extra['k'] FROM read_parquet($p) WHERE n IN (6, 7) ORDER BY n", path) == [
        (None,),
        ("7",),
    ]


def test_no_frames_make_an_empty_file_with_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    sink = FrameSink(path, SCHEMA)
    sink.close()
    assert pl.read_parquet(path).schema == pl.Schema(SCHEMA)
    assert pl.read_parquet(path).height == 0


def test_a_writer_failure_is_raised_to_the_caller(tmp_path: Path) -> None:
    sink = FrameSink(tmp_path / "no-such-folder" / "out.parquet", SCHEMA)
    with pytest.raises(SinkFailed, match=r"out\.parquet"):
        for start in range(0, 50):  # the failure reaches a write or the close
            sink.write(_frame(start * 10, 10))
        sink.close()
