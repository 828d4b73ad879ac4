"""Benign background activity of a demo organisation, as neutral events.

Firewall, per local day (``firewall_day``):
- sessions drawn per hour and per traffic profile (``PROFILES``): staff web browsing and QUIC,
  DNS forwarding by the domain controller, workstations to the domain controller, file server and
  mail server, internet clients to the published web and mail servers, mail relaying, NTP and
  server updates. Staff profiles follow working hours and weekdays (``STAFF_CURVE``), the others
  a flatter curve (``ALWAYS_CURVE``). Outbound sessions are PAT'd to the firewall's address,
  published servers use their static public address;
- internet noise: a low steady rate of denied probes, each from a fresh random address against
  1-3 common ports (never enough distinct ports from one address to look like a scan);
- a few denied outbound SMTP/IRC attempts from workstations;
- VPN: a few users log in on some days (stable home address per user, now and then one mistyped
  password first), work on the file and domain servers through the session, and log out;
- an administrator logs into the firewall on some weekdays and sometimes changes its config.
Sessions touching an interface while it is down (``Downtime``) are not generated at all.

Anti-virus, over the whole period (``antivirus``): freshclam runs every 8 h on workstations and
every 4 h on servers (``updated`` when a newer daily database is published, else
``uptodate``; ``failed`` for a host listed in ``failing`` from its start time on), clamd
SelfCheck every 6 h, and an occasional reboot (``+++ Started``).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass

from seclake.demo.events import Event, LocalClock
from seclake.demo.orgs import Org

# fmt: off
STAFF_CURVE = (
    0.05, 0.04, 0.03, 0.03, 0.03, 0.05, 0.15, 0.45, 0.95, 1.0, 1.0, 0.95,
    0.7, 0.9, 1.0, 1.0, 0.95, 0.8, 0.45, 0.25, 0.2, 0.15, 0.1, 0.07,
)
"""Relative staff activity per local hour on a weekday (weekends: ``WEEKEND_STAFF`` of it)."""
ALWAYS_CURVE = (
    0.5, 0.45, 0.4, 0.4, 0.4, 0.45, 0.55, 0.7, 0.9, 1.0, 1.0, 1.0,
    1.0, 1.0, 1.0, 1.0, 1.0, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.55,
)
"""Relative activity per local hour of traffic that does not follow office hours."""
WEEKEND_STAFF = 0.2
WEEKEND_ALWAYS = 0.7

NOISE_PER_HOUR = 18
"""Denied internet probes per hour at scale 1 (each from a new address, 1-3 ports)."""
NOISE_PORTS = (
    (23, "tcp"), (22, "tcp"), (445, "tcp"), (3389, "tcp"), (1433, "tcp"), (8080, "tcp"),
    (5900, "tcp"), (3306, "tcp"), (6379, "tcp"), (2323, "tcp"), (8443, "tcp"), (81, "tcp"),
    (5060, "udp"), (1900, "udp"), (161, "udp"), (123, "udp"), (9200, "tcp"), (7547, "tcp"),
)

PUBLIC_FIRST_OCTETS = (
    5, 23, 31, 37, 45, 46, 58, 61, 77, 80, 85, 89, 91, 92, 93, 94, 101, 103, 109, 110, 112, 114,
    115, 117, 118, 122, 123, 125, 139, 141, 146, 154, 159, 162, 167, 176, 178, 179, 180, 181,
    182, 183, 185, 186, 187, 188, 190, 193, 194, 195, 196, 197, 200, 201, 202, 211, 212, 213,
    217, 218, 219, 220, 221, 222,
)
"""First octets that are ordinary unicast internet space (no private, shared or reserved ranges)."""
WEB_PREFIXES = (
    "142.250", "142.251", "13.107", "20.190", "40.126", "52.84", "54.230", "104.16", "104.18",
    "151.101", "157.240", "31.13", "23.45", "23.205", "146.75", "17.253",
)
"""Address blocks of large web/CDN operators that staff traffic goes to."""
# fmt: on
DNS_RESOLVERS = ("8.8.8.8", "8.8.4.4", "1.1.1.1", "9.9.9.9")
NTP_SERVERS = ("162.159.200.1", "162.159.200.123", "216.239.35.0")

TCP_REASONS = ("TCP FINs", "TCP Reset-I", "TCP Reset-O", "Idle Timeout")
TCP_REASON_WEIGHTS = (0.82, 0.07, 0.06, 0.05)
LINES_PER_SESSION = 2.2
"""Average firewall lines of a background session (Built + Teardown, some NAT and ACL lines)."""

ADMIN_COMMANDS = (
    "object network obj-{host}",
    "access-list outside_access_in extended permit tcp any object obj-web01 eq https",
    "logging trap informational",
    "ntp server {dc}",
    "clear configure access-list tmp_capture",
    "threat-detection statistics tcp-intercept",
    "names",
)

DAILY_BASE = 26045
DAILY_REFERENCE = dt.datetime(2021, 1, 1, 8, tzinfo=dt.UTC).timestamp()
DAILY_RELEASES_PER_DAY = 2
FRESHCLAM_HOURS = {"workstation": 8, "server": 4}
SELFCHECK_HOURS = 6
REBOOT_CHANCE = 0.05


@dataclass(frozen=True)
class Profile:
    """One kind of benign session: who talks to whom, how long, how much."""

    name: str
    weight: float
    src: str
    dst: str
    proto: str
    ports: tuple[int, ...]
    duration: tuple[float, float]
    nbytes: tuple[float, float]
    staff: bool
    xlate: float = 0.0
    acl_log: float = 0.0


PROFILES: tuple[Profile, ...] = (
    Profile("web_https", 50, "ws", "web", "tcp", (443,), (15, 1.2), (40_000, 1.6), True, xlate=0.08),
    Profile("web_http", 5, "ws", "web", "tcp", (80,), (4, 1.0), (15_000, 1.4), True, xlate=0.08),
    Profile("quic", 6, "ws", "web", "udp", (443,), (30, 1.0), (90_000, 1.5), True),
    Profile("dns_forward", 14, "dc01", "dns", "udp", (53,), (0.05, 0.5), (190, 0.4), True),
    Profile("ad_dns", 4, "ws", "dc01", "udp", (53,), (0.02, 0.5), (150, 0.3), True),
    Profile("ad_auth", 4, "ws", "dc01", "tcp", (88, 389, 389, 135), (2, 1.0), (6_000, 0.8), True),
    Profile("file_share", 5, "ws", "fs01", "tcp", (445,), (300, 1.5), (2_000_000, 2.0), True),
    Profile("mail_client", 3, "ws", "mail01", "tcp", (993, 993, 587), (60, 1.0), (25_000, 1.2), True),
    Profile(
        "inbound_web",
        6,
        "client",
        "web01",
        "tcp",
        (443, 443, 443, 80),
        (8, 1.0),
        (30_000, 1.3),
        False,
        acl_log=0.3,
    ),
    Profile("inbound_smtp", 2, "client", "mail01", "tcp", (25,), (6, 0.8), (45_000, 1.5), False, acl_log=0.5),
    Profile("outbound_smtp", 1, "mail01", "client", "tcp", (25,), (5, 0.8), (40_000, 1.5), True),
    Profile("ntp", 0.3, "dc01", "ntp", "udp", (123,), (0.05, 0.3), (96, 0.1), False),
    Profile("server_updates", 1, "servers", "web", "tcp", (443, 80), (20, 1.2), (300_000, 1.8), False),
)
"""Benign session kinds and their relative weights (see the module docstring)."""


class Downtime:
    """Intervals (UTC epoch seconds) during which a firewall interface passes no traffic."""

    def __init__(self) -> None:
        self.windows: dict[str, list[tuple[float, float]]] = {}

    def add(self, interface: str, start: float, end: float) -> None:
        self.windows.setdefault(interface, []).append((start, end))

    def blocks(self, interfaces: Iterable[str], start: float, end: float) -> bool:
        """True when any of ``interfaces`` is down at some point of ``[start, end]``."""
        return any(s <= end and start <= e for name in interfaces for s, e in self.windows.get(name, ()))


def internet_ip(rng: random.Random) -> str:
    """A random ordinary public IPv4 address."""
    first = rng.choice(PUBLIC_FIRST_OCTETS)
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def ephemeral_port(rng: random.Random) -> int:
    return rng.randrange(49152, 65536)


def connection(
    org: Org,
    t: float,
    *,
    proto: str,
    src: tuple[str, str],
    dst: tuple[str, str],
    dst_port: int,
    src_port: int,
    duration: float,
    nbytes: int,
    reason: str | None = None,
    user: str | None = None,
    xlate: bool = False,
    tag: str | None = None,
) -> Event:
    """A ``conn`` event from ``src`` to ``dst`` ((interface, ip) pairs), NAT derived from the org."""
    published = _published(org)
    nat_src = nat_dst = None
    if dst[0] == "outside" and src[0] != "outside":
        nat_src = (published.get(src[1], org.public_ip), src_port)
    if src[0] == "outside" and dst[1] in published:
        nat_dst = (published[dst[1]], dst_port)
    return Event(
        t,
        "conn",
        {
            "proto": proto,
            "src_if": src[0],
            "src_ip": src[1],
            "src_port": src_port,
            "dst_if": dst[0],
            "dst_ip": dst[1],
            "dst_port": dst_port,
            "nat_src": nat_src,
            "nat_dst": nat_dst,
            "duration": duration,
            "bytes": nbytes,
            "reason": reason,
            "user": user,
            "xlate": xlate and nat_src is not None,
        },
        tag,
    )


_PUBLISHED: dict[str, dict[str, str]] = {}


def _published(org: Org) -> dict[str, str]:
    """Private address → static public address of the org's published servers (cached by org id)."""
    if org.id not in _PUBLISHED:
        _PUBLISHED[org.id] = {h.ip: h.public_ip for h in org.hosts if h.public_ip}
    return _PUBLISHED[org.id]


