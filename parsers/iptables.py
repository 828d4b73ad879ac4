"""Linux netfilter packet log lines: iptables/ip6tables ``LOG``, nftables ``log``, UFW, firewalld,
Ubiquiti EdgeOS / VyOS, OpenWrt and hand-written log prefixes.

Format reference: ``../shared/formats/iptables.md``. Covers the kernel's ``nf_log`` output (IPv4
and IPv6, Linux 2.6 to 6.x) as written by klogd, rsyslog, syslog-ng or journald forwarding: an
RFC 3164, RFC 5424 or ISO relay header (or none), ``kernel:``, an optional kernel uptime
``[12345.678]``, the log prefix, then ``IN=<if> OUT=<if> [PHYSIN= PHYSOUT=] [MAC=] SRC= DST= LEN=
... PROTO= ...``.

How a line is read
------------------
1. One anchored regex splits the line at the first ``IN=<if> OUT=<if>``: before it the header up to
   ``kernel:`` (when there is one), the uptime (``extra.uptime``, not wall time) and the log prefix
   (everything else up to ``IN=``, which it may be glued to: ``[WAN_OUT-2000-A]IN=eth0``); after it
   the packet fields. Without ``kernel:`` the text before ``IN=`` is read with
   ``envelope.ENVELOPE`` and what follows the header is the prefix; a word ending in ``:`` right
   after the time (``Jan  8 03:37:09 DENY: IN=...``) is the prefix, not a host name (RFC 3164 host
   names carry no colon; log prefixes conventionally end in ``: ``).
2. Lines cut at the front by a ring-buffer overrun (``kernel: TL=126 ID=4622 DF PROTO=TCP SPT=389
   ...``, no ``IN=``/``OUT=``) are read after the header: their first token may be a fragment
   (``TL=126`` of ``TTL=126``, ``0`` of ``LEN=60``) and is skipped unless a space comes before
   it or it is a whole key no other key ends with (``TTL=``, ``SRC=``, ``PROTO=``...). Such a line is still
   an event (``extra.truncated`` = ``true``) with what it carries (ports, protocol, time, device)
   when it holds at least one of ``SRC=``/``DST=``/``PROTO=``/``SPT=``/``DPT=``; its prefix and
   interfaces are lost (rule, action, zones null). A line with neither ``IN=``/``OUT=`` nor any of
   those keys is quarantined (``NO_FIELDS``).
3. Packet fields are read by name, each group of keys the kernel always writes together by one
   pattern (first occurrence): ``SRC DST LEN``; ``PROTO`` with ``SPT DPT`` or ``TYPE CODE``;
   ``UID GID`` and ``MARK`` at the end; ``MAC``, ``TTL``/``HOPLIMIT`` and the TCP flags alone. In a
   cut line a group whose first key was cut away is lost (the line keeps it in ``raw``). The
   packet embedded in an ICMP error (`` [SRC=... ]``) is kept whole in ``extra.embedded_packet``;
   its addresses and ports never become the event's (the groups match the outer packet first).
   The first ``LEN`` is the IP length (UDP repeats ``LEN``). The usual start of an IPv4
   TCP/UDP/ICMP packet (``MAC SRC DST LEN TOS PREC TTL ID [flags] PROTO SPT DPT|TYPE CODE``) is
   read by one anchored pattern that gives the same values (``_USUAL_FIELDS``); the per-group
   patterns read only the lines it does not match (parse CPU -20 %).
4. The envelope (time, host, PRI) and the prefix (rule, action, product) are read once per distinct
   text and joined back.

Columns
-------
``event_class`` network_activity; ``time`` the header time (RFC 3164: no year and no zone → read in
``ctx.timezone``, the year closest to ``ctx.date``; RFC 5424/ISO with an offset: exact); null only
for a line without a header time. ``device`` the header host; ``severity`` from the PRI when the
line has one (``envelope.syslog_severity``; level digit in ``vendor_severity``). ``src_ip``/
``dst_ip`` ``SRC``/``DST`` (IPv6 written fully expanded by the kernel, ``fe80:0000:...:790a``, is
put in canonical compressed form, ``fe80::84:88ff:feae:790a``); ``src_port``/``dst_port``
``SPT``/``DPT``; ``protocol`` ``PROTO`` lower-case (``ICMPv6`` → ``ipv6-icmp``, IANA numbers →
names for 1, 2, 6, 17, 47, 50, 51, 58, 132); ICMP ``TYPE``/``CODE`` → ``extra.icmp_type``/
``icmp_code``. ``src_zone`` = ``IN``, ``dst_zone`` = ``OUT`` (empty → null). Each line is one
packet, not a connection: ``bytes_out`` = ``bytes_total`` = ``LEN`` (what the source sent),
``packets`` = 1, no duration. Extras: ``mac``, ``ttl``, ``tcp_flags`` (the flags between ``RES=``
and ``URGP=``, e.g. ``ACK PSH``), ``uid``/``gid`` (``--log-uid``), ``mark``, ``physin``/
``physout`` (bridge ports), ``path`` (input/output/forward, see below), ``ruleset``/
``rule_number`` (EdgeOS). ``message_id`` and ``message`` are null (netfilter has no message id).

Rule, action and product: from the log prefix
----------------------------------------------
``rule_name`` = the prefix without surrounding brackets, trailing ``:`` and spaces (``[UFW
BLOCK] `` → ``UFW BLOCK``, ``iptables DROP_INPUT: `` → ``iptables DROP_INPUT``); null without
prefix. ``vendor_action`` = the word the action was read from, as written.

| prefix | product (vendor) | action |
|---|---|---|
| ``[UFW BLOCK]`` | UFW (Linux) | drop (UFW's default deny policy drops silently) |
| ``[UFW LIMIT BLOCK]`` | UFW | deny (``ufw limit`` rejects) |
| ``[UFW ALLOW]`` | UFW | allow |
| ``[UFW AUDIT]``, ``[UFW AUDIT INVALID]`` | UFW | null: audit logging happens before any verdict |
| ``[<ruleset>-<rule>-<A|D|R>]`` (EdgeOS/VyOS, e.g. ``[WAN_LOCAL-default-D]``) | EdgeOS (Ubiquiti) | A → allow, D → drop, R → deny; ruleset and rule number to extra |
| ``FINAL_REJECT:``, ``STATE_INVALID_DROP:``, ``filter_<chain>_<zone>_<ACTION>:`` | firewalld (Linux) | by keyword, below |
| any other (``DROP``, ``SFW2-INext-DROP-DEFLT``, ``DROP(src wan)``, ``Shorewall:net2fw:DROP:``) | netfilter (Linux) | the first keyword: DROP/DROPPED → drop; REJECT/REJECTED, DENY/DENIED → deny; BLOCK/BLOCKED → drop; ACCEPT/ACCEPTED, ALLOW/ALLOWED, PERMIT/PERMITTED → allow; none (``FIREWALL_OUT``, ``IPTABLE``) → null |

Keywords are matched case-insensitively as whole words (delimited by anything but a letter). A
``LOG`` rule does not say what happened to the packet afterwards: without a keyword the action is
null, never guessed.

Direction: from the interfaces. ``IN`` set and ``OUT`` empty → the packet is for this host
(``path`` input) → ``inbound``; ``IN`` empty and ``OUT`` set → sent by this host (output) →
``outbound``; either being the loopback ``lo`` → ``internal``; both set → forwarded (``path``
forward) → from the address ranges (``envelope.range_direction``), as for truncated lines.
"""

