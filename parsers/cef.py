"""ArcSight Common Event Format (CEF 0.x and 1.x), any vendor, behind any syslog envelope.

Reference: ``../shared/formats/cef.md`` (grammar), ``checkpoint.md``, ``kaspersky.md`` and
``trendmicro.md`` (vendor keys). The column mapping, vendor tables (Kaspersky Security Center,
Trend Micro Deep Security and Apex Central, Check Point Log Exporter, Panda) and time rules live in
``parsers.cef_fields``, shared with ``leef``; its docstring lists every normalisation decision.

Framing: ``[envelope ]CEF:<v>|Vendor|Product|Version|Event Class ID|Name|Severity|Extension``.
The envelope (RFC 3164, RFC 5424 with app/procid/msgid/SD, an ISO relay header or none) is read by
``parsers.jsonlines.split_header``; its host is ``h:host`` (the relay or log server) and its time
the fallback for ``time``. Header fields end at the next unescaped ``|`` (``\\|`` and ``\\\\`` are
unescaped; a header without backslash is cut by a plain split, the pattern reads only the others);
vendor/product → ``vendor``/``product``, Event Class ID → ``message_id``, Name → ``message`` when
there is no ``msg``, Severity → ``severity``/``vendor_severity``.

Extension splitting — how a value ends. The spec says a value runs until the next `` key=`` and
that an ``=`` inside a value must be escaped (``\\=``). A key boundary is therefore: one or more
spaces, a key (``[A-Za-z_][A-Za-z0-9_.[]]*``), an unescaped ``=``. Everything else is value text:
spaces, ``|``, ``:``, ``\\=`` (so ``msg=a src\\=6.6.6.6`` is one ``msg`` value), ``?a=b`` inside a
URL (no space before ``a``). Attacker text in a value from a producer that does NOT escape ``=``
(``msg=hi src=6.6.6.6``) cannot be told apart from a real key by any grammar; when it repeats a key
the line already has (the usual case: ``src``, ``dst``, ``suser``), the key is written twice and
``cef_fields.resolve`` fills no column from either value (both kept in ``extra``), so the attacker
cannot choose ``src_ip``. Values are unescaped (``\\=``, ``\\\\``, ``\\n``, ``\\r``; in file paths
only the first two) and stripped of trailing spaces; an empty value is null.

Quarantined lines: ``no CEF:<version>| header in the line``; ``CEF header has fewer than the 8
|-separated fields``.
"""

from __future__ import annotations

import re

import polars as pl

from seclake.parsers import cef_fields as cf
from seclake.parsers.contract import REASON, ParseContext, ParseResult, finish
from seclake.parsers.jsonlines import split_header

NAME = "cef"
VENDOR = "ArcSight"
PRODUCT = "CEF"
VERSION = "1"

PROGRAM = r"[A-Za-z][\w.\-/|]*"
"""Syslog app name before the payload (any; Kaspersky writes ``KES|11.0.0.0``)."""

_START = r"CEF:\d+(?:\.\d+)?\|"
FIELD = r"(?:[^|\\]|\\.)*"
"""A header field: anything but ``|``, with backslash escapes (CEF and LEEF alike)."""
_HEADER = (
    rf"^CEF:(?P<cef_version>\d+(?:\.\d+)?)\|(?P<vendor>{FIELD})\|(?P<product>{FIELD})\|(?P<version>{FIELD})"
    rf"\|(?P<event_id>{FIELD})\|(?P<name>{FIELD})\|(?P<severity>{FIELD})\|(?P<extension>(?s:.*))$"
)
KEY = r"[A-Za-z_][A-Za-z0-9_.\[\]]*"
"""An extension key (letters, digits, ``_``, ``.``, brackets; no backslash, so ``\\=`` never ends one)."""

UNIT = "\x1f"
NO_HEADER = "no CEF:<version>| header in the line"
SHORT_HEADER = "CEF header has fewer than the 8 |-separated fields"


