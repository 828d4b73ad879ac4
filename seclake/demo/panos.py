"""Palo Alto Networks PAN-OS syslog writer for the demo: neutral firewall events → CSV records.

Shapes follow ``../shared/formats/panos.md`` and the corpus: an RFC 3164 header in the
firewall's local time (``<14>Nov 20 02:15:24 fw-acme 1,2024/11/20 02:15:24,0123...,TRAFFIC,end,...``),
then the PAN-OS 10.1 default CSV record of the log type: local ``receive_time``/
``time_generated`` without zone and, for TRAFFIC, ``high_res_timestamp`` (ISO with the offset) at
position 102. Zones are the organisation's interface names (``inside``, ``outside``, ...); the
ASA hardware ports ``GigabitEthernet0/N`` become PAN-OS ports ``ethernet1/<N+1>``. Fields with a
comma or a quote are quoted (``""`` inside).

Event kinds rendered (fields in ``Event.data``):

| kind | fields | records |
|---|---|---|
| ``conn`` | proto, src/dst if/ip/port, nat_src, nat_dst, duration, bytes, user | TRAFFIC ``end``, written at the session end (``start`` and ``elapsed`` inside) |
| ``deny`` | proto, src/dst if/ip/port, acl | TRAFFIC ``deny`` (rule ``interzone-default`` for SYN-only denies) |
| ``acl_log`` | acl, verdict, proto, src/dst if/ip/port | TRAFFIC ``start`` (allow) / ``deny`` |
| ``shun_drop`` | src_ip, dst_ip | TRAFFIC ``drop`` by the ``block-list`` rule |
| ``vpn_auth`` | ok, user, ip, reason | GLOBALPROTECT ``gateway-auth`` success / failure |
| ``vpn_start`` / ``vpn_end`` | user, ip, assigned / duration | GLOBALPROTECT ``gateway-connected`` / ``gateway-logout`` |
| ``admin_login`` / ``admin_logout`` | user, ip | SYSTEM ``auth-success`` / ``general`` "logged out" |
| ``admin_command`` | user, command | CONFIG ``set`` (``write memory`` → ``commit``), the command as path |
| ``link`` | interface, state, admin | SYSTEM ``link-change`` "Port ethernet1/N: Up/Down" |

``link`` events with ``admin`` set are not rendered: PAN-OS logs the port state change, not the
administrative command (which is a CONFIG record of the admin session). Bytes of a connection are
split 30 % sent / 70 % received; NAT ports keep the real ports.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from seclake.demo.events import MONTHS, Event, Line, LocalClock, render_in_time_order
from seclake.demo.orgs import Org

FORMAT = "panos"
KINDS = frozenset(
    {
        "conn",
        "deny",
        "acl_log",
        "shun_drop",
        "vpn_auth",
        "vpn_start",
        "vpn_end",
        "admin_login",
        "admin_logout",
        "admin_command",
        "link",
    }
)
"""Neutral event kinds this writer renders (the generator routes events by kind)."""

PRI_USER_INFO = 14
TRAFFIC_FIELDS = 115
SERIAL_DIGITS = 12
SENT_SHARE = 0.3


def _csv(values: dict[int, object], length: int) -> str:
    """A CSV record of ``length`` fields: ``values`` by position, the rest empty; quoted as needed."""
    fields = [""] * length
    for position, value in values.items():
        text = "" if value is None else str(value)
        if "," in text or '"' in text:
            text = '"' + text.replace('"', '""') + '"'
        fields[position] = text
    return ",".join(fields)


class _Firewall:
    """Renders one organisation's PAN-OS firewall: header, session ids, sequence numbers."""

    def __init__(self, org: Org, rng: random.Random) -> None:
        self.org = org
        self.clock = LocalClock(org.timezone)
        self.serial = "".join(str(rng.randrange(10)) for _ in range(SERIAL_DIGITS))
        self.session = rng.randrange(10_000, 900_000)
        self.seqno = rng.randrange(1_000_000, 9_000_000)
        self.ports = {i.name: org.link_name(i.name) for i in org.interfaces}

    def local(self, t: float) -> str:
        wall = self.clock.wall(t)
        return (
            f"{wall.tm_year}/{wall.tm_mon:02d}/{wall.tm_mday:02d} "
            f"{wall.tm_hour:02d}:{wall.tm_min:02d}:{wall.tm_sec:02d}"
        )

    def iso(self, t: float) -> str:
        wall, offset = self.clock.wall(t), self.clock.offset(t)
        sign, minutes = ("+" if offset >= 0 else "-"), abs(offset) // 60
        millis = int(t * 1000) % 1000
        return (
            f"{wall.tm_year}-{wall.tm_mon:02d}-{wall.tm_mday:02d}T{wall.tm_hour:02d}:{wall.tm_min:02d}:"
            f"{wall.tm_sec:02d}.{millis:03d}{sign}{minutes // 60:02d}:{minutes % 60:02d}"
        )

    def line(
        self, t: float, log_type: str, subtype: str, values: dict[int, object], length: int, tag: str | None
    ) -> Line:
        wall = self.clock.wall(t)
        self.seqno += 1
        header = (
            f"<{PRI_USER_INFO}>{MONTHS[wall.tm_mon - 1]} {wall.tm_mday:2d} "
            f"{wall.tm_hour:02d}:{wall.tm_min:02d}:{wall.tm_sec:02d} {self.org.firewall} "
        )
        common = {0: 1, 1: self.local(t), 2: self.serial, 3: log_type, 4: subtype, 5: 0, 6: self.local(t)}
        return Line(t, header + _csv(common | values, length), tag)

    def traffic(
        self, t: float, subtype: str, d: dict, *, action: str, rule: str, start: float, tag: str | None
    ) -> Line:
        """A TRAFFIC record of the session in ``d`` (src/dst if/ip/port, proto, optional NAT, bytes)."""
        self.session += 1
        nat_src = d.get("nat_src") or ("0.0.0.0", 0)
        nat_dst = d.get("nat_dst") or ("0.0.0.0", 0)
        total = int(d.get("bytes", 0))
        sent = int(total * SENT_SHARE)
        values = {
            7: d["src_ip"],
            8: d["dst_ip"],
            9: nat_src[0],
            10: nat_dst[0],
            11: rule,
            12: f"{self.org.domain}\\{d['user']}" if d.get("user") else None,
            14: "incomplete" if total == 0 else "ssl" if d.get("dst_port") == 443 else "not-applicable",
            15: "vsys1",
            16: d["src_if"],
            17: d["dst_if"],
            18: self.ports[d["src_if"]],
            19: self.ports[d["dst_if"]] if subtype != "deny" else None,
            20: "default",
            21: self.local(t),
            22: self.session if subtype != "deny" else 0,
            23: 1,
            24: d.get("src_port", 0),
            25: d.get("dst_port", 0),
            26: nat_src[1],
            27: nat_dst[1],
            28: "0x400064" if subtype == "end" else "0x0",
            29: d.get("proto", "tcp"),
            30: action,
            31: total if subtype == "end" else max(total, 60),
            32: sent if subtype == "end" else max(total, 60),
            33: total - sent if subtype == "end" else 0,
            34: max(1, total // 900) if subtype == "end" else 1,
            35: self.local(start),
            36: int(t - start),
            37: "any",
            39: self.seqno,
            40: "0x0",
            41: "10.0.0.0-10.255.255.255",
            42: "10.0.0.0-10.255.255.255",
            44: 1,
            45: 0,
            46: "tcp-fin" if subtype == "end" else "policy-deny" if action != "allow" else "n/a",
            52: self.org.firewall,
            53: "from-policy",
            102: self.iso(t),
        }
        return self.line(t, "TRAFFIC", subtype, values, TRAFFIC_FIELDS, tag)

    def globalprotect(self, t: float, eventid: str, d: dict, *, ok: bool, tag: str | None) -> Line:
        values = {
            7: "vsys1",
            8: eventid,
            9: "login" if eventid.endswith("auth") else "tunnel",
            10: "LDAP",
            11: "SSL",
            12: d["user"],
            15: d["ip"],
            17: d.get("assigned") or "0.0.0.0",
            24: 1,
            25: d.get("reason") if not ok else None,
            27: "Authentication failed: Invalid username or password" if not ok else None,
            28: "success" if ok else "failure",
            30: int(d.get("duration", 0)),
            31: "user-logon",
            33: "GP-Portal",
            34: self.seqno,
            35: "0x0",
            36: self.iso(t),
            41: "GP-Gateway",
            47: self.org.firewall,
        }
        return self.line(t, "GLOBALPROTECT", "0", values, 49, tag)

    def system(
        self, t: float, subtype: str, eventid: str, obj: str | None, description: str, tag: str | None
    ) -> Line:
        values = {
            8: eventid,
            9: obj,
            10: 0,
            11: 0,
            12: "general",
            13: "informational" if eventid != "link-change" else "critical",
            14: description,
            15: self.seqno,
            16: "0x0",
            22: self.org.firewall,
        }
        return self.line(t, "SYSTEM", subtype, values, 26, tag)

    def config(self, t: float, d: dict, tag: str | None) -> Line:
        command = d["command"]
        verb = "commit" if command.startswith("write") else "set"
        values = {
            7: self.org.host(self.org.admin_host).ip,
            8: "vsys1",
            9: verb,
            10: d["user"],
            11: "CLI",
            12: "Succeeded" if verb == "commit" else "Submitted",
            13: None if verb == "commit" else command,
            14: self.seqno,
            15: "0x0",
            21: self.org.firewall,
        }
        return self.line(t, "CONFIG", "0", values, 25, tag)

    def render(self, event: Event) -> list[Line]:
        kind, d, t, tag = event.kind, event.data, event.time, event.tag
        if kind == "conn":
            end = t + d["duration"]
            return [
                self.traffic(
                    end, "end", d, action="allow", rule=f"{d['src_if']}-to-{d['dst_if']}", start=t, tag=tag
                )
            ]
        if kind == "deny":
            rule = "interzone-default" if d.get("style") == "syn" else d.get("acl", "deny-all")
            return [self.traffic(t, "deny", d, action="deny", rule=rule, start=t, tag=tag)]
        if kind == "acl_log":
            allowed = d["verdict"] == "permitted"
            subtype, action = ("start", "allow") if allowed else ("deny", "deny")
            return [self.traffic(t, subtype, d, action=action, rule=d["acl"], start=t, tag=tag)]
        if kind == "shun_drop":
            blocked = {"src_if": "outside", "dst_if": "outside", "src_ip": d["src_ip"], "dst_ip": d["dst_ip"]}
            return [self.traffic(t, "drop", blocked, action="drop", rule="block-list", start=t, tag=tag)]
        if kind == "vpn_auth":
            return [self.globalprotect(t, "gateway-auth", d, ok=d["ok"], tag=tag)]
        if kind == "vpn_start":
            return [self.globalprotect(t, "gateway-connected", d, ok=True, tag=tag)]
        if kind == "vpn_end":
            return [self.globalprotect(t, "gateway-logout", d, ok=True, tag=tag)]
        if kind == "admin_login":
            description = (
                f"authenticated for user '{d['user']}'.   auth profile 'local', vsys 'shared', "
                f"server profile '', server type 'None', From: {d['ip']}."
            )
            return [self.system(t, "auth", "auth-success", None, description, tag)]
        if kind == "admin_logout":
            return [self.system(t, "general", "general", None, f"User {d['user']} logged out via CLI", tag)]
        if kind == "admin_command":
            return [self.config(t, d, tag)]
        if kind == "link" and not d.get("admin"):
            port = self.ports[d["interface"]]
            state = "Up 1Gb/s-full duplex" if d["state"] == "up" else "Down"
            return [self.system(t, "port", "link-change", port, f"Port {port}: {state}", tag)]
        return []


def render(events: Iterable[Event], org: Org, rng: random.Random) -> list[Line]:
    """Every line the org's PAN-OS firewall writes for ``events`` (any order in; lines unsorted out)."""
    return render_in_time_order(_Firewall(org, rng), events, KINDS)