from __future__ import annotations

import polars as pl

from seclake.parsers.contract import REASON, ParseContext, ParseResult, finish
from seclake.parsers.envelope import ENVELOPE, any_time, range_direction, syslog_severity
from seclake.parsers.kv import integer, lookup, port
from seclake.schema import extra_columns

NAME = "iptables"
VENDOR = "Linux"
PRODUCT = "netfilter"
VERSION = "1"

NO_FIELDS = "no netfilter packet fields (IN=/OUT=, SRC=, DST=, PROTO=, SPT=, DPT=)"

_INTERFACES = r"IN=[^ ]* OUT=[^ ]*"
"""Where the packet fields start (the prefix may be glued to ``IN=``)."""
_LEAD = r"^ ?(?:\[ *(?P<uptime>[0-9]+\.[0-9]+)\] ?)?(?P<prefix>(?s:.*))$"
"""What follows ``kernel:``: the uptime, then the prefix (or a cut line's fields)."""
_WHOLE_FIRST = (
    r"^(?: |(?:SRC|DST|LEN|TOS|PREC|TTL|ID|PROTO|SPT|DPT|WINDOW|RES|URGP|MAC|TYPE|CODE|SEQ|MARK|TC|HOPLIMIT"
    r"|FLOWLBL)=)"
)
"""A cut line's text starts with a whole token: a space, or a key no other key name ends with."""
_ADDRESSES = r"(?:^| )SRC=(?P<src>[^ ]*) DST=(?P<dst>[^ ]*) LEN=(?P<len>[0-9]*)"
_PROTOCOL = (
    r"(?:^| )PROTO=(?P<proto>[^ ]*)(?: SPT=(?P<spt>[0-9]*) DPT=(?P<dpt>[0-9]*)"
    r"| TYPE=(?P<type>[0-9]*) CODE=(?P<code>[0-9]*))?"
)
_OWNER = r"(?:(?:^| )UID=(?P<uid>[0-9]*) GID=(?P<gid>[0-9]*))?(?: MARK=(?P<mark>[^ ]*))? *$"
_EMBEDDED = r" \[([^\]]*)\]"
_HAS_FIELDS = r"(?:^| )(?:SRC|DST|PROTO|SPT|DPT)="
_SNIFF = r"(?:^|[ \]):])IN=[^ ]* OUT=[^ ]* |kernel: (?:\[ *[0-9]+\.[0-9]+\] )?[^ ]* .*PROTO=[0-9A-Za-z]+ "
_MAC = r"(?:^| )MAC=(?P<mac>[^ ]*)"
_FLAGS = r" RES=0x[0-9A-Fa-f]+ ((?:[A-Z]{3} )*)URGP="
_USUAL_FIELDS = (
    r"^ (?:MAC=(?P<mac>[0-9A-Fa-f:]*) )?SRC=(?P<src>[0-9.]+) DST=(?P<dst>[0-9.]+) LEN=(?P<len>[0-9]+)"
    r" TOS=0x[0-9A-Fa-f]+ PREC=0x[0-9A-Fa-f]+ TTL=(?P<ttl>[0-9]+) ID=[0-9]+ (?:(?:CE|DF|MF) )*"
    r"PROTO=(?P<proto>[A-Z]+) (?:SPT=(?P<spt>[0-9]+) DPT=(?P<dpt>[0-9]+)|TYPE=(?P<type>[0-9]+) CODE=(?P<code>[0-9]+))"
)
"""How the fields of an IPv4 TCP/UDP/ICMP packet usually begin: one pattern the regex engine runs
on its one-pass path (anchored, each choice decided by the next character). Where it matches,
the TTL, address and protocol patterns (and ``_MAC`` when the MAC is there) would each read the
same values (their first occurrence is the token here, and each value here runs up to the next
space or non-digit, as theirs); those patterns read only the other lines (``_MAC`` also the
lines that match without a MAC: a later `` MAC=`` is theirs)."""

