"""PAN-OS parser: the shared corpus (accounting, hand-checked values, golden files), synthetic records
for the log types and subtypes the corpus lacks, CSV quoting, time zones, directions, and the demo
writer's lines parsed back."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from seclake.demo import panos as writer
from seclake.demo.events import Event
from seclake.demo.orgs import ORGANISATIONS
from seclake.parsers import panos
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

CTX = ParseContext(org="acme", source="fw", date=dt.date(2021, 7, 21), timezone="UTC")
FILES = corpus_files("panos")


def _record(
    log_type: str,
    subtype: str,
    values: dict[int, str],
    length: int,
    header: str = "<14>Jul 20 23:59:02 PA-1 ",
) -> str:
    """A synthetic record: FUTURE_USE 1, times, serial, type, subtype, then ``values`` by position."""
    fields = [""] * length
    fields[:7] = ["1", "2021/07/20 23:59:02", "0123456789", log_type, subtype, "0", "2021/07/20 23:59:00"]
    for position, value in values.items():
        fields[position] = value
    return header + ",".join(fields)


# ---- accounting --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=name)
def test_every_corpus_line_becomes_an_event(path: Path) -> None:
    check_every_line_is_an_event(panos, path, CTX)


@pytest.mark.parametrize("path", FILES, ids=name)
def test_golden(path: Path, update_golden: bool) -> None:
    check_golden(panos.parse(corpus_lines(path), CTX), "panos", name(path), update_golden)


# ---- hand-checked corpus values -----------------------------------------------------------------

HAND_CHECKED: dict[tuple[str, int], dict[str, Any]] = {
    ("Gq5Bjl.json", 1): {
        "time": utc("2018-09-20 13:03:58"), "event_class": "network_activity", "action": "allow",
        "message_id": "TRAFFIC/end", "src_ip": "34.217.108.226", "src_port": 53722, "dst_ip": "10.0.0.102",
        "dst_port": 8088, "nat_src_ip": None, "nat_dst_ip": "10.0.2.65", "protocol": "tcp",
        "rule_name": "splunk", "src_zone": "untrusted", "dst_zone": "trusted", "direction": "inbound",
        "bytes_total": 296, "bytes_out": 296, "bytes_in": 0, "packets": 4, "duration_s": 7.0,
        "device": "PA-VM", "extra.session_end_reason": "aged-out",
    },
    ("Gq5Bjl.json", 3): {
        "time": utc("2018-09-20 13:03:56"), "action": "deny", "vendor_action": "deny",
        "message_id": "TRAFFIC/drop", "src_ip": "134.119.193.57", "src_port": 40478, "dst_port": 60108,
        "nat_src_ip": None, "nat_dst_ip": None, "rule_name": "interzone-default", "extra.outbound_if": None,
    },
    ("zU8yWr.json", 1): {
        "time": utc("2021-07-20 23:59:02"), "event_class": "network_activity", "action": "allow",
        "vendor_action": "alert", "message_id": "THREAT/url", "src_ip": "10.14.6.57", "src_port": 58102,
        "dst_ip": "206.169.145.222", "dst_port": 80, "nat_src_ip": "204.107.141.240", "nat_dst_ip": None,
        "rule_name": "RFC1918 to Internet", "direction": "outbound", "severity": "info",
        "extra.url": "cribl.io/download", "extra.threat_id": "9999", "message": None, "device": "firewall",
    },
    ("6rAgpv.json", 2): {
        "message_id": "ike-config-p1-success", "severity": "info", "event_class": "system", "action": "other",
        "message": "IKE daemon configuration load phase-1 succeeded.", "extra.module": "general",
        "extra.vsys": None, "extra.subtype": "vpn",
    },
    ("6rAgpv.json", 1): {"message_id": "routed-config-p1-success", "extra.module": "general", "device": "firewall"},
    ("QQERZg.json", 1): {
        "time": utc("2021-07-20 00:53:40"), "event_class": "system", "action": "config_change",
        "vendor_action": "commit", "message_id": "CONFIG/commit", "user": "admin", "src_ip": "192.168.0.1",
        "extra.client": "Web", "extra.result": "Submitted",
    },
    ("61hEQ9.json", 1): {
        "event_class": "system", "action": "other", "message_id": "GLOBALPROTECT/gateway-hip-report",
        "user": "user", "src_ip": "76.1.1.1", "host": "sysadmin", "extra.private_ip": "10.1.15.252",
        "rule_name": "opo-mgm-portal", "vendor_action": "success",
    },
    ("dkSNsf.json", 1): {
        "event_class": "system", "action": "other", "user": "xx.xx", "host": "xx-xxxxx-mb",
        "src_ip": "10.252.31.187", "rule_name": "GP-HIP", "device": "xxxxx",
    },
    ("BvsW2V.json", 1): {
        "event_class": "malware_detection", "action": "detected", "message_id": "CORRELATION/6005",
        "src_ip": "1.2.3.4", "user": "username", "severity": "medium", "rule_name": "beacon-heuristics",
        "message": "Host visited known malware URL (100 times).", "device": "us2",
    },
    ("PaloAltoFirewall.tests.jsonl", 1): {
        "time": utc("2020-05-07 02:40:06"), "src_ip": "103.125.191.136", "src_port": 52564,
        "dst_ip": "10.0.0.10", "dst_port": 8088, "action": "allow", "rule_name": "splunk", "nat_dst_ip": None,
    },
    ("PaloAltoFirewall.tests.jsonl", 2): {"src_ip": "111.223.73.130", "dst_ip": "172.16.2.242", "bytes_out": 296},
    ("PaloAltoFirewall.tests.jsonl", 6): {"src_ip": "172.16.2.242", "dst_ip": "51.15.82.93", "dst_port": 8088},
    ("PaloAltoFirewall.tests.jsonl", 7): {
        "time": utc("2022-08-24 09:13:48"), "src_ip": "10.0.1.200", "src_port": 51242, "dst_ip": "52.40.10.231",
        "dst_port": 443, "nat_src_ip": "71.39.18.125", "extra.nat_src_port": "54518", "direction": "outbound",
        "bytes_total": 5057, "bytes_out": 1938, "bytes_in": 3119, "rule_name": "Inside-Outside", "device": "10.0.1.1",
    },
    ("PaloAltoFirewall.tests.jsonl", 8): {
        "time": utc("2022-08-24 09:12:40"), "message_id": "TRAFFIC/start", "user": "frothly.local\\grace.hoppy",
        "src_ip": "10.0.2.103", "dst_ip": "10.0.1.120", "dst_port": 8014, "direction": "internal",
        "extra.parse_error": "text after a line break not read",
    },
    ("paloalto.ini", 9): {
        "time": dt.datetime(2021, 7, 12, 8, 46, 1, 359000, tzinfo=dt.UTC), "action": "reset",
        "vendor_action": "reset-both", "message_id": "THREAT/vulnerability", "src_ip": "199.195.252.165",
        "src_port": 55094, "dst_ip": "172.30.250.61", "dst_port": 443, "nat_dst_ip": "10.20.0.19",
        "severity": "high", "message": "DCS-2530L Unauthenticated Information Disclosure Vulnerability",
        "extra.threat_id": "90255", "extra.threat_class": "info-leak", "device": "UAT-INTERNET-FW-01",
        "rule_name": "GPS-UAT-MODULR-Web-443-OUT", "extra.url": "getuser",
    },
    ("paloalto.ini", 12): {
        "time": dt.datetime(2021, 7, 15, 10, 59, 3, 547000, tzinfo=dt.UTC), "action": "deny",
        "src_ip": "10.210.0.84", "dst_ip": "51.11.168.232", "src_port": 500, "dst_port": 500, "protocol": "udp",
        "direction": "outbound", "rule_name": "DENY-ALL", "device": "P1A-GWLB-CORE-FW01",
    },
    ("paloalto.ini", 1): {"time": utc("2020-02-09 00:00:00"), "event_class": "system", "message_id": "SYSTEM"},
    ("paloalto.ini", 5): {"event_class": "system", "action": "other", "message_id": "OTHERS"},
    ("paloalto.ini", 8): {"severity": "medium", "message": "xxxxxxxxxxxxxxx", "device": "XXX-XX-XX"},
    ("paloalto.ini", 13): {"time": None, "src_ip": None, "dst_ip": None, "rule_name": "xxx-xxx_xxxx", "action": None},
}  # fmt: skip


def test_hand_checked_corpus_values() -> None:
    by_name = {p.name: p for p in FILES}
    checked = set()
    for (file, line), expected in HAND_CHECKED.items():
        check(events_by_line(panos, by_name[file], CTX)[line], expected)
        checked.add(file)
    assert checked == set(by_name)


# ---- sniffing -----------------------------------------------------------------------------------


def test_sniff() -> None:
    lines = pl.Series(
        [
            "<14>Sep 20 13:03:58 PA-VM 1,2018/09/20 13:03:58,44A1B3FC68F5304,TRAFFIC,end,2049,x",
            "0,2021/07/12 09:46:23,321321321,THREAT,vulnerability,0,2021/07/12 09:46:00",
            "Apr 30 06:00:00 xx-xx-xx.xx 1,2020/02/09 00:00:00,00000000,SYSTEM,",
            "<166>Nov 20 2022 02:32:35 ciscoasa : %ASA-6-302013: Built outbound TCP connection 1",
            "Nov  8 12:37:34 pfSense filterlog: 5,,,1000102433,em0,match,block,in,4,0x0,,128,1,0,none,17,udp",
            "",
            None,
        ]
    )
    assert panos.sniff(lines).to_list() == [True, True, True, False, False, False, False]
    corpus = pl.concat([corpus_lines(p)["raw"] for p in FILES])
    assert panos.sniff(corpus).all()


# ---- CSV quoting --------------------------------------------------------------------------------


def test_quoted_fields_keep_their_commas_and_quotes() -> None:
    threat = _record(
        "THREAT",
        "url",
        {
            7: "10.1.1.5", 8: "203.0.113.9", 11: "web", 16: "trust", 17: "untrust", 24: "50000", 25: "443",
            29: "tcp", 30: "block-url", 31: '"example.com/a,b?q=""x"""', 32: "(9999)", 33: "malware",
            34: "medium", 46: '"Mozilla/5.0 (X11, Linux)"', 59: "PA-1",
        },
        80,
    )  # fmt: skip
    row = one(panos, threat, CTX)
    check(
        row,
        {
            "extra.url": 'example.com/a,b?q="x"', "extra.threat_category": "malware", "severity": "medium",
            "extra.user_agent": "Mozilla/5.0 (X11, Linux)", "device": "PA-1", "action": "deny",
            "vendor_action": "block-url", "direction": "outbound",
        },
    )  # fmt: skip
    system = _record(
        "SYSTEM",
        "general",
        {
            8: "general",
            12: "general",
            13: "informational",
            14: '"Alert, admin ""x"" did y"',
            15: "9",
            22: "PA-1",
        },
        26,
    )
    check(
        one(panos, system, CTX), {"message": 'Alert, admin "x" did y', "extra.seqno": "9", "device": "PA-1"}
    )