def _stochastic_round(x: float, rng: random.Random) -> int:
    whole = math.floor(x)
    return whole + (rng.random() < x - whole)


class _Endpoints:
    """Address pools of one organisation for one day: who a profile's roles resolve to."""

    def __init__(self, org: Org, rng: random.Random, pools: random.Random) -> None:
        self.org = org
        self.rng = rng
        self.workstations = [("inside", h.ip) for h in org.workstations]
        self.servers = [(h.interface, h.ip) for h in org.servers]
        self.named = {h.name: (h.interface, h.ip) for h in org.servers}
        web_pool = [
            f"{pools.choice(WEB_PREFIXES)}.{pools.randrange(256)}.{pools.randrange(1, 255)}"
            for _ in range(300)
        ]
        self.fixed = {
            "web": [("outside", ip) for ip in web_pool],
            "dns": [("outside", ip) for ip in DNS_RESOLVERS],
            "ntp": [("outside", ip) for ip in NTP_SERVERS],
        }

    def pick(self, role: str) -> tuple[str, str]:
        if role == "ws":
            return self.rng.choice(self.workstations)
        if role == "servers":
            return self.rng.choice(self.servers)
        if role == "client":
            return ("outside", internet_ip(self.rng))
        if role in self.named:
            return self.named[role]
        return self.rng.choice(self.fixed[role])