_UFW = r"^UFW (.+)$"
_EDGEOS = r"^([A-Za-z0-9_.]+(?:-[A-Za-z0-9_.]+)*?)-(default|[0-9]+)-([ADR])$"
_FIREWALLD = r"^(?:FINAL_REJECT|STATE_INVALID_DROP|(?:filter|nat|mangle|raw)_[A-Za-z0-9_]+_(?:DROP|REJECT|ACCEPT|ALLOW|DENY))$"
_KEYWORD = (
    r"(?i)(?:^|[^a-z])((drop|reject|deny|denied|block|accept|allow|permit)(?:s|ed|ped|ted)?)(?:[^a-z]|$)"
)

_KEYWORD_ACTIONS = {
    "drop": "drop",
    "reject": "deny",
    "deny": "deny",
    "denied": "deny",
    "block": "drop",
    "accept": "allow",
    "allow": "allow",
    "permit": "allow",
}
_UFW_ACTIONS = {"BLOCK": "drop", "LIMIT BLOCK": "deny", "ALLOW": "allow"}
_EDGEOS_ACTIONS = {"A": "allow", "D": "drop", "R": "deny"}
_PROTOCOLS = {
    "icmpv6": "ipv6-icmp",
    "1": "icmp",
    "2": "igmp",
    "6": "tcp",
    "17": "udp",
    "47": "gre",
    "50": "esp",
    "51": "ah",
    "58": "ipv6-icmp",
    "132": "sctp",
}
_PORTED = ("tcp", "udp", "udplite", "sctp", "dccp")


