"""pfSense and OPNsense ``filterlog`` (pf packet filter log, positional CSV) and the other syslog
lines of the same firewalls (dhcpd, unbound, sshd, charon, ...).

Format reference: ``../shared/formats/pfsense_filterlog.md`` (Netgate "Raw Filter Log Format";
OPNsense writes the same grammar). Covers pfSense 2.x (RFC 3164 and, 2.6+, RFC 5424 syslog) and
OPNsense (both syslog forms), IPv4 and IPv6, TCP, UDP, ICMP/ICMPv6, CARP and other protocols.

How a line is read
------------------
1. One anchored regex (``_FILTERLOG``) finds the ``filterlog`` program tag (``filterlog[pid]:``,
   ``filterlog:``, or RFC 5424 ``filterlog <procid> <msgid> <structured data>``); the text before
   it is the envelope, read with ``envelope.ENVELOPE`` once per distinct text (time, host, PRI,
   and what derives from them) and joined back; the text after it is the CSV record, split by
   ``csvfields.split_records``. Cost: the usual line is cut at its first ``filterlog`` found
   literally, which is what the regex finds when the tag matches there (``_tagged``); only other
   lines holding ``filterlog`` run the regex.
2. Other lines: the envelope is read the same way (once per distinct line) and the body's program
   tag (``dhcpd[40152]:``, RFC 5424 ``unbound 123 - -``) is taken; such a line is a ``system``/
   ``other`` event with ``message`` = the text after the tag, ``message_id`` = the program,
   ``extra.program``/``extra.pid``; kernel ``<if>: link state changed to UP|DOWN`` lines are
   ``system``/``up``|``down`` with ``rule_name`` = the interface. A line with neither a syslog time nor a program tag is
   quarantined (``NOT_SYSLOG``).
3. filterlog records are positional (0-based): rule number 0, sub-rule 1, anchor 2, tracker 3,
   interface 4, reason 5, action 6, direction 7, IP version 8; IPv4 then tos 9, ecn 10, ttl 11,
   id 12, offset 13, flags 14, protocol id 15, protocol text 16, length 17, src 18, dst 19; IPv6
   class 9, flow label 10, hop limit 11, protocol text 12, protocol id 13, length 14, src 15,
   dst 16. The protocol part follows (tcp/udp: src port, dst port, data length; tcp then flags,
   sequence, ack, window, urg, options; icmp: type then type-specific values; carp: type, ttl,
   vhid, version, advskew, advbase). Quarantined, with the reason: an IP version other than 4/6
   (``BAD_VERSION``), a record shorter than its IP part (``SHORT_IPV4``/``SHORT_IPV6``), a TCP or
   UDP record without both ports (``NO_PORTS``).

Columns
-------
``event_class`` network_activity; ``message_id`` ``filterlog``; ``rule_name`` = the tracker
(the stable rule id; pfSense a number, OPNsense a 32-hex hash), the rule number, sub-rule and
anchor in extra; ``src_zone`` = the interface, ``dst_zone`` null; ``protocol`` = the protocol
text lower-cased (``icmpv6`` → ``ipv6-icmp``; the IANA number when the text is empty);
src/dst ports for tcp/udp (null otherwise; ICMP type in ``extra.icmp_type``, TCP flags in
``extra.tcp_flags``); ``bytes_out`` = ``bytes_total`` = the IP length of the one packet logged (the
packet the source sent), ``packets`` = 1; no session totals, no duration. ``device`` = the syslog
host; ``severity`` from the syslog PRI (``envelope.syslog_severity``), the level digit in
``vendor_severity``. ``vendor`` / ``product``: ``ctx.options["product"]`` (``pfSense`` or
``OPNsense``) when set, else OPNsense (Deciso) when the host name says ``opnsense`` or the
tracker is a 32-hex hash, else pfSense (Netgate).

Action mapping (``vendor_action`` = the action word; a pf drop reason other than ``match`` is in
``extra.reason``): ``pass`` → allow; ``block`` → drop (pf blocks silently by default);
``reject`` → reset for TCP (pf answers with a RST), deny for other protocols (ICMP unreachable);
``nat``/``rdr``/``binat`` (translation logging, not a verdict) → null.

Direction: filterlog's ``in``/``out`` is relative to the interface (``extra.pf_direction``). On an
interface listed in ``ctx.options["wan_interfaces"]`` (comma list, e.g. ``igb0,pppoe0``) ``in`` is
inbound and ``out`` outbound; elsewhere (and when no WAN interface is configured, as ``out`` on a
LAN interface is often traffic from the Internet) direction comes from the address ranges
(``envelope.range_direction``).

Time: the syslog header. RFC 5424 times carry an offset and are exact; RFC 3164 times have no
year and no zone: read in ``ctx.timezone``, the year closest to ``ctx.date``. ``time`` is null
only for a line without a header time.
"""