def _sessions(
    org: Org, day: dt.date, rng: random.Random, pools: random.Random, scale: float, down: Downtime
) -> list[Event]:
    clock = LocalClock(org.timezone)
    weekend = day.weekday() >= 5
    endpoints = _Endpoints(org, rng, pools)
    total_weight = sum(p.weight for p in PROFILES)
    per_day = org.weekday_fw_lines * scale * 0.9 / LINES_PER_SESSION
    per_unit_hour = per_day / sum(STAFF_CURVE)
    events: list[Event] = []
    for hour in range(24):
        start = clock.epoch(day, hour)
        hour_jitter = rng.uniform(0.85, 1.15)
        for profile in PROFILES:
            curve = (
                STAFF_CURVE[hour] * (WEEKEND_STAFF if weekend else 1.0)
                if profile.staff
                else (ALWAYS_CURVE[hour] * (WEEKEND_ALWAYS if weekend else 1.0))
            )
            expected = per_unit_hour * profile.weight / total_weight * curve * hour_jitter
            for _ in range(_stochastic_round(expected, rng)):
                t = start + rng.random() * 3600
                src = endpoints.pick(profile.src)
                dst = endpoints.pick(profile.dst)
                duration = rng.lognormvariate(math.log(profile.duration[0]), profile.duration[1])
                if down.blocks((src[0], dst[0]), t, t + duration + 1):
                    continue
                dst_port = rng.choice(profile.ports)
                src_port = ephemeral_port(rng)
                tcp = profile.proto == "tcp"
                if profile.acl_log and rng.random() < profile.acl_log:
                    events.append(
                        Event(
                            t,
                            "acl_log",
                            {
                                "acl": "outside_access_in",
                                "verdict": "permitted",
                                "proto": profile.proto,
                                "src_if": src[0],
                                "src_ip": src[1],
                                "src_port": src_port,
                                "dst_if": dst[0],
                                "dst_ip": dst[1],
                                "dst_port": dst_port,
                            },
                        )
                    )
                events.append(
                    connection(
                        org,
                        t,
                        proto=profile.proto,
                        src=src,
                        dst=dst,
                        dst_port=dst_port,
                        src_port=src_port,
                        duration=duration,
                        nbytes=int(rng.lognormvariate(math.log(profile.nbytes[0]), profile.nbytes[1])),
                        reason=rng.choices(TCP_REASONS, TCP_REASON_WEIGHTS)[0] if tcp else None,
                        xlate=rng.random() < profile.xlate,
                    )
                )
    return events