def sniff(lines: pl.Series) -> pl.Series:
    """True for netfilter log lines (``IN=<if> OUT=<if>``, or a cut ``kernel:`` line with ``PROTO=``)."""
    return lines.str.contains(_SNIFF).fill_null(False).alias(NAME)


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse netfilter log lines into network events; see the module docstring."""
    frame = _with_envelope(_split(lines), ctx)
    frame = _packet(_with_prefix(frame))
    return finish(frame, ctx, format_name=NAME, vendor=pl.col("vendor"), product=pl.col("product"))


def _bytes(text: pl.Expr, start: pl.Expr, length: pl.Expr | None = None) -> pl.Expr:
    """A slice of ``text`` by byte offsets (``str.find`` gives bytes, ``str.slice`` counts characters).
    The offsets used here are those of ASCII text (``kernel:``, ``IN=``), so the slice is valid UTF-8."""
    return text.cast(pl.Binary).bin.slice(start, length).cast(pl.String)


def _split(lines: pl.DataFrame) -> pl.DataFrame:
    """Cut each line at ``kernel:`` and at ``IN=<if> OUT=<if>`` (found by position, no captures):
    ``env`` (header up to ``kernel:``), ``uptime``, ``prefix``, ``in``, ``out``, ``fields``.

    Cut lines (no ``IN=``/``OUT=``, ``_truncated``) get their text after ``kernel:`` (or the whole
    line) as ``fields``; ``_with_envelope`` finishes them."""
    raw = pl.col("raw")
    at_in, at_kernel = pl.col("_at_in"), pl.col("_at_kernel")
    kernel = at_kernel.is_not_null() & (at_in.is_null() | (at_kernel < at_in)).fill_null(False)
    lead_start = pl.when(kernel).then(at_kernel + len("kernel:")).otherwise(0)
    located = lines.with_columns(
        raw.str.find(_INTERFACES).alias("_at_in"),
        raw.str.find("kernel:", literal=True).alias("_at_kernel"),
    ).with_columns(
        pl.when(kernel).then(_bytes(raw, pl.lit(0), at_kernel + len("kernel:"))).alias("env"),
        _bytes(raw, lead_start, at_in - lead_start).alias("_lead"),
        _bytes(raw, at_in).str.extract_groups(r"^IN=(?P<in>[^ ]*) OUT=(?P<out>[^ ]*)").alias("_io"),
        at_in.is_null().alias("_truncated"),
    )
    lead = pl.col("_lead")
    return (
        located.unnest("_io")
        .with_columns(
            lead.str.extract(r"^ ?\[ *([0-9]+\.[0-9]+)\]", 1).alias("uptime"),
            lead.str.replace(r"^ ?\[ *[0-9]+\.[0-9]+\] ?", "").alias("_lead"),
            _bytes(
                raw, at_in + len("IN= OUT=") + pl.col("in").str.len_bytes() + pl.col("out").str.len_bytes()
            ).alias("fields"),
        )
        .with_columns(
            pl.when(pl.col("_truncated")).then(lead).otherwise(pl.col("fields")).alias("fields"),
            pl.when(pl.col("_truncated")).then(pl.lit("")).otherwise(lead).alias("prefix"),
        )
        .drop("_at_in", "_at_kernel", "_lead")
    )


def _with_envelope(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Read each distinct header once (time, host, PRI); without ``kernel:``, split header from prefix.

    Lines without ``kernel:`` give their whole text before ``IN=`` (cut lines: the whole line) to
    ``ENVELOPE``; what follows the header is the prefix (cut lines: the fields). The first token of
    a cut line's fields is dropped when it may be a fragment (``_WHOLE_FIRST``)."""
    no_kernel = pl.col("env").is_null()
    is_cut = pl.col("_truncated")
    header = (
        pl.when(no_kernel & is_cut)
        .then(pl.col("raw"))
        .when(no_kernel)
        .then(pl.col("prefix"))
        .otherwise(pl.col("env"))
    )
    frame = frame.with_columns(header.alias("_head"))
    env = pl.col("_e")
    host, body = env.struct.field("host"), env.struct.field("body")
    host_is_prefix = body.str.strip_chars().eq("") & pl.col("_head").str.contains(r"[^ ]: *$")
    headers = (
        frame.select(pl.col("_head").unique())
        .with_columns(pl.col("_head").str.extract_groups(ENVELOPE).alias("_e"))
        .select(
            "_head",
            any_time(env.struct.field("time"), ctx.timezone, ctx.date).alias("time"),
            pl.when(host_is_prefix).then(None).otherwise(host).alias("device"),
            pl.when(host_is_prefix).then(host + ":").otherwise(body).alias("_body"),
            (env.struct.field("pri").cast(pl.Int32, strict=False) % 8).alias("_level"),
        )
    )
    fields = pl.when(no_kernel & is_cut).then(pl.col("_body")).otherwise(pl.col("fields"))
    return (
        frame.join(headers, on="_head", how="left", maintain_order="left")
        .with_columns(
            pl.when(no_kernel & ~is_cut).then(pl.col("_body")).otherwise(pl.col("prefix")).alias("prefix"),
            fields.alias("fields"),
            pl.col("_level").cast(pl.String).alias("vendor_severity"),
            syslog_severity(pl.col("_level")).alias("severity"),
        )
        .with_columns(
            pl.when(is_cut & ~pl.col("fields").str.contains(_WHOLE_FIRST))
            .then(pl.col("fields").str.replace(r"^[^ ]*", ""))
            .otherwise(pl.col("fields"))
            .alias("fields")
        )
        .drop("_head", "_body", "_level", "env")
    )


