"""Juniper SRX / Junos OS syslog: structured-data (``sd-syslog``) and plain-text events.

Format reference: ``../shared/formats/juniper_srx.md`` (Juniper "System Log Explorer", "Junos OS
System Log Messages Reference"). Covers Junos 10.x-23.x on SRX (and other Junos boxes for the
system tags): RT_FLOW, RT_IDS screens, RT_IDP, RT_UTM (anti-virus, web filter, anti-spam,
content filter), interface, chassis-cluster, VPN, login and commit events, in the logical-system
variants too (``_LS`` suffix).

How a line is read
------------------
1. Structured form: ``[<PRI>1 ]<ISO time> <host> <app> <procid> <TAG> [junos@<id> key="value" ...]``,
   possibly behind a relay's header (``Sep 23 13:54:55 192.168.1.1 junos-flow: 2017-...``). The
   line is cut at `` [junos@`` (found by position); the text before ends with time, host, app,
   procid and tag (one end-anchored pattern); a relay header in front of the time is read with
   ``envelope.ENVELOPE``. The parameters are read by name with ``parsers.kv``: a key is only ever
   taken at a parameter boundary outside quotes, so text inside a quoted value (``reason="x
   source-address=6.6.6.6"``) never sets a field; ``\\"``, ``\\\\`` and ``\\]`` escapes are undone.
   Fast paths, same output: a head without relay header (``<PRI>1 <time> ...``) is read by a
   start-anchored pattern, a body whose parameters hold no backslash and end the line is cut by
   position; the general patterns read only the other lines (parse CPU -22 %).
2. Plain form: ``<header> <app>[pid]: <TAG>: <text>``: the header is read with
   ``envelope.ENVELOPE``; RT_FLOW session texts (``session created|closed <reason>:|denied
   src/port->dst/port ...``, addresses split at the last ``/`` so IPv6 works) and interface traps
   (``ifName ge-0/0/45``) are read positionally; other plain events keep their text in ``message``.
3. A line with neither form (no ``[junos@`` parameters and no ``TAG:`` after a program name) is
   quarantined (``NO_TAG``).

Time: the structured time (RFC 5424, with its offset; without offset read in ``ctx.timezone``),
else the plain header time (RFC 3164 without year: year closest to ``ctx.date``, read in
``ctx.timezone``); null only for a line without either. ``device`` is the structured host (the SRX,
not the relay), else the header host.

Columns: ``message_id`` the tag (``RT_FLOW_SESSION_CREATE_LS`` kept whole); src/dst
``source-address``/``destination-address`` and ports (client → server, before NAT);
``nat_src_ip``/``nat_dst_ip`` the ``nat-*-address`` when it differs from the original (Junos
repeats the original when there is no NAT); ``protocol`` from ``protocol-id`` (IANA names for 1,
6, 17, 47, 50, 51, 58), else ``protocol-name``; zones ``source-zone-name``/
``destination-zone-name`` (``source-zone``/``destination-zone`` in UTM); ``bytes_out``
``bytes-from-client``, ``bytes_in`` ``bytes-from-server``, ``bytes_total`` their sum,
``packets`` the sum of ``packets-from-*``, ``duration_s`` ``elapsed-time``; ``user``
``username`` (``N/A``, ``None``, ``UNKNOWN`` and empty are null markers, here and in every
value); ``severity`` from the PRI (``threat-severity`` for IDP). Other parameters go to extra
under their own name (``-`` → ``_``).

Class and action by tag (``_LS`` suffix ignored; ``vendor_action`` = the ``action`` parameter
when there is one, else the tag's verb):

| tag | class | action | rule_name |
|---|---|---|---|
| RT_FLOW_SESSION_CREATE / _CLOSE | network_activity | allow (CLOSE: ``reason`` to extra) | policy-name |
| RT_FLOW_SESSION_DENY | network_activity | deny | policy-name |
| FLOW_* (RPF fail, reassembly, ...) | network_activity | drop | - |
| RT_SCREEN_* (screens) | network_activity | deny (``alarm-without-drop`` → allow) | attack-name |
| IDP_ATTACK_LOG_EVENT (RT_IDP) | network_activity | DROP* → drop, CLOSE* → reset, NONE/IGNORE/DIFFSERV → allow, else null | attack-name |
| AV_VIRUS_DETECTED* | malware_detection | blocked (the SRX drops infected content) | - |
| AV_*_DROP* (file not scanned and dropped) | malware_detection | blocked | - |
| AV_*_PASSED* (file not scanned, passed) | malware_detection | failed | - |
| WEBFILTER_URL_BLOCKED / _REDIRECTED / _PERMITTED | network_activity | deny / deny / allow | category |
| ANTISPAM_*, CONTENT_FILTERING_* | network_activity | the ``action`` parameter: drop → drop, block(ed)/reject → deny, permit(ted)/pass → allow | profile-name |
| SNMP_TRAP_LINK_DOWN / _UP | system | down / up | interface |
| JSRPD_REDUNDANCY_GROUP_STATE_CHANGE | system | failover | redundancy group |
| KMD_VPN_DOWN_ALARM_USER / _UP_ | system | down / up | vpn-name |
| UI_LOGIN_EVENT, UI_AUTH_EVENT, SSHD_LOGIN_ACCEPTED | authentication | success | - |
| SSHD_LOGIN_FAILED, LOGIN_FAILED, UI_LOGIN_FAILED, UI_AUTH_INVALID_CHALLENGE | authentication | failure | - |
| UI_COMMIT, UI_COMMIT_COMPLETED, UI_CFG_AUDIT_* | system | config_change | - |
| anything else | system | other | - |

Malware: ``malware_name`` = ``name``, ``file_path`` = ``filename``, URL to ``extra.url``.

Direction (null for system events): from the SRX zones when both are known: a zone whose name contains ``untrust``,
``internet``, ``outside``, ``wan`` or ``public`` (any case) is an outside zone: outside →
inside ``inbound``, inside → outside ``outbound``, inside → inside ``internal``, outside → outside
``unknown``; otherwise from the address ranges (``envelope.range_direction``).
"""