def _noise(org: Org, day: dt.date, rng: random.Random, scale: float, down: Downtime) -> list[Event]:
    clock = LocalClock(org.timezone)
    start, end = clock.day_bounds(day)
    targets = [org.public_ip] + [h.public_ip for h in org.servers if h.public_ip]
    events: list[Event] = []
    for _ in range(_stochastic_round(NOISE_PER_HOUR * 24 * scale, rng)):
        t = rng.uniform(start, end)
        if down.blocks(("outside",), t, t + 60):
            continue
        source = internet_ip(rng)
        target = rng.choice(targets)
        for port, proto in rng.sample(NOISE_PORTS, rng.choice((1, 1, 1, 2, 3))):
            t += rng.uniform(0.2, 40)
            style = "syn" if proto == "tcp" and rng.random() < 0.15 else "acl"
            events.append(
                Event(
                    t,
                    "deny",
                    {
                        "style": style,
                        "proto": proto,
                        "src_if": "outside",
                        "src_ip": source,
                        "src_port": ephemeral_port(rng),
                        "dst_if": "outside",
                        "dst_ip": target,
                        "dst_port": port,
                        "acl": "outside_access_in",
                    },
                )
            )
    for _ in range(rng.randrange(0, 6)):
        t = clock.epoch(day, rng.uniform(8, 18))
        if down.blocks(("outside",), t, t + 1):
            continue
        events.append(
            Event(
                t,
                "deny",
                {
                    "style": "acl",
                    "proto": "tcp",
                    "src_if": "inside",
                    "src_ip": rng.choice(org.workstations).ip,
                    "src_port": ephemeral_port(rng),
                    "dst_if": "outside",
                    "dst_ip": internet_ip(rng),
                    "dst_port": rng.choice((25, 25, 6667)),
                    "acl": "inside_access_in",
                },
            )
        )
    return events