def _with_prefix(frame: pl.DataFrame) -> pl.DataFrame:
    """Rule name, action, vendor word and product of each distinct prefix, joined back."""
    trimmed = pl.col("prefix").str.strip_chars(" ").str.strip_chars_end(":").str.strip_chars(" ")
    rule = pl.coalesce(trimmed.str.extract(r"^\[(.*)\]$", 1), trimmed)
    rule = pl.when(rule != "").then(rule)
    ufw = pl.col("rule_name").str.extract(_UFW, 1)
    edgeos = pl.col("rule_name").str.extract_groups(_EDGEOS)
    keyword = pl.col("rule_name").str.extract(_KEYWORD, 1)
    keyword_root = pl.col("rule_name").str.extract(_KEYWORD, 2).str.to_lowercase()
    ufw_action, edgeos_action = pl.col("_ufw"), pl.col("_edgeos").struct.field("3")
    is_firewalld = pl.col("rule_name").str.contains(_FIREWALLD)
    prefixes = (
        frame.select(pl.col("prefix").unique())
        .with_columns(rule.alias("rule_name"))
        .with_columns(ufw.alias("_ufw"), edgeos.alias("_edgeos"))
        .select(
            "prefix",
            "rule_name",
            pl.when(ufw_action.is_not_null())
            .then(lookup(ufw_action, _UFW_ACTIONS))
            .when(edgeos_action.is_not_null())
            .then(lookup(edgeos_action, _EDGEOS_ACTIONS))
            .otherwise(lookup(keyword_root, _KEYWORD_ACTIONS))
            .alias("action"),
            pl.coalesce(ufw_action, edgeos_action, keyword).alias("vendor_action"),
            pl.when(ufw_action.is_not_null())
            .then(pl.lit("UFW"))
            .when(edgeos_action.is_not_null())
            .then(pl.lit("EdgeOS"))
            .when(is_firewalld)
            .then(pl.lit("firewalld"))
            .otherwise(pl.lit(PRODUCT))
            .alias("product"),
            pl.when(edgeos_action.is_not_null())
            .then(pl.lit("Ubiquiti"))
            .otherwise(pl.lit(VENDOR))
            .alias("vendor"),
            *extra_columns(
                ruleset=pl.col("_edgeos").struct.field("1"),
                rule_number=pl.col("_edgeos").struct.field("2"),
            ),
        )
    )
    return frame.join(prefixes, on="prefix", how="left", maintain_order="left").drop("prefix")


