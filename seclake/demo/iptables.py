"""UFW (Linux netfilter) writer for the demo: a Linux server's own host-firewall log.

Shapes follow ``../shared/formats/iptables.md`` and the corpus: the server's rsyslog writes the
kernel's ``LOG`` lines with an RFC 3164 header in the server's local time, the uptime and UFW's
prefix: ``Nov 24 07:25:17 web01 kernel: [86523.123456] [UFW BLOCK] IN=eth0 OUT= MAC=... SRC=...
DST=... LEN=60 ... PROTO=TCP SPT=51234 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0`` (UFW
``logging medium``: blocked packets and new allowed connections).

How the writer picks events (a host firewall sees only what reaches the host): it renders the
events whose source or destination is the host's own address (``host.ip``), or, for denied
probes, the host's published public address (``host.public_ip``): the demo lets such probes
through to the host, whose own firewall then blocks them, as a DMZ server's host firewall does
behind a permissive perimeter rule. Addresses are written as the host sees them (its private
address for its published one).

| kind | fields | line |
|---|---|---|
| ``conn`` | proto, src_ip/port, dst_ip/port | ``[UFW ALLOW]`` of the first packet: ``IN=eth0 OUT=`` when the host is the destination, ``IN= OUT=eth0`` when it opened the connection |
| ``deny`` | proto, src_ip/port, dst_ip/port | ``[UFW BLOCK]`` ``IN=eth0 OUT=`` (a SYN for TCP) |

Other kinds (VPN, admin sessions, interface state, AV) are not in a host's netfilter log.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from seclake.demo.events import MONTHS, Event, Line, LocalClock, day_fields, hms
from seclake.demo.orgs import Host, Org

FORMAT = "iptables"
KINDS = frozenset({"conn", "deny"})
"""Neutral event kinds this writer renders (the generator routes events by kind)."""

INTERFACE = "eth0"
BOOT_BEFORE_S = 86400 * 12
"""The server booted this long before the first event (the kernel's uptime stamp)."""


class _Server:
    """One server's kernel log: header, uptime, MAC addresses, IP ids."""

    def __init__(self, org: Org, host: Host, rng: random.Random) -> None:
        self.host = host
        self.clock = LocalClock(org.timezone)
        self.rng = rng
        self.boot: float | None = None
        self.own_mac = ":".join(f"{rng.randrange(256):02x}" for _ in range(6))
        self.gateway_mac = ":".join(f"{rng.randrange(256):02x}" for _ in range(6))

    def mine(self, event: Event) -> bool:
        d = event.data
        addresses = {self.host.ip} | (
            {self.host.public_ip} if event.kind == "deny" and self.host.public_ip else set()
        )
        return d["src_ip"] in addresses or d["dst_ip"] in addresses

    def line(self, event: Event, verdict: str) -> Line:
        d = event.data
        if self.boot is None:
            self.boot = event.time - BOOT_BEFORE_S
        day, second = self.clock.split(event.time)
        f = day_fields(day)
        outgoing = d["src_ip"] == self.host.ip
        src = d["src_ip"]
        dst = self.host.ip if not outgoing else d["dst_ip"]
        interfaces = (
            f"IN= OUT={INTERFACE}"
            if outgoing
            else f"IN={INTERFACE} OUT= MAC={self.own_mac}:{self.gateway_mac}:08:00"
        )
        tcp = d["proto"] == "tcp"
        length = 60 if tcp else self.rng.randrange(40, 120)
        transport = (
            f"PROTO=TCP SPT={d['src_port']} DPT={d['dst_port']} WINDOW=64240 RES=0x00 SYN URGP=0"
            if tcp
            else f"PROTO=UDP SPT={d['src_port']} DPT={d['dst_port']} LEN={length - 20}"
        )
        uptime = event.time - self.boot
        text = (
            f"{MONTHS[f.tm_mon - 1]} {f.tm_mday:2d} {hms(second)} {self.host.name} kernel: [{uptime:12.6f}] "
            f"[UFW {verdict}] {interfaces} SRC={src} DST={dst} LEN={length} TOS=0x00 PREC=0x00 "
            f"TTL={64 if outgoing else self.rng.choice((48, 52, 117, 240))} ID={self.rng.randrange(65536)} "
            f"{'DF ' if tcp else ''}{transport} "
        )
        return Line(event.time, text, event.tag)


def render(events: Iterable[Event], org: Org, rng: random.Random, host: Host) -> list[Line]:
    """The lines ``host``'s UFW logs for ``events`` (see the module docstring for the choice)."""
    server = _Server(org, host, rng)
    return [
        server.line(event, "ALLOW" if event.kind == "conn" else "BLOCK")
        for event in sorted(events, key=lambda e: e.time)
        if event.kind in KINDS and server.mine(event)
    ]
