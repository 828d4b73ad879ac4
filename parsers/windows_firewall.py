"""Windows Defender Firewall ``pfirewall.log`` (W3C extended-log style text log).

Format reference: ``../shared/formats/windows_firewall.md``. Covers the log written by the
Windows firewall service (MpsSvc) on Windows Vista / Server 2008 to Windows 11 / Server 2025
(``#Version: 1.5``), including builds that append ``pid`` and further columns.

How a file is read
------------------
- The ``#Fields:`` header names the columns. It appears at the top of the file (and again after
  a rotation or service restart): ``file_options`` reads it from a file's first chunk into
  ``ctx.options["w3c_fields"]`` so that later chunks without the header still know the columns;
  a ``#Fields:`` line inside a chunk wins for the lines after it. Without either, the standard
  columns (``STANDARD_FIELDS``, Windows 7 to 11) are used.
- Header lines (``#Version``, ``#Software``, ``#Time Format``, ``#Fields``) are not events: they
  are quarantined with the reason ``HEADER`` (they are part of the file format, not junk; the
  corpus accounting lists them separately from the 99 % bar). Blank lines are quarantined as
  ``BLANK``, any other line that does not start with ``YYYY-MM-DD HH:MM:SS`` as ``NOT_A_RECORD``.
- A record is split on spaces and its values taken by column name; ``-`` is null, and missing
  trailing columns (a truncated write) are null. Records are grouped by their column list (one
  Python step per distinct ``#Fields:`` list, not per line).

Columns
-------
``time``: ``date`` + ``time`` are the host's local time (``#Time Format: Local``), read in
``ctx.timezone``; never null for a record. ``event_class`` network_activity; ``message_id`` and
``vendor_action`` the ``action`` word; ``action``: ALLOW → allow, DROP → drop.
``INFO-EVENTS-LOST`` (the service could not write some events: a gap in the log, not traffic) is
``system``/``other`` with the count from ``info`` in ``extra.events_lost``.
``protocol`` lower-case (``ICMPv6`` → ``ipv6-icmp``, IANA numbers 1, 6, 17, 58 → names);
``src_ip``/``dst_ip``/``src_port``/``dst_port`` as written (for ``SEND`` the source is this host).
``size`` is the size of the one packet logged, sent by the source: ``bytes_out`` = ``bytes_total``
= ``size`` (the schema counts bytes from the initiator's side, so a received packet is still
``bytes_out`` of its remote source), ``packets`` = 1. ``direction``: ``path`` RECEIVE → inbound,
SEND → outbound, otherwise (FORWARD, UNKNOWN, missing) from the address ranges
(``envelope.range_direction``); ``path`` is kept in ``extra.path``. Extras: ``tcp_flags``,
``tcp_syn``, ``tcp_ack``, ``tcp_win``, ``icmp_type``, ``icmp_code``, ``info``, ``pid`` and any
column not in this list, under its own name.
The log names no machine: ``device`` and ``host`` are ``ctx.options["host"]`` when the source
configures it (the Windows machine whose log this is), else null. No rule, user or zone.
"""

from __future__ import annotations

import polars as pl

from seclake.parsers.contract import HEADER_LINE, REASON, ParseContext, ParseResult, finish
from seclake.parsers.envelope import localize, range_direction
from seclake.parsers.kv import integer, lookup, port
from seclake.schema import EXTRA_PREFIX

NAME = "windows_firewall"
VENDOR = "Microsoft"
PRODUCT = "Windows Firewall"
VERSION = "1"

HEADER = HEADER_LINE
BLANK = "blank line"
NOT_A_RECORD = "not a pfirewall.log record (no leading date and time)"

FIELDS_OPTION = "w3c_fields"
STANDARD_FIELDS = (
    "date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin "
    "icmptype icmpcode info path"
)
_FIELDS_LINE = "#Fields:"
_RECORD = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} "
_SNIFF = (
    r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} (?:ALLOW|DROP|INFO-EVENTS-LOST) "
    r"|#(?:Software: Microsoft Windows Firewall|Fields: date time action |Version: 1\.5[ \r]*$"
    r"|Time Format: ))"
)

_COLUMNS = {
    "src-ip": "src_ip",
    "dst-ip": "dst_ip",
    "src-port": "src_port",
    "dst-port": "dst_port",
    "tcpflags": "extra.tcp_flags",
    "tcpsyn": "extra.tcp_syn",
    "tcpack": "extra.tcp_ack",
    "tcpwin": "extra.tcp_win",
    "icmptype": "extra.icmp_type",
    "icmpcode": "extra.icmp_code",
}
"""W3C column → event column, for the columns that are copied as they are."""
_ACTIONS = {"ALLOW": "allow", "DROP": "drop"}
_PROTOCOLS = {"icmpv6": "ipv6-icmp", "1": "icmp", "6": "tcp", "17": "udp", "58": "ipv6-icmp"}
_DIRECTIONS = {"RECEIVE": "inbound", "SEND": "outbound"}
_READ = ("date", "time", "action", "protocol", "size", "info", "path")
"""Columns read into working columns and mapped below."""