def vpn_session(
    org: Org,
    rng: random.Random,
    *,
    t: float,
    user: str,
    ip: str,
    assigned: str,
    duration: float,
    end_reason: str,
    work: int,
    down: Downtime | None = None,
    tag: str | None = None,
) -> list[Event]:
    """A successful AnyConnect login, ``work`` connections to the servers, and the session's end."""
    group = "GroupPolicy_AnyConnect"
    dc, fs = org.host("dc01"), org.host("fs01")
    who = {"user": user, "ip": ip, "group": group}
    events = [
        Event(t, "vpn_auth", {"ok": True, "server": dc.ip, **who}, tag),
        Event(t + 2, "vpn_start", {"assigned": assigned, **who}, tag),
    ]
    for _ in range(work):
        start = t + 10 + rng.random() * (duration - 30)
        server, port = rng.choice(((fs, 445), (fs, 445), (dc, 389), (dc, 88), (fs, 3389)))
        length = min(rng.lognormvariate(math.log(120), 1.2), t + duration - start - 5)
        if down is not None and down.blocks((server.interface,), start, start + length + 1):
            continue
        events.append(
            connection(
                org,
                start,
                proto="tcp",
                src=("outside", assigned),
                dst=(server.interface, server.ip),
                dst_port=port,
                src_port=ephemeral_port(rng),
                duration=length,
                nbytes=int(rng.lognormvariate(math.log(400_000), 1.8)),
                user=user,
                tag=tag,
            )
        )
    events.append(
        Event(
            t + duration,
            "vpn_end",
            {
                "duration": duration,
                "bytes_xmt": int(rng.lognormvariate(math.log(8e6), 1.2)),
                "bytes_rcv": int(rng.lognormvariate(math.log(2e6), 1.2)),
                "reason": end_reason,
                "assigned": assigned,
                **who,
            },
            tag,
        )
    )
    return events


def home_ip(org: Org, user: str, seed: int) -> str:
    """The stable home address a VPN user connects from."""
    return internet_ip(random.Random(f"{seed}:{org.id}:home:{user}"))


def _vpn(org: Org, day: dt.date, rng: random.Random, seed: int, down: Downtime) -> list[Event]:
    clock = LocalClock(org.timezone)
    weekend = day.weekday() >= 5
    events: list[Event] = []
    for index, user in enumerate(org.vpn_users):
        if rng.random() > (0.15 if weekend else 0.45):
            continue
        hour = rng.uniform(19, 22) if rng.random() < 0.4 else rng.uniform(8, 16)
        t = clock.epoch(day, hour)
        duration = rng.uniform(20, 240) * 60
        if down.blocks(("outside",), t - 60, t + duration + 60):
            continue
        ip = home_ip(org, user, seed)
        if rng.random() < 0.1:
            events.append(
                Event(
                    t - rng.uniform(15, 60),
                    "vpn_auth",
                    {
                        "ok": False,
                        "server": org.host("dc01").ip,
                        "user": user,
                        "ip": ip,
                        "reason": "Invalid password",
                    },
                )
            )
        events += vpn_session(
            org,
            rng,
            t=t,
            user=user,
            ip=ip,
            assigned=f"{org.vpn_pool}.{10 + index}",
            duration=duration,
            end_reason="User Requested",
            work=rng.randrange(2, 12),
            down=down,
        )
    return events


def admin_session(
    org: Org,
    t: float,
    commands: Iterable[tuple[float, str]],
    length: float,
    rng: random.Random,
    tag: str | None = None,
) -> list[Event]:
    """The administrator's SSH login to the firewall, ``commands`` at their offsets, logout."""
    ip = org.host(org.admin_host).ip
    events = [Event(t, "admin_login", {"user": org.admin, "ip": ip, "port": ephemeral_port(rng)}, tag)]
    events += [
        Event(t + offset, "admin_command", {"user": org.admin, "command": command}, tag)
        for offset, command in commands
    ]
    events.append(Event(t + length, "admin_logout", {"user": org.admin}, tag))
    return events


