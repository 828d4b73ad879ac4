"""Sophos endpoint AV parser tests: the corpus (``../shared/corpus/sophos_av/wazuh/sophos.ini``) and a fixture.

The corpus holds SAV for Linux XML lines and SAV for Windows text-log lines only. The fixture
``tests/parsers/fixtures/sophos_av/central.log`` is **built from the field list** of
``../shared/formats/sophos.md`` (Sophos Central SIEM JSON events and alerts, as the
Sophos-Central-SIEM-Integration script writes them), not captured: its first line is the script's
published API mock item; the others vary type, the optional keys, a syslog header, a file name
holding quotes and ``key=value`` text, and broken lines.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from seclake.parsers import sophos_av
from seclake.parsers.contract import ParseContext
from tests.corpus import CORPUS, corpus_files, corpus_lines
from tests.parsers.checks import assert_valid, check_every_line_is_an_event, check_line, fixture_frame, utc
from tests.parsers.golden import check_golden

FIXTURE = Path(__file__).parent / "fixtures" / "sophos_av" / "central.log"
WAZUH = CORPUS / "sophos_av" / "wazuh" / "sophos.ini"
CTX = ParseContext("acme", "av", dt.date(2016, 8, 6), "Europe/London", {"host": "SAV-HOST"})


def test_every_corpus_file_is_known() -> None:
    assert corpus_files("sophos_av") == [WAZUH]


def test_corpus_accounting() -> None:
    assert check_every_line_is_an_event(sophos_av, WAZUH, CTX).events.height == 8


def test_corpus_values() -> None:
    """Hand-checked: all eight corpus lines (XML epochs are UTC; text stamps are local, here London BST)."""
    result = sophos_av.parse(corpus_lines(WAZUH), CTX)
    legacy = {"host": "sav-host", "device": None}
    check_line(result, 1, time=utc("2019-05-23T00:09:00"), event_class="system", action="scan_completed",
           message_id="SAVSCAN-DETAILS", message="SAVSCAN-DETAILS 0 0 108267 131 0 0", vendor_severity="INFO",
           extra={"category": "savscan.log", "domain": "savscan"}, **legacy)  # fmt: skip
    check_line(result, 2, time=utc("2019-05-23T00:47:01"), event_class="malware_detection", action="detected",
           file_path="path_file", severity="high", malware_name=None, user=None, **legacy)  # fmt: skip
    check_line(result, 3, action="other", message_id="SCANNER_DIED_KILLED", severity="medium", **legacy)
    check_line(result, 4, action="update_failed", message_id="NO_UPDATED_FROM",
           extra={"update_source": "http://10.11.12.13/SophosUpdate/CIDs/S000/EESAVUNIX/SUNOS_9_SPARC"})  # fmt: skip
    check_line(result, 5, time=utc("2016-08-06T04:00:00"), action="other", message_id="SCAN_STARTED",
           extra={"scan_name": "Sophos Cloud Scheduled Scan"}, **legacy)  # fmt: skip
    check_line(
        result, 6, time=utc("2016-08-06T04:20:43"), action="scan_completed", message_id="SCAN_COMPLETED"
    )
    check_line(result, 7, time=utc("2016-08-05T16:50:34"), action="protection_disabled", user="NT AUTHORITY\\SYSTEM",
           vendor_action="stopped", severity="medium", **legacy)  # fmt: skip
    check_line(result, 8, time=utc("2016-08-05T16:51:43"), action="update_success", message_id="DETECTION_DATA",
           extra={"signature_version": "5.29", "engine_version": "3.65.2", "detectable_items": "11628132"})  # fmt: skip


def test_central_values() -> None:
    result = sophos_av.parse(fixture_frame(FIXTURE), CTX)
    check_line(result, 1, time=utc("2019-04-01T15:11:41"), event_class="malware_detection", action="detected",
           message_id="Event::Endpoint::Threat::Detected", vendor_action="Detected", severity="medium",
           host="mock_mercury_1", user=None, src_ip="10.1.39.32", malware_name="Eicar-AV-Test",
           file_path="C:\\Program Files (x86)\\Trojan Horse\\bin\\eicar.com",
           extra={"endpoint_type": "server", "group": "MALWARE", "created_at": "2019-04-01T15:11:41.053Z"})  # fmt: skip
    check_line(result, 2, action="cleaned", user="CORP\\alice", host="ws-042", malware_name="Troj/Agent-BDQX",
           file_path="C:\\Users\\alice\\Downloads\\invoice.exe",
           file_hash="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")  # fmt: skip
    check_line(result, 3, action="failed", malware_name="Mal/Generic-S", severity="high")
    check_line(result, 4, action="detected", malware_name="PsExec", severity="low")
    check_line(result, 5, action="allowed", malware_name="HPmal/Generic-A")
    check_line(result, 6, event_class="system", action="update_success", malware_name=None, file_path=None)
    check_line(result, 7, event_class="system", action="update_failed", host="ws-044", device="siem-relay", user=None,
           time=utc("2024-11-20T09:10:00"), extra={"program": "sophos_central"})  # fmt: skip
    check_line(result, 8, action="update_failed", host="ws-043", device=None)
    check_line(result, 9, action="protection_disabled", message="Real time protection disabled")
    check_line(result, 10, action="protection_disabled", vendor_action="ServiceNotRunning")
    check_line(result, 11, action="protection_enabled")
    check_line(result, 12, action="scan_completed")
    check_line(result, 13, event_class="network_activity", action="deny")
    check_line(result, 14, event_class="system", action="other", vendor_action="Allowed")
    check_line(result, 15, time=utc("2024-11-20T08:02:10"), action="failed", host="fs01", src_ip="10.1.40.5",
           user="CORP\\bob", malware_name="Troj/Ransom-GKL", message="Manual cleanup required: 'Troj/Ransom-GKL' at 'D:\\Shares\\a.exe'",
           extra={"datastream": "alert", "threat_cleanable": "false", "endpoint_id": "0c5c4d55-aaaa-4bbb-8ccc-dddddddddddd"})  # fmt: skip


def test_text_inside_the_name_sets_no_other_field() -> None:
    result = sophos_av.parse(fixture_frame(FIXTURE), CTX)
    check_line(result, 16, host="ws-042", user="CORP\\alice", malware_name="Mal/Evil-A",
           file_path="C:\\Users\\alice\\a\" location=\"DC01\" source=\"CORP\\\\admin\\' at 'x.exe")  # fmt: skip


def test_quarantined_lines_give_their_reason() -> None:
    result = sophos_av.parse(fixture_frame(FIXTURE), CTX)
    assert dict(result.quarantine.select("raw_line", "reason").iter_rows()) == {
        17: "JSON object has no type (not a Sophos Central event)",
        18: "payload is not a valid JSON object",
        19: "not a Sophos endpoint line (no Central JSON, <log> XML or SAV text log)",
        20: "blank line",
    }
    assert result.lines == 20


def test_a_broken_xml_record_is_quarantined() -> None:
    frame = pl.DataFrame({"raw": ["<log><category>x</category></log>"], "raw_file": ["f"], "raw_line": [1]})
    result = sophos_av.parse(frame, CTX)
    assert result.quarantine["reason"].to_list() == [
        "<log> line does not match <log><category>…<msg>…<time>…</log>"
    ]


def test_actions_are_in_the_vocabulary_of_their_class() -> None:
    for frame in (fixture_frame(FIXTURE), corpus_lines(WAZUH)):
        result = sophos_av.parse(frame, CTX)
        assert_valid(result)
        assert result.events["action"].null_count() == 0


@pytest.mark.parametrize(("name", "frame"), [("corpus_wazuh", "wazuh"), ("fixture_central", "fixture")])
def test_golden(name: str, frame: str, update_golden: bool) -> None:
    lines = corpus_lines(WAZUH) if frame == "wazuh" else fixture_frame(FIXTURE)
    check_golden(sophos_av.parse(lines, CTX), "sophos_av", name, update_golden)


def test_sniff() -> None:
    own = pl.concat([corpus_lines(WAZUH), fixture_frame(FIXTURE).head(16)])["raw"]
    assert sophos_av.sniff(own).all()
    others = [
        'May  6 10:59:37 X ERAServer[5032]: {"event_type":"Threat_Event","hostname":"X"}',
        'device="SFW" date=2016-12-02 time=18:48:18 timezone="GMT" log_type="Anti-Virus"',
        "SymantecServer: Security risk found,IP Address: 10.0.3.1,Computer name: pc",
        "Wed Nov 24 07:25:17 2021 -> /tmp/eicar.com: Eicar-Signature FOUND",
        "",
    ]
    assert not sophos_av.sniff(pl.Series(others)).any()


def test_demo_writer_round_trip() -> None:
    import random

    from seclake.demo import sophos
    from seclake.demo.events import Event
    from seclake.demo.orgs import ORGANISATIONS

    org = ORGANISATIONS[2]
    host = org.workstations[3]
    t = dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC).timestamp()
    path = "/home/x/Downloads/a.exe"
    events = [
        Event(t, "av_found", {"host": host.name, "path": path, "signature": "Win.Trojan.Agent-1"}),
        Event(t + 5, "av_moved", {"host": host.name, "path": path, "dest": "/q/a.exe"}),
        Event(
            t + 9,
            "av_action_failed",
            {"host": host.name, "path": "/b.exe", "signature": "W.X", "reason": "Denied"},
        ),
        Event(t + 60, "av_update", {"host": host.name, "result": "failed"}),
        Event(t + 70, "av_update", {"host": host.name, "result": "uptodate"}),
        Event(t + 80, "av_protection_disabled", {"host": host.name, "user": host.user}),
        Event(t + 90, "av_protection_enabled", {"host": host.name, "user": org.admin}),
        Event(t + 95, "av_selfcheck", {"host": host.name}),  # Central has no such event: not written
    ]
    lines = sophos.render(events, org, random.Random(1))
    frame = pl.DataFrame({"raw": [line.text for line in lines], "raw_file": "demo", "raw_line": range(1, 8)})
    result = sophos_av.parse(frame, ParseContext("o", "av", dt.date(2026, 11, 10)))
    assert result.quarantine.height == 0
    rows = result.events.select(
        "time", "event_class", "action", "host", "user", "src_ip", "malware_name"
    ).rows()
    assert [(r[1], r[2]) for r in rows] == [
        ("malware_detection", "detected"),
        ("malware_detection", "cleaned"),
        ("malware_detection", "failed"),
        ("system", "update_failed"),
        ("system", "update_success"),
        ("system", "protection_disabled"),
        ("system", "protection_enabled"),
    ]
    assert rows[0][0] == dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC)
    assert {r[3] for r in rows} == {host.name} and {r[5] for r in rows} == {host.ip}
    assert rows[0][4] == f"THAMESACC\\{host.user}" and rows[6][4] == "THAMESACC\\netadmin"
    assert [r[6] for r in rows[:3]] == ["Win.Trojan.Agent-1", "Win.Trojan.Agent-1", "W.X"]