def test_quoted_text_cannot_shift_positions() -> None:
    # an attacker-chosen URL full of commas and quotes stays in the misc field
    url = '"evil.example/,,,,,10.0.0.1,1,2,3,allow,""x"""'
    row = one(
        panos,
        _record(
            "THREAT",
            "url",
            {7: "10.1.1.5", 8: "198.51.100.7", 29: "tcp", 30: "alert", 31: url, 34: "low"},
            60,
        ),
        CTX,
    )
    check(
        row, {"extra.url": 'evil.example/,,,,,10.0.0.1,1,2,3,allow,"x"', "severity": "low", "action": "allow"}
    )


# ---- log types and subtypes ---------------------------------------------------------------------

_THREAT = {7: "203.0.113.50", 8: "10.1.1.20", 11: "inbound-web", 16: "untrust", 17: "dmz", 24: "443", 25: "50515",
           29: "tcp", 31: "invoice.exe", 33: "any", 35: "server-to-client",
           43: "C1E2" * 16}  # fmt: skip


@pytest.mark.parametrize(
    ("subtype", "action", "expected"),
    [
        ("virus", "reset-both", {"event_class": "malware_detection", "action": "blocked", "malware_name": "Virus/Win32.WGeneric.abc", "file_path": "invoice.exe"}),
        ("virus", "alert", {"event_class": "malware_detection", "action": "detected"}),
        ("virus", "allow", {"event_class": "malware_detection", "action": "allowed"}),
        ("wildfire-virus", "drop", {"event_class": "malware_detection", "action": "blocked", "file_hash": "c1e2" * 16}),
        ("spyware", "sinkhole", {"event_class": "network_activity", "action": "deny", "malware_name": "Virus/Win32.WGeneric.abc"}),
        ("vulnerability", "drop", {"event_class": "network_activity", "action": "drop", "malware_name": None, "file_path": None}),
        ("wildfire", "alert", {"event_class": "network_activity", "action": "allow", "file_path": "invoice.exe"}),
    ],
)  # fmt: skip
def test_threat_subtypes(subtype: str, action: str, expected: dict[str, Any]) -> None:
    values = _THREAT | {4: subtype, 30: action, 32: "Virus/Win32.WGeneric.abc(2200001)", 34: "critical"}
    row = one(panos, _record("THREAT", subtype, values, 80), CTX)
    check(row, {"severity": "critical", "message": "Virus/Win32.WGeneric.abc", "extra.threat_id": "2200001",
                "direction": "inbound", "vendor_action": action, "message_id": f"THREAT/{subtype}"} | expected)  # fmt: skip


