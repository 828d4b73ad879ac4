"""Juniper NetScreen / ScreenOS syslog (SSG, ISG, NetScreen-5GT…5400), ScreenOS 5.x-6.3.

There is no reference note in ``../shared/formats`` for this format: what follows is what the parser
relies on, from the Juniper "ScreenOS Message Log Reference Guide" and ScreenOS syslog as devices
write it (the corpus: ``../shared/corpus/netscreen``, 4 Wazuh test lines). Message texts whose
exact wording could not be checked against the guide are read by shape (see "Families"), never by
a whole-sentence match, so a wording variant degrades to ``system``/``other`` rather than a wrong
field.

Line
----
``<envelope> <hostname>: NetScreen device_id=<id>  [<vsys>]system-<level>-<5-digit id>[(<type>)]: <text>[ (<YYYY-MM-DD HH:MM:SS>)]``

- ScreenOS sends ``<PRI><hostname>: NetScreen ...`` (no time of its own in the header); a relay
  usually puts its receive time and the sender's address in front (RFC 3164, ISO/RFC 5424, or
  none). ``<hostname>:`` right before the marker is the device's own name; the text before the
  marker is read with ``envelope.ENVELOPE`` (``kv.read_envelopes``, once per distinct text) only
  for the lines that lack the device's own time or name (see Time).
- ``device_id`` is the serial number or the host name (``set syslog config ... device-id``); vsys
  is ``Root`` (or the vsys name, or absent); ``level`` is one of emergency, alert, critical,
  error, warning, notification, information, debugging (syslog 0-7); ``<type>`` is ``traffic``
  on traffic logs.
- Event logs end with the device's local time in parentheses; traffic logs carry
  ``start_time="YYYY-MM-DD HH:MM:SS"`` and ``duration=<s>`` instead (written when the session
  ends).

Lines without ``NetScreen device_id=`` (``NO_MARKER``) or whose marker is not followed by the
``system-<level>-<id>:`` header (``NO_HEADER``) are quarantined; every other line is an event.

Columns every event gets
------------------------
``message_id`` the 5-digit id as written (``00257``); ``vendor_severity`` the level word,
``severity`` from it as a syslog level (emergency/alert → critical, critical → high, error →
medium, warning → low, notification/information/debugging → info); ``device`` the
``<hostname>:`` before the marker, else the envelope host; ``message`` the text (without the
trailing time; null for traffic logs, which are all fields); extra ``device_id``, ``vsys`` and
``log_type`` (the ``(traffic)`` tag).

Time (the device's clock wins over the relay's): the trailing ``(YYYY-MM-DD HH:MM:SS)``, else for
traffic logs ``start_time`` + ``duration`` (the moment the session ended and the log was written;
``start_time`` itself is kept in extra), both read as wall-clock time in the source's timezone
(``ctx.timezone``: ScreenOS writes no offset); else the envelope time (``envelope.any_time``:
with its offset if it has one, else in ``ctx.timezone``, year closest to ``ctx.date`` when the
header has none). ``time`` is null only for a line with none of the three.

Families (message id first, then the text's shape for ids not in ``_FAMILY_BY_ID``)
-----------------------------------------------------------------------------------
| family | ids | text | class / action | rule_name |
|---|---|---|---|---|
| traffic | 00257 | ``start_time="…" duration=N policy_id=N service=… proto=N src zone=Z dst zone=Z action=Permit\\|Deny\\|Reject sent=N rcvd=N src=IP dst=IP src_port=N dst_port=N [icmp type=N icmp code=N] [src-xlated ip=IP port=N] [dst-xlated ip=IP port=N] session_id=N reason=…`` | network_activity: Permit → allow, Deny → deny, Reject → reset for TCP (ScreenOS answers with a RST) else deny | policy_id (320001 is the implicit default deny) |
| screen | any id (00005 SYN flood, and the other screen alarms: IP spoofing, port scan, land, ping of death, teardrop, ICMP/UDP flood, IP sweep, session limits, …) | ``<attack>! From <src>[:<port>] to <dst>[:<port>], proto <p> (zone <z>[,] int <if>). Occurred <n> times.`` | network_activity / **drop**: a screen discards packets before any policy is looked up (a policy refusal is ``deny``); vendor_action null, the alarm names no verdict | the attack name (``SYN flood``) |
| admin | 00515, 00518, 00519, 00528 | ``Admin user [\"]<u>[\"] has logged on via SSH from <ip>:<port>``, ``… logged in for Web(http) management (port 80) from <ip>:<port>``, ``… login attempt for … failed``, ``SSH: Password authentication failed for admin user '<u>' at host <ip>``, ``Management session via SSH from <ip>:<port> for admin <u> has timed out`` | authentication: failed/failure/denied/rejected/invalid → failure; logged in/on, successful, succeeded → success; logged out/off, timed out → null (a session end, no login verdict, as ASA 611103 and FortiGate logouts) | - |
| config | 00001 (address book), 00018 (policy), 00767 (configuration saved); other ids: a text with ``<verb> by <admin> via <channel>`` | ``Policy (<id>, <from>-><to>, <src>-><dst>,<service>, <action>) was modified by <u> via web from host <ip> to <ip>:<port>.``, ``System configuration saved by <u> via web from host <ip> to <ip>:<port> by <u>.`` | system / config_change (as cisco_asa and fortigate) | the policy id of a policy change |
| state | 00612 (interface), 00040 (VPN), 00536/00537 (IKE); other ids by shape | ``[The physical state of ]interface <if> … up\\|down``, ``VPN '<name>' from <peer> is up\\|down``, ``IKE<peer> Phase 1\\|2 …: Completed …``, ``… (Virtual Security Device\\|VSD) group <n> changed state from <a> to <b>`` | system: up/down; IKE ``Completed`` → up (as ASA 713119/713120), other IKE texts → other; NSRP VSD state change → failover | the interface, the VPN name, the IKE peer, ``VSD group <n>`` |
| other | anything else | - | system / other | - |

Fields: ``src``/``dst`` and ports are the original (pre-NAT) addresses, initiator → responder;
``src-xlated ip``/``dst-xlated ip`` → ``nat_src_ip``/``nat_dst_ip`` when they differ from the
original (ScreenOS repeats the original when nothing was translated), their ``port=`` →
``extra.nat_src_port``/``nat_dst_port`` when the address or port was translated; ``proto`` →
``protocol`` (IANA name for 1, 6, 17, 47, 50, 51, 58, else the number); ``src zone``/``dst zone``
→ zones; ``sent`` (bytes from the initiator) → ``bytes_out``, ``rcvd`` → ``bytes_in``, their sum
→ ``bytes_total``; ``duration`` → ``duration_s``; ``service``, ``session_id``, ``start_time``,
``reason``, ``icmp type``/``icmp code`` → extra. Screens: the zone is the ingress zone
(``src_zone``), ``int`` → ``extra.interface``, ``Occurred N times`` → ``extra.count``. Admin and
config lines: ``from [host] <ip>[:<port>]`` → ``src_ip``/``src_port``, ``to <ip>:<port>`` (the
device's management address) → ``dst_ip``/``dst_port``, ``(port N)`` → ``dst_port``, ``via
<channel>`` / ``for <channel> management`` → ``extra.channel``; ``user`` the admin (config: the
``by <u> via`` actor). Screen and admin texts are read for IPv4 addresses only.

Traffic keys are read with ``parsers.kv`` (``src zone``, ``src-xlated ip`` … are keys with a
space): a key is only taken at a token boundary outside quotes, so text inside a quoted value
(``reason="x src=6.6.6.6"``) never sets a field. ``reason`` is the last field and its value is
not quoted (``reason=Close - TCP FIN``): it is the rest of the line from the first `` reason=``
outside quotes, and only the text before it is read for keys. Traffic logs begin with the same
keys in the same order (``start_time`` ... ``dst_port``): ``kv`` reads that run with one anchored
pattern (``_TRAFFIC_START``), the per-key patterns only the rest; the traffic columns are one lazy
plan, so each address and port is parsed once (parse CPU -30 %).

Direction (network_activity only), from the zones as juniper_srx reads them: a zone whose name
contains ``untrust``, ``internet``, ``outside``, ``wan`` or ``public`` (any case) is outside, any
other (``Trust``, ``DMZ``, ``self`` = the device itself, ...) inside. Both zones known: outside →
inside ``inbound``, inside → outside ``outbound``, inside → inside ``internal``, outside → outside
``unknown``. A screen alarm names only the ingress zone: an outside one is ``inbound`` (the packet
came from outside, whatever it was sent to). Otherwise from the address ranges
(``envelope.range_direction``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import polars as pl

from seclake.parsers import kv
from seclake.parsers.contract import REASON, ParseContext, ParseResult, finish
from seclake.parsers.envelope import localize, syslog_severity
from seclake.parsers.juniper_srx import OUTSIDE_ZONE, trust_direction
from seclake.schema import EXTRA_PREFIX

FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)

NAME = "netscreen"
VENDOR = "Juniper"
PRODUCT = "NetScreen/ScreenOS"
VERSION = "1"

NO_MARKER = "no 'NetScreen device_id=' marker"
NO_HEADER = "'NetScreen device_id=' not followed by '[vsys]system-<level>-<5-digit id>:'"

_MARKER = "NetScreen device_id="
_HEAD = (
    r"^(?P<device_id>[^ ]*) +(?:\[(?P<vsys>[^\]]*)\])?system-(?P<level>[a-z]+)-(?P<message_id>[0-9]{5})"
    r"(?:\((?P<log_type>[^)]*)\))?$"
)
"""What follows the marker up to the first ``:``."""
_TAG = r"(?:^|[ >])([A-Za-z0-9][A-Za-z0-9_.\-]*): *$"
"""The device's ``<hostname>:`` at the end of the text before the marker."""
_LOCAL_TIME = r" *\(([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2})\) *$"

