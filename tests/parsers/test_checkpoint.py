"""Check Point Log Exporter (syslog) parser: the shared corpus (``checkpoint/elastic``,
``checkpoint/wazuh``: accounting, hand-checked values, golden files) and synthetic lines built from
``../shared/formats/checkpoint.md`` for blades, audit logins, accounting and quoting the corpus lacks.
Check Point's CEF variant is tested in ``test_cef.py``."""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from seclake.parsers import checkpoint
from seclake.parsers.contract import ParseContext
from tests.corpus import corpus_files, corpus_lines
from tests.parsers.checks import (
    check,
    check_every_line_is_an_event,
    events,
    lines_frame,
    name,
    parse_events,
    utc,
)
from tests.parsers.golden import check_golden

CTX = ParseContext(org="acme", source="fw", date=dt.date(2026, 1, 23), timezone="Europe/Paris")
FILES = corpus_files("checkpoint")
HEADER = "<134>1 2026-01-22T09:00:00Z cp-mgmt CheckPoint 16953 - "


_name = partial(name, folders=2)


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_every_corpus_line_is_an_event(path: Path) -> None:
    result = check_every_line_is_an_event(checkpoint, path, CTX)
    assert set(result.events["vendor"].to_list()) == {"Check Point"}
    assert result.events["time"].null_count() == 0


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_golden(path: Path, update_golden: bool) -> None:
    check_golden(checkpoint.parse(corpus_lines(path), CTX), "checkpoint", _name(path), update_golden)


def _corpus(file: str) -> list[dict[str, Any]]:
    (path,) = [p for p in FILES if p.name == file]
    return events(checkpoint.parse(corpus_lines(path), CTX))


def test_packet_drop_values_checked_by_hand() -> None:
    rows = _corpus("test-packet-drop.log")
    common = {"event_class": "network_activity", "action": "drop", "vendor_action": "Drop", "device": "192.168.1.100",
              "rule_name": "Cleanup rule", "src_ip": "81.2.69.142", "dst_ip": None, "dst_port": None}  # fmt: skip
    check(rows[0], common | {
        "time": utc("2025-01-21T09:36:10"), "packets": 5, "extra.drop_reason": "matched optimized drop",
        "extra.__policy_id_tag": "product=VPN-1 & FireWall-1[db_tag={880771B0-FD92-2C4F-82FC-B96FC3DE5A07};"
        "mgmt=gw-da58d3;date=1585502566;policy_name=Standard]",
        "extra.originsicname": "cn=cp_mgmt,o=gw-da58d3..tmn8s8", "extra.layer_name": "Network",
    })  # fmt: skip
    assert rows[0]["extra"]["packets"].startswith(" <81.2.69.142,59912,81.2.69.144,1990,6;eth0>")
    check(rows[1], common | {"time": utc("2025-01-21T09:37:10"), "packets": 3})