@pytest.mark.parametrize(
    ("eventid", "description", "expected"),
    [
        ("auth-fail", "failed authentication for user 'admin'.  Reason: Invalid username or password. From: 198.51.100.4.",
         {"event_class": "authentication", "action": "failure", "user": "admin", "src_ip": "198.51.100.4"}),
        ("auth-success", "authenticated for user 'ops\\jane'.  auth profile 'x', From: 10.0.0.8.",
         {"event_class": "authentication", "action": "success", "user": "ops\\jane", "src_ip": "10.0.0.8"}),
        ("general", "User admin logged in via Web from 10.0.0.9 using https",
         {"event_class": "authentication", "action": "success", "user": "admin", "src_ip": "10.0.0.9"}),
        ("general", "User admin logged out via Web from 10.0.0.9",
         {"event_class": "authentication", "action": None, "user": "admin"}),
        ("link-change", "Port ethernet1/3: Down 1Gb/s-full duplex",
         {"event_class": "system", "action": "down", "rule_name": "ethernet1/3", "vendor_action": "Down"}),
        ("link-change", "Port ethernet1/3: Up 1Gb/s-full duplex", {"action": "up", "rule_name": "ethernet1/3"}),
        ("state-change", "HA Group 1: Moved from state Passive to state Active",
         {"action": "failover", "rule_name": "HA Group 1", "vendor_action": "Active", "extra.ha_state_from": "Passive"}),
        ("state-change", "HA Group 1: Moved from state Active to state Non-Functional", {"action": "down"}),
        ("ha2-link-change", "HA2 peer link down", {"action": "down", "rule_name": "HA2 peer link"}),
        ("tunnel-status", "tunnel to-branch-1 is down", {"action": "down", "rule_name": "to-branch-1"}),
        ("tunnel-status", "tunnel to-branch-1 is up", {"action": "up", "rule_name": "to-branch-1"}),
        ("general", "Installed antivirus package: panup-all-antivirus-4339-4843.candidate", {"action": "update_success"}),
        ("general", "Content update job failed for user Auto update agent", {"action": "update_failed"}),
        ("globalprotectgateway-auth-fail", "GlobalProtect gateway user authentication failed. Login from: 198.51.100.4, User name: bob, Reason: x.",
         {"event_class": "authentication", "action": "failure", "user": "bob", "src_ip": "198.51.100.4"}),
        ("globalprotectgateway-regist-succ", "GlobalProtect gateway user login succeeded. User name: bob",
         {"event_class": "system", "action": "up", "user": "bob"}),
        ("routed-config-p1-success", "Route daemon configuration load phase-1 succeeded.", {"event_class": "system", "action": "other"}),
    ],
)  # fmt: skip
def test_system_events(eventid: str, description: str, expected: dict[str, Any]) -> None:
    quoted = '"' + description.replace('"', '""') + '"'
    values = {8: eventid, 9: "obj", 12: "general", 13: "high", 14: quoted, 22: "PA-1"}
    row = one(panos, _record("SYSTEM", "general", values, 26), CTX)
    check(
        row, {"message": description, "message_id": eventid, "device": "PA-1", "severity": "high"} | expected
    )