_LEVELS = {
    "emergency": "0", "alert": "1", "critical": "2", "error": "3", "warning": "4", "notification": "5",
    "information": "6", "debugging": "7",
}  # fmt: skip
_PROTOCOLS = {"1": "icmp", "6": "tcp", "17": "udp", "47": "gre", "50": "esp", "51": "ah", "58": "ipv6-icmp"}
_NET, _AUTH, _SYS = "network_activity", "authentication", "system"

_TRAFFIC_ID = "00257"
_FAMILY_BY_ID = {
    "00515": "admin", "00518": "admin", "00519": "admin", "00528": "admin",
    "00001": "config", "00018": "config", "00767": "config",
    "00612": "state", "00040": "state", "00536": "state", "00537": "state",
}  # fmt: skip
"""Message ids whose family is known; other ids are classified by their text (``_family``)."""

# ---- traffic ------------------------------------------------------------------------------------
_SYNTAX = kv.Syntax()
_TRAFFIC_KEYS = (
    "start_time", "duration", "policy_id", "service", "proto", "src zone", "dst zone", "action", "sent",
    "rcvd", "src", "dst", "src_port", "dst_port", "icmp type", "icmp code", "src-xlated ip", "dst-xlated ip",
    "session_id",
)  # fmt: skip
_TRAFFIC_START = tuple(
    (key, key == "start_time") for key in _TRAFFIC_KEYS[: _TRAFFIC_KEYS.index("icmp type")]
)
"""The keys every traffic log begins with, in this order (``kv.Syntax.fixed_start``: one anchored
pattern reads them on the lines written this way, the per-key patterns only the others)."""
_TOKEN = rf'(?:[{kv.KEY_CHARS}]+={_SYNTAX.value}|[^ "=][^ =]*)'
_REASON_WALK = rf"^(?P<pairs>[ ]*(?:{_TOKEN}[ ]+)*?)reason=(?P<reason>(?s:.*))$"
"""``reason=`` found by walking whole tokens (lines whose quoted values hold `` word=``)."""
_QUOTED = r'^"((?:[^"\\]|\\.)*)"$'