def sniff(lines: pl.Series) -> pl.Series:
    """True for pfirewall.log records (date, time, ALLOW/DROP/INFO-EVENTS-LOST) and its headers."""
    return lines.str.contains(_SNIFF).fill_null(False).alias(NAME)


def file_options(lines: pl.DataFrame) -> dict[str, str]:
    """The column list of the first ``#Fields:`` header in a file's first chunk (none: no option)."""
    headers = lines.get_column("raw").filter(lines.get_column("raw").str.starts_with(_FIELDS_LINE))
    if headers.len() == 0:
        return {}
    return {FIELDS_OPTION: _field_list(headers[0])}


def _field_list(header: str) -> str:
    return " ".join(header.removeprefix(_FIELDS_LINE).split())


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse pfirewall.log records into events; see the module docstring."""
    raw = pl.col("raw").str.strip_chars_end("\r\n")
    default = ctx.options.get(FIELDS_OPTION, STANDARD_FIELDS)
    classified = lines.with_columns(
        pl.when(raw.str.starts_with(_FIELDS_LINE))
        .then(raw.str.strip_prefix(_FIELDS_LINE).str.strip_chars().str.replace_all(" +", " "))
        .forward_fill()
        .fill_null(pl.lit(default))
        .alias("_fields"),
        pl.when(raw.str.starts_with("#"))
        .then(pl.lit(HEADER))
        .when(raw.str.strip_chars() == "")
        .then(pl.lit(BLANK))
        .when(~raw.str.contains(_RECORD))
        .then(pl.lit(NOT_A_RECORD))
        .alias(REASON),
    )
    rejected = classified.filter(pl.col(REASON).is_not_null()).drop("_fields")
    records = classified.filter(pl.col(REASON).is_null())
    parts = [
        _records(part, header, ctx)
        for (header,), part in records.partition_by("_fields", as_dict=True).items()
    ]
    frame = pl.concat([rejected, *parts], how="diagonal_relaxed")
    host = ctx.options.get("host")
    frame = frame.with_columns(
        pl.lit(host, dtype=pl.String).alias("device"), pl.lit(host, dtype=pl.String).alias("host")
    )
    return finish(frame, ctx, format_name=NAME, vendor=VENDOR, product=PRODUCT)


def _records(part: pl.DataFrame, header: str, ctx: ParseContext) -> pl.DataFrame:
    """Records that share one column list: values by name, then the event columns."""
    names = header.split(" ")
    part = part.with_columns(pl.col("raw").str.strip_chars_end("\r\n ").str.split(" ").alias("_values"))
    values = pl.col("_values")  # split once: an eager step does not share it between the columns

    def value(name: str) -> pl.Expr:
        if name not in names:
            return pl.lit(None, dtype=pl.String)
        text = values.list.get(names.index(name), null_on_oob=True)
        return pl.when(text != "-").then(text)

    columns = dict.fromkeys([*_COLUMNS, *names])
    copied = {_COLUMNS.get(n, EXTRA_PREFIX + n): value(n) for n in columns if n not in _READ}
    read = part.with_columns(
        *(value(n).alias(f"_{n}") for n in _READ), *(e.alias(c) for c, e in copied.items())
    )
    action, path, size = pl.col("_action"), pl.col("_path"), integer(pl.col("_size"))
    protocol = pl.col("_protocol").str.to_lowercase()
    lost = action == "INFO-EVENTS-LOST"
    stamp = (pl.col("_date") + " " + pl.col("_time")).str.strptime(
        pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False
    )
    return read.with_columns(
        localize(stamp, ctx.timezone).alias("time"),
        pl.when(lost).then(pl.lit("system")).otherwise(pl.lit("network_activity")).alias("event_class"),
        pl.when(lost).then(pl.lit("other")).otherwise(lookup(action, _ACTIONS)).alias("action"),
        action.alias("vendor_action"),
        action.alias("message_id"),
        pl.coalesce(lookup(protocol, _PROTOCOLS), protocol).alias("protocol"),
        port(pl.col("src_port")).alias("src_port"),
        port(pl.col("dst_port")).alias("dst_port"),
        size.alias("bytes_out"),
        size.alias("bytes_total"),
        pl.when(~lost).then(pl.lit(1, dtype=pl.Int64)).alias("packets"),
        pl.coalesce(
            lookup(path, _DIRECTIONS),
            pl.when(~lost).then(range_direction(pl.col("src_ip"), pl.col("dst_ip"))),
        ).alias("direction"),
        pl.when(lost).then(pl.col("_info")).alias(EXTRA_PREFIX + "events_lost"),
        pl.when(~lost).then(pl.col("_info")).alias(EXTRA_PREFIX + "info"),
        path.alias(EXTRA_PREFIX + "path"),
        pl.when(lost).then(pl.format("{} events lost", pl.col("_info"))).alias("message"),
    ).drop("_fields", "_values", *(f"_{n}" for n in _READ))
