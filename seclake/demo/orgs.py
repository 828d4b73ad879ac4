"""The demo organisations: who they are, their firewall, servers, workstations and users.

Four small organisations in different regions and timezones, each with the same shape of
network (so the background and scenarios can be written once):

- ``outside`` (security 0): the internet link; the firewall's own public address does PAT for
  the inside networks and terminates AnyConnect VPN;
- ``inside`` (100): staff workstations;
- ``servers`` (90): the domain controller (DNS, LDAP, Kerberos, RADIUS for the VPN) and the
  Samba file server;
- ``dmz`` (50): the web and mail servers, published on their own static public addresses.

Each organisation logs through its own products (``Org.sources``): a perimeter firewall, an
anti-virus product on every host, and host firewalls on some servers. Every device forwards its
logs to one collector per organisation, one file per source and day.
Public addresses are ordinary routable-looking addresses so that address-range rules classify
them as internet; they are text in a demo file, nothing is ever sent to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_interface


@dataclass(frozen=True)
class Service:
    """A network service an asset offers."""

    name: str
    port: int
    protocol: str = "tcp"


@dataclass(frozen=True)
class Interface:
    """A firewall interface: ASA ``nameif``, hardware port, security level, address, network."""

    name: str
    hardware: str
    security: int
    ip: str
    network: str


@dataclass(frozen=True)
class Host:
    """A server or workstation behind the firewall."""

    name: str
    ip: str
    interface: str
    kind: str
    criticality: str
    services: tuple[Service, ...] = ()
    user: str | None = None
    public_ip: str | None = None


@dataclass(frozen=True)
class LogSource:
    """One log source of an organisation: its id in seclake.yaml, the format its demo writer
    writes, and for a host firewall the host whose own log it is."""

    id: str
    format: str
    host: str | None = None


PERIMETER = "fw"
ANTIVIRUS = "av"
"""Source ids of the perimeter firewall and the anti-virus product."""


@dataclass(frozen=True)
class Org:
    """One demo organisation and its inventory."""

    id: str
    name: str
    region: str
    timezone: str
    domain: str
    firewall: str
    interfaces: tuple[Interface, ...]
    hosts: tuple[Host, ...]
    vpn_users: tuple[str, ...]
    vpn_pool: str
    admin: str
    admin_host: str
    weekday_fw_lines: int
    sources: tuple[LogSource, ...]

    def interface(self, name: str) -> Interface:
        """The firewall interface called ``name``."""
        return next(i for i in self.interfaces if i.name == name)

    def link_name(self, name: str) -> str:
        """What the org's firewall calls interface ``name`` in its logs (and so the inventory):
        the ``nameif`` on Cisco ASA and FortiGate (interfaces named after their role), the
        hardware port on PAN-OS (``ethernet1/<port + 1>``) and pfSense (``igb<port>``)."""
        firewall = next(s.format for s in self.sources if s.id == PERIMETER)
        port = int(self.interface(name).hardware.rsplit("/", 1)[1])
        return {"panos": f"ethernet1/{port + 1}", "pfsense_filterlog": f"igb{port}"}.get(firewall, name)

    def host(self, name: str) -> Host:
        """The host called ``name``."""
        return next(h for h in self.hosts if h.name == name)

    @property
    def public_ip(self) -> str:
        """The firewall's outside address (PAT and VPN)."""
        return self.interface("outside").ip

    @property
    def workstations(self) -> tuple[Host, ...]:
        return tuple(h for h in self.hosts if h.kind == "workstation")

    @property
    def servers(self) -> tuple[Host, ...]:
        return tuple(h for h in self.hosts if h.kind == "server")


WEB = (Service("https", 443), Service("http", 80))
MAIL = (Service("smtp", 25), Service("submission", 587), Service("imaps", 993))
DC = (
    Service("dns", 53, "udp"),
    Service("kerberos", 88),
    Service("ldap", 389),
    Service("radius", 1812, "udp"),
)
FILES = (Service("smb", 445), Service("rdp", 3389))
FIREWALL_SERVICES = (Service("anyconnect-vpn", 443), Service("anyconnect-dtls", 443, "udp"))


def _network(
    *,
    prefix: str,
    dmz: str,
    public: tuple[str, str, str],
    departments: tuple[tuple[str, int], ...],
    users: tuple[str, ...],
) -> tuple[tuple[Interface, ...], tuple[Host, ...]]:
    """Interfaces and hosts of the common network shape, from an org's address plan."""
    fw_public, web_public, mail_public = public
    interfaces = (
        Interface(
            "outside", "GigabitEthernet0/0", 0, fw_public, str(ip_interface(f"{fw_public}/29").network)
        ),
        Interface("inside", "GigabitEthernet0/1", 100, f"{prefix}.1.1", f"{prefix}.1.0/24"),
        Interface("servers", "GigabitEthernet0/2", 90, f"{prefix}.2.1", f"{prefix}.2.0/24"),
        Interface("dmz", "GigabitEthernet0/3", 50, f"{dmz}.1", f"{dmz}.0/24"),
    )
    servers = (
        Host("web01", f"{dmz}.10", "dmz", "server", "high", WEB, public_ip=web_public),
        Host("mail01", f"{dmz}.11", "dmz", "server", "high", MAIL, public_ip=mail_public),
        Host("dc01", f"{prefix}.2.10", "servers", "server", "critical", DC),
        Host("fs01", f"{prefix}.2.11", "servers", "server", "high", FILES),
    )
    workstations = []
    index = 0
    for department, count in departments:
        for number in range(1, count + 1):
            workstations.append(
                Host(
                    f"{department}-pc-{number:02d}",
                    f"{prefix}.1.{21 + index}",
                    "inside",
                    "workstation",
                    "medium" if department in ("it", "fin", "ptnr") else "low",
                    user=users[index % len(users)],
                )
            )
            index += 1
    return interfaces, servers + tuple(workstations)


