"""ESET PROTECT parser tests: the corpus (``../shared/corpus/eset/wazuh/eset.ini``) and a fixture.

The fixture ``tests/parsers/fixtures/eset/protect.log`` is **built from the field lists** of
``../shared/formats/eset.md`` (help.eset.com "Events exported to JSON format"), not captured from
a server: the corpus only has wazuh's lines, which reuse Audit_Event keys under every event_type.
Two fixture lines are the format notes' samples as published (the RFC 5424 octet-counted firewall
event and the lower-cased Threat_Event); the others cover every event_type, both time keys, the
envelopes, attacker-controlled text inside JSON strings and broken lines.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import polars as pl
import pytest

from seclake.demo import eset as eset_writer
from seclake.demo.events import Event
from seclake.demo.orgs import ORGANISATIONS
from seclake.parsers import eset
from seclake.parsers.contract import ParseContext
from tests.corpus import CORPUS, corpus_files, corpus_lines
from tests.parsers.checks import (
    assert_valid,
    check_every_line_is_an_event,
    check_line,
    fixture_frame,
    lines_frame,
    utc,
)
from tests.parsers.golden import check_golden

FIXTURE = Path(__file__).parent / "fixtures" / "eset" / "protect.log"
WAZUH = CORPUS / "eset" / "wazuh" / "eset.ini"
CTX = ParseContext("acme", "av", dt.date(2024, 11, 20), "Europe/Berlin")


def test_every_corpus_file_is_known() -> None:
    assert corpus_files("eset") == [WAZUH]


def test_corpus_accounting() -> None:
    assert check_every_line_is_an_event(eset, WAZUH, CTX).events.height == 8


def test_corpus_values() -> None:
    """Hand-checked: every wazuh line (the same Audit keys under eight event_type values)."""
    result = eset.parse(corpus_lines(WAZUH), CTX)
    common = {
        "time": utc("2021-05-06T09:59:37"),
        "host": "xxxxx",
        "device": "xxxxx",
        "user": None,
        "src_ip": None,
        "file_path": None,
        "malware_name": None,
        "message": "Authenticating domain user 'XXXXXXXX'.",
    }
    check_line(result, 1, message_id="Threat_Event", event_class="malware_detection", action="detected",
               severity="info", vendor_action=None, **common)  # fmt: skip
    common["vendor_action"] = "Login attempt"  # the vendor word of every other type is ``action``
    check_line(result, 2, message_id="FirewallAggregated_Event", event_class="network_activity", action=None,
               direction="unknown", **common)  # fmt: skip
    check_line(
        result, 3, message_id="HipsAggregated_Event", event_class="malware_detection", action=None, **common
    )
    check_line(result, 4, message_id="Audit_Event", event_class="authentication", action="success",
               extra={"domain": "Domain group", "result": "Success", "pid": "5032"}, **common)  # fmt: skip
    check_line(result, 5, message_id="EnterpriseInspectorAlert_Event", event_class="malware_detection",
               action="detected", **common)  # fmt: skip
    for line, vendor, normalised in ((6, "Warning", "low"), (7, "Error", "medium"), (8, "Critical", "high")):
        check_line(result, line, vendor_severity=vendor, severity=normalised, **common)


def test_fixture_values() -> None:
    result = eset.parse(fixture_frame(FIXTURE), CTX)
    check_line(result, 1, time=utc("2024-11-20T07:25:13"), event_class="malware_detection", action="deleted",
               vendor_action="cleaned by deleting", host="ws-042.corp.local", device="esmc", src_ip="192.168.66.77",
               user="CORP\\alice", file_path="C:/Users/alice/Downloads/invoice.exe", malware_name="Win32/Agent.ABC",
               file_hash="c258b0bdbc8e53632ac0df4582f86226e86fdfec", severity="low",
               extra={"engine_version": "30285 (20241120)", "scanner_id": "Real-time file system protection",
                      "process": "C:\\Program Files\\Mozilla Firefox\\firefox.exe"})  # fmt: skip
    check_line(result, 2, time=utc("2024-11-20T07:26:00"), action="quarantined", file_path="/home/bob/eicar.com",
               host="srv-web01", user="bob", malware_name="Eicar")  # fmt: skip
    check_line(
        result, 3, action="failed", device="esmc", extra={"action_error": "Access denied.", "pid": "11804"}
    )
    check_line(result, 4, action="detected", vendor_action="retained", file_hash=None)
    check_line(
        result, 5, action="blocked", file_path=None, device=None, extra={"url": "http://site6.example/bad.js"}
    )
    check_line(result, 6, time=utc("2021-01-22T07:25:13"), message_id="threat_event",
               event_class="malware_detection", action="blocked", malware_name="html/scrinject.b",
               user="domain\\vpupkin", extra={"url": "http://site6.ru"})  # fmt: skip
    check_line(result, 7, time=utc("2022-04-11T10:45:38"), event_class="network_activity", action="deny",
               src_ip="95.216.242.119", src_port=53344, dst_ip="192.168.1.7", dst_port=3389, protocol="tcp",
               direction="inbound", host="archivos", device="esmc", user="NT AUTHORITY\\Servicio de red",
               malware_name="EsetIpBlacklist", message="Security vulnerability exploitation attempt",
               extra={"host_ipv4": "192.168.1.7", "aggregate_count": "1"})  # fmt: skip
    check_line(result, 8, event_class="malware_detection", action="blocked", rule_name="Protect hosts file",
               file_path="C:\\Windows\\System32\\drivers\\etc\\hosts",
               extra={"application": "C:\\Windows\\System32\\cmd.exe", "aggregate_count": "3"})  # fmt: skip
    check_line(result, 9, event_class="authentication", action="failure", user="Administrator")
    check_line(result, 10, event_class="system", action="config_change", vendor_action="Edit")
    check_line(result, 11, event_class="network_activity", action="deny", dst_ip="203.0.113.9", src_ip="10.0.1.20",
               extra={"url": "http://phish.example/login"})  # fmt: skip
    check_line(result, 12, event_class="malware_detection", action="blocked", file_path="C:/Users/alice/Desktop/tool.exe",
               message="File execution blocked")  # fmt: skip
    check_line(result, 13, event_class="malware_detection", action="detected", rule_name="Encoded PowerShell command",
               extra={"command_line": "powershell -enc SQBFAFgA"})  # fmt: skip


def test_text_inside_json_strings_sets_no_other_field() -> None:
    result = eset.parse(fixture_frame(FIXTURE), CTX)
    check_line(result, 14, malware_name='Evil" hostname="DC01" action_taken="deleted', action="deleted",
               host="ws-042.corp.local", user="CORP\\alice", file_path='C:/x/a" username="admin" hash="00.exe',
               file_hash="c258b0bdbc8e53632ac0df4582f86226e86fdfec")  # fmt: skip


def test_a_nested_value_falls_back_to_per_key_decoding() -> None:
    result = eset.parse(fixture_frame(FIXTURE), CTX)
    check_line(result, 15, action="deleted", message='{"text":"nested"}', host="ws-042.corp.local")


def test_quarantined_lines_give_their_reason() -> None:
    result = eset.parse(fixture_frame(FIXTURE), CTX)
    reasons = dict(result.quarantine.select("raw_line", "reason").iter_rows())
    assert reasons == {
        16: "payload is not a valid JSON object",
        17: "JSON object has no event_type (not an ESET PROTECT event)",
        18: "no JSON object in the line",
        19: "blank line",
    }
    assert result.lines == 19


def test_actions_are_in_the_vocabulary_of_their_class() -> None:
    for frame in (fixture_frame(FIXTURE), corpus_lines(WAZUH)):
        assert_valid(eset.parse(frame, CTX))


@pytest.mark.parametrize(("name", "frame"), [("corpus_wazuh", "wazuh"), ("fixture_protect", "fixture")])
def test_golden(name: str, frame: str, update_golden: bool) -> None:
    lines = corpus_lines(WAZUH) if frame == "wazuh" else fixture_frame(FIXTURE)
    check_golden(eset.parse(lines, CTX), "eset", name, update_golden)


def test_sniff() -> None:
    own = pl.concat([corpus_lines(WAZUH), fixture_frame(FIXTURE)])["raw"]
    claimed = eset.sniff(own)
    assert claimed.len() == own.len()
    assert claimed.mean() > 0.8
    others = [
        '{"type": "Event::Endpoint::Threat::Detected", "location": "WS-1"}',
        "<log><category>savscan.log</category><level>INFO</level></log>",
        "SymantecServer: Security risk found,IP Address: 10.0.3.1,Computer name: pc",
        "<166>Nov 20 2022 02:15:24 fw : %ASA-6-302013: Built outbound TCP connection",
        "",
    ]
    assert not eset.sniff(pl.Series(others)).any()


def test_demo_writer_round_trip() -> None:
    org = ORGANISATIONS[0]
    ws = next(h for h in org.hosts if h.user)
    t0 = dt.datetime(2026, 11, 10, 3, 0, 5, tzinfo=dt.UTC).timestamp()
    path = f"/home/{ws.user}/Downloads/invoice.pdf.exe"
    events = [
        Event(t0, "av_found", {"host": ws.name, "path": path, "signature": "Win.Dropper.Agent-1"}, "s1"),
        Event(t0 + 12, "av_moved", {"host": ws.name, "path": path, "dest": "/var/quarantine/x"}, "s1"),
        Event(t0 + 20, "av_action_failed", {"host": ws.name, "path": path, "reason": "Access denied."}),
        Event(
            t0 + 30,
            "av_action_failed",
            {"host": ws.name, "path": "/tmp/b", "signature": "Sig.B", "reason": "Locked"},
        ),
        Event(t0 + 40, "av_update", {"host": ws.name, "result": "failed"}),
    ]
    lines = eset_writer.render(events, org, random.Random(1))
    assert len(lines) == 4
    ctx = ParseContext("acme", "av", dt.date(2026, 11, 10), org.timezone)
    result = eset.parse(lines_frame([line.text for line in lines]), ctx)
    assert result.quarantine.height == 0
    got = result.events.select(
        "time", "action", "host", "src_ip", "user", "file_path", "malware_name", "device"
    )
    when = [dt.datetime.fromtimestamp(t0 + s, dt.UTC) for s in (0, 12, 20, 30)]
    assert got.to_dicts() == [
        {"time": when[0], "action": "detected", "host": ws.name, "src_ip": ws.ip, "user": ws.user,
         "file_path": path, "malware_name": "Win.Dropper.Agent-1", "device": f"esmc-{org.id}"},
        {"time": when[1], "action": "quarantined", "host": ws.name, "src_ip": ws.ip, "user": ws.user,
         "file_path": path, "malware_name": "Win.Dropper.Agent-1", "device": f"esmc-{org.id}"},
        {"time": when[2], "action": "failed", "host": ws.name, "src_ip": ws.ip, "user": ws.user,
         "file_path": path, "malware_name": "Win.Dropper.Agent-1", "device": f"esmc-{org.id}"},
        {"time": when[3], "action": "failed", "host": ws.name, "src_ip": ws.ip, "user": ws.user,
         "file_path": "/tmp/b", "malware_name": "Sig.B", "device": f"esmc-{org.id}"},
    ]  # fmt: skip
    assert [line.tag for line in lines] == ["s1", "s1", None, None]
