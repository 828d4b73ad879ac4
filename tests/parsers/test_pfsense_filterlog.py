"""pfSense / OPNsense filterlog parser: the shared corpus (accounting, hand-checked values, golden
files), synthetic records for IPv4/IPv6 x TCP/UDP/ICMP/other, both syslog forms in one file,
other programs' lines, quarantine reasons, direction, and the demo writer's lines parsed back."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from seclake.demo import pfsense as writer
from seclake.demo.events import Event
from seclake.demo.orgs import ORGANISATIONS
from seclake.parsers import pfsense_filterlog as pf
from seclake.parsers.contract import ParseContext
from tests.corpus import corpus_files, corpus_lines
from tests.parsers.checks import (
    check,
    check_every_line_is_an_event,
    events,
    events_by_line,
    name,
    one,
    parse_lines,
    utc,
)
from tests.parsers.golden import check_golden

CTX = ParseContext(org="acme", source="fw", date=dt.date(2022, 1, 1), timezone="UTC")
FILES = corpus_files("pfsense_filterlog")
H3164 = "<134>Nov  8 12:37:34 pfSense filterlog[1234]: "
H5424 = '<134>1 2022-06-09T14:44:11-06:00 OPNsense.example.com filterlog 76404 - [meta sequenceId="1"] '


@pytest.mark.parametrize("path", FILES, ids=name)
def test_every_corpus_line_becomes_an_event(path: Path) -> None:
    check_every_line_is_an_event(pf, path, CTX)


@pytest.mark.parametrize("path", FILES, ids=name)
def test_golden(path: Path, update_golden: bool) -> None:
    check_golden(pf.parse(corpus_lines(path), CTX), "pfsense_filterlog", name(path), update_golden)


HAND_CHECKED: dict[tuple[str, int], dict[str, Any]] = {
    ("test-opensense.log", 1): {
        "time": utc("2022-01-01 02:21:38"), "action": "drop", "vendor_action": "block", "src_ip": "10.170.12.50",
        "src_port": 49724, "dst_ip": "175.16.199.1", "dst_port": 853, "protocol": "tcp", "rule_name": "1535324496",
        "src_zone": "igb1.12", "direction": "outbound", "bytes_out": 60, "device": "firewall.opnsense.net",
        "product": "OPNsense", "extra.tcp_flags": "S", "extra.rule_number": "146",
    },
    ("test-opensense.log", 2): {
        "time": utc("2021-12-31 22:02:55"), "action": "drop", "src_ip": "fe80::208:9bff:fef3:652b",
        "dst_ip": "ff02::1:2", "src_port": 546, "dst_port": 547, "protocol": "udp", "bytes_out": 32,
        "direction": "internal", "extra.ip_version": "6", "extra.ttl": "1",
    },
    ("test-opensense.log", 3): {
        "event_class": "system", "action": "other", "message_id": "dhcpd", "extra.pid": "40152",
        "message": "DHCPDISCOVER from 4c:55:41:a0:fa:99 via eth0.60", "time": utc("2021-12-31 22:06:16"),
    },
    ("test-opensense.log", 4): {"message_id": "unbound", "message": "[26931:0] info: 192.168.1.1 api.opensubtitles.org. A IN"},
    ("test-opensense.log", 5): {
        "time": utc("2022-06-09 20:44:11"), "action": "allow", "vendor_action": "pass", "src_ip": "192.168.1.1",
        "src_port": 40370, "dst_ip": "10.10.10.10", "dst_port": 80, "rule_name": "fae559338f65e11c53669fc3642c93c2",
        "src_zone": "ixl1_vlan70", "extra.pf_direction": "out", "device": "OPNsense.example.com",
    },
    ("pfsense.ini", 1): {
        "time": utc("2022-01-22 18:34:00"), "action": "allow", "protocol": "icmp", "src_ip": "192.168.105.11",
        "dst_ip": "192.168.105.1", "src_port": None, "rule_name": "0", "src_zone": "vmx1", "device": None,
        "extra.data_length": "36", "extra.icmp_type": None, "product": "pfSense", "vendor": "Netgate",
    },
    ("pfsense.ini", 2): {
        "time": utc("2021-11-08 12:37:34"), "action": "drop", "protocol": "udp", "src_ip": "10.9.0.119",
        "src_port": 17500, "dst_ip": "10.9.0.255", "dst_port": 17600, "rule_name": "1000102433", "device": "pfSense",
        "bytes_out": 186, "packets": 1,
    },
}  # fmt: skip


def test_hand_checked_corpus_values() -> None:
    by_name = {p.name: p for p in FILES}
    for (file, line), expected in HAND_CHECKED.items():
        check(events_by_line(pf, by_name[file], CTX)[line], expected)


def test_sniff() -> None:
    lines = pl.Series(
        [
            H3164
            + "5,,,1000102433,em0,match,block,in,4,0x0,,128,24677,0,none,17,udp,186,10.9.0.119,10.9.0.255,1,2,3",
            H5424
            + "124,,,fae559338f65e11c53669fc3642c93c2,ixl1_vlan70,match,pass,out,4,0x0,,63,5687,0,DF,6,tcp",
            "Jan 22 18:34:00 filterlog: 65,,,0,vmx1,match,pass,out,4,0x0,,63,21011,0,none,1,icmp,56,1.1.1.1,2.2.2.2",
            "<190>Dec 31 22:06:16 firewall.opnsense.net dhcpd[40152]: DHCPDISCOVER from 4c:55:41:a0:fa:99 via eth0.60",
            "<14>Sep 20 13:03:58 PA-VM 1,2018/09/20 13:03:58,44A1B3FC68F5304,TRAFFIC,end,2049,x",
            "<166>Nov 20 2022 02:32:35 ciscoasa : %ASA-6-302013: Built outbound TCP connection 1",
            None,
        ]
    )
    assert pf.sniff(lines).to_list() == [True, True, True, False, False, False, False]


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ("5,,,1000000103,igb1,match,pass,in,4,0x0,,64,1,0,DF,6,tcp,60,10.0.0.5,198.51.100.7,50000,443,0,S,1,,64240,,mss",
         {"protocol": "tcp", "src_port": 50000, "dst_port": 443, "action": "allow", "extra.tcp_flags": "S", "direction": "outbound"}),
        ("5,,,1000000103,igb1,match,reject,in,4,0x0,,64,1,0,DF,6,tcp,60,10.0.0.5,198.51.100.7,50000,443,0,S,1,,64240,,mss",
         {"action": "reset", "vendor_action": "reject"}),
        ("5,,,1000000103,igb1,match,reject,in,4,0x0,,64,1,0,none,17,udp,76,10.0.0.5,198.51.100.7,5353,53,56",
         {"action": "deny", "protocol": "udp", "src_port": 5353, "dst_port": 53, "extra.data_length": "56"}),
        ("9,,,1000000003,igb0,match,block,in,4,0x0,,55,1,0,none,1,icmp,84,198.51.100.7,203.0.113.5,request,5,1",
         {"protocol": "icmp", "extra.icmp_type": "request", "src_port": None, "direction": "inbound", "action": "drop"}),
        ("9,,,1000000003,igb0,bad-offset,block,in,4,0x0,,55,1,0,none,47,gre,84,198.51.100.7,10.0.0.5",
         {"protocol": "gre", "extra.reason": "bad-offset", "direction": "inbound"}),
        ("9,,,1000000003,igb0,match,block,in,4,0x0,,55,1,0,none,50,,84,198.51.100.7,10.0.0.5",
         {"protocol": "esp"}),
        ("9,,,1000000003,igb1,match,block,in,6,0x00,0x00000,64,TCP,6,40,2001:db8::5,2001:DB8::7,50000,22,0,S,1,,64240,,mss",
         {"protocol": "tcp", "src_ip": "2001:db8::5", "dst_ip": "2001:db8::7", "src_port": 50000, "dst_port": 22}),
        ("9,,,1000000003,igb1,match,block,in,6,0x00,0x00000,255,ICMPv6,58,32,fe80::1,ff02::1,neighbor-solicitation",
         {"protocol": "ipv6-icmp", "extra.icmp_type": "neighbor-solicitation", "direction": "internal"}),
        ("7,,,1000000009,igb1,match,pass,out,4,0x10,,255,0,0,none,112,carp,56,10.0.0.2,224.0.0.18,advertise,255,1,2,0,1",
         {"protocol": "carp", "src_port": None, "direction": "internal"}),
        ("7,,,1000000009,igb1,match,nat,in,4,0x10,,255,0,0,none,17,udp,56,10.0.0.2,198.51.100.1,1,2,28",
         {"action": None, "vendor_action": "nat"}),
    ],
)  # fmt: skip
def test_records(record: str, expected: dict[str, Any]) -> None:
    ctx = ParseContext(org="acme", source="fw", date=dt.date(2021, 11, 8), options={"wan_interfaces": "igb0"})
    row = one(pf, H3164 + record, ctx)
    check(row, {"event_class": "network_activity", "message_id": "filterlog", "packets": 1, "device": "pfSense",
                 "time": utc("2021-11-08 12:37:34")} | expected)  # fmt: skip


def test_wan_interface_gives_the_direction() -> None:
    record = "9,,,1000000003,igb0,match,block,out,4,0x0,,55,1,0,none,17,udp,84,10.0.0.5,10.0.0.9,1,2,3"
    assert one(pf, H3164 + record, CTX)["direction"] == "internal"
    wan = ParseContext(
        org="acme", source="fw", date=dt.date(2021, 11, 8), options={"wan_interfaces": "pppoe0, igb0"}
    )
    assert one(pf, H3164 + record, wan)["direction"] == "outbound"


def test_both_syslog_forms_and_other_programs_in_one_file() -> None:
    ctx = ParseContext(org="acme", source="fw", date=dt.date(2022, 6, 9), timezone="America/Denver")
    result = parse_lines(
        pf,
        [
            H5424
            + "124,,,fae559338f65e11c53669fc3642c93c2,ixl1_vlan70,match,pass,out,4,0x0,,63,5687,0,DF,6,tcp,60,"
            "192.168.1.1,10.10.10.10,40370,80,0,S,3364871769,,65535,,mss",
            "<134>Jun  9 14:44:12 OPNsense.example.com filterlog[97530]: 146,,,1535324496,igb1.12,match,block,in,4,0x0,,"
            "63,12617,0,DF,17,udp,60,10.170.12.50,175.16.199.1,49724,53,40",
            "<38>1 2022-06-09T14:44:13-06:00 OPNsense.example.com sshd 555 - - Accepted publickey for root from 10.0.0.2",
            "<6>Jun  9 14:44:14 OPNsense.example.com kernel: igb1: link state changed to DOWN",
        ],
        ctx,
    )
    rows = events(result)
    check(
        rows[0],
        {"time": utc("2022-06-09 20:44:11"), "action": "allow", "dst_port": 80, "product": "OPNsense"},
    )
    check(rows[1], {"time": utc("2022-06-09 20:44:12"), "action": "drop", "dst_port": 53, "severity": "info"})
    check(rows[2], {"event_class": "system", "action": "other", "message_id": "sshd", "extra.pid": "555",
                     "message": "Accepted publickey for root from 10.0.0.2", "time": utc("2022-06-09 20:44:13")})  # fmt: skip
    check(rows[3], {"event_class": "system", "action": "down", "rule_name": "igb1", "vendor": "Deciso"})


def test_quarantine_reasons() -> None:
    result = parse_lines(
        pf,
        [
            H3164 + "5,,,1000,em0,match,block,in,5,0x0",
            H3164 + "5,,,1000,em0,match,block,in,4,0x0,,64,1,0,none,6,tcp",
            H3164 + "5,,,1000,em0,match,block,in,6,0x0,0x0,64,UDP,17",
            H3164 + "5,,,1000,em0,match,block,in,4,0x0,,64,1,0,none,6,tcp,60,10.0.0.1,10.0.0.2",
            "random text without a syslog header",
        ],
        CTX,
    )
    reasons = dict(
        zip(result.quarantine["raw_line"].to_list(), result.quarantine["reason"].to_list(), strict=True)
    )
    assert reasons == {
        1: pf.BAD_VERSION,
        2: pf.SHORT_IPV4,
        3: pf.SHORT_IPV6,
        4: pf.NO_PORTS,
        5: pf.NOT_SYSLOG,
    }
    assert result.events.height == 0


def test_demo_writer_lines_parse_back() -> None:
    org = ORGANISATIONS[3]  # Harbour Dental: a pfSense firewall (port names igbN)
    t = dt.datetime(2026, 11, 10, 3, 0, tzinfo=dt.UTC).timestamp()
    neutral = [
        Event(t, "conn", {"proto": "tcp", "src_if": "inside", "src_ip": "10.20.1.21", "src_port": 50123,
                          "dst_if": "outside", "dst_ip": "93.184.216.34", "dst_port": 443, "duration": 5, "bytes": 10}),
        Event(t + 1, "deny", {"style": "acl", "proto": "udp", "src_if": "outside", "src_ip": "45.1.2.3",
                              "src_port": 40000, "dst_if": "outside", "dst_ip": org.public_ip, "dst_port": 161}),
        Event(t + 2, "shun_drop", {"src_ip": "45.1.2.3", "dst_ip": org.public_ip}),
        Event(t + 3, "link", {"interface": "servers", "state": "down", "admin": False}),
        Event(t + 4, "vpn_auth", {"ok": True, "user": "bob", "ip": "45.1.2.3"}),
    ]  # fmt: skip
    lines = sorted(writer.render(neutral, org, random.Random(3)), key=lambda line: line.time)
    assert len(lines) == 4
    ctx = ParseContext(org=org.id, source="fw", date=dt.date(2026, 11, 10), timezone=org.timezone,
                       options={"wan_interfaces": "igb0"})  # fmt: skip
    rows = events(parse_lines(pf, [line.text for line in lines], ctx))
    for row, line in zip(rows, lines, strict=True):
        assert row["time"] == dt.datetime.fromtimestamp(int(line.time), dt.UTC)
        assert row["device"] == org.firewall
    check(rows[0], {"action": "allow", "src_ip": "10.20.1.21", "src_port": 50123, "dst_ip": "93.184.216.34",
                    "dst_port": 443, "protocol": "tcp", "src_zone": "igb1", "direction": "outbound"})  # fmt: skip
    check(rows[1], {"action": "drop", "src_ip": "45.1.2.3", "dst_port": 161, "protocol": "udp", "src_zone": "igb0",
                    "direction": "inbound"})  # fmt: skip
    check(rows[2], {"action": "drop", "rule_name": "1770001234", "dst_ip": org.public_ip})
    check(rows[3], {"event_class": "system", "action": "down", "rule_name": "igb2"})


def test_empty_frame() -> None:
    result = parse_lines(pf, [], CTX)
    assert (result.events.height, result.quarantine.height) == (0, 0)
