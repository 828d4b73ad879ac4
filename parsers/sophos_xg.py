"""Sophos Firewall (XG / SFOS) key=value syslog.

Format reference: ``../shared/formats/sophos.md`` (section 3, Sophos Firewall). Covers SFOS
17/18.x lines ``device="SFW" date=YYYY-MM-DD time=HH:MM:SS timezone="GMT" device_name=...
log_id=... log_type=...`` (and the 19+ ``device_name="SFW" timestamp="...+0100"`` start), with or
without an envelope.

How a line is read
------------------
The envelope is the text before the first ``device=`` (else ``device_name=``) at a word start,
read with envelope.ENVELOPE once per distinct text; the payload is read with ``parsers.kv``
(quoted text is never taken as a field; a key written twice keeps its first value; bare words
after a value, as in ``ether_type=Unknown (0x0000)``, belong to no key). A line without those
keys is quarantined (``NO_PAYLOAD``). Vendor keys without a column go to ``extra``.

Time
----
``timestamp`` (ISO with offset, SFOS 19+) when present; else ``date``+``time`` in ``timezone``:
an offset (``+08``, ``+0530``, ``-05:00``) or an unambiguous abbreviation (``_ZONES``: GMT, UTC,
BST, CET, CEST, EET, EEST, MSK, SGT, HKT, JST, KST, AEST, AEDT, NZST, NZDT, EST, EDT, CDT, MST,
MDT, PST, PDT, ...); ambiguous ones (IST, CST, AST, ...) and a missing ``timezone`` read the time in
the source's timezone (``ctx.timezone``); else the envelope time.

Event class and action (``vendor_action`` = ``status`` else ``log_subtype``)
-----------------------------------------------------------------------------
- Firewall, Content Filtering, WAF, Anti-Spam: network_activity; status/subtype Allow(ed) → allow,
  Deny/Denied → deny, Drop/Dropped → drop; other words (Detect, Clean, Admin, ...) → null.
- IPS: network_activity; Drop/Dropped → drop, Detect/Detected/Alert → allow (a detection that did
  not block); rule_name = ``signature_msg``.
- Anti-Virus, ATP, Sandbox: malware_detection; subtype Virus/Drop/Dropped/Block(ed) → blocked
  (the gateway stopped the file), Clean/Allowed → allowed, Alert/Detect → detected; malware_name
  = ``virus`` else ``threatname`` else ``malware``; file_path = ``FileName``/``filename`` else
  ``url``; ATP's ``sourceip``/``destinationip`` are the source/destination.
- Event: component GUI/CLI/Firewall Authentication/VPN Authentication/SSL VPN Authentication/...
  or subtype Admin/Authentication with a login status → authentication: status Successful/
  Success → success, Failed/Failure → failure (``user_name`` the user, ``src_ip`` the client);
  Interface, Gateway, IPSec, SSL VPN, HA, RED components → system: ``up``/``down``/``failover``
  from ``status`` or ``message`` (Up/Established/Connected/Active → up, Down/Terminated/
  Disconnected/Failed → down, failover/switched → failover), rule_name = ``connectionname``,
  ``interface``, ``gateway`` or the name after Interface/Gateway/Connection in ``message``;
  anything else → system/other.

Other columns
-------------
message_id = ``log_id`` (12 digits; Elastic keeps only its last five); device = ``device_name``
(``device_id``, the serial, to extra); vendor_severity = ``priority``, severity: Emergency/Alert →
critical, Critical → high, Error → medium, Warning → low, Notification/Notice/Information/Debug →
info; rule_name = ``fw_rule_name`` else ``fw_rule_id`` (network and malware events); user =
``user_name``; zones = ``srczone``/``dstzone`` else ``in_interface``/``out_interface``; NAT =
``tran_src_ip``/``tran_dst_ip`` when they differ from the real address; bytes_out/bytes_in =
``sent_bytes``/``recv_bytes``, packets = ``sent_pkts`` + ``recv_pkts``, duration_s = ``duration``;
protocol lower-cased; message = ``message`` (empty → null).

Direction (network events): ``srczonetype``/``dstzonetype`` (else the zone names when they are the
default LAN/WAN/DMZ/VPN/WiFi/LOCAL): LAN/DMZ/VPN/WiFi/LOCAL → WAN outbound, WAN → inside inbound,
inside → inside internal; otherwise from the address ranges.
"""

