"""pfSense ``filterlog`` writer for the demo: neutral firewall events → pf packet log lines.

Shapes follow ``../shared/formats/pfsense_filterlog.md`` and the corpus: pfSense's default RFC 3164
header in the firewall's local time
(``<134>Nov  8 12:37:34 fw-acme filterlog[4321]: 5,,,1000000103,igb1,match,pass,in,4,...``;
PRI 134 = local0.info), then the IPv4 record. pf logs the first packet of each logged
connection on its ingress interface (direction ``in``); the ASA hardware ports
``GigabitEthernet0/N`` become ``igb<N>`` (``outside`` is ``igb0``, the WAN). Interface state
changes are kernel lines (``<6>... kernel: igb2: link state changed to DOWN``).

Event kinds rendered (fields in ``Event.data``):

| kind | fields | lines |
|---|---|---|
| ``conn`` | proto, src/dst if/ip/port, bytes | ``pass`` of the first packet (TCP SYN, or the first UDP datagram) |
| ``deny`` | proto, src/dst if/ip/port | ``block`` |
| ``acl_log`` | verdict, proto, src/dst if/ip/port | ``pass`` / ``block`` |
| ``shun_drop`` | src_ip, dst_ip | ``block`` of a TCP SYN by the block-list rule |
| ``link`` | interface, state, admin | kernel ``link state changed to UP/DOWN`` |

Not rendered (pfSense's filter log has no record of them): VPN logins and sessions, administrator
logins and commands (those are ``php-fpm``/``sshd`` lines the parser keeps as ``system``/``other``),
and ``link`` events with ``admin`` set (the kernel logs the resulting link change, not the command).
NAT is not visible: pf logs the pre-NAT addresses on the ingress interface.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from seclake.demo.events import MONTHS, Event, Line, LocalClock, render_in_time_order
from seclake.demo.orgs import Org

FORMAT = "pfsense_filterlog"
KINDS = frozenset({"conn", "deny", "acl_log", "shun_drop", "link"})
"""Neutral event kinds this writer renders (the generator routes events by kind)."""
SOURCE_OPTIONS = {"wan_interfaces": "igb0"}
"""Source options the parser needs for these lines (``outside`` is written as ``igb0``)."""

PRI_FILTERLOG = 134
PRI_KERNEL = 6
TRACKERS = {"pass": ("5", "1000000103"), "block": ("9", "1000000003"), "block-list": ("3", "1770001234")}
"""Rule → (rule number, tracker): the LAN pass rule, the default deny, the administrator's block list."""
TCP_OPTIONS = "mss;sackOK;TS;nop;wscale"


class _Firewall:
    """Renders one organisation's pfSense lines: header, packet ids."""

    def __init__(self, org: Org, rng: random.Random) -> None:
        self.org = org
        self.clock = LocalClock(org.timezone)
        self.rng = rng
        self.pid = rng.randrange(10_000, 99_999)
        self.ports = {i.name: org.link_name(i.name) for i in org.interfaces}

    def header(self, t: float, pri: int, program: str) -> str:
        wall = self.clock.wall(t)
        return (
            f"<{pri}>{MONTHS[wall.tm_mon - 1]} {wall.tm_mday:2d} "
            f"{wall.tm_hour:02d}:{wall.tm_min:02d}:{wall.tm_sec:02d} {self.org.firewall} {program}: "
        )

    def packet(self, t: float, action: str, rule: str, d: dict, tag: str | None) -> Line:
        """One filterlog IPv4 line for the first packet of the flow in ``d``."""
        number, tracker = TRACKERS[rule]
        proto = d.get("proto", "tcp")
        src_port, dst_port = d.get("src_port") or self.rng.randrange(32768, 61000), d.get("dst_port") or 443
        if proto == "udp":
            payload = min(int(d.get("bytes") or 64), 1472)
            transport = (
                f"17,udp,{payload + 28},{d['src_ip']},{d['dst_ip']},{src_port},{dst_port},{payload + 8}"
            )
        else:
            sequence = self.rng.getrandbits(32)
            transport = f"6,tcp,60,{d['src_ip']},{d['dst_ip']},{src_port},{dst_port},0,S,{sequence},,64240,,{TCP_OPTIONS}"
        ip_id = self.rng.randrange(1, 65535)
        interface = self.ports[d.get("src_if", "outside")]
        record = f"{number},,,{tracker},{interface},match,{action},in,4,0x0,,64,{ip_id},0,DF,{transport}"
        return Line(t, self.header(t, PRI_FILTERLOG, f"filterlog[{self.pid}]") + record, tag)

    def render(self, event: Event) -> list[Line]:
        kind, d, t, tag = event.kind, event.data, event.time, event.tag
        if kind == "conn":
            return [self.packet(t, "pass", "pass", d, tag)]
        if kind == "deny":
            return [self.packet(t, "block", "block", d, tag)]
        if kind == "acl_log":
            allowed = d["verdict"] == "permitted"
            return [self.packet(t, "pass" if allowed else "block", "pass" if allowed else "block", d, tag)]
        if kind == "shun_drop":
            return [self.packet(t, "block", "block-list", d | {"proto": "tcp", "src_if": "outside"}, tag)]
        if kind == "link" and not d.get("admin"):
            text = f"{self.ports[d['interface']]}: link state changed to {d['state'].upper()}"
            return [Line(t, self.header(t, PRI_KERNEL, "kernel") + text, tag)]
        return []


def render(events: Iterable[Event], org: Org, rng: random.Random) -> list[Line]:
    """Every line the org's pfSense firewall writes for ``events`` (any order in; lines unsorted out)."""
    return render_in_time_order(_Firewall(org, rng), events, KINDS)