from __future__ import annotations

import polars as pl

from seclake.parsers.contract import REASON, ParseContext, ParseResult, finish
from seclake.parsers.csvfields import FIELDS, byte_slice, field, ip_text, split_records
from seclake.parsers.envelope import ENVELOPE, any_time, range_direction, syslog_severity
from seclake.schema import extra_columns

NAME = "pfsense_filterlog"
VENDOR = "Netgate"
PRODUCT = "pfSense"
VERSION = "1"

NOT_SYSLOG = "neither a filterlog record nor a syslog line with a program tag"
BAD_VERSION = "filterlog record with an IP version other than 4 or 6"
SHORT_IPV4 = "filterlog IPv4 record shorter than its 20 IP fields"
SHORT_IPV6 = "filterlog IPv6 record shorter than its 17 IP fields"
NO_PORTS = "filterlog TCP/UDP record without source and destination ports"

_SD = r'(?:-|(?:\[(?:[^\]"]|"(?:[^"\\]|\\.)*")*\])+)'
"""RFC 5424 structured data: ``-`` or ``[id key="value" ...]`` elements."""
_TAG = r"filterlog(?:\[[0-9]+\]:|:| [^ ]+ [^ ]+ " + _SD + r")(?: |$)"
"""The program tag (``filterlog[pid]:``, ``filterlog:``, RFC 5424 procid, msgid and structured data)."""
_FILTERLOG = r"^(?P<head>(?:.*?[ >])?)(?P<tag>" + _TAG + ")"
"""The envelope and the program tag; the CSV record is the rest of the line (sliced, not captured)."""
_PROGRAM = (
    r"^(?:(?P<program>[A-Za-z_][\w.\-/]*)(?:\[(?P<pid>[0-9]+)\])?:"
    r"|(?P<program5424>[A-Za-z_][\w.\-/]*) (?P<procid>[^ ]+) [^ ]+ " + _SD + r")(?: (?P<msg>(?s:.*)))?$"
)
_LINK_STATE = r"^(?P<interface>[A-Za-z][\w.]*): link state changed to (?P<state>UP|DOWN)$"
"""Kernel interface state lines (``igb1: link state changed to DOWN``)."""
_SNIFF = (
    r"(?:^|[ >])filterlog(?:\[[0-9]+\]:|:| [0-9-]+ [^ ]+ (?:-|\[[^\]]*\])+) [0-9]*,[0-9]*,[^,]*,[^,]*,[^,]*,"
)

_PROTOCOLS = {
    "1": "icmp",
    "2": "igmp",
    "6": "tcp",
    "17": "udp",
    "47": "gre",
    "50": "esp",
    "58": "ipv6-icmp",
    "112": "carp",
}
"""IANA protocol numbers for records that leave the protocol text empty."""


