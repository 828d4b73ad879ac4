"""Labelled demo scenarios: attacks, infections, outages, as neutral events plus their true times.

Each scenario is placed at a seeded day and local hour (``plan``) and records, in UTC:
``first_activity`` (first hostile or faulty event), ``detectable`` (when the evidence first
crosses the threshold in ``THRESHOLDS``), ``contained`` (the first of: attacker cut off, file
quarantined, host or network isolated; else the last hostile activity; null when nothing
contained it) and ``resolved`` (service or state back to normal; null when still open at the
end of the period). Outages also carry their down/up times, minutes and whether a breach caused
them.

| kind | org | what happens | entity |
|---|---|---|---|
| ``vpn_bruteforce_success`` | 1st | 36-60 rejected AnyConnect logins (113005) from one address against a few names in 6-11 min, then a success for a real user, a session touching the servers, an admin logoff + shun, later a permanent ACL | attacker ``src_ip`` (+ ``user``) |
| ``interface_outage`` | 1st | ``outside`` line protocol down 2-5 h from late evening, crossing local midnight | ``interface`` |
| ``malware_outbreak`` | 1st | one attachment found on three workstations within the hour, each copy quarantined seconds later | first ``host`` |
| ``malware_spreading`` | 2nd | signature FOUND on a workstation, removal fails, SMB (445) burst to the file server, same signature on the file server 20-60 min later, admin shuts the ``servers`` interface, both hosts cleaned, interface back up | ``host`` |
| ``interface_outage`` (breach) | 2nd | the ``servers`` interface administratively down during that incident | ``interface`` |
| ``link_flap`` | 2nd | ``dmz`` line protocol down/up 5-8 times within 30 min | ``interface`` |
| ``interface_outage`` | 4th | the internet link (``outside``; pfSense logs ``igb0``) down 2-5 h from the working morning | ``interface`` |
| ``port_scan`` | 3rd, 4th | one address probes 140-400 distinct ports of the web server's public address in 1-4 min | attacker ``src_ip`` |
| ``malware_quarantined`` | 3rd | a download, then clamd FOUND and clamonacc ``moved to`` on one workstation | ``host`` |
| ``av_update_failing`` | 3rd | one workstation's signature update fails every run from the second day on | ``host`` |
| ``av_protection_disabled`` | 3rd | a user switches real-time protection off on a workstation; the admin switches it back on 2-5 h later | ``host`` |
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

from seclake.demo.background import admin_session, connection, ephemeral_port, internet_ip, vpn_session
from seclake.demo.events import Event, LocalClock, iso_utc
from seclake.demo.orgs import Org

THRESHOLDS: dict[str, str] = {
    "port_scan": "50 distinct destination ports from one source within 5 minutes",
    "vpn_bruteforce_success": "20 failed logins from one source within 30 minutes (before the success)",
    "malware_quarantined": "a FOUND detection",
    "malware_spreading": "the first FOUND detection",
    "malware_outbreak": "the first detection (the third host within the hour makes it an outbreak)",
    "interface_outage": "the interface's down message",
    "link_flap": "the interface's first down message",
    "av_update_failing": "3 consecutive failed signature updates on one host",
    "av_protection_disabled": "real-time protection switched off and still off 10 minutes later",
}
"""What ``detectable`` means for each scenario kind."""
PORT_SCAN_PORTS = 50
BRUTE_FORCE_FAILURES = 20
UPDATE_FAILED_RUNS = 3
PROTECTION_OFF_S = 600

# fmt: off
TOP_PORTS = (
    21, 22, 23, 25, 53, 80, 81, 110, 111, 135, 139, 143, 161, 389, 443, 445, 465, 514, 587, 631,
    636, 873, 993, 995, 1025, 1080, 1194, 1433, 1521, 1723, 1900, 2049, 2082, 2083, 2181, 2222,
    2375, 2376, 3000, 3128, 3268, 3306, 3389, 4443, 4444, 5000, 5432, 5601, 5800, 5900, 5985,
    5986, 6000, 6379, 6443, 7001, 7443, 8000, 8008, 8080, 8081, 8088, 8443, 8888, 9000, 9090,
    9100, 9200, 9300, 10000, 11211, 27017, 49152,
)
# fmt: on
SCAN_OPEN_PORTS = (80, 443)

DROPPER_SIGNATURES = (
    "Doc.Downloader.Emotet-7580152-0",
    "Win.Malware.Qakbot-9951247-0",
    "Win.Trojan.Agent-1388639-0",
    "Xls.Downloader.Valyria-9860041-0",
)
WORM_SIGNATURES = (
    "Win.Ransomware.WannaCry-6313787-0",
    "Win.Worm.Conficker-9953406-0",
    "Win.Malware.Emotet-9945398-0",
)
LURE_FILES = (
    "Invoice_{n}.pdf.exe",
    "Payment_Advice_{n}.xlsm",
    "DHL_Shipment_{n}.zip",
    "Statement_{n}.doc",
)
BRUTE_FORCE_NAMES = ("admin", "administrator", "vpn", "test", "guest", "user", "support")


@dataclass
class Scenario:
    """One labelled scenario: its events, the interfaces it takes down, and its true times."""

    id: str
    kind: str
    org: Org
    sources: tuple[str, ...]
    entity: dict[str, str]
    assets: tuple[str, ...]
    first_activity: float | None = None
    detectable: float | None = None
    contained: float | None = None
    resolved: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    downtime: list[tuple[str, float, float]] = field(default_factory=list)

    def truth(self) -> dict[str, Any]:
        """The ground-truth record of this scenario (times in UTC ISO 8601)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "org": self.org.id,
            "timezone": self.org.timezone,
            "sources": list(self.sources),
            "entity": self.entity,
            "assets": list(self.assets),
            "first_activity": iso_utc(self.first_activity),
            "detectable": iso_utc(self.detectable),
            "contained": iso_utc(self.contained),
            "resolved": iso_utc(self.resolved),
            **self.details,
        }