from __future__ import annotations

import polars as pl

from seclake.parsers import kv
from seclake.parsers.contract import REASON, ParseContext, ParseResult, finish
from seclake.parsers.envelope import ISO_TIME, iso_time, range_direction, syslog_severity
from seclake.schema import EXTRA_PREFIX

NAME = "juniper_srx"
VENDOR = "Juniper"
PRODUCT = "SRX"
VERSION = "1"

NO_TAG = "no Junos event tag (neither [junos@...] parameters nor '<program>: <TAG>:')"

_SD_START = " [junos@"
_SD_HEAD = rf"(?:^| )(?:<(?P<pri>[0-9]{{1,3}})>)?(?:1 )?(?P<time>{ISO_TIME}|-) (?P<host>[^ ]+) (?P<app>[^ ]+) (?P<procid>[^ ]+) (?P<tag>[A-Za-z0-9_]+)$"
_SD_USUAL_HEAD = (
    rf"^<(?P<pri>[0-9]{{1,3}})>1 (?P<time>{ISO_TIME}|-) (?P<host>[^ ]+) [^ ]+ [^ ]+ (?P<tag>[A-Za-z0-9_]+)$"
)
"""The usual head, ``_SD_HEAD`` at the start of the text with its PRI and version (no relay header):
where it matches, ``_SD_HEAD`` reads the same groups (its first choices) and leaves no relay text."""
_SD_BODY = r'^\[junos@[^ \]]* ?(?P<params>(?:[^"\]]|"(?:[^"\\]|\\.)*")*)\] ?(?P<text>(?s:.*))$'
_SD_USUAL = r'^\[junos@[^ \]"\\]*(?: (?:[^"\]\\]|"[^"\\]*")*)?\]$'
"""The usual body: the id, then parameters without a backslash up to the last character, the
only ``]`` outside quotes (params are cut by position, as ``_SD_BODY`` reads them; text empty)."""
_PLAIN = r"^(?P<head>.*?)(?P<app>[A-Za-z_][0-9A-Za-z_.\-]*)(?:\[(?P<pid>[0-9]+)\])?: (?P<tag>[A-Z][A-Z0-9_]{2,}): (?P<text>(?s:.*))$"
_SNIFF = r" \[junos@[0-9.]+[ \]]|(?:^|[ >])(?:RT_FLOW|RT_IDS|RT_IDP|RT_UTM|mib2d|jsrpd|kmd|mgd)(?:\[[0-9]+\])?: [A-Z][A-Z0-9_]+: "
OUTSIDE_ZONE = r"(?i)untrust|internet|outside|wan|public"
"""Zone names that face the internet (Juniper zones are named freely; these are the usual ones)."""
_NULL_MARKERS = ("N/A", "None", "UNKNOWN", "", "-")

