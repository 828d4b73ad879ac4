"""CEF parser: the shared corpus (``cef/elastic/test-cef.log``, accounting, hand-checked values,
golden file), the format notes' samples, and synthetic lines for what the corpus lacks (envelopes,
escaping, attacker-controlled values, labels, duplicate keys, times, severities, Check Point CEF).

Kaspersky and Trend Micro CEF lines are tested in ``test_kaspersky.py`` and ``test_trendmicro.py``.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path

import polars as pl
import pytest

from seclake.parsers import cef
from seclake.parsers.contract import ParseContext
from tests.corpus import corpus_files, corpus_lines
from tests.parsers.checks import (
    check,
    check_every_line_is_an_event,
    events,
    lines_frame,
    name,
    one,
    parse_events,
    utc,
)
from tests.parsers.golden import check_golden

CTX = ParseContext(org="acme", source="siem", date=dt.date(2026, 1, 23), timezone="UTC")
FILES = corpus_files("cef")


_name = partial(name, folders=2)


# ---- corpus ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_every_corpus_line_is_an_event(path: Path) -> None:
    check_every_line_is_an_event(cef, path, CTX)


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_golden(path: Path, update_golden: bool) -> None:
    check_golden(cef.parse(corpus_lines(path), CTX), "cef", _name(path), update_golden)


def test_corpus_values_checked_by_hand() -> None:
    rows = events(cef.parse(corpus_lines(FILES[0]), CTX))
    common = {
        "vendor": "Elastic",
        "product": "Vaporware",
        "message_id": "18",
        "severity": "low",
        "time": None,
    }
    check(rows[0], common | {
        "src_ip": "89.160.20.156", "src_port": 33876, "dst_ip": "192.168.10.1", "dst_port": 443,
        "protocol": "tcp", "event_class": "network_activity", "action": None, "direction": "inbound",
        "message": "Web request", "extra.request": "https://www.example.com/cart", "extra.requestMethod": "POST",
    })  # fmt: skip
    check(rows[1], common | {
        "src_ip": "89.160.20.156", "dst_port": 443, "user": "bob", "extra.duser": "alice",
        "nat_dst_ip": "10.10.10.10", "file_hash": "bc8bbe52f041fd17318f08a0f73762ce",
        "extra.oldFileHash": "a9796280592f86b74b27e370662d41eb", "event_class": "authentication", "action": None,
    })  # fmt: skip
    check(rows[2], common | {"extra.spriv": "user", "extra.dpriv": "root", "src_ip": None, "user": None})
    check(rows[3], common | {
        "message": "This event is padded with whitespace", "dst_ip": "192.168.1.2", "src_ip": "192.168.3.4",
        "extra.event_name": "Authentication", "direction": "internal",
    })  # fmt: skip


# ---- framing and escaping ---------------------------------------------------------------------------


def test_envelopes_give_time_and_device() -> None:
    rows = parse_events(cef, [
        "Sep 19 08:26:10 server3.mycorp.local CEF:0|VMware Carbon Black|App Control|8.1.0.899|801|Execution block"
        " (unapproved file)|5| dst=10.0.0.1 duser=NTAUTHORITY\\SYSTEM msg=File 'itunessetup64.exe' has been blocked"
        " because it was unapproved.",
        "<134>1 2026-01-22T10:00:00.5+01:00 relay01 CheckPoint 1234 - - CEF:0|Acme|Box|1|7|Thing|3|src=10.1.1.1",
        "2026-01-22T10:00:00Z relay02 CEF:1|Acme|Box|1|7|Thing|3|dst=10.1.1.1",
    ], CTX)  # fmt: skip
    check(rows[0], {
        "time": utc("2025-09-19T08:26:10"), "device": "server3.mycorp.local", "vendor": "VMware Carbon Black",
        "product": "App Control", "message_id": "801", "severity": "medium", "vendor_severity": "5",
        "dst_ip": "10.0.0.1", "user": "NTAUTHORITY\\SYSTEM",
        "message": "File 'itunessetup64.exe' has been blocked because it was unapproved.",
        "extra.event_name": "Execution block (unapproved file)", "extra.device_version": "8.1.0.899",
    })  # fmt: skip
    check(rows[1], {"time": utc("2026-01-22T09:00:00.5"), "device": "relay01", "src_ip": "10.1.1.1"})
    check(rows[2], {"time": utc("2026-01-22T10:00:00"), "device": "relay02", "extra.cef_version": "1"})


def test_header_pipes_and_extension_escapes() -> None:
    row = one(
        cef,
        r"CEF:0|Sec\|Corp|Guard\\Pro|2.0|a\|b|Name with \| pipe|High|"
        r"msg=line one\nline two with \= and \\ and a | pipe fname=C:\\new\\report.doc filePath=C:\new\x.exe"
        r" cs6=ContainerImageName | ContainerName | ContainerID cs6Label=Container",
        CTX,
    )
    check(row, {
        "vendor": "Sec|Corp", "product": "Guard\\Pro", "message_id": "a|b", "severity": "high",
        "message": "line one\nline two with = and \\ and a | pipe",
        "file_path": "C:\\new\\x.exe", "extra.fname": "C:\\new\\report.doc",
        "extra.container": "ContainerImageName | ContainerName | ContainerID",
        "extra.event_name": "Name with | pipe",
    })  # fmt: skip


def test_value_boundaries_known_keys_and_urls() -> None:
    row = one(
        cef,
        "CEF:0|Acme|Proxy|1|web|Web request|2|request=https://x.example/?a=b&c=d  "
        "requestClientApplication=Mozilla/5.0 (X11; Linux x86_64) src=10.0.0.5 dpt=443 "
        "TrendMicroDsMalwareTargetType=N/TrendMicroDsFileMD5=44D8",
        CTX,
    )
    check(row, {
        "extra.request": "https://x.example/?a=b&c=d",
        "extra.requestClientApplication": "Mozilla/5.0 (X11; Linux x86_64)",
        "src_ip": "10.0.0.5", "dst_port": 443,
        "extra.TrendMicroDsMalwareTargetType": "N/TrendMicroDsFileMD5=44D8",
    })  # fmt: skip


def test_attacker_text_in_a_value_never_sets_a_column() -> None:
    """``msg`` carries attacker text shaped like keys. Escaped (as the spec requires) it stays in
    the value; unescaped, a repeated key makes the key ambiguous and no column takes either value."""
    rows = parse_events(cef, [
        r"CEF:0|Acme|FW|1|100|conn|5|src=10.0.0.1 msg=login from evil src\=6.6.6.6 suser\=root dst=8.8.8.8",
        "CEF:0|Acme|FW|1|100|conn|5|src=10.0.0.1 msg=hello src=6.6.6.6 dst=8.8.8.8 act=blocked",
        "CEF:0|Acme|FW|1|100|conn|5|msg=hello src=6.6.6.6 suser=root src=10.0.0.1 dst=8.8.8.8",
    ], CTX)  # fmt: skip
    check(rows[0], {"src_ip": "10.0.0.1", "user": None, "message": "login from evil src=6.6.6.6 suser=root"})
    check(rows[1], {"src_ip": None, "extra.src": "10.0.0.1", "extra.src#2": "6.6.6.6", "dst_ip": "8.8.8.8"})
    check(rows[2], {"src_ip": None, "extra.src": "6.6.6.6", "extra.src#2": "10.0.0.1", "user": "root"})


def test_labels_resolve_custom_slots_whatever_the_slot() -> None:
    rows = parse_events(cef, [
        "CEF:0|Acme|AV|1|virus|Virus found|8|cs3=EICAR cs3Label=Virus Name cn1=7 cn1Label=Risk Level cs1=x",
        "CEF:0|Acme|AV|1|virus|Virus found|8|cs1Label=VirusName cs1=EICAR-2 deviceCustomString2=Block all"
        " deviceCustomString2Label=Rule Name cs4Label=Orphan",
    ], CTX)  # fmt: skip
    check(rows[0], {"malware_name": "EICAR", "extra.risk_level": "7", "extra.cs1": "x",
                    "event_class": "malware_detection", "action": "detected"})  # fmt: skip
    check(rows[1], {"malware_name": "EICAR-2", "rule_name": "Block all", "extra.cs4Label": "Orphan"})


def test_times_and_zones() -> None:
    ctx = ParseContext(org="acme", source="siem", date=dt.date(2026, 1, 23), timezone="Asia/Ho_Chi_Minh")
    base = "CEF:0|Acme|FW|1|1|x|3|src=10.0.0.1 "
    rows = parse_events(cef, [
        base + "rt=1769069700000",
        base + "rt=1769069700",
        base + "rt=Jan 22 2026 08:15:00 GMT+00:00",
        base + "rt=Jan 22 2026 08:15:00.250 CEST",
        base + "rt=Jan 22 08:15:00",
        base + "rt=Jan 22 2026 08:15:00 dtz=Europe/Berlin",
        base + "start=2026-01-22T08:15:00+02:00 end=2026-01-22T09:15:00+02:00",
        base + "rt=Jan 22 2026 08:15:00 XYZ",
        "Jan 22 10:00:00 fw1 " + base + "rt=not a time",
    ], ctx)  # fmt: skip
    want = [
        "2026-01-22T08:15:00", "2026-01-22T08:15:00", "2026-01-22T08:15:00", "2026-01-22T06:15:00.250",
        "2026-01-22T01:15:00", "2026-01-22T07:15:00", "2026-01-22T06:15:00", None, "2026-01-22T03:00:00",
    ]  # fmt: skip
    assert [r["time"] for r in rows] == [utc(w) if w else None for w in want]
    assert rows[6]["extra"]["end"] == "2026-01-22T09:15:00+02:00" and "start" not in rows[6]["extra"]
    assert rows[7]["extra"]["rt"] == "Jan 22 2026 08:15:00 XYZ"
    assert rows[8]["extra"]["rt"] == "not a time"


@pytest.mark.parametrize(
    ("written", "normalised"),
    [("0", "low"), ("3", "low"), ("4", "medium"), ("6", "medium"), ("7", "high"), ("8", "high"), ("9", "critical"),
     ("10", "critical"), ("Low", "low"), ("low", "low"), ("Medium", "medium"), ("High", "high"),
     ("Very-High", "critical"), ("Unknown", None), ("11", None)],
)  # fmt: skip
def test_severity(written: str, normalised: str | None) -> None:
    row = one(cef, f"CEF:0|Acme|FW|1|1|x|{written}|src=10.0.0.1", CTX)
    assert (row["severity"], row["vendor_severity"]) == (normalised, written)


def test_generic_actions_direction_and_bytes() -> None:
    rows = parse_events(cef, [
        "CEF:0|Acme|FW|1|1|conn|3|act=accept src=10.0.0.1 dst=1.1.1.1 spt=5000 dpt=53 proto=UDP in=100 out=900",
        "CEF:0|Acme|FW|1|1|conn|3|act=Dropped src=1.1.1.1 dst=10.0.0.1 deviceDirection=1",
        "CEF:0|Acme|FW|1|1|conn|3|act=TCP Reset src=10.0.0.1 dst=10.0.0.2 proto=6",
        "CEF:0|Acme|FW|1|1|conn|3|deviceAction=deny sourceAddress=10.0.0.1 destinationPort=22",
        "CEF:0|Acme|AV|1|1|Malware|8|act=Quarantined fname=x.exe",
        "CEF:0|Acme|VPN|1|1|User login failed|5|suser=bob src=203.0.113.9 outcome=failure",
        "CEF:0|Acme|VPN|1|1|User logged in|2|suser=bob src=203.0.113.9",
        "CEF:0|Acme|AV|1|1|Virus definitions update failed|5|",
        "CEF:0|Acme|Box|1|1|Fan speed high|5|",
    ], CTX)  # fmt: skip
    check(rows[0], {"event_class": "network_activity", "action": "allow", "protocol": "udp", "bytes_out": 100,
                    "bytes_in": 900, "bytes_total": 1000, "direction": "outbound", "dst_port": 53})  # fmt: skip
    check(rows[1], {"action": "drop", "direction": "outbound", "extra.deviceDirection": "1"})
    check(rows[2], {"action": "reset", "protocol": "tcp", "direction": "internal"})
    check(rows[3], {"action": "deny", "vendor_action": "deny", "src_ip": "10.0.0.1", "dst_port": 22})
    check(rows[4], {"event_class": "malware_detection", "action": "quarantined", "file_path": "x.exe"})
    check(
        rows[5], {"event_class": "authentication", "action": "failure", "user": "bob", "direction": "unknown"}
    )
    check(rows[6], {"event_class": "authentication", "action": "success"})
    check(rows[7], {"event_class": "system", "action": "update_failed"})
    check(rows[8], {"event_class": "system", "action": "other"})


def test_check_point_cef_variant() -> None:
    """Log Exporter CEF (checkpoint.md, framing 3): the Check Point table applies through CEF."""
    rows = parse_events(cef, [
        "<134>1 2026-01-22T08:00:01Z cp-mgmt CheckPoint 1 - - CEF:0|Check Point|VPN-1 & FireWall-1|Check Point|"
        "Drop|https|Unknown|act=Drop deviceDirection=0 rt=1769068800000 src=203.0.113.7 spt=51515 dst=10.1.2.3"
        " dpt=443 proto=6 cs2Label=Rule Name cs2=Cleanup rule layer_name=Network ifname=eth1"
        " loguid={0x1,0x2} origin=10.0.0.254 originsicname=CN\\=gw01,O\\=mgmt..x inzone=External outzone=Internal",
        "CEF:0|Check Point|Anti-Virus|Check Point|Prevent|Virus|High|act=Prevent rt=1769068800000 src=10.1.2.3"
        " dst=198.51.100.20 malware_family=Trojan.Win32.Agent file_sha256=ABCDEF0123456789ABCDEF0123456789ABCDEF"
        "0123456789ABCDEF0123456789 file_name=invoice.exe origin=10.0.0.254",
        "CEF:0|Check Point|VPN-1 & FireWall-1|Check Point|Reject|smtp|Unknown|act=Reject src=10.1.2.3 dst=8.8.8.8 "
        "proto=17 origin=10.0.0.254",
    ], CTX)  # fmt: skip
    check(rows[0], {
        "vendor": "Check Point", "product": "VPN-1 & FireWall-1", "time": utc("2026-01-22T08:00:00"),
        "event_class": "network_activity", "action": "drop", "vendor_action": "Drop", "src_ip": "203.0.113.7",
        "src_port": 51515, "dst_ip": "10.1.2.3", "dst_port": 443, "protocol": "tcp", "rule_name": "Cleanup rule",
        "device": "10.0.0.254", "direction": "inbound", "src_zone": "External", "dst_zone": "Internal",
        "message_id": "Drop", "message": "https", "extra.originsicname": "CN=gw01,O=mgmt..x",
        "extra.layer_name": "Network", "severity": None, "vendor_severity": "Unknown",
    })  # fmt: skip
    check(rows[1], {
        "event_class": "malware_detection", "action": "blocked", "malware_name": "Trojan.Win32.Agent",
        "file_hash": "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
        "file_path": "invoice.exe", "severity": "high",
    })  # fmt: skip
    check(rows[2], {"event_class": "network_activity", "action": "deny", "protocol": "udp"})


def test_plain_and_escaped_headers_in_one_frame() -> None:
    """A header without backslash is cut by a split, one with escapes by the pattern: same fields."""
    lines = [
        r"CEF:0|Sec\|Corp|FW|2.0|a\|b|Deny|7|src=10.0.0.1 act=deny",
        "CEF:1.2|Acme|FW|2.0|100|Allowed|3|src=10.0.0.2 msg=a|b",
        "CEF:0|Acme|FW|2.0|100|short",
    ]
    result = cef.parse(lines_frame(lines), CTX)
    events = result.events.select("vendor", "message_id", "message", "severity", "src_ip")
    assert events.rows() == [
        ("Sec|Corp", "a|b", "Deny", "high", "10.0.0.1"),
        ("Acme", "100", "a|b", "low", "10.0.0.2"),
    ]
    assert result.quarantine["reason"].to_list() == [cef.SHORT_HEADER]


def test_quarantine_reasons() -> None:
    result = cef.parse(lines_frame(["", "Jan 1 00:00:00 host sshd[1]: hello", "CEF:0|Acme|FW|1|2|x"]), CTX)
    assert result.events.is_empty()
    assert result.quarantine["reason"].to_list() == [cef.NO_HEADER, cef.NO_HEADER, cef.SHORT_HEADER]


def test_sniff() -> None:
    lines = pl.Series([
        "CEF:0|Elastic|Vaporware|1.0.0-alpha|18|Web request|low|src=1.1.1.1",
        "<134>Sep 19 08:26:10 host CEF:1|V|P|1|2|n|3|",
        "LEEF:1.0|Panda Security|paps|02.47.00.0000|registrym|sev=1",
        "<134>1 2025-01-21T09:36:10Z TEST CheckPoint 16953 - [action:\"Drop\"; flags:\"409600\"]",
        "date=2026-01-01 time=00:00:00 logid=0000000013 type=traffic msg=\"CEF:0|x\"",
        None,
        "",
    ])  # fmt: skip
    assert cef.sniff(lines).to_list() == [True, True, False, False, False, False, False]


def test_a_large_frame_keeps_every_line_once() -> None:
    templates = [
        "CEF:0|Acme|FW|1|{i}|conn|3|act=allow src=10.0.{a}.{b} dst=8.8.8.8 spt={p} dpt=53 proto=UDP rt=1769069700000",
        "CEF:0|KasperskyLab|SecurityCenter|13.2|GNRL_EV_VIRUS_FOUND|Virus found|4|dhost=WS{i} dst=10.1.{a}.{b}"
        " cs1=EICAR cs1Label=VirusName",
        "CEF:0|Trend Micro|Deep Security Agent|20|4000000|Eicar|6|dvchost=h{i} act=Quarantine filePath=C:\\\\x{i}.exe",
    ]  # fmt: skip
    lines = [templates[i % 3].format(i=i, a=i % 250, b=i % 200, p=1024 + i % 60000) for i in range(30_000)]
    result = cef.parse(lines_frame(lines), CTX)
    assert result.events.height == len(lines)
    assert result.events["raw_line"].to_list() == list(range(1, len(lines) + 1))
    counts = result.events.group_by("event_class").len().sort("event_class").rows()
    assert counts == [("malware_detection", 20_000), ("network_activity", 10_000)]