def _whole(t: float) -> float:
    """Scenario times are whole seconds, so the ground truth equals what the logs show."""
    return float(math.floor(t))


def _outage(down: float, up: float, *, breach_caused: bool) -> dict[str, Any]:
    return {
        "down": iso_utc(down),
        "up": iso_utc(up),
        "minutes": round((up - down) / 60, 2),
        "breach_caused": breach_caused,
    }


def port_scan(org: Org, sid: str, t0: float, rng: random.Random) -> Scenario:
    """One internet address probing many ports of the web server's public address."""
    attacker = internet_ip(rng)
    web = org.host("web01")
    count = rng.randrange(140, 401)
    ports = list(TOP_PORTS)
    while len(ports) < count:
        port = rng.randrange(1, 65536)
        if port not in ports:
            ports.append(port)
    ports = ports[:count]
    rng.shuffle(ports)
    span = rng.uniform(60, 240)
    times = sorted(_whole(t0 + rng.random() * span) for _ in ports)
    src_port = ephemeral_port(rng)
    events = []
    for t, port in zip(times, ports, strict=True):
        if port in SCAN_OPEN_PORTS:
            events.append(
                connection(
                    org,
                    t,
                    proto="tcp",
                    src=("outside", attacker),
                    dst=("dmz", web.ip),
                    dst_port=port,
                    src_port=src_port,
                    duration=0,
                    nbytes=0,
                    reason="TCP Reset-O",
                    tag=sid,
                )
            )
            continue
        events.append(
            Event(
                t,
                "deny",
                {
                    "style": "syn" if rng.random() < 0.15 else "acl",
                    "proto": "tcp",
                    "src_if": "outside",
                    "src_ip": attacker,
                    "src_port": src_port,
                    "dst_if": "outside",
                    "dst_ip": web.public_ip,
                    "dst_port": port,
                    "acl": "outside_access_in",
                },
                sid,
            )
        )
    seen: set[int] = set()
    detectable = None
    for t, port in zip(times, ports, strict=True):
        seen.add(port)
        if len(seen) == PORT_SCAN_PORTS:
            detectable = t
    return Scenario(
        sid,
        "port_scan",
        org,
        ("fw",),
        {"type": "src_ip", "value": attacker},
        ("web01",),
        first_activity=times[0],
        detectable=detectable,
        contained=times[-1],
        resolved=times[-1],
        details={"target_ip": web.public_ip, "distinct_ports": count, "open_ports": list(SCAN_OPEN_PORTS)},
        events=events,
    )