def test_config_and_globalprotect() -> None:
    config = _record("CONFIG", "0", {7: "10.0.0.5", 8: "vsys1", 9: "delete", 10: "jane", 11: "CLI", 12: "Succeeded",
                                      13: "rulebase security rules allow-any", 21: "PA-1"}, 25)  # fmt: skip
    check(one(panos, config, CTX), {"action": "config_change", "vendor_action": "delete", "user": "jane", "src_ip": "10.0.0.5",
                                    "message": "delete rulebase security rules allow-any", "device": "PA-1"})  # fmt: skip
    failed = _record("CONFIG", "0", {9: "commit", 10: "jane", 12: "Failed"}, 16)
    check(one(panos, failed, CTX), {"action": "other", "vendor_action": "commit", "extra.result": "Failed"})
    gp = {8: "portal-auth", 12: "bob", 14: "LAPTOP-7", 15: "198.51.100.4", 28: "failure", 33: "GP-Portal"}
    check(one(panos, _record("GLOBALPROTECT", "0", gp, 49), CTX),
          {"event_class": "authentication", "action": "failure", "user": "bob", "host": "laptop-7",
           "src_ip": "198.51.100.4", "rule_name": "GP-Portal"})  # fmt: skip


def test_short_unknown_and_junk_records() -> None:
    result = parse_lines(
        panos,
        [
            "<14>Jul 20 23:59:02 PA-1 1,2021/07/20 23:59:02,0123456789,TRAFFIC,end,0,2021/07/20 23:59:00,10.0.0.1",
            "<14>Jul 20 23:59:02 PA-1 1,2021/07/20 23:59:02,0123456789,USERID,login,0,2021/07/20 23:59:00,vsys1",
            "<14>Jul 20 23:59:02 PA-1 1,2021/07/20 23:59:02,0123456789,THREAT,,0,2021/07/20 23:59:00",
            "<14>Jul 20 23:59:02 PA-1 this is not a PAN-OS record",
        ],
        CTX,
    )
    rows = events(result)
    check(rows[0], {"src_ip": "10.0.0.1", "dst_ip": None, "message_id": "TRAFFIC/end", "action": None})
    check(rows[1], {"event_class": "system", "action": "other", "message_id": "USERID/login"})
    check(rows[2], {"event_class": "network_activity", "message_id": "THREAT"})
    assert result.quarantine["reason"].to_list() == [panos.NO_RECORD]
    assert result.quarantine["raw_line"].to_list() == [4]