_ADDR = r"(?P<{p}>[^ ]+)/(?P<{p}_port>[0-9]+)"
_FLOW_TEXT = (
    r"^session (?:created|closed (?P<close_reason>[^:]*):|denied) "
    + _ADDR.format(p="src")
    + "->"
    + _ADDR.format(p="dst")
    + r"(?: 0x[0-9a-f]+)? (?P<service>[^ ]+)"
    + r"(?: (?:(?P<nat_src>[^ ]+)/[0-9]+->(?P<nat_dst>[^ ]+)/[0-9]+(?: 0x[0-9a-f]+)?(?: [^ ]+){2,4}?"
    + r" (?P<proto>[0-9]{1,3})|(?P<deny_proto>[0-9]{1,3})\((?P<icmp_type>[0-9]+)\))"
    + r" (?P<policy>[^ ]+) (?P<src_zone>[^ ]+) (?P<dst_zone>[^ ]+)"
    + r"(?: (?P<session>[0-9]+)(?: (?P<pc>[0-9]+)\((?P<bc>[0-9]+)\) (?P<ps>[0-9]+)\((?P<bs>[0-9]+)\)"
    + r" (?P<elapsed>[0-9]+))?(?: (?P<user>[^ (]*)\([^)]*\))?)?)?"
)
"""Plain RT_FLOW texts (classic layout: services, NAT pair, NAT rule names, protocol, policy,
zones, session id, counters for CLOSE, user(roles)); DENY: ``service proto(icmp-type) policy zones``."""
_LINK_TEXT = r"ifName ([^ ,]+)"

_KEYS = (
    "source-address", "source-port", "destination-address", "destination-port", "nat-source-address",
    "nat-source-port", "nat-destination-address", "nat-destination-port", "protocol-id", "protocol-name",
    "protocol", "service-name", "policy-name", "source-zone-name", "destination-zone-name", "source-zone",
    "destination-zone", "username", "roles", "reason", "session-id-32", "session-id", "packets-from-client",
    "bytes-from-client", "packets-from-server", "bytes-from-server", "elapsed-time", "application",
    "nested-application", "packet-incoming-interface", "interface-name", "attack-name", "action",
    "threat-severity", "name", "filename", "url", "obj", "category", "profile", "profile-name",
    "error-message", "redundancy-group", "vpn-name", "logical-system-name", "icmp-type", "rule-name",
)  # fmt: skip
"""Structured parameters read by name; the ones without a column go to extra."""
_COLUMN_KEYS = (
    "source-address", "source-port", "destination-address", "destination-port", "nat-source-address",
    "nat-destination-address", "protocol-id", "protocol-name", "policy-name", "source-zone-name",
    "destination-zone-name", "source-zone", "destination-zone", "username", "packets-from-client",
    "bytes-from-client", "packets-from-server", "bytes-from-server", "elapsed-time", "attack-name", "action",
    "threat-severity", "name", "filename", "url", "category", "profile-name", "interface-name",
    "redundancy-group", "vpn-name",
)  # fmt: skip
"""Parameters mapped to event columns (the rest of ``_KEYS`` is kept in extra)."""

_PROTOCOLS = {"1": "icmp", "6": "tcp", "17": "udp", "47": "gre", "50": "esp", "51": "ah", "58": "ipv6-icmp"}
_PARAM_ACTIONS = {
    "drop": "drop",
    "block": "deny",
    "blocked": "deny",
    "reject": "deny",
    "permit": "allow",
    "permitted": "allow",
    "pass": "allow",
}
_IDP_ACTIONS = {
    "DROP": "drop", "DROP_PACKET": "drop", "DROP_CONNECTION": "drop", "CLOSE": "reset", "CLOSE_CLIENT": "reset",
    "CLOSE_SERVER": "reset", "CLOSE_CLIENT_AND_SERVER": "reset", "NONE": "allow", "IGNORE": "allow",
    "DIFFSERV_MARKING": "allow",
}  # fmt: skip
_IDP_SEVERITIES = {"CRITICAL": "critical", "HIGH": "high", "MAJOR": "high", "MEDIUM": "medium", "MINOR": "low",
                   "LOW": "low", "INFO": "info"}  # fmt: skip