def vpn_bruteforce(org: Org, sid: str, t0: float, rng: random.Random) -> Scenario:
    """Password guessing on the VPN, a successful login, a session, admin containment."""
    attacker = internet_ip(rng)
    victim = rng.choice(org.vpn_users)
    names = [*rng.sample(BRUTE_FORCE_NAMES, 4), victim]
    failures = rng.randrange(36, 61)
    span = rng.uniform(6, 11) * 60
    times = sorted(_whole(t0 + rng.random() * span) for _ in range(failures))
    server = org.host("dc01").ip
    events = [
        Event(
            t,
            "vpn_auth",
            {
                "ok": False,
                "server": server,
                "user": names[i % len(names)],
                "ip": attacker,
                "reason": "Invalid password",
            },
            sid,
        )
        for i, t in enumerate(times)
    ]
    success = _whole(times[-1] + rng.uniform(20, 90))
    admin_login = _whole(success + rng.uniform(25, 70) * 60)
    contained = admin_login + 90
    assigned = f"{org.vpn_pool}.200"
    events += vpn_session(
        org,
        rng,
        t=success,
        user=victim,
        ip=attacker,
        assigned=assigned,
        duration=contained + 1 - success,
        end_reason="Administrator Reset",
        work=rng.randrange(12, 26),
        tag=sid,
    )
    commands = [(90, f"vpn-sessiondb logoff name {victim} noconfirm"), (120, f"shun {attacker}")]
    events += admin_session(org, admin_login, commands, 300, rng, tag=sid)
    retry = contained + 130
    for _ in range(rng.randrange(4, 11)):
        retry = _whole(retry + rng.uniform(30, 240))
        events.append(Event(retry, "shun_drop", {"src_ip": attacker, "dst_ip": org.public_ip}, sid))
    fix_login = _whole(contained + rng.uniform(1.5, 4) * 3600)
    fix = [
        (60, f"access-list outside_access_in line 1 extended deny ip host {attacker} any"),
        (120, "write memory"),
    ]
    events += admin_session(org, fix_login, fix, 240, rng, tag=sid)
    return Scenario(
        sid,
        "vpn_bruteforce_success",
        org,
        ("fw",),
        {"type": "src_ip", "value": attacker, "user": victim},
        (org.firewall, "dc01", "fs01"),
        first_activity=times[0],
        detectable=times[BRUTE_FORCE_FAILURES - 1],
        contained=contained,
        resolved=fix_login + 60,
        details={
            "user": victim,
            "failed_logins": failures,
            "user_names_tried": sorted(set(names)),
            "success": iso_utc(success),
            "session": {"assigned_ip": assigned, "start": iso_utc(success), "end": iso_utc(contained + 1)},
        },
        events=events,
    )


def _download(org: Org, host: str, t: float, rng: random.Random, sid: str) -> tuple[Event, str]:
    """A workstation fetching a malicious file over HTTPS; returns the event and the server IP."""
    server = internet_ip(rng)
    event = connection(
        org,
        t,
        proto="tcp",
        src=("inside", org.host(host).ip),
        dst=("outside", server),
        dst_port=443,
        src_port=ephemeral_port(rng),
        duration=_whole(rng.uniform(3, 20)),
        nbytes=rng.randrange(200_000, 2_000_000),
        reason="TCP FINs",
        tag=sid,
    )
    return event, server


