"""Symantec Endpoint Protection (SEPM syslog) parser tests: the corpus and a fixture.

The corpus (``../shared/corpus/symantec/elastic/test-agent-risk.log``) has one agent risk line with
elastic's expected document. The fixture ``tests/parsers/fixtures/symantec_sep/sepm.log`` holds the
samples of ``../shared/formats/symantec_sep.md`` (splunk-connect-for-syslog and Azure-Sentinel test
lines, headers added where the notes show them) and lines **built from the notes' layouts**:
remediations, left-alone detections, a quoted path holding ``,User: `` and ``,Risk name: `` text,
LiveUpdate failure and Auto-Protect disabled wording (no captured sample exists for those).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from seclake.parsers import symantec_sep
from seclake.parsers.contract import ParseContext
from tests.corpus import CORPUS, corpus_files, corpus_lines, expected_documents
from tests.parsers.checks import assert_valid, check_line, fixture_frame, utc
from tests.parsers.golden import check_golden

FIXTURE = Path(__file__).parent / "fixtures" / "symantec_sep" / "sepm.log"
RISK = CORPUS / "symantec" / "elastic" / "test-agent-risk.log"
CTX = ParseContext("acme", "av", dt.date(2020, 4, 14), "Europe/Paris")


def test_every_corpus_file_is_known() -> None:
    assert corpus_files("symantec") == [RISK]


def test_corpus_matches_elastic_expected_document() -> None:
    result = symantec_sep.parse(corpus_lines(RISK), CTX)
    assert result.events.height == 1 and result.quarantine.height == 0
    (doc,) = expected_documents(RISK)
    log = doc["symantec_endpoint"]["log"]
    check_line(result, 1, time=utc(doc["@timestamp"]), event_class="malware_detection", action="failed",
           vendor_action=doc["event"]["action"], message=doc["message"], message_id=log["event_description"],
           host=doc["host"]["hostname"].lower(), user=doc["user"]["name"], src_ip=log["ip_address"],
           file_path=doc["file"]["path"], malware_name=log["risk_name"], file_hash=None,
           device=log["server"].lower(),
           extra={"requested_action": log["requested_action"], "secondary_action": log["secondary_action"],
                  "scan_source": log["source"], "domain": doc["user"]["domain"], "group": log["group"],
                  "hash_type": log["hash_type"], "application_hash": log["application_hash"],
                  "file_size": log["file_size_bytes"], "downloaded_by": log["downloaded_by"],
                  "location": log["location"], "category_type": log["category_type"]})  # fmt: skip


def test_fixture_values() -> None:
    result = symantec_sep.parse(fixture_frame(FIXTURE), CTX)
    check_line(result, 1, time=utc("2020-05-06T08:29:27Z"), action="quarantined", vendor_action="Quarantined",
           host="qqqqq", device="sepm01", user="bob", src_ip="10.0.3.1", malware_name="Backdoor.Joggver",
           file_path="e:\\resharper 9.1 + keygen\\resharper.8.x.keygen.exe",
           file_hash="2e9a0e5c4c9b3f4d1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081",
           extra={"risk_description": "Still contains, 2 infected items",
                  "requested_action": "Process terminate pending restartLeft alone", "occurrences": "7"})  # fmt: skip
    check_line(
        result, 2, action="deleted", vendor_action="Cleaned by deletion", host="pc-02", severity="medium"
    )
    check_line(
        result, 3, action="detected", vendor_action="Left alone", message_id="Virus found", severity="high"
    )
    check_line(result, 5, time=utc("2020-05-06T09:18:32Z"), event_class="network_activity", action="deny",
           src_ip="10.0.9.2", src_port=58999, dst_ip="10.0.0.2", dst_port=10456, protocol="others",
           direction="inbound", host="nnnnn", user="user_f", rule_name="Block all other IP traffic and log",
           file_path="C:/Windows/System32/example_y.EXE",
           file_hash="d1616b87e4a2c6f0b3e5d7c9a1f2e3d4c5b6a7980112233445566778899aabbc")  # fmt: skip
    check_line(result, 6, action="allow", src_ip="10.0.0.5", src_port=50123, dst_ip="198.51.100.7", dst_port=443,
           protocol="tcp", direction="outbound", host="pc-05")  # fmt: skip
    check_line(result, 7, event_class="network_activity", action="deny", message_id="security", direction="inbound",
           src_ip="203.0.113.50", src_port=51515, dst_ip="10.0.0.6", dst_port=445, protocol="tcp",
           rule_name="Attack: MS SMB2 Remote Code Execution", host="pc-06")  # fmt: skip
    check_line(result, 8, time=utc("2020-04-14T10:01:04Z"), event_class="system", action="scan_completed",
           host="yyyyyyy", user="Spiderman", src_ip="1.1.1.1", duration_s=70.0, device="xxxxx-xxxxx",
           extra={"scan_id": "1581582179", "total_files": "1062", "infected": "0"})  # fmt: skip
    check_line(result, 9, time=utc("2020-04-14T08:10:10Z"), event_class="authentication", action="failure",
           user="Admin_B", device="dummyhost", host=None)  # fmt: skip
    check_line(result, 10, event_class="authentication", action="success", user="admin")
    check_line(result, 12, time=utc("2020-04-14T10:41:33Z"), event_class="system", action="update_success",
           host="yyyyyy", extra={"system_source": "LiveUpdate Manager"})  # fmt: skip
    check_line(result, 13, action="update_failed", severity="medium", host="pc-07",
           extra={"signature_version": "2020-04-14 rev. 002"})  # fmt: skip
    check_line(result, 14, action="protection_disabled", host="pc-08")
    check_line(result, 15, action="update_success", host="abc.abcompany.com", user="testuser76", device="sepm",
           vendor_severity="5", extra={"pid": "123"})  # fmt: skip
    check_line(result, 16, event_class="system", action="other", message_id="other",
           message="Something new the parser does not know")  # fmt: skip


def test_labels_inside_quoted_items_set_no_other_field() -> None:
    result = symantec_sep.parse(fixture_frame(FIXTURE), CTX)
    check_line(result, 4, user="erin", malware_name="Trojan.Gen", vendor_action="Left alone", action="failed",
           file_path="c:\\a,User: evil,Risk name: evil.exe,Actual action: Deleted")  # fmt: skip
    check_line(result, 11, event_class="system", action="config_change", user="root",
           message="Policy has been edited: Firewall policy, User: evil")  # fmt: skip


def test_quarantined_lines_give_their_reason() -> None:
    result = symantec_sep.parse(fixture_frame(FIXTURE), CTX)
    assert dict(result.quarantine.select("raw_line", "reason").iter_rows()) == {
        17: "not a SEPM log line (no SymantecServer tag and no known layout)",
        18: "blank line",
    }


def test_event_timezone_option() -> None:
    ctx = ParseContext("acme", "av", CTX.date, CTX.timezone, {"event_timezone": "Asia/Ho_Chi_Minh"})
    result = symantec_sep.parse(corpus_lines(RISK), ctx)
    assert result.events["time"].to_list() == [utc("2019-09-03T01:12:25Z")]


def test_actions_are_in_the_vocabulary_of_their_class() -> None:
    for frame in (fixture_frame(FIXTURE), corpus_lines(RISK)):
        assert_valid(symantec_sep.parse(frame, CTX))


@pytest.mark.parametrize(("name", "frame"), [("corpus_agent_risk", "risk"), ("fixture_sepm", "fixture")])
def test_golden(name: str, frame: str, update_golden: bool) -> None:
    lines = corpus_lines(RISK) if frame == "risk" else fixture_frame(FIXTURE)
    check_golden(symantec_sep.parse(lines, CTX), "symantec_sep", name, update_golden)


def test_sniff() -> None:
    own = pl.concat([corpus_lines(RISK), fixture_frame(FIXTURE).head(16)])["raw"]
    assert symantec_sep.sniff(own).all()
    others = [
        'May  6 10:59:37 X ERAServer[5032]: {"event_type":"Threat_Event","hostname":"X"}',
        '{"type": "Event::Endpoint::Threat::Detected", "location": "WS-1"}',
        'device="SFW" date=2016-12-02 time=18:48:18 timezone="GMT" log_type="Anti-Virus"',
        "<166>Nov 20 2022 02:15:24 fw : %ASA-6-302013: Built outbound TCP connection",
        "",
    ]
    assert not symantec_sep.sniff(pl.Series(others)).any()
