"""Fortinet FortiGate (FortiOS) key=value syslog.

Format reference: ``../shared/formats/fortigate.md`` (FortiOS Log Message Reference). Covers
FortiOS 6.x/7.x (quoted strings, ``eventtime``, ``tz``), 5.x (bare values, ``logtime``) and the
4.x traffic shape (``log_id``, ``src``/``dst``, ``status``, ``sent``/``rcvd``). CEF output of
FortiGate is not read here (see the CEF format).

How a line is read
------------------
1. The envelope (RFC 3164 / RFC 5424 / relay header, or none) is the text before the first
   ``date=``, ``devname=``, ``devid=``, ``logid=``, ``log_id=`` or ``type=`` at a word start; it is
   read with envelope.ENVELOPE once per distinct text (``parsers.kv.read_envelopes``). The rest
   is the payload, read with ``parsers.kv`` (quoted text is never taken as a field, see there;
   a key written twice keeps its first value).
2. ``type``/``subtype`` pick a family (traffic, virus, ips, webfilter, app-ctrl, other utm, event;
   ``log_id`` without ``logid`` is the 4.x shape); each family reads only its keys. A line with no
   ``type=`` is quarantined (``NO_PAYLOAD`` when no key at all starts a payload, ``NO_TYPE``).
   The keys FortiOS 6.4/7.x writes first (``date time devname devid eventtime tz logid type
   subtype level vd``) are read with the family keys in one pattern where a payload begins exactly
   so, and traffic's next run (``srcip srcport srcintf srcintfrole dstip dstport dstintf
   dstintfrole``) in one more; other lines read them key by key, to the same values (the fixed
   start of ``parsers.kv``). The traffic run stops where lines differ: next come ``sessionid``,
   or ``poluuid`` (``srcuuid dstuuid poluuid``) before it, depending on version and settings.
3. Keys without a column go to ``extra`` under their own names (``devid``, ``vd``, ``sessionid``,
   ``service``, ``app``, ``srccountry``, ``cfgpath``, ...). Addresses that are not IPs (sanitised
   ``x.x.x.x``, impossible ``21.259.351.45``) leave ``src_ip``/``dst_ip`` null and stay in
   ``extra.srcip``/``extra.dstip``.

Time
----
``eventtime`` (6.2+, UTC epoch) or ``logtime`` (5.x): seconds, ms, µs or ns by magnitude
(< 1e11 s, < 1e14 ms, < 1e17 µs, else ns). It is used when it agrees with ``date``+``time`` within
26 hours (any UTC offset); otherwise (sanitised values such as ``eventtime=111111111``) it is
ignored. Else ``date``+``time`` read with ``tz`` (``-0700``) when present, else in the source's
timezone (``ctx.timezone``). Else (4.x samples with a mangled ``time=08: 19:42``) the envelope
time. Null only when the line carries none of these.

Event class and action (``vendor_action`` keeps ``action``, or ``status`` for 4.x)
------------------------------------------------------------------------------------
- traffic (and 4.x ``status``): network_activity; accept, close, timeout, client-rst, server-rst
  (an endpoint reset an allowed session), start, dns → allow; deny → deny; ip-conn → drop.
- utm/virus with a ``virus`` name: malware_detection; blocked → blocked, passthrough → allowed,
  monitored/analytics → detected; malware_name = ``virus``, file_path = ``filename``, file_hash
  = ``analyticscksum`` (lower-case), ``url`` to extra. Without a virus name (sandbox submission
  ``analytics``, file-type or oversize blocks): network_activity as below.
- other utm (ips, anomaly, webfilter, app-ctrl, ssl, cifs, dlp, dns, ...): network_activity;
  blocked/block/deny → deny; dropped/drop/drop_session/clear_session → drop;
  reset/reset_client/reset_server → reset; pass/passthrough/detected/pass_session/monitored/
  allowed/exempt/analytics → allow. IPS/anomaly: rule_name = ``attack``, severity = ``severity``.
- event (the logid's last five digits, ``action``, ``status``):
  admin login 32001/32002 or ``action=login`` → authentication success/failure by ``status``;
  logout 32003 → authentication with action null (not a login); user authentication 43008/43009
  (``action=authentication``) and SSL VPN login failure 39426 (``ssl-login-fail``) →
  authentication; tunnel up/down (``action=tunnel-up``/``tunnel-down``, 39947/39948, 37138,
  23101) → system up/down with rule_name = ``vpntunnel`` else ``tunneltype``, and an IPsec
  DPD failure (``action=dpd``, the peer is gone) → system down; interface status 20090/20099 or
  ``action=interface-stat-change`` → system up/down from ``status``, rule_name = ``intf``;
  HA 37897 → up, 37898/37901 → down, 37904 (set as primary) → failover, 37894 (member joined)
  → up, rule_name = the member ``sn``; configuration 44545/44546/44547, a ``cfgpath`` or
  ``logdesc="Configuration changed"`` → config_change, except an edit of an interface's status
  (``cfgpath=system.interface``, ``cfgattr=status[up->down]``): that is the administrator
  taking the interface down or up, so system down/up with rule_name = ``cfgobj`` and
  vendor_action ``administratively down``/``up`` (as Cisco's 411004/411003); anything else →
  system/other.
  The admin's address is ``srcip`` else the one in ``ui=ssh(1.2.3.4)``; VPN events take
  ``remip`` as the source and ``locip`` as the destination.

Other columns
-------------
device = ``devname`` else the envelope host; message_id = ``logid`` (``log_id``);
vendor_severity = ``level`` (``pri``), severity from it (emergency/alert → critical, critical →
high, error → medium, warning → low, notice/information/debug → info), IPS ``severity`` wins;
src/dst from ``srcip``/``dstip`` (``src``/``dst``) and ports; protocol = IANA name of ``proto``
(else the number); src_zone/dst_zone = ``srcintf``/``dstintf``; NAT: ``transip`` when
``trandisp`` has snat, ``tranip`` when it has dnat (4.x ``tran_ip``/``tran_disp``), null when equal
to the real address; bytes_out/bytes_in = ``sentbyte``/``rcvdbyte``, packets = ``sentpkt`` +
``rcvdpkt`` (a missing half counts 0 when the other is there), duration_s = ``duration``;
rule_name = ``policyname`` else ``policyid`` (traffic, utm); user = ``user`` (``N/A`` → null);
host = ``srcname`` when it is a name; message = ``msg`` else ``logdesc``.

Direction (network events): ``srcintfrole``/``dstintfrole`` when both are known: lan/dmz → wan
outbound, wan → lan/dmz inbound, lan/dmz → lan/dmz internal, wan → wan unknown; otherwise from
the address ranges (envelope.range_direction). The utm ``direction`` key is the content's
direction (kept in extra), not the connection's.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from seclake.parsers import kv
from seclake.parsers.contract import REASON, ParseContext, ParseResult, finish, parsed_columns
from seclake.parsers.envelope import localize, range_direction, syslog_severity
from seclake.schema import EXTRA_PREFIX

NAME = "fortigate"
VENDOR = "Fortinet"
PRODUCT = "FortiGate"
VERSION = "1"

NO_PAYLOAD = "no FortiGate key=value payload (no date=, devname=, devid=, logid=, log_id= or type=)"
NO_TYPE = "FortiGate payload without a type= field"

SYNTAX = kv.Syntax()
_FIRST_KEYS = ("date", "devname", "devid", "logid", "log_id", "type")
_FAMILY_KEYS = ("type", "subtype", "logid", "log_id")
_START = (
    ("date", False), ("time", False), ("devname", True), ("devid", True), ("eventtime", False), ("tz", True),
    ("logid", True), ("type", True), ("subtype", True), ("level", True), ("vd", True),
)  # fmt: skip
"""How FortiOS 6.4/7.x begins a line (``True``: the value is quoted): read in one pattern where a
payload begins exactly so (``kv.Syntax.fixed_start``), with the family keys, for every line."""
_TRAFFIC_RUN = (
    ("srcip", False), ("srcport", False), ("srcintf", True), ("srcintfrole", True), ("dstip", False),
    ("dstport", False), ("dstintf", True), ("dstintfrole", True),
)  # fmt: skip
"""The keys FortiOS writes right after the start on traffic lines (versions with interface roles):
one more pattern there."""

_NET, _AUTH, _SYS, _MAL = "network_activity", "authentication", "system", "malware_detection"

# ---- keys read per family ------------------------------------------------------------------------

_COMMON = ("date", "time", "tz", "eventtime", "logtime", "devname", "devid", "vd", "level", "msg", "action")
_ENDPOINTS = (
    "srcip", "srcport", "dstip", "dstport", "srcintf", "dstintf", "srcintfrole", "dstintfrole", "proto",
    "service", "sessionid", "policyid", "policyname", "user", "srcname", "srccountry", "dstcountry",
)  # fmt: skip
_UTM = ("eventtype", "logdesc", "profile", "direction")
_KEYS: dict[str, tuple[str, ...]] = {
    "traffic": (
        *_ENDPOINTS, "trandisp", "transip", "transport", "tranip", "duration", "sentbyte", "rcvdbyte",
        "sentpkt", "rcvdpkt", "app", "appcat",
    ),
    "virus": (*_ENDPOINTS, *_UTM, "virus", "virusid", "dtype", "filename", "url", "analyticscksum", "quarskip", "ref"),
    "ips": (*_ENDPOINTS, *_UTM, "attack", "attackid", "severity", "ref", "count", "incidentserialno"),
    "webfilter": (*_ENDPOINTS, *_UTM, "hostname", "url", "cat", "catdesc", "reqtype", "sentbyte", "rcvdbyte"),
    "app-ctrl": (*_ENDPOINTS, *_UTM, "app", "appid", "appcat", "apprisk", "hostname", "url"),
    "utm": (*_ENDPOINTS, *_UTM, "filename", "filetype", "url", "hostname", "reason"),
    "event": (
        "logdesc", "eventtype", "srcip", "srcport", "dstip", "dstport", "user", "ui", "method", "status", "reason", "profile",
        "intf", "tunneltype", "tunnelid", "vpntunnel", "remip", "locip", "tunnelip", "group", "xauthuser",
        "duration", "sentbyte", "rcvdbyte", "cfgpath", "cfgobj", "cfgattr", "sn", "authproto",
    ),
    "legacy": (
        "log_id", "device_id", "pri", "status", "src", "dst", "src_port", "dst_port", "src_int", "dst_int",
        "proto", "service", "policyid", "duration", "sent", "rcvd", "sent_pkt", "rcvd_pkt", "user",
        "srcname", "tran_ip", "tran_port", "tran_disp", "vpn",
    ),
}  # fmt: skip
"""Keys each family reads (besides ``_COMMON``): one regex per key, on that family's rows only."""