def _lure(org: Org, host: str, rng: random.Random) -> str:
    name = rng.choice(LURE_FILES).format(n=rng.randrange(10000, 99999))
    return f"/home/{org.host(host).user}/Downloads/{name}"


def malware_quarantined(org: Org, sid: str, t0: float, rng: random.Random, host: str) -> Scenario:
    """A downloaded file found by clamd and moved to quarantine by clamonacc within a minute."""
    download, server = _download(org, host, t0, rng, sid)
    path = _lure(org, host, rng)
    signature = rng.choice(DROPPER_SIGNATURES)
    found = _whole(t0 + download.data["duration"] + rng.uniform(3, 60))
    moved = _whole(found + rng.uniform(1, 30))
    dest = "/var/quarantine/" + path.rsplit("/", 1)[1]
    events = [
        download,
        Event(found, "av_found", {"host": host, "path": path, "signature": signature}, sid),
        Event(moved, "av_moved", {"host": host, "path": path, "dest": dest}, sid),
    ]
    return Scenario(
        sid,
        "malware_quarantined",
        org,
        ("av", "fw"),
        {"type": "host", "value": host},
        (host,),
        first_activity=t0,
        detectable=found,
        contained=moved,
        resolved=moved,
        details={"signature": signature, "path": path, "quarantine_path": dest, "download_from": server},
        events=events,
    )


def malware_outbreak(org: Org, sid: str, t0: float, rng: random.Random, hosts: list[str]) -> Scenario:
    """One emailed attachment found on three workstations within the hour (on-access, as each
    user saves it), each copy quarantined seconds later."""
    signature = rng.choice(DROPPER_SIGNATURES)
    name = rng.choice(LURE_FILES).format(n=rng.randrange(10000, 99999))
    found = [t0]
    for _ in hosts[1:]:
        found.append(_whole(found[-1] + rng.uniform(4, 25) * 60))
    events, moved = [], []
    for host, at in zip(hosts, found, strict=True):
        path = f"/home/{org.host(host).user}/Downloads/{name}"
        moved.append(_whole(at + rng.uniform(1, 20)))
        events += [
            Event(at, "av_found", {"host": host, "path": path, "signature": signature}, sid),
            Event(
                moved[-1], "av_moved", {"host": host, "path": path, "dest": f"/var/quarantine/{name}"}, sid
            ),
        ]
    return Scenario(
        sid,
        "malware_outbreak",
        org,
        ("av",),
        {"type": "host", "value": hosts[0]},
        tuple(hosts),
        first_activity=t0,
        detectable=t0,
        contained=moved[0],
        resolved=moved[-1],
        details={"signature": signature, "file": name, "found": [iso_utc(t) for t in found]},
        events=events,
    )


def protection_disabled(org: Org, sid: str, t0: float, rng: random.Random, host: str) -> Scenario:
    """A user switches the anti-virus real-time protection off on a workstation; the IT admin
    notices and switches it back on hours later."""
    user = org.host(host).user
    back_on = _whole(t0 + rng.uniform(2, 5) * 3600)
    events = [
        Event(t0, "av_protection_disabled", {"host": host, "user": user}, sid),
        Event(back_on, "av_protection_enabled", {"host": host, "user": org.admin}, sid),
    ]
    return Scenario(
        sid,
        "av_protection_disabled",
        org,
        ("av",),
        {"type": "host", "value": host},
        (host,),
        first_activity=t0,
        detectable=t0 + PROTECTION_OFF_S,
        resolved=back_on,
        details={"user": user, "enabled_by": org.admin},
        events=events,
    )