def _packet(frame: pl.DataFrame) -> pl.DataFrame:
    """Packet fields (each group of keys netfilter writes together read by one pattern, first
    occurrence), interfaces, direction; ``reason`` for a cut line with no packet field."""
    text, usual = pl.col("fields"), pl.col("_usual")
    other = pl.when(usual.struct.field("src").is_null()).then(text)  # the general patterns read only these
    addresses, protocol = other.str.extract_groups(_ADDRESSES), other.str.extract_groups(_PROTOCOL)
    fields = {
        "src": addresses,
        "dst": addresses,
        "len": addresses,
        "proto": protocol,
        "spt": protocol,
        "dpt": protocol,
        "type": protocol,
        "code": protocol,
        "mac": pl.when(usual.struct.field("mac").is_null()).then(text).str.extract_groups(_MAC),
        "ttl": other.str.extract_groups(r"(?:^| )(?:TTL|HOPLIMIT)=(?P<ttl>[0-9]*)"),
    }
    read = (
        frame.lazy()
        .with_columns(text.str.extract_groups(_USUAL_FIELDS).alias("_usual"))
        .with_columns(
            *(
                pl.coalesce(usual.struct.field(field), general.struct.field(field)).alias(field)
                for field, general in fields.items()
            ),
            text.str.extract_groups(_OWNER).alias("_owner"),
            text.str.extract(_FLAGS, 1).alias("_flags"),
            text.str.extract(_EMBEDDED, 1).str.strip_chars().alias("_embedded"),
            pl.when(pl.col("in") != "").then(pl.col("in")).alias("src_zone"),
            pl.when(pl.col("out") != "").then(pl.col("out")).alias("dst_zone"),
        )
        .unnest("_owner")
        .rename({"mac": "_mac", "ttl": "_ttl"})
        .drop("_usual")
        .collect()
    )
    proto_word = pl.col("proto").str.to_lowercase()
    read = read.with_columns(pl.coalesce(lookup(proto_word, _PROTOCOLS), proto_word).alias("protocol"))
    ported = pl.col("protocol").is_in(_PORTED)
    length = integer(pl.col("len"))
    src_zone, dst_zone, is_cut = pl.col("src_zone"), pl.col("dst_zone"), pl.col("_truncated")
    path = (
        pl.when(is_cut)
        .then(None)
        .when(src_zone.is_not_null() & dst_zone.is_not_null())
        .then(pl.lit("forward"))
        .when(src_zone.is_not_null())
        .then(pl.lit("input"))
        .when(dst_zone.is_not_null())
        .then(pl.lit("output"))
    )
    events = read.with_columns(
        pl.when(is_cut & ~text.str.contains(_HAS_FIELDS)).then(pl.lit(NO_FIELDS)).alias(REASON),
        pl.lit("network_activity").alias("event_class"),
        pl.when(pl.col("src") != "").then(pl.col("src")).alias("src_ip"),
        pl.when(pl.col("dst") != "").then(pl.col("dst")).alias("dst_ip"),
        pl.when(ported).then(port(pl.col("spt"))).alias("src_port"),
        pl.when(ported).then(port(pl.col("dpt"))).alias("dst_port"),
        length.alias("bytes_out"),
        length.alias("bytes_total"),
        pl.lit(1, dtype=pl.Int64).alias("packets"),
        path.alias("_path"),
        *extra_columns(
            uptime=pl.col("uptime"),
            mac=pl.col("_mac"),
            ttl=pl.col("_ttl"),
            tcp_flags=pl.when(pl.col("protocol") == "tcp").then(pl.col("_flags").str.strip_chars_end(" ")),
            icmp_type=pl.col("type"),
            icmp_code=pl.col("code"),
            uid=pl.col("uid"),
            gid=pl.col("gid"),
            mark=pl.col("mark"),
            embedded_packet=pl.col("_embedded"),
            truncated=pl.when(is_cut).then(pl.lit("true")),
        ),
    )
    events = _canonical_addresses(events)
    loopback = ((src_zone == "lo") | (dst_zone == "lo")).fill_null(False)
    return events.with_columns(
        pl.when(loopback)
        .then(pl.lit("internal"))
        .when(pl.col("_path") == "input")
        .then(pl.lit("inbound"))
        .when(pl.col("_path") == "output")
        .then(pl.lit("outbound"))
        .otherwise(range_direction(pl.col("src_ip"), pl.col("dst_ip")))
        .alias("direction"),
        *extra_columns(path=pl.col("_path")),
    ).drop(
        "in",
        "out",
        "uptime",
        "fields",
        "src",
        "dst",
        "len",
        "proto",
        "spt",
        "dpt",
        "type",
        "code",
        "uid",
        "gid",
        "mark",
        "_mac",
        "_ttl",
        "_flags",
        "_embedded",
        "_truncated",
        "_path",
    )


