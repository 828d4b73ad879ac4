"""Helpers shared by parser tests: parser input frames of lines and fixture files, events as dicts,
field checks whose failure names the line and the field, and the accounting of a corpus file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl

from seclake.parsers.contract import ParseContext, ParseResult
from seclake.schema import ACTIONS, EXTRA_PREFIX, events_to_arrow
from tests.corpus import corpus_lines

CTX = ParseContext(org="acme", source="fw", date=dt.date(2026, 1, 23), timezone="UTC")
"""The context of tests that need no particular time zone, date or source."""


def name(path: Path, folders: int = 1) -> str:
    """Golden/parametrize name of a corpus file: its last ``folders`` folders and its stem joined by
    ``-`` (``<source>-<file>``; ``<format>-<source>-<file>`` with ``folders=2``)."""
    return "-".join([*path.parent.parts[-folders:], path.name.split(".")[0]])


def utc(text: str) -> dt.datetime:
    """An ISO 8601 time as an aware UTC datetime; a time without an offset is UTC."""
    time = dt.datetime.fromisoformat(text)
    return time.replace(tzinfo=dt.UTC) if time.tzinfo is None else time.astimezone(dt.UTC)


# ---- parser input --------------------------------------------------------------------------------


def lines_frame(lines: list[str], raw_file: str = "synthetic.log") -> pl.DataFrame:
    """A parser input frame of these lines, numbered from 1."""
    return pl.DataFrame(
        {"raw": lines, "raw_file": [raw_file] * len(lines), "raw_line": range(1, len(lines) + 1)},
        schema={"raw": pl.String, "raw_file": pl.String, "raw_line": pl.Int64},
    )


def fixture_frame(path: Path) -> pl.DataFrame:
    """A parser input frame of a fixture file's lines (the last newline ends the last line)."""
    return lines_frame(path.read_text(encoding="utf-8").split("\n")[:-1], str(path))


def parse_lines(module: ModuleType, lines: list[str], ctx: ParseContext = CTX) -> ParseResult:
    """``module.parse`` of these lines; every line is counted."""
    result = module.parse(lines_frame(lines), ctx)
    assert result.lines == len(lines)
    return result


def parse_events(module: ModuleType, lines: list[str], ctx: ParseContext = CTX) -> list[dict[str, Any]]:
    """The events of these lines, each of which must be a valid event (nothing quarantined)."""
    result = parse_lines(module, lines, ctx)
    assert result.quarantine.is_empty(), result.quarantine["reason"].to_list()
    assert_valid(result)
    return events(result)


def one(module: ModuleType, line: str, ctx: ParseContext = CTX) -> dict[str, Any]:
    """The one valid event of one line."""
    (row,) = parse_events(module, [line], ctx)
    return row


# ---- events as dicts -----------------------------------------------------------------------------


def _as_dicts(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows with the non-null ``extra.<key>`` columns folded into one ``extra`` dict."""
    rows = []
    for row in frame.to_dicts():
        extra = {
            k.removeprefix(EXTRA_PREFIX): v
            for k, v in row.items()
            if k.startswith(EXTRA_PREFIX) and v is not None
        }
        rows.append({k: v for k, v in row.items() if not k.startswith(EXTRA_PREFIX)} | {"extra": extra})
    return rows


def events(result: ParseResult) -> list[dict[str, Any]]:
    """Events in input order, the non-null ``extra.<key>`` columns as one ``extra`` dict."""
    return _as_dicts(result.events.sort("raw_line"))


def event_at(result: ParseResult, line: int) -> dict[str, Any]:
    """The one event of input line ``line``."""
    rows = _as_dicts(result.events.filter(pl.col("raw_line") == line))
    assert len(rows) == 1, f"line {line} is not one event"
    return rows[0]


def events_by_line(module: ModuleType, path: Path, ctx: ParseContext = CTX) -> dict[int, dict[str, Any]]:
    """The events of a corpus file by line number."""
    return {row["raw_line"]: row for row in events(module.parse(corpus_lines(path), ctx))}


def ecs(document: dict[str, Any], path: str) -> Any:
    """The value at a dotted path of an Elastic expected document (None where a key is absent)."""
    value: Any = document
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


# ---- checks --------------------------------------------------------------------------------------


def field(row: dict[str, Any], column: str) -> Any:
    """A column of an event; ``extra.<key>`` addresses the extra dict (None when the key is absent)."""
    return (
        row["extra"].get(column.removeprefix(EXTRA_PREFIX))
        if column.startswith(EXTRA_PREFIX)
        else row[column]
    )


def check(row: dict[str, Any], expected: Mapping[str, Any]) -> None:
    """Every expected field equals the event's (``extra.<key>`` addresses the extra dict)."""
    for column, want in expected.items():
        got = field(row, column)
        assert got == want, f"line {row['raw_line']} ({row['message_id']}): {column} = {got!r}, want {want!r}"


def check_line(result: ParseResult, line: int, **expected: Any) -> dict[str, Any]:
    """Line ``line`` is exactly one event with these column values (``extra={...}``: extra keys);
    returns the event."""
    row = event_at(result, line)
    extra = expected.pop("extra", {})
    check(row, expected | {EXTRA_PREFIX + key: value for key, value in extra.items()})
    return row


def check_corpus_values(
    module: ModuleType, path: Path, expected: Mapping[int, Mapping[str, Any]], ctx: ParseContext = CTX
) -> None:
    """Hand-checked fields of a corpus file's lines, by line number: five lines at least (all of a
    shorter file)."""
    rows = events_by_line(module, path, ctx)
    assert len(expected) >= min(5, len(rows)), f"{path.name}: hand-check at least five lines"
    for line, fields in expected.items():
        check(rows[line], fields)


def assert_valid(result: ParseResult) -> None:
    """Actions are null or belong to their class' vocabulary and the events convert to the Arrow schema."""
    for event_class, action in result.events.select("event_class", "action").unique().iter_rows():
        assert action is None or action in ACTIONS[event_class], (event_class, action)
    assert events_to_arrow(result.events).num_rows == result.events.height


def check_accounting(module: ModuleType, path: Path, ctx: ParseContext = CTX) -> ParseResult:
    """Every corpus line is an event or quarantined, once; the events are valid and of the module's
    format."""
    lines = corpus_lines(path)
    result = module.parse(lines, ctx)
    numbers = result.events["raw_line"].to_list() + result.quarantine["raw_line"].to_list()
    assert sorted(numbers) == list(range(1, lines.height + 1))
    assert set(result.events["format"].to_list()) <= {module.NAME}
    assert_valid(result)
    return result


def check_every_line_is_an_event(module: ModuleType, path: Path, ctx: ParseContext = CTX) -> ParseResult:
    """Every corpus line is one valid event of the module's format; nothing is quarantined."""
    result = check_accounting(module, path, ctx)
    assert result.quarantine.is_empty(), result.quarantine.select("raw_line", "reason").rows()
    return result