_NET, _MAL, _AUTH, _SYS = "network_activity", "malware_detection", "authentication", "system"
_TAGS: tuple[tuple[str, str, str | None, str | None, str | None], ...] = (
    # (tag pattern on the base tag, class, fixed action, verb, rule parameter)
    (r"^RT_FLOW_SESSION_CREATE$", _NET, "allow", "created", "policy-name"),
    (r"^RT_FLOW_SESSION_CLOSE$", _NET, "allow", "closed", "policy-name"),
    (r"^RT_FLOW_SESSION_DENY$", _NET, "deny", "deny", "policy-name"),
    (r"^FLOW_", _NET, "drop", None, None),
    (r"^RT_SCREEN_", _NET, "screen", None, "attack-name"),
    (r"IDP_ATTACK_LOG_EVENT$", _NET, "idp", None, "attack-name"),
    (r"^AV_VIRUS_DETECTED", _MAL, "blocked", "detected", None),
    (r"^AV_.*DROP", _MAL, "blocked", "dropped", None),
    (r"^AV_.*PASSED", _MAL, "failed", "passed", None),
    (r"^WEBFILTER_URL_BLOCKED", _NET, "deny", "blocked", "category"),
    (r"^WEBFILTER_URL_REDIRECTED", _NET, "deny", "redirected", "category"),
    (r"^WEBFILTER_URL_PERMITTED", _NET, "allow", "permitted", "category"),
    (r"^(?:ANTISPAM|CONTENT_FILTERING)_", _NET, "param", None, "profile-name"),
    (r"^SNMP_TRAP_LINK_DOWN$", _SYS, "down", "down", "interface-name"),
    (r"^SNMP_TRAP_LINK_UP$", _SYS, "up", "up", "interface-name"),
    (r"^JSRPD_REDUNDANCY_GROUP_STATE_CHANGE", _SYS, "failover", None, "redundancy-group"),
    (r"^KMD_VPN_DOWN_ALARM_USER$", _SYS, "down", "down", "vpn-name"),
    (r"^KMD_VPN_UP_ALARM_USER$", _SYS, "up", "up", "vpn-name"),
    (r"^(?:UI_LOGIN_EVENT|UI_AUTH_EVENT|SSHD_LOGIN_ACCEPTED)$", _AUTH, "success", None, None),
    (
        r"^(?:SSHD_LOGIN_FAILED|LOGIN_FAILED|UI_LOGIN_FAILED|UI_AUTH_INVALID_CHALLENGE)$",
        _AUTH,
        "failure",
        None,
        None,
    ),
    (r"^(?:UI_COMMIT|UI_COMMIT_COMPLETED|UI_CFG_AUDIT_)", _SYS, "config_change", None, None),
)
"""Tag families; the first pattern that matches wins. Actions ``screen``, ``idp`` and ``param`` are
read from the ``action`` parameter (see the module docstring)."""


