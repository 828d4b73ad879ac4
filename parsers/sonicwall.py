"""SonicWall SonicOS key=value syslog (default and "Enhanced" syslog).

Format reference: ``../shared/formats/sonicwall.md`` (SonicOS Log Events Reference Guide). Covers
SonicOS 5.x-7.x lines ``id=<name> sn=<serial> time="..." fw=<ip> pri=<n> c=<category> m=<id>
msg="..." ...`` with or without an envelope (``<134>``, RFC 3164 / relay header, a bare IP).

How a line is read
------------------
The envelope is the text before the first ``id=`` (else ``sn=``) at a word start, read with
envelope.ENVELOPE once per distinct text; the payload is read with ``parsers.kv`` (values quoted
with ``"`` or ``'``; quoted text is never taken as a field). **Duplicate keys: the first wins**
(IPS lines repeat ``msg``; the second one is not kept). A line without ``id=``/``sn=`` is
quarantined (``NO_PAYLOAD``); lines whose ``m=`` is missing are still events (class from the
message text, below).

Columns
-------
- ``src``/``dst`` = ``ip:port:interface[:host]``, parts may be empty (``src=:49702:X0-V514``,
  ``dst=::LAN:DSTHOST``, ``dst=:5355``): src_ip/src_port from parts 1/2 (a port without an IP is
  kept), IPv6 from ``srcV6``/``dstV6``; src_zone = ``srcZone`` else the interface; the host part
  goes to ``extra.src_host``/``dst_host``. ``natSrc``/``natDst`` (``ip:port``) → nat_src_ip/
  nat_dst_ip when they differ from the real address.
- protocol = ``proto`` before ``/`` (``tcp/https`` → tcp; the service to ``extra.service``);
  bytes_out/bytes_in = ``sent``/``rcvd``, packets = ``spkt`` + ``rpkt``, duration_s = ``cdur`` / 1000
  (milliseconds); rule_name = ``rule`` (IPS/IDP/anti-spyware/GAV: the signature, ``ipscat``
  else the text after ``Alert:`` in ``msg``); user = ``usr`` (the placeholders ``Unknown (SSO
  failed)``, ``Unknown``, ``N/A`` → null, kept in ``extra.usr``).
- device = ``sn`` (``id``, the configured name, and ``fw``, the WAN IP, go to extra);
  message_id = ``m``; vendor_severity = ``pri``, severity from it (syslog levels); message = ``msg``.
- time = ``time`` (``YYYY-MM-DD HH:MM:SS``): UTC when it ends in `` UTC``, else the firewall's local
  time read in the source's timezone (``ctx.timezone``); else the envelope time; null when neither.

Event class and action by ``m`` (``vendor_action`` = ``fw_action`` when set, else the message
text); ``fw_action="drop"`` makes a network event ``drop``:
- 98 connection opened, 537 closed, 97 web site hit, 1197 NAT mapping, 1153 SSL VPN traffic →
  network allow; 14 web site access denied, 1198/1199 Geo-IP, 1200/1201 botnet, 1518/1519 →
  network deny; 36/37/38/41/1233 packet dropped → network drop; 608/789 IPS/IDP detection →
  network allow, 609/790 prevention → network drop.
- 809 GAV alert, 794 anti-spyware prevention → malware_detection blocked; 795 anti-spyware
  detection, 1462 GAV informational → detected; malware_name = text after ``Alert:``.
- 29/199/235/236/237/238/31/1080/139 login allowed → authentication success; 30/200/32/33/329/
  140 → failure (src_ip = the client, ``usr`` the user).
- 440/441/442/1382/1432 → system config_change; 566 and any text ``Link Is Down``/``Link Is Up``
  → system down/up with rule_name = the interface named in the text; a text saying a VPN tunnel
  is up/down (``tunnel ... up``/``down``) → system up/down with rule_name = ``vpnpolicy``; any
  other id → system/other, or, for an unknown id whose text says ``dropped`` / ``denied`` /
  ``blocked``, network drop / deny.

Direction (network events): ``srcZone``/``dstZone`` when both are the default zones (LAN, DMZ,
WLAN, VPN, SSLVPN inside; WAN outside): inside → WAN outbound, WAN → inside inbound, inside →
inside internal; else from the address ranges.
"""

from __future__ import annotations

import polars as pl

from seclake.parsers import kv
from seclake.parsers.contract import REASON, ParseContext, ParseResult, finish, parsed_columns
from seclake.parsers.envelope import localize, syslog_severity, zone_direction
from seclake.schema import EXTRA_PREFIX

NAME = "sonicwall"
VENDOR = "SonicWall"
PRODUCT = "SonicOS"
VERSION = "1"

NO_PAYLOAD = "no SonicWall key=value payload (no id= or sn= key)"

