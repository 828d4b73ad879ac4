"""FortiGate parser: corpus accounting, golden files, hand-checked corpus values, normalisation
rules of the issue (time sources, action vocabulary, state changes, logins, direction),
attacker-controlled text, and the demo writer round trip."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from seclake.demo import fortigate as writer
from seclake.demo.events import Event
from seclake.demo.orgs import ORGANISATIONS
from seclake.parsers import fortigate
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
    utc,
)
from tests.parsers.golden import check_golden

FILES = corpus_files("fortigate")


@pytest.mark.parametrize("path", FILES, ids=name)
def test_every_corpus_line_is_an_event(path: Path) -> None:
    check_every_line_is_an_event(fortigate, path)


@pytest.mark.parametrize("path", FILES, ids=name)
def test_golden(path: Path, update_golden: bool) -> None:
    check_golden(fortigate.parse(corpus_lines(path), CTX), "fortigate", name(path), update_golden)


HAND_CHECKED: dict[str, dict[int, dict[str, Any]]] = {
    "cribl-7t7tkH": {
        1: {"time": utc("2019-05-13T18:20:54.587081"), "event_class": "authentication", "action": "success",
            "user": "admin", "src_ip": "192.168.56.254", "dst_ip": "192.168.56.2", "message_id": "0100032001"},
        2: {"event_class": "authentication", "action": None, "vendor_action": "logout", "src_ip": None,
            "extra.ui": "ssh(x.x.x.x)", "device": "2M-Colo1", "time": utc("2021-04-23T19:25:12")},
        3: {"action": "success", "user": "fortiguard-it", "device": "2M-Colo1"},
        4: {"action": "success", "device": "US-Dialup1", "extra.devid": "FGHA002020594551_CID"},
        5: {"action": None, "duration_s": 17.0},
    },
    "cribl-9bCvDN": {
        1: {"time": utc("2021-01-06T19:17:02"), "src_ip": "10.192.168.121", "src_port": 55468,
            "dst_ip": "95.192.16.56", "dst_port": 53, "protocol": "udp", "action": "allow",
            "vendor_action": "accept", "rule_name": "1", "nat_src_ip": "192.168.253.254",
            "direction": "outbound", "bytes_out": 100, "bytes_in": 133, "device": "rdaganffffffc01"},
        3: {"src_ip": "10.192.168.81", "dst_ip": "10.143.91.61", "dst_port": 4163, "direction": "internal",
            "nat_src_ip": None, "rule_name": "4"},
        5: {"vendor_action": "timeout", "action": "allow", "protocol": "tcp", "packets": 5},
        7: {"dst_ip": None, "extra.dstip": "222.333.192.166", "direction": "unknown"},
        15: {"src_ip": "fe80::20c:29ff:fe77:20d4", "protocol": "ipv6-icmp", "nat_src_ip": None, "src_port": None},
        16: {"src_ip": None, "extra.srcip": "x.x.x.x", "protocol": "esp", "bytes_in": 204904},
    },
    "cribl-wtH2R0": {
        1: {"src_ip": None, "extra.srcip": "21.259.351.45", "dst_ip": "23.218.248.22", "dst_port": 443,
            "action": "allow", "vendor_action": "pass", "rule_name": "3", "extra.app": "HTTPS.BROWSER"},
        2: {"event_class": "network_activity", "action": "allow", "vendor_action": "analytics",
            "file_hash": "0362a2dfabddf155aea6183c04ee7e00e5455d0560882d27b348b9ef1421ba53",
            "file_path": "functions.js", "src_port": 51211, "dst_port": 80, "user": None},
        3: {"file_path": None, "src_port": 63987, "extra.profile": "sniffer-profile"},
        4: {"src_port": 63986, "time": utc("2021-04-23T19:21:02")},
        5: {"src_port": 63985, "device": "Nosey"},
    },
    "crowdstrike-fortinet-fortigate": {
        1: {"time": utc("2017-11-15T19:44:16"), "src_ip": "10.1.100.155", "src_port": 40772,
            "dst_ip": "35.197.51.42", "dst_port": 443, "action": "allow", "vendor_action": "close",
            "rule_name": "1", "host": "pc1", "bytes_out": 1850, "bytes_in": 39898, "packets": 62,
            "duration_s": 2.0, "direction": "outbound"},
    },
    "wazuh-fortigate": {
        1: {"event_class": "system", "action": "down", "vendor_action": "dpd", "rule_name": "BW",
            "src_ip": "1.2.3.4", "dst_ip": "4.3.2.1", "time": utc("2016-06-15T10:42:31")},
        3: {"event_class": "authentication", "action": "failure", "user": "root", "src_ip": "222.186.130.227",
            "severity": "critical", "vendor_severity": "alert"},
        5: {"action": "reset", "rule_name": "HTTP.Unknown.Tunnelling", "severity": "info",
            "src_ip": "192.168.10.8", "dst_port": 80, "extra.attackid": "107347981"},
        6: {"action": "config_change", "user": "admin", "src_ip": "4.3.5.8",
            "extra.cfgpath": "firewall.service.custom"},
        9: {"event_class": "authentication", "action": "failure", "src_ip": "2.4.6.8", "user": "my_user_name"},
        11: {"time": utc("2025-12-23T11:13:03"), "action": "deny", "src_ip": "10.3.3.3",
             "dst_ip": "10.4.4.4", "rule_name": "0", "message_id": "0038016004", "user": None},
        21: {"event_class": "system", "action": "up", "rule_name": "ssl-tunnel", "user": "my_user_name",
             "src_ip": "9.8.7.7"},
        22: {"action": "down", "duration_s": 147.0, "bytes_out": 2284, "bytes_in": 2630},
        24: {"action": "allow", "vendor_action": "detected", "rule_name": "tcp_syn_flood", "severity": "critical",
             "device": "Text", "time": utc("2016-03-22T19:20:46")},
        25: {"action": "drop", "rule_name": "IP.Bad.Header"},
        29: {"device": "BA-RSYS-FW", "time": utc("2018-04-09T10:33:37"), "direction": "outbound",
             "src_ip": "172.24.42.175"},
        33: {"event_class": "malware_detection", "action": "blocked", "malware_name": "Malware_Generic.P0",
             "file_path": "FrontPageImgHandler.ashx", "rule_name": "108", "time": utc("2018-05-31T03:28:56")},
        35: {"time": utc("2018-06-21T03:00:35"), "action": "allow", "extra.cat": "50"},
        36: {"event_class": "system", "action": "up", "rule_name": "FG2K5E3916900286"},
        40: {"action": "deny", "extra.catdesc": "Malicious Websites", "dst_ip": "185.244.31.158"},
        46: {"file_path": "sample\\test.xls", "action": "deny", "dst_port": 445},
    },
}  # fmt: skip


@pytest.mark.parametrize("path", FILES, ids=name)
def test_hand_checked_corpus_values(path: Path) -> None:
    check_corpus_values(fortigate, path, HAND_CHECKED[name(path)])


def test_sniff_claims_fortigate_lines_only() -> None:
    lines = pl.Series(
        [
            'date=2019-05-13 time=11:20:54 logid="0100032001" type="event" subtype="system"',
            "<134>Jan  6 19:47:37 fw date=2021-01-06 time=11:17:02 devname=fw logid=0000000013 type=traffic",
            'device="SFW" date=2016-12-02 time=18:48:18 log_id=034806208001 log_type="Anti-Virus"',
            'id=firewall sn=C0EAE4F6D316 time="2024-04-18 10:10:36" fw=1.2.3.4 pri=6 m=537',
            "CEF:0|Fortinet|Fortigate|v6.0.3|00013|traffic:forward close|3|deviceExternalId=FGT FTNTFGTlogid=0000000013",
            "",
        ]
    )
    assert fortigate.sniff(lines).to_list() == [True, True, False, False, False, False]


# ---- normalisation rules --------------------------------------------------------------------------

HEAD = 'date=2026-01-23 time=10:00:00 devname="fw1" devid="FG1" vd="root" level="notice" '


def test_time_sources() -> None:
    ctx = ParseContext(org="acme", source="fw", date=CTX.date, timezone="Asia/Ho_Chi_Minh")
    base = 'logid="0000000013" type="traffic" subtype="forward" action="accept"'
    assert one(fortigate, f"date=2026-01-23 time=10:00:00 {base}", ctx)["time"] == utc("2026-01-23T03:00:00")
    assert one(fortigate, f'date=2026-01-23 time=10:00:00 tz="-0700" {base}', ctx)["time"] == utc(
        "2026-01-23T17:00:00"
    )
    for epoch in ("1769162400", "1769162400000", "1769162400000000", "1769162400000000000"):
        line = f"date=2026-01-23 time=10:00:00 eventtime={epoch} {base}"
        assert one(fortigate, line, ctx)["time"] == utc("2026-01-23T10:00:00"), epoch
    assert one(fortigate, f"date=2026-01-23 time=10:00:00 eventtime=111111111 {base}", ctx)["time"] == utc(
        "2026-01-23T03:00:00"
    )
    assert one(fortigate, f"{base} srcip=10.0.0.1")["time"] is None


@pytest.mark.parametrize(
    ("verb", "action"),
    [("accept", "allow"), ("close", "allow"), ("timeout", "allow"), ("server-rst", "allow"),
     ("client-rst", "allow"), ("deny", "deny"), ("ip-conn", "drop"), ("start", "allow")],
)  # fmt: skip
def test_traffic_actions(verb: str, action: str) -> None:
    row = one(
        fortigate, HEAD + f'logid="0000000013" type="traffic" subtype="forward" action="{verb}" policyid=7'
    )
    check(row, {"event_class": "network_activity", "action": action, "vendor_action": verb, "rule_name": "7"})


def test_state_changes_and_logins() -> None:
    ev = HEAD + 'type="event" '
    lines = [
        ev + 'logid="0100020090" subtype="system" logdesc="Interface link status changed" '
        'action="interface-stat-change" intf="port2" status="DOWN" msg="Link monitor: Interface port2 was turned down"',
        ev
        + 'logid="0101037138" subtype="vpn" action="tunnel-up" remip=203.0.113.9 locip=198.51.100.1 vpntunnel="HQ"',
        ev + 'logid="0101037138" subtype="vpn" action="tunnel-down" remip=203.0.113.9 vpntunnel="HQ"',
        ev + 'logid="0108037904" subtype="ha" msg="Device set as HA primary" sn="FG2"',
        ev
        + 'logid="0102043008" subtype="user" action="authentication" status="success" srcip=203.0.113.5 user="bob"',
        ev
        + 'logid="0102043009" subtype="user" action="authentication" status="failure" srcip=203.0.113.5 user="bob"',
    ]
    link, up, down, ha, ok, failed = events(parse_lines(fortigate, lines))
    check(link, {"event_class": "system", "action": "down", "rule_name": "port2", "device": "fw1"})
    check(up, {"event_class": "system", "action": "up", "rule_name": "HQ", "src_ip": "203.0.113.9"})
    check(down, {"action": "down", "rule_name": "HQ"})
    check(ha, {"event_class": "system", "action": "failover", "rule_name": "FG2"})
    check(ok, {"event_class": "authentication", "action": "success", "user": "bob", "src_ip": "203.0.113.5"})
    check(failed, {"event_class": "authentication", "action": "failure"})


def test_direction_from_roles_then_ranges() -> None:
    t = HEAD + 'logid="0000000013" type="traffic" subtype="forward" action="accept" '
    rows = events(
        parse_lines(
            fortigate,
            [
                t + 'srcip=203.0.113.5 dstip=10.0.0.5 srcintfrole="wan" dstintfrole="lan"',
                t + 'srcip=10.0.0.5 dstip=10.0.0.6 srcintfrole="lan" dstintfrole="wan"',
                t + 'srcip=10.0.0.5 dstip=10.0.1.6 srcintfrole="lan" dstintfrole="dmz"',
                t + 'srcip=10.0.0.5 dstip=8.8.8.8 srcintfrole="undefined" dstintfrole="undefined"',
            ],
        )
    )
    assert [r["direction"] for r in rows] == ["inbound", "outbound", "internal", "outbound"]


def test_text_inside_quoted_values_does_not_set_fields() -> None:
    evil = "srcip=6.6.6.6 dstip=6.6.6.6 action=accept user=evil logid=0100032001 type=event"
    lines = [
        HEAD + f'logid="0000000013" type="traffic" subtype="forward" msg="{evil}" srcip=10.0.0.1 '
        'dstip=93.184.216.34 action="deny"',
        HEAD + f'logid="0211008192" type="utm" subtype="virus" action="blocked" url="http://x/?{evil}" '
        'agent="curl \\" ' + evil + '" virus="EICAR" srcip=10.0.0.2',
        HEAD + f'logid="0100032002" type="event" subtype="system" action="login" status="failed" '
        f'user="admin" msg="Administrator {evil} login failed" ui="ssh(203.0.113.7)"',
    ]
    traffic, virus, login = events(parse_lines(fortigate, lines))
    check(traffic, {"src_ip": "10.0.0.1", "dst_ip": "93.184.216.34", "action": "deny", "user": None})
    check(virus, {"src_ip": "10.0.0.2", "dst_ip": None, "malware_name": "EICAR", "action": "blocked"})
    check(
        login,
        {"event_class": "authentication", "action": "failure", "user": "admin", "src_ip": "203.0.113.7"},
    )


def test_lines_without_a_payload_are_quarantined() -> None:
    result = parse_lines(fortigate, ["Jan 23 10:00:00 host sshd[1]: hello", HEAD + "srcip=1.2.3.4"])
    assert result.quarantine.select("raw_line", "reason").rows() == [
        (1, fortigate.NO_PAYLOAD),
        (2, fortigate.NO_TYPE),
    ]


# ---- demo writer round trip ------------------------------------------------------------------------


def test_demo_writer_lines_parse_back() -> None:
    org = ORGANISATIONS[0]
    inside, outside = org.interface("inside"), org.interface("outside")
    t0 = 1_769_162_400.0
    neutral = [
        Event(t0, "conn", {"proto": "tcp", "src_if": "inside", "src_ip": "10.9.1.21", "src_port": 50123,
                           "dst_if": "outside", "dst_ip": "93.184.216.34", "dst_port": 443,
                           "nat_src": (outside.ip, 40001), "nat_dst": None, "duration": 30, "bytes": 5000,
                           "user": "alice"}),
        Event(t0 + 1, "deny", {"style": "acl", "proto": "tcp", "src_if": "outside", "src_ip": "203.0.113.9",
                               "src_port": 4444, "dst_if": "inside", "dst_ip": inside.ip, "dst_port": 22,
                               "acl": "outside_in"}),
        Event(t0 + 2, "vpn_auth", {"ok": False, "user": "bob", "ip": "198.51.100.23", "server": "ad",
                                   "reason": "bad password"}),
        Event(t0 + 3, "vpn_auth", {"ok": True, "user": "bob", "ip": "198.51.100.23", "server": "ad",
                                   "reason": ""}),
        Event(t0 + 4, "admin_login", {"user": "netadmin", "ip": "10.9.1.5", "port": 50000}),
        Event(t0 + 5, "link", {"interface": "servers", "state": "down", "admin": False}),
        Event(t0 + 6, "link", {"interface": "servers", "state": "up", "admin": False}),
    ]  # fmt: skip
    lines = writer.render(neutral, org, random.Random(1))
    ctx = ParseContext(org=org.id, source="fw", date=CTX.date, timezone=org.timezone)
    result = parse_lines(fortigate, [line.text for line in sorted(lines, key=lambda x: x.time)], ctx)
    assert result.quarantine.height == 0
    assert fortigate.sniff(pl.Series([line.text for line in lines])).all()
    conn, *rows = sorted(events(result), key=lambda row: row["vendor_action"] != "close")
    check(conn, {"time": utc("2026-01-23T10:00:30"), "src_ip": "10.9.1.21", "src_port": 50123,
                 "dst_ip": "93.184.216.34", "dst_port": 443, "action": "allow", "user": "alice",
                 "src_zone": "inside", "dst_zone": "outside", "nat_src_ip": outside.ip, "direction": "outbound",
                 "bytes_total": 5000})  # fmt: skip
    check(rows[0], {"src_ip": "203.0.113.9", "dst_port": 22, "action": "deny", "direction": "inbound"})
    check(
        rows[1],
        {"event_class": "authentication", "action": "failure", "user": "bob", "src_ip": "198.51.100.23"},
    )
    check(rows[2], {"event_class": "authentication", "action": "success", "user": "bob"})
    check(
        rows[3],
        {"event_class": "authentication", "action": "success", "user": "netadmin", "src_ip": "10.9.1.5"},
    )
    check(
        rows[4], {"event_class": "system", "action": "down", "rule_name": "servers", "device": org.firewall}
    )
    check(rows[5], {"action": "up", "time": utc("2026-01-23T10:00:06")})


def test_an_interface_status_edit_is_the_administrator_taking_it_down() -> None:
    event = one(
        fortigate,
        'date=2024-11-19 time=10:28:33 devname="fw-mfc" logid="0100044547" type="event" subtype="system" '
        'level="information" logdesc="Object attribute configured" user="netadmin" ui="ssh" action="Edit" '
        'cfgpath="system.interface" cfgobj="servers" cfgattr="status[up->down]" msg="Edit system.interface servers"',
    )
    assert (event["event_class"], event["action"], event["rule_name"]) == ("system", "down", "servers")
    assert event["vendor_action"] == "administratively down" and event["user"] == "netadmin"
    other = one(
        fortigate,
        'date=2024-11-19 time=10:29:00 devname="fw-mfc" logid="0100044547" type="event" subtype="system" '
        'level="information" user="netadmin" action="Edit" cfgpath="system.interface" cfgobj="servers" '
        'cfgattr="alias[->srv]"',
    )
    assert (other["action"], other["rule_name"], other["vendor_action"]) == ("config_change", None, "Edit")


# ---- the fixed start of FortiOS 6.4/7.x lines and its fallback ---------------------------------------

START = (
    'date=2026-01-23 time=10:00:00 devname="fw1" devid="FG1" eventtime=1769162400 tz="+0000" '
    'logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root"'
)
RUN = (
    'srcip=10.0.0.5 srcport=50000 srcintf="inside" srcintfrole="lan" dstip=93.184.216.34 dstport=443 '
    'dstintf="outside" dstintfrole="wan"'
)
REST = 'sessionid=7 proto=6 action="close" policyid=1 duration=3 sentbyte=100 rcvdbyte=200'


def _fixed(lines: list[str], run: tuple[tuple[str, bool], ...] = ()) -> list[bool]:
    """Does each line begin with the fixed start (and ``run`` after it)?"""
    pattern = fortigate.SYNTAX.fixed_start((*fortigate._START, *run), ())
    return pl.Series(lines).str.contains(pattern).to_list()


def _without_raw(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in ("raw", "raw_line")} for row in rows]


def test_fixed_start_and_per_key_path_read_the_same_values() -> None:
    lines = [
        f"{START} {RUN} {REST}",  # start and traffic run in one pattern each
        f"{START}  {RUN} {REST}",  # the run not right after the start: its keys one by one
        START.replace("date=2026-01-23 ", "date=2026-01-23  ") + f" {RUN} {REST}",  # two spaces
        START.replace('eventtime=1769162400 tz="+0000"', 'tz="+0000" eventtime=1769162400')
        + f" {RUN} {REST}",
        START.replace('level="notice"', "level=notice") + f" {RUN} {REST}",  # quoted otherwise
        'logid="0000000013" ' + START.replace(' logid="0000000013"', "") + f" {RUN} {REST}",  # other order
    ]
    assert _fixed(lines) == [True, True, False, False, False, False]
    assert _fixed(lines, fortigate._TRAFFIC_RUN) == [True, False, False, False, False, False]
    together = _without_raw(events(parse_lines(fortigate, lines)))
    alone = [_without_raw([one(fortigate, line)])[0] for line in lines]
    assert together == alone == [together[0]] * len(lines)
    check(
        together[0],
        {"time": utc("2026-01-23T10:00:00"), "device": "fw1", "message_id": "0000000013",
         "vendor_severity": "notice", "src_ip": "10.0.0.5", "src_port": 50000, "dst_ip": "93.184.216.34",
         "dst_port": 443, "src_zone": "inside", "dst_zone": "outside", "direction": "outbound",
         "action": "allow", "bytes_total": 300},
    )  # fmt: skip
    assert together[0]["extra"] | {"vd": "root", "devid": "FG1", "srcintfrole": "lan"} == together[0]["extra"]


def test_fixed_start_never_takes_a_key_inside_a_quoted_value() -> None:
    evil = "vd=evil logid=0100032001 type=event srcip=6.6.6.6 dstip=6.6.6.6"
    lines = [
        START.replace('devname="fw1"', f'devname="fw1 {evil}"') + f" {RUN} {REST}",
        f"{START} " + RUN.replace('srcintf="inside"', f'srcintf="in {evil}"') + f" {REST}",
        f'logid="0000000013" type="traffic" subtype="forward" msg="{START.replace(chr(34), "")} {evil}" '
        'action="deny" srcip=10.0.0.9',
    ]
    assert _fixed(lines) == [True, True, False]
    assert _fixed(lines, fortigate._TRAFFIC_RUN) == [True, True, False]
    start, run, inside = events(parse_lines(fortigate, lines))
    check(start, {"device": f"fw1 {evil}", "message_id": "0000000013", "event_class": "network_activity",
                  "src_ip": "10.0.0.5", "dst_ip": "93.184.216.34"})  # fmt: skip
    assert start["extra"]["vd"] == "root"
    check(run, {"src_zone": f"in {evil}", "src_ip": "10.0.0.5", "dst_ip": "93.184.216.34", "dst_port": 443})
    check(inside, {"device": None, "src_ip": "10.0.0.9", "dst_ip": None, "time": None, "action": "deny"})
    assert "vd" not in inside["extra"] and "devid" not in inside["extra"]


def test_fixed_start_values_unquoted_as_the_per_key_path() -> None:
    lines = [
        START.replace('vd="root"', 'vd=""') + f" {RUN}",  # empty quoted value: null, on the fixed path
        START.replace('devname="fw1"', 'devname="fw\\"1"') + f" {RUN}",  # escapes: read key by key
        START.replace('devid="FG1"', 'devid="FG\\\\1"') + f" {RUN}",
        START.replace('tz="+0000"', "tz=") + f" {RUN}",  # empty bare value: read key by key
        'devname="fw0" vd="vd0" ' + START,  # the start after other keys: the first values count
    ]
    assert _fixed(lines) == [True, False, False, False, False]
    empty, quote, backslash, bare, later = events(parse_lines(fortigate, lines))
    assert "vd" not in empty["extra"] and empty["device"] == "fw1"
    assert quote["device"] == 'fw"1' and quote["extra"]["vd"] == "root"
    assert backslash["extra"]["devid"] == "FG\\1" and backslash["device"] == "fw1"
    assert bare["time"] == utc("2026-01-23T10:00:00") and bare["extra"]["devid"] == "FG1"
    assert later["device"] == "fw0" and later["extra"]["vd"] == "vd0" and later["message_id"] == "0000000013"