from __future__ import annotations

import polars as pl

from seclake.parsers import kv
from seclake.parsers.contract import REASON, ParseContext, ParseResult, finish, parsed_columns
from seclake.parsers.envelope import iso_time, localize, syslog_severity, zone_direction
from seclake.schema import EXTRA_PREFIX

NAME = "sophos_xg"
VENDOR = "Sophos"
PRODUCT = "XG"
VERSION = "1"

NO_PAYLOAD = "no Sophos Firewall key=value payload (no device= or device_name= key)"

SYNTAX = kv.Syntax()
_FIRST_KEYS = ("device", "device_name")
_KEYS = (
    "device", "date", "time", "timezone", "timestamp", "device_name", "device_id", "log_id", "log_type",
    "log_component", "log_subtype", "status", "priority", "duration", "fw_rule_id", "fw_rule_name",
    "nat_rule_id", "policy_type", "user_name", "user_gp", "application", "application_category",
    "in_interface", "out_interface", "src_mac", "src_ip", "sourceip", "src_country_code", "dst_ip",
    "destinationip", "dst_country_code", "protocol", "src_port", "dst_port", "sent_pkts", "recv_pkts",
    "sent_bytes", "recv_bytes", "tran_src_ip", "tran_src_port", "tran_dst_ip", "tran_dst_port",
    "srczonetype", "srczone", "dstzonetype", "dstzone", "message", "url", "domainname", "virus",
    "threatname", "malware", "FileName", "filename", "signature_id", "signature_msg", "classification",
    "rule_priority", "connectionname", "interface", "gateway", "auth_client", "auth_mechanism", "reason",
    "iap", "category",
)  # fmt: skip
_MAPPED = frozenset(
    {"date", "time", "timezone", "timestamp", "device_name", "log_id", "status", "priority", "duration",
     "fw_rule_id", "fw_rule_name", "user_name", "in_interface", "out_interface", "src_ip", "sourceip",
     "dst_ip", "destinationip", "protocol", "src_port", "dst_port", "sent_pkts", "recv_pkts", "sent_bytes",
     "recv_bytes", "tran_src_ip", "tran_dst_ip", "srczone", "dstzone", "message", "virus", "threatname",
     "malware", "FileName", "filename", "signature_msg", "connectionname", "interface", "gateway"}
)  # fmt: skip

_NET, _AUTH, _SYS, _MAL = "network_activity", "authentication", "system", "malware_detection"
_NETWORK_TYPES = ("Firewall", "Content Filtering", "WAF", "Anti-Spam", "IPS")
_MALWARE_TYPES = ("Anti-Virus", "ATP", "Sandbox")
_NETWORK_ACTIONS = {
    **dict.fromkeys(("allow", "allowed"), "allow"),
    **dict.fromkeys(("deny", "denied"), "deny"),
    **dict.fromkeys(("drop", "dropped"), "drop"),
}
_IPS_ACTIONS = _NETWORK_ACTIONS | dict.fromkeys(("detect", "detected", "alert"), "allow")
_MALWARE_ACTIONS = {
    **dict.fromkeys(("virus", "drop", "dropped", "block", "blocked"), "blocked"),
    **dict.fromkeys(("clean", "allowed", "allow"), "allowed"),
    **dict.fromkeys(("alert", "detect", "detected"), "detected"),
}
_AUTH_COMPONENTS = ("GUI", "CLI", "Firewall Authentication", "VPN Authentication", "SSL VPN Authentication",
                    "My Account Authentication", "Authentication")  # fmt: skip
