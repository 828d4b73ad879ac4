"""Sophos Firewall (XG) parser: corpus accounting, golden files, Elastic expected values,
hand-checked values, time zones, event classes and attacker-controlled text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from seclake.parsers import sophos_xg
from seclake.parsers.contract import ParseContext
from tests.corpus import corpus_files, corpus_lines, expected_documents
from tests.parsers.checks import (
    CTX,
    check,
    check_every_line_is_an_event,
    ecs,
    events,
    field,
    name,
    one,
    parse_lines,
    utc,
)
from tests.parsers.golden import check_golden

FILES = corpus_files("sophos_xg")


@pytest.mark.parametrize("path", FILES, ids=name)
def test_every_corpus_line_is_an_event(path: Path) -> None:
    check_every_line_is_an_event(sophos_xg, path)


@pytest.mark.parametrize("path", FILES, ids=name)
def test_golden(path: Path, update_golden: bool) -> None:
    check_golden(sophos_xg.parse(corpus_lines(path), CTX), "sophos_xg", name(path), update_golden)


ECS = {
    "source.ip": "src_ip", "source.port": "src_port", "destination.ip": "dst_ip", "destination.port": "dst_port",
    "source.bytes": "bytes_out", "destination.bytes": "bytes_in", "network.transport": "protocol",
    "rule.id": "extra.fw_rule_id", "source.user.name": "user", "observer.serial_number": "extra.device_id",
    "sophos.xg.virus": "malware_name", "sophos.xg.device_name": "device", "url.full": "extra.url",
}  # fmt: skip


def test_elastic_expected_values() -> None:
    (path,) = [p for p in FILES if expected_documents(p) is not None]
    documents = expected_documents(path)
    rows = events(sophos_xg.parse(corpus_lines(path), CTX))
    assert documents is not None and len(rows) == len(documents)
    for row, document in zip(rows, documents, strict=True):
        assert row["raw"] == document["event"]["original"]
        assert row["time"] == utc(document["@timestamp"])
        assert (row["vendor"], row["product"]) == (
            document["observer"]["vendor"],
            document["observer"]["product"],
        )
        assert row["message_id"].endswith(document["event"]["code"])  # Elastic keeps the last five digits
        for ecs_path, column in ECS.items():
            assert field(row, column) == ecs(document, ecs_path), f"{ecs_path} → {column}"
        check(
            row,
            {"event_class": "malware_detection", "action": "blocked", "rule_name": ecs(document, "rule.id")},
        )


def test_hand_checked_firewall_lines() -> None:
    (path,) = [p for p in FILES if p.name == "sophos_fw.ini"]
    rows = events(sophos_xg.parse(corpus_lines(path), CTX))
    expected: list[dict[str, Any]] = [
        {"action": "deny", "vendor_action": "Deny"}, {"action": "allow"}, {"action": None, "vendor_action": "Detect"},
        {"action": "drop"}, {"action": None}, {"action": None}, {"action": None}, {"action": None}, {"action": None},
        {"action": None, "vendor_action": "System"},
    ]  # fmt: skip
    for row, fields in zip(rows, expected, strict=True):
        check(
            row,
            fields
            | {"time": utc("2019-10-09T09:19:06"), "src_ip": "11.22.33.44", "src_port": 52667, "dst_ip": "44.33.22.11",
               "dst_port": 10051, "rule_name": "14", "user": None, "src_zone": "Port3", "dst_zone": "Port2",
               "event_class": "network_activity", "device": "XG210", "protocol": "tcp", "message": None},
        )  # fmt: skip


def test_sniff() -> None:
    lines = pl.Series(
        [
            '<30>device="SFW" date=2016-12-02 time=18:48:18 timezone="GMT" log_id=034806208001',
            'device_name="SFW" timestamp="2023-01-01T10:00:00+0100" log_id=010101600001',
            'date=2019-05-13 time=11:20:54 logid="0100032001" type="event" devname="SFW"',
            'id=firewall sn=C0EAE4F6D316 time="2024-04-18 10:10:36"',
        ]
    )
    assert sophos_xg.sniff(lines).to_list() == [True, True, False, False]


HEAD = 'device="SFW" date=2026-01-23 time=10:00:00 timezone="{tz}" device_name="XG1" device_id=S1 '


@pytest.mark.parametrize(
    ("tz", "hour"), [("GMT", 10), ("+08", 2), ("+0530", 4), ("CDT", 15), ("IST", 9), ("", 9)]
)  # ambiguous or missing: the source's timezone (Europe/Paris, +01:00 in January)
def test_timezones(tz: str, hour: int) -> None:
    ctx = ParseContext(org="acme", source="fw", date=CTX.date, timezone="Europe/Paris")
    minute = 30 if tz == "+0530" else 0
    line = HEAD.format(tz=tz) + 'log_id=010101600001 log_type="Firewall" status="Allow"'
    assert one(sophos_xg, line, ctx)["time"] == utc(f"2026-01-23T{hour:02}:{minute:02}")


def test_event_logs() -> None:
    h = HEAD.format(tz="GMT")
    lines = [
        h
        + 'log_id=062910617701 log_type="Event" log_component="GUI" log_subtype="Admin" status="Successful" '
        'priority=Information user_name="admin" src_ip=10.0.0.9 message="User admin logged in successfully"',
        h + 'log_id=062910617702 log_type="Event" log_component="GUI" log_subtype="Admin" status="Failed" '
        'user_name="admin" src_ip=203.0.113.4 message="User admin failed to login"',
        h + 'log_id=063411660001 log_type="Event" log_component="Interface" log_subtype="System" '
        'message="Interface Port2 is Down"',
        h
        + 'log_id=063611660002 log_type="Event" log_component="IPSec" log_subtype="System" status="Established" '
        'connectionname="HQ-VPN" message="IPSec connection HQ-VPN established"',
        h
        + 'log_id=020804402001 log_type="IPS" log_component="Signatures" log_subtype="Drop" src_ip=203.0.113.4 '
        'dst_ip=10.0.0.5 signature_id=1234 signature_msg="SERVER-WEBAPP Log4j" priority=Critical',
        h + 'log_id=086304418010 log_type="ATP" log_component="Web" log_subtype="Alert" sourceip=10.0.0.7 '
        'destinationip=52.9.175.154 threatname="C2/Generic-A" url="http://bad.example/"',
    ]
    ok, failed, link, vpn, ips, atp = events(parse_lines(sophos_xg, lines))
    check(ok, {"event_class": "authentication", "action": "success", "user": "admin", "src_ip": "10.0.0.9"})
    check(failed, {"event_class": "authentication", "action": "failure", "src_ip": "203.0.113.4"})
    check(link, {"event_class": "system", "action": "down", "rule_name": "Port2", "device": "XG1"})
    check(vpn, {"event_class": "system", "action": "up", "rule_name": "HQ-VPN"})
    check(ips, {"event_class": "network_activity", "action": "drop", "rule_name": "SERVER-WEBAPP Log4j",
                "severity": "high", "direction": "inbound"})  # fmt: skip
    check(atp, {"event_class": "malware_detection", "action": "detected", "malware_name": "C2/Generic-A",
                "src_ip": "10.0.0.7", "dst_ip": "52.9.175.154"})  # fmt: skip


def test_text_inside_quoted_values_does_not_set_fields() -> None:
    evil = "src_ip=6.6.6.6 dst_ip=6.6.6.6 status=Allow user_name=evil log_type=Event"
    line = HEAD.format(tz="GMT") + (
        f'log_id=010101600001 log_type="Firewall" message="{evil}" status="Deny" src_ip=10.0.0.5 '
        f'url="http://x/ {evil}" dst_ip=93.184.216.34 ether_type=Unknown (0x0000) user_name="bob"'
    )
    check(
        one(sophos_xg, line),
        {"src_ip": "10.0.0.5", "dst_ip": "93.184.216.34", "action": "deny", "user": "bob", "message": evil},
    )


def test_lines_without_a_payload_are_quarantined() -> None:
    result = parse_lines(sophos_xg, ["Jan 23 10:00:00 host sshd[1]: hello"])
    assert result.quarantine["reason"].to_list() == [sophos_xg.NO_PAYLOAD]
