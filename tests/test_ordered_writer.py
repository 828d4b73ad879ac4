"""The ordered partition writer: streaming when disorder is bounded, a full sort when it is not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from seclake.ordered_writer import OrderedWriter
from seclake.schema import conform_events
from tests.lake_files import read_events

T0 = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


def _chunk(seconds: list[int | None], first_line: int) -> pl.DataFrame:
    rows = len(seconds)
    return conform_events(
        pl.DataFrame(
            {
                "time": [None if s is None else T0 + dt.timedelta(seconds=s) for s in seconds],
                "raw_line": list(range(first_line, first_line + rows)),
                **{
                    c: ["x"] * rows
                    for c in ("org", "source", "vendor", "product", "format", "event_class", "raw")
                },
                "raw_file": ["f.log"] * rows,
            },
            schema_overrides={"time": pl.Datetime("us", "UTC")},
        )
    )


def _write(tmp_path: Path, chunks: list[pl.DataFrame], slack: dt.timedelta) -> tuple[OrderedWriter, list]:
    staging = tmp_path / "staging"
    staging.mkdir()
    writer = OrderedWriter(tmp_path / "out.parquet", staging, slack=slack)
    for chunk in chunks:
        writer.add(chunk)
    assert writer.close() == sum(c.height for c in chunks)
    table = read_events(tmp_path / "out.parquet")
    return writer, list(
        zip(table.column("time").to_pylist(), table.column("raw_line").to_pylist(), strict=True)
    )


def test_late_lines_within_the_slack_stream_in_order(tmp_path: Path) -> None:
    chunks = [_chunk([0, 10, 5, 20], 1), _chunk([15, 30, None, 25], 5), _chunk([28, 40], 9)]
    writer, rows = _write(tmp_path, chunks, slack=dt.timedelta(seconds=10))
    assert writer.sorted_in_stream
    assert [line for _, line in rows] == [1, 3, 2, 5, 4, 8, 9, 6, 10, 7]  # the untimed line 7 last
    times = [t for t, _ in rows if t is not None]
    assert times == sorted(times)


def test_disorder_beyond_the_slack_falls_back_to_a_full_sort(tmp_path: Path) -> None:
    chunks = [_chunk([100, 200, 300], 1), _chunk([0, 50, None], 4), _chunk([400, 10], 7)]
    writer, rows = _write(tmp_path, chunks, slack=dt.timedelta(seconds=10))
    assert not writer.sorted_in_stream
    assert [line for _, line in rows] == [4, 8, 5, 1, 2, 3, 7, 6]
    assert not any(p.name.endswith(".prefix") for p in tmp_path.iterdir())


@pytest.mark.parametrize("slack", [dt.timedelta(0), dt.timedelta(hours=1)])
def test_every_row_is_written_once(tmp_path: Path, slack: dt.timedelta) -> None:
    chunks = [_chunk(list(range(i * 100, i * 100 + 100)), i * 100 + 1) for i in range(5)]
    _, rows = _write(tmp_path, chunks, slack)
    assert [line for _, line in rows] == list(range(1, 501))


def test_chunks_with_different_vendor_extras_stream_into_one_file(tmp_path: Path) -> None:
    first = _chunk([0, 10], 1).with_columns(pl.lit("a").alias("extra.policy"))
    second = _chunk([20, 30], 3).with_columns(pl.lit("b").alias("extra.vd"))
    writer, rows = _write(tmp_path, [first, second], slack=dt.timedelta(seconds=5))
    assert writer.sorted_in_stream and [line for _, line in rows] == [1, 2, 3, 4]
    extras = read_events(tmp_path / "out.parquet").column("extra").to_pylist()
    assert extras == [[("policy", "a")], [("policy", "a")], [("vd", "b")], [("vd", "b")]]


def test_lines_of_the_same_time_keep_file_order(tmp_path: Path) -> None:
    """A parser may return a chunk's rows grouped by message kind: ties are put back in line order."""
    chunks = [_chunk([0, 0, 0, 5], 1).reverse(), _chunk([5, 6], 5)]
    _, rows = _write(tmp_path, chunks, slack=dt.timedelta(0))
    assert [line for _, line in rows] == [1, 2, 3, 4, 5, 6]
