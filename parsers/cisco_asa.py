"""Cisco ASA / PIX / FWSM / Firepower Threat Defense (FTD) syslog.

Format reference: ``../shared/formats/cisco_asa.md`` ("Cisco Secure Firewall ASA Series Syslog
Messages"). Covers ASA 8.x-9.x, PIX 6-7, FWSM and FTD 6.x-7.x (which reuses the ASA message set
with a ``%FTD-`` tag and adds the Firepower events 430001-430005).

How a line is read
------------------
1. The usual line, the ASA envelope ``<166>Mar 02 2026 10:00:00 fw01 : `` (ASCII, fixed-width)
   then ``%ASA-6-302013: `` (a 3-letter tag without logging class) and the text, is recognised by
   one anchored test (``_USUAL_HEADER``) and cut at fixed places from its ``%`` and ``>``: tag,
   level, id, text, time, host. Any other line goes the general way (the result is the same for a
   usual line): one anchored regex takes the tag, everything before the first ``%`` being the
   envelope, then ``%ASA-<level>-<id>`` (``%FTD-``/``%PIX-``/``%FWSM-``, logging classes as in
   ``%ASA-session-3-106102``). Bodies stored without header nor ``%`` (``ASA-6-302013: ...``) are
   read by a second anchored regex, only on the lines the first one missed. A line with neither is
   quarantined ("no %ASA-/%FTD-/%PIX-/%FWSM- message tag"): bodies that carry only a bare id
   (``302013: ...``) or only the message text (the logstash corpus) are such lines.
2. On the general way, the envelope text is read once per run of lines with the same envelope
   (lines of the same second and device) and spread back to the lines of the run. The usual ASA
   envelope is cut at fixed places as above. Any other is read with envelope.ENVELOPE and
   envelope.any_time (``<PRI>``, RFC 5424 ``1``, ISO or BSD time with or without year and
   trailing ``:``, host → ``device``), once per distinct text, and joined back.
3. ``message_id`` is the 6-digit id, ``vendor_severity`` the level digit, ``severity`` its
   normalised value (envelope.syslog_severity), ``product`` the tag word (ASA, FTD, PIX, FWSM),
   ``message`` the text after the tag. A ``message repeated N times: [ ... ]`` wrapper (after the
   tag, or written by a relay around it) is removed: ``message`` is the inner message and
   ``extra.message_repeats`` = N. ``extra.log_class`` keeps a logging class.
4. The id selects a family (``_MESSAGES``); the lines are split by family in one pass
   (``partition_by``) and each family's anchored regex is applied only to its own rows (the
   frequent ones are one-pass patterns of at most 16 groups, which the regex engine runs without
   backtracking). A line whose text does not match its family's pattern is still an
   event (id, severity, message, the id's class and fixed action) with the parsed fields null
   and ``extra.parse_error`` saying so (the corpus has such lines: sanitised placeholders,
   line numbers pasted into CrowdStrike samples). Ids without a family become ``system``/
   ``other`` events (or the class/action ``_MESSAGES`` lists for them).
5. Events come out grouped by family, each group in input order (the lake sorts by time).

Time
----
``time`` is the header time: ISO with offset is exact; BSD and ISO without offset are read in the
source's timezone (``ctx.timezone``); a BSD time without year takes the year closest to the file's
date (``ctx.date``). Lines with no header time (bodies stored without header) have a null time,
except FTD 430xxx lines, which then take ``FirstPacketSecond`` (UTC). When both exist the header
time wins: ``FirstPacketSecond`` is the start of the connection, not the time of a file or
connection-end event; it is kept in ``extra.first_packet_time``.

Addresses
---------
``<ifc>:<addr>/<port>`` endpoints: the interface name is the zone (``src_zone``/``dst_zone``;
``on interface X`` of from/to messages is the ingress interface → ``src_zone``). The address runs
to the last ``/`` (IPv6 keeps its colons); an address with a colon, or of digits and dots only, is
an IP (lower-cased); anything else is a host name (``names`` configured), which never goes to an
``*_ip`` column: it goes to ``extra.src_host``/``extra.dst_host``. Service names in place of ports
(``/ssh``, ``/https``; to-the-box 710xxx and login 605xxx messages) are kept in
``extra.src_service``/``extra.dst_service`` and mapped to their number with ``_SERVICE_PORTS``
(the ASA port literals; port null for other names). Ports above 65535 are null, and so are the
"ports" of ICMP events (ICMP ids, types and codes; type and code go to extra).
The parenthesised mapped address after a real one, and ICMP ``gaddr``, are the NAT addresses:
``*_ip`` columns hold the real addresses and ``nat_src_ip``/``nat_dst_ip`` the mapped (global) ones,
set only when they differ from the real address (as Elastic does). 305011/305012 translations:
``src`` = the real address, ``nat_src_ip`` = the translated one (``extra.nat_src_port``,
``extra.nat_zone`` its interface).
Identity-firewall users ``(LOCAL\\alice, 123)`` go to ``extra.src_user``/``dst_user`` (and
``src_sgt``/``dst_sgt``), a trailing cut-through user ``(bob)`` to ``extra.aaa_user``;
``user`` is the message's own user (AAA, VPN, ``for user``) else the source's identity user else
the cut-through user.

Direction and connection orientation
------------------------------------
Built 302013/302015/302017/302020: ``inbound`` = the ``for``/``faddr`` side initiated (source),
``outbound`` = the ``to``/``laddr`` side initiated (source) and the ``for``/``faddr`` side is the
destination; ``direction`` is the word. Teardowns (302014/302016/302018/302021) carry no
direction: the teardown takes the direction of the nearest earlier Built line with the same
device and connection id (ICMP: the same faddr/gaddr/laddr) in the same frame (an as-of join on
the line number); TCP/UDP/GRE/SCTP teardowns also find their Built in the earlier chunks and files
of the source's day and of the day before (ingest carries the connections still open, the most
recent ``MAX_OPEN_CONNECTIONS``, in ``ctx.carry``, and saves them with the partition): an RDP
session of an hour on a quiet firewall spans many chunks, and one opened at 23:50 two days. Without a Built, the side with the client port opened it (one port >= 1024, the
other < 1024); failing that, the ``for`` side is the source when it is a private address and the
``to`` side a public one; otherwise the ``to`` (local) side is the source. ``direction`` then
comes from the address ranges. Messages saying ``inbound`` (106001, 106006, 106007, 106010, 106011, 106014) are
``inbound``. Every other network event: private (RFC 1918, CGNAT, loopback, link-local, ULA)
source and destination → ``internal``, private → public ``outbound``, public → private
``inbound``, otherwise (public → public, or an address missing) ``unknown``.

Action mapping (vendor_action keeps the device's word)
------------------------------------------------------
- Built / Teardown (connections, translations) → allow; 106100/106102/106103 permitted,
  est-allowed → allow, denied → deny; 710002 permitted → allow, 710003 denied → deny, 710004/
  710005/710006 → drop, 710001 (request seen, no verdict) → null.
- 106001/106006/106007/106010/106011/106014/106016/106017/106020/106021/106022/106023/106012,
  313001/313004/313008/313009, 418001 → deny; 106015 (no connection), 313005, 401004 (shun),
  410001, 419002, 420002, 434002, 421001, 108004, 202010, 110002, 500003/500004 → drop;
  434004, 421002, 421007 → allow.
- 338xxx botnet filter: dropped → drop, monitored → allow (list, threat level, category and the
  malicious side to extra). 733100 threat-detection drop rate → drop (rule_name = the object, e.g.
  ``Scanning``); 733101 host attacking/targeted → action null (a detection, no verdict);
  733102 host shunned → deny. IDS 4000xx: rule_name = the signature text, action null (the
  message does not say what ``ip audit`` did).
- Authentication: 113004/113012, 605005, 611101, 716001, 113039 (AnyConnect session start) →
  success; 113005/113015, 113006 (locked out), 605004, 611102, 716039, 308001 → failure;
  611103 (logout) → action null.
- System: 411001/411003 → up, 411002/411004 → down (rule_name = interface); failover 104001/
  104002 (switch to active/standby) → failover, 104003/105005/105043/101002 → down, 104004/101001
  → up, 105009 Passed → up, Failed → down (rule_name = the unit, Primary/Secondary); 505015
  module up → up, 323006 module data channel down → down (rule_name = module).
  VPN: session start is ``authentication``/``success`` (716001, 113039); tunnel-level starts are
  ``system``/``up`` (722022 SVC connection, 722051 address assigned, 713119/713120 IKE phase 1/2
  completed); session or tunnel end is ``system``/``down`` (716002, 722023, 113019, 713050,
  713259) with rule_name = group policy / tunnel group and user set. 113019 duration → duration_s,
  ``Bytes xmt`` (sent to the peer) → bytes_in, ``Bytes rcv`` → bytes_out. Config: 111001-111008,
  111010, 502101-502103 → config_change (command in extra.command), 111009 (show commands) →
  other; 338310 (dynamic filter update failed) → update_failed; everything else → other.
- FTD: 430002/430003 connections: AccessControlRuleAction containing ``reset`` → reset, ``block``
  → deny, other values → allow; InitiatorBytes → bytes_out, ResponderBytes → bytes_in.
  430001 intrusion: InlineResult ``Blocked``/``Dropped`` → drop, else allow; rule_name = the
  signature message. 430004 file events: FileAction containing ``Block`` → deny, else allow.
  430005 malware: event_class malware_detection, FileAction containing ``Block`` → blocked,
  containing ``Allow`` → allowed, anything else (Detect, Malware Cloud Lookup) → detected;
  malware_name = ThreatName (null for the placeholders ``Unknown``/``Invalid ID``), file_hash =
  FileSHA256 lower-case, file_path = FileName (else URI). FTD placeholder users (``No
  Authentication Required``, ``Not Found``) leave ``user`` null. FTD values are not quoted:
  a value holding ``, Key: `` cannot be told from a field; each key is read at its first
  occurrence, so a crafted value can only shadow keys written after it.

Teardown ``bytes`` is the connection total: ``bytes_total`` (bytes_in/out null); ``duration``
``H:MM:SS`` (hours may exceed 24) → duration_s; the teardown reason → extra.teardown_reason.
Protocols are lower-case as written (``ip`` included); ``protocol <n>`` gives the IANA name for
1, 6, 17, 47, 50, 51, 58 and the number otherwise; ICMPv6 is ``ipv6-icmp``; messages without a
protocol word take the one their id implies (302013 tcp, 106006 udp, ...) or none.

Known limits: 302017 GRE Built lines without a mapped address do not match (fields null); the
FTD key/value ambiguity above.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import polars as pl
import polars.selectors as cs

from seclake.parsers.contract import REASON, ParseContext, ParseResult, finish, parsed_columns
from seclake.parsers.envelope import (
    ENVELOPE,
    any_time,
    is_private_ip,
    localize,
    range_direction,
    syslog_severity,
)
from seclake.parsers.kv import lookup
from seclake.schema import EXTRA_PREFIX

NAME = "cisco_asa"
VENDOR = "Cisco"
PRODUCT = "ASA/FTD"
VERSION = "2"
OPEN_CONNECTIONS = "cisco_asa.open_connections"
"""``ctx.carry`` key: connections still open at the end of the chunks parsed so far (``_still_open``)."""
MAX_OPEN_CONNECTIONS = 100_000
"""Open connections carried from chunk to chunk at most (the most recently built): a bound on
memory when Teardown lines go missing; an ASA of a small site holds tens of thousands."""
_NO_OPEN_CONNECTIONS = pl.DataFrame(
    schema={"_dev": pl.String, "_conn_id": pl.UInt64, "_carried_dir": pl.String}
)

NO_TAG = "no %ASA-/%FTD-/%PIX-/%FWSM- message tag"

_NET, _AUTH, _SYS, _MAL = "network_activity", "authentication", "system", "malware_detection"


def _ascii(pattern: str) -> str:
    """Rewrite ``\\d``, ``\\s``, ``\\w`` as ASCII classes: the regex engine is much faster on them."""
    return pattern.replace(r"\d", "[0-9]").replace(r"\s", "[\t\n\r ]").replace(r"\w", "[0-9A-Za-z_]")


# ---- the tag: one anchored regex (a second one only for bodies stored without header) ----------

_TAG = (
    r"(?P<product>ASA|FTD|PIX|FWSM)-(?:(?P<log_class>[a-z]+)-)?(?P<level>[0-7])-(?P<id>\d{6})"
    r"(?::\s*|\s+|$)"
)
_HEADER = _ascii(rf"^(?P<lead>(?P<env>[^%]*)%{_TAG})")
"""Everything before the first ``%`` is the envelope (read by envelope.envelope), then the tag."""
_BARE_HEADER = _ascii(rf"^(?P<lead>(?P<env>){_TAG})")
"""``ASA-6-302013: ...`` bodies without header and without ``%``."""
_REPEATED = _ascii(r"^(?P<wrap>message repeated (?P<count>\d+) times: \[\s*)")
_OUTER_REPEATED = _ascii(r"message repeated (\d+) times: \[\s*$")
_ASA_ENVELOPE = _ascii(r"^<\d{1,3}>[A-Z][a-z]{2} \d\d \d{4} \d\d:\d\d:\d\d [A-Za-z0-9][\w.\-]* : $")
"""The usual ASA envelope ``<166>Mar 02 2026 10:00:00 fw01 : `` (``logging timestamp``, ``logging
device-id hostname``): ASCII and fixed-width, so time and host are cut at fixed places (the
result is the one envelope.ENVELOPE and envelope.any_time give)."""
_USUAL_HEADER = _ASA_ENVELOPE.removesuffix("$") + "%(?:ASA|FTD|PIX)-[0-7]-[0-9]{6}: [^\t\n\r ]"
"""The usual line: that envelope, a 3-letter tag without logging class, ``: `` and the text, whose
parts are all at fixed places from the ``%`` (anything else goes through ``_HEADER``)."""
_SNIFF = r"(?:%|^)(?:ASA|FTD|PIX|FWSM)-(?:[a-z]+-)?[0-7]-[0-9]{6}\b"

# ---- regex building blocks ------------------------------------------------------------------
# The frequent messages use one-pass patterns (each next character decides the path), which the
# regex engine runs without backtracking: literal separators, negated classes, optional parts that
# start with a character nothing else may start with there.

_ZONE = r"[^\s:/()]+"
_ADDRESS = r"[^\s/()]+"
"""An IPv4 or IPv6 address or a configured host name: told apart after the match."""
_IDFW = r"(?:\((?P<{p}_user>[^()\s,]+(?:,[^()]*)?)\))?"
"""Identity-firewall annotation glued to an address: ``(LOCAL\\alice, 123)`` (user, security tag)."""
_IP = r"\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*[0-9A-Fa-f]"
_HOST = r"[A-Za-z0-9][\w.\-]*"
_IPV4_TEXT = r"^[0-9.]*$"
"""An address read as an IP: IPv6 has a colon, IPv4 only digits and dots."""
_DURATION = r"(?P<dur_h>\d+):(?P<dur_m>\d\d):(?P<dur_s>\d\d)"
_REST = r"(?:[,;:.]?\s.*)?"
"""Vendor text after the fields a pattern reads (not captured)."""


def _idfw(p: str) -> str:
    return _IDFW.format(p=p)


def _endpoint(p: str, *, zone: bool = True, port: str = r"\d+", user: bool = False) -> str:
    """``[zone:]address[/port][(idfw user)]`` with groups ``<p>_zone``, ``<p>_addr``, ``<p>_port``."""
    text = (
        rf"(?P<{p}_zone>{_ZONE}):" if zone else ""
    ) + rf"(?P<{p}_addr>{_ADDRESS})(?:/(?P<{p}_port>{port}))?"
    return text + (_idfw(p) if user else "")


def _addr(p: str) -> str:
    """A strictly matched IP (``<p>_ip``) or host name (``<p>_host``), for backtracking patterns."""
    return rf"(?:(?P<{p}_ip>{_IP})|(?P<{p}_host>{_HOST}))"


_SERVICE = r"[0-9A-Za-z_\-]+"
_MAPPED = r"\s+\((?P<{p}_nat>[^\s/()]+)(?:/[^\s()]*)?\)" + _IDFW.replace("_user>", "_user__2>")
"""The mapped (NAT) address after a real one, then a second place for the identity user."""

# ---- message ids: family, class, fixed action, vendor word, fixed direction, fixed protocol ----

_IDS_400 = tuple(range(400000, 400051))
_IDS_713 = tuple(range(713000, 714000))
_IDS_338 = (*range(338001, 338009), *range(338101, 338105), *range(338201, 338205))
"""Botnet traffic filter: blacklisted (3380xx), whitelisted (3381xx), greylisted (3382xx)."""

_MESSAGES: tuple[tuple[tuple[int, ...], str, str, str | None, str | None, str | None, str | None], ...] = (
    # connections
    ((302013,), "conn", _NET, "allow", "Built", None, "tcp"),
    ((302015,), "conn", _NET, "allow", "Built", None, "udp"),
    ((302017,), "conn", _NET, "allow", "Built", None, "gre"),
    ((302014,), "conn", _NET, "allow", "Teardown", None, "tcp"),
    ((302016,), "conn", _NET, "allow", "Teardown", None, "udp"),
    ((302018,), "conn", _NET, "allow", "Teardown", None, "gre"),
    ((302020,), "icmp_conn", _NET, "allow", "Built", None, None),
    ((302021,), "icmp_conn", _NET, "allow", "Teardown", None, None),
    ((305011,), "nat", _NET, "allow", "Built", None, None),
    ((305012,), "nat", _NET, "allow", "Teardown", None, None),
    # denies and drops
    ((106001,), "deny_flow", _NET, "deny", "denied", "inbound", "tcp"),
    ((106006, 106007), "deny_flow", _NET, "deny", "Deny", "inbound", "udp"),
    ((106015,), "deny_flow", _NET, "drop", "Deny", None, "tcp"),
    ((106012, 106017, 106020, 106021, 106022), "flow_plain", _NET, "deny", "Deny", None, None),
    ((401004,), "flow_plain", _NET, "drop", "Shunned", None, None),
    ((500003, 500004), "flow_plain", _NET, "drop", None, None, None),
    (_IDS_400, "flow_plain", _NET, None, None, None, None),
    ((106010, 106011, 106014), "src_dst", _NET, "deny", "Deny", "inbound", None),
    ((106023,), "acl_deny", _NET, "deny", "Deny", None, None),
    ((418001,), "src_dst", _NET, "deny", "denied", None, None),
    ((313005,), "src_dst", _NET, "drop", None, None, None),
    ((313001, 313004, 313008), "icmp_denied", _NET, "deny", "Denied", None, None),
    ((106100,), "acl_log", _NET, None, None, None, None),
    ((106102, 106103), "acl_user", _NET, None, None, None, None),
    ((710001,), "to_box", _NET, None, "requested", None, None),
    ((710002,), "to_box", _NET, "allow", "permitted", None, None),
    ((710003,), "to_box", _NET, "deny", "denied", None, None),
    ((710004,), "to_box", _NET, "drop", "limit exceeded", None, None),
    ((710005, 710006), "to_box", _NET, "drop", "discarded", None, None),
    ((313009,), "flow_zoned", _NET, "deny", "Denied", None, None),
    ((410001,), "flow_zoned", _NET, "drop", "Dropped", None, None),
    ((108004,), "flow_zoned", _NET, "drop", "Dropped", None, "tcp"),
    ((420002, 434002), "flow_zoned", _NET, "drop", "drop", None, None),
    ((421001,), "flow_zoned", _NET, "drop", "dropped", None, None),
    ((419002, 202010), "flow_zoned", _NET, "drop", None, None, None),
    ((434004,), "flow_zoned", _NET, "allow", "bypass", None, None),
    ((421002,), "flow_zoned", _NET, "allow", "bypassed", None, None),
    ((421007,), "flow_zoned", _NET, "allow", "skipped", None, None),
    ((106016,), "generic", _NET, "deny", "Deny", None, None),
    ((110002,), "generic", _NET, "drop", None, None, None),
    # threat detection, botnet filter
    (_IDS_338, "botnet", _NET, None, None, None, None),
    ((733100,), "threat_rate", _NET, "drop", "drop", None, None),
    ((733101,), "threat_host", _NET, None, None, None, None),
    ((733102,), "threat_host", _NET, "deny", "shun", None, None),
    ((338310,), "generic", _SYS, "update_failed", "Failed", None, None),
    # authentication
    ((113004, 113012), "aaa", _AUTH, "success", "Successful", None, None),
    ((113005, 113015), "aaa", _AUTH, "failure", "Rejected", None, None),
    ((113006,), "lockout", _AUTH, "failure", "locked out", None, None),
    ((605004,), "login", _AUTH, "failure", "denied", None, None),
    ((605005,), "login", _AUTH, "success", "permitted", None, None),
    ((611101,), "uname", _AUTH, "success", "succeeded", None, None),
    ((611102,), "uname", _AUTH, "failure", "failed", None, None),
    ((611103,), "uname", _AUTH, None, "logged out", None, None),
    ((308001,), "enable", _AUTH, "failure", "incorrect", None, None),
    ((716001, 113039), "webvpn", _AUTH, "success", "started", None, None),
    ((716039,), "webvpn", _AUTH, "failure", "rejected", None, None),
    # VPN sessions and tunnels
    ((716002,), "webvpn", _SYS, "down", "terminated", None, None),
    ((722022,), "webvpn", _SYS, "up", "established", None, None),
    ((722023,), "webvpn", _SYS, "down", "terminated", None, None),
    ((722051,), "webvpn", _SYS, "up", "assigned", None, None),
    ((722037,), "webvpn", _SYS, "other", "closing", None, None),
    ((113019,), "vpn_disconnect", _SYS, "down", "disconnected", None, None),
    (_IDS_713, "ike", _SYS, "other", None, None, None),
    ((713119, 713120), "ike", _SYS, "up", "COMPLETED", None, None),
    ((713050,), "ike", _SYS, "down", "terminated", None, None),
    ((713259,), "ike", _SYS, "down", "torn down", None, None),
    # configuration
    ((111008, 111010), "config_cmd", _SYS, "config_change", "executed", None, None),
    ((111009,), "config_cmd", _SYS, "other", "executed", None, None),
    (
        (111001, 111002, 111003, 111004, 111005, 111007),
        "config_session",
        _SYS,
        "config_change",
        None,
        None,
        None,
    ),
    ((502101,), "uname", _SYS, "config_change", "added", None, None),
    ((502102,), "uname", _SYS, "config_change", "deleted", None, None),
    ((502103,), "uname", _SYS, "config_change", "changed", None, None),
    # interfaces, failover, modules
    ((411001,), "iface", _SYS, "up", "up", None, None),
    ((411002,), "iface", _SYS, "down", "down", None, None),
    ((411003,), "iface", _SYS, "up", "administratively up", None, None),
    ((411004,), "iface", _SYS, "down", "administratively down", None, None),
    ((104001,), "failover", _SYS, "failover", "ACTIVE", None, None),
    ((104002,), "failover", _SYS, "failover", "STANDBY", None, None),
    ((104003,), "failover", _SYS, "down", "FAILED", None, None),
    ((104004,), "failover", _SYS, "up", "OK", None, None),
    ((105005,), "failover", _SYS, "down", "Lost", None, None),
    ((105043,), "failover", _SYS, "down", "failed", None, None),
    ((101001,), "failover", _SYS, "up", "OK", None, None),
    ((101002,), "failover", _SYS, "down", "Bad", None, None),
    ((105008, 105009), "failover", _SYS, "other", None, None, None),
    ((505015,), "module", _SYS, "up", "up", None, None),
    ((323006,), "module", _SYS, "down", "DOWN", None, None),
    # Firepower events
    ((430001, 430002, 430003, 430004), "ftd", _NET, None, None, None, None),
    ((430005,), "ftd", _MAL, None, None, None, None),
)
"""Later rows override earlier ones (713119 over the 713xxx range)."""
_NETWORK_FAMILIES = frozenset(family for _, family, event_class, *_ in _MESSAGES if event_class == _NET)

_SERVICE_PORTS: dict[str, int] = {
    "aol": 5190, "bgp": 179, "biff": 512, "bootpc": 68, "bootps": 67, "chargen": 19, "cifs": 3020,
    "citrix-ica": 1494, "cmd": 514, "ctiqbe": 2748, "daytime": 13, "discard": 9, "dnsix": 195,
    "domain": 53, "echo": 7, "exec": 512, "finger": 79, "ftp": 21, "ftp-data": 20, "gopher": 70,
    "h323": 1720, "hostname": 101, "http": 80, "https": 443, "ident": 113, "imap4": 143, "irc": 194,
    "isakmp": 500, "kerberos": 750, "klogin": 543, "kshell": 544, "ldap": 389, "ldaps": 636,
    "login": 513, "lotusnotes": 1352, "lpd": 515, "mobile-ip": 434, "nameserver": 42,
    "netbios-dgm": 138, "netbios-ns": 137, "netbios-ssn": 139, "nfs": 2049, "nntp": 119, "ntp": 123,
    "pcanywhere-data": 5631, "pcanywhere-status": 5632, "pim-auto-rp": 496, "pop2": 109, "pop3": 110,
    "pptp": 1723, "radius": 1645, "radius-acct": 1646, "rip": 520, "rsh": 514, "rtsp": 554,
    "secureid-udp": 5510, "sip": 5060, "smtp": 25, "snmp": 161, "snmptrap": 162, "sqlnet": 1521,
    "ssh": 22, "sunrpc": 111, "syslog": 514, "tacacs": 49, "talk": 517, "telnet": 23, "tftp": 69,
    "time": 37, "uucp": 540, "who": 513, "whois": 43, "www": 80, "xdmcp": 177,
}  # fmt: skip
"""ASA port literals (``show running-config`` names) → port numbers."""

_PROTOCOL_NAMES: dict[str, str] = {
    "1": "icmp", "6": "tcp", "17": "udp", "47": "gre", "50": "esp", "51": "ah", "58": "ipv6-icmp",
    "icmpv6": "ipv6-icmp",
}  # fmt: skip
"""IANA numbers (``protocol 47``) and aliases → protocol names."""
_NUMBERED_PROTOCOL_FAMILIES = ("src_dst", "acl_deny", "icmp_conn", "icmp_denied", "ftd")
"""Families whose protocol word may be a number or ICMPv6 (the others write tcp/udp/icmp)."""

# ---- family patterns (applied to the message text, only on the rows of their ids) --------------

_PATTERNS: dict[str, str] = {
    "conn_built": (
        r"^Built (?P<dir>inbound|outbound) (?:TCP|UDP|GRE|SCTP) connection (?P<conn>\d+)\s+f(?:or|rom)\s+"
        + _endpoint("f", user=True)
        + _MAPPED.format(p="f")
        + r"\s+to\s+"
        + _endpoint("t", user=True)
        + _MAPPED.format(p="t")
        + r"(?: \((?P<aaa_user>[^()]*)\))?$"
    ),
    "conn_teardown": (
        r"^Teardown (?:TCP|UDP|GRE|SCTP) connection (?P<conn>\d+)\s+f(?:or|rom)\s+"
        + _endpoint("f", user=True)
        + r"\s+to\s+"
        + _endpoint("t", user=True)
        + rf"\s+duration\s+{_DURATION}\s+(?:forwarded\s+)?bytes\s+(?P<bytes>\d+)"
        + r"(?: (?:\((?P<aaa_user>[^()]*)\)|(?P<x_teardown_reason>[^()]+)(?:\((?P<aaa_user__2>[^()]*)\))?))?$"
    ),
    "icmp_conn": (
        r"^(?:Built (?P<dir>inbound|outbound) |Teardown )(?P<proto>ICMP(?:v6)?) connection\s+for\s+"
        + rf"(?P<conn>faddr (?P<f_addr>{_ADDRESS})/\d+{_idfw('f')} gaddr (?P<t_nat>{_ADDRESS})/\d+ "
        + rf"laddr (?P<t_addr>{_ADDRESS})/\d+){_idfw('t')}"
        + r"(?: type (?P<x_icmp_type>\d+) code (?P<x_icmp_code>\d+))?$"
    ),
    "nat": (
        r"^(?:Built|Teardown) (?P<x_nat_type>[a-z]+) (?P<proto>[A-Za-z]+) translation from "
        + _endpoint("s", user=True)
        + rf" to (?P<x_nat_zone>{_ZONE}):(?P<s_nat>{_ADDRESS})"
        # one-pass: the final "." is only looked for after a port or a duration (right after the
        # address it is part of it, as the greedy address took it anyway)
        + rf"(?:/(?P<x_nat_src_port>\d+)(?: duration {_DURATION})?\.?"
        + rf"| duration {_DURATION.replace('>', '__2>')}\.?)?$"
    ),
    "deny_flow": (
        r"^(?:Inbound TCP connection denied|Deny (?:inbound UDP|TCP \(no connection\)))\s+from\s+"
        + _endpoint("s", zone=False)
        + r"\s+to\s+"
        + _endpoint("d", zone=False)
        + r"(?: (?:flags(?P<x_tcp_flags>[A-Z ]*))?(?:on interface (?P<s_zone>[^\s]+)|due to DNS (?P<x_dns>[A-Za-z]+))?)?$"
    ),
    "flow_plain": (
        r"^(?P<verb>[^/\n]*?)(?:\s+from|:)\s+"
        + _addr("s")
        + r"(?:/(?P<s_port>\d+))?\s+(?:to|=)\s+"
        + _addr("d")
        + r"(?:/(?P<d_port>\d+))?"
        + r"(?:,?\s+flags(?::?\s+(?P<x_tcp_flags>[A-Z]+(?: [A-Z]+)*))?)?"
        + r"(?:,?\s+on\s+interface\s+(?P<s_zone>[^\s,]+?))?\.?"
        + _REST
        + "$"
    ),
    "icmp_denied": (
        r"^Denied (?P<proto>ICMP|IPv6-ICMP|ICMPv6) type=(?P<x_icmp_type>\d+),\s*(?:code=(?P<x_icmp_code>\d+)\s+)?"
        + r"from\s+(?:laddr\s+)?"
        + _addr("s")
        + r"\s+on\s+interface\s+(?P<s_zone>[^\s:]+?)(?:\s+to\s+"
        + _addr("d")
        + ")?"
        + _REST
        + "$"
    ),
    "acl_deny": (
        r"^Deny (?P<proto>[^\s]+) (?:(?P<proto_num>\d+) )?src "
        + _endpoint("s", user=True)
        + " dst "
        + _endpoint("d", user=True)
        + r"(?: (?:\(?type (?P<x_icmp_type>\d+), code (?P<x_icmp_code>\d+)\)?,? )?by access-group "
        + r'"(?P<rule_name>[^"]*)"(?: \[[^\]]*\])?)?$'
    ),
    "src_dst": (
        r"^(?:Deny(?:\s+inbound)?(?:\s+\(No xlate\))?|Through-the-device packet to/from management-only network "
        + r"is denied:|No matching connection for ICMP error message:)\s+(?P<proto>protocol \d+|[A-Za-z][\w\-]*)"
        + r"\s+src\s+"
        + rf"(?P<s_zone>{_ZONE}):{_addr('s')}(?:/(?P<s_port>\d+))?{_idfw('s')}"
        + r"(?:\s+dst\s+"
        + rf"(?P<d_zone>{_ZONE}):{_addr('d')}(?:/(?P<d_port>\d+))?{_idfw('d')}"
        + r")?(?:\s*\(?type (?P<x_icmp_type>\d+), code (?P<x_icmp_code>\d+)\)?,?)?"
        + _REST
        + "$"
    ),
    "acl_log": (
        r"^access-list (?P<rule_name>[^\s]+) (?P<verb>permitted|denied|est-allowed) (?P<proto>[^\s]+) "
        + rf"(?P<s_zone>[^\s/]+)/(?P<s_addr>[^\s()]+)\((?P<s_port>\d+)\){_idfw('s')} -> "
        + rf"(?P<d_zone>[^\s/]+)/(?P<d_addr>[^\s()]+)\((?P<d_port>\d+)\){_idfw('d')} "
        + r"hit-cnt (?P<x_hit_count>\d+) (?P<x_hit_interval>first hit|\d+-second interval)(?: \[[^\]]*\])?$"
    ),
    "acl_user": (
        r"^access-list (?P<rule_name>[^\s]+) (?P<verb>permitted|denied|est-allowed) (?P<proto>[^\s]+) "
        + r"for user (?:'(?P<user_q>[^']*)'|(?P<user>[^\s']+)) "
        + rf"(?P<s_zone>[^\s/]+)/(?P<s_addr>[^\s()]+)\((?P<s_port>\d+)\){_idfw('s')} -> "
        + rf"(?P<d_zone>[^\s/]+)/(?P<d_addr>[^\s()]+)\((?P<d_port>\d+)\){_idfw('d')} "
        + r"hit-cnt (?P<x_hit_count>\d+) (?P<x_hit_interval>first hit|\d+-second interval)(?: \[[^\]]*\])?$"
    ),
    "to_box": (
        r"^(?P<proto>[A-Za-z]+) (?:access (?:denied by ACL|permitted|requested)|request discarded"
        + r"|connection limit exceeded)\s+from\s+"
        + _endpoint("s", zone=False, port=_SERVICE)
        + r"\s+to\s+"
        + _endpoint("d", port=_SERVICE)
        + r"(?: .*)?$"
    ),
    "flow_zoned": (
        r"^(?P<verb>[^/\n]*?)\s+(?:from|for)\s+"
        + rf"(?P<s_zone>{_ZONE}):{_addr('s')}(?:/(?P<s_port>\d+))?(?:,?\s\((?:(?P<s_nat>{_IP})|{_HOST})/\d+\))?"
        + _idfw("s")
        + r"\s+to\s+"
        + rf"(?P<d_zone>{_ZONE}):{_addr('d')}(?:/(?P<d_port>\d+))?(?:,?\s\((?:(?P<d_nat>{_IP})|{_HOST})/\d+\))?"
        + _idfw("d")
        + _REST
        + "$"
    ),
    "botnet": (
        r"^Dynamic [Ff]ilter (?P<verb>\w+) (?P<x_list>\w+) (?P<proto>\w+) traffic from "
        + rf"(?P<s_zone>{_ZONE}):(?P<s_addr>{_ADDRESS})(?:/(?P<s_port>\d+))?(?:,?\s\((?P<s_nat>{_IP})/\d+\))?"
        + _idfw("s")
        + " to "
        + rf"(?P<d_zone>{_ZONE}):(?P<d_addr>{_ADDRESS})(?:/(?P<d_port>\d+))?(?:,?\s\((?P<d_nat>{_IP})/\d+\))?"
        + _idfw("d")
        + r"(?:,\s+(?P<x_malicious_side>source|destination) (?P<x_malicious_address>[^\s,]+) resolved from "
        + r"(?P<x_list_source>.+?) list: (?P<x_malicious_name>.*?), threat-level: (?P<x_threat_level>[^,]*), "
        + r"category: (?P<x_threat_category>.*?))?\s*$"
    ),
    "threat_rate": (
        r"^\[?\s*(?P<rule_name>[^\]]*?)\s*\]? drop rate[- ](?P<x_rate_id>\d+) exceeded\. "
        + r"Current burst rate is (?P<x_burst_rate>\d+) per second, max configured rate is (?P<x_burst_rate_max>\d+); "
        + r"Current average rate is (?P<x_average_rate>\d+) per second, max configured rate is "
        + r"(?P<x_average_rate_max>\d+); Cumulative total count is (?P<x_total_count>\d+)\s*$"
    ),
    "threat_host": (
        rf"^(?:(?:Host|Subnet) (?P<target>{_IP})(?:/\d+)? is (?P<x_role>attacking|targeted)"
        + rf"|Threat-detection adds host (?P<s_ip>{_IP}) to shun list)"
        + _REST
        + "$"
    ),
    "aaa": (
        r"^AAA user (?P<x_aaa_type>\w+) (?:Successful|Rejected)\s*:\s*(?:reason = (?P<x_reason>.*?)\s*:\s*)?"
        + r"(?:server = (?P<x_aaa_server>[^\s,:]+)|local database)\s*[,:]\s*[Uu]ser = (?P<user>.*?)"
        + r"(?:\s*:\s*user IP = "
        + _addr("s")
        + r")?\s*$"
    ),
    "lockout": (
        r"^User (?P<user>.+?) locked out on exceeding (?P<x_attempts>[^\s]+) successive failed "
        + r"authentication attempts\.?\s*$"
    ),
    "login": (
        r"^Login (?:denied|permitted) from "
        + _endpoint("s", zone=False, port=_SERVICE)
        + r" to "
        + _endpoint("d", port=_SERVICE)
        + r' for user "(?P<user>[^"]*)"$'
    ),
    "uname": (
        r"^(?:User authentication (?:succeeded|failed)|User logged out|New user added to local dbase|User deleted "
        + r"from local dbase|User priv level changed):\s+(?:IP address:\s+"
        + _addr("s")
        + r",?\s+)?Uname:\s+(?P<user>[^\s]+)"
        + r"(?:\s+Priv:\s+(?P<x_privilege>[^\s]+).*|\s+From:\s+(?P<x_privilege_from>[^\s]+)\s+To:\s+"
        + r"(?P<x_privilege_to>[^\s]+))?\s*$"
    ),
    "enable": (
        r"^console enable password incorrect for (?P<x_tries>[^\s]+) tries \(from "
        + _addr("s")
        + r"\)\.?\s*$"
    ),
    "webvpn": (
        r"^Group <(?P<rule_name>[^>]*)> User <(?P<user>.*)> IP <"
        + _addr("s")
        + r">(?: IPv4 Address <(?P<x_assigned_ip>[^>]*)>)?"
        + _REST
        + "$"
    ),
    "vpn_disconnect": (
        r"^Group = (?P<rule_name>.*?), Username = (?P<user>.*), IP = "
        + _addr("s")
        + r", Session disconnected\. Session Type: (?P<x_session_type>[^,]*), Duration: "
        + r"(?:(?P<dur_d>\d+)d\s*)?(?P<dur_h>\d+)h:(?P<dur_m>\d+)m:(?P<dur_s>\d+)s, Bytes xmt: (?P<bytes_in>\d+), "
        + r"Bytes rcv: (?P<bytes_out>\d+), Reason: (?P<x_reason>.*?)\s*$"
    ),
    "ike": (
        r"^(?:Group = (?P<rule_name>[^,]*), )?(?:Username = (?P<user>.*), )?IP = "
        + _addr("s")
        + r"(?::\d+)?,"
        + _REST
        + "$"
    ),
    "config_cmd": (
        r"^User '?(?P<user>[^',\s]*)'?(?:, running '(?P<x_via>[^']*)' from IP "
        + _addr("s")
        + r",)? executed (?:the '(?P<x_command>.*)' command\.?|the command (?P<x_command__2>.*?)\.?"
        + r"|'(?P<x_command__3>.*)'|cmd:\s*(?P<x_command__4>.*?)\.?)\s*$"
    ),
    "config_session": r"^(?:Begin configuration:\s+)?"
    + _addr("s")
    + r"\s+(?P<x_config_event>[^\n]*?)\.?\s*$",
    "iface": (
        r"^(?:Line protocol|Configuration status) on Interface (?P<rule_name>[^,]+), changed state to "
        + r"(?:administratively )?(?:up|down)\s*$"
    ),
    "failover": (
        r"^\((?P<rule_name>Primary|Secondary)\) (?:Switching to [A-Z]+(?:\s*-\s*(?P<x_reason>.*?))?|Lost Failover "
        + r"communications with mate on interface (?P<x_interface>[^\s]+?)|Testing on interface "
        + r"(?P<x_interface__2>[^\s]+) (?P<verb>Passed|Failed)|Failover interface failed|Failover cable OK"
        + r"|Bad failover cable)\.?\s*$"
    ),
    "module": r"^Module (?P<rule_name>[^\s,]+)" + _REST + "$",
}
_PATTERNS = {name: _ascii(p) for name, p in _PATTERNS.items()}

_SERVICE_FAMILIES = ("to_box", "login")
"""Families whose ports may be service names (``/ssh``)."""

_VERB_ACTIONS: dict[str, dict[str, str]] = {
    "acl_log": {"permitted": "allow", "est-allowed": "allow", "denied": "deny"},
    "acl_user": {"permitted": "allow", "est-allowed": "allow", "denied": "deny"},
    "botnet": {"dropped": "drop", "monitored": "allow"},
    "failover": {"Passed": "up", "Failed": "down"},
}
"""Families whose action depends on a word of the message (group ``verb``)."""

# FTD 430xxx: ``Key: value, Key: value`` - one regex per key, only on the ids that carry it.
_FTD_COMMON = {
    "SrcIP": "s_addr", "DstIP": "d_addr", "SrcPort": "s_port", "DstPort": "d_port", "Protocol": "proto",
    "IngressZone": "s_zone", "EgressZone": "d_zone", "IngressInterface": "x_ingress_interface",
    "EgressInterface": "x_egress_interface", "User": "ftd_user", "ConnectionID": "conn",
    "FirstPacketSecond": "x_first_packet_time", "AccessControlRuleName": "rule_name",
    "ApplicationProtocol": "x_application_protocol", "Client": "x_client",
    "WebApplication": "x_web_application",
}  # fmt: skip
_FTD_KEYS: dict[str, dict[str, str]] = {
    "connection": {
        "AccessControlRuleAction": "verb", "InitiatorBytes": "bytes_out", "ResponderBytes": "bytes_in",
        "InitiatorPackets": "packets_out", "ResponderPackets": "packets_in",
        "ConnectionDuration": "duration", "ACPolicy": "x_ac_policy",
    },
    "file": {
        "FileAction": "verb", "FileSHA256": "sha256", "ThreatName": "x_threat_name", "FileName": "file_name",
        "URI": "x_url", "FileDirection": "x_file_direction", "SHA_Disposition": "x_sha_disposition",
        "ThreatScore": "x_threat_score", "FileType": "x_file_type", "FileSize": "x_file_size",
        "FilePolicy": "x_file_policy",
    },
    "intrusion": {
        "InlineResult": "verb", "Message": "signature", "GID": "x_gid", "SID": "x_sid",
        "Revision": "x_revision", "Classification": "x_classification", "Priority": "x_priority",
        "IntrusionPolicy": "x_intrusion_policy",
    },
}  # fmt: skip
_FTD_KINDS = {
    "430001": "intrusion",
    "430002": "connection",
    "430003": "connection",
    "430004": "file",
    "430005": "file",
}
_FTD_NO_USER = ("No Authentication Required", "Not Found", "No Authentication", "Unknown")
_FTD_NO_THREAT = ("Unknown", "Invalid ID")

_GROUP_NAME = re.compile(r"\(\?P<(\w+)>")


def sniff(lines: pl.Series) -> pl.Series:
    """Per line: does it carry an ASA/FTD/PIX/FWSM message tag."""
    return lines.str.contains(_SNIFF).fill_null(False)


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse ASA/FTD syslog lines into events (see the module docstring for every decision)."""
    tagged = _read_tags(lines, ctx)
    by_family = tagged.partition_by("_family", maintain_order=True, as_dict=True)
    families = sorted(key[0] for key in by_family if key[0] is not None)
    carried = None if ctx.carry is None else ctx.carry.get(OPEN_CONNECTIONS, _NO_OPEN_CONNECTIONS)
    plans = []
    for name in families:
        part = by_family[(name,)].lazy()
        plans.append(
            _connections(part, name, carried) if name == "conn" else _FAMILY_PARSERS[name](part, name)
        )
    # in memory: the plans run side by side and each with_columns' expressions in parallel, with
    # less overhead than the streaming engine here (measured)
    parts = [_without_empty_extras(part) for part in pl.collect_all(plans, engine="in-memory")]
    if carried is not None and "conn" in families:
        ctx.carry[OPEN_CONNECTIONS] = _still_open(carried, parts[families.index("conn")])
    parts.append(by_family.get((None,), tagged.clear()))
    frame = pl.concat(parts, how="diagonal_relaxed")
    return finish(
        frame.select(parsed_columns(frame)), ctx, format_name=NAME, vendor=VENDOR, product=pl.col("product")
    )


