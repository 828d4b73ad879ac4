"""SonicWall parser: corpus accounting, golden files, hand-checked corpus values, duplicate keys,
endpoints, time zones and attacker-controlled text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from seclake.parsers import sonicwall
from seclake.parsers.contract import ParseContext
from tests.corpus import corpus_files, corpus_lines
from tests.parsers.checks import (
    CTX,
    check,
    check_corpus_values,
    check_every_line_is_an_event,
    events,
    name,
    parse_lines,
    utc,
)
from tests.parsers.golden import check_golden

FILES = corpus_files("sonicwall")


@pytest.mark.parametrize("path", FILES, ids=name)
def test_every_corpus_line_is_an_event(path: Path) -> None:
    check_every_line_is_an_event(sonicwall, path)


@pytest.mark.parametrize("path", FILES, ids=name)
def test_golden(path: Path, update_golden: bool) -> None:
    check_golden(sonicwall.parse(corpus_lines(path), CTX), "sonicwall", name(path), update_golden)


HAND_CHECKED: dict[str, dict[int, dict[str, Any]]] = {
    "crowdstrike-sonicwall": {
        1: {"time": utc("2024-04-18T10:10:36"), "src_ip": "10.2.130.187", "src_port": 52214, "dst_port": 27017,
            "action": "allow", "message_id": "537", "device": "C0EAE4F6D316", "extra.appName": "Service MongoDB 27017"},
        2: {"src_ip": "10.2.120.141", "dst_ip": "96.17.178.179", "dst_port": 80, "nat_src_ip": "85.118.26.198",
            "nat_dst_ip": None, "protocol": "tcp", "extra.service": "http", "direction": "outbound"},
    },
    "elastic-test-general": {
        2: {"event_class": "authentication", "action": "failure", "src_ip": "216.160.83.57", "src_port": 36701,
            "time": utc("2007-01-03T14:48:07"), "severity": "critical"},
        4: {"src_ip": "192.168.4.10", "dst_ip": "192.168.5.10", "dst_port": 53, "bytes_out": 257,
            "bytes_in": 242, "src_zone": "WAN", "dst_zone": "LAN", "direction": "inbound"},
        11: {"action": "drop", "message_id": "38", "extra.type": "3", "protocol": None},
        22: {"src_ip": "2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6", "src_port": 28503, "dst_ip": "::1",
             "extra.src_host": "SOURCEHOST", "extra.dst_host": "DSTHOST"},
        23: {"message_id": None, "action": "drop", "src_ip": "fe80::d4db:99b9:6f20:f6bd", "time": utc("2015-11-21T14:30:38")},
        26: {"action": "deny", "src_ip": "192.168.0.46", "dst_ip": "175.16.199.1", "dst_port": 443,
             "extra.src_host": "nb020.example.com", "time": utc("2019-03-19T06:44:01")},
        28: {"user": None, "extra.usr": "Unknown (SSO failed)", "src_zone": "Trusted", "nat_src_ip": "10.0.0.2"},
        33: {"message": "IPS Detection Alert: ICMP Echo Reply, SID: 316, Priority: Low", "rule_name": "ICMP Echo Reply",
             "action": "allow", "src_ip": "67.43.156.15"},
        35: {"action": "drop", "dst_ip": "2a02:cf40:add:4002:91f2:a9b2:e09a:6fc6", "dst_port": 8080,
             "rule_name": "WEB-ATTACKS Apache Log4j2 JNDI Log Messages Remote Code Execution"},
        38: {"user": "TheUser", "rule_name": "157 (SSLVPN->SERVER)", "duration_s": 30.016, "packets": 2},
    },
    "wazuh-SonicWall": {
        1: {"src_ip": "10.12.14.9", "src_port": None, "dst_ip": "217.56.236.4", "rule_name": "17 (LAN->WAN)",
            "extra.id": "NSA3600", "time": utc("2019-02-27T12:55:40")},
        2: {"src_ip": "fe80::9851:b780:9d9d:a29e", "src_port": 49702, "dst_port": 5355, "action": "drop"},
        3: {"action": "drop", "src_ip": "67.101.200.27", "dst_port": 445, "rule_name": "0",
            "time": utc("2004-04-01T10:39:35")},
        7: {"event_class": "system", "action": "other", "src_ip": "37.186.204.2", "extra.note": "Replay check failure."},
        8: {"event_class": "authentication", "action": "failure", "src_ip": "2.2.2.2"},
        10: {"action": "deny", "extra.Category": "Freeware/Software Downloads", "extra.src_host": "pc048.example.com"},
    },
}  # fmt: skip


@pytest.mark.parametrize("path", FILES, ids=name)
def test_hand_checked_corpus_values(path: Path) -> None:
    check_corpus_values(sonicwall, path, HAND_CHECKED[name(path)])


def test_sniff() -> None:
    lines = pl.Series(
        [
            '<134>  id=firewall sn=C0EAE4F6D316 time="2024-04-18 10:10:36" fw=1.2.3.4 pri=6 m=537',
            'id=NSA3600  sn=C0EAE4599999 time="2019-02-27 12:55:40 UTC" fw=2.228.169.242',
            'date=2019-05-13 time=11:20:54 logid="0100032001" type="event"',
            'device="SFW" date=2016-12-02 time=18:48:18 log_id=034806208001',
        ]
    )
    assert sonicwall.sniff(lines).to_list() == [True, True, False, False]


HEAD = 'id=fw1 sn=ABC time="2026-01-23 10:00:00" fw=198.51.100.1 pri=6 c=1024 '


def test_local_time_duplicates_endpoints_and_text_rules() -> None:
    ctx = ParseContext(org="acme", source="fw", date=CTX.date, timezone="Europe/Paris")
    lines = [
        HEAD + 'm=537 msg="Connection Closed" msg="second" src=10.0.0.5:5000:X0 dst=:443:X1 proto=tcp/https',
        'id=fw1 sn=ABC time="2026-01-23 10:00:00 UTC" pri=4 m=566 msg="Interface X2 Link Is Down"',
        HEAD + 'm=9999 msg="Interface X2 Link Is Up"',
        HEAD
        + 'm=809 msg="Gateway Anti-Virus Alert: EICAR (Test) blocked" src=203.0.113.9:80:X1 dst=10.0.0.5:5000:X0',
        HEAD + 'm=31 msg="User login from an internal zone allowed" usr="alice" src=10.0.0.7:0:X0',
    ]
    closed, down, up, gav, login = events(parse_lines(sonicwall, lines, ctx))
    check(closed, {"time": utc("2026-01-23T09:00:00"), "message": "Connection Closed", "src_ip": "10.0.0.5",
                   "dst_ip": None, "dst_port": 443, "dst_zone": "X1"})  # fmt: skip
    check(
        down,
        {"time": utc("2026-01-23T10:00:00"), "event_class": "system", "action": "down", "rule_name": "X2"},
    )
    check(up, {"event_class": "system", "action": "up", "rule_name": "X2"})
    check(
        gav, {"event_class": "malware_detection", "action": "blocked", "malware_name": "EICAR (Test) blocked"}
    )
    check(login, {"event_class": "authentication", "action": "success", "user": "alice"})


def test_text_inside_quoted_values_does_not_set_fields() -> None:
    evil = "src=6.6.6.6:1:X1 dst=6.6.6.6:2:X1 usr=evil m=30"
    lines = [
        HEAD + f'm=97 msg="Web site hit {evil}" src=10.0.0.5:5000:X0 dst=93.184.216.34:443:X1 arg="/?{evil}"',
        HEAD + f"m=14 appName='x {evil}' src=10.0.0.6:5000:X0 dst=93.184.216.34:80:X1",
        HEAD + f'm=29 msg="{evil}" usr="admin" src=10.0.0.7:22:X0',
    ]
    site, denied, admin = events(parse_lines(sonicwall, lines))
    check(site, {"src_ip": "10.0.0.5", "dst_ip": "93.184.216.34", "user": None, "message_id": "97"})
    check(denied, {"src_ip": "10.0.0.6", "action": "deny", "message_id": "14"})
    check(
        admin, {"event_class": "authentication", "action": "success", "user": "admin", "src_ip": "10.0.0.7"}
    )


def test_lines_without_a_payload_are_quarantined() -> None:
    result = parse_lines(sonicwall, ["Jan 23 10:00:00 host sshd[1]: hello"])
    assert result.quarantine["reason"].to_list() == [sonicwall.NO_PAYLOAD]
