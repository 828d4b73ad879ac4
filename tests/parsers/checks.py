"""Helpers shared by parser tests: a fixture file as parser input, and one line's event checked."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from seclake.parsers.contract import ParseResult
from seclake.schema import EXTRA_PREFIX


def fixture_frame(path: Path) -> pl.DataFrame:
    """A parser input frame of a fixture file's lines (the last newline ends the last line)."""
    lines = path.read_text(encoding="utf-8").split("\n")[:-1]
    return pl.DataFrame(
        {"raw": lines, "raw_file": [str(path)] * len(lines), "raw_line": range(1, len(lines) + 1)},
        schema={"raw": pl.String, "raw_file": pl.String, "raw_line": pl.Int64},
    )


def check_line(result: ParseResult, line: int, **expected: object) -> None:
    """Line ``line`` is exactly one event with these column values (``extra={...}``: extra keys)."""
    rows = result.events.filter(pl.col("raw_line") == line).to_dicts()
    assert len(rows) == 1, f"line {line} is not one event"
    row = rows[0]
    got_extra = {k.removeprefix(EXTRA_PREFIX): v for k, v in row.items() if k.startswith(EXTRA_PREFIX) and v}
    extra = expected.pop("extra", {})
    assert {k: row[k] for k in expected} == expected, row["raw"]
    assert {k: got_extra.get(k) for k in extra} == extra, got_extra