# ---- other families -----------------------------------------------------------------------------
_IPV4 = r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}"
_SCREEN = (
    rf"^(?P<attack>[^!]+)! From (?:(?P<src>{_IPV4})(?::(?P<sport>[0-9]+))? to (?P<dst>{_IPV4})"
    r"(?::(?P<dport>[0-9]+))?(?:, proto (?P<proto>[A-Za-z0-9\-]+))?"
    r"(?: \(zone (?P<zone>[^ ,)]+),? +int +(?P<iface>[^ )]+)\))?\.?(?: Occurred (?P<count>[0-9]+) times?)?)?"
)
_FROM = rf"\bfrom (?:host )?({_IPV4})(?::([0-9]+))?|\bat host ({_IPV4})"
_TO = rf" to ({_IPV4}):([0-9]+)"
_MGMT_PORT = r"\(port ([0-9]+)\)"
_CHANNEL = r"\bvia ([A-Za-z]+)|\bfor ([A-Za-z]+(?:\([A-Za-z]+\))?) management"
_ADMIN_USER = r"(?:[Aa]dmin(?: user)?|login name) [\"']?([^\"' ,:;()]+)"
_ACTOR = r"\bby ([^ ]+) via "
_AUTH_VERB = (
    r"(?i)\b(failed|failure|denied|rejected|invalid|timed out|logged out|logged off|logged in|logged on"
    r"|successful|succeeded)\b"
)
_AUTH_VERDICTS = {
    **dict.fromkeys(("failed", "failure", "denied", "rejected", "invalid"), "failure"),
    **dict.fromkeys(("logged in", "logged on", "successful", "succeeded"), "success"),
}
_CONFIG_VERB = r"\b(saved|added|modified|deleted|removed|changed|created|moved|enabled|disabled|set|unset)\b"
_POLICY = r"^Policy \(?([0-9]+)(?:, ?(.*?)\))?(?: |$)"
"""``Policy (<id>, <spec>) was ...`` (the spec may hold parentheses: ``MIP(1.2.3.4)``) or ``Policy <id> ...``."""
_STATE = (
    r"^(?:The physical state of )?[Ii]nterface (?P<iface>[^ ,]+)[^.]*? (?P<if_state>[Uu]p|[Dd]own)\.?$"
    r"|^VPN '(?P<vpn>[^']*)' from (?P<vpn_peer>[^ ]+) is (?P<vpn_state>up|down)\.?$"
    r"|^IKE<(?P<ike_peer>[^>]+)>(?: Phase (?P<phase>[12]))?[^:]*: (?P<ike_done>Completed)?"
    r"|(?:Virtual Security Device|VSD) group (?P<vsd>[0-9]+) changed state from (?P<vsd_from>[A-Za-z][A-Za-z -]*?)"
    r" to (?P<vsd_to>[A-Za-z][A-Za-z -]*?)\.?$"
)
_STATE_SHAPE = r"^(?:(?:The physical state of )?[Ii]nterface |VPN '|IKE<)|(?:Virtual Security Device|VSD) group [0-9]+ changed"
_ADMIN_SHAPE = r"^(?:Admin user |Management session |SSH: .*admin user )"


