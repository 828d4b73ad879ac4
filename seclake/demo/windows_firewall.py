"""Windows Firewall writer for the demo: a Windows server's own ``pfirewall.log``.

Shapes follow ``../shared/formats/windows_firewall.md``: the W3C header at the top of each day's
file (``#Version: 1.5``, ``#Software``, ``#Time Format: Local``, ``#Fields:``), then one record per
line in the server's local time, both logging options on (dropped packets and successful
connections): ``2026-11-10 08:15:02 ALLOW TCP 10.10.1.23 10.10.2.10 51234 445 0 - 0 0 0 - - - RECEIVE``.

How the writer picks events (a host firewall sees only what reaches the host): it renders the
events whose source or destination is the host's own address (``host.ip``) or, for denied probes,
its published public address (``host.public_ip``, written as the host's own address: the probe
reached the host, whose firewall dropped it). ``path`` is ``RECEIVE`` when the host is the
destination, ``SEND`` when it opened the connection.

| kind | fields | record |
|---|---|---|
| ``conn`` | proto, src_ip/port, dst_ip/port | ``ALLOW`` (size 0, as Windows writes connection records) |
| ``deny`` | proto, src_ip/port, dst_ip/port | ``DROP`` with the packet size and, for TCP, flags ``S`` |

The generator writes one file per day; the header is the first line of each file (``render``
emits one header per local day, stamped at that day's first record so it sorts first). Other
kinds (VPN, admin sessions, interface state, AV) are not in this log.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable

from seclake.demo.events import Event, Line, LocalClock
from seclake.demo.orgs import Host, Org

FORMAT = "windows_firewall"
KINDS = frozenset({"conn", "deny"})
"""Neutral event kinds this writer renders (the generator routes events by kind)."""

HEADER = (
    "#Version: 1.5",
    "#Software: Microsoft Windows Firewall",
    "#Time Format: Local",
    "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin "
    "icmptype icmpcode info path",
)


def _mine(event: Event, host: Host) -> bool:
    d = event.data
    addresses = {host.ip} | ({host.public_ip} if event.kind == "deny" and host.public_ip else set())
    return d["src_ip"] in addresses or d["dst_ip"] in addresses


def _record(event: Event, host: Host, clock: LocalClock, rng: random.Random) -> str:
    d = event.data
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", clock.wall(event.time))
    sending = d["src_ip"] == host.ip
    dst = d["dst_ip"] if sending else host.ip
    tcp = d["proto"] == "tcp"
    if event.kind == "conn":
        action, size, tcp_part = "ALLOW", "0", "- 0 0 0"
    else:
        action = "DROP"
        size = str(60 if tcp else rng.randrange(40, 120))
        tcp_part = f"S {rng.randrange(2**32)} 0 64240" if tcp else "- - - -"
    path = "SEND" if sending else "RECEIVE"
    return (
        f"{stamp} {action} {d['proto'].upper()} {d['src_ip']} {dst} {d['src_port']} {d['dst_port']} "
        f"{size} {tcp_part} - - - {path}"
    )


def render(events: Iterable[Event], org: Org, rng: random.Random, host: Host) -> list[Line]:
    """The records ``host``'s firewall logs for ``events``, a header first on each local day."""
    clock = LocalClock(org.timezone)
    lines: list[Line] = []
    days: set = set()
    for event in sorted(events, key=lambda e: e.time):
        if event.kind not in KINDS or not _mine(event, host):
            continue
        day = clock.local_date(event.time)
        if day not in days:
            days.add(day)
            lines.extend(Line(event.time, text, None) for text in HEADER)
        lines.append(Line(event.time, _record(event, host, clock, rng), event.tag))
    return lines