_STATE_COMPONENTS = ("Interface", "Gateway", "IPSec", "SSL VPN", "HA", "RED", "DHCP Server", "Appliance")
_AUTH_STATUS = {"successful": "success", "success": "success", "failed": "failure", "failure": "failure"}
_PRIORITIES = {
    "emergency": "0", "alert": "1", "critical": "2", "error": "3", "warning": "4", "notification": "5",
    "notice": "5", "information": "6", "informational": "6", "debug": "7",
}  # fmt: skip
_ZONES = {
    "GMT": "+0000", "UTC": "+0000", "Z": "+0000", "WET": "+0000", "BST": "+0100", "WEST": "+0100",
    "CET": "+0100", "CEST": "+0200", "EET": "+0200", "EEST": "+0300", "MSK": "+0300", "GST": "+0400",
    "PKT": "+0500", "NPT": "+0545", "ICT": "+0700", "WIB": "+0700", "SGT": "+0800", "HKT": "+0800",
    "AWST": "+0800", "PHT": "+0800", "JST": "+0900", "KST": "+0900", "ACST": "+0930", "AEST": "+1000",
    "AEDT": "+1100", "NZST": "+1200", "NZDT": "+1300", "EST": "-0500", "EDT": "-0400", "CDT": "-0500",
    "MST": "-0700", "MDT": "-0600", "PST": "-0800", "PDT": "-0700", "AKST": "-0900", "AKDT": "-0800",
    "HST": "-1000", "BRT": "-0300", "ART": "-0300",
}  # fmt: skip
"""Unambiguous zone abbreviations → UTC offset (IST, CST, AST ... are ambiguous: not listed)."""
_INSIDE_ZONES = ("LAN", "DMZ", "VPN", "WIFI", "LOCAL")