def sniff(lines: pl.Series) -> pl.Series:
    """True for ``filterlog`` lines (the program tag followed by the CSV record's first fields)."""
    return lines.str.contains(_SNIFF).fill_null(False).alias(NAME)


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse filterlog and same-host syslog lines into events; see the module docstring."""
    tagged = _tagged(lines)
    is_filterlog = tagged.get_column("head").is_not_null()
    records = _records(tagged if is_filterlog.all() else tagged.filter(is_filterlog), ctx)
    others = _others(tagged.filter(~is_filterlog).select(lines.columns), ctx)
    frame = _with_envelope(pl.concat([records, others], how="diagonal_relaxed"), ctx)
    return finish(frame, ctx, format_name=NAME, vendor=pl.col("vendor"), product=pl.col("product"))


def _tagged(lines: pl.DataFrame) -> pl.DataFrame:
    """Add ``head`` (the text before the filterlog tag; null for other lines) and ``csv`` (the record).

    They are what ``_FILTERLOG`` finds, the cheap way for the usual line: when the first
    ``filterlog`` of the line starts it or follows a space or ``>`` (no line break before it) and
    the tag matches there, no shorter head can match, so head and record are sliced around that
    tag. Other lines holding ``filterlog`` (if any) take the regex itself.
    """
    raw, first, tag, slow = pl.col("raw"), pl.col("_first"), pl.col("_tag"), pl.col("_slow")
    at_boundary = (first == 0) | byte_slice(raw, first - 1, 1).is_in([" ", ">"])
    unbroken = ~(raw.str.find("\n", literal=True) < first).fill_null(False)
    slow_head, slow_tag = slow.struct.field("head"), slow.struct.field("tag")
    return (
        lines.lazy()
        .with_columns(raw.str.find("filterlog", literal=True).alias("_first"))
        .with_columns(
            pl.when(at_boundary & unbroken)
            .then(byte_slice(raw, first))
            .str.extract(f"^({_TAG})")
            .alias("_tag")
        )
        .with_columns(
            pl.when(first.is_not_null() & tag.is_null())
            .then(raw)
            .str.extract_groups(_FILTERLOG)
            .alias("_slow")
        )
        .select(
            *lines.columns,
            pl.when(tag.is_not_null()).then(byte_slice(raw, 0, first)).otherwise(slow_head).alias("head"),
            pl.when(tag.is_not_null())
            .then(byte_slice(raw, first + tag.str.len_bytes()))
            .otherwise(raw.str.slice(slow_head.str.len_chars() + slow_tag.str.len_chars()))
            .alias("csv"),
        )
        .collect(engine="streaming")
    )


def _records(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """filterlog CSV records → network events (or quarantined with their reason).

    Built in steps: the fields whose position depends on the IP version are read once each (the
    position chosen per row), then the protocol, then the columns (Polars does not share regex
    and parsing work between expressions, and these are used several times).
    """
    version, v4 = pl.col("_version"), pl.col("_v4")

    def ip_part(v4_position: int, v6_position: int) -> pl.Expr:
        return field(pl.when(v4).then(pl.lit(v4_position)).otherwise(pl.lit(v6_position)))

    def rest(offset: int) -> pl.Expr:
        """A field of the protocol part, which starts after the IPv4 (20) or IPv6 (17) fields."""
        return pl.col(f"_rest{offset}")

    text, number = pl.col("_text"), pl.col("_number")
    unnamed = pl.when(text.is_null()).then(number)  # the number is read where the text is empty
    by_number = unnamed
    for iana, protocol_name in _PROTOCOLS.items():
        by_number = pl.when(unnamed == iana).then(pl.lit(protocol_name)).otherwise(by_number)
    protocol, ported = pl.col("protocol"), pl.col("_ported")
    src_port, dst_port = pl.col("_src_port"), pl.col("_dst_port")
    count = pl.col(FIELDS).list.len()
    reason = (
        pl.when(~version.is_in(["4", "6"]))
        .then(pl.lit(BAD_VERSION))
        .when(v4 & (count < 20))
        .then(pl.lit(SHORT_IPV4))
        .when(~v4 & (count < 17))
        .then(pl.lit(SHORT_IPV6))
        .when(ported & (src_port.is_null() | dst_port.is_null()))
        .then(pl.lit(NO_PORTS))
    )
    action_word = field(6)
    tracker = field(3)
    interface = field(4)
    wan = [name.strip() for name in ctx.options.get("wan_interfaces", "").split(",") if name.strip()]
    pf_direction = field(7)
    length = pl.col("_length").cast(pl.Int64, strict=False)
    lazy = (
        split_records(frame, "csv")
        .with_columns(field(8).alias("_version"))
        .with_columns((version == "4").alias("_v4"))
        .with_columns(
            ip_part(16, 12).str.to_lowercase().alias("_text"),
            ip_part(15, 13).alias("_number"),
            ip_part(17, 14).alias("_length"),
            ip_part(18, 15).alias("_src"),
            ip_part(19, 16).alias("_dst"),
            *[ip_part(20 + offset, 17 + offset).alias(f"_rest{offset}") for offset in range(4)],
        )
        .with_columns(
            pl.coalesce(pl.when(text == "icmpv6").then(pl.lit("ipv6-icmp")).otherwise(text), by_number).alias(
                "protocol"
            ),
            rest(0).cast(pl.Int32, strict=False).alias("_src_port"),
            rest(1).cast(pl.Int32, strict=False).alias("_dst_port"),
        )
        .with_columns(protocol.is_in(["tcp", "udp"]).alias("_ported"))
        .select(
            "raw",
            "raw_file",
            "raw_line",
            "head",
            reason.alias(REASON),
            pl.lit("network_activity").alias("event_class"),
            pl.lit("filterlog").alias("message_id"),
            action_word.alias("vendor_action"),
            pl.when(action_word == "pass")
            .then(pl.lit("allow"))
            .when(action_word == "block")
            .then(pl.lit("drop"))
            .when((action_word == "reject") & (protocol == "tcp"))
            .then(pl.lit("reset"))
            .when(action_word == "reject")
            .then(pl.lit("deny"))
            .alias("action"),
            tracker.alias("rule_name"),
            interface.alias("src_zone"),
            ip_text(pl.col("_src")).alias("src_ip"),
            ip_text(pl.col("_dst")).alias("dst_ip"),
            protocol,
            pl.when(ported).then(src_port).alias("src_port"),
            pl.when(ported).then(dst_port).alias("dst_port"),
            length.alias("bytes_out"),
            length.alias("bytes_total"),
            pl.lit(1, dtype=pl.Int64).alias("packets"),
            _wan_direction(interface, pf_direction, wan).alias("_wan_direction"),
            tracker.str.contains(r"^[0-9a-f]{32}$").alias("_hash_tracker"),
            *extra_columns(
                rule_number=field(0),
                sub_rule=field(1),
                anchor=field(2),
                reason=field(5),
                pf_direction=pf_direction,
                ip_version=version,
                ttl=field(11),
                tcp_flags=pl.when(protocol == "tcp").then(rest(3)),
                data_length=pl.when(ported).then(rest(2)).otherwise(rest(0).str.strip_prefix("datalength=")),
                icmp_type=pl.when(
                    protocol.str.contains("icmp", literal=True) & ~rest(0).str.starts_with("datalength=")
                ).then(rest(0)),
            ),
        )
    )
    by_range = pl.col("_wan_direction").is_null()  # the address ranges are read on these rows only
    return lazy.with_columns(
        pl.coalesce(
            "_wan_direction",
            range_direction(
                pl.when(by_range).then(pl.col("src_ip")), pl.when(by_range).then(pl.col("dst_ip"))
            ),
        ).alias("direction")
    ).collect(engine="streaming")


def _wan_direction(interface: pl.Expr, pf_direction: pl.Expr, wan: list[str]) -> pl.Expr:
    """inbound/outbound from filterlog's in/out on a WAN interface; null elsewhere (and without any)."""
    if not wan:
        return pl.lit(None, dtype=pl.String)
    on_wan = interface.is_in(wan)
    return (
        pl.when(on_wan & (pf_direction == "in"))
        .then(pl.lit("inbound"))
        .when(on_wan & (pf_direction == "out"))
        .then(pl.lit("outbound"))
    )


