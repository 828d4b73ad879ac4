"""Juniper NetScreen / ScreenOS writer for the demo: neutral firewall events → ScreenOS syslog lines.

Shapes follow ``parsers/netscreen.py`` (its docstring lists what it relies on) and the corpus
(``../shared/corpus/netscreen``): ScreenOS sends ``<hostname>: NetScreen device_id=<serial>
[Root]system-<level>-<id>[(traffic)]: <text>``; the organisation's collector writes it behind its
own RFC 3164 header (receive time in the firewall's local time, sender address = the firewall's
inside address): ``Mar  2 10:00:00 10.9.1.1 fw-acme: NetScreen device_id=0185122008000183
[Root]system-notification-00257(traffic): start_time="..." ...``. Event logs end with the device's
local time in parentheses; traffic logs carry ``start_time`` and ``duration`` instead.

Zones: ``outside`` → ``Untrust``, ``inside`` → ``Trust``, ``dmz`` → ``DMZ``, ``servers`` →
``Servers`` (a custom zone); a packet from outside to the firewall's own public address goes to
zone ``self``, to a published server's public address (a MIP) to ``Global``. The ASA hardware ports ``GigabitEthernet0/N`` become ``ethernet0/N``.

Event kinds rendered (fields in ``Event.data``):

| kind | id | line |
|---|---|---|
| ``conn`` | 00257 | traffic ``action=Permit``, written at the session end: duration, bytes (1:3 sent:received), NAT as ``src-xlated``/``dst-xlated`` (a published server: ``dst`` is its public address, ``dst-xlated`` the private one), a close reason |
| ``deny`` / ``acl_log`` denied | 00257 | traffic ``action=Deny`` (``syn`` style: the implicit default-deny policy 320001; ``acl`` style: the ACL's policy id), ``reason=Traffic Denied`` |
| ``acl_log`` permitted | 00257 | traffic ``action=Permit``, ``reason=Creation`` (a session-init log) |
| ``admin_login`` / ``admin_logout`` | 00515 | ``Admin user <u> has logged on/out via SSH from <ip>:<port>`` |
| ``admin_command`` | 00767 | ``System configuration saved by <u> via ssh from host <ip> to <fw>:22 by <u>.`` (ScreenOS logs the save, not the command) |
| ``link`` | 00612 | ``The physical state of interface ethernet0/N has changed to up/down.`` (also for an administrative change: ScreenOS logs the resulting link state) |

Not rendered: ``shun_drop`` (ScreenOS has no shun), VPN logins and sessions (the demo's remote
access is an SSL VPN, which ScreenOS does not have), anti-virus kinds.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from seclake.demo.events import MONTHS, Event, Line, LocalClock
from seclake.demo.orgs import Org

FORMAT = "netscreen"
KINDS = frozenset({"conn", "deny", "acl_log", "admin_login", "admin_logout", "admin_command", "link"})
"""Neutral event kinds this writer renders (the generator routes events by kind)."""

ZONES = {"outside": "Untrust", "inside": "Trust", "dmz": "DMZ", "servers": "Servers"}
PROTOCOLS = {"tcp": 6, "udp": 17, "icmp": 1}
SERVICES = {
    ("tcp", 80): "HTTP", ("tcp", 443): "HTTPS", ("udp", 53): "DNS", ("tcp", 53): "DNS", ("tcp", 25): "MAIL",
    ("tcp", 22): "SSH", ("tcp", 23): "TELNET", ("udp", 123): "NTP", ("tcp", 389): "LDAP", ("tcp", 445): "SMB",
    ("tcp", 3389): "MS-RDP", ("tcp", 993): "IMAPS",
}  # fmt: skip
"""ScreenOS predefined service names; other ports are written ``tcp/port:N`` as ScreenOS does."""
CLOSE_REASONS = {
    "TCP FINs": "Close - TCP FIN",
    "TCP Reset-I": "Close - TCP RST",
    "TCP Reset-O": "Close - TCP RST",
    "Idle Timeout": "Close - AGE OUT",
}
"""Neutral TCP close reasons → ScreenOS ``reason=`` texts."""
DEFAULT_DENY = 320001
"""The policy id ScreenOS writes for traffic no policy matched (the implicit deny)."""
SENT_SHARE = 4
"""A connection's bytes are split 1 : SENT_SHARE - 1 between ``sent`` and ``rcvd``."""