SYNTAX = kv.Syntax(single_quotes=True)
_FIRST_KEYS = ("id", "sn")
_KEYS = (
    "id", "sn", "time", "fw", "pri", "c", "gcat", "m", "msg", "n", "src", "dst", "srcV6", "dstV6",
    "natSrc", "natDst", "srcZone", "dstZone", "srcMac", "dstMac", "proto", "sent", "rcvd", "spkt", "rpkt",
    "cdur", "usr", "sess", "rule", "app", "appName", "appcat", "appid", "dstname", "arg", "code",
    "Category", "op", "result", "sid", "ipscat", "ipspri", "fw_action", "note", "vpnpolicy", "dpi",
    "type", "icmpCode",
)  # fmt: skip
_MAPPED = frozenset(
    {"sn", "time", "pri", "m", "msg", "src", "dst", "srcV6", "dstV6", "natSrc", "natDst", "srcZone",
     "dstZone", "proto", "sent", "rcvd", "spkt", "rpkt", "cdur", "usr", "rule", "fw_action"}
)  # fmt: skip

_NET, _AUTH, _SYS, _MAL = "network_activity", "authentication", "system", "malware_detection"
_MESSAGES: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("98", "537", "97", "1197", "1153", "608", "789"), (_NET, "allow")),
    **dict.fromkeys(("14", "1198", "1199", "1200", "1201", "1518", "1519"), (_NET, "deny")),
    **dict.fromkeys(("36", "37", "38", "41", "1233", "609", "790"), (_NET, "drop")),
    **dict.fromkeys(("809", "794"), (_MAL, "blocked")),
    **dict.fromkeys(("795", "1462"), (_MAL, "detected")),
    **dict.fromkeys(("29", "199", "235", "236", "237", "238", "31", "1080", "139"), (_AUTH, "success")),
    **dict.fromkeys(("30", "200", "32", "33", "329", "140"), (_AUTH, "failure")),
    **dict.fromkeys(("440", "441", "442", "1382", "1432"), (_SYS, "config_change")),
    "566": (_SYS, "down"),
}
_SIGNATURE_IDS = ("608", "609", "789", "790", "794", "795", "809", "1462")
_NO_USER = ("Unknown (SSO failed)", "Unknown", "N/A", "")
_INSIDE_ZONES = ("LAN", "DMZ", "WLAN", "VPN", "SSLVPN")
_ENDPOINT = r"^([^:]*):?([^:]*):?([^:]*):?(.*)$"