def test_smart1_values_checked_by_hand() -> None:
    rows = _corpus("checkpoint_smart1.ini")
    check(rows[0], {
        "time": utc("2019-05-15T16:25:50"), "product": "VPN-1 & FireWall-1", "action": "drop",
        "src_ip": "11.22.33.77", "src_port": 55036, "dst_ip": "11.22.33.55", "dst_port": 1514, "protocol": "udp",
        "rule_name": "CleanUp Rule", "src_zone": "Internal", "dst_zone": "Internal", "direction": "internal",
        "device": "11.22.33.44", "message_id": "VPN-1 & FireWall-1:Drop", "extra.service_id": "ptos_avaya",
        "extra.ifname": "eth2",
    })  # fmt: skip
    check(rows[1], {
        "time": utc("2019-05-15T16:26:19"), "product": "VPN-1", "action": "deny", "vendor_action": "Reject",
        "src_ip": "11.22.33.77", "dst_ip": "11.22.33.55", "message": "IKE failure", "extra.scheme": "IKE",
        "extra.ike": "Main Mode Failed to match proposal: Transform: AES-256, SHA256, Pre-shared secret, Group 2"
        " (1024 bit); Reason: Wrong value for: Hash Algorithm",
    })  # fmt: skip
    check(rows[2], {"action": "allow", "vendor_action": "Encrypt", "rule_name": "CSN", "dst_ip": "11.22.33.66",
                    "extra.layer_name#2": "FW-INT-TR Application", "extra.match_id#2": "16777217"})  # fmt: skip
    check(rows[3], {
        "time": utc("2019-05-15T16:26:40"), "action": "allow", "vendor_action": "Decrypt", "src_ip": "11.22.33.88",
        "src_port": 55226, "dst_ip": "11.22.33.55", "dst_port": 51262, "protocol": "tcp", "nat_dst_ip": "11.22.33.99",
        "nat_src_ip": None, "extra.xlatesrc": "0.0.0.0", "rule_name": "SafeCharge SEC",
        "extra.rule_name#2": "Implicit Cleanup", "direction": "inbound", "extra.methods": "ESP: AES-256 + SHA256",
    })  # fmt: skip
    check(rows[4], {"event_class": "system", "action": "other", "vendor_action": "Key Install"})
    # lines cut short upstream ("[action:\"Monitored\";..."): the action and the header time only
    check(rows[5], {"time": utc("2019-05-15T16:27:08"), "action": "allow", "vendor_action": "Monitored",
                    "device": "hostname", "src_ip": None})  # fmt: skip
    assert [(r["event_class"], r["action"]) for r in rows[6:17]] == [
        ("network_activity", "allow"), ("network_activity", "allow"), ("authentication", "success"),
        ("network_activity", None), ("authentication", "success"), ("authentication", "success"),
        ("network_activity", "deny"), ("network_activity", "allow"), ("network_activity", "allow"),
        ("network_activity", "deny"), ("network_activity", None),
    ]  # fmt: skip
    check(rows[17], {"action": "allow", "vendor_action": "Allow", "src_ip": "11.22.33.99"})


