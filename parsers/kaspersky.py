"""Kaspersky Security Center SIEM export, Syslog format (RFC 5424 with ``event@23668`` structured data).

KSC 12-15 and Cloud Console. Reference: ``../shared/formats/kaspersky.md`` (framing A). The CEF and
LEEF exports of KSC are read by the ``cef``/``leef`` formats; all three share the Kaspersky table
of ``parsers.cef_fields`` (event type → class/action, ``KLPRCI_TaskState`` updates, the database
release date). The corpus has no KSC line: ``tests/parsers/test_kaspersky.py`` builds them from the
notes.

Framing: ``<PRI>1 <ISO time> <KSC host> <Product>|<version> - <MSGID> [event@23668 p1=".." ...
et=".." etdn=".." tdn=".." hdn=".." hip=".." gn=".."] <text>``. MSGID is the event type cut to 32
characters; ``et`` holds it whole and is the ``message_id``. Structured-data values are
``key="value"`` with ``\\"``, ``\\\\`` and ``\\]`` escaped; one ``str.extract_all`` walks them, so
nothing inside a quoted value, and nothing in the free text after the closing ``]``, is read as a
key. The free text (``Label: value`` lines joined by the two characters ``\\r\\n``) is ``message``
with those pairs made real line breaks.

Columns: ``time`` = the RFC 5424 time (UTC); ``device`` = the header host (the KSC server);
``vendor`` = ``Kaspersky``; ``product`` = the APP-NAME product (``KES``; version in
``extra.product_version``); ``vendor_action`` = ``etdn`` (display name, localised);
``host`` = ``hdn`` lower-cased, ``src_ip`` = ``hip`` (the endpoint); ``rule_name`` = ``tdn``
(task or component). The ``pN`` parameters follow the general-event table (GNRL_EA_PARAM_n) only
for the detection events (``DETECTION_EVENTS``): ``p1`` SHA-256 (``;`` prefix dropped) →
``file_hash``, ``p2`` → ``file_path``, ``p5`` → ``malware_name``, ``p7`` → ``user``, ``p8`` threat
type and ``p9`` extra JSON → extra. Other events number their parameters their own way (the
notes' APPLICATION_LAUNCH_DENIED sample puts the user in ``p2`` and the path in ``p7``): their
``pN`` stay in ``extra`` as written. ``gn`` (administration group) → ``extra.group_name``.

Quarantined lines: ``no [event@23668 ...] structured data in the line``.
"""

from __future__ import annotations

import polars as pl

from seclake.parsers import cef_fields as cf
from seclake.parsers.contract import REASON, ParseContext, ParseResult, finish
from seclake.parsers.jsonlines import split_header

NAME = "kaspersky"
VENDOR = "Kaspersky"
PRODUCT = "Kaspersky Security Center"
VERSION = "1"

PROGRAM = r"[A-Za-z][\w.\-]*\|[\w.\-]*"
_START = r"\[event@23668[ \]]"
_SD = r'^\[event@23668(?P<sd>(?:[^"\]]|"(?:[^"\\]|\\.)*")*)\][ ]?(?P<text>(?s:.*))$'
_PAIR = r'[A-Za-z_][\w.\-]*="(?:[^"\\]|\\.)*"'

DETECTION_EVENTS = (
    "GNRL_EV_VIRUS_FOUND",
    "GNRL_EV_SUSPICIOUS_OBJECT_FOUND",
    "GNRL_EV_VIRUS_FOUND_AND_BLOCKED",
    "GNRL_EV_OBJECT_CURED",
    "GNRL_EV_OBJECT_DELETED",
    "GNRL_EV_OBJECT_QUARANTINED",
    "GNRL_EV_OBJECT_NOTCURED",
    "GNRL_EV_PASSWD_ARCHIVE_FOUND",
)
"""Events whose ``pN`` follow the GNRL_EA_PARAM table of the notes."""

