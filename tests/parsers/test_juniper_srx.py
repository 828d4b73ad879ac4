"""Juniper SRX parser: the corpus (accounting, hand-checked values, golden files), plain-text
RT_FLOW and interface events, system tags, attacker-controlled parameter values, sniffing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from seclake.parsers import juniper_srx
from tests.corpus import corpus_files, corpus_lines
from tests.parsers.checks import (
    CTX,
    check,
    check_corpus_values,
    check_every_line_is_an_event,
    events,
    name,
    parse_lines,
)
from tests.parsers.golden import check_golden

FILES = corpus_files("juniper_srx")


@pytest.mark.parametrize("path", FILES, ids=name)
def test_every_corpus_line_is_an_event(path: Path) -> None:
    check_every_line_is_an_event(juniper_srx, path)


@pytest.mark.parametrize("path", FILES, ids=name)
def test_golden(path: Path, update_golden: bool) -> None:
    check_golden(juniper_srx.parse(corpus_lines(path), CTX), "juniper_srx", name(path), update_golden)


HAND_CHECKED = {
    "test-utm.log": [
        (1, {"message_id": "WEBFILTER_URL_BLOCKED", "event_class": "network_activity", "action": "deny",
             "src_ip": "1.128.3.4", "src_port": 58071, "dst_ip": "175.16.199.1", "dst_port": 80, "rule_name": "cat1",
             "user": "user01", "device": "utm-srx550-b", "severity": "low", "extra.url": "www.baidu.com",
             "time": dt.datetime(2016, 2, 18, 1, 32, 50, 391000, tzinfo=dt.UTC)}),
        (2, {"action": "allow", "rule_name": None, "extra.reason": "BY_OTHER", "user": "user02"}),
        (3, {"event_class": "malware_detection", "action": "blocked", "malware_name": "EICAR-Test-File",
             "file_path": "www.eicar.org/download/eicar.com", "src_zone": "untrust", "src_port": 80,
             "dst_port": 47095}),
        (4, {"event_class": "malware_detection", "action": "blocked", "malware_name": None,
             "extra.error_message": "scan engine is not ready"}),
        (6, {"action": "drop", "vendor_action": "drop", "rule_name": "antispam01", "direction": "outbound",
             "src_zone": "trust", "dst_zone": "untrust", "dst_ip": None}),
        (7, {"action": "drop", "direction": "inbound", "user": "user01@testuser.com", "extra.filename": "test.cmd",
             "extra.protocol": "http", "protocol": None}),
        (9, {"message_id": "AV_VIRUS_DETECTED_MT_LS", "event_class": "malware_detection", "action": "blocked"}),
        (12, {"vendor_action": "BLOCKED", "action": "blocked", "src_zone": "trust", "user": None,
              "time": dt.datetime(2020, 7, 14, 14, 17, 4, 733000, tzinfo=dt.UTC)}),
    ],
    "junos.ini": [
        (1, {"message_id": "RT_SCREEN_IP", "action": "deny", "vendor_action": "drop", "rule_name": "IP spoofing!",
             "src_ip": "1.1.1.1", "protocol": "udp", "src_zone": "mpls-untrust", "device": "sis-srx-EUH-03",
             "extra.interface_name": "xxxx.111", "time": dt.datetime(2017, 8, 24, 4, 58, 58, 724000, tzinfo=dt.UTC)}),
        (2, {"message_id": "RT_FLOW_SESSION_DENY", "action": "deny", "rule_name": "Local-Default-Deny",
             "src_ip": "192.168.1.1", "src_port": 1080, "dst_ip": "192.168.1.2", "dst_port": 8010, "protocol": "udp",
             "src_zone": "trust", "dst_zone": "untrust", "direction": "outbound", "user": None,
             "extra.reason": "policy deny", "extra.packet_incoming_interface": "intf2.302",
             "device": "sis-srx-mic-01"}),
        (3, {"message_id": "FLOW_MCAST_RPF_FAIL", "action": "drop", "protocol": "udp", "direction": "internal",
             "extra.interface_name": "intf1.326", "time": dt.datetime(2017, 9, 21, 15, 25, 6, 141000, tzinfo=dt.UTC)}),
    ],
}  # fmt: skip


@pytest.mark.parametrize("path", FILES, ids=name)
def test_hand_checked_values(path: Path) -> None:
    check_corpus_values(juniper_srx, path, dict(HAND_CHECKED[path.name]))


SD = "<14>1 2019-12-27T09:48:23.298+01:00 YAOFW01 RT_FLOW - "


def test_structured_close_with_nat_counters_and_logical_system() -> None:
    result = parse_lines(
        juniper_srx,
        [
            SD
            + 'RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.28 reason="idle Timeout" source-address="10.40.186.212" '
            'source-port="38812" destination-address="41.202.217.132" destination-port="53" '
            'nat-source-address="41.202.207.5" nat-source-port="23329" nat-destination-address="41.202.217.132" '
            'protocol-id="17" policy-name="Gi_TO_Untrust_1" source-zone-name="Gi-SZ" destination-zone-name="Untrust" '
            'session-id-32="94942576" packets-from-client="1" bytes-from-client="70" packets-from-server="1" '
            'bytes-from-server="130" elapsed-time="3" username="N/A" encrypted="No "]',
            SD + 'RT_FLOW_SESSION_CREATE_LS [junos@2636.1.1.1.2.26 logical-system-name="test-lsys" '
            'source-address="10.10.10.100" source-port="4206" destination-address="10.20.20.15" '
            'destination-port="445" protocol-id="6" policy-name="123" source-zone-name="TEST1" '
            'destination-zone-name="TEST2" username="CORP\\\\alice"]',
        ],
    )
    close, create = events(result)
    check(close, {"time": dt.datetime(2019, 12, 27, 8, 48, 23, 298000, tzinfo=dt.UTC), "action": "allow",
                  "vendor_action": "closed", "nat_src_ip": "41.202.207.5", "nat_dst_ip": None, "bytes_out": 70,
                  "bytes_in": 130, "bytes_total": 200, "packets": 2, "duration_s": 3.0, "direction": "outbound",
                  "severity": "info", "extra.reason": "idle Timeout", "extra.session_id_32": "94942576",
                  "extra.nat_source_port": "23329"})  # fmt: skip
    check(create, {"message_id": "RT_FLOW_SESSION_CREATE_LS", "action": "allow", "protocol": "tcp",
                   "direction": "internal", "rule_name": "123", "user": "CORP\\alice",
                   "extra.logical_system_name": "test-lsys"})  # fmt: skip


def test_text_inside_a_quoted_value_is_never_a_parameter() -> None:
    row = events(
        parse_lines(
            juniper_srx,
            [
                SD + 'RT_FLOW_SESSION_DENY [junos@2636.1.1.1.2.39 reason="x source-address=6.6.6.6 '
                'destination-port=\\"1\\"" policy-name="p] source-address=\\"7.7.7.7\\"" source-address="192.0.2.1" '
                'destination-address="198.51.100.2" destination-port="22" protocol-id="6"]',
            ],
        )
    )[0]
    check(row, {"src_ip": "192.0.2.1", "dst_ip": "198.51.100.2", "dst_port": 22, "action": "deny",
                "extra.reason": 'x source-address=6.6.6.6 destination-port="1"',
                "rule_name": 'p] source-address="7.7.7.7"'})  # fmt: skip


def test_plain_text_events() -> None:
    result = parse_lines(
        juniper_srx,
        [
            "Nov 18 09:56:58 INTERNET-ROUTER RT_FLOW: RT_FLOW_SESSION_CREATE: session created "
            "192.168.1.102/58662->8.8.8.8/53 junos-dns-udp 68.144.1.1/55893->8.8.8.8/53 TRUST-INET-ACCESS None 17 "
            "OUTBOUND-INTERNET-ACCESS TRUST INTERNET 6316 N/A(N/A) vlan.192",
            "Nov 18 09:57:58 INTERNET-ROUTER RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed TCP FIN: "
            "2001:db8::5/58662->2001:db8:1::8/443 junos-https 2001:db8::5/58662->2001:db8:1::8/443 None None 6 "
            "OUT TRUST INTERNET 6316 10(1200) 12(9000) 60 alice(staff) vlan.192",
            "Nov 18 09:58:58 INTERNET-ROUTER RT_FLOW: RT_FLOW_SESSION_DENY: session denied "
            "203.0.113.9/4444->68.144.1.1/22 junos-ssh 6(0) default-deny INTERNET junos-host",
            "Nov 18 10:00:00 srx1 mib2d[1234]: SNMP_TRAP_LINK_DOWN: ifIndex 584, ifAdminStatus up(1), "
            "ifOperStatus down(2), ifName ge-0/0/45",
            "Nov 18 10:05:00 srx1 mib2d[1234]: SNMP_TRAP_LINK_UP: ifIndex 584, ifAdminStatus up(1), "
            "ifOperStatus up(1), ifName ge-0/0/45",
            "Nov 18 10:06:00 srx1 sshd[99]: SSHD_LOGIN_FAILED: Login failed for user 'root' from host '203.0.113.9'",
            "Nov 18 10:07:00 srx1 mgd[77]: UI_COMMIT: User 'admin' requested 'commit' operation",
            "Jan 23 10:00:00 host sshd[1]: Accepted password for root",
        ],
    )
    create, close, deny, down, up, login, commit = events(result)
    check(create, {"time": dt.datetime(2025, 11, 18, 9, 56, 58, tzinfo=dt.UTC), "src_ip": "192.168.1.102",
                   "dst_port": 53, "nat_src_ip": "68.144.1.1", "protocol": "udp", "rule_name": "OUTBOUND-INTERNET-ACCESS",
                   "src_zone": "TRUST", "dst_zone": "INTERNET", "direction": "outbound", "device": "INTERNET-ROUTER",
                   "user": None, "extra.session_id_32": "6316"})  # fmt: skip
    check(close, {"src_ip": "2001:db8::5", "dst_ip": "2001:db8:1::8", "dst_port": 443, "nat_src_ip": None,
                  "bytes_out": 1200, "bytes_in": 9000, "packets": 22, "duration_s": 60.0, "user": "alice",
                  "extra.reason": "TCP FIN"})  # fmt: skip
    check(deny, {"action": "deny", "dst_port": 22, "protocol": "tcp", "rule_name": "default-deny",
                 "direction": "inbound"})  # fmt: skip
    check(down, {"event_class": "system", "action": "down", "rule_name": "ge-0/0/45", "device": "srx1",
                 "direction": None})  # fmt: skip
    check(up, {"event_class": "system", "action": "up", "rule_name": "ge-0/0/45"})
    check(login, {"event_class": "authentication", "action": "failure", "message_id": "SSHD_LOGIN_FAILED"})
    check(commit, {"event_class": "system", "action": "config_change"})
    assert result.quarantine.select("raw_line", "reason").rows() == [(8, juniper_srx.NO_TAG)]


def test_idp_and_screens() -> None:
    (idp, alarm) = events(
        parse_lines(
            juniper_srx,
            [
                SD.replace("RT_FLOW", "RT_IDP") + "IDP_ATTACK_LOG_EVENT [junos@2636.1.1.1.2.40 "
                'source-address="198.51.100.7" source-port="4444" destination-address="10.0.0.5" '
                'destination-port="80" protocol-name="TCP" source-zone-name="untrust" destination-zone-name="trust" '
                'attack-name="HTTP:SQL:INJ:GENERIC" action="DROP" threat-severity="HIGH" policy-name="idp1"]',
                SD.replace("RT_FLOW", "RT_IDS")
                + 'RT_SCREEN_TCP [junos@2636.1.1.1.2.40 attack-name="SYN flood!" '
                'source-address="198.51.100.7" destination-address="10.0.0.5" action="alarm-without-drop"]',
            ],
        )
    )
    check(idp, {"action": "drop", "rule_name": "HTTP:SQL:INJ:GENERIC", "severity": "high", "vendor_severity": "HIGH",
                "direction": "inbound", "protocol": "tcp", "extra.policy_name": "idp1"})  # fmt: skip
    check(alarm, {"action": "allow", "vendor_action": "alarm-without-drop", "rule_name": "SYN flood!"})


def test_sniff() -> None:
    lines = pl.Series(
        [
            SD + 'RT_FLOW_SESSION_CLOSE [junos@2636.1.1.1.2.28 reason="x"]',
            'Aug 24 04:58:58 192.168.1.1 junos-ids: 2017-08-24T04:58:58.724Z h RT_IDS - RT_SCREEN_IP [junos@1.1.1.1.2.1 a="b"]',
            "Nov 18 09:56:58 INTERNET-ROUTER RT_FLOW: RT_FLOW_SESSION_CREATE: session created 1.1.1.1/1->2.2.2.2/2",
            "Nov 18 10:00:00 srx1 mib2d[1234]: SNMP_TRAP_LINK_DOWN: ifIndex 584, ifName ge-0/0/45",
            "2014-05-23T10:25:58-04:00 10.10.10.1 ssg5-serial: NetScreen device_id=0275112227993284  [Root]system-"
            "information-00767: System configuration saved",
            "<166>Nov 20 2022 02:32:35 ciscoasa : %ASA-6-302013: Built outbound TCP connection 1",
            "Jan 23 10:00:00 srv kernel: [UFW BLOCK] IN=eth0 OUT= SRC=1.2.3.4 DST=10.0.0.5 LEN=60 PROTO=TCP",
        ]
    )
    assert juniper_srx.sniff(lines).to_list() == [True, True, True, True, False, False, False]


def test_usual_bodies_and_the_others_read_the_same_values() -> None:
    """The usual structured line is cut by position, any other by the general patterns: an escape
    or text after the closing ``]`` (body) and a relay header in front (head) send a line the
    general way (a ``]`` inside a quoted value does not), and the values read are the same."""
    params = (
        'source-address="10.0.0.5" source-port="51000" destination-address="198.51.100.7" '
        'destination-port="443" service-name="junos-https" protocol-id="6" policy-name="p1" '
        'source-zone-name="trust" destination-zone-name="untrust" application="{app}"'
    )
    head = "<14>1 2026-03-02T10:00:00.000Z srx1 RT_FLOW - RT_FLOW_SESSION_CREATE "
    usual = head + "[junos@2636.1.1.1.2.40 " + params.format(app="HTTPS") + "]"
    others = [
        head + "[junos@2636.1.1.1.2.40 " + params.format(app='say \\"hi\\"') + "]",
        head + "[junos@2636.1.1.1.2.40 " + params.format(app="a]b") + "]",
        head + "[junos@2636.1.1.1.2.40 " + params.format(app="HTTPS") + "] session created",
        "Mar  2 10:00:00 relay1 " + usual,
    ]
    rows = events(parse_lines(juniper_srx, [usual, *others]))
    fields = (
        "src_ip",
        "src_port",
        "dst_ip",
        "dst_port",
        "protocol",
        "action",
        "rule_name",
        "src_zone",
        "direction",
    )
    expected = {f: rows[0][f] for f in fields}
    assert expected["src_ip"] == "10.0.0.5" and expected["dst_port"] == 443 and expected["rule_name"] == "p1"
    for row in rows[1:]:
        check(row, expected)
    assert [r["extra"].get("application") for r in rows] == ["HTTPS", 'say "hi"', "a]b", "HTTPS", "HTTPS"]