def sniff(lines: pl.Series) -> pl.Series:
    """True for ScreenOS lines: they carry ``NetScreen device_id=``."""
    return lines.str.contains(_MARKER, literal=True).fill_null(False).alias(NAME)


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse ScreenOS syslog lines; see the module docstring."""
    frame = _header(lines, ctx)
    traffic = (pl.col("message_id") == _TRAFFIC_ID).fill_null(False)
    parts = [_traffic(frame.filter(traffic), ctx)]
    rest = frame.filter(~traffic).with_columns(_family().alias("_family"))
    for (family,), part in rest.partition_by("_family", as_dict=True).items():
        parts.append(_FAMILIES[family](part) if family is not None else part)
    events = _with_envelope(pl.concat(parts, how="diagonal_relaxed"), ctx)
    return finish(
        events.drop("_pre", "_text", "_family", strict=False),
        ctx,
        format_name=NAME,
        vendor=VENDOR,
        product=PRODUCT,
    )


def _header(lines: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """The text before the marker, the device, the ``system-<level>-<id>`` header, the text, the
    device's local time and the severity of every line."""
    split = pl.col("raw").str.splitn(_MARKER, 2)
    frame = lines.with_columns(
        split.struct.field("field_0").alias("_pre"), split.struct.field("field_1").alias("_post")
    ).with_columns(pl.col("_post").str.splitn(":", 2).alias("_colon"))
    frame = frame.with_columns(
        pl.col("_colon").struct.field("field_0").str.extract_groups(_HEAD).alias("_head"),
        pl.col("_colon").struct.field("field_1").str.strip_prefix(" ").alias("_body"),
    ).unnest("_head")
    body = pl.col("_body")
    level = kv.lookup(pl.col("level"), _LEVELS).cast(pl.Int32)
    return frame.select(
        "raw",
        "raw_file",
        "raw_line",
        pl.when(pl.col("_post").is_null())
        .then(pl.lit(NO_MARKER))
        .when(pl.col("message_id").is_null() | body.is_null())
        .then(pl.lit(NO_HEADER))
        .alias(REASON),
        "message_id",
        "_pre",
        pl.col("_pre").str.extract(_TAG, 1).alias("device"),
        pl.col("level").alias("vendor_severity"),
        syslog_severity(level).alias("severity"),
        _wall_clock(body.str.extract(_LOCAL_TIME, 1), ctx).alias("time"),
        body.str.replace(_LOCAL_TIME, "").alias("_text"),
        pl.col("device_id").alias(EXTRA_PREFIX + "device_id"),
        pl.col("vsys").alias(EXTRA_PREFIX + "vsys"),
        pl.col("log_type").alias(EXTRA_PREFIX + "log_type"),
    )