def malware_spreading(
    org: Org, sid: str, outage_id: str, t0: float, rng: random.Random, host: str
) -> tuple[Scenario, Scenario]:
    """A worm not cleaned on a workstation reaches the file server over SMB; the admin isolates the
    server network (the breach-caused outage, returned second), cleans both hosts, restores it."""
    fs = org.host("fs01")
    servers = org.interface("servers")
    download, server = _download(org, host, t0, rng, sid)
    path = _lure(org, host, rng)
    signature = rng.choice(WORM_SIGNATURES)
    found_a = _whole(t0 + download.data["duration"] + rng.uniform(5, 60))
    failed_a = _whole(found_a + rng.uniform(2, 15))
    found_b = _whole(found_a + rng.uniform(20, 60) * 60)
    failed_b = _whole(found_b + rng.uniform(2, 15))
    share_path = f"/srv/samba/shared/{path.rsplit('/', 1)[1]}"
    events = [
        download,
        Event(found_a, "av_found", {"host": host, "path": path, "signature": signature}, sid),
        Event(
            failed_a,
            "av_action_failed",
            {"host": host, "path": path, "signature": signature, "reason": "Access denied."},
            sid,
        ),
        Event(found_b, "av_found", {"host": fs.name, "path": share_path, "signature": signature}, sid),
        Event(
            failed_b,
            "av_action_failed",
            {"host": fs.name, "path": share_path, "signature": signature, "reason": "Access denied."},
            sid,
        ),
    ]
    smb = sorted(_whole(rng.uniform(found_a + 60, found_b + 300)) for _ in range(rng.randrange(15, 41)))
    events += [
        connection(
            org,
            t,
            proto="tcp",
            src=("inside", org.host(host).ip),
            dst=("servers", fs.ip),
            dst_port=445,
            src_port=ephemeral_port(rng),
            duration=_whole(rng.uniform(1, 60)),
            nbytes=rng.randrange(2_000, 3_000_000),
            reason="TCP FINs",
            tag=sid,
        )
        for t in smb
    ]
    isolated = _whole(found_b + rng.uniform(6, 15) * 60)
    shut = [(40, f"interface {servers.hardware}"), (60, "shutdown")]
    events += admin_session(org, isolated - 60, shut, 180, rng, tag=sid)
    events += [
        Event(isolated, "link", {"interface": "servers", "state": "down", "admin": True}, outage_id),
        Event(isolated + 1, "link", {"interface": "servers", "state": "down", "admin": False}, outage_id),
    ]
    for cleaned_host, cleaned_path, after in ((host, path, (20, 50)), (fs.name, share_path, (80, 150))):
        found = _whole(isolated + rng.uniform(*after) * 60)
        events += [
            Event(
                found, "av_found", {"host": cleaned_host, "path": cleaned_path, "signature": signature}, sid
            ),
            Event(
                found + 2,
                "av_moved",
                {
                    "host": cleaned_host,
                    "path": cleaned_path,
                    "dest": "/var/quarantine/" + cleaned_path.rsplit("/", 1)[1],
                },
                sid,
            ),
        ]
        cleaned = found + 2
    restored = _whole(cleaned + rng.uniform(10, 25) * 60)
    unshut = [(40, f"interface {servers.hardware}"), (60, "no shutdown"), (90, "write memory")]
    events += admin_session(org, restored - 60, unshut, 180, rng, tag=sid)
    events += [
        Event(restored, "link", {"interface": "servers", "state": "up", "admin": True}, outage_id),
        Event(restored + 3, "link", {"interface": "servers", "state": "up", "admin": False}, outage_id),
    ]
    spreading = Scenario(
        sid,
        "malware_spreading",
        org,
        ("av", "fw"),
        {"type": "host", "value": host},
        (host, fs.name),
        first_activity=t0,
        detectable=found_a,
        contained=isolated,
        resolved=restored,
        details={
            "signature": signature,
            "hosts": [host, fs.name],
            "paths": {host: path, fs.name: share_path},
            "download_from": server,
            "spread_detected": iso_utc(found_b),
            "smb_connections": len(smb),
            "smb_window": [iso_utc(smb[0]), iso_utc(smb[-1])],
            "outage": outage_id,
        },
        events=events,
    )
    outage = Scenario(
        outage_id,
        "interface_outage",
        org,
        ("fw",),
        {"type": "interface", "value": org.link_name("servers")},
        tuple(h.name for h in org.servers if h.interface == "servers"),
        first_activity=isolated,
        detectable=isolated,
        contained=None,
        resolved=restored + 3,
        details={
            "device": org.firewall,
            "outages": [_outage(isolated, restored + 3, breach_caused=True)],
            "breach_caused": True,
            "caused_by": sid,
        },
        downtime=[("servers", isolated, restored + 3)],
    )
    return spreading, outage