def sniff(lines: pl.Series) -> pl.Series:
    """Per line: ``id=<name> sn=<serial> time=`` (the fixed start of every SonicOS line)."""
    return lines.str.contains(r"(?:^|[ >])id=[^ ]+ +sn=[^ ]+ +time=").fill_null(False)


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse SonicWall key=value lines into events (see the module docstring)."""
    frame = kv.read_lines(lines, _FIRST_KEYS, _KEYS, SYNTAX, ctx)
    frame = frame.with_columns(
        *(
            kv.value(side)
            .str.extract_groups(_ENDPOINT)
            .struct.rename_fields([f"_{side}_ip", f"_{side}_port", f"_{side}_if", f"_{side}_host"])
            .alias(f"_{side}")
            for side in ("src", "dst")
        ),
        kv.value("m").alias("_m"),
    ).unnest("_src", "_dst")
    frame = (
        frame.lazy()
        .with_columns(**_columns(ctx))
        .with_columns(**_classified())
        .with_columns(_direction().alias("direction"))
        .collect()
    )
    return finish(frame.select(parsed_columns(frame)), ctx, format_name=NAME, vendor=VENDOR, product=PRODUCT)


def _columns(ctx: ParseContext) -> dict[str, pl.Expr]:
    v = kv.value
    time_text = v("time")
    naive = time_text.str.slice(0, 19).str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False)
    in_utc = time_text.str.ends_with(" UTC")
    text_time = (
        pl.when(in_utc).then(naive.dt.replace_time_zone("UTC")).otherwise(localize(naive, ctx.timezone))
    )
    sent, rcvd = kv.integer(v("sent")), kv.integer(v("rcvd"))
    spkt, rpkt = kv.integer(v("spkt")), kv.integer(v("rpkt"))
    src_ip = pl.coalesce(kv.ip(v("srcV6")), kv.ip(pl.col("_src_ip")))
    dst_ip = pl.coalesce(kv.ip(v("dstV6")), kv.ip(pl.col("_dst_ip")))
    nat_src = kv.ip(v("natSrc").str.extract(r"^([^:]*)", 1))
    nat_dst = kv.ip(v("natDst").str.extract(r"^([^:]*)", 1))
    user = v("usr")
    proto = v("proto").str.split_exact("/", 1)
    pri = kv.integer(v("pri"))
    return {
        "time": pl.coalesce(text_time, pl.col("_env_time")),
        "device": pl.coalesce(v("sn"), pl.col("_env_host")),
        "message_id": v("m"),
        "vendor_severity": v("pri"),
        "severity": syslog_severity(pri),
        "message": v("msg"),
        "src_ip": src_ip,
        "dst_ip": dst_ip,
        "src_port": kv.port(pl.col("_src_port")),
        "dst_port": kv.port(pl.col("_dst_port")),
        "nat_src_ip": pl.when(nat_src.ne_missing(src_ip)).then(nat_src),
        "nat_dst_ip": pl.when(nat_dst.ne_missing(dst_ip)).then(nat_dst),
        "src_zone": pl.coalesce(v("srcZone"), _non_empty(pl.col("_src_if"))),
        "dst_zone": pl.coalesce(v("dstZone"), _non_empty(pl.col("_dst_if"))),
        "protocol": _non_empty(proto.struct.field("field_0").str.to_lowercase()),
        "bytes_out": sent,
        "bytes_in": rcvd,
        "bytes_total": pl.when(sent.is_not_null() | rcvd.is_not_null()).then(
            sent.fill_null(0) + rcvd.fill_null(0)
        ),
        "packets": pl.when(spkt.is_not_null() | rpkt.is_not_null()).then(
            spkt.fill_null(0) + rpkt.fill_null(0)
        ),
        "duration_s": (v("cdur").cast(pl.Float64, strict=False) / 1000).round(3),
        "user": pl.when(~user.is_in(_NO_USER)).then(user),
        REASON: pl.when(pl.col("_payload").is_null()).then(pl.lit(NO_PAYLOAD)),
        **{EXTRA_PREFIX + k: v(k) for k in _KEYS if k not in _MAPPED},
        EXTRA_PREFIX + "usr": pl.when(user.is_in(_NO_USER)).then(user),
        EXTRA_PREFIX + "service": _non_empty(proto.struct.field("field_1")),
        EXTRA_PREFIX + "fw_action": v("fw_action"),
        EXTRA_PREFIX + "src_host": _non_empty(pl.col("_src_host")),
        EXTRA_PREFIX + "dst_host": _non_empty(pl.col("_dst_host")),
        EXTRA_PREFIX + "src": pl.when(src_ip.is_null() & (pl.col("_src_ip") != "")).then(v("src")),
        EXTRA_PREFIX + "dst": pl.when(dst_ip.is_null() & (pl.col("_dst_ip") != "")).then(v("dst")),
    }


def _classified() -> dict[str, pl.Expr]:
    """event_class, action, vendor_action, rule_name from ``m``, the text and ``fw_action``."""
    m, text = pl.col("_m"), kv.value("msg").fill_null("")
    known_class = kv.lookup(m, {k: c for k, (c, _) in _MESSAGES.items()})
    known_action = kv.lookup(m, {k: a for k, (_, a) in _MESSAGES.items()})
    link = text.str.extract(r"Interface ([^ ]+) Link Is (Up|Down)", 2).str.to_lowercase()
    lower = text.str.to_lowercase()
    tunnel_text = pl.when(lower.str.contains("tunnel", literal=True)).then(text)  # the regex runs on these
    tunnel = tunnel_text.str.extract(r"(?i)tunnel.*\b(up|down)\b", 1).str.to_lowercase()
    by_text_class = (
        pl.when(link.is_not_null() | tunnel.is_not_null())
        .then(pl.lit(_SYS))
        .when(lower.str.contains(r"dropped|denied|blocked"))
        .then(pl.lit(_NET))
        .otherwise(pl.lit(_SYS))
    )
    by_text_action = pl.coalesce(link, tunnel).fill_null(
        pl.when(lower.str.contains("dropped", literal=True))
        .then(pl.lit("drop"))
        .when(lower.str.contains(r"denied|blocked"))
        .then(pl.lit("deny"))
        .otherwise(pl.lit("other"))
    )
    event_class = (
        pl.when(link.is_not_null()).then(pl.lit(_SYS)).otherwise(pl.coalesce(known_class, by_text_class))
    )
    action = pl.when(link.is_not_null()).then(link).otherwise(pl.coalesce(known_action, by_text_action))
    drop = (kv.value("fw_action").str.to_lowercase() == "drop") & (event_class == _NET)
    alert = text.str.extract(r"Alert: ([^,]+)", 1).str.strip_chars()
    ipscat = kv.value("ipscat")
    signature = pl.coalesce(pl.when(ipscat != "N/A").then(ipscat), alert)
    return {
        "event_class": event_class,
        "action": pl.when(drop).then(pl.lit("drop")).otherwise(action),
        "vendor_action": pl.coalesce(
            pl.when(kv.value("fw_action") != "NA").then(kv.value("fw_action")), kv.value("msg")
        ),
        "malware_name": pl.when(event_class == _MAL).then(alert),
        "rule_name": pl.when(link.is_not_null())
        .then(text.str.extract(r"Interface ([^ ]+) Link Is", 1))
        .when(tunnel.is_not_null())
        .then(kv.value("vpnpolicy"))
        .when(m.is_in(_SIGNATURE_IDS))
        .then(signature)
        .otherwise(kv.value("rule")),
    }


def _direction() -> pl.Expr:
    return pl.when(pl.col("event_class") == _NET).then(
        zone_direction(pl.col("src_zone"), pl.col("dst_zone"), _INSIDE_ZONES)
    )


def _non_empty(text: pl.Expr) -> pl.Expr:
    return pl.when(text != "").then(text)
