"""IBM QRadar Log Event Extended Format (LEEF 1.0 and 2.0), any vendor, behind any syslog envelope.

Reference: ``../shared/formats/leef.md``; vendor keys in ``kaspersky.md``, ``trendmicro.md``,
``checkpoint.md``. The corpus has Panda Adaptive Defense (``panda/wazuh/panda_paps.ini``). The
column mapping, vendor tables and time rules are ``parsers.cef_fields`` (shared with ``cef``; LEEF
predefined attributes are renamed to the CEF keys there: ``srcPort`` → ``spt``, ``usrName`` →
``suser``, ``srcBytes`` → ``in`` (bytes the source sent → ``bytes_out``), ``dstBytes`` → ``out``,
``srcPostNAT``/``dstPostNAT`` → NAT addresses, ``devTime`` → the event time, ``sev`` → severity).

Framing: ``[envelope ]LEEF:1.0|Vendor|Product|Version|EventID|attributes`` and
``LEEF:2.0|Vendor|Product|Version|EventID|Delimiter|attributes`` (``LEEF:1``/``LEEF:2`` too).
Header fields end at ``|`` (``\\|`` accepted and unescaped). ``message_id`` = EventID; there is no
Name field, so ``message`` is only a ``msg`` attribute.

Attribute delimiter (one per line):
- 2.0: the declared one — a single character (``^``) or its hex code ``xHH``/``0xHH`` (``x09`` =
  tab); an empty field means tab. A 2.0 line without the delimiter field reads as tab.
- 1.0: tab when the attributes hold a tab (the spec); else ``|`` when they read ``key=...|key=``
  (PAN-OS custom LEEF); else attributes are cut before each `` key=`` as in CEF.
Each attribute splits at its first ``=``; ``\\=`` and ``\\\\`` are unescaped (nothing else: Windows
paths keep their backslashes); an empty value (``MWName=``) is null.

Time: ``devTime`` read with ``devTimeFormat`` (Java SimpleDateFormat translated; a zone letter
reads the zone at the end of the value), else by shape (epoch ms, ``MMM dd yyyy HH:mm:ss[.SSS
zone]``, ISO); zone-less values in ``ctx.timezone``; else the syslog header time; null when the
line has neither (the corpus' bare Panda lines always carry ``devTime``).

Quarantined lines: ``no LEEF:<version>| header in the line``; ``LEEF header has fewer than the 5
|-separated fields before the attributes``.
"""

from __future__ import annotations

import polars as pl

from seclake.parsers import cef_fields as cf
from seclake.parsers.cef import FIELD, PROGRAM, extension_segments, header_text, with_header
from seclake.parsers.contract import REASON, ParseContext, ParseResult, finish
from seclake.parsers.jsonlines import split_header

NAME = "leef"
VENDOR = "IBM"
PRODUCT = "LEEF"
VERSION = "1"

_START = r"LEEF:[12](?:\.0)?\|"
_HEADER = (
    rf"^LEEF:(?P<leef_version>[12](?:\.0)?)\|(?P<vendor>{FIELD})\|(?P<product>{FIELD})\|(?P<version>{FIELD})"
    rf"\|(?P<event_id>{FIELD})\|(?P<rest>(?s:.*))$"
)
_DELIMITER_FIELD = r"^(?P<delimiter>0?[xX][0-9A-Fa-f]{2,4}|[^|=]?)\|(?P<attributes>(?s:.*))$"
_PIPE_PAIRS = r"^[A-Za-z_][\w.]*=[^|]*\|[A-Za-z_][\w.]*="
SPACE = "space"
"""Delimiter name of 1.0 lines cut before each `` key=`` (no tab, no ``|`` pairs)."""

NO_HEADER = "no LEEF:<version>| header in the line"
SHORT_HEADER = "LEEF header has fewer than the 5 |-separated fields before the attributes"


def sniff(lines: pl.Series) -> pl.Series:
    """Per line: does it hold a ``LEEF:<version>|`` header."""
    return lines.cast(pl.String).str.contains(_START + r"[^|]*\|").fill_null(False)


def _declared(field: str) -> str:
    """The delimiter character a LEEF 2.0 delimiter field names (``^``, ``x5E``, ``0x09``; empty: tab)."""
    if not field:
        return "\t"
    if len(field) > 1:
        return chr(int(field.lower().removeprefix("0").removeprefix("x"), 16))
    return field