# ---- header ------------------------------------------------------------------------------------


def _read_tags(lines: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Tag, envelope, message text and message-id family of every line (usual lines cut by place)."""
    frame = lines.with_row_index("_row")
    usual = frame.get_column("raw").str.contains(_USUAL_HEADER).fill_null(False)
    if usual.all():
        tags = _cut_usual_tags(frame.lazy(), ctx)
    elif not usual.any():
        tags = _match_tags(frame, ctx).lazy()
    else:
        tags = pl.concat(
            [_cut_usual_tags(frame.lazy().filter(usual), ctx), _match_tags(frame.filter(~usual), ctx).lazy()],
            how="diagonal",
        ).sort("_row")
    level = pl.col("level").cast(pl.Int8, strict=False)
    tagged = (
        tags.with_columns(
            pl.col("log_class").alias(_extra("log_class")),
            pl.col("id").alias("message_id"),
            pl.col("id").cast(pl.UInt32, strict=False).alias("_id"),
            pl.col("level").alias("vendor_severity"),
            syslog_severity(level).alias("severity"),
            pl.when(pl.col("id").is_null()).then(pl.lit(NO_TAG)).alias(REASON),
        )
        .join(_message_table().lazy(), on="_id", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col(REASON).is_null()).then(pl.col("_family").fill_null("generic")).alias("_family"),
            pl.col("event_class").fill_null(_SYS),
            pl.when(pl.col("event_class").is_null())
            .then(pl.lit("other"))
            .otherwise(pl.col("action"))
            .alias("action"),
        )
        .drop("log_class", "level", "id", "_id")
        .collect(engine="in-memory")
    )
    return _unwrap_repeats(tagged)


def _cut_usual_tags(frame: pl.LazyFrame, ctx: ParseContext) -> pl.LazyFrame:
    """Lines of ``_USUAL_HEADER``: tag, message, time and device cut at their fixed places."""
    raw = pl.col("raw")
    tag = raw.str.find("%", literal=True)  # a byte offset: the envelope is ASCII
    time_start = raw.str.find(">", literal=True) + 1
    time = raw.str.slice(time_start, 20).str.strptime(pl.Datetime("us"), "%b %d %Y %H:%M:%S", strict=False)
    return frame.with_columns(
        raw.str.slice(tag + 1, 3).alias("product"),
        pl.lit(None, dtype=pl.String).alias("log_class"),
        raw.str.slice(tag + 5, 1).alias("level"),
        raw.str.slice(tag + 7, 6).alias("id"),
        raw.str.slice(tag + 15).str.strip_chars_end().alias("message"),
        localize(time, ctx.timezone).alias("time"),
        raw.str.slice(time_start + 21, tag - time_start - 24).alias("device"),
        pl.lit(None, dtype=pl.String).alias("_outer_repeats"),
    )


def _match_tags(lines: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Any other line: the tag by ``_HEADER`` (then ``_BARE_HEADER``), the envelope per run."""
    names = ["lead", "env", "product", "log_class", "level", "id"]
    tags = (
        lines.lazy()
        .with_columns(pl.col("raw").str.extract_groups(_HEADER).struct.rename_fields(names).alias("_h"))
        .unnest("_h")
        .collect(engine="streaming")  # cuts the lines into morsels: the regex runs on every core
        .rechunk()  # gathers and joins on a one-chunk frame are much faster
    )
    if tags.get_column("id").null_count():
        bare = tags.filter(pl.col("id").is_null()).select(
            "_row", pl.col("raw").str.extract_groups(_BARE_HEADER).struct.rename_fields(names).alias("_h")
        )
        tags = tags.update(bare.unnest("_h"), on="_row")
    env = pl.col("env")
    new_envelope = env.ne_missing(env.shift(1)) | (pl.int_range(pl.len()) == 0)
    envelope_of_line = tags.select(new_envelope.cum_sum() - 1).to_series()
    envelopes = _read_envelopes(tags.filter(new_envelope).get_column("env"), ctx)[envelope_of_line]
    message = pl.col("raw").str.slice(pl.col("lead").str.len_chars()).str.strip_chars_end()
    return (
        pl.concat([tags, envelopes], how="horizontal")
        .with_columns(message.alias("message"))
        .drop("lead", "env")
    )


def _unwrap_repeats(tagged: pl.DataFrame) -> pl.DataFrame:
    """Remove ``message repeated N times: [ ... ]`` wrappers: after the tag, and around it (relays).

    The count goes to ``extra.message_repeats`` (the outer one when both). The regex only runs
    when some message starts with the wrapper's words, the outer ``]`` is only looked for when
    some envelope had the wrapper (both rare).
    """
    outer = pl.col("_outer_repeats")
    count = outer
    if tagged.get_column("message").str.starts_with("message repeated ").any():
        repeated = pl.col("message").str.extract_groups(_REPEATED)
        unwrapped = (
            pl.col("message").str.slice(repeated.struct.field("wrap").str.len_chars()).str.strip_suffix("]")
        )
        tagged = tagged.with_columns(
            repeated.struct.field("count").alias("_inner_repeats"),
            pl.when(repeated.struct.field("wrap").is_not_null())
            .then(unwrapped.str.strip_chars_end())
            .otherwise(pl.col("message"))
            .alias("message"),
        )
        count = pl.coalesce(outer, "_inner_repeats")
    if tagged.get_column("_outer_repeats").null_count() < tagged.height:
        tagged = tagged.with_columns(
            pl.when(outer.is_not_null())
            .then(pl.col("message").str.strip_suffix("]").str.strip_chars_end())
            .otherwise(pl.col("message"))
            .alias("message"),
        )
    return tagged.with_columns(count.alias(_extra("message_repeats"))).drop(
        "_outer_repeats", "_inner_repeats", strict=False
    )


def _read_envelopes(envelopes: pl.Series, ctx: ParseContext) -> pl.DataFrame:
    """Time, device and outer ``message repeated`` count of texts before the tag (``env``).

    Runs once per run of lines with the same text (lines of the same second and device). The
    usual ASA envelope (``_ASA_ENVELOPE``) is cut at fixed places; the others are read with
    envelope.ENVELOPE and envelope.any_time once per distinct text and joined back.
    """
    env = pl.col("env")
    usual = env.str.contains(_ASA_ENVELOPE).fill_null(False)
    time_start = env.str.find(">", literal=True) + 1
    time = env.str.slice(time_start, 20).str.strptime(pl.Datetime("us"), "%b %d %Y %H:%M:%S", strict=False)
    read = envelopes.to_frame("env").select(
        env,
        usual.alias("_usual"),
        pl.when(usual).then(localize(time, ctx.timezone)).alias("time"),
        pl.when(usual)
        .then(env.str.slice(time_start + 21, env.str.len_bytes() - time_start - 24))
        .alias("device"),
    )
    others = read.filter(~pl.col("_usual") & env.is_not_null()).select(env.unique())
    if others.is_empty():
        return read.select("time", "device", pl.lit(None, dtype=pl.String).alias("_outer_repeats"))
    parts = others.with_columns(env.str.extract_groups(ENVELOPE).alias("_e")).unnest("_e")
    other = parts.select(
        "env",
        any_time(pl.col("time"), ctx.timezone, ctx.date).alias("_time"),
        pl.col("host").alias("_device"),
        pl.col("body").str.extract(_OUTER_REPEATED, 1).alias("_outer_repeats"),
    )
    return read.join(other, on="env", how="left", maintain_order="left").select(
        pl.coalesce("time", "_time").alias("time"),
        pl.coalesce("device", "_device").alias("device"),
        "_outer_repeats",
    )


@functools.cache
def _message_table() -> pl.DataFrame:
    """``_MESSAGES`` as a join table keyed by the 6-digit id (later rows win)."""
    rows: dict[str, tuple] = {}
    for ids, family, event_class, action, vendor_action, direction, protocol in _MESSAGES:
        for message_id in ids:
            rows[str(message_id)] = (family, event_class, action, vendor_action, direction, protocol)
    names = ("_family", "event_class", "action", "vendor_action", "_fixed_direction", "_fixed_protocol")
    columns = {"_id": [int(i) for i in rows]} | {
        n: [row[i] for row in rows.values()] for i, n in enumerate(names)
    }
    return pl.DataFrame(columns, schema={"_id": pl.UInt32} | dict.fromkeys(names, pl.String))


# ---- family parsing ----------------------------------------------------------------------------


def _extract(part: pl.LazyFrame, pattern: str) -> tuple[pl.LazyFrame, set[str]]:
    """Apply a family pattern to the message; group ``g`` becomes column ``g_<g>``.

    ``g__2``, ``g__3`` ... (the same field at another place of the pattern) merge into ``g_<g>``.
    ``g_ok`` tells a matching line: every pattern has a group that a match always sets. No empty
    marker group: a pattern with more than 16 groups loses the regex engine's fast one-pass path.
    """
    names = _GROUP_NAME.findall(pattern)
    groups = pl.col("message").str.extract_groups(pattern)
    frame = part.with_columns(groups.struct.rename_fields([f"g_{n}" for n in names]).alias("_g")).unnest("_g")
    merged: dict[str, list[str]] = {}
    for name in names:
        merged.setdefault(name.split("__")[0], []).append(f"g_{name}")
    frame = frame.with_columns(
        *(pl.coalesce(cols).alias(f"g_{base}") for base, cols in merged.items() if len(cols) > 1),
        pl.when(pl.any_horizontal(pl.col(f"g_{n}").is_not_null() for n in names))
        .then(pl.lit(""))
        .alias("g_ok"),
    )
    return frame, {*merged, "ok"}


def _by_pattern(part: pl.LazyFrame, family: str) -> pl.LazyFrame:
    """Families read with one regex: the groups become event columns (see ``_finish_family``)."""
    return _finish_family(*_extract(part, _PATTERNS[family]), family)


def _generic(part: pl.LazyFrame, family: str) -> pl.LazyFrame:
    """Ids without a pattern: the event keeps id, severity, message and the id's class/action."""
    return part


def _finish_family(
    frame: pl.LazyFrame,
    names: set[str],
    family: str,
    overrides: dict[str, pl.Expr] | None = None,
) -> pl.LazyFrame:
    """Event columns from the groups ``names``, then what depends on them (ports, direction).

    ``overrides`` replace computed columns. ``direction`` is the message's word (group ``dir``),
    else the id's fixed direction, else the address ranges.
    """
    frame = frame.with_columns(**(_event_columns(names, family) | (overrides or {})))
    if family in _SERVICE_FAMILIES:
        for side in ("src", "dst"):
            frame = frame.join(
                _service_table(_extra(f"{side}_service"), f"_{side}_service_port").lazy(),
                on=_extra(f"{side}_service"),
                how="left",
                maintain_order="left",
            ).with_columns(pl.coalesce(f"{side}_port", f"_{side}_service_port").alias(f"{side}_port"))
    protocol = pl.col("_protocol_word")
    if family in _NUMBERED_PROTOCOL_FAMILIES:
        protocol = lookup(protocol, _PROTOCOL_NAMES, protocol)
    later = {"protocol": protocol}
    icmp = protocol.is_in(["icmp", "ipv6-icmp"]).fill_null(False)
    later |= {
        f"{side}_port": pl.when(~icmp).then(f"{side}_port")
        for side, p in (("src", "s"), ("dst", "d"))
        if f"{p}_port" in names
    }
    for side, p in (("src", "s"), ("dst", "d")):
        if f"{p}_nat" in names:
            nat = _split_address(pl.col(f"g_{p}_nat"))[0]
            later[f"nat_{side}_ip"] = pl.when(nat != pl.col(f"{side}_ip").fill_null("")).then(nat)
    if family in _NETWORK_FAMILIES:
        known = pl.col("g_dir") if "dir" in names else pl.col("_fixed_direction")
        endpoints = [pl.col("src_ip"), pl.col("dst_ip")]
        if "dir" in names:  # Built/Teardown mostly know it: the ranges are only read on the others
            endpoints = [pl.when(known.is_null()).then(e) for e in endpoints]
        direction = pl.coalesce(known, range_direction(*endpoints))
        later["direction"] = pl.when(pl.col("g_ok").is_not_null() & (pl.col("event_class") == _NET)).then(
            direction
        )
    return frame.with_columns(**later).drop(
        cs.starts_with("g_", "_src_service", "_dst_service", "_protocol_")
    )


def _event_columns(names: set[str], family: str) -> dict[str, pl.Expr]:
    """Event columns and ``extra.<key>`` columns from the groups a family's pattern has.

    Groups named ``x_<key>`` are vendor fields: they become ``extra.<key>``.
    """

    def g(name: str) -> pl.Expr:
        return pl.col(f"g_{name}") if name in names else pl.lit(None, dtype=pl.String)

    out: dict[str, pl.Expr] = {}
    for side, p in (("src", "s"), ("dst", "d")):
        if f"{p}_addr" in names:
            out[f"{side}_ip"], out[_extra(f"{side}_host")] = _split_address(g(f"{p}_addr"))
        else:
            out[f"{side}_ip"], out[_extra(f"{side}_host")] = g(f"{p}_ip"), g(f"{p}_host")
        if f"{p}_port" in names:
            number = _integer(g(f"{p}_port"))
            out[f"{side}_port"] = pl.when(number <= 65535).then(number).cast(pl.Int32)
            if family in _SERVICE_FAMILIES:
                out[_extra(f"{side}_service")] = pl.when(number.is_null()).then(g(f"{p}_port"))
        if f"{p}_zone" in names:
            out[f"{side}_zone"] = g(f"{p}_zone").str.strip_suffix(".")
        if f"{p}_user" in names:
            idfw = g(f"{p}_user").str.split_exact(",", 1)
            out[_extra(f"{side}_user")] = idfw.struct.field("field_0").str.strip_chars()
            out[_extra(f"{side}_sgt")] = idfw.struct.field("field_1").str.strip_chars()
    if names.isdisjoint(("proto_num", "proto", "verb")):
        out["_protocol_word"] = pl.col("_fixed_protocol")  # already a lower-case name
    else:
        word = pl.coalesce(g("proto_num"), g("proto"), "_fixed_protocol")
        if "proto" not in names and "verb" in names:
            word = pl.coalesce(word, _protocol_word(g("verb")))
        out["_protocol_word"] = word.str.to_lowercase().str.strip_prefix("protocol ")
    users = [g(n) for n in ("user", "user_q") if n in names]
    if "s_user" in names:
        users.append(g("s_user").str.split_exact(",", 1).struct.field("field_0").str.strip_chars())
    if "aaa_user" in names:
        users.append(g("aaa_user"))
    if users:
        out["user"] = _null_if_empty(pl.coalesce(users))
    if "rule_name" in names:
        out["rule_name"] = g("rule_name")
    if "dur_s" in names:
        out["duration_s"] = _seconds(g("dur_d"), g("dur_h"), g("dur_m"), g("dur_s"))
    if "bytes_in" in names:
        out["bytes_in"], out["bytes_out"] = _integer(g("bytes_in")), _integer(g("bytes_out"))
        out["bytes_total"] = out["bytes_in"] + out["bytes_out"]
    if "bytes" in names:
        out["bytes_total"] = _integer(g("bytes"))
    if "verb" in names and family in _VERB_ACTIONS:
        out["vendor_action"] = pl.coalesce(g("verb"), "vendor_action")
        out["action"] = lookup(g("verb"), _VERB_ACTIONS[family], pl.col("action"))
    out |= {_extra(name[2:]): _null_if_empty(g(name)) for name in names if name.startswith("x_")}
    if "aaa_user" in names:
        out[_extra("aaa_user")] = g("aaa_user")
    if "conn" in names and family != "icmp_conn":
        out[_extra("connection_id")] = g("conn")
    out[_extra("parse_error")] = pl.when(g("ok").is_null()).then(
        pl.lit("text does not match the pattern of ") + pl.col("message_id")
    )
    return out


# ---- connections (Built/Teardown with the direction join) ---------------------------------------


def _connections(
    part: pl.LazyFrame, family: str, open_connections: pl.DataFrame | None = None
) -> pl.LazyFrame:
    """302013-302018 / 302020-302021: orient each side by the Built direction (see module doc).

    ``open_connections`` (``_still_open`` of the earlier chunks; None when the frame is parsed on
    its own) gives the direction to teardowns whose Built line is not in this frame; then
    ``_conn_id`` and ``_opened_dir`` (a Built's direction, null on teardowns) stay in the result
    for ``_still_open``.
    """
    built_pattern, teardown_pattern = (
        (_PATTERNS["conn_built"], _PATTERNS["conn_teardown"])
        if family == "conn"
        else (_PATTERNS[family],) * 2
    )
    is_built = pl.col("vendor_action") == "Built"
    part = part.with_columns(pl.col("device").fill_null("").alias("_dev"))
    built, built_names = _extract(part.filter(is_built), built_pattern)
    teardown, teardown_names = _extract(part.filter(~is_built), teardown_pattern)
    directions = built.filter(pl.col("g_conn").is_not_null()).select(
        "_row", "_dev", "g_conn", pl.col("g_dir").alias("_built_dir")
    )
    teardown = teardown.drop(cs.by_name("g_dir", require_all=False)).join_asof(
        directions, on="_row", by=["_dev", "g_conn"], strategy="backward", check_sortedness=False
    )
    if open_connections is not None:  # earlier chunks' Builts: older than any Built in this frame
        conn_id = pl.col("g_conn").cast(pl.UInt64, strict=False).alias("_conn_id")
        built = built.with_columns(conn_id, pl.col("g_dir").alias("_opened_dir"))
        teardown = (
            teardown.with_columns(conn_id, pl.lit(None, dtype=pl.String).alias("_opened_dir"))
            .join(open_connections.lazy(), on=["_dev", "_conn_id"], how="left", maintain_order="left")
            .with_columns(pl.coalesce("_built_dir", "_carried_dir").alias("_built_dir"))
        )
    opened_by_for = ~_for_side_initiated(teardown_names, pl.col("_built_dir").is_null())
    teardown = teardown.with_columns(
        pl.col("_built_dir").alias("g_dir"),
        pl.coalesce(pl.col("_built_dir") == "outbound", opened_by_for).alias("_outbound"),
    )
    built = built.with_columns((pl.col("g_dir") == "outbound").alias("_outbound"))
    # one pass over both: a Built line's direction is its word (a matching line always has one)
    both = pl.concat([built, teardown], how="diagonal_relaxed")
    return _finish_family(*_orient(both, built_names | teardown_names | {"dir"}), family).drop(
        "_outbound", "_built_dir", "_carried_dir", strict=False
    )


def _still_open(carried: pl.DataFrame, connections: pl.DataFrame) -> pl.DataFrame:
    """The connections whose latest line so far is their Built, with its direction (``_carried_dir``):
    ``carried`` without the connections this frame (``_connections``' result) has lines of, then
    this frame's connections whose last line is a Built, most recently opened last, at most
    ``MAX_OPEN_CONNECTIONS``."""
    key = ["_dev", "_conn_id"]
    row = pl.col("_row").cast(pl.Int64)
    # a Built's line number and direction in one integer: max() per connection takes both of the
    # latest Built (filters inside an aggregation would be evaluated group by group)
    built = pl.when(pl.col("_opened_dir").is_not_null()).then(row * 2 + (pl.col("_opened_dir") == "outbound"))
    closed = pl.when(pl.col("_opened_dir").is_null()).then(row)
    lines = connections.lazy().filter(pl.col("_conn_id").is_not_null())
    opened = (
        lines.group_by(key)
        .agg(built.max().alias("_built"), closed.max().alias("_closed"))
        .filter(pl.col("_built") // 2 > pl.col("_closed").fill_null(-1))
        .sort("_built")
        .select(
            *key,
            pl.when(pl.col("_built") % 2 == 1)
            .then(pl.lit("outbound"))
            .otherwise(pl.lit("inbound"))
            .alias("_carried_dir"),
        )
    )
    untouched = carried.lazy().join(lines.select(key), on=key, how="anti", maintain_order="left")
    return pl.concat([untouched, opened]).tail(MAX_OPEN_CONNECTIONS).collect()


def _for_side_initiated(names: set[str], needed: pl.Expr) -> pl.Expr:
    """Teardown without its Built: did the ``for`` side open the connection? (ports, then ranges).

    The address ranges are only looked up on the rows ``needed`` says (the others are not used).
    """
    by_port = pl.lit(None, dtype=pl.Boolean)
    if "f_port" in names:
        f_port, t_port = _integer(pl.col("g_f_port")), _integer(pl.col("g_t_port"))
        by_port = (
            pl.when((f_port >= 1024) & (t_port < 1024))
            .then(pl.lit(True))
            .when((f_port < 1024) & (t_port >= 1024))
            .then(pl.lit(False))
        )
    by_range = is_private_ip(pl.when(needed).then(pl.col("g_f_addr"))) & ~is_private_ip(
        pl.when(needed).then(pl.col("g_t_addr"))
    )
    return pl.coalesce(by_port, by_range.fill_null(False))


def _orient(frame: pl.LazyFrame, names: set[str]) -> tuple[pl.LazyFrame, set[str]]:
    """Turn the ``for``/``to`` (``f_``/``t_``) groups into source/destination (``s_``/``d_``)."""
    outbound = pl.col("_outbound").fill_null(False)
    attributes = {n[2:] for n in names if n[:2] in ("f_", "t_")}
    columns, oriented = [], set()
    for attr in sorted(attributes):
        f = pl.col(f"g_f_{attr}") if f"f_{attr}" in names else pl.lit(None, dtype=pl.String)
        t = pl.col(f"g_t_{attr}") if f"t_{attr}" in names else pl.lit(None, dtype=pl.String)
        columns += [
            pl.when(outbound).then(t).otherwise(f).alias(f"g_s_{attr}"),
            pl.when(outbound).then(f).otherwise(t).alias(f"g_d_{attr}"),
        ]
        oriented |= {f"s_{attr}", f"d_{attr}"}
    kept = {n for n in names if n[:2] not in ("f_", "t_")}
    return frame.with_columns(columns), kept | oriented


# ---- families with a hook ----------------------------------------------------------------------


def _flow_plain(part: pl.LazyFrame, family: str) -> pl.LazyFrame:
    """From/to messages without interfaces; IDS 4000xx take the signature text as rule_name."""
    frame, names = _extract(part, _PATTERNS[family])
    signature = pl.when(pl.col("message_id").str.starts_with("400")).then(pl.col("g_verb"))
    return _finish_family(frame, names, family, {"rule_name": signature})


def _threat_host(part: pl.LazyFrame, family: str) -> pl.LazyFrame:
    """733101/733102: the attacking or shunned host is the source, a targeted one the destination."""
    frame, names = _extract(part, _PATTERNS[family])
    role = pl.col("g_x_role")
    frame = frame.with_columns(
        pl.coalesce(pl.col("g_s_ip"), pl.when(role == "attacking").then(pl.col("g_target"))).alias("g_s_ip"),
        pl.when(role == "targeted").then(pl.col("g_target")).alias("g_d_ip"),
    )
    return _finish_family(frame, names | {"d_ip"}, family)


def _ftd(part: pl.LazyFrame, family: str) -> pl.LazyFrame:
    """FTD 430001-430005 ``Key: value, ...`` bodies (see the module docstring)."""
    kinds = []
    for kind, keys in _FTD_KEYS.items():
        ids = [message_id for message_id, k in _FTD_KINDS.items() if k == kind]
        kinds.append(_ftd_kind(part.filter(pl.col("message_id").is_in(ids)), kind, _FTD_COMMON | keys))
    return pl.concat(kinds, how="diagonal_relaxed")


def _ftd_kind(part: pl.LazyFrame, kind: str, keys: dict[str, str]) -> pl.LazyFrame:
    value = pl.col("message").str.extract
    frame = part.with_columns(
        value(_ascii(rf"(?:^|,\s){key}:\s([^,]*?)\s*(?:,|$)"), 1).alias(f"g_{name}")
        for key, name in keys.items()
    ).with_columns(
        pl.when(pl.col("g_s_addr").is_not_null() | pl.col("g_verb").is_not_null())
        .then(pl.lit(""))
        .alias("g_ok"),
        pl.when(~pl.col("g_ftd_user").is_in(_FTD_NO_USER)).then(pl.col("g_ftd_user")).alias("g_user"),
    )
    names = {"ok", "user", *keys.values()}
    verb = pl.col("g_verb")
    first_packet = pl.col("g_x_first_packet_time").str.strptime(
        pl.Datetime("us", "UTC"), "%Y-%m-%dT%H:%M:%S%.f%#z", strict=False
    )
    overrides = {"time": pl.coalesce(pl.col("time"), first_packet), "vendor_action": verb}
    if kind == "connection":
        lower = verb.str.to_lowercase()
        overrides["action"] = (
            pl.when(lower.str.contains("reset", literal=True))
            .then(pl.lit("reset"))
            .when(lower.str.contains("block", literal=True))
            .then(pl.lit("deny"))
            .when(verb.is_not_null())
            .then(pl.lit("allow"))
        )
        overrides["duration_s"] = pl.col("g_duration").cast(pl.Float64, strict=False)
        overrides["packets"] = _integer(pl.col("g_packets_out")) + _integer(pl.col("g_packets_in"))
    elif kind == "intrusion":
        blocked = verb.str.to_lowercase().is_in(["blocked", "dropped", "block", "drop"])
        overrides["action"] = pl.when(blocked).then(pl.lit("drop")).otherwise(pl.lit("allow"))
        overrides["rule_name"] = pl.col("g_signature")
    else:
        malware = pl.col("event_class") == _MAL
        blocked = verb.str.contains("Block", literal=True)
        overrides["action"] = (
            pl.when(malware & blocked)
            .then(pl.lit("blocked"))
            .when(malware & verb.str.contains("Allow", literal=True))
            .then(pl.lit("allowed"))
            .when(malware)
            .then(pl.lit("detected"))
            .when(blocked)
            .then(pl.lit("deny"))
            .when(verb.is_not_null())
            .then(pl.lit("allow"))
        )
        threat = pl.col("g_x_threat_name")
        overrides |= {
            "malware_name": pl.when(malware & ~threat.is_in(_FTD_NO_THREAT)).then(threat),
            "file_hash": pl.col("g_sha256").str.to_lowercase(),
            "file_path": pl.coalesce(pl.col("g_file_name"), pl.col("g_x_url")),
        }
    return _finish_family(frame, names, "ftd", overrides)


_FAMILY_PARSERS: dict[str, Callable[[pl.LazyFrame, str], pl.LazyFrame]] = {
    "conn": _connections,
    "icmp_conn": _connections,
    "flow_plain": _flow_plain,
    "threat_host": _threat_host,
    "ftd": _ftd,
    "generic": _generic,
} | {name: _by_pattern for name in _PATTERNS if name not in ("flow_plain", "threat_host", "icmp_conn")}


# ---- small expression helpers --------------------------------------------------------------------


def _extra(key: str) -> str:
    """Name of the flat column of a vendor field (folded into ``extra`` by seclake.schema)."""
    return EXTRA_PREFIX + key


def _without_empty_extras(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop a family's ``extra.<key>`` columns that no row filled (keeps the concatenation narrow)."""
    empty = [c for c in frame.columns if c.startswith(EXTRA_PREFIX) and frame[c].null_count() == frame.height]
    return frame.drop(empty)


def _split_address(address: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(IP, host name): IPv6 has a colon, IPv4 only digits and dots; anything else is a name.

    Only IPv6 addresses are lower-cased (an IPv4 one has no letter): most addresses are not copied.
    """
    ipv6 = address.str.contains(":", literal=True)
    is_ip = ipv6 | address.str.contains(_IPV4_TEXT)
    ip = pl.coalesce(pl.when(ipv6).then(address).str.to_lowercase(), pl.when(is_ip).then(address))
    return ip, pl.when(~is_ip).then(address)


def _integer(text: pl.Expr) -> pl.Expr:
    return text.cast(pl.Int64, strict=False)


def _seconds(days: pl.Expr, hours: pl.Expr, minutes: pl.Expr, seconds: pl.Expr) -> pl.Expr:
    parts = [e.cast(pl.Float64, strict=False) for e in (days, hours, minutes, seconds)]
    return parts[0].fill_null(0) * 86400 + parts[1] * 3600 + parts[2] * 60 + parts[3]


def _null_if_empty(text: pl.Expr) -> pl.Expr:
    """The text without surrounding blanks, null when nothing is left."""
    stripped = text.str.strip_chars()
    return pl.when(stripped != "").then(stripped)


def _protocol_word(text: pl.Expr) -> pl.Expr:
    """The transport named in a message's fixed text (``Deny TCP reverse path check``)."""
    return text.str.extract(r"(?:^|[\t\n\r =])(TCP|UDP|ICMP|GRE|ESP|tcp|udp|icmp|gre|esp)(?:[\t\n\r ,]|$)", 1)


@functools.cache
def _service_table(name_column: str, port_column: str) -> pl.DataFrame:
    return pl.DataFrame(
        {name_column: list(_SERVICE_PORTS), port_column: list(_SERVICE_PORTS.values())},
        schema={name_column: pl.String, port_column: pl.Int32},
    )