def _with_envelope(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """``time`` and ``device`` from the envelope for the events that lack the device's own."""
    need = (pl.col("time").is_null() | pl.col("device").is_null()) & pl.col(REASON).is_null()
    texts = frame.select(pl.when(need).then(pl.col("_pre"))).to_series()
    if texts.null_count() == texts.len():
        return frame
    envelope = kv.read_envelopes(texts, ctx.timezone, ctx.date)
    return (
        pl.concat([frame, envelope], how="horizontal")
        .with_columns(
            pl.coalesce("time", "_env_time").alias("time"), pl.coalesce("device", "_env_host").alias("device")
        )
        .drop("_env_time", "_env_host", "_env_pri")
    )


def _wall_clock(text: pl.Expr, ctx: ParseContext) -> pl.Expr:
    """A device time ``YYYY-MM-DD HH:MM:SS`` (no zone) read in the source's timezone, as UTC."""
    return localize(text.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False), ctx.timezone)


def _family() -> pl.Expr:
    """Family of a non-traffic line: by message id, else by the text's shape; null when rejected."""
    text = pl.col("_text")
    by_text = (
        pl.when(text.str.contains("! From ", literal=True))
        .then(pl.lit("screen"))
        .when(text.str.contains(_STATE_SHAPE))
        .then(pl.lit("state"))
        .when(text.str.contains(_ACTOR))
        .then(pl.lit("config"))
        .when(text.str.contains(_ADMIN_SHAPE))
        .then(pl.lit("admin"))
        .otherwise(pl.lit("other"))
    )
    return pl.when(pl.col(REASON).is_null()).then(kv.lookup(pl.col("message_id"), _FAMILY_BY_ID, by_text))