def sniff(lines: pl.Series) -> pl.Series:
    """Per line: does it hold a ``CEF:<version>|`` header."""
    return lines.cast(pl.String).str.contains(_START + r"[^|]*\|").fill_null(False)


def extension_segments(extension: pl.Expr) -> pl.Expr:
    """The extension cut into ``key=value`` segments at each key boundary (module docstring)."""
    marked = (pl.lit(" ") + extension.str.replace_all(UNIT, " ", literal=True)).str.replace_all(
        rf" +({KEY})=", UNIT + "${1}="
    )
    return marked.str.split(UNIT)


def with_header(frame: pl.DataFrame, payload: pl.Expr, marker: str, pattern: str, alias: str) -> pl.DataFrame:
    """Add ``alias``: the struct of ``pattern``'s groups (the version after ``marker``, the ``|``-separated
    header fields, then the rest) read from ``payload``, or nulls when the header is short.

    The usual line's header fields hold no backslash: they are then cut at the first ``|``s by one
    split, which is what the pattern reads; the pattern runs only on the other lines."""
    names = re.findall(r"\(\?P<(\w+)>", pattern)
    split = payload.str.splitn("|", len(names)).struct.rename_fields(names)
    frame = frame.with_columns(split.alias("_split"))
    fields = [pl.col("_split").struct.field(name) for name in names]
    plain = fields[-1].is_not_null() & ~pl.concat_str(fields[:-1]).str.contains("\\", literal=True)
    fast = pl.col("_split").struct.with_fields(fields[0].str.strip_prefix(marker))
    slow = pl.when(~plain).then(payload).str.extract_groups(pattern)
    return frame.with_columns(pl.when(plain).then(fast).otherwise(slow).alias(alias)).drop("_split")


def header_text(field: pl.Expr) -> pl.Expr:
    """A header field with ``\\|`` and ``\\\\`` unescaped and blanks trimmed; null when empty."""
    unescaped = pl.when(field.str.contains("\\", literal=True)).then(
        field.str.replace_all(r"\\([|\\])", "${1}")
    )
    text = unescaped.otherwise(field).str.strip_chars()
    return pl.when(text != "").then(text)


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse CEF lines into events (see the module docstring and ``parsers.cef_fields``)."""
    raw = pl.col("raw")
    start = raw.str.find(_START)
    # the marker keeps a lone host before the payload a host (split_header reads ``host`` + nothing as an app)
    frame = split_header(lines, raw.str.slice(0, start) + "CEF:", PROGRAM, ctx).with_columns(
        pl.int_range(pl.len(), dtype=pl.Int64).alias(cf.ROW),
    )
    frame = with_header(frame, raw.str.slice(start), "CEF:", _HEADER, "_cef")
    header = pl.col("_cef")
    frame = frame.with_columns(
        pl.when(start.is_null())
        .then(pl.lit(NO_HEADER))
        .when(header.struct.field("extension").is_null())
        .then(pl.lit(SHORT_HEADER))
        .alias(REASON),
        header_text(header.struct.field("vendor")).alias("h:vendor"),
        header_text(header.struct.field("product")).alias("h:product"),
        header_text(header.struct.field("event_id")).alias("h:event_id"),
        header_text(header.struct.field("name")).alias("h:name"),
        header_text(header.struct.field("severity")).alias("h:severity"),
        pl.col("header_time").alias("h:time"),
        pl.col("header_host").alias("h:host"),
        extension_segments(header.struct.field("extension")).alias("_segments"),
        header_text(header.struct.field("version")).alias("extra.device_version"),
        header.struct.field("cef_version").alias("extra.cef_version"),
    )
    pairs = cf.pairs_from_segments(frame, "_segments")
    kept = frame.select("raw", "raw_file", "raw_line", REASON, cf.ROW, *cf.HEADER_COLUMNS, "extra.device_version",
                        "extra.cef_version")  # fmt: skip
    events = cf.normalise(kept, pairs, ctx, keep_first=False, unescaper=cf.cef_unescape)
    return finish(events, ctx, format_name=NAME, vendor=pl.col("vendor"), product=pl.col("product"))