def _others(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Lines of other programs (or without a filterlog tag): system/other events with their message."""
    envelope = pl.col("raw").str.extract_groups(ENVELOPE)
    program = pl.col("_program")
    name = pl.coalesce(program.struct.field("program"), program.struct.field("program5424"))
    message = (
        pl.when(name.is_not_null())
        .then(program.struct.field("msg"))
        .otherwise(pl.col("_env").struct.field("body"))
    )
    link = pl.col("_link")
    link_state = link.struct.field("state").str.to_lowercase()
    return (
        frame.with_columns(envelope.alias("_env"))
        .with_columns(pl.col("_env").struct.field("body").str.extract_groups(_PROGRAM).alias("_program"))
        .with_columns(
            pl.when(name == "kernel").then(message).str.extract_groups(_LINK_STATE).alias("_link"),
            message.alias("_message"),
        )
        .select(
            "raw",
            "raw_file",
            "raw_line",
            pl.col("raw").alias("head"),
            pl.when(name.is_null() & pl.col("_env").struct.field("time").is_null())
            .then(pl.lit(NOT_SYSLOG))
            .alias(REASON),
            pl.lit("system").alias("event_class"),
            pl.when(link_state == "up")
            .then(pl.lit("up"))
            .when(link_state == "down")
            .then(pl.lit("down"))
            .otherwise(pl.lit("other"))
            .alias("action"),
            link.struct.field("state").alias("vendor_action"),
            link.struct.field("interface").alias("rule_name"),
            name.alias("message_id"),
            pl.col("_message").alias("message"),
            pl.lit(False).alias("_hash_tracker"),
            *extra_columns(
                program=name,
                pid=pl.coalesce(program.struct.field("pid"), program.struct.field("procid")),
            ),
        )
    )


def _with_envelope(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Read each distinct envelope (``head``) once: time, host → device, PRI → severity; vendor/product."""
    env = pl.col("_env")
    level = env.struct.field("pri").cast(pl.Int32, strict=False) % 8
    headers = (
        frame.select(pl.col("head").unique())
        .with_columns(pl.col("head").str.extract_groups(ENVELOPE).alias("_env"))
        .select(
            "head",
            any_time(env.struct.field("time"), ctx.timezone, ctx.date).alias("time"),
            env.struct.field("host").alias("device"),
            level.cast(pl.String).alias("vendor_severity"),
            syslog_severity(level).alias("severity"),
            env.struct.field("host").str.to_lowercase().str.contains("opnsense").alias("_opnsense_host"),
        )
    )
    configured = ctx.options.get("product")
    is_opnsense = (
        pl.lit(configured.lower() == "opnsense")
        if configured
        else pl.col("_opnsense_host") | pl.col("_hash_tracker")
    )
    return (
        frame.join(headers, on="head", how="left", maintain_order="left")
        .with_columns(
            pl.when(is_opnsense).then(pl.lit("Deciso")).otherwise(pl.lit(VENDOR)).alias("vendor"),
            pl.when(is_opnsense).then(pl.lit("OPNsense")).otherwise(pl.lit(PRODUCT)).alias("product"),
        )
        .drop("head", "_opnsense_host", "_hash_tracker", "_wan_direction", strict=False)
    )