def test_blades_audit_and_accounting() -> None:
    rows = parse_events(checkpoint, [
        # audit login failure (checkpoint.md sample 4)
        HEADER + '[action:"Accept"; flags:"163872"; ifdir:"outbound"; time:"1703669995"; version:"5"; '
        'additional_info:"Administrator failed to log in: Wrong Password"; administrator:"i.biachi@customer.com"; '
        'audit_status:"Failure"; client_ip:"172.28.11.213"; machine:"relay599.rdnssender.com"; operation:"Log In"; '
        'operation_number:"11"; product:"SmartConsole"; subject:"Administrator Login"]',
        HEADER + '[action:"Accept"; time:"1703669995"; administrator:"admin"; audit_status:"Success"; '
        'operation:"Install Policy"; product:"SmartConsole"]',
        HEADER + '[action:"Prevent"; time:"1769072400"; product:"Anti-Bot"; src:"10.1.1.5"; dst:"198.51.100.7"; '
        'malware_family:"Emotet"; protection_name:"Trojan.Win32.Emotet.TC.a"; severity:"Critical"; '
        'file_md5:"44D88612FEA8A8F36DE82E1278ABB02F"; src_user_name:"jdoe (John Doe)"]',
        HEADER + '[action:"Detect"; time:"1769072400"; product:"Threat Emulation"; file_name:"invoice.docm"; '
        'file_sha1:"3395856CE81F2B7382DEE72602F798B642F14140"; protection_name:"Gen.SB.docm"; severity:"High"]',
        HEADER + '[action:"Drop"; time:"1769072400"; product:"IPS"; src:"203.0.113.50"; dst:"10.1.1.20"; '
        's_port:"4444"; service:"445"; proto:"6"; attack:"SMB exploit"; attack_info:"EternalBlue attempt"; '
        'severity:"High"; inzone:"External"; outzone:"Internal"]',
        HEADER + '[action:"Accept"; time:"1769072400"; product:"VPN-1 & FireWall-1"; src:"10.1.1.5"; '
        'dst:"93.184.216.34"; s_port:"50000"; service:"443"; proto:"6"; client_outbound_bytes:"1200"; '
        'server_outbound_bytes:"56000"; bytes:"57200"; rule_name:"Allow web"; xlatesrc:"198.51.100.1"]',
        HEADER + '[action:"Reject"; time:"1769072400"; product:"VPN-1 & FireWall-1"; src:"10.1.1.5"; '
        'dst:"10.2.2.2"; proto:"6"]',
    ], CTX)  # fmt: skip
    check(rows[0], {"event_class": "authentication", "action": "failure", "user": "i.biachi@customer.com",
                    "message_id": "Log In", "message": "Administrator failed to log in: Wrong Password",
                    "time": utc("2023-12-27T09:39:55"), "product": "SmartConsole", "device": "cp-mgmt"})  # fmt: skip
    check(
        rows[1],
        {"event_class": "system", "action": "config_change", "user": "admin", "message_id": "Install Policy"},
    )
    check(rows[2], {"event_class": "malware_detection", "action": "blocked", "malware_name": "Emotet",
                    "extra.protection_name": "Trojan.Win32.Emotet.TC.a", "severity": "critical",
                    "file_hash": "44d88612fea8a8f36de82e1278abb02f", "user": "jdoe (John Doe)"})  # fmt: skip
    check(rows[3], {"event_class": "malware_detection", "action": "detected", "malware_name": "Gen.SB.docm",
                    "file_path": "invoice.docm", "file_hash": "3395856ce81f2b7382dee72602f798b642f14140"})  # fmt: skip
    check(rows[4], {"event_class": "network_activity", "action": "drop", "message": "EternalBlue attempt",
                    "direction": "inbound", "dst_port": 445, "extra.attack": "SMB exploit", "severity": "high"})  # fmt: skip
    check(rows[5], {"action": "allow", "bytes_out": 1200, "bytes_in": 56000, "bytes_total": 57200,
                    "nat_src_ip": "198.51.100.1", "rule_name": "Allow web", "direction": "outbound"})  # fmt: skip
    check(rows[6], {"action": "reset", "protocol": "tcp"})


def test_quoted_values_keep_separators_and_attacker_text() -> None:
    rows = parse_events(checkpoint, [
        HEADER + '[action:"Drop"; src:"10.1.1.5"; user:"x\\"; src:\\"6.6.6.6\\"; dst:\\"7.7.7.7"; '
        'reason:"a; b: c [d] \\] e"; dst:"10.2.2.2"]',
        "Jan 22 10:00:00 cp-log CheckPoint[123]: [action:\"Accept\"; src:\"10.9.9.9\"]",
    ], CTX)  # fmt: skip
    check(rows[0], {"src_ip": "10.1.1.5", "dst_ip": "10.2.2.2", "user": 'x"; src:"6.6.6.6"; dst:"7.7.7.7',
                    "extra.reason": "a; b: c [d] ] e"})  # fmt: skip
    check(
        rows[1],
        {"time": utc("2026-01-22T09:00:00"), "device": "cp-log", "src_ip": "10.9.9.9", "action": "allow"},
    )


def test_quarantine_and_sniff() -> None:
    result = checkpoint.parse(lines_frame(["<134>1 2026-01-22T09:00:00Z cp CheckPoint 1 - - no data"]), CTX)
    assert result.quarantine["reason"].to_list() == [checkpoint.NO_DATA]
    lines = pl.Series([
        '1 2019-05-15T16:25:50Z HOSTNAME CheckPoint 19710 - [action:"Drop"; flags:"400644"]',
        '<134>1 2025-01-21T09:36:10Z H CheckPoint 16953 - [action:"Drop";...',
        "CEF:0|Check Point|VPN-1 & FireWall-1|Check Point|Log|x|Unknown|act=Accept",
        'date=2026-01-01 logid=0000000013 type=traffic msg="[action:\\"x\\"]"',
        "",
    ])  # fmt: skip
    assert checkpoint.sniff(lines).to_list() == [True, True, False, False, False]