# ---- time, envelope, direction ------------------------------------------------------------------


def test_times_are_read_in_the_source_timezone() -> None:
    ctx = ParseContext(org="acme", source="fw", date=dt.date(2021, 7, 21), timezone="Asia/Ho_Chi_Minh")
    local = _record("SYSTEM", "general", {8: "general", 13: "low", 14: "x"}, 26)
    assert one(panos, local, ctx)["time"] == dt.datetime(2021, 7, 20, 16, 59, 0, tzinfo=dt.UTC)
    high_res = _record(
        "SYSTEM", "general", {8: "general", 13: "low", 14: "x", 25: "2021-07-20T23:59:00.250+02:00"}, 26
    )
    assert one(panos, high_res, ctx)["time"] == dt.datetime(2021, 7, 20, 21, 59, 0, 250000, tzinfo=dt.UTC)
    no_generated = _record("SYSTEM", "general", {6: "2021/00/00 00:00:00", 8: "general"}, 26)
    assert one(panos, no_generated, ctx)["time"] == dt.datetime(2021, 7, 20, 16, 59, 2, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "header",
    [
        "<14>1 2021-07-20T23:59:02+00:00 PA-1 - - - - ",
        "2021-07-20T23:59:02Z PA-1 ",
        "Jul 20 23:59:02 PA-1 ",
        "<14>Jul 20 23:59:02 PA-1: ",
    ],
)
def test_envelopes(header: str) -> None:
    row = one(panos, _record("CONFIG", "0", {9: "set", 10: "jane"}, 16, header=header), CTX)
    check(row, {"device": "PA-1", "user": "jane", "time": utc("2021-07-20 23:59:00")})


