"""The parser contract: what a log-format module declares and what its ``parse`` returns.

A format module (``parsers/<format>.py``) has, at module level:

- ``NAME`` (the format id used in seclake.yaml and the ``format`` column), ``VENDOR``,
  ``PRODUCT`` and ``VERSION`` (bump it when the output of ``parse`` changes; it is recorded in
  every manifest);
- ``sniff(lines: pl.Series) -> pl.Series``: per line, True where the line looks like this format
  (blank lines False); cheap and vectorised. ``format: auto`` takes the share of a file's first
  lines as the file's score and splits a file that mixes formats line by line (``parsers.sniff``);
- ``parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult``: vectorised Polars over the
  whole frame of input lines (columns ``raw``, ``raw_file``, ``raw_line``), no per-line Python,
  no I/O. Every input row comes out either as an event or as a quarantined row with a reason.

Optional, for formats that need them:

- ``file_options(lines: pl.DataFrame) -> dict[str, str]``: read from the first chunk of each file
  and merged into ``ctx.options`` for all of that file's chunks (a header that appears only at the
  top, such as Windows Firewall's ``#Fields:``);
- ``file_index(lines: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame``: for formats whose lines
  depend on what a later line of the file says (a clamscan result takes the Start Date of the
  SCAN SUMMARY printed after it): ingest first reads the whole file, chunk by chunk, through
  ``file_index`` and hands the concatenated rows (a few per report, never per line) to every
  chunk's ``parse`` as ``ctx.file_index``; a frame parsed on its own has None there;
- ``open_records(path: Path, chunk_bytes: int) -> seclake.reader.FileReader`` and
  ``sniff_head(head: bytes) -> bool``: for formats that are not one event per text line (EVTX,
  JSON or XML exports). The reader yields one record per row, ``raw_line`` being the record's
  number; ``sniff_head`` recognises the format from a file's first 64 KiB;
- ``SNIFF_PRIORITY: int`` (default 100, lower first): tie-break order between formats;
- state across chunks: ``ctx.carry``, when not None, is one dict per source and day that ingest
  hands to every chunk of that day's files, in order. A parser may keep a small, bounded frame
  there under a key ``<NAME>.<name>`` (Cisco ASA: the direction of connections still open); it
  must parse correctly without it (``carry`` None: a frame parsed on its own). The day's last
  frames are saved with its partition and the next day starts from them when the parser's
  ``VERSION`` is unchanged (``seclake.carry``).

Most parsers compute every event column over the whole frame plus a ``reason`` column that is
null for good lines, then call ``finish`` which splits, stamps provenance and conforms both sides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import polars as pl

from seclake.schema import (
    EVENT_COLUMN_NAMES,
    EVENT_POLARS_SCHEMA,
    EXTRA_PREFIX,
    conform_events,
    conform_quarantine,
)


@dataclass(frozen=True)
class ParseContext:
    """What a parser knows besides the lines: who sent them and for which day."""

    org: str
    source: str
    date: dt.date
    timezone: str = "UTC"
    options: Mapping[str, str] = field(default_factory=dict)
    carry: dict[str, pl.DataFrame] | None = None
    file_index: pl.DataFrame | None = None


@dataclass(frozen=True)
class ParseResult:
    """A parser's output: events in the event schema, rejected lines in the quarantine schema."""

    events: pl.DataFrame
    quarantine: pl.DataFrame

    @property
    def lines(self) -> int:
        """Number of input lines this result accounts for."""
        return self.events.height + self.quarantine.height


class LogFormat(Protocol):
    """What a format module looks like to the engine (see the module docstring)."""

    NAME: str
    VENDOR: str
    PRODUCT: str
    VERSION: str

    def sniff(self, lines: pl.Series) -> pl.Series: ...

    def parse(self, lines: pl.DataFrame, ctx: ParseContext) -> ParseResult: ...


HEADER_LINE = "header line (not an event)"
"""Reason for a format's own header lines (Windows Firewall ``#Version``/``#Fields:``): they are
quarantined like any line that is not an event, but, like blank lines, they do not count against
the ingest's quarantine threshold."""

REASON = "reason"
"""Column a parser sets to a text for lines it rejects (null for lines that became events)."""


def parsed_columns(frame: pl.DataFrame) -> list[str]:
    """The columns of a parser's working frame that ``finish`` takes: event columns,
    ``extra.<key>`` columns and ``reason`` (working columns such as ``_payload`` are left out)."""
    return [c for c in frame.columns if c in EVENT_COLUMN_NAMES or c == REASON or c.startswith(EXTRA_PREFIX)]


def finish(
    frame: pl.DataFrame,
    ctx: ParseContext,
    *,
    format_name: str,
    vendor: pl.Expr | str,
    product: pl.Expr | str,
) -> ParseResult:
    """Split a parsed frame on ``reason``, stamp org/source/format/vendor/product, conform both.

    ``frame`` holds the input columns, any event columns, and ``reason``. Event columns the
    parser did not compute become typed nulls.
    """
    as_expr = lambda v: v if isinstance(v, pl.Expr) else pl.lit(v)  # noqa: E731
    all_good = frame.get_column(REASON).null_count() == frame.height  # the usual case: no copies
    good = frame if all_good else frame.filter(pl.col(REASON).is_null())
    bad = frame.clear() if all_good else frame.filter(pl.col(REASON).is_not_null())
    quarantine = bad.select(
        pl.lit(ctx.org).alias("org"),
        pl.lit(ctx.source).alias("source"),
        pl.lit(format_name).alias("format"),
        pl.col(REASON),
        pl.col("raw"),
        pl.col("raw_file"),
        pl.col("raw_line"),
    )
    events = good.drop(REASON).with_columns(
        pl.lit(ctx.org).alias("org"),
        pl.lit(ctx.source).alias("source"),
        pl.lit(format_name).alias("format"),
        as_expr(vendor).alias("vendor"),
        as_expr(product).alias("product"),
    )
    return ParseResult(conform_events(events), conform_quarantine(quarantine))


def reject_all(lines: pl.DataFrame, ctx: ParseContext, reason: str, format_name: str | None) -> ParseResult:
    """Quarantine every line with one reason (unknown format, unreadable file, ...)."""
    quarantine = lines.select(
        pl.lit(ctx.org).alias("org"),
        pl.lit(ctx.source).alias("source"),
        pl.lit(format_name, dtype=pl.String).alias("format"),
        pl.lit(reason).alias("reason"),
        "raw",
        "raw_file",
        "raw_line",
    )
    return ParseResult(pl.DataFrame(schema=EVENT_POLARS_SCHEMA), conform_quarantine(quarantine))