def _message() -> pl.Expr:
    """The message text (null when empty)."""
    return pl.when(pl.col("_text") != "").then(pl.col("_text")).alias("message")


def _protocol(proto: pl.Expr) -> pl.Expr:
    """IANA name of a protocol number, else the word lower-cased."""
    return pl.coalesce(kv.lookup(proto, _PROTOCOLS), proto.str.to_lowercase())


def _with_direction(frame: FrameT) -> FrameT:
    """``direction`` of network events from the zones, else the address ranges (module docstring);
    a screen alarm names only the zone it arrived on: from an outside zone it is inbound."""
    src_zone, dst_zone = pl.col("src_zone"), pl.col("dst_zone")
    screen_from_outside = src_zone.str.contains(OUTSIDE_ZONE) & dst_zone.is_null()
    direction = (
        pl.when(screen_from_outside)
        .then(pl.lit("inbound"))
        .otherwise(trust_direction(src_zone, dst_zone, pl.col("src_ip"), pl.col("dst_ip")))
    )
    return frame.with_columns(direction.alias("direction"))


# ---- traffic ------------------------------------------------------------------------------------


def _traffic(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """``00257(traffic)`` session logs: key=value pairs, ``reason`` to the end of the line."""
    frame = frame.with_columns(
        pl.col("_text").str.contains(_SYNTAX.plain_line).fill_null(True).alias(kv.PLAIN)
    )
    parts = [
        _traffic_pairs(part, plain) for (plain,), part in frame.partition_by(kv.PLAIN, as_dict=True).items()
    ]
    frame = pl.concat(parts) if parts else _traffic_pairs(frame, True)
    v = kv.value
    src, dst = kv.ip(v("src")), kv.ip(v("dst"))
    nat_src, nat_dst = kv.ip(v("src-xlated ip")), kv.ip(v("dst-xlated ip"))
    src_port, dst_port = kv.port(v("src_port")), kv.port(v("dst_port"))
    nat_src_port, nat_dst_port = kv.port(pl.col("_nat_src_port")), kv.port(pl.col("_nat_dst_port"))
    protocol = _protocol(v("proto"))
    sent, rcvd = kv.integer(v("sent")), kv.integer(v("rcvd"))
    duration = kv.integer(v("duration"))
    ended = _wall_clock(v("start_time"), ctx) + pl.duration(seconds=duration)
    verb = v("action")
    reason = pl.col("_reason").str.strip_chars_end(" ")
    lazy = frame.lazy().with_columns(
        pl.lit(_NET).alias("event_class"),
        pl.when(verb == "Permit")
        .then(pl.lit("allow"))
        .when(verb == "Deny")
        .then(pl.lit("deny"))
        .when(verb == "Reject")
        .then(pl.when(protocol == "tcp").then(pl.lit("reset")).otherwise(pl.lit("deny")))
        .alias("action"),
        verb.alias("vendor_action"),
        v("policy_id").alias("rule_name"),
        src.alias("src_ip"),
        dst.alias("dst_ip"),
        src_port.alias("src_port"),
        dst_port.alias("dst_port"),
        pl.when(nat_src != src).then(nat_src).alias("nat_src_ip"),
        pl.when(nat_dst != dst).then(nat_dst).alias("nat_dst_ip"),
        protocol.alias("protocol"),
        v("src zone").alias("src_zone"),
        v("dst zone").alias("dst_zone"),
        sent.alias("bytes_out"),
        rcvd.alias("bytes_in"),
        (sent + rcvd).alias("bytes_total"),
        duration.cast(pl.Float64).alias("duration_s"),
        pl.coalesce("time", ended).alias("time"),
        *kv.extras(("start_time", "service", "session_id")),
        v("icmp type").alias(EXTRA_PREFIX + "icmp_type"),
        v("icmp code").alias(EXTRA_PREFIX + "icmp_code"),
        pl.when((nat_src != src) | (nat_src_port != src_port))
        .then(nat_src_port)
        .alias(EXTRA_PREFIX + "nat_src_port"),
        pl.when((nat_dst != dst) | (nat_dst_port != dst_port))
        .then(nat_dst_port)
        .alias(EXTRA_PREFIX + "nat_dst_port"),
        pl.coalesce(reason.str.extract(_QUOTED, 1).str.replace_all(r"\\(.)", "$1"), reason).alias(
            EXTRA_PREFIX + "reason"
        ),
    )
    return (
        _with_direction(lazy)
        .drop(
            kv.PLAIN,
            "_pairs",
            "_reason",
            "_nat_src_port",
            "_nat_dst_port",
            *(kv.column(k) for k in _TRAFFIC_KEYS),
        )
        .collect()
    )


def _traffic_pairs(frame: pl.DataFrame, plain: bool) -> pl.DataFrame:
    """Cut ``reason`` off, then read the keys and the translated ports from the text before it.

    ``plain`` rows (no quoted value holds `` word=``, see ``parsers.kv``) are cut at the first
    `` reason=`` and read with literal-led patterns; the others by walking whole tokens."""
    text = pl.col("_text")
    if plain:
        cut = text.str.splitn(" reason=", 2)
        pairs, reason = cut.struct.field("field_0"), cut.struct.field("field_1")
    else:
        walk = text.str.extract_groups(_REASON_WALK)
        pairs = pl.coalesce(walk.struct.field("pairs"), text)
        reason = walk.struct.field("reason")
    frame = frame.with_columns(pairs.alias("_pairs"), reason.alias("_reason"))
    frame = kv.read_keys(frame, "_pairs", _TRAFFIC_KEYS, _SYNTAX, _TRAFFIC_START)
    return frame.with_columns(
        _translated_port(side, plain).alias(f"_nat_{side}_port") for side in ("src", "dst")
    )


def _translated_port(side: str, plain: bool) -> pl.Expr:
    """The ``port=`` written right after ``<side>-xlated ip=<ip>``."""
    key = f"{side}-xlated ip"
    if plain:
        return pl.col("_pairs").str.extract(rf"(?:^|[ ]){key}=[^ ]* port=([0-9]+)", 1)
    return pl.col("_pairs").str.extract(_SYNTAX.anchored(key) + r"[ ]+port=([0-9]+)", 3)


# ---- other families ------------------------------------------------------------------------------


def _first(text: pl.Expr, pattern: str, *groups: int) -> pl.Expr:
    """The first non-null of a pattern's capture ``groups`` (alternatives holding one value)."""
    return pl.coalesce(text.str.extract(pattern, g) for g in groups)


def _endpoints(text: pl.Expr) -> list[pl.Expr]:
    """``from [host] <ip>[:<port>]`` / ``at host <ip>``, ``to <ip>:<port>``, ``(port N)``, the channel."""
    return [
        kv.ip(_first(text, _FROM, 1, 3)).alias("src_ip"),
        kv.port(text.str.extract(_FROM, 2)).alias("src_port"),
        kv.ip(text.str.extract(_TO, 1)).alias("dst_ip"),
        kv.port(pl.coalesce(text.str.extract(_TO, 2), text.str.extract(_MGMT_PORT, 1))).alias("dst_port"),
        _first(text, _CHANNEL, 1, 2).alias(EXTRA_PREFIX + "channel"),
    ]


def _screen(frame: pl.DataFrame) -> pl.DataFrame:
    """Screen alarms: ``<attack>! From <src> to <dst>, proto <p> (zone <z>, int <if>). Occurred N times.``"""
    alarm = frame.with_columns(pl.col("_text").str.extract_groups(_SCREEN).alias("_a")).unnest("_a")
    return _with_direction(
        alarm.with_columns(
            pl.lit(_NET).alias("event_class"),
            pl.lit("drop").alias("action"),
            pl.col("attack").alias("rule_name"),
            kv.ip(pl.col("src")).alias("src_ip"),
            kv.port(pl.col("sport")).alias("src_port"),
            kv.ip(pl.col("dst")).alias("dst_ip"),
            kv.port(pl.col("dport")).alias("dst_port"),
            _protocol(pl.col("proto")).alias("protocol"),
            pl.col("zone").alias("src_zone"),
            pl.lit(None, dtype=pl.String).alias("dst_zone"),
            _message(),
            pl.col("iface").alias(EXTRA_PREFIX + "interface"),
            pl.col("count").alias(EXTRA_PREFIX + "count"),
        )
    ).drop("attack", "src", "sport", "dst", "dport", "proto", "zone", "iface", "count")


def _admin(frame: pl.DataFrame) -> pl.DataFrame:
    """Administrator logins, login failures, logouts and session time-outs."""
    text = pl.col("_text")
    verb = text.str.extract(_AUTH_VERB, 1)
    return frame.with_columns(
        pl.lit(_AUTH).alias("event_class"),
        kv.lookup(verb.str.to_lowercase(), _AUTH_VERDICTS).alias("action"),
        verb.alias("vendor_action"),
        text.str.extract(_ADMIN_USER, 1).alias("user"),
        *_endpoints(text),
        _message(),
    )


def _config(frame: pl.DataFrame) -> pl.DataFrame:
    """Configuration changes: policies, address book, configuration saved."""
    text = pl.col("_text")
    return frame.with_columns(
        pl.lit(_SYS).alias("event_class"),
        pl.lit("config_change").alias("action"),
        text.str.extract(_CONFIG_VERB, 1).alias("vendor_action"),
        text.str.extract(_ACTOR, 1).alias("user"),
        text.str.extract(_POLICY, 1).alias("rule_name"),
        *_endpoints(text),
        text.str.extract(_POLICY, 2).alias(EXTRA_PREFIX + "policy"),
        _message(),
    )


def _state(frame: pl.DataFrame) -> pl.DataFrame:
    """Interface, VPN, IKE and NSRP (VSD group) state changes."""
    read = frame.with_columns(pl.col("_text").str.extract_groups(_STATE).alias("_s")).unnest("_s")
    if_state, vpn_state = pl.col("if_state").str.to_lowercase(), pl.col("vpn_state")
    return read.with_columns(
        pl.lit(_SYS).alias("event_class"),
        pl.coalesce(
            if_state,
            vpn_state,
            pl.when(pl.col("ike_done").is_not_null()).then(pl.lit("up")),
            pl.when(pl.col("vsd").is_not_null()).then(pl.lit("failover")),
            pl.lit("other"),
        ).alias("action"),
        pl.coalesce(pl.col("if_state"), vpn_state, pl.col("ike_done"), pl.col("vsd_to")).alias(
            "vendor_action"
        ),
        pl.coalesce(
            "iface",
            "vpn",
            "ike_peer",
            pl.when(pl.col("vsd").is_not_null()).then(pl.lit("VSD group ") + pl.col("vsd")),
        ).alias("rule_name"),
        _message(),
        pl.coalesce("vpn_peer", "ike_peer").alias(EXTRA_PREFIX + "peer"),
        pl.col("phase").alias(EXTRA_PREFIX + "phase"),
        pl.col("vsd_from").alias(EXTRA_PREFIX + "from_state"),
    ).drop(
        "iface",
        "if_state",
        "vpn",
        "vpn_peer",
        "vpn_state",
        "ike_peer",
        "phase",
        "ike_done",
        "vsd",
        "vsd_from",
        "vsd_to",
    )


def _other(frame: pl.DataFrame) -> pl.DataFrame:
    """Any other ScreenOS message: kept as a system event with its text."""
    return frame.with_columns(pl.lit(_SYS).alias("event_class"), pl.lit("other").alias("action"), _message())


_FAMILIES: dict[str, Callable[[pl.DataFrame], pl.DataFrame]] = {
    "screen": _screen,
    "admin": _admin,
    "config": _config,
    "state": _state,
    "other": _other,
}
"""Parser of each non-traffic family (each reads only its own rows)."""