DETECTION_PARAMETERS = {"p1": "fileHash", "p2": "filePath", "p5": "virus_name", "p7": "duser"}
KEYS = {"hdn": "dhost", "hip": "dst", "tdn": "task_name", "gn": "group_name"}
"""Structured-data keys read under the Kaspersky table's names (``et``/``etdn`` make the header)."""

NO_DATA = "no [event@23668 ...] structured data in the line"


def sniff(lines: pl.Series) -> pl.Series:
    """Per line: does it hold KSC's ``[event@23668`` structured data."""
    return lines.cast(pl.String).str.contains(_START).fill_null(False)


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse KSC syslog export lines into events (see the module docstring)."""
    raw = pl.col("raw")
    start = raw.str.find(_START)
    head = raw.str.slice(0, start)
    frame = split_header(lines, head + "-", PROGRAM, ctx).with_columns(
        raw.str.slice(start).str.extract_groups(_SD).alias("_ksc"),
        head.str.extract(r"([A-Za-z][\w.\-]*)\|([\w.\-]*) ", 1).alias("_product"),
        head.str.extract(r"([A-Za-z][\w.\-]*)\|([\w.\-]*) ", 2).alias("extra.product_version"),
        pl.int_range(pl.len(), dtype=pl.Int64).alias(cf.ROW),
    )
    body = pl.col("_ksc")
    text = body.struct.field("text").str.replace_all(r"\r\n", "\r\n", literal=True).str.strip_chars()
    frame = frame.with_columns(
        body.struct.field("sd")
        .str.extract_all(_PAIR)
        .list.eval(pl.element().str.replace(r'^([^=]+)="((?s:.*))"$', "${1}=${2}"))
        .list.concat(
            pl.when(text != "")
            .then(pl.concat_list(pl.lit("msg=") + text))
            .otherwise(pl.lit([], dtype=pl.List(pl.String)))
        )
        .alias("_segments"),
        pl.when(body.is_null()).then(pl.lit(NO_DATA)).alias(REASON),
    )
    pairs = cf.pairs_from_segments(frame, "_segments")
    header = pairs.filter(pl.col("key").is_in(["et", "etdn"])).pivot(
        on="key", index=cf.ROW, values="value", aggregate_function="first"
    )
    for name in ("et", "etdn"):
        if name not in header.columns:
            header = header.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    frame = frame.join(header, on=cf.ROW, how="left", maintain_order="left")
    pairs = pairs.join(frame.select(cf.ROW, "et"), on=cf.ROW, how="left", maintain_order="left")
    detection = pl.col("et").is_in(DETECTION_EVENTS)
    key = pl.col("key")
    renamed = pl.lit(None, dtype=pl.String)
    for written, name in DETECTION_PARAMETERS.items():
        renamed = pl.when(detection & (key == written)).then(pl.lit(name)).otherwise(renamed)
    for written, name in KEYS.items():
        renamed = pl.when(key == written).then(pl.lit(name)).otherwise(renamed)
    pairs = pairs.filter(~key.is_in(["et", "etdn"])).select(
        cf.ROW, pl.coalesce(renamed, key).alias("key"), "value"
    )
    frame = frame.with_columns(
        pl.lit("Kaspersky").alias("h:vendor"),
        pl.coalesce("_product", pl.lit(PRODUCT)).alias("h:product"),
        pl.col("et").alias("h:event_id"),
        pl.col("etdn").alias("h:name"),
        pl.lit(None, dtype=pl.String).alias("h:severity"),
        pl.col("header_time").alias("h:time"),
        pl.col("header_host").alias("h:host"),
    )
    kept = frame.select(
        "raw", "raw_file", "raw_line", REASON, cf.ROW, *cf.HEADER_COLUMNS, "extra.product_version"
    )
    events = cf.normalise(kept, pairs, ctx, keep_first=True, unescaper=cf.structured_data_unescape)
    return finish(events, ctx, format_name=NAME, vendor=pl.col("vendor"), product=pl.col("product"))
