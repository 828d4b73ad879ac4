"""FortiGate (FortiOS 7.x) key=value writer for the demo: neutral firewall events → FortiGate lines.

Shapes follow ``../shared/formats/fortigate.md`` and the corpus: no syslog header, 7.x quoting
(strings quoted, numbers and IPs bare), ``date``/``time`` in the device's local time with ``tz``
and ``eventtime`` in nanoseconds. Interfaces keep the org's interface names (FortiGate zones);
``outside`` has the role ``wan``, ``dmz`` the role ``dmz``, the others ``lan``.

Event kinds rendered (fields in ``Event.data``):

| kind | logid | line |
|---|---|---|
| ``conn`` | 0000000013 | traffic/forward ``close`` (tcp) or ``accept`` (udp), written at the session end, with duration, bytes (split 1:3 sent:received), NAT |
| ``deny`` / ``acl_log`` (denied) / ``shun_drop`` | 0000000013 | traffic/forward ``deny`` (policy 0 for shun drops); ``acl_log`` permitted → ``accept`` |
| ``vpn_auth`` | 0102043008 / 0101039426 | user authentication success / SSL VPN login fail |
| ``vpn_start`` / ``vpn_end`` | 0101039947 / 0101039948 | SSL VPN tunnel up / down |
| ``admin_login`` / ``admin_logout`` | 0100032001 / 0100032003 | admin login / logout over ssh |
| ``admin_command`` | 0100044546 | attribute configured (the command in ``cfgattr``) |
| ``link`` | 0100020090 (line) / 0100044547 (admin) | interface link status up/down; an administrative change is a configuration line |

Anti-virus kinds (``av_*``) are endpoint events: FortiGate does not log them.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from seclake.demo.events import Event, Line, LocalClock, day_fields, hms
from seclake.demo.orgs import Org

FORMAT = "fortigate"
KINDS = frozenset(
    {"conn", "deny", "acl_log", "shun_drop", "vpn_auth", "vpn_start", "vpn_end", "admin_login",
     "admin_logout", "admin_command", "link"}
)  # fmt: skip
"""Neutral event kinds this writer renders (the generator routes events by kind)."""

_ROLES = {"outside": "wan", "dmz": "dmz"}
_PROTO = {"tcp": 6, "udp": 17, "icmp": 1}


class _Device:
    def __init__(self, org: Org, rng: random.Random) -> None:
        self.org = org
        self.clock = LocalClock(org.timezone)
        self.rng = rng
        self.session = rng.randrange(100_000, 3_000_000)
        self.serial = f"FG100F{rng.randrange(10**9):09d}"

    def head(self, t: float, logid: str, kind: str, subtype: str, level: str) -> str:
        day, second = self.clock.split(t)
        f = day_fields(day)
        offset = self.clock.offset(t) // 60
        tz = f"{'+' if offset >= 0 else '-'}{abs(offset) // 60:02d}{abs(offset) % 60:02d}"
        nanos = int(t * 1_000_000) * 1000
        return (
            f'date={f.tm_year:04d}-{f.tm_mon:02d}-{f.tm_mday:02d} time={hms(second)} devname="{self.org.firewall}" '
            f'devid="{self.serial}" eventtime={nanos} tz="{tz}" logid="{logid}" type="{kind}" '
            f'subtype="{subtype}" level="{level}" vd="root"'
        )

    def traffic(self, t: float, d: dict, action: str, policy: int, extra: str = "") -> str:
        self.session += 1
        src_if, dst_if = d.get("src_if", "outside"), d.get("dst_if", "inside")
        proto = d.get("proto", "tcp")
        user = f' user="{d["user"]}"' if d.get("user") else ""
        return (
            self.head(t, "0000000013", "traffic", "forward", "notice")
            + f' srcip={d["src_ip"]} srcport={d.get("src_port", 0)} srcintf="{src_if}"'
            f' srcintfrole="{_ROLES.get(src_if, "lan")}" dstip={d["dst_ip"]} dstport={d.get("dst_port", 0)}'
            f' dstintf="{dst_if}" dstintfrole="{_ROLES.get(dst_if, "lan")}" sessionid={self.session}'
            f' proto={_PROTO.get(proto, 6)} action="{action}" policyid={policy} policytype="policy"{user}{extra}'
        )

    def render(self, event: Event) -> list[tuple[float, str]]:
        t, d, kind = event.time, event.data, event.kind
        if kind == "conn":
            end = t + d["duration"]
            sent = d["bytes"] // 4
            nat = ""
            if d.get("nat_src"):
                nat = f' trandisp="snat" transip={d["nat_src"][0]} transport={d["nat_src"][1]}'
            elif d.get("nat_dst"):
                nat = f' trandisp="dnat" tranip={d["nat_dst"][0]} tranport={d["nat_dst"][1]}'
            action = "close" if d["proto"] == "tcp" else "accept"
            extra = f"{nat} duration={int(d['duration'])} sentbyte={sent} rcvdbyte={d['bytes'] - sent}"
            return [(end, self.traffic(end, d, action, 1, extra))]
        if kind in ("deny", "shun_drop") or (kind == "acl_log" and d.get("verdict") != "permitted"):
            return [
                (t, self.traffic(t, d, "deny", 0 if kind == "shun_drop" else 2, " sentbyte=0 rcvdbyte=0"))
            ]
        if kind == "acl_log":
            return [(t, self.traffic(t, d, "accept", 2))]
        if kind == "vpn_auth":
            if d["ok"]:
                body = (
                    f' logdesc="Authentication success" srcip={d["ip"]} user="{d["user"]}" group="SSL_VPN"'
                    ' authproto="SSL-VPN" action="authentication" status="success" msg="User authentication succeeded"'
                )
                return [(t, self.head(t, "0102043008", "event", "user", "notice") + body)]
            body = (
                f' logdesc="SSL VPN login fail" action="ssl-login-fail" tunneltype="ssl-web" tunnelid=0'
                f' remip={d["ip"]} user="{d["user"]}" group="N/A" reason="sslvpn_login_permission_denied"'
                ' msg="SSL user failed to logged in"'
            )
            return [(t, self.head(t, "0101039426", "event", "vpn", "alert") + body)]
        if kind in ("vpn_start", "vpn_end"):
            up = kind == "vpn_start"
            logid, desc, action = (
                ("0101039947", "up", "tunnel-up") if up else ("0101039948", "down", "tunnel-down")
            )
            tail = (
                ""
                if up
                else f" duration={int(d['duration'])} sentbyte={d['bytes_xmt']} rcvdbyte={d['bytes_rcv']}"
            )
            tunnel_ip = d.get("assigned", "N/A") if up else "N/A"
            body = (
                f' logdesc="SSL VPN tunnel {desc}" action="{action}" tunneltype="ssl-tunnel" tunnelid={self.session}'
                f' remip={d["ip"]} tunnelip={tunnel_ip} user="{d["user"]}" group="{d.get("group", "SSL_VPN")}"{tail}'
            )
            return [(t, self.head(t, logid, "event", "vpn", "information") + body)]
        if kind in ("admin_login", "admin_logout"):
            login = kind == "admin_login"
            ip = d.get("ip") or self.org.host(self.org.admin_host).ip
            logid, verb = ("0100032001", "login") if login else ("0100032003", "logout")
            body = (
                f' logdesc="Admin {verb} successful" user="{d["user"]}" ui="ssh({ip})" method="ssh"'
                f' srcip={ip} action="{verb}" status="success" msg="Administrator {d["user"]} {verb}"'
            )
            return [(t, self.head(t, logid, "event", "system", "information") + body)]
        if kind == "admin_command":
            command = d["command"].replace("\\", "\\\\").replace('"', '\\"')
            body = (
                f' logdesc="Attribute configured" user="{d["user"]}" ui="ssh" action="Edit"'
                f' cfgpath="system.console" cfgattr="{command}" msg="Edit system.console"'
            )
            return [(t, self.head(t, "0100044546", "event", "system", "information") + body)]
        if kind == "link":
            name = d["interface"]
            if d["admin"]:
                body = (
                    f' logdesc="Object attribute configured" user="{self.org.admin}" ui="ssh" action="Edit"'
                    f' cfgpath="system.interface" cfgobj="{name}" cfgattr="status[{"down" if d["state"] == "up" else "up"}->{d["state"]}]"'
                    f' msg="Edit system.interface {name}"'
                )
                return [(t, self.head(t, "0100044547", "event", "system", "information") + body)]
            state = d["state"].upper()
            body = (
                f' logdesc="Interface link status changed" action="interface-stat-change" intf="{name}"'
                f' status="{state}" msg="Link monitor: Interface {name} was turned {d["state"]}"'
            )
            return [(t, self.head(t, "0100020090", "event", "system", "notice") + body)]
        return []


def render(events: Iterable[Event], org: Org, rng: random.Random) -> list[Line]:
    """Every line the org's FortiGate writes for ``events`` (any order in; lines unsorted out)."""
    device = _Device(org, rng)
    return [
        Line(t, text, event.tag)
        for event in sorted(events, key=lambda e: e.time)
        for t, text in device.render(event)
    ]