def _delimiters(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``_attributes`` and ``_delimiter`` (a character, or ``SPACE``) per line."""
    rest = pl.col("_leef").struct.field("rest")
    version2 = pl.col("_leef").struct.field("leef_version").str.starts_with("2")
    declared = rest.str.extract_groups(_DELIMITER_FIELD)
    has_field = version2 & declared.struct.field("attributes").is_not_null()
    frame = frame.with_columns(
        pl.when(has_field).then(declared.struct.field("attributes")).otherwise(rest).alias("_attributes"),
        pl.when(has_field).then(declared.struct.field("delimiter")).alias("_declared"),
        version2.alias("_v2"),
    )
    fields = frame.get_column("_declared").drop_nulls().unique().sort().to_list()
    table = pl.DataFrame(
        {"_declared": fields, "_char": [_declared(f) for f in fields]},
        schema={"_declared": pl.String, "_char": pl.String},
    )
    attributes = pl.col("_attributes")
    guessed = (
        pl.when(attributes.str.contains("\t", literal=True) | pl.col("_v2"))
        .then(pl.lit("\t"))
        .when(attributes.str.contains(_PIPE_PAIRS))
        .then(pl.lit("|"))
        .otherwise(pl.lit(SPACE))
    )
    return (
        frame.join(table, on="_declared", how="left", maintain_order="left")
        .with_columns(pl.coalesce("_char", guessed).alias("_delimiter"))
        .drop("_declared", "_char", "_v2")
    )


def _segments(frame: pl.DataFrame) -> pl.Expr:
    """The attributes cut at each line's delimiter (one split per distinct delimiter; the `` key=``
    pattern only on the lines that need it)."""
    attributes = pl.col("_attributes")
    chain = extension_segments(pl.when(pl.col("_delimiter") == SPACE).then(attributes))
    for delimiter in frame.get_column("_delimiter").drop_nulls().unique().sort().to_list():
        if delimiter != SPACE:
            chain = (
                pl.when(pl.col("_delimiter") == delimiter)
                .then(attributes.str.split(delimiter))
                .otherwise(chain)
            )
    return chain


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse LEEF lines into events (see the module docstring and ``parsers.cef_fields``)."""
    raw = pl.col("raw")
    start = raw.str.find(_START)
    # the marker keeps a lone host before the payload a host (split_header reads ``host`` + nothing as an app)
    frame = split_header(lines, raw.str.slice(0, start) + "LEEF:", PROGRAM, ctx).with_columns(
        pl.int_range(pl.len(), dtype=pl.Int64).alias(cf.ROW),
    )
    frame = with_header(frame, raw.str.slice(start), "LEEF:", _HEADER, "_leef")
    header = pl.col("_leef")
    frame = _delimiters(frame)
    frame = frame.with_columns(
        pl.when(start.is_null())
        .then(pl.lit(NO_HEADER))
        .when(header.struct.field("rest").is_null())
        .then(pl.lit(SHORT_HEADER))
        .alias(REASON),
        header_text(header.struct.field("vendor")).alias("h:vendor"),
        header_text(header.struct.field("product")).alias("h:product"),
        header_text(header.struct.field("event_id")).alias("h:event_id"),
        pl.lit(None, dtype=pl.String).alias("h:name"),
        pl.lit(None, dtype=pl.String).alias("h:severity"),
        pl.col("header_time").alias("h:time"),
        pl.col("header_host").alias("h:host"),
        _segments(frame).alias("_segments"),
        header_text(header.struct.field("version")).alias("extra.device_version"),
        header.struct.field("leef_version").alias("extra.leef_version"),
    )
    pairs = cf.pairs_from_segments(frame, "_segments")
    kept = frame.select("raw", "raw_file", "raw_line", REASON, cf.ROW, *cf.HEADER_COLUMNS, "extra.device_version",
                        "extra.leef_version")  # fmt: skip
    events = cf.normalise(
        kept, pairs, ctx, keep_first=False, unescaper=cf.leef_unescape, aliases=cf.LEEF_ALIASES
    )
    return finish(events, ctx, format_name=NAME, vendor=pl.col("vendor"), product=pl.col("product"))
