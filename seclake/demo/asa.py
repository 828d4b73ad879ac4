"""Cisco ASA syslog writer for the demo: neutral firewall events → ``%ASA-`` lines.

Shapes follow ``../shared/formats/cisco_asa.md`` and the corpus: an RFC 3164 header with the
year as Cisco writes it, the device name and `` : `` (``<166>Nov 20 2022 02:15:24 fw-acme :
%ASA-6-302013: ...``), in the device's local time (``logging timestamp`` without zone). PRI is
facility local4 (20) times 8 plus the message level.

Event kinds rendered (fields in ``Event.data``):

| kind | fields | messages |
|---|---|---|
| ``conn`` | proto, src_if/ip/port, dst_if/ip/port, nat_src, nat_dst ((ip, port) or None), duration, bytes, reason, user, xlate | [305011], 302013/302015 at start; 302014/302016 at end; [305012] 30 s later |
| ``deny`` | style (``acl``/``syn``), proto, src/dst if/ip/port, acl | 106023 / 106001 |
| ``acl_log`` | acl, verdict, proto, src/dst if/ip/port | 106100 |
| ``vpn_auth`` | ok, user, ip, server, reason | 113004 / 113005 |
| ``vpn_start`` / ``vpn_end`` | user, ip, group, assigned / duration, bytes_xmt, bytes_rcv, reason | 113039, 722022, 722051 / 722023, 113019 |
| ``admin_login`` / ``admin_logout`` | user, ip, port | 605005, 611101 / 611103 |
| ``admin_command`` | user, command | 111008 |
| ``link`` | interface, state (``up``/``down``), admin | 411001 / 411002, 411003 / 411004 |
| ``shun_drop`` | src_ip, dst_ip | 401004 |

Built/Teardown follow the ASA direction rule: a connection from the higher-security interface is
``outbound`` and is written ``for <responder> to <initiator>``; otherwise ``inbound``, written
``for <initiator> to <responder>``. Connection ids are assigned here, increasing with Built time.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from seclake.demo.events import MONTHS, Event, Line, LocalClock, day_fields, hms, render_in_time_order
from seclake.demo.orgs import Org

FORMAT = "cisco_asa"
KINDS = frozenset(
    {
        "conn",
        "deny",
        "acl_log",
        "vpn_auth",
        "vpn_start",
        "vpn_end",
        "admin_login",
        "admin_logout",
        "admin_command",
        "link",
        "shun_drop",
    }
)
"""Neutral event kinds this writer renders (the generator routes events by kind)."""

FACILITY_LOCAL4 = 20
XLATE_TIMEOUT_S = 30

TEMPLATES: dict[str, tuple[int, str]] = {
    "302013": (
        6,
        "Built {direction} TCP connection {conn_id} for {for_if}:{for_ip}/{for_port} "
        "({for_map_ip}/{for_map_port}){for_user} to {to_if}:{to_ip}/{to_port} ({to_map_ip}/{to_map_port}){to_user}",
    ),
    "302015": (
        6,
        "Built {direction} UDP connection {conn_id} for {for_if}:{for_ip}/{for_port} "
        "({for_map_ip}/{for_map_port}){for_user} to {to_if}:{to_ip}/{to_port} ({to_map_ip}/{to_map_port}){to_user}",
    ),
    "302014": (
        6,
        "Teardown TCP connection {conn_id} for {for_if}:{for_ip}/{for_port}{for_user} "
        "to {to_if}:{to_ip}/{to_port}{to_user} duration {duration} bytes {bytes} {reason}",
    ),
    "302016": (
        6,
        "Teardown UDP connection {conn_id} for {for_if}:{for_ip}/{for_port}{for_user} "
        "to {to_if}:{to_ip}/{to_port}{to_user} duration {duration} bytes {bytes}",
    ),
    "305011": (
        6,
        "Built dynamic {proto_upper} translation from {src_if}:{src_ip}/{src_port} to {nat_if}:{nat_ip}/{nat_port}",
    ),
    "305012": (
        6,
        "Teardown dynamic {proto_upper} translation from {src_if}:{src_ip}/{src_port} "
        "to {nat_if}:{nat_ip}/{nat_port} duration {xlate_duration}",
    ),
    "106023": (
        4,
        'Deny {proto} src {src_if}:{src_ip}/{src_port} dst {dst_if}:{dst_ip}/{dst_port} by access-group "{acl}" [0x0, 0x0]',
    ),
    "106001": (
        2,
        "Inbound TCP connection denied from {src_ip}/{src_port} to {dst_ip}/{dst_port} flags SYN on interface {src_if}",
    ),
    "106100": (
        6,
        "access-list {acl} {verdict} {proto} {src_if}/{src_ip}({src_port}) -> {dst_if}/{dst_ip}({dst_port}) "
        "hit-cnt 1 first hit [{hash}, 0x0]",
    ),
    "113004": (6, "AAA user authentication Successful : server = {server} : user = {user}"),
    "113005": (
        6,
        "AAA user authentication Rejected : reason = {reason} : server = {server} : user = {user} : user IP = {ip}",
    ),
    "113039": (6, "Group <{group}> User <{user}> IP <{ip}> AnyConnect parent session started."),
    "722022": (
        6,
        "Group <{group}> User <{user}> IP <{ip}> TCP SVC connection established without compression",
    ),
    "722051": (
        4,
        "Group <{group}> User <{user}> IP <{ip}> IPv4 Address <{assigned}> IPv6 address <::> assigned to session",
    ),
    "722023": (
        6,
        "Group <{group}> User <{user}> IP <{ip}> TCP SVC connection terminated without compression",
    ),
    "113019": (
        4,
        "Group = {group}, Username = {user}, IP = {ip}, Session disconnected. Session Type: SSL, "
        "Duration: {vpn_duration}, Bytes xmt: {bytes_xmt}, Bytes rcv: {bytes_rcv}, Reason: {reason}",
    ),
    "605005": (6, 'Login permitted from {ip}/{port} to inside:{fw_ip}/ssh for user "{user}"'),
    "611101": (6, "User authentication succeeded: IP address: {ip}, Uname: {user}"),
    "611103": (5, "User logged out: Uname: {user}"),
    "111008": (5, "User '{user}' executed the '{command}' command."),
    "411001": (4, "Line protocol on Interface {interface}, changed state to up"),
    "411002": (4, "Line protocol on Interface {interface}, changed state to down"),
    "411003": (4, "Configuration status on Interface {interface}, changed state to administratively up"),
    "411004": (4, "Configuration status on Interface {interface}, changed state to administratively down"),
    "401004": (4, "Shunned packet: {src_ip} ==> {dst_ip} on interface outside"),
}
"""Message id → (syslog level, body template filled from the event's fields)."""

MESSAGES: dict[str, tuple[tuple[float, str], ...]] = {
    "vpn_start": ((0, "113039"), (0, "722022"), (1, "722051")),
    "vpn_end": ((0, "722023"), (0, "113019")),
    "admin_login": ((0, "605005"), (0, "611101")),
    "admin_logout": ((0, "611103"),),
    "admin_command": ((0, "111008"),),
    "acl_log": ((0, "106100"),),
    "shun_drop": ((0, "401004"),),
}
"""Event kinds that map to a fixed sequence of (seconds after the event, message id)."""


_FOR_FIELDS = ("for_if", "for_ip", "for_port", "for_map_ip", "for_map_port", "for_user")
_TO_FIELDS = ("to_if", "to_ip", "to_port", "to_map_ip", "to_map_port", "to_user")


def _hms(seconds: float) -> str:
    """ASA duration ``H:MM:SS`` (hours not wrapped at 24)."""
    whole = int(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _vpn_duration(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}h:{whole % 3600 // 60:02d}m:{whole % 60:02d}s"


class _Device:
    """Renders one firewall's lines: header stamps, connection ids, per-kind message choice."""

    def __init__(self, org: Org, rng: random.Random) -> None:
        self.org = org
        self.clock = LocalClock(org.timezone)
        self.security = {i.name: i.security for i in org.interfaces}
        self.conn_id = rng.randrange(100_000, 3_000_000)
        self.rng = rng
        self._days: dict[int, str] = {}

    def header(self, t: float, level: int, msgid: str) -> str:
        day, second = self.clock.split(t)
        date = self._days.get(day)
        if date is None:
            f = day_fields(day)
            date = self._days[day] = f"{MONTHS[f.tm_mon - 1]} {f.tm_mday:02d} {f.tm_year}"
        return f"<{FACILITY_LOCAL4 * 8 + level}>{date} {hms(second)} {self.org.firewall} : %ASA-{level}-{msgid}: "

    def line(self, t: float, msgid: str, fields: dict, tag: str | None) -> Line:
        level, template = TEMPLATES[msgid]
        return Line(t, self.header(t, level, msgid) + template.format_map(fields), tag)

    def connection(self, event: Event) -> list[Line]:
        d = event.data
        self.conn_id += 1 + (self.rng.random() < 0.3)
        tcp = d["proto"] == "tcp"
        nat_src = d.get("nat_src") or (d["src_ip"], d["src_port"])
        user = f"(LOCAL\\{d['user']})" if d.get("user") else ""
        initiator = (d["src_if"], d["src_ip"], d["src_port"], *nat_src, user)
        responder = (
            d["dst_if"],
            d["dst_ip"],
            d["dst_port"],
            *(d.get("nat_dst") or (d["dst_ip"], d["dst_port"])),
            "",
        )
        outbound = self.security[d["src_if"]] > self.security[d["dst_if"]]
        first, second = (responder, initiator) if outbound else (initiator, responder)
        fields = dict(zip(_FOR_FIELDS, first, strict=True)) | dict(zip(_TO_FIELDS, second, strict=True))
        end = event.time + d["duration"]
        fields |= {
            "direction": "outbound" if outbound else "inbound",
            "conn_id": self.conn_id,
            "duration": _hms(d["duration"]),
            "bytes": d["bytes"],
            "reason": d.get("reason") or "TCP FINs",
        }
        lines = []
        if d.get("xlate"):
            xlate = {
                "proto_upper": d["proto"].upper(),
                "src_if": d["src_if"],
                "src_ip": d["src_ip"],
                "src_port": d["src_port"],
                "nat_if": d["dst_if"],
                "nat_ip": nat_src[0],
                "nat_port": nat_src[1],
                "xlate_duration": _hms(d["duration"] + XLATE_TIMEOUT_S),
            }
            lines.append(self.line(event.time, "305011", xlate, event.tag))
        lines.append(self.line(event.time, "302013" if tcp else "302015", fields, event.tag))
        lines.append(self.line(end, "302014" if tcp else "302016", fields, event.tag))
        if d.get("xlate"):
            lines.append(self.line(end + XLATE_TIMEOUT_S, "305012", xlate, event.tag))
        return lines

    def render(self, event: Event) -> list[Line]:
        kind, d = event.kind, event.data
        if kind == "conn":
            return self.connection(event)
        if kind == "deny":
            return [self.line(event.time, "106023" if d["style"] == "acl" else "106001", d, event.tag)]
        if kind == "vpn_auth":
            return [self.line(event.time, "113004" if d["ok"] else "113005", d, event.tag)]
        if kind == "link":
            msgid = {
                ("up", False): "411001",
                ("down", False): "411002",
                ("up", True): "411003",
                ("down", True): "411004",
            }[d["state"], d["admin"]]
            return [self.line(event.time, msgid, d, event.tag)]
        fields = d | {"fw_ip": self.org.interface("inside").ip}
        if kind == "acl_log":
            fields["hash"] = f"0x{self.rng.getrandbits(32):08x}"
        if kind == "vpn_end":
            fields["vpn_duration"] = _vpn_duration(d["duration"])
        return [self.line(event.time + offset, msgid, fields, event.tag) for offset, msgid in MESSAGES[kind]]


def render(events: Iterable[Event], org: Org, rng: random.Random) -> list[Line]:
    """Every line the org's firewall writes for ``events`` (any order in; lines unsorted out)."""
    return render_in_time_order(_Device(org, rng), events)