_MAPPED = frozenset(
    {
        "date", "time", "tz", "eventtime", "logtime", "devname", "level", "pri", "logdesc", "msg",
        "action", "status", "srcip", "srcport", "dstip", "dstport", "srcintf", "dstintf", "proto",
        "policyname", "user", "srcname", "trandisp", "transip", "tranip", "duration", "sentbyte",
        "rcvdbyte", "sentpkt", "rcvdpkt", "virus", "filename", "analyticscksum", "attack", "severity",
        "intf", "vpntunnel", "remip", "locip", "src", "dst", "src_port", "dst_port", "src_int",
        "dst_int", "sent", "rcvd", "sent_pkt", "rcvd_pkt", "tran_ip", "tran_disp", "log_id",
    }
)  # fmt: skip
"""Keys that become event columns; every other key a family reads goes to ``extra``."""

_ALL_KEYS = frozenset(k for keys in _KEYS.values() for k in keys) | {"severity", "xauthuser"}

_UTM_FAMILIES = {
    "virus": "virus",
    "ips": "ips",
    "anomaly": "ips",
    "webfilter": "webfilter",
    "app-ctrl": "app-ctrl",
}

# ---- vocabularies ------------------------------------------------------------------------------------

_NETWORK_ACTIONS = {
    **dict.fromkeys(("accept", "close", "timeout", "client-rst", "server-rst", "start", "dns"), "allow"),
    **dict.fromkeys(("pass", "passthrough", "detected", "pass_session", "monitored", "allowed"), "allow"),
    **dict.fromkeys(("exempt", "analytics", "monitor"), "allow"),
    **dict.fromkeys(("deny", "blocked", "block"), "deny"),
    **dict.fromkeys(("ip-conn", "dropped", "drop", "drop_session", "clear_session"), "drop"),
    **dict.fromkeys(("reset", "reset_client", "reset_server"), "reset"),
}
_MALWARE_ACTIONS = {
    "blocked": "blocked",
    "passthrough": "allowed",
    "monitored": "detected",
    "analytics": "detected",
}
_LEVELS = {
    "emergency": 0, "alert": 1, "critical": 2, "error": 3, "warning": 4, "notice": 5, "information": 6,
    "debug": 7,
}  # fmt: skip
_SEVERITIES = ("info", "low", "medium", "high", "critical")
_PROTOCOLS = {
    "1": "icmp", "2": "igmp", "6": "tcp", "17": "udp", "47": "gre", "50": "esp", "51": "ah", "58": "ipv6-icmp",
    "89": "ospf", "132": "sctp",
}  # fmt: skip
_INSIDE_ROLES = ("lan", "dmz")
_NO_USER = ("N/A", "n/a")