@pytest.mark.parametrize(
    "header",
    ["<14>Jul 20 23:59:02 pare-feu-zürich ", '<14>Jul 20 23:59:02 pare-feu-zürich "relay", '],
)
def test_a_header_with_non_ascii_text_is_cut_at_the_record(header: str) -> None:
    """The record is found by a byte offset: the header before it is cut by bytes, not characters
    (a header holding a quote or comma is sliced off; without a device name the envelope names it)."""
    row = one(panos, _record("CONFIG", "0", {9: "set", 10: "jane"}, 16, header=header), CTX)
    check(row, {"device": "pare-feu-zürich", "user": "jane", "vendor_action": "set"})
    assert row["raw"].startswith(header)


def test_headerless_record_takes_the_serial_as_device() -> None:
    row = one(panos, _record("CONFIG", "0", {9: "set"}, 16, header=""), CTX)
    check(row, {"device": "0123456789", "time": utc("2021-07-20 23:59:00")})


@pytest.mark.parametrize(
    ("zones", "ips", "options", "direction"),
    [
        (("Trust", "Untrust"), ("10.0.0.1", "10.0.0.2"), {}, "outbound"),
        (("outside", "dmz"), ("198.51.100.1", "172.16.0.5"), {}, "inbound"),
        (("inside", "servers"), ("10.0.0.1", "10.0.2.2"), {}, "internal"),
        (("L3-A", "L3-B"), ("10.0.0.1", "198.51.100.1"), {}, "outbound"),
        (
            ("L3-A", "L3-B"),
            ("10.0.0.1", "198.51.100.1"),
            {"external_zones": "L3-A", "internal_zones": "l3-b"},
            "inbound",
        ),
    ],
)
def test_direction(
    zones: tuple[str, str], ips: tuple[str, str], options: dict[str, str], direction: str
) -> None:
    ctx = ParseContext(org="acme", source="fw", date=dt.date(2021, 7, 21), options=options)
    values = {7: ips[0], 8: ips[1], 16: zones[0], 17: zones[1], 29: "udp", 30: "allow"}
    assert one(panos, _record("TRAFFIC", "end", values, 60), ctx)["direction"] == direction


def test_icmp_has_no_ports_and_nat_zero_is_no_nat() -> None:
    values = {
        7: "10.0.0.1",
        8: "8.8.8.8",
        9: "0.0.0.0",
        10: "0.0.0.0",
        24: "0",
        25: "0",
        29: "icmp",
        30: "drop ICMP",
    }
    row = one(panos, _record("TRAFFIC", "drop", values, 60), CTX)
    check(row, {"src_port": None, "dst_port": None, "nat_src_ip": None, "nat_dst_ip": None, "action": "drop"})


# ---- demo writer round trip ---------------------------------------------------------------------