def _compressed_ipv6(address: pl.Expr) -> pl.Expr:
    """RFC 5952 text of an uncompressed IPv6 address: lower case, no leading zeros, the longest
    (leftmost on a tie) run of two or more zero groups as ``::``."""
    short = address.str.to_lowercase().str.replace_all(r"(^|:)0+([0-9a-f])", "${1}${2}")
    chain = None
    for groups in range(8, 1, -1):
        run = rf"(?:^|:)0(?::0){{{groups - 1}}}(?::|$)"
        found = short.str.contains(run)
        then = short.str.replace(run, "::")
        chain = pl.when(found).then(then) if chain is None else chain.when(found).then(then)
    return chain.otherwise(short)


def _canonical_addresses(frame: pl.DataFrame) -> pl.DataFrame:
    """Put IPv6 ``src_ip``/``dst_ip`` written without ``::`` in canonical form (distinct values only)."""
    values = pl.concat([frame.get_column("src_ip"), frame.get_column("dst_ip")]).drop_nulls()
    expanded = values.filter(
        values.str.contains(":", literal=True) & ~values.str.contains("::", literal=True)
    )
    if expanded.len() == 0:
        return frame
    table = (
        expanded.unique()
        .to_frame("_address")
        .with_columns(_compressed_ipv6(pl.col("_address")).alias("_canon"))
    )
    for column in ("src_ip", "dst_ip"):
        frame = (
            frame.join(table, left_on=column, right_on="_address", how="left", maintain_order="left")
            .with_columns(pl.coalesce("_canon", column).alias(column))
            .drop("_canon")
        )
    return frame