def sniff(lines: pl.Series) -> pl.Series:
    """Per line: ``device="SFW"`` or ``device_name="SFW"`` at a word start."""
    return lines.str.contains(r'(?:^|[ >])device(?:_name)?="?SFW"?(?:[ ]|$)').fill_null(False)


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse Sophos Firewall key=value lines into events (see the module docstring)."""
    frame = kv.read_lines(lines, _FIRST_KEYS, _KEYS, SYNTAX, ctx)
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
    src_ip = kv.ip(pl.coalesce(v("src_ip"), v("sourceip")))
    dst_ip = kv.ip(pl.coalesce(v("dst_ip"), v("destinationip")))
    nat_src, nat_dst = kv.ip(v("tran_src_ip")), kv.ip(v("tran_dst_ip"))
    sent, rcvd = kv.integer(v("sent_bytes")), kv.integer(v("recv_bytes"))
    spkt, rpkt = kv.integer(v("sent_pkts")), kv.integer(v("recv_pkts"))
    priority = kv.lookup(v("priority").str.to_lowercase(), _PRIORITIES).cast(pl.Int8)
    return {
        "time": pl.coalesce(iso_time(v("timestamp"), ctx.timezone), _local_time(ctx), pl.col("_env_time")),
        "device": pl.coalesce(pl.when(v("device_name") != "SFW").then(v("device_name")), pl.col("_env_host")),
        "message_id": v("log_id"),
        "vendor_severity": v("priority"),
        "severity": syslog_severity(priority),
        "message": v("message"),
        "src_ip": src_ip,
        "dst_ip": dst_ip,
        "src_port": kv.port(v("src_port")),
        "dst_port": kv.port(v("dst_port")),
        "nat_src_ip": pl.when(nat_src.ne_missing(src_ip)).then(nat_src),
        "nat_dst_ip": pl.when(nat_dst.ne_missing(dst_ip)).then(nat_dst),
        "protocol": v("protocol").str.to_lowercase(),
        "src_zone": pl.coalesce(v("srczone"), v("in_interface")),
        "dst_zone": pl.coalesce(v("dstzone"), v("out_interface")),
        "bytes_out": sent,
        "bytes_in": rcvd,
        "bytes_total": pl.when(sent.is_not_null() | rcvd.is_not_null()).then(
            sent.fill_null(0) + rcvd.fill_null(0)
        ),
        "packets": pl.when(spkt.is_not_null() | rpkt.is_not_null()).then(
            spkt.fill_null(0) + rpkt.fill_null(0)
        ),
        "duration_s": v("duration").cast(pl.Float64, strict=False),
        "user": v("user_name"),
        "file_path": pl.coalesce(v("FileName"), v("filename")),
        "vendor_action": pl.coalesce(v("status"), v("log_subtype")),
        REASON: pl.when(pl.col("_payload").is_null()).then(pl.lit(NO_PAYLOAD)),
        **{EXTRA_PREFIX + k: v(k) for k in _KEYS if k not in _MAPPED},
        EXTRA_PREFIX + "src_ip": kv.not_ip(pl.coalesce(v("src_ip"), v("sourceip"))),
        EXTRA_PREFIX + "dst_ip": kv.not_ip(pl.coalesce(v("dst_ip"), v("destinationip"))),
    }


def _local_time(ctx: ParseContext) -> pl.Expr:
    """``date``+``time`` in ``timezone`` (an offset or a known abbreviation), else ``ctx.timezone``."""
    v = kv.value
    stamp = v("date") + pl.lit(" ") + v("time")
    zone = v("timezone").str.to_uppercase()
    numeric = zone.str.extract(r"^([+-][0-9]{2}):?([0-9]{2})?$", 1) + zone.str.extract(
        r"^[+-][0-9]{2}:?([0-9]{2})$", 1
    ).fill_null("00")
    offset = pl.coalesce(numeric, kv.lookup(zone, _ZONES))
    exact = (stamp + pl.lit(" ") + offset).str.strptime(
        pl.Datetime("us", "UTC"), "%Y-%m-%d %H:%M:%S %z", strict=False
    )
    naive = stamp.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False)
    return pl.when(offset.is_not_null()).then(exact).otherwise(localize(naive, ctx.timezone))


def _classified() -> dict[str, pl.Expr]:
    v = kv.value
    log_type, component = v("log_type"), v("log_component")
    verb = pl.coalesce(v("status"), v("log_subtype")).str.to_lowercase()
    subtype = v("log_subtype").str.to_lowercase()
    text = v("message").fill_null("")
    lower = pl.coalesce(v("status"), pl.lit("")).str.to_lowercase() + pl.lit(" ") + text.str.to_lowercase()
    auth_status = kv.lookup(v("status").str.to_lowercase(), _AUTH_STATUS)
    is_auth = (
        (log_type == "Event")
        & (component.is_in(_AUTH_COMPONENTS) | subtype.is_in(["admin", "authentication"]))
        & auth_status.is_not_null()
    )
    state = (
        pl.when(lower.str.contains(r"failover|switched"))
        .then(pl.lit("failover"))
        .when(lower.str.contains(r"\b(?:down|terminated|disconnected|failed)\b"))
        .then(pl.lit("down"))
        .when(lower.str.contains(r"\b(?:up|established|connected|active)\b"))
        .then(pl.lit("up"))
    )
    is_state = (log_type == "Event") & component.is_in(_STATE_COMPONENTS) & state.is_not_null()
    named = text.str.extract(
        r"(?:Interface|Gateway|Connection|interface|gateway|connection) '?\"?([^ '\"]+)", 1
    )
    network = log_type.is_in(_NETWORK_TYPES)
    malware = log_type.is_in(_MALWARE_TYPES)
    event_class = (
        pl.when(network)
        .then(pl.lit(_NET))
        .when(malware)
        .then(pl.lit(_MAL))
        .when(is_auth)
        .then(pl.lit(_AUTH))
        .otherwise(pl.lit(_SYS))
    )
    action = (
        pl.when(log_type == "IPS")
        .then(kv.lookup(verb, _IPS_ACTIONS))
        .when(network)
        .then(kv.lookup(verb, _NETWORK_ACTIONS))
        .when(malware)
        .then(kv.lookup(subtype, _MALWARE_ACTIONS))
        .when(is_auth)
        .then(auth_status)
        .when(is_state)
        .then(state)
        .otherwise(pl.lit("other"))
    )
    rule = pl.coalesce(v("fw_rule_name"), v("fw_rule_id"))
    return {
        "event_class": event_class,
        "action": action,
        "rule_name": pl.when(log_type == "IPS")
        .then(v("signature_msg"))
        .when(network | malware)
        .then(rule)
        .when(is_state)
        .then(pl.coalesce(v("connectionname"), v("interface"), v("gateway"), named)),
        "malware_name": pl.when(malware).then(pl.coalesce(v("virus"), v("threatname"), v("malware"))),
        "file_path": pl.coalesce(pl.col("file_path"), pl.when(malware).then(v("url"))),
        EXTRA_PREFIX + "signature_msg": pl.when(log_type != "IPS").then(v("signature_msg")),
        EXTRA_PREFIX + "fw_rule_id": v("fw_rule_id"),
    }


def _direction() -> pl.Expr:
    v = kv.value
    return pl.when(pl.col("event_class") == _NET).then(
        zone_direction(
            pl.coalesce(v("srczonetype"), v("srczone")),
            pl.coalesce(v("dstzonetype"), v("dstzone")),
            _INSIDE_ZONES,
        )
    )
