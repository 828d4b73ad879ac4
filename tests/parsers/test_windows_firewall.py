"""Windows Firewall pfirewall.log parser: the corpus (accounting, hand-checked values, golden
file), the ``#Fields:`` header (file option, in-chunk header, extra columns), missing columns,
INFO-EVENTS-LOST, local time, sniffing and the demo writer."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import polars as pl
import pytest

from seclake.demo import windows_firewall as writer
from seclake.demo.events import Event
from seclake.demo.orgs import ORGANISATIONS
from seclake.parsers import windows_firewall
from seclake.parsers.contract import ParseContext
from tests.corpus import corpus_files, corpus_lines
from tests.parsers.checks import check, check_accounting, events, events_by_line, name, parse_lines
from tests.parsers.golden import check_golden

FILES = corpus_files("windows_firewall")
HEADER_LINES = {"msdocs-pfirewall": {1, 2, 3, 4}}
"""Corpus lines that are the W3C header: quarantined as HEADER, not counted against the 99 % bar."""


@pytest.mark.parametrize("path", FILES, ids=name)
def test_every_record_is_an_event_and_headers_are_quarantined(path: Path) -> None:
    result = check_accounting(windows_firewall, path)
    headers = HEADER_LINES[name(path)]
    assert set(result.quarantine["raw_line"].to_list()) == headers
    assert set(result.quarantine["reason"].to_list()) == {windows_firewall.HEADER}
    assert result.events.height == result.lines - len(headers)  # 100 % of the records


@pytest.mark.parametrize("path", FILES, ids=name)
def test_golden(path: Path, update_golden: bool) -> None:
    ctx = ParseContext("acme", "fw", dt.date(2019, 11, 6), "Europe/Berlin", {"host": "ws01"})
    check_golden(
        windows_firewall.parse(corpus_lines(path), ctx), "windows_firewall", name(path), update_golden
    )


def test_hand_checked_corpus_values() -> None:
    (path,) = FILES
    ctx = ParseContext("acme", "fw", dt.date(2019, 11, 6), "Europe/Berlin", {"host": "ws01"})
    rows = events_by_line(windows_firewall, path, ctx)
    base = {"time": dt.datetime(2019, 11, 6, 11, 35, 19, tzinfo=dt.UTC), "action": "drop", "vendor_action": "DROP",
            "protocol": "udp", "src_port": 5353, "dst_port": 5353, "device": "ws01", "host": "ws01", "packets": 1}  # fmt: skip
    check(rows[5], base | {"src_ip": "5.5.3.197", "dst_ip": "224.0.0.251", "bytes_out": 59, "direction": "inbound",
                           "extra.path": "RECEIVE", "extra.tcp_flags": None})  # fmt: skip
    check(rows[6], base | {"src_ip": "fe80::3680:dff:fe01:9e88", "dst_ip": "ff02::fb", "bytes_total": 89})
    # the record cut short in the source document: the missing path is null, direction from ranges
    # (link-local to multicast: internal)
    check(rows[8], base | {"src_ip": "fe80::3680:dff:fe01:9e88", "extra.path": None, "direction": "internal"})
    check(rows[9], base | {"src_ip": "fe80::3680:dff:fe01:9d87", "bytes_out": 79})
    check(rows[10], base | {"src_ip": "5.5.3.193", "dst_ip": "224.0.0.251"})
    check(
        rows[18], base | {"src_ip": "fe80::3680:dff:fe01:9e8b", "dst_ip": "ff02::fb", "extra.path": "RECEIVE"}
    )


FIELDS = "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path pid"


def test_fields_header_from_the_file_options_and_from_the_chunk() -> None:
    first_chunk = pl.DataFrame({"raw": ["#Version: 1.5", FIELDS], "raw_file": ["f"] * 2, "raw_line": [1, 2]})
    options = windows_firewall.file_options(first_chunk)
    assert options == {windows_firewall.FIELDS_OPTION: FIELDS.removeprefix("#Fields: ")}
    later_chunk = [
        "2026-01-23 10:00:00 ALLOW TCP 10.0.0.5 93.184.216.34 50000 443 0 - 0 0 0 - - - SEND 4242",
        "#Fields: date time action protocol src-ip dst-ip src-port dst-port size path",
        "2026-01-23 10:00:01 DROP TCP 198.51.100.7 10.0.0.5 41000 3389 52 RECEIVE",
        "2026-01-23 10:00:02 DROP ICMP 198.51.100.7 10.0.0.5 - - 84",
    ]
    ctx = ParseContext("a", "s", dt.date(2026, 1, 23), "Asia/Singapore", options)
    result = parse_lines(windows_firewall, later_chunk, ctx)
    allow, drop, icmp = events(result)
    check(allow, {"time": dt.datetime(2026, 1, 23, 2, 0, tzinfo=dt.UTC), "action": "allow", "direction": "outbound",
                  "extra.pid": "4242", "dst_port": 443, "bytes_out": 0, "device": None})  # fmt: skip
    check(
        drop, {"action": "drop", "direction": "inbound", "dst_port": 3389, "bytes_out": 52, "extra.pid": None}
    )
    check(
        icmp,
        {"protocol": "icmp", "src_port": None, "dst_port": None, "extra.path": None, "direction": "inbound"},
    )
    assert result.quarantine.select("raw_line", "reason").rows() == [(2, windows_firewall.HEADER)]


def test_events_lost_blank_and_foreign_lines() -> None:
    result = parse_lines(
        windows_firewall,
        [
            "2026-01-23 10:00:00 INFO-EVENTS-LOST - - - - - - - - - - - - 12 -",
            "",
            "Jan 23 10:00:00 host sshd[1]: Accepted password for root",
        ],
    )
    (lost,) = events(result)
    check(lost, {"event_class": "system", "action": "other", "extra.events_lost": "12", "message": "12 events lost",
                 "packets": None, "direction": None})  # fmt: skip
    assert result.quarantine.select("raw_line", "reason").rows() == [
        (2, windows_firewall.BLANK),
        (3, windows_firewall.NOT_A_RECORD),
    ]


def test_sniff() -> None:
    lines = pl.Series(
        [
            "#Software: Microsoft Windows Firewall",
            FIELDS,
            "2019-11-06 12:35:19 DROP UDP 5.5.3.197 224.0.0.251 5353 5353 59 - - - - - - - RECEIVE",
            "2019-11-06 12:35:19 ALLOW TCP 10.0.0.5 8.8.8.8 5 443 0 - 0 0 0 - - - SEND",
            "#Software: Microsoft Internet Information Services 10.0",
            "2019-11-06 12:35:19 10.0.0.5 GET /index.html - 443 - 1.2.3.4 Mozilla 200 0 0 5",
            "Jan 23 10:00:00 srv kernel: [UFW BLOCK] IN=eth0 OUT= SRC=1.2.3.4 DST=10.0.0.5 LEN=60 PROTO=TCP",
        ]
    )
    assert windows_firewall.sniff(lines).to_list() == [True, True, True, True, False, False, False]


def test_demo_writer_lines_parse_back() -> None:
    org = ORGANISATIONS[2]
    host = org.host("fs01")
    t0 = dt.datetime(2026, 11, 10, 9, 30, tzinfo=dt.UTC).timestamp()
    neutral = [
        Event(t0, "conn", {"proto": "tcp", "src_ip": "10.30.1.21", "src_port": 50000, "dst_ip": host.ip, "dst_port": 445}),
        Event(t0 + 3, "conn", {"proto": "udp", "src_ip": host.ip, "src_port": 40000, "dst_ip": "10.30.2.10", "dst_port": 53}),
        Event(t0 + 7, "deny", {"proto": "tcp", "src_ip": "10.30.1.22", "src_port": 41000, "dst_ip": host.ip, "dst_port": 3389}),
        Event(t0 + 9, "deny", {"proto": "tcp", "src_ip": "10.30.1.22", "src_port": 41000, "dst_ip": "10.30.2.99", "dst_port": 22}),
        Event(t0 + 11, "link", {"interface": "servers", "state": "down", "admin": True}),
    ]  # fmt: skip
    lines = [line.text for line in writer.render(neutral, org, random.Random(1), host)]
    assert lines[:4] == list(writer.HEADER) and len(lines) == 7
    ctx = ParseContext("a", "s", dt.date(2026, 11, 10), org.timezone, {"host": host.name})
    result = parse_lines(windows_firewall, lines, ctx)
    assert result.quarantine["reason"].to_list() == [windows_firewall.HEADER] * 4
    smb, dns, rdp = events(result)
    when = dt.datetime.fromtimestamp(t0, dt.UTC)
    check(smb, {"time": when, "action": "allow", "src_ip": "10.30.1.21", "dst_ip": host.ip, "dst_port": 445,
                "src_port": 50000, "protocol": "tcp", "direction": "inbound", "host": "fs01"})  # fmt: skip
    check(
        dns,
        {"action": "allow", "src_ip": host.ip, "dst_port": 53, "protocol": "udp", "direction": "outbound"},
    )
    check(rdp, {"action": "drop", "dst_port": 3389, "bytes_out": 60, "extra.tcp_flags": "S",
                "time": when + dt.timedelta(seconds=7)})  # fmt: skip