def _org(
    *,
    id: str,
    name: str,
    region: str,
    timezone: str,
    domain: str,
    firewall: str,
    prefix: str,
    dmz: str,
    public: tuple[str, str, str],
    departments: tuple[tuple[str, int], ...],
    users: tuple[str, ...],
    vpn_users: int,
    weekday_fw_lines: int,
    firewall_format: str,
    av_format: str,
    host_firewalls: tuple[tuple[str, str], ...] = (),
) -> Org:
    interfaces, hosts = _network(prefix=prefix, dmz=dmz, public=public, departments=departments, users=users)
    staff = tuple(h for h in hosts if h.kind == "workstation")
    admin_host = next(h for h in staff if h.name.startswith("it-"))
    return Org(
        id=id,
        name=name,
        region=region,
        timezone=timezone,
        domain=domain,
        firewall=firewall,
        interfaces=interfaces,
        hosts=hosts,
        vpn_users=tuple(h.user for h in staff[1 : 1 + vpn_users]),
        vpn_pool=f"{prefix}.99",
        admin="netadmin",
        admin_host=admin_host.name,
        weekday_fw_lines=weekday_fw_lines,
        sources=(
            LogSource(PERIMETER, firewall_format),
            LogSource(ANTIVIRUS, av_format),
            *(LogSource(f"{host}-fw", fmt, host) for host, fmt in host_firewalls),
        ),
    )


ORGANISATIONS: tuple[Org, ...] = (
    _org(
        id="saigon-trading",
        name="Saigon Trading JSC",
        region="VN",
        timezone="Asia/Ho_Chi_Minh",
        domain="sgtrading.local",
        firewall="fw-sgt",
        prefix="10.10",
        dmz="172.16.10",
        public=("113.161.52.34", "113.161.52.35", "113.161.52.36"),
        departments=(("it", 2), ("fin", 6), ("sales", 10), ("ops", 6)),
        users=(
            "nguyen.an",
            "tran.binh",
            "le.chi",
            "pham.dung",
            "hoang.giang",
            "vu.hanh",
            "dang.hieu",
            "bui.khanh",
            "do.lan",
            "ho.minh",
            "ngo.nam",
            "duong.oanh",
            "ly.phuc",
            "mai.quang",
            "truong.son",
            "dinh.thao",
            "lam.tuan",
            "phan.uyen",
            "vo.viet",
            "cao.xuan",
            "ta.yen",
            "luu.bao",
            "trinh.cuong",
            "kieu.diep",
        ),
        vpn_users=4,
        weekday_fw_lines=17000,
        firewall_format="cisco_asa",
        av_format="clamav",
        host_firewalls=(("web01", "iptables"),),
    ),
    _org(
        id="merlion-clinic",
        name="Merlion Family Clinic Pte. Ltd.",
        region="SG",
        timezone="Asia/Singapore",
        domain="merlionclinic.local",
        firewall="fw-mfc",
        prefix="10.20",
        dmz="172.16.20",
        public=("119.73.140.66", "119.73.140.67", "119.73.140.68"),
        departments=(("it", 1), ("rcp", 4), ("dr", 6), ("adm", 5)),
        users=(
            "tan.weiming",
            "lim.meiling",
            "ng.kokwah",
            "wong.huiyi",
            "lee.junjie",
            "goh.shuqi",
            "chua.beng",
            "ong.xinyi",
            "teo.kelvin",
            "koh.sarah",
            "raj.kumar",
            "siti.aishah",
            "chen.jiahui",
            "low.darren",
            "yeo.grace",
            "pang.eric",
        ),
        vpn_users=3,
        weekday_fw_lines=14000,
        firewall_format="fortigate",
        av_format="sophos_av",
    ),
    _org(
        id="thames-accounting",
        name="Thames Accounting LLP",
        region="GB",
        timezone="Europe/London",
        domain="thamesacc.local",
        firewall="fw-tha",
        prefix="10.30",
        dmz="172.16.30",
        public=("81.149.20.114", "81.149.20.115", "81.149.20.116"),
        departments=(("it", 1), ("ptnr", 3), ("acct", 8), ("audit", 4)),
        users=(
            "j.smith",
            "a.patel",
            "r.jones",
            "e.williams",
            "m.brown",
            "s.taylor",
            "d.davies",
            "l.evans",
            "k.thomas",
            "h.roberts",
            "c.walker",
            "p.wright",
            "n.hughes",
            "o.green",
            "t.hall",
            "b.wood",
        ),
        vpn_users=4,
        weekday_fw_lines=11000,
        firewall_format="panos",
        av_format="defender",
        host_firewalls=(("fs01", "windows_firewall"),),
    ),
    _org(
        id="harbour-dental",
        name="Harbour Dental Ltd",
        region="NZ",
        timezone="Pacific/Auckland",
        domain="harbourdental.local",
        firewall="fw-hbd",
        prefix="10.40",
        dmz="172.16.40",
        public=("202.36.75.10", "202.36.75.11", "202.36.75.12"),
        departments=(("it", 1), ("rcp", 3), ("dent", 6)),
        users=(
            "aroha.ngata",
            "liam.walker",
            "mere.tipene",
            "oliver.brown",
            "ana.fifita",
            "jack.wilson",
            "hana.parata",
            "noah.smith",
            "sione.taufa",
            "emma.clark",
        ),
        vpn_users=2,
        weekday_fw_lines=6000,
        firewall_format="pfsense_filterlog",
        av_format="clamav",
    ),
)
"""The demo organisations, in the order the demo lists them."""