def interface_outage(org: Org, sid: str, t0: float, rng: random.Random, interface: str) -> Scenario:
    """The interface's line protocol goes down and comes back 2-5 hours later."""
    up = _whole(t0 + rng.uniform(120, 300) * 60)
    events = [
        Event(t0, "link", {"interface": interface, "state": "down", "admin": False}, sid),
        Event(up, "link", {"interface": interface, "state": "up", "admin": False}, sid),
    ]
    affected = [h.name for h in org.servers if h.public_ip] + [org.firewall]
    return Scenario(
        sid,
        "interface_outage",
        org,
        ("fw",),
        {"type": "interface", "value": org.link_name(interface)},
        tuple(affected),
        first_activity=t0,
        detectable=t0,
        contained=None,
        resolved=up,
        details={
            "device": org.firewall,
            "outages": [_outage(t0, up, breach_caused=False)],
            "breach_caused": False,
        },
        events=events,
        downtime=[(interface, t0, up)],
    )


def link_flap(org: Org, sid: str, t0: float, rng: random.Random, interface: str) -> Scenario:
    """The interface bounces down/up 5-8 times within 30 minutes."""
    events, windows = [], []
    t = t0
    for _ in range(rng.randrange(5, 9)):
        up = _whole(t + rng.uniform(5, 60))
        events += [
            Event(t, "link", {"interface": interface, "state": "down", "admin": False}, sid),
            Event(up, "link", {"interface": interface, "state": "up", "admin": False}, sid),
        ]
        windows.append((t, up))
        t = _whole(up + rng.uniform(40, 150))
    return Scenario(
        sid,
        "link_flap",
        org,
        ("fw",),
        {"type": "interface", "value": org.link_name(interface)},
        tuple(h.name for h in org.servers if h.interface == interface),
        first_activity=windows[0][0],
        detectable=windows[0][0],
        contained=None,
        resolved=windows[-1][1],
        details={
            "device": org.firewall,
            "flaps": len(windows),
            "outages": [_outage(down, up, breach_caused=False) for down, up in windows],
            "breach_caused": False,
        },
        events=events,
        downtime=[(interface, down, up) for down, up in windows],
    )


def av_update_failing(org: Org, sid: str, host: str, since: float) -> Scenario:
    """One host's signature updates fail from ``since`` on; its runs come from the background
    (``background.antivirus`` with ``failing``) and ``complete_update_failure`` sets the times
    (``first_activity`` holds ``since`` until then)."""
    return Scenario(
        sid,
        "av_update_failing",
        org,
        ("av",),
        {"type": "host", "value": host},
        (host,),
        first_activity=since,
        details={"failing_since": iso_utc(since)},
    )


def complete_update_failure(scenario: Scenario, events: list[Event]) -> None:
    """Set the times of an ``av_update_failing`` scenario from its tagged freshclam runs."""
    runs = sorted(e.time for e in events if e.tag == scenario.id)
    scenario.first_activity = _whole(runs[0])
    scenario.detectable = _whole(runs[min(UPDATE_FAILED_RUNS, len(runs)) - 1])
    scenario.details["failed_runs"] = len(runs)
    scenario.details["last_failure"] = iso_utc(runs[-1])