# event logids (last five digits of logid)
_ADMIN_LOGIN, _ADMIN_LOGIN_FAILED, _ADMIN_LOGOUT = "32001", "32002", "32003"
_USER_AUTH_OK, _USER_AUTH_FAILED, _SSL_LOGIN_FAILED = "43008", "43009", "39426"
_TUNNEL_UP = ("39947", "23101")
_TUNNEL_DOWN = ("39948",)
_LINK = ("20090", "20099")
_HA = {"37897": "up", "37894": "up", "37898": "down", "37901": "down", "37904": "failover"}
_CONFIG = ("44545", "44546", "44547")


def sniff(lines: pl.Series) -> pl.Series:
    """Per line: a ``logid=``/``log_id=`` of 9-10 digits and a ``type=`` key (Sophos XG's log_id
    has 12 digits; CEF lines prefix their keys with ``FTNTFGT``)."""
    logid = lines.str.contains(r'(?:^|[ >])log_?id="?[0-9]{9,10}"?(?:[ ]|$)')
    return (logid & lines.str.contains(r'[ >]type="?[a-z]')).fill_null(False)


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse FortiGate key=value lines into events (see the module docstring)."""
    frame = kv.read_lines(
        lines, _FIRST_KEYS, (*_FAMILY_KEYS, *(k for k, _ in _START)), SYNTAX, ctx, _START
    ).with_columns(_family().alias("_family"))
    parts = [
        _parse_family(part, family, ctx)
        for (family,), part in frame.partition_by("_family", as_dict=True).items()
    ]
    frame = pl.concat(parts, how="diagonal_relaxed")
    return finish(frame.select(parsed_columns(frame)), ctx, format_name=NAME, vendor=VENDOR, product=PRODUCT)


def _family() -> pl.Expr:
    kind, subtype = kv.value("type"), kv.value("subtype")
    utm = pl.coalesce(kv.lookup(kind, _UTM_FAMILIES), kv.lookup(subtype, _UTM_FAMILIES), pl.lit("utm"))
    return (
        pl.when(kv.value("logid").is_null() & kv.value("log_id").is_not_null())
        .then(pl.lit("legacy"))
        .when(kind == "traffic")
        .then(pl.lit("traffic"))
        .when(kind == "event")
        .then(pl.lit("event"))
        .when(kind.is_not_null())
        .then(utm)
    )


def _parse_family(part: pl.DataFrame, family: str | None, ctx: ParseContext) -> pl.DataFrame:
    if family is None:
        reason = pl.when(pl.col("_payload").is_null()).then(pl.lit(NO_PAYLOAD)).otherwise(pl.lit(NO_TYPE))
        return part.select("raw", "raw_file", "raw_line", reason.alias(REASON))
    keys = (*_COMMON, *_KEYS[family])
    columns = _common_columns(ctx) | _FAMILY_COLUMNS[_family_shape(family)]()
    extra = ["type", "subtype", *(k for k in keys if k not in _MAPPED)]
    return (
        kv.read_keys(part, "_payload", keys, SYNTAX, (*_START, *_TRAFFIC_RUN) if family == "traffic" else ())
        .lazy()
        .with_columns(pl.lit(None, dtype=pl.String).alias(kv.column(k)) for k in _ALL_KEYS if k not in keys)
        .with_columns(**columns)
        .with_columns(
            _direction().alias("direction"), *kv.extras(extra), pl.lit(None, dtype=pl.String).alias(REASON)
        )
        .collect()
    )


def _family_shape(family: str) -> str:
    return family if family in ("event", "virus") else "network"


# ---- columns ---------------------------------------------------------------------------------------

_v = kv.value


def _common_columns(ctx: ParseContext) -> dict[str, pl.Expr]:
    level = pl.coalesce(_v("level"), _v("pri"))
    level_number = kv.lookup(level, {k: str(v) for k, v in _LEVELS.items()}).cast(pl.Int8)
    ips_severity = _v("severity").str.to_lowercase()
    src_text, dst_text = pl.coalesce(_v("srcip"), _v("src")), pl.coalesce(_v("dstip"), _v("dst"))
    sent, rcvd = (
        kv.integer(pl.coalesce(_v("sentbyte"), _v("sent"))),
        kv.integer(pl.coalesce(_v("rcvdbyte"), _v("rcvd"))),
    )
    sent_pkt = kv.integer(pl.coalesce(_v("sentpkt"), _v("sent_pkt")))
    rcvd_pkt = kv.integer(pl.coalesce(_v("rcvdpkt"), _v("rcvd_pkt")))
    user = pl.coalesce(_v("user"), _v("xauthuser"))
    srcname = _v("srcname")
    return {
        "time": _time(ctx),
        "device": pl.coalesce(_v("devname"), pl.col("_env_host")),
        "message_id": pl.coalesce(_v("logid"), _v("log_id")),
        "vendor_severity": pl.coalesce(_v("severity"), level),
        "severity": pl.coalesce(
            pl.when(ips_severity.is_in(_SEVERITIES)).then(ips_severity), syslog_severity(level_number)
        ),
        "vendor_action": pl.coalesce(_v("action"), _v("status")),
        "src_ip": kv.ip(src_text),
        "dst_ip": kv.ip(dst_text),
        "src_port": kv.port(pl.coalesce(_v("srcport"), _v("src_port"))),
        "dst_port": kv.port(pl.coalesce(_v("dstport"), _v("dst_port"))),
        "protocol": kv.lookup(_v("proto"), _PROTOCOLS, _v("proto")),
        "src_zone": _known(pl.coalesce(_v("srcintf"), _v("src_int"))),
        "dst_zone": _known(pl.coalesce(_v("dstintf"), _v("dst_int"))),
        "bytes_out": sent,
        "bytes_in": rcvd,
        "bytes_total": _either_sum(sent, rcvd),
        "packets": _either_sum(sent_pkt, rcvd_pkt),
        "duration_s": _v("duration").cast(pl.Float64, strict=False),
        "user": _known(user),
        "host": pl.when(kv.ip(srcname).is_null()).then(srcname.str.to_lowercase()),
        "message": pl.coalesce(_v("msg"), _v("logdesc")),
        "file_path": _v("filename"),
        "file_hash": _v("analyticscksum").str.to_lowercase(),
        EXTRA_PREFIX + "srcip": kv.not_ip(src_text),
        EXTRA_PREFIX + "dstip": kv.not_ip(dst_text),
    }


def _network_columns() -> dict[str, pl.Expr]:
    """Traffic, 4.x traffic and every utm family but virus detections."""
    verb = pl.coalesce(_v("action"), _v("status"))
    signature = _v("attack")
    nat = pl.coalesce(_v("trandisp"), _v("tran_disp")).fill_null("")
    src, dst = kv.ip(pl.coalesce(_v("srcip"), _v("src"))), kv.ip(pl.coalesce(_v("dstip"), _v("dst")))
    nat_src = kv.ip(pl.coalesce(_v("transip"), _v("tran_ip")))
    nat_dst = kv.ip(_v("tranip"))
    return {
        "event_class": pl.lit(_NET),
        "action": kv.lookup(verb, _NETWORK_ACTIONS),
        "rule_name": pl.coalesce(signature, _v("policyname"), _v("policyid")),
        "nat_src_ip": pl.when(nat.str.contains("snat", literal=True) & nat_src.ne_missing(src)).then(nat_src),
        "nat_dst_ip": pl.when(nat.str.contains("dnat", literal=True) & nat_dst.ne_missing(dst)).then(nat_dst),
    }


def _virus_columns() -> dict[str, pl.Expr]:
    """utm/virus: a detection when a virus is named, else a file verdict on a connection."""
    detection = _v("virus").is_not_null()
    network = _network_columns()
    return network | {
        "event_class": pl.when(detection).then(pl.lit(_MAL)).otherwise(pl.lit(_NET)),
        "action": pl.when(detection)
        .then(kv.lookup(_v("action"), _MALWARE_ACTIONS))
        .otherwise(network["action"]),
        "malware_name": _v("virus"),
    }


def _event_columns() -> dict[str, pl.Expr]:
    """type=event: logins, tunnels, links, HA, configuration (see the module docstring)."""
    suffix = _v("logid").str.slice(-5)
    verb, status = _v("action").fill_null(""), _v("status").str.to_lowercase().fill_null("")
    failed = status.is_in(["failed", "failure"]) | suffix.is_in([_ADMIN_LOGIN_FAILED, _USER_AUTH_FAILED])
    failed = failed | (verb == "ssl-login-fail") | (suffix == _SSL_LOGIN_FAILED)
    login = verb.is_in(["login", "authentication", "ssl-login-fail"]) | suffix.is_in(
        [_ADMIN_LOGIN, _ADMIN_LOGIN_FAILED, _USER_AUTH_OK, _USER_AUTH_FAILED, _SSL_LOGIN_FAILED]
    )
    logout = (verb == "logout") | (suffix == _ADMIN_LOGOUT)
    tunnel_up = (verb == "tunnel-up") | suffix.is_in(_TUNNEL_UP)
    tunnel_down = verb.is_in(["tunnel-down", "dpd"]) | suffix.is_in(_TUNNEL_DOWN)
    link = suffix.is_in(_LINK) | (verb == "interface-stat-change")
    ha = kv.lookup(suffix, _HA)
    config = suffix.is_in(_CONFIG) | _v("cfgpath").is_not_null() | (_v("logdesc") == "Configuration changed")
    admin_state = pl.when(_v("cfgpath") == "system.interface").then(
        _v("cfgattr").str.extract(r"(?:^|[ ,])status\[[a-z]*->(up|down)\]", 1)
    )
    state = (
        pl.when(admin_state.is_not_null())
        .then(admin_state)
        .when(tunnel_up)
        .then(pl.lit("up"))
        .when(tunnel_down)
        .then(pl.lit("down"))
        .when(link & status.is_in(["up", "down"]))
        .then(status)
        .otherwise(ha)
    )
    action = (
        pl.when(logout)
        .then(pl.lit(None, dtype=pl.String))
        .when(login & failed)
        .then(pl.lit("failure"))
        .when(login & (status == "success"))
        .then(pl.lit("success"))
        .when(login)
        .then(pl.lit(None, dtype=pl.String))
        .when(state.is_not_null())
        .then(state)
        .when(config)
        .then(pl.lit("config_change"))
        .otherwise(pl.lit("other"))
    )
    admin_ip = kv.ip(_v("ui").str.extract(r"\(([^()]*)\)$", 1))
    return {
        "event_class": pl.when(login | logout).then(pl.lit(_AUTH)).otherwise(pl.lit(_SYS)),
        "action": action,
        "vendor_action": pl.when(admin_state.is_not_null())
        .then(pl.lit("administratively ") + admin_state)
        .otherwise(pl.coalesce(_v("action"), _v("status"))),
        "rule_name": pl.when(admin_state.is_not_null())
        .then(_v("cfgobj"))
        .when(tunnel_up | tunnel_down)
        .then(pl.coalesce(_v("vpntunnel"), _v("tunneltype")))
        .when(link)
        .then(_v("intf"))
        .when(ha.is_not_null())
        .then(_v("sn")),
        "src_ip": pl.coalesce(kv.ip(_v("srcip")), admin_ip, kv.ip(_v("remip"))),
        "dst_ip": pl.coalesce(kv.ip(_v("dstip")), kv.ip(_v("locip"))),
        EXTRA_PREFIX + "remip": kv.not_ip(_v("remip")),
        EXTRA_PREFIX + "intf": pl.when(~link).then(_v("intf")),
        EXTRA_PREFIX + "vpntunnel": pl.when(~(tunnel_up | tunnel_down)).then(_v("vpntunnel")),
    }


_FAMILY_COLUMNS: dict[str, Callable[[], dict[str, pl.Expr]]] = {
    "network": _network_columns,
    "virus": _virus_columns,
    "event": _event_columns,
}


def _time(ctx: ParseContext) -> pl.Expr:
    """``eventtime``/``logtime`` when it agrees with date+time, else date+time, else the envelope."""
    epoch = kv.integer(pl.coalesce(_v("eventtime"), _v("logtime")))
    micros = (
        pl.when(epoch < 10**11)
        .then(epoch * 1_000_000)
        .when(epoch < 10**14)
        .then(epoch * 1_000)
        .when(epoch < 10**17)
        .then(epoch)
        .otherwise(epoch // 1_000)
    )
    exact = micros.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    stamp = _v("date") + pl.lit(" ") + _v("time")
    naive = stamp.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False)
    with_tz = (stamp + pl.lit(" ") + _v("tz")).str.strptime(
        pl.Datetime("us", "UTC"), "%Y-%m-%d %H:%M:%S %z", strict=False
    )
    local = pl.when(_v("tz").is_not_null()).then(with_tz).otherwise(localize(naive, ctx.timezone))
    wall = naive.dt.replace_time_zone("UTC")
    plausible = (exact - wall).abs() <= pl.duration(hours=26)
    return pl.coalesce(pl.when(plausible | wall.is_null()).then(exact), local, pl.col("_env_time"))


def _direction() -> pl.Expr:
    """Interface roles when both are known, else address ranges; network events only."""
    src_role, dst_role = _v("srcintfrole"), _v("dstintfrole")
    src_inside, dst_inside = src_role.is_in(_INSIDE_ROLES), dst_role.is_in(_INSIDE_ROLES)
    by_role = (
        pl.when(src_inside & (dst_role == "wan"))
        .then(pl.lit("outbound"))
        .when((src_role == "wan") & dst_inside)
        .then(pl.lit("inbound"))
        .when(src_inside & dst_inside)
        .then(pl.lit("internal"))
        .when((src_role == "wan") & (dst_role == "wan"))
        .then(pl.lit("unknown"))
    )
    return pl.when(pl.col("event_class") == _NET).then(
        pl.coalesce(by_role, range_direction(pl.col("src_ip"), pl.col("dst_ip")))
    )


def _known(text: pl.Expr) -> pl.Expr:
    """The value unless it is the ``N/A`` placeholder."""
    return pl.when(~text.is_in(_NO_USER)).then(text)


def _either_sum(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """a + b, a missing half counting 0 when the other is there (null when both are missing)."""
    return pl.when(a.is_not_null() | b.is_not_null()).then(a.fill_null(0) + b.fill_null(0))
