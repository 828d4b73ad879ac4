"""Cisco ASA / FTD parser: the shared corpus (accounting, Elastic expected values, hand-checked
values, golden files) and synthetic lines for what the corpus lacks (VPN, failover, FTD
connections, IPv6, envelopes, attacker-controlled text, a 200k-line frame)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from seclake.parsers import cisco_asa
from seclake.parsers.contract import ParseContext, ParseResult
from tests.corpus import corpus_files, corpus_lines, expected_documents
from tests.parsers.checks import (
    CTX,
    check,
    check_accounting,
    ecs,
    event_at,
    events,
    field,
    name,
    parse_lines,
    utc,
)
from tests.parsers.golden import check_golden

FILES = [*corpus_files("cisco_asa"), *corpus_files("cisco_ftd")]


_name = partial(name, folders=2)


def _parse_file(path: Path, ctx: ParseContext = CTX) -> ParseResult:
    return cisco_asa.parse(corpus_lines(path), ctx)


# ---- accounting: every corpus line is an event or quarantined with its reason -------------------

QUARANTINED = {
    # logstash grok spec: syslog bodies whose %ASA tag was stripped upstream (bare text, a bare
    # "302020:" id, a "6|date|id:" export) and one IOS %LINEPROTO line
    "cisco_asa-logstash-firewalls_spec": {1, 5, 7, 8, 9, 10, 11, 12, 15, 16, 17, 19},
}


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_every_corpus_line_is_accounted_for(path: Path) -> None:
    result = check_accounting(cisco_asa, path)
    assert set(result.quarantine["raw_line"].to_list()) == QUARANTINED.get(_name(path), set())
    assert set(result.quarantine["reason"].to_list()) <= {cisco_asa.NO_TAG}
    assert set(result.events["vendor"].to_list()) == {"Cisco"}


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_golden(path: Path, update_golden: bool) -> None:
    check_golden(_parse_file(path), "cisco_asa", _name(path), update_golden)


def test_sniff() -> None:
    lines = pl.Series(
        [
            "<166>Nov 20 2022 02:32:35 ciscoasa : %ASA-6-302013: Built outbound TCP connection 1",
            "ASA-6-302013: Built outbound TCP connection 1 for a:1.1.1.1/1 (1.1.1.1/1) to b:2.2.2.2/2 (2.2.2.2/2)",
            "Aug  6 2020 11:01:37: %ASA-session-3-106102: access-list x permitted udp",
            "Jan  1 00:00:00 host sshd[1]: Accepted password for root",
        ]
    )
    assert cisco_asa.sniff(lines).to_list() == [True, True, True, False]
    assert cisco_asa.sniff(pl.Series([], dtype=pl.String)).len() == 0
    corpus = pl.Series([line for path in FILES for line in corpus_lines(path)["raw"].to_list()])
    assert cisco_asa.sniff(corpus).mean() > 0.9


# ---- Elastic expected documents -------------------------------------------------------------------

ECS_FIELDS = {
    "source.ip": "src_ip",
    "source.port": "src_port",
    "destination.ip": "dst_ip",
    "destination.port": "dst_port",
    "source.nat.ip": "nat_src_ip",
    "destination.nat.ip": "nat_dst_ip",
    "network.transport": "protocol",
    "network.direction": "direction",
    "event.code": "message_id",
    "observer.hostname": "device",
    "source.bytes": "bytes_out",
    "destination.bytes": "bytes_in",
    "network.bytes": "bytes_total",
    "user.name": "user",
    "rule.name": "rule_name",
    "source.domain": "extra.src_host",
    "destination.domain": "extra.dst_host",
    "observer.ingress.interface.name": "src_zone",
    "cisco.asa.message_repeats": "extra.message_repeats",
}
EXPECTED_LOGS = [p for p in corpus_files("cisco_asa") if expected_documents(p) is not None]


# Fields where Elastic leaves a value out and our documented choice sets one.
OUR_CHOICES: dict[tuple[str, int], dict[str, Any]] = {
    # Elastic maps 302020 to network.type "icmp" and leaves network.transport out; ICMP is the
    # protocol of these connections.
    ("test-302020-direction.log", 1): {"protocol": "icmp"},
    ("test-302020-direction.log", 2): {"protocol": "icmp"},
    ("test-302020-direction.log", 3): {"protocol": "icmp"},
    # Teardowns carry no direction word; without their Built line in the frame we take it from the
    # address ranges (host names: unknown; two RFC 1918 addresses: internal). Elastic leaves it out.
    ("test-hostnames.log", 1): {"direction": "unknown"},
    ("test-hostnames.log", 2): {"direction": "internal"},
}


@pytest.mark.parametrize("path", EXPECTED_LOGS, ids=_name)
def test_elastic_expected_values(path: Path) -> None:
    documents = expected_documents(path)
    assert documents is not None
    rows = events(_parse_file(path))
    assert len(rows) == len(documents)
    for row, document in zip(rows, documents, strict=True):
        assert row["raw"] == document["event"]["original"]
        # @timestamp: the year-less "Jan 23" line takes the year of CTX.date, as Elastic's pipeline did.
        assert row["time"] == utc(document["@timestamp"])
        assert row["vendor"] == ecs(document, "observer.vendor")
        assert row["product"] == ecs(document, "observer.product").upper()
        choices = OUR_CHOICES.get((path.name, row["raw_line"]), {})
        for ecs_path, column in ECS_FIELDS.items():
            want = ecs(document, ecs_path)
            if want is None:
                want = choices.get(column)
            elif column.endswith("_port") or column.startswith("bytes"):
                want = int(want)
            elif ecs_path == "cisco.asa.message_repeats":
                want = str(want)
            assert field(row, column) == want, f"{path.name}:{row['raw_line']} {ecs_path} → {column}"


# ---- hand-checked corpus values (no expected output upstream) -------------------------------------

ASA = "cisco_asa"
HAND_CHECKED: list[tuple[str, int, dict[str, Any]]] = [
    # 302013 outbound: the "to" side is the source, its mapped address the NAT source
    (
        "crowdstrike/ASA_syslog.tests.jsonl",
        5,
        {
            "message_id": "302013",
            "time": dt.datetime(2022, 11, 20, 2, 32, 35, tzinfo=dt.UTC),
            "device": "ciscoasa",
            "severity": "info",
            "vendor_severity": "6",
            "event_class": "network_activity",
            "action": "allow",
            "vendor_action": "Built",
            "src_ip": "192.168.1.24",
            "src_port": 51568,
            "dst_ip": "165.225.216.35",
            "dst_port": 443,
            "nat_src_ip": "23.121.1.57",
            "nat_dst_ip": None,
            "src_zone": "inside",
            "dst_zone": "outside",
            "protocol": "tcp",
            "direction": "outbound",
            "extra.connection_id": "476080",
        },
    ),
    # 302016 teardown with a newline inside the message; no Built in the file: the private "to"
    # side and the public "for" side make it outbound
    (
        "crowdstrike/ASA_syslog.tests.jsonl",
        4,
        {
            "message_id": "302016",
            "src_ip": "192.168.1.126",
            "src_port": 39734,
            "dst_ip": "9.9.9.9",
            "dst_port": 53,
            "protocol": "udp",
            "direction": "outbound",
            "bytes_total": 141,
            "bytes_in": None,
            "bytes_out": None,
            "duration_s": 0.0,
        },
    ),
    # 302016: both sides private; the "for" side has the client port → it is the source
    (
        "elastic/test-asa-fix.log",
        1,
        {
            "message_id": "302016",
            "time": dt.datetime(2020, 4, 17, 14, 8, 8, tzinfo=dt.UTC),
            "device": "SNL-ASA-VPN-A01",
            "src_ip": "10.123.123.123",
            "src_port": 53723,
            "dst_ip": "10.233.123.123",
            "dst_port": 53,
            "src_zone": "Outside",
            "dst_zone": "Inside",
            "direction": "internal",
            "user": "LOCAL\\Elastic",
            "extra.src_user": "LOCAL\\Elastic",
            "extra.aaa_user": "zzzzzz",
            "bytes_total": 148,
        },
    ),
    # 302015 inbound with identity users and a cut-through user
    (
        "elastic/test-asa-fix.log",
        14,
        {
            "message_id": "302015",
            "src_ip": "81.2.69.142",
            "src_port": 3424,
            "dst_ip": "89.160.20.112",
            "dst_port": 9803,
            "direction": "inbound",
            "user": "LOCAL\\alice",
            "extra.src_user": "LOCAL\\alice",
            "extra.src_sgt": "123",
            "extra.dst_user": "LOCAL\\dave",
            "extra.dst_sgt": "246",
            "extra.aaa_user": "bob",
        },
    ),
    # 302014: public "for" side on port 53, private "to" side: outbound from the "to" side
    (
        "wazuh/cisco_asa.ini",
        41,
        {
            "message_id": "302014",
            "src_ip": "192.168.1.185",
            "src_port": 1032,
            "dst_ip": "171.70.168.183",
            "dst_port": 53,
            "src_zone": "mgmt",
            "dst_zone": "external",
            "bytes_total": 526,
            "time": None,
        },
    ),
    # 106023 with an identity user, header with a year and device name
    (
        "elastic/test-asa-fix.log",
        4,
        {
            "message_id": "106023",
            "action": "deny",
            "rule_name": "Inside_access_in",
            "src_ip": "10.123.123.123",
            "src_port": 57621,
            "dst_port": 57621,
            "protocol": "udp",
            "user": "LOCAL\\Elastic",
            "severity": "low",
        },
    ),
    # 106100 permitted: ACL name → rule_name, hit count → extra
    (
        "elastic/test-asa-fix.log",
        8,
        {
            "message_id": "106100",
            "time": dt.datetime(2019, 10, 20, 15, 42, 53, tzinfo=dt.UTC),
            "device": None,
            "action": "allow",
            "vendor_action": "permitted",
            "rule_name": "incoming",
            "src_ip": "127.2.3.4",
            "src_port": 56575,
            "dst_ip": "127.3.4.5",
            "dst_port": 53,
            "src_zone": "dmz2",
            "dst_zone": "inside",
            "extra.hit_count": "1",
            "extra.hit_interval": "first hit",
        },
    ),
    # 106103 denied for a quoted user
    (
        "elastic/test-asa-fix.log",
        16,
        {
            "message_id": "106103",
            "action": "deny",
            "user": "username",
            "rule_name": "TEST_ACL_LIST",
            "dst_port": 443,
        },
    ),
    # 106001 inbound TCP denied: flags and the ingress interface
    (
        "crowdstrike/ASA_syslog.tests.jsonl",
        17,
        {
            "message_id": "106001",
            "action": "deny",
            "direction": "inbound",
            "src_ip": "35.196.217.93",
            "dst_port": 54046,
            "src_zone": "outside",
            "extra.tcp_flags": "FIN PSH ACK",
            "severity": "high",
        },
    ),
    # 106015 (PIX): drop; the "names" host stays out of dst_ip
    (
        "wazuh/pix.ini",
        7,
        {
            "message_id": "106015",
            "product": "PIX",
            "action": "drop",
            "src_ip": "161.58.238.151",
            "dst_ip": None,
            "dst_port": 3782,
            "extra.dst_host": "a.b.c.d",
            "extra.tcp_flags": "RST ACK",
        },
    ),
    # 710003 (PIX): to-the-box deny, service name → port 22
    (
        "wazuh/pix.ini",
        2,
        {
            "message_id": "710003",
            "action": "deny",
            "src_ip": "216.39.220.130",
            "dst_ip": "62.192.113.98",
            "dst_port": 22,
            "dst_zone": "outside",
            "extra.dst_service": "ssh",
        },
    ),
    # 305011: NAT source from the translation
    (
        "crowdstrike/ASA_syslog.tests.jsonl",
        14,
        {
            "message_id": "305011",
            "src_ip": "192.168.1.22",
            "src_port": 50721,
            "nat_src_ip": "23.121.1.57",
            "extra.nat_src_port": "50721",
            "extra.nat_zone": "outside",
            "extra.nat_type": "dynamic",
        },
    ),
    # 305012: translation teardown with its duration
    ("wazuh/cisco_asa.ini", 39, {"message_id": "305012", "nat_src_ip": "193.17.108.1", "duration_s": 152.0}),
    # 113005 AAA rejected: user and user IP
    (
        "wazuh/cisco_asa.ini",
        73,
        {
            "message_id": "113005",
            "event_class": "authentication",
            "action": "failure",
            "user": "user",
            "src_ip": "192.168.0.1",
            "extra.aaa_server": "174.143.32.22",
            "extra.reason": "string",
        },
    ),
    # 605004 login denied (PIX): user, source and the ssh service port
    (
        "wazuh/pix.ini",
        19,
        {
            "message_id": "605004",
            "event_class": "authentication",
            "action": "failure",
            "user": "root",
            "src_ip": "192.168.2.10",
            "src_port": 32597,
            "dst_ip": "192.168.2.14",
            "dst_port": 22,
        },
    ),
    # 111010 config command with user and source IP
    (
        "wazuh/cisco_asa.ini",
        58,
        {
            "message_id": "111010",
            "event_class": "system",
            "action": "config_change",
            "user": "pgskyadm",
            "src_ip": "143.16.64.46",
            "extra.command": "terminal pager 0",
            "extra.via": "CLI",
        },
    ),
    # 111008 command executed
    ("wazuh/cisco_asa.ini", 85, {"message_id": "111008", "action": "config_change", "user": "impssnagios"}),
    # 411001 interface up: the interface is the object
    (
        "wazuh/cisco_asa.ini",
        35,
        {"message_id": "411001", "event_class": "system", "action": "up", "rule_name": "GigabitEthernet0/0"},
    ),
    # 105005 failover communications lost
    (
        "wazuh/cisco_asa.ini",
        77,
        {
            "message_id": "105005",
            "action": "down",
            "rule_name": "Secondary",
            "extra.interface": "WLC-LAN_inside",
        },
    ),
    # 733100 threat detection drop rate
    (
        "wazuh/cisco_asa.ini",
        19,
        {
            "message_id": "733100",
            "action": "drop",
            "rule_name": "Object",
            "extra.burst_rate": "9",
            "extra.total_count": "9198",
        },
    ),
    # 338008 botnet filter dropped blacklisted traffic
    (
        "wazuh/cisco_asa.ini",
        20,
        {
            "message_id": "338008",
            "action": "drop",
            "vendor_action": "dropped",
            "src_ip": "10.233.70.240",
            "nat_src_ip": "193.17.108.1",
            "dst_ip": "198.71.232.3",
            "dst_port": 80,
            "direction": "outbound",
            "extra.list": "blacklisted",
            "extra.threat_level": "very-high",
            "extra.threat_category": "Bot and Threat Networks",
            "extra.malicious_side": "destination",
        },
    ),
    # 338202 greylisted, monitored → allow
    ("wazuh/cisco_asa.ini", 28, {"message_id": "338202", "action": "allow", "extra.list": "greylisted"}),
    # 313008 ICMPv6 from an IPv6 address
    (
        "elastic/test-asa-fix.log",
        6,
        {
            "message_id": "313008",
            "src_ip": "fe80::1ff:fe23:4567:890a",
            "protocol": "ipv6-icmp",
            "src_zone": "ISP1",
        },
    ),
    # 302020 with a newline in the message
    (
        "crowdstrike/ASA_syslog.tests.jsonl",
        2,
        {"message_id": "302020", "src_ip": "192.168.1.122", "dst_ip": "1.1.1.1", "nat_src_ip": "23.121.1.57"},
    ),
]

FTD = "cisco_ftd"
HAND_CHECKED_FTD: list[tuple[str, int, dict[str, Any]]] = [
    # 430005 malware blocked
    (
        "elastic/test-security-file-malware.log",
        7,
        {
            "message_id": "430005",
            "product": "FTD",
            "device": "siem-ftd",
            "time": dt.datetime(2019, 8, 14, 15, 9, 43, tzinfo=dt.UTC),
            "event_class": "malware_detection",
            "action": "blocked",
            "vendor_action": "Malware Block",
            "malware_name": "Win.Ransomware.Eicar::95.sbx.tg",
            "file_hash": "2546dcffc5ad854d4ddc64fbf056871cd5a00f2471cb7a5bfd4ac23b6e9eedad",
            "file_path": "eicar_com.zip",
            "src_ip": "10.0.1.20",
            "src_port": 41544,
            "dst_ip": "10.0.100.30",
            "dst_port": 8000,
            "protocol": "tcp",
            "user": None,
            "severity": "critical",
            "extra.sha_disposition": "Malware",
            "extra.threat_score": "76",
            "extra.url": "http://10.0.100.30:8000/eicar_com.zip",
        },
    ),
    # 430005 cloud lookup with a placeholder threat name, RFC 5424 ISO header without host
    (
        "elastic/test-security-file-malware.log",
        11,
        {
            "message_id": "430005",
            "time": dt.datetime(2021, 8, 25, 14, 55, 13, tzinfo=dt.UTC),
            "device": None,
            "action": "detected",
            "malware_name": None,
            "extra.threat_name": "Invalid ID",
            "file_hash": "2e05c13906b7435e80b6128c2bf86ba0644b0e6205efb96f3c14e52afd75f1c9",
            "extra.connection_id": "44560",
            "extra.first_packet_time": "2021-08-25T14:55:06Z",
        },
    ),
    # 430004 file event (Detect) → network allow, hash and file name kept
    (
        "elastic/test-security-file-malware.log",
        5,
        {
            "message_id": "430004",
            "event_class": "network_activity",
            "action": "allow",
            "malware_name": None,
            "file_path": "eicar_com.zip",
            "file_hash": "2546dcffc5ad854d4ddc64fbf056871cd5a00f2471cb7a5bfd4ac23b6e9eedad",
            "direction": "internal",
        },
    ),
]


@pytest.mark.parametrize(
    ("fmt", "file", "raw_line", "expected"),
    [(ASA, *case) for case in HAND_CHECKED] + [(FTD, *case) for case in HAND_CHECKED_FTD],
    ids=lambda v: str(v) if isinstance(v, (str, int)) else None,
)
def test_hand_checked_corpus_values(fmt: str, file: str, raw_line: int, expected: dict[str, Any]) -> None:
    path = next(p for p in corpus_files(fmt) if str(p).endswith(file))
    check(event_at(_parse_file(path), raw_line), expected)


def test_hand_checked_values_cover_fifteen_message_ids() -> None:
    ids = {case[2]["message_id"] for case in HAND_CHECKED + HAND_CHECKED_FTD}
    assert len(ids) >= 15


def test_unmatched_text_is_an_event_with_null_fields() -> None:
    path = next(p for p in corpus_files("cisco_ftd") if p.name == "cisco_ftd.ini")
    row = event_at(_parse_file(path), 3)  # 106001 with "192.168.1.59/port" placeholders
    check(
        row,
        {
            "message_id": "106001",
            "event_class": "network_activity",
            "action": "deny",
            "src_ip": None,
            "dst_ip": None,
            "direction": None,
            "extra.parse_error": "text does not match the pattern of 106001",
        },
    )
    assert row["message"].startswith("Inbound TCP connection denied from 192.168.1.59/port")


# ---- synthetic lines for what the corpus lacks ---------------------------------------------------

H = "<166>Jan 23 2026 10:00:00 asa1 : "


def test_teardown_takes_direction_and_orientation_of_its_built_line() -> None:
    result = parse_lines(
        cisco_asa,
        [
            H + "%ASA-6-302013: Built inbound TCP connection 42 for outside:203.0.113.9/51000 "
            "(203.0.113.9/51000) to dmz:10.1.1.10/443 (198.51.100.10/443)",
            H
            + "%ASA-6-302014: Teardown TCP connection 42 for outside:203.0.113.9/51000 to dmz:10.1.1.10/443 "
            "duration 25:00:01 bytes 1234 TCP FINs",
            # same id on another device: no Built there → ranges (public for, private to → to = source)
            "<166>Jan 23 2026 10:00:02 asa2 : %ASA-6-302014: Teardown TCP connection 42 for "
            "outside:203.0.113.9/51000 to dmz:10.1.1.10/443 duration 0:00:01 bytes 1 TCP Reset-O",
        ],
    )
    built, teardown, other = events(result)
    check(
        built,
        {
            "src_ip": "203.0.113.9",
            "dst_ip": "10.1.1.10",
            "nat_dst_ip": "198.51.100.10",
            "direction": "inbound",
        },
    )
    check(
        teardown,
        {
            "src_ip": "203.0.113.9",
            "src_port": 51000,
            "dst_ip": "10.1.1.10",
            "dst_port": 443,
            "src_zone": "outside",
            "dst_zone": "dmz",
            "direction": "inbound",
            "duration_s": 90001.0,
            "bytes_total": 1234,
            "extra.teardown_reason": "TCP FINs",
        },
    )
    # the port rule wins over the ranges: 51000 → 443 means the "for" side opened it
    check(other, {"device": "asa2", "src_ip": "203.0.113.9", "dst_port": 443, "direction": "inbound"})


RDP_BUILT = (
    H + "%ASA-6-302013: Built inbound TCP connection 7 for outside:198.51.100.7/50123 "
    "(198.51.100.7/50123) to dmz:10.0.0.10/3389 (203.0.113.10/3389)"
)
RDP_TEARDOWN = (
    H + "%ASA-6-302014: Teardown TCP connection 7 for outside:198.51.100.7/50123 to dmz:10.0.0.10/3389 "
    "duration 1:12:00 bytes 9000000 TCP FINs"
)


def test_teardown_finds_its_built_line_in_an_earlier_chunk_through_the_carry() -> None:
    carried = replace(CTX, carry={})
    filler = (
        H
        + "%ASA-6-106100: access-list inside_in permitted udp inside/10.0.0.5(5353) -> outside/8.8.8.8(53) hit-cnt 1"
    )
    parse_lines(cisco_asa, [RDP_BUILT, filler], carried)
    assert carried.carry[cisco_asa.OPEN_CONNECTIONS].rows() == [("asa1", 7, "inbound")]
    (teardown,) = events(parse_lines(cisco_asa, [RDP_TEARDOWN], carried))
    # both ports are client-like and the initiator is public: only the Built line knows who opened it
    check(
        teardown,
        {
            "src_ip": "198.51.100.7",
            "src_port": 50123,
            "dst_ip": "10.0.0.10",
            "dst_port": 3389,
            "direction": "inbound",
        },
    )
    assert carried.carry[cisco_asa.OPEN_CONNECTIONS].is_empty()  # the teardown closed it
    # a frame parsed on its own has no Built: the ranges orient it, the other way round
    (alone,) = events(parse_lines(cisco_asa, [RDP_TEARDOWN]))
    check(alone, {"src_ip": "10.0.0.10", "dst_ip": "198.51.100.7", "direction": "outbound"})


def test_the_carry_keeps_the_latest_open_connections_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cisco_asa, "MAX_OPEN_CONNECTIONS", 2)
    carried = replace(CTX, carry={})
    built = [RDP_BUILT.replace("connection 7 ", f"connection {i} ") for i in (1, 2, 3)]
    parse_lines(cisco_asa, [*built, RDP_TEARDOWN.replace("connection 7 ", "connection 2 ")], carried)
    # 2 was closed in the same frame; 1 is the oldest open one and goes when only 2 are kept
    assert carried.carry[cisco_asa.OPEN_CONNECTIONS]["_conn_id"].to_list() == [1, 3]
    parse_lines(cisco_asa, [RDP_BUILT.replace("connection 7 ", "connection 4 ")], carried)
    assert carried.carry[cisco_asa.OPEN_CONNECTIONS]["_conn_id"].to_list() == [3, 4]


def test_icmp_teardown_joins_its_built_line_by_addresses() -> None:
    addresses = "faddr 8.8.8.8/0 gaddr 198.51.100.7/512 laddr 10.0.0.5/512"
    result = parse_lines(
        cisco_asa,
        [
            H + f"%ASA-6-302020: Built outbound ICMP connection for {addresses} type 8 code 0",
            H + f"%ASA-6-302021: Teardown ICMP connection for {addresses} type 8 code 0",
        ],
    )
    for row in events(result):
        check(
            row,
            {
                "src_ip": "10.0.0.5",
                "nat_src_ip": "198.51.100.7",
                "dst_ip": "8.8.8.8",
                "src_port": None,
                "protocol": "icmp",
                "direction": "outbound",
            },
        )


def test_ipv6_addresses_split_on_the_last_slash() -> None:
    result = parse_lines(
        cisco_asa,
        [
            H
            + "%ASA-6-302013: Built inbound TCP connection 7 for outside:2001:db8::5/50000 (2001:db8::5/50000) "
            "to inside:fd00::10/22 (2001:db8:1::10/22)",
            H
            + '%ASA-4-106023: Deny tcp src outside:2001:db8::5/50000 dst inside:fd00::10/23 by access-group "in"',
            H
            + "%ASA-6-106100: access-list in permitted tcp outside/2001:db8::5(50000) -> inside/fd00::10(22) "
            "hit-cnt 1 first hit [0x1, 0x0]",
            H
            + "%ASA-2-106001: Inbound TCP connection denied from 2001:db8::5/50000 to fd00::10/25 flags SYN "
            "on interface outside",
        ],
    )
    built, deny, acl, inbound = events(result)
    check(
        built,
        {"src_ip": "2001:db8::5", "src_port": 50000, "dst_ip": "fd00::10", "nat_dst_ip": "2001:db8:1::10"},
    )
    check(deny, {"src_ip": "2001:db8::5", "dst_ip": "fd00::10", "dst_port": 23, "direction": "inbound"})
    check(acl, {"src_ip": "2001:db8::5", "src_port": 50000, "dst_ip": "fd00::10", "dst_port": 22})
    check(inbound, {"src_ip": "2001:db8::5", "dst_ip": "fd00::10", "dst_port": 25, "src_zone": "outside"})


def test_envelopes() -> None:
    ctx = ParseContext(org="acme", source="fw", date=dt.date(2026, 1, 1), timezone="Europe/Paris")
    result = parse_lines(
        cisco_asa,
        [
            # RFC 3164 without year (Dec 31 in a 1 January file → last year), relay host
            "Dec 31 23:59:59 10.1.1.1 %ASA-4-411002: Line protocol on Interface outside, changed state to down",
            # RFC 5424 with offset
            "<166>1 2026-01-01T08:00:00.250+07:00 asa-hq %ASA-4-411001: Line protocol on Interface outside, "
            "changed state to up",
            # year, no host, trailing colon
            "Jan 01 2026 00:00:05: %ASA-5-111008: User 'admin' executed the 'write memory' command.",
            # header-less body without % (no time)
            "ASA-4-411004: Configuration status on Interface dmz, changed state to administratively down",
            # outer repeat wrapper written by a relay
            "Jan  1 01:00:00 relay message repeated 3 times: [ %ASA-4-411003: Configuration status on "
            "Interface dmz, changed state to administratively up]",
            # logging class in the tag
            "%ASA-session-3-106102: access-list dev permitted udp for user bob outside/10.1.1.1(1) -> "
            "inside/10.2.2.2(53) hit-cnt 1 first hit [0x1, 0x2]",
        ],
        ctx,
    )
    down, up, config, admin_down, repeated, acl = events(result)
    check(
        down,
        {
            "time": dt.datetime(2025, 12, 31, 22, 59, 59, tzinfo=dt.UTC),
            "device": "10.1.1.1",
            "action": "down",
        },
    )
    check(
        up,
        {"time": dt.datetime(2026, 1, 1, 1, 0, 0, 250000, tzinfo=dt.UTC), "device": "asa-hq", "action": "up"},
    )
    check(
        config, {"time": dt.datetime(2025, 12, 31, 23, 0, 5, tzinfo=dt.UTC), "device": None, "user": "admin"}
    )
    check(admin_down, {"time": None, "device": None, "action": "down", "rule_name": "dmz", "product": "ASA"})
    check(repeated, {"device": "relay", "action": "up", "extra.message_repeats": "3", "rule_name": "dmz"})
    assert (
        repeated["message"] == "Configuration status on Interface dmz, changed state to administratively up"
    )
    check(acl, {"message_id": "106102", "user": "bob", "extra.log_class": "session", "severity": "medium"})


def test_usual_envelope_is_read_like_the_others() -> None:
    """The usual ``<PRI>Mmm dd yyyy HH:MM:SS host : `` envelope is cut at fixed places: same result as
    the general envelope reading (an extra blank before the tag sends a line through the latter)."""
    ctx = ParseContext(org="acme", source="fw", date=dt.date(2026, 3, 29), timezone="Europe/Paris")
    body = "%ASA-6-302013: Built outbound TCP connection 1 for outside:198.51.100.7/443 (198.51.100.7/443) "
    body += "to inside:10.0.0.5/50000 (203.0.113.5/50000)"
    stamps = [
        "Mar 29 2026 01:59:59",  # last second of winter time
        "Mar 29 2026 02:30:00",  # skipped by the switch to summer time: no such local time
        "Mar 29 2026 03:00:00",
        "Oct 25 2026 02:30:00",  # repeated hour: the earlier instant
        "Feb 29 2026 10:00:00",  # no such day
        "Dec 31 2025 23:59:59",
    ]
    lines = [
        f"<{pri}>{stamp} fw_{i}.hq-1 :{gap}{body}"
        for i, stamp in enumerate(stamps)
        for pri in (1, 166)
        for gap in (" ", "  ")
    ]
    rows = events(parse_lines(cisco_asa, lines, ctx))
    for usual, other in zip(rows[0::2], rows[1::2], strict=True):
        assert (usual["time"], usual["device"]) == (other["time"], other["device"]), usual["raw"]
    times = [e["time"] for e in rows[0::4]]
    assert times == [
        dt.datetime(2026, 3, 29, 0, 59, 59, tzinfo=dt.UTC),
        None,
        dt.datetime(2026, 3, 29, 1, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 25, 0, 30, 0, tzinfo=dt.UTC),
        None,
        dt.datetime(2025, 12, 31, 22, 59, 59, tzinfo=dt.UTC),
    ]
    assert [e["device"] for e in rows[0::4]] == [f"fw_{i}.hq-1" for i in range(len(stamps))]


def test_repeat_wrapper_keeps_the_inner_messages_brackets() -> None:
    result = parse_lines(
        cisco_asa,
        [
            H + "%ASA-4-106023: message repeated 2 times: [ Deny tcp src outside:198.51.100.7/4000 dst "
            'inside:10.0.0.5/22 by access-group "outside_in" [0x0, 0x0]]',
            "Jan 23 10:00:00 relay message repeated 3 times: [ %ASA-4-106023: Deny tcp src "
            'outside:198.51.100.7/4000 dst inside:10.0.0.5/22 by access-group "outside_in" [0x0, 0x0]]',
        ],
    )
    for row, repeats in zip(events(result), ("2", "3"), strict=True):
        assert row["message"].endswith('by access-group "outside_in" [0x0, 0x0]')
        check(row, {"rule_name": "outside_in", "dst_port": 22, "extra.message_repeats": repeats})


def test_translation_with_a_final_full_stop() -> None:
    result = parse_lines(
        cisco_asa,
        [
            H + "%ASA-6-305012: Teardown dynamic UDP translation from inside:10.0.0.5/5353 to "
            "outside:203.0.113.5/40000 duration 0:01:02.",
            H + "%ASA-6-305012: Teardown static TCP translation from inside:10.0.0.6 to outside:203.0.113.6 "
            "duration 1:00:00.",
        ],
    )
    port, no_port = events(result)
    check(
        port,
        {"nat_src_ip": "203.0.113.5", "extra.nat_src_port": "40000", "duration_s": 62.0, "src_port": 5353},
    )
    check(no_port, {"nat_src_ip": "203.0.113.6", "extra.nat_src_port": None, "duration_s": 3600.0})


def test_vpn_sessions() -> None:
    result = parse_lines(
        cisco_asa,
        [
            H + "%ASA-6-716001: Group <Staff> User <alice> IP <203.0.113.50> WebVPN session started.",
            H + "%ASA-6-716002: Group <Staff> User <alice> IP <203.0.113.50> WebVPN session terminated: "
            "User Requested.",
            H
            + "%ASA-6-113039: Group <Staff> User <bob> IP <203.0.113.51> AnyConnect parent session started.",
            H + "%ASA-6-722022: Group <Staff> User <bob> IP <203.0.113.51> UDP SVC connection established "
            "without compression",
            H
            + "%ASA-6-722051: Group <Staff> User <bob> IP <203.0.113.51> IPv4 Address <10.8.0.7> IPv6 address "
            "<::> assigned to session",
            H + "%ASA-6-722023: Group <Staff> User <bob> IP <203.0.113.51> UDP SVC connection terminated "
            "without compression",
            H + "%ASA-4-113019: Group = Staff, Username = bob, IP = 203.0.113.51, Session disconnected. "
            "Session Type: SSL, Duration: 1d 2h:03m:04s, Bytes xmt: 1000, Bytes rcv: 250, Reason: User Requested",
            H + "%ASA-4-716039: Group <Staff> User <mallory> IP <198.51.100.66> Authentication: rejected, "
            "Session Type: WebVPN.",
            H + "%ASA-5-713119: Group = L2L, IP = 198.51.100.1, PHASE 1 COMPLETED",
            H + "%ASA-5-713120: Group = L2L, IP = 198.51.100.1, PHASE 2 COMPLETED (msgid=01234567)",
            H
            + "%ASA-4-713259: Group = L2L, Username = vpnuser, IP = 198.51.100.1, Session is being torn down. "
            "Reason: User Requested",
            H + "%ASA-3-713050: Group = L2L, IP = 198.51.100.1, Connection terminated for peer 198.51.100.1. "
            "Reason: Peer Terminate Remote Proxy 10.2.0.0, Local Proxy 10.1.0.0",
        ],
    )
    rows = {(r["message_id"], r["raw_line"]): r for r in events(result)}
    expected = [
        ("716001", "authentication", "success", "alice", "203.0.113.50"),
        ("716002", "system", "down", "alice", "203.0.113.50"),
        ("113039", "authentication", "success", "bob", "203.0.113.51"),
        ("722022", "system", "up", "bob", "203.0.113.51"),
        ("722051", "system", "up", "bob", "203.0.113.51"),
        ("722023", "system", "down", "bob", "203.0.113.51"),
        ("113019", "system", "down", "bob", "203.0.113.51"),
        ("716039", "authentication", "failure", "mallory", "198.51.100.66"),
        ("713119", "system", "up", None, "198.51.100.1"),
        ("713120", "system", "up", None, "198.51.100.1"),
        ("713259", "system", "down", "vpnuser", "198.51.100.1"),
        ("713050", "system", "down", None, "198.51.100.1"),
    ]
    for line, (message_id, event_class, action, user, src_ip) in enumerate(expected, start=1):
        row = rows[(message_id, line)]
        group = "L2L" if message_id.startswith("713") else "Staff"
        check(
            row,
            {
                "event_class": event_class,
                "action": action,
                "user": user,
                "src_ip": src_ip,
                "rule_name": group,
            },
        )
    check(rows[("722051", 5)], {"extra.assigned_ip": "10.8.0.7"})
    check(
        rows[("113019", 7)],
        {
            "duration_s": 93784.0,
            "bytes_in": 1000,
            "bytes_out": 250,
            "bytes_total": 1250,
            "extra.session_type": "SSL",
            "extra.reason": "User Requested",
        },
    )


def test_authentication_and_admin_messages() -> None:
    result = parse_lines(
        cisco_asa,
        [
            H + "%ASA-6-113004: AAA user authentication Successful : server = 10.9.9.9 : user = alice",
            H + "%ASA-6-113012: AAA user authentication Successful : local database : user = admin",
            H
            + "%ASA-6-113015: AAA user authentication Rejected : reason = Invalid password : local database : "
            "user = admin: user IP = 198.51.100.7",
            H + "%ASA-6-611101: User authentication succeeded: IP address: 10.0.0.9, Uname: admin",
            H + "%ASA-6-611102: User authentication failed: IP address: 198.51.100.7, Uname: root",
            H + "%ASA-6-308001: console enable password incorrect for 3 tries (from 198.51.100.7)",
            H + "%ASA-1-104001: (Primary) Switching to ACTIVE - Other unit wants me Active.",
            H + "%ASA-1-104002: (Secondary) Switching to STANDBY - Other unit got power",
            H + "%ASA-1-104003: (Primary) Switching to FAILED.",
            H + "%ASA-1-104004: (Primary) Switching to OK.",
            H + "%ASA-4-733101: Host 198.51.100.7 is attacking. Current burst rate is 200 per second, max "
            "configured rate is 100; Current average rate is 80 per second, max configured rate is 50; "
            "Cumulative total count is 48000",
            H + "%ASA-4-733102: Threat-detection adds host 198.51.100.7 to shun list",
        ],
    )
    expected = [
        {
            "event_class": "authentication",
            "action": "success",
            "user": "alice",
            "extra.aaa_server": "10.9.9.9",
        },
        {"event_class": "authentication", "action": "success", "user": "admin"},
        {"action": "failure", "user": "admin", "src_ip": "198.51.100.7", "extra.reason": "Invalid password"},
        {"action": "success", "user": "admin", "src_ip": "10.0.0.9"},
        {"action": "failure", "user": "root", "src_ip": "198.51.100.7"},
        {"event_class": "authentication", "action": "failure", "src_ip": "198.51.100.7", "extra.tries": "3"},
        {"event_class": "system", "action": "failover", "rule_name": "Primary"},
        {"action": "failover", "rule_name": "Secondary", "extra.reason": "Other unit got power"},
        {"action": "down", "rule_name": "Primary"},
        {"action": "up", "rule_name": "Primary"},
        {
            "event_class": "network_activity",
            "action": None,
            "src_ip": "198.51.100.7",
            "extra.role": "attacking",
        },
        {"event_class": "network_activity", "action": "deny", "src_ip": "198.51.100.7"},
    ]
    for row, want in zip(events(result), expected, strict=True):
        check(row, want)


def test_ftd_connection_and_intrusion_events() -> None:
    result = parse_lines(
        cisco_asa,
        [
            "<14>2026-01-23T10:00:00Z ftd1 %FTD-6-430003: DeviceUUID: x, InstanceID: 1, FirstPacketSecond: "
            "2026-01-23T09:59:00Z, ConnectionID: 9, AccessControlRuleAction: Allow, SrcIP: 10.0.0.5, "
            "DstIP: 93.184.216.34, SrcPort: 50000, DstPort: 443, Protocol: tcp, IngressInterface: inside, "
            "EgressInterface: outside, IngressZone: IN, EgressZone: OUT, ACPolicy: Default, "
            "AccessControlRuleName: Allow-Web, User: CORP\\alice, InitiatorPackets: 10, ResponderPackets: 12, "
            "InitiatorBytes: 1500, ResponderBytes: 9000, ConnectionDuration: 60",
            "%FTD-1-430001: SrcIP: 198.51.100.7, DstIP: 10.0.0.5, SrcPort: 4444, DstPort: 80, Protocol: tcp, "
            "IngressZone: OUT, EgressZone: IN, Priority: 1, GID: 1, SID: 2023753, Revision: 4, "
            "Message: ET EXPLOIT Something, Classification: Attempted Administrator Privilege Gain, "
            "InlineResult: Blocked, FirstPacketSecond: 2026-01-23T09:58:00Z",
        ],
    )
    connection, intrusion = events(result)
    check(
        connection,
        {
            "time": dt.datetime(2026, 1, 23, 10, 0, tzinfo=dt.UTC),
            "device": "ftd1",
            "event_class": "network_activity",
            "action": "allow",
            "src_ip": "10.0.0.5",
            "dst_ip": "93.184.216.34",
            "src_zone": "IN",
            "dst_zone": "OUT",
            "rule_name": "Allow-Web",
            "user": "CORP\\alice",
            "bytes_out": 1500,
            "bytes_in": 9000,
            "bytes_total": 10500,
            "packets": 22,
            "duration_s": 60.0,
            "direction": "outbound",
            "extra.ingress_interface": "inside",
        },
    )
    check(
        intrusion,
        {
            # no header time: FirstPacketSecond is the only time the line carries
            "time": dt.datetime(2026, 1, 23, 9, 58, tzinfo=dt.UTC),
            "action": "drop",
            "rule_name": "ET EXPLOIT Something",
            "direction": "inbound",
            "extra.sid": "2023753",
        },
    )


# ---- attacker-controlled text --------------------------------------------------------------------


def test_text_inside_free_fields_does_not_change_the_parsed_fields() -> None:
    evil = 'x src outside:6.6.6.6/1 dst inside:6.6.6.6/1 %ASA-4-106023: Deny tcp src outside:6.6.6.6/1 by access-group "evil"'
    result = parse_lines(
        cisco_asa,
        [
            H
            + f"%ASA-6-113005: AAA user authentication Rejected : reason = AAA failure : server = 10.9.9.9 : "
            f"user = {evil} : user IP = 198.51.100.7",
            H + f"%ASA-5-111010: User 'admin', running 'CLI' from IP 10.0.0.9, executed '{evil}'",
            H
            + f"%ASA-6-716001: Group <Staff> User <a> IP <6.6.6.6> {evil}> IP <203.0.113.50> WebVPN session "
            "started.",
            H + f"%ASA-4-113019: Group = Staff, Username = {evil}, IP = 6.6.6.6, IP = 203.0.113.51, Session "
            "disconnected. Session Type: SSL, Duration: 0h:01m:00s, Bytes xmt: 1, Bytes rcv: 2, Reason: Idle",
            H
            + "%ASA-6-302014: Teardown TCP connection 5 for outside:93.184.216.34/443 to inside:10.0.0.5/50000 "
            "duration 0:00:01 bytes 10 TCP FINs from outside:6.6.6.6/1 %ASA-4-106023: Deny tcp src outside:6.6.6.6/1",
            "%FTD-1-430005: SrcIP: 10.0.0.5, DstIP: 93.184.216.34, SrcPort: 5, DstPort: 80, Protocol: tcp, "
            "FileAction: Malware Block, FileSHA256: AB, ThreatName: Evil, FileName: a.exe, "
            "URI: http://x/?, SrcIP: 6.6.6.6, DstIP: 6.6.6.6, FileAction: Detect",
        ],
    )
    aaa, config, webvpn, disconnect, teardown, ftd = events(result)
    check(
        aaa,
        {"message_id": "113005", "src_ip": "198.51.100.7", "user": evil, "dst_ip": None, "rule_name": None},
    )
    check(config, {"message_id": "111010", "user": "admin", "src_ip": "10.0.0.9", "extra.command": evil})
    check(webvpn, {"message_id": "716001", "src_ip": "203.0.113.50", "user": f"a> IP <6.6.6.6> {evil}"})
    check(disconnect, {"message_id": "113019", "src_ip": "203.0.113.51", "duration_s": 60.0})
    check(
        teardown,
        {
            "message_id": "302014",
            "src_ip": "10.0.0.5",
            "dst_ip": "93.184.216.34",
            "bytes_total": 10,
            "rule_name": None,
            "action": "allow",
        },
    )
    check(ftd, {"src_ip": "10.0.0.5", "dst_ip": "93.184.216.34", "action": "blocked", "file_hash": "ab"})


def test_lines_without_a_tag_are_quarantined_with_the_reason() -> None:
    result = parse_lines(
        cisco_asa,
        [
            "Jan 23 10:00:00 host sshd[1]: Accepted password for root from 10.0.0.1 port 22 ssh2",
            "302013: Built outbound TCP connection 1 for outside:1.1.1.1/1 (1.1.1.1/1) to inside:10.0.0.1/2 "
            "(10.0.0.1/2)",
            H + "%ASA-6-302013: Built outbound TCP connection 1 for outside:1.1.1.1/1 (1.1.1.1/1) to "
            "inside:10.0.0.1/2 (10.0.0.1/2)",
        ],
    )
    assert result.events["raw_line"].to_list() == [3]
    assert result.quarantine.select("raw_line", "reason").rows() == [
        (1, cisco_asa.NO_TAG),
        (2, cisco_asa.NO_TAG),
    ]


def test_an_empty_frame_gives_empty_results() -> None:
    result = parse_lines(cisco_asa, [])
    assert (result.events.height, result.quarantine.height) == (0, 0)


# ---- one call on a large frame ---------------------------------------------------------------------

SYNTHETIC = {
    "302013": "%ASA-6-302013: Built outbound TCP connection {i} for outside:93.184.216.34/443 "
    "(93.184.216.34/443) to inside:10.0.{a}.{b}/5{b:04d} (198.51.100.7/5{b:04d})",
    "302014": "%ASA-6-302014: Teardown TCP connection {i} for outside:93.184.216.34/443 to "
    "inside:10.0.{a}.{b}/5{b:04d} duration 0:00:{s:02d} bytes {i} TCP FINs",
    "302015": "%ASA-6-302015: Built outbound UDP connection {i} for outside:9.9.9.9/53 (9.9.9.9/53) to "
    "inside:10.0.{a}.{b}/6{b:04d} (198.51.100.7/6{b:04d})",
    "106023": '%ASA-4-106023: Deny tcp src outside:203.0.113.{b}/4{b:04d} dst inside:10.0.{a}.1/22 by access-group "in"',
    "106100": "%ASA-6-106100: access-list out denied udp inside/10.0.{a}.{b}(5{b:04d}) -> outside/8.8.8.8(53) "
    "hit-cnt 1 first hit [0x1, 0x0]",
    "106015": "%ASA-6-106015: Deny TCP (no connection) from 10.0.{a}.{b}/5{b:04d} to 93.184.216.34/443 flags RST "
    "on interface inside",
    "305011": "%ASA-6-305011: Built dynamic TCP translation from inside:10.0.{a}.{b}/5{b:04d} to "
    "outside:198.51.100.7/5{b:04d}",
    "710003": "%ASA-3-710003: TCP access denied by ACL from 203.0.113.{b}/4{b:04d} to outside:198.51.100.7/ssh",
    "113005": "%ASA-6-113005: AAA user authentication Rejected : reason = AAA failure : server = 10.9.9.9 : "
    "user = u{b} : user IP = 203.0.113.{b}",
    "411002": "%ASA-4-411002: Line protocol on Interface Gi0/{b}, changed state to down",
}


def test_a_frame_of_200k_lines_mixing_ten_ids_parses_in_one_call() -> None:
    ids = list(SYNTHETIC)
    lines = [
        f"<166>Jan 23 2026 10:{i % 60:02d}:{i % 59:02d} asa1 : "
        + SYNTHETIC[ids[i % 10]].format(i=i, a=i % 250, b=i % 200 + 1, s=i % 60)
        for i in range(200_000)
    ]
    result = parse_lines(cisco_asa, lines)
    assert result.quarantine.height == 0
    counts = dict(result.events.group_by("message_id").len().rows())
    assert counts == dict.fromkeys(ids, 20_000)
    summary = result.events.group_by("message_id", "event_class", "action").agg(
        pl.col("src_ip").null_count().alias("no_src"),
    )
    assert sorted(summary.drop("no_src").rows()) == [
        ("106015", "network_activity", "drop"),
        ("106023", "network_activity", "deny"),
        ("106100", "network_activity", "deny"),
        ("113005", "authentication", "failure"),
        ("302013", "network_activity", "allow"),
        ("302014", "network_activity", "allow"),
        ("302015", "network_activity", "allow"),
        ("305011", "network_activity", "allow"),
        ("411002", "system", "down"),
        ("710003", "network_activity", "deny"),
    ]
    parse_errors = result.events.select(pl.col(r"^extra\.parse_error$").is_not_null().sum())
    assert parse_errors.width == 0 or parse_errors.item() == 0  # no line missed its id's pattern
    assert summary.filter(pl.col("message_id") != "411002")["no_src"].sum() == 0
    teardowns = result.events.filter(pl.col("message_id") == "302014")
    assert teardowns["direction"].unique().to_list() == ["outbound"]
    assert teardowns["src_ip"].str.starts_with("10.0.").all()
    assert result.events.filter(pl.col("message_id") == "710003")["dst_port"].unique().to_list() == [22]


def test_golden_files_exist_for_every_corpus_file() -> None:
    golden = Path(__file__).parent / "golden" / "cisco_asa"
    assert {p.stem for p in golden.glob("*.jsonl")} == {_name(p) for p in FILES}
    for path in golden.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            json.loads(line)