def _day(rng: random.Random, count: int, avoid: int | None = None) -> int:
    choices = [i for i in range(count) if i != avoid] or list(range(count))
    return rng.choice(choices)


def plan(orgs: tuple[Org, ...], dates: list[dt.date], seed: int) -> list[Scenario]:
    """Every labelled scenario of the period, at seeded days and local hours (see module doc)."""
    if len(orgs) < 4 or len(dates) < 2:
        raise ValueError("the demo scenarios need 4 organisations and at least 2 days")
    first, second, third, fourth = orgs[:4]
    days = len(dates)

    def at(org: Org, day: int, hour: float) -> float:
        return _whole(LocalClock(org.timezone).epoch(dates[day], hour))

    def rng(name: str) -> random.Random:
        return random.Random(f"{seed}:scenario:{name}")

    r = rng("outage")
    outage = interface_outage(
        first, f"{first.id}/outage-outside", at(first, _day(r, days - 1), r.uniform(21.5, 23)), r, "outside"
    )
    r = rng("bruteforce")
    bruteforce = vpn_bruteforce(
        first, f"{first.id}/vpn-bruteforce", at(first, _day(r, days), r.uniform(5.5, 17)), r
    )

    r = rng("outbreak")
    receivers = r.sample([h.name for h in first.workstations if h.name != first.admin_host], 3)
    outbreak = malware_outbreak(
        first, f"{first.id}/malware-outbreak", at(first, _day(r, days), r.uniform(9, 15)), r, receivers
    )

    r = rng("spreading")
    spread_day = _day(r, days)
    patient_zero = r.choice([h.name for h in second.workstations if h.name != second.admin_host])
    spreading, breach_outage = malware_spreading(
        second,
        f"{second.id}/malware-spreading",
        f"{second.id}/outage-servers",
        at(second, spread_day, r.uniform(9, 11.5)),
        r,
        patient_zero,
    )
    r = rng("flap")
    flap = link_flap(
        second,
        f"{second.id}/link-flap-dmz",
        at(second, _day(r, days, spread_day), r.uniform(14, 19)),
        r,
        "dmz",
    )

    r = rng("scan")
    scan = port_scan(third, f"{third.id}/port-scan", at(third, _day(r, days), r.uniform(20, 23.2)), r)
    r = rng("scan-2")
    second_scan_day = _day(r, days)
    second_scan = port_scan(fourth, f"{fourth.id}/port-scan", at(fourth, second_scan_day, r.uniform(1, 5)), r)
    r = rng("outage-2")
    wan_outage = interface_outage(
        fourth,
        f"{fourth.id}/outage-outside",
        at(fourth, _day(r, days, second_scan_day), r.uniform(8.5, 12)),
        r,
        "outside",
    )
    r = rng("quarantine")
    candidates = [h.name for h in third.workstations if h.name != third.admin_host]
    victim = r.choice(candidates)
    quarantined = malware_quarantined(
        third, f"{third.id}/malware-quarantined", at(third, _day(r, days), r.uniform(9, 16.5)), r, victim
    )
    r = rng("av-failing")
    stale = r.choice([h for h in candidates if h != victim])
    failing = av_update_failing(third, f"{third.id}/av-update-failing", stale, at(third, 1, 0))
    r = rng("protection-off")
    careless = r.choice([h for h in candidates if h not in (victim, stale)])
    switched_off = protection_disabled(
        third, f"{third.id}/protection-disabled", at(third, _day(r, days), r.uniform(10, 14)), r, careless
    )
    return [
        bruteforce,
        outage,
        outbreak,
        spreading,
        breach_outage,
        flap,
        scan,
        quarantined,
        failing,
        switched_off,
        second_scan,
        wan_outage,
    ]