def _admin(org: Org, day: dt.date, rng: random.Random) -> list[Event]:
    if day.weekday() >= 5 or rng.random() > 0.5:
        return []
    t = LocalClock(org.timezone).epoch(day, rng.uniform(9, 17))
    commands: list[tuple[float, str]] = []
    if rng.random() < 0.4:
        fields = {"host": rng.choice(org.servers).name, "dc": org.host("dc01").ip}
        picked = rng.sample(ADMIN_COMMANDS, rng.randrange(1, 4))
        commands = [(60 * (i + 1), c.format_map(fields)) for i, c in enumerate(picked)]
        commands.append((60 * (len(picked) + 1), "write memory"))
    return admin_session(org, t, commands, rng.uniform(5, 30) * 60, rng)


def firewall_day(org: Org, day: dt.date, *, seed: int, scale: float, down: Downtime) -> list[Event]:
    """Every benign firewall event of ``org`` starting on local ``day``."""
    rng = random.Random(f"{seed}:{org.id}:{day.isoformat()}:fw")
    pools = random.Random(f"{seed}:{org.id}:pools")
    return (
        _sessions(org, day, rng, pools, scale, down)
        + _noise(org, day, rng, scale, down)
        + _vpn(org, day, rng, seed, down)
        + _admin(org, day, rng)
    )


def published_daily(t: float) -> tuple[int, int]:
    """The ClamAV daily database (version, signatures) published at instant ``t``."""
    version = DAILY_BASE + int((t - DAILY_REFERENCE) // (86400 / DAILY_RELEASES_PER_DAY))
    return version, 2_000_000 + (version - DAILY_BASE) * 95


def antivirus(
    org: Org, days: list[dt.date], *, seed: int, failing: dict[str, tuple[float, str]]
) -> list[Event]:
    """Benign ClamAV events of every host over ``days``; ``failing`` maps host → (from, tag)."""
    clock = LocalClock(org.timezone)
    first, _ = clock.day_bounds(days[0])
    phases = random.Random(f"{seed}:{org.id}:av-phases")
    hosts = [(h, phases.uniform(0, 3600 * 4), phases.uniform(0, 3600 * 6)) for h in org.hosts]
    versions = {h.name: published_daily(first - 3600 * 4) for h in org.hosts}
    events: list[Event] = []
    for day in days:
        rng = random.Random(f"{seed}:{org.id}:{day.isoformat()}:av")
        start, end = clock.day_bounds(day)
        for host, update_phase, check_phase in hosts:
            interval = FRESHCLAM_HOURS[host.kind] * 3600
            t = start + (update_phase - start) % interval
            while t < end:
                run = t + rng.uniform(0, 90)
                broken = failing.get(host.name)
                published = published_daily(run)
                if broken and run >= broken[0]:
                    result, tag, version = "failed", broken[1], versions[host.name]
                elif published[0] > versions[host.name][0]:
                    result, tag, version = "updated", None, published
                else:
                    result, tag, version = "uptodate", None, versions[host.name]
                versions[host.name] = version
                events.append(
                    Event(
                        run,
                        "av_update",
                        {
                            "host": host.name,
                            "result": result,
                            "daily_version": version[0],
                            "daily_sigs": version[1],
                        },
                        tag,
                    )
                )
                t += interval
            t = start + (check_phase - start) % (SELFCHECK_HOURS * 3600)
            while t < end:
                events.append(Event(t + rng.uniform(0, 5), "av_selfcheck", {"host": host.name}))
                t += SELFCHECK_HOURS * 3600
            if rng.random() < REBOOT_CHANCE:
                events.append(Event(rng.uniform(start, end), "av_started", {"host": host.name}))
    return events
