"""Linux netfilter parser: the corpus (accounting, hand-checked values, golden files), prefixes
(UFW, EdgeOS, firewalld, free text), cut lines, IPv6, direction, sniffing and the UFW demo writer."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import polars as pl
import pytest

from seclake.demo import iptables as writer
from seclake.demo.events import Event
from seclake.demo.orgs import ORGANISATIONS
from seclake.parsers import iptables
from seclake.parsers.contract import ParseContext
from tests.corpus import corpus_files, corpus_lines
from tests.parsers.checks import (
    CTX,
    check,
    check_corpus_values,
    check_every_line_is_an_event,
    events,
    name,
    one,
    parse_lines,
)
from tests.parsers.golden import check_golden

FILES = corpus_files("iptables")


@pytest.mark.parametrize("path", FILES, ids=name)
def test_every_corpus_line_is_an_event(path: Path) -> None:
    check_every_line_is_an_event(iptables, path)


@pytest.mark.parametrize("path", FILES, ids=name)
def test_golden(path: Path, update_golden: bool) -> None:
    check_golden(iptables.parse(corpus_lines(path), CTX), "iptables", name(path), update_golden)


HAND_CHECKED = {
    "test-iptables-raw.log": [
        (1, {"time": dt.datetime(2025, 10, 10, 7, 25, 12, tzinfo=dt.UTC), "src_ip": "67.43.156.15", "src_port": 38842,
             "dst_ip": "10.4.0.5", "dst_port": 443, "action": "drop", "vendor_action": "D",
             "rule_name": "wan-lan-default-D", "product": "EdgeOS", "device": "Hostname", "direction": "inbound",
             "severity": "critical", "extra.ruleset": "wan-lan", "extra.rule_number": "default"}),
        (2, {"time": dt.datetime(2021, 3, 12, 14, 10, 18, tzinfo=dt.UTC), "severity": "info", "src_zone": "eth0"}),
        (4, {"device": None, "rule_name": "DENY", "action": "deny", "protocol": "icmp", "src_ip": "192.168.2.71",
             "dst_ip": "192.168.2.83", "src_port": None, "extra.icmp_type": "3", "extra.icmp_code": "3",
             "extra.embedded_packet": "SRC=192.168.2.83 DST=192.168.173.191 LEN=60 TOS=0x00 PREC=0x00 TTL=54 ID=0 DF "
             "PROTO=UDP SPT=21458 DPT=62936 LEN=40"}),
        (5, {"rule_name": "iptables DROP_INPUT", "action": "drop", "src_ip": "81.2.69.143", "dst_port": 445,
             "bytes_out": 52, "packets": 1, "extra.tcp_flags": "SYN", "device": "example-host"}),
        (15, {"src_ip": "2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6", "protocol": "ipv6-icmp", "direction": "internal",
              "dst_zone": "lo", "action": None, "rule_name": None, "extra.uptime": "16571.459614"}),
        (16, {"src_ip": "fe80::84:88ff:feae:790a", "dst_ip": "ff02::16", "direction": "outbound",
              "extra.path": "output", "extra.mark": "0xd4"}),
        (18, {"rule_name": "WAN_OUT-2000-A", "action": "allow", "extra.path": "forward", "direction": "internal",
              "src_zone": "eth0", "dst_zone": "eth2", "extra.tcp_flags": "ACK PSH"}),
        (22, {"protocol": "esp", "src_port": None, "action": None, "device": "firewall"}),
        (23, {"time": dt.datetime(2026, 6, 28, 4, 35, 30, tzinfo=dt.UTC), "device": "Abc-A1",
              "rule_name": "SOMETHING-1234-A", "action": "allow", "src_port": 9000, "protocol": "udp"}),
    ],
    "test-ubiquiti.log": [
        (1, {"rule_name": "LAN_LOCAL-default-A", "action": "allow", "src_ip": "192.168.48.137", "dst_ip": "81.2.69.143",
             "dst_port": 48689, "src_zone": "eth0.90", "direction": "inbound", "bytes_total": 540}),
        (3, {"rule_name": "source-dest-default-D", "action": "drop", "dst_port": 1443}),
        (6, {"extra.truncated": "true", "src_ip": None, "src_port": 59344, "dst_port": 443, "protocol": "tcp",
             "extra.ttl": "126", "device": "My-Office-Gateway", "action": None, "direction": "unknown",
             "time": dt.datetime(2026, 5, 5, 20, 46, 45, tzinfo=dt.UTC)}),
        (8, {"extra.ttl": None, "src_port": 88, "dst_port": 51179, "extra.tcp_flags": "ACK"}),
        (9, {"extra.ttl": "126", "src_port": 59289}),
        (11, {"src_port": 389, "dst_port": 49209, "extra.tcp_flags": "ECE ACK SYN"}),
    ],
    "iptables.ini": [
        (1, {"rule_name": "FIREWALL_OUT", "action": None, "direction": "outbound", "dst_zone": "eth0",
             "src_ip": "192.168.6.57", "dst_port": 37628}),
        (2, {"rule_name": "IPTABLE", "action": None, "dst_ip": "255.255.255.255", "dst_port": 2222, "bytes_out": 180}),
        (3, {"rule_name": "SFW2-INext-DROP-DEFLT", "action": "drop", "vendor_action": "DROP", "protocol": "icmp",
             "extra.icmp_type": "8"}),
        (4, {"direction": "internal", "dst_zone": "lo", "dst_port": 22}),
        (5, {"rule_name": "DROP", "action": "drop", "direction": "outbound", "src_ip": "192.168.1.102",
             "dst_ip": "74.125.232.52", "dst_port": 443, "time": dt.datetime(2026, 2, 4, 23, 33, 37, tzinfo=dt.UTC)}),
        (24, {"rule_name": "DROP(src wan)", "action": "drop", "device": "OpenWRT", "dst_port": 23,
              "src_ip": "205.205.205.205", "extra.mark": "0xff00", "time": dt.datetime(2025, 11, 18, 13, 39, 49, tzinfo=dt.UTC)}),
        (42, {"rule_name": "UFW BLOCK", "product": "UFW", "action": "drop", "vendor_action": "BLOCK", "src_port": 53,
              "dst_port": 36427, "protocol": "udp", "src_ip": "254.253.252.251", "dst_ip": "191.192.193.194"}),
        (43, {"rule_name": "UFW BLOCK", "dst_port": 22, "extra.tcp_flags": "CWR ECE SYN", "device": "server01",
              "time": dt.datetime(2025, 12, 26, 9, 5, 47, tzinfo=dt.UTC)}),
    ],
}  # fmt: skip


@pytest.mark.parametrize("path", FILES, ids=name)
def test_hand_checked_values(path: Path) -> None:
    check_corpus_values(iptables, path, dict(HAND_CHECKED[path.name]))


H = "Jan 23 10:00:00 srv kernel: [ 12.5] "
P = "SRC=198.51.100.7 DST=10.0.0.5 LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=1 DF PROTO=TCP SPT=40000 DPT=22 WINDOW=1 RES=0x00 SYN URGP=0"


@pytest.mark.parametrize(
    ("prefix", "product", "action", "vendor_action", "rule"),
    [
        ("[UFW BLOCK] ", "UFW", "drop", "BLOCK", "UFW BLOCK"),
        ("[UFW LIMIT BLOCK] ", "UFW", "deny", "LIMIT BLOCK", "UFW LIMIT BLOCK"),
        ("[UFW ALLOW] ", "UFW", "allow", "ALLOW", "UFW ALLOW"),
        ("[UFW AUDIT] ", "UFW", None, "AUDIT", "UFW AUDIT"),
        ("[UFW AUDIT INVALID] ", "UFW", None, "AUDIT INVALID", "UFW AUDIT INVALID"),
        ("[WAN_LOCAL-default-D]", "EdgeOS", "drop", "D", "WAN_LOCAL-default-D"),
        ("[WAN_IN-20-R]", "EdgeOS", "deny", "R", "WAN_IN-20-R"),
        ("[LAN_IN-10-A]", "EdgeOS", "allow", "A", "LAN_IN-10-A"),
        ("FINAL_REJECT: ", "firewalld", "deny", "REJECT", "FINAL_REJECT"),
        ("filter_IN_public_DROP: ", "firewalld", "drop", "DROP", "filter_IN_public_DROP"),
        ("Shorewall:net2fw:DROP:", "netfilter", "drop", "DROP", "Shorewall:net2fw:DROP"),
        ("ACCEPTED-SSH ", "netfilter", "allow", "ACCEPTED", "ACCEPTED-SSH"),
        ("denied packet: ", "netfilter", "deny", "denied", "denied packet"),
        ("LOGDROPPER ", "netfilter", None, None, "LOGDROPPER"),
        ("", "netfilter", None, None, None),
    ],
)
def test_prefixes_give_rule_action_and_product(
    prefix: str, product: str, action, vendor_action, rule
) -> None:
    check(
        one(iptables, H + prefix + "IN=eth0 OUT= " + P),
        {
            "product": product,
            "action": action,
            "vendor_action": vendor_action,
            "rule_name": rule,
            "src_port": 40000,
        },
    )


def test_interfaces_give_the_direction() -> None:
    inbound = one(iptables, H + "IN=eth0 OUT= " + P)
    outbound = one(iptables, H + "IN= OUT=eth0 " + P)
    forwarded = one(iptables, H + "IN=eth1 OUT=eth0 " + P)
    check(inbound, {"direction": "inbound", "extra.path": "input", "src_zone": "eth0", "dst_zone": None})
    check(outbound, {"direction": "outbound", "extra.path": "output", "dst_zone": "eth0"})
    # forwarded: from the address ranges (public → private)
    check(
        forwarded, {"direction": "inbound", "extra.path": "forward", "src_zone": "eth1", "dst_zone": "eth0"}
    )


def test_headers_and_uptime() -> None:
    rfc5424 = one(iptables, "<4>1 2026-01-23T10:00:00.5+07:00 srv kernel - - - [UFW BLOCK] IN=eth0 OUT= " + P)
    check(rfc5424, {"time": dt.datetime(2026, 1, 23, 3, 0, 0, 500000, tzinfo=dt.UTC), "severity": "low"})
    local = one(
        iptables, H + "IN=eth0 OUT= " + P, ParseContext("a", "s", dt.date(2026, 1, 23), "Asia/Ho_Chi_Minh")
    )
    check(
        local,
        {"time": dt.datetime(2026, 1, 23, 3, 0, tzinfo=dt.UTC), "extra.uptime": "12.5", "device": "srv"},
    )
    bare = one(iptables, "[UFW ALLOW] IN= OUT=eth0 " + P)
    check(bare, {"time": None, "device": None, "action": "allow"})


def test_cut_lines_keep_what_they_carry_and_junk_is_quarantined() -> None:
    result = parse_lines(
        iptables,
        [
            H + "=51000 DPT=22 WINDOW=1 RES=0x00 SYN URGP=0",
            H
            + "SRC=198.51.100.7 DST=10.0.0.5 LEN=60 TOS=0x00 PREC=0x00 TTL=50 ID=1 DF PROTO=TCP SPT=1 DPT=2",
            "Jan 23 10:00:00 srv sshd[1]: Accepted password for root from 10.0.0.1 port 22 ssh2",
            "Jan 23 10:00:00 srv kernel: usb 1-1: new high-speed USB device",
        ],
    )
    first, second = events(result)
    # ports are read with their PROTO= group: cut before PROTO=, they are lost (still in raw)
    check(first, {"src_port": None, "dst_port": None, "extra.truncated": "true", "protocol": None})
    check(second, {"src_ip": "198.51.100.7", "dst_ip": "10.0.0.5", "dst_port": 2, "protocol": "tcp"})
    assert result.quarantine.select("raw_line", "reason").rows() == [
        (3, iptables.NO_FIELDS),
        (4, iptables.NO_FIELDS),
    ]


def test_expanded_ipv6_is_made_canonical() -> None:
    row = one(
        iptables,
        H
        + "IN=eth0 OUT= SRC=2001:0db8:0000:0000:0001:0000:0000:0001 DST=0000:0000:0000:0000:0000:0000:0000:0001 "
        "LEN=80 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=UDP SPT=5 DPT=53 LEN=40",
    )
    check(row, {"src_ip": "2001:db8::1:0:0:1", "dst_ip": "::1", "dst_port": 53, "extra.ttl": "64"})


def test_sniff() -> None:
    lines = pl.Series(
        [
            H + "[UFW BLOCK] IN=eth0 OUT= " + P,
            "Jan  5 20:17:01 gw kernel: [WAN_OUT-2000-A]IN=eth0 OUT=eth2 " + P,
            "May  5 20:46:45 gw user.info kernel: TTL=126 ID=1 DF PROTO=TCP SPT=1 DPT=2 WINDOW=1 RES=0x00 ACK URGP=0",
            "<166>Nov 20 2022 02:32:35 ciscoasa : %ASA-6-302013: Built outbound TCP connection 1",
            "Jan 23 10:00:00 srv kernel: usb 1-1: new high-speed USB device",
            '<14>1 2019-12-27T09:48:23.298Z fw RT_FLOW - RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.28 reason="x"]',
            "2019-11-06 12:35:19 DROP UDP 5.5.3.197 224.0.0.251 5353 5353 59 - - - - - - - RECEIVE",
        ]
    )
    assert iptables.sniff(lines).to_list() == [True, True, True, False, False, False, False]


def test_demo_writer_lines_parse_back() -> None:
    org = ORGANISATIONS[0]
    host = org.host("web01")
    t0 = dt.datetime(2026, 11, 10, 2, 0, tzinfo=dt.UTC).timestamp()
    neutral = [
        Event(t0, "conn", {"proto": "tcp", "src_ip": "203.0.113.9", "src_port": 50000, "dst_ip": host.ip,
                           "dst_port": 443}),
        Event(t0 + 5, "conn", {"proto": "udp", "src_ip": host.ip, "src_port": 40000, "dst_ip": "8.8.8.8",
                               "dst_port": 53}),
        Event(t0 + 9, "deny", {"proto": "tcp", "src_ip": "198.51.100.7", "src_port": 41000,
                               "dst_ip": host.public_ip, "dst_port": 22}),
        Event(t0 + 12, "deny", {"proto": "tcp", "src_ip": "198.51.100.7", "src_port": 41000,
                                "dst_ip": "10.99.0.1", "dst_port": 22}),
        Event(t0 + 15, "vpn_auth", {"ok": True}),
    ]  # fmt: skip
    lines = writer.render(neutral, org, random.Random(1), host)
    assert len(lines) == 3
    ctx = ParseContext("a", "s", dt.date(2026, 11, 10), org.timezone)
    allow_in, allow_out, block = events(parse_lines(iptables, [line.text for line in lines], ctx))
    when = dt.datetime.fromtimestamp(t0, dt.UTC)
    check(allow_in, {"time": when, "action": "allow", "src_ip": "203.0.113.9", "dst_ip": host.ip, "dst_port": 443,
                     "src_port": 50000, "protocol": "tcp", "direction": "inbound", "src_zone": "eth0",
                     "device": "web01", "product": "UFW"})  # fmt: skip
    check(allow_out, {"action": "allow", "src_ip": host.ip, "dst_ip": "8.8.8.8", "dst_port": 53, "protocol": "udp",
                      "direction": "outbound", "dst_zone": "eth0"})  # fmt: skip
    check(block, {"action": "drop", "src_ip": "198.51.100.7", "dst_ip": host.ip, "dst_port": 22,
                  "time": when + dt.timedelta(seconds=9), "rule_name": "UFW BLOCK"})  # fmt: skip


def test_usual_packet_fields_and_the_others_read_the_same_values() -> None:
    """The usual IPv4 field run (MAC first, SRC ... PROTO, ports) is read by one anchored pattern;
    a line with the MAC further on, or without PREC, goes the general way to the same values."""
    head = "<4>Mar  2 10:00:00 gw kernel: [UFW BLOCK] IN=eth0 OUT= "
    mac = "MAC=90:10:20:76:8d:20:90:10:65:29:b6:2a:08:00"
    usual = f"{head}{mac} SRC=67.43.156.15 DST=10.4.0.5 LEN=52 TOS=0x00 PREC=0x00 TTL=63 ID=0 DF PROTO=TCP SPT=38842 DPT=443 WINDOW=2853 RES=0x00 SYN URGP=0"
    mac_later = usual.replace(f"{mac} ", "").replace("LEN=52 ", f"LEN=52 {mac} ")
    no_prec = usual.replace("PREC=0x00 ", "")
    rows = events(parse_lines(iptables, [usual, mac_later, no_prec]))
    fields = ("src_ip", "dst_ip", "src_port", "dst_port", "protocol", "action", "rule_name", "direction")
    expected = {f: rows[0][f] for f in fields}
    assert (expected["src_ip"], expected["dst_port"], expected["protocol"]) == ("67.43.156.15", 443, "tcp")
    for row in rows[1:]:
        check(row, expected)
    assert [r["extra"].get("mac") for r in rows] == [rows[0]["extra"].get("mac")] * 3
    assert rows[0]["extra"].get("mac") is not None