def sniff(lines: pl.Series) -> pl.Series:
    """True for Junos lines: ``[junos@...]`` parameters, or an SRX process followed by ``TAG:``."""
    return lines.str.contains(_SNIFF).fill_null(False).alias(NAME)


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse Junos events; see the module docstring."""
    at_sd = pl.col("raw").str.find(_SD_START, literal=True)
    located = lines.with_columns(at_sd.alias("_at_sd"))
    structured = _structured(located.filter(pl.col("_at_sd").is_not_null()), ctx)
    plain = _plain(located.filter(pl.col("_at_sd").is_null()).drop("_at_sd"), ctx)
    frame = pl.concat([structured, plain], how="diagonal_relaxed")
    return finish(_events(frame), ctx, format_name=NAME, vendor=VENDOR, product=PRODUCT)


def _bytes(text: pl.Expr, start: pl.Expr, length: pl.Expr | None = None) -> pl.Expr:
    """A slice by byte offsets (``str.find`` counts bytes); the cut is at ASCII text, so valid UTF-8."""
    return text.cast(pl.Binary).bin.slice(start, length).cast(pl.String)


def _structured(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """``... <tag> [junos@id params] text``: head fields, the relay header, parameters by name.

    One lazy plan (the head's groups, the body's cut and the time parse are computed once). The
    usual head (``_SD_USUAL_HEAD``: no relay header) is read by a pattern anchored at the start,
    ``_SD_HEAD`` (which must search for where the head starts) only on the other rows; the usual
    body (``_SD_USUAL``) is cut by position, ``_SD_BODY`` reads only the other rows."""
    raw, at, pre, body = pl.col("raw"), pl.col("_at_sd"), pl.col("_pre"), pl.col("_b")
    usual, space, usual_head = pl.col("_usual"), pl.col("_space"), pl.col("_usual_head")
    other_head = pl.col("_other_head")
    slow = pl.when(~usual).then(body).str.extract_groups(_SD_BODY)
    usual_params = (
        pl.when(space.is_null())
        .then(pl.lit(""))
        .otherwise(_bytes(pl.when(usual).then(body), space + 1, pl.col("_last") - space - 1))
    )
    is_usual_head = usual_head.struct.field("tag").is_not_null()

    def head(field: str) -> pl.Expr:
        return pl.coalesce(usual_head.struct.field(field), other_head.struct.field(field))

    read = (
        frame.lazy()
        .with_columns(_bytes(raw, pl.lit(0), at).alias("_pre"), _bytes(raw, at + 1).alias("_b"))
        .with_columns(
            pre.str.extract_groups(_SD_USUAL_HEAD).alias("_usual_head"),
            body.str.contains(_SD_USUAL).alias("_usual"),
            body.str.find(" ", literal=True).alias("_space"),
            (body.str.len_bytes() - 1).alias("_last"),
        )
        .with_columns(pl.when(~is_usual_head).then(pre).alias("_other"))
        .with_columns(pl.col("_other").str.extract_groups(_SD_HEAD).alias("_other_head"))
        .select(
            "raw",
            "raw_file",
            "raw_line",
            head("tag").alias("message_id"),
            head("host").alias("_host"),
            iso_time(head("time"), ctx.timezone).alias("_time"),
            pl.when(is_usual_head)
            .then(pl.lit(""))
            .otherwise(pl.col("_other").str.replace(_SD_HEAD, ""))
            .alias("_relay"),
            pl.when(usual).then(usual_params).otherwise(slow.struct.field("params")).alias("_params"),
            head("pri").cast(pl.Int32, strict=False).alias("_sd_pri"),
            pl.when(usual).then(pl.lit("")).otherwise(slow.struct.field("text")).alias("message"),
        )
        .collect()
    )
    read = kv.read_keys(read, "_params", _KEYS, kv.Syntax())
    relay = kv.read_envelopes(read.get_column("_relay"), ctx.timezone, ctx.date)
    return (
        pl.concat([read, relay], how="horizontal")
        .with_columns(
            pl.coalesce("_time", "_env_time").alias("time"),
            pl.coalesce("_host", "_env_host").alias("device"),
            pl.coalesce("_sd_pri", "_env_pri").alias("_pri"),
            pl.when(pl.col("message_id").is_null()).then(pl.lit(NO_TAG)).alias(REASON),
        )
        .drop(
            "_time", "_host", "_relay", "_params", "_env_time", "_env_host", "_env_pri", "_sd_pri", kv.PLAIN
        )
    )


def _plain(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """``<header> <app>[pid]: <TAG>: <text>``: header by ENVELOPE, RT_FLOW and link texts by position."""
    tagged = frame.with_columns(pl.col("raw").str.extract_groups(_PLAIN).alias("_p")).unnest("_p")
    text = pl.col("text")
    flow = text.str.extract_groups(_FLOW_TEXT)
    envelope = kv.read_envelopes(tagged.get_column("head"), ctx.timezone, ctx.date)

    def f(name: str) -> pl.Expr:
        return pl.col("_flow").struct.field(name)

    read = pl.concat([tagged, envelope], how="horizontal").with_columns(
        pl.when(text.str.starts_with("session ")).then(flow).alias("_flow"),
        text.str.extract(_LINK_TEXT, 1).alias(kv.column("interface-name")),
    )
    return read.select(
        "raw",
        "raw_file",
        "raw_line",
        pl.when(pl.col("tag").is_null()).then(pl.lit(NO_TAG)).alias(REASON),
        pl.col("tag").alias("message_id"),
        pl.col("_env_time").alias("time"),
        pl.col("_env_host").alias("device"),
        pl.col("_env_pri").alias("_pri"),
        text.alias("message"),
        kv.value("interface-name"),
        f("src").alias(kv.column("source-address")),
        f("src_port").alias(kv.column("source-port")),
        f("dst").alias(kv.column("destination-address")),
        f("dst_port").alias(kv.column("destination-port")),
        f("nat_src").alias(kv.column("nat-source-address")),
        f("nat_dst").alias(kv.column("nat-destination-address")),
        pl.coalesce(f("proto"), f("deny_proto")).alias(kv.column("protocol-id")),
        f("service").alias(kv.column("service-name")),
        f("policy").alias(kv.column("policy-name")),
        f("src_zone").alias(kv.column("source-zone-name")),
        f("dst_zone").alias(kv.column("destination-zone-name")),
        f("session").alias(kv.column("session-id-32")),
        f("close_reason").alias(kv.column("reason")),
        f("pc").alias(kv.column("packets-from-client")),
        f("bc").alias(kv.column("bytes-from-client")),
        f("ps").alias(kv.column("packets-from-server")),
        f("bs").alias(kv.column("bytes-from-server")),
        f("elapsed").alias(kv.column("elapsed-time")),
        f("user").alias(kv.column("username")),
        f("icmp_type").alias(kv.column("icmp-type")),
    )


def _tag_families(message_ids: pl.Series) -> pl.DataFrame:
    """Family columns (``event_class``, ``_fixed``, ``_verb``, ``_rule``) of each distinct tag."""
    table = pl.DataFrame(
        [(i, cls, action, verb, rule) for i, (_, cls, action, verb, rule) in enumerate(_TAGS)],
        schema={
            "_family": pl.Int32,
            "event_class": pl.String,
            "_fixed": pl.String,
            "_verb": pl.String,
            "_rule": pl.String,
        },
        orient="row",
    )
    base = pl.col("message_id").str.strip_suffix("_LS")
    family = None
    for index, (pattern, *_) in enumerate(_TAGS):
        hit = base.str.contains(pattern)
        family = pl.when(hit).then(pl.lit(index)) if family is None else family.when(hit).then(pl.lit(index))
    tags = message_ids.drop_nulls().unique().to_frame("message_id")
    return (
        tags.with_columns(family.cast(pl.Int32).alias("_family"))
        .join(table, on="_family", how="left")
        .drop("_family")
    )


def _events(frame: pl.DataFrame) -> pl.DataFrame:
    """Tag family (per distinct tag), class, action, and the event columns from the parameters;
    one lazy plan, so values used by several columns (IPs, zones) are computed once."""
    families = _tag_families(frame.get_column("message_id")).lazy()
    present = [k for k in _KEYS if kv.column(k) in frame.columns]
    lazy = frame.lazy().with_columns(
        *(
            pl.when(~pl.col(kv.column(k)).is_in(_NULL_MARKERS)).then(pl.col(kv.column(k))).alias(kv.column(k))
            for k in present
        ),
        *(pl.lit(None, dtype=pl.String).alias(kv.column(k)) for k in _KEYS if k not in present),
    )
    lazy = lazy.join(families, on="message_id", how="left", maintain_order="left")
    v = kv.value
    fixed, param = pl.col("_fixed"), v("action")
    action = (
        pl.when(fixed == "screen")
        .then(pl.when(param == "alarm-without-drop").then(pl.lit("allow")).otherwise(pl.lit("deny")))
        .when(fixed == "idp")
        .then(kv.lookup(param.str.to_uppercase(), _IDP_ACTIONS))
        .when(fixed == "param")
        .then(kv.lookup(param.str.to_lowercase(), _PARAM_ACTIONS))
        .when(fixed.is_not_null())
        .then(fixed)
        .when(pl.col("message_id").is_not_null())
        .then(pl.lit("other"))
    )
    rule = pl.col("_rule")
    rule_value = pl.when(rule == "").then(None)
    for key in (
        "policy-name",
        "attack-name",
        "category",
        "profile-name",
        "interface-name",
        "redundancy-group",
        "vpn-name",
    ):
        rule_value = rule_value.when(rule == key).then(v(key))
    src, dst = kv.ip(v("source-address")), kv.ip(v("destination-address"))
    nat_src, nat_dst = kv.ip(v("nat-source-address")), kv.ip(v("nat-destination-address"))
    proto_id = v("protocol-id")
    bytes_out, bytes_in = kv.integer(v("bytes-from-client")), kv.integer(v("bytes-from-server"))
    src_zone = pl.coalesce(v("source-zone-name"), v("source-zone"))
    dst_zone = pl.coalesce(v("destination-zone-name"), v("destination-zone"))
    extras = [k for k in _KEYS if k not in _COLUMN_KEYS]
    level = pl.col("_pri") % 8
    return (
        lazy.with_columns(
            pl.when(pl.col("event_class").is_null() & pl.col("message_id").is_not_null())
            .then(pl.lit(_SYS))
            .otherwise(pl.col("event_class"))
            .alias("event_class"),
            action.alias("action"),
            pl.coalesce(param, pl.col("_verb")).alias("vendor_action"),
            pl.when(pl.col("message") != "").then(pl.col("message")).alias("message"),
            rule_value.alias("rule_name"),
            src.alias("src_ip"),
            dst.alias("dst_ip"),
            kv.port(v("source-port")).alias("src_port"),
            kv.port(v("destination-port")).alias("dst_port"),
            pl.when(nat_src != src).then(nat_src).alias("nat_src_ip"),
            pl.when(nat_dst != dst).then(nat_dst).alias("nat_dst_ip"),
            pl.coalesce(
                kv.lookup(proto_id, _PROTOCOLS), proto_id, v("protocol-name").str.to_lowercase()
            ).alias("protocol"),
            src_zone.alias("src_zone"),
            dst_zone.alias("dst_zone"),
            bytes_out.alias("bytes_out"),
            bytes_in.alias("bytes_in"),
            (bytes_out + bytes_in).alias("bytes_total"),
            (kv.integer(v("packets-from-client")) + kv.integer(v("packets-from-server"))).alias("packets"),
            kv.integer(v("elapsed-time")).cast(pl.Float64).alias("duration_s"),
            v("username").alias("user"),
            pl.when(pl.col("event_class") == _MAL).then(v("name")).alias("malware_name"),
            pl.when(pl.col("event_class") == _MAL).then(v("filename")).alias("file_path"),
            pl.when(pl.col("event_class") != _SYS)
            .then(trust_direction(src_zone, dst_zone, src, dst))
            .alias("direction"),
            pl.coalesce(
                kv.lookup(v("threat-severity").str.to_uppercase(), _IDP_SEVERITIES), syslog_severity(level)
            ).alias("severity"),
            pl.coalesce(v("threat-severity"), level.cast(pl.String)).alias("vendor_severity"),
            *(v(k).alias(EXTRA_PREFIX + k.replace("-", "_")) for k in extras),
            pl.when(pl.col("event_class") != _MAL).then(v("filename")).alias(EXTRA_PREFIX + "filename"),
            v("url").alias(EXTRA_PREFIX + "url"),
            pl.when(pl.col("event_class") != _MAL).then(v("name")).alias(EXTRA_PREFIX + "name"),
            pl.when(rule.ne_missing("category")).then(v("category")).alias(EXTRA_PREFIX + "category"),
            pl.when(rule.ne_missing("profile-name"))
            .then(v("profile-name"))
            .alias(EXTRA_PREFIX + "profile_name"),
            pl.when(rule.ne_missing("interface-name"))
            .then(v("interface-name"))
            .alias(EXTRA_PREFIX + "interface_name"),
            pl.when(rule.ne_missing("policy-name"))
            .then(v("policy-name"))
            .alias(EXTRA_PREFIX + "policy_name"),
        )
        .drop(
            "_fixed",
            "_verb",
            "_rule",
            "_pri",
            "head",
            "app",
            "pid",
            "tag",
            "text",
            *(kv.column(k) for k in _KEYS),
            strict=False,
        )
        .collect()
    )


def trust_direction(src_zone: pl.Expr, dst_zone: pl.Expr, src: pl.Expr, dst: pl.Expr) -> pl.Expr:
    """From the zones when both are known (an ``OUTSIDE_ZONE`` to any other zone inbound, the
    reverse outbound, two inside zones internal), else from the address ranges of ``src``/``dst``."""
    src_out, dst_out = src_zone.str.contains(OUTSIDE_ZONE), dst_zone.str.contains(OUTSIDE_ZONE)
    return (
        pl.when(src_zone.is_null() | dst_zone.is_null())
        .then(range_direction(src, dst))
        .when(src_out & ~dst_out)
        .then(pl.lit("inbound"))
        .when(~src_out & dst_out)
        .then(pl.lit("outbound"))
        .when(~src_out & ~dst_out)
        .then(pl.lit("internal"))
        .otherwise(pl.lit("unknown"))
    )