class _Firewall:
    """Renders one organisation's ScreenOS lines: header, session ids, policy ids, admin sessions."""

    def __init__(self, org: Org, rng: random.Random) -> None:
        self.org = org
        self.clock = LocalClock(org.timezone)
        self.serial = "".join(str(rng.randrange(10)) for _ in range(16))
        self.session = rng.randrange(1_000, 60_000)
        self.sender = org.interface("inside").ip
        self.ports = {i.name: f"ethernet0/{i.hardware.rsplit('/', 1)[1]}" for i in org.interfaces}
        self.policies: dict[str, int] = {}
        self.admins: dict[str, tuple[str, int]] = {}
        self.own = {org.public_ip} | {h.public_ip for h in org.hosts if h.public_ip}

    def _local(self, t: float) -> str:
        wall = self.clock.wall(t)
        return (
            f"{wall.tm_year:04d}-{wall.tm_mon:02d}-{wall.tm_mday:02d} "
            f"{wall.tm_hour:02d}:{wall.tm_min:02d}:{wall.tm_sec:02d}"
        )

    def line(
        self, t: float, level: str, msgid: str, text: str, tag: str | None, traffic: bool = False
    ) -> Line:
        wall = self.clock.wall(t)
        stamp = f"{MONTHS[wall.tm_mon - 1]} {wall.tm_mday:2d} {wall.tm_hour:02d}:{wall.tm_min:02d}:{wall.tm_sec:02d}"
        head = (
            f"{stamp} {self.sender} {self.org.firewall}: NetScreen device_id={self.serial}  "
            f"[Root]system-{level}-{msgid}{'(traffic)' if traffic else ''}: "
        )
        return Line(t, head + (text if traffic else f"{text} ({self._local(t)})"), tag)

    def zone(self, interface: str, ip: str | None = None) -> str:
        """The ScreenOS zone of an interface; an outside address of the org's own is ``self`` (the
        firewall) or ``Global`` (a published server's MIP), as ScreenOS zones them."""
        if interface == "outside" and ip is not None and ip in self.own:
            return "self" if ip == self.org.public_ip else "Global"
        return ZONES.get(interface, interface.title())

    def policy(self, acl: str) -> int:
        """A stable ScreenOS policy id for an ACL name (ids in order of first use)."""
        return self.policies.setdefault(acl, len(self.policies) + 2)

    def traffic(self, event: Event, *, action: str, policy: int, reason: str, duration: float = 0) -> Line:
        d, end = event.data, event.time + duration
        proto, dport = d["proto"], d.get("dst_port", 0)
        src_port = d.get("src_port", 0)
        nat_src, nat_dst = d.get("nat_src"), d.get("nat_dst")
        dst, dst_port = (nat_dst or (d["dst_ip"], dport)) if action == "Permit" else (d["dst_ip"], dport)
        sent = d.get("bytes", 0) // SENT_SHARE
        session = 0
        if action == "Permit":
            self.session += 1
            session = self.session
        text = (
            f'start_time="{self._local(event.time)}" duration={int(duration)} policy_id={policy} '
            f"service={SERVICES.get((proto, dport), f'{proto}/port:{dport}')} proto={PROTOCOLS.get(proto, 6)} "
            f"src zone={self.zone(d['src_if'])} dst zone={self.zone(d['dst_if'], d['dst_ip'])} action={action} "
            f"sent={sent} rcvd={d.get('bytes', 0) - sent} src={d['src_ip']} dst={dst} "
            f"src_port={src_port} dst_port={dst_port}"
        )
        if action == "Permit":
            xlated_src = nat_src or (d["src_ip"], src_port)
            text += (
                f" src-xlated ip={xlated_src[0]} port={xlated_src[1]}"
                f" dst-xlated ip={d['dst_ip']} port={dport}"
            )
        text += f" session_id={session} reason={reason}"
        return self.line(end, "notification", "00257", text, event.tag, traffic=True)

    def render(self, event: Event) -> list[Line]:
        t, d, kind = event.time, event.data, event.kind
        if kind == "conn":
            reason = CLOSE_REASONS.get(d.get("reason") or "", "Close - AGE OUT")
            if d["proto"] == "udp" and d["dst_port"] == 53:
                reason = "Close - RESP"
            return [self.traffic(event, action="Permit", policy=1, reason=reason, duration=d["duration"])]
        if kind == "deny" or (kind == "acl_log" and d.get("verdict") != "permitted"):
            policy = DEFAULT_DENY if d.get("style") == "syn" else self.policy(d.get("acl", "deny"))
            return [self.traffic(event, action="Deny", policy=policy, reason="Traffic Denied")]
        if kind == "acl_log":
            return [self.traffic(event, action="Permit", policy=self.policy(d["acl"]), reason="Creation")]
        if kind in ("admin_login", "admin_logout"):
            user = d["user"]
            if kind == "admin_login":
                self.admins[user] = (d["ip"], d["port"])
            ip, port = self.admins.get(user, (self.org.host(self.org.admin_host).ip, 0))
            verb = "on" if kind == "admin_login" else "out"
            text = f"Admin user {user} has logged {verb} via SSH from {ip}:{port}"
            return [self.line(t, "warning", "00515", text, event.tag)]
        if kind == "admin_command":
            ip, _ = self.admins.get(d["user"], (self.org.host(self.org.admin_host).ip, 0))
            text = f"System configuration saved by {d['user']} via ssh from host {ip} to {self.sender}:22 by {d['user']}."
            return [self.line(t, "information", "00767", text, event.tag)]
        if kind == "link":
            port = self.ports.get(d["interface"], d["interface"])
            text = f"The physical state of interface {port} has changed to {d['state']}."
            return [self.line(t, "critical", "00612", text, event.tag)]
        return []


def render(events: Iterable[Event], org: Org, rng: random.Random) -> list[Line]:
    """Every line the org's ScreenOS firewall writes for ``events`` (any order in; lines unsorted out)."""
    firewall = _Firewall(org, rng)
    return [line for event in sorted(events, key=lambda e: e.time) for line in firewall.render(event)]