def test_demo_writer_lines_parse_back() -> None:
    org = ORGANISATIONS[2]  # Thames Accounting: a PAN-OS firewall (port names ethernet1/N)
    t = dt.datetime(2026, 11, 10, 3, 0, tzinfo=dt.UTC).timestamp()
    neutral = [
        Event(t, "conn", {"proto": "tcp", "src_if": "inside", "src_ip": "10.10.1.21", "src_port": 50123,
                          "dst_if": "outside", "dst_ip": "93.184.216.34", "dst_port": 443,
                          "nat_src": (org.public_ip, 50123), "nat_dst": None, "duration": 65, "bytes": 1000,
                          "user": "nguyen.an"}),
        Event(t + 1, "deny", {"style": "acl", "proto": "tcp", "src_if": "outside", "src_ip": "45.1.2.3",
                              "src_port": 40000, "dst_if": "outside", "dst_ip": org.public_ip, "dst_port": 22,
                              "acl": "outside_access_in"}),
        Event(t + 2, "vpn_auth", {"ok": False, "server": "x", "user": "bob", "ip": "45.1.2.3", "reason": "Invalid password"}),
        Event(t + 3, "vpn_start", {"assigned": "10.10.99.5", "user": "bob", "ip": "45.1.2.3", "group": "g"}),
        Event(t + 4, "vpn_end", {"duration": 100, "user": "bob", "ip": "45.1.2.3", "group": "g"}),
        Event(t + 5, "admin_login", {"user": "netadmin", "ip": "10.10.1.21", "port": 5000}),
        Event(t + 6, "admin_command", {"user": "netadmin", "command": "shun 45.1.2.3, now"}),
        Event(t + 7, "link", {"interface": "servers", "state": "down", "admin": False}),
        Event(t + 8, "link", {"interface": "servers", "state": "down", "admin": True}),
        Event(t + 9, "shun_drop", {"src_ip": "45.1.2.3", "dst_ip": org.public_ip}),
    ]  # fmt: skip
    lines = writer.render(neutral, org, random.Random(1))
    assert len(lines) == 9
    assert panos.sniff(pl.Series([line.text for line in lines])).all()
    ctx = ParseContext(org="acme", source="fw", date=dt.date(2026, 11, 10), timezone=org.timezone)
    rows = events(parse_lines(panos, [line.text for line in sorted(lines, key=lambda line: line.time)], ctx))
    for row, line in zip(rows, sorted(lines, key=lambda line: line.time), strict=True):
        assert row["time"] == dt.datetime.fromtimestamp(int(line.time), dt.UTC), row["raw"]
        assert row["device"] == org.firewall
    check(
        rows[0],
        {
            "action": "deny",
            "src_ip": "45.1.2.3",
            "src_port": 40000,
            "dst_port": 22,
            "rule_name": "outside_access_in",
        },
    )
    check(
        rows[1], {"event_class": "authentication", "action": "failure", "user": "bob", "src_ip": "45.1.2.3"}
    )
    check(rows[2], {"event_class": "system", "action": "up", "user": "bob", "extra.private_ip": "10.10.99.5"})
    check(rows[3], {"event_class": "system", "action": "down", "user": "bob"})
    check(
        rows[4],
        {"event_class": "authentication", "action": "success", "user": "netadmin", "src_ip": "10.10.1.21"},
    )
    check(rows[5], {"action": "config_change", "user": "netadmin", "message": "set shun 45.1.2.3, now"})
    check(rows[6], {"event_class": "system", "action": "down", "rule_name": "ethernet1/3"})
    check(
        rows[7], {"action": "drop", "src_ip": "45.1.2.3", "dst_ip": org.public_ip, "rule_name": "block-list"}
    )
    check(rows[8], {"action": "allow", "src_ip": "10.10.1.21", "src_port": 50123, "dst_ip": "93.184.216.34",
                    "dst_port": 443, "nat_src_ip": org.public_ip, "src_zone": "inside", "dst_zone": "outside",
                    "direction": "outbound", "bytes_total": 1000, "duration_s": 65.0,
                    "user": f"{org.domain}\\nguyen.an"})  # fmt: skip


def test_empty_and_all_junk_frames() -> None:
    assert parse_lines(panos, [], CTX).lines == 0
    result = parse_lines(panos, ["junk only"], CTX)
    assert result.events.height == 0
    assert result.quarantine["reason"].to_list() == [panos.NO_RECORD]
