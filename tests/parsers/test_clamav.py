"""ClamAV parser tests: the real-log corpus (``../shared/corpus/clamav/cribl``) and hand-written fixtures.

The fixtures under ``tests/parsers/fixtures/clamav/`` are built from the wording in
``../shared/formats/clamav.md`` (ClamAV documentation and man pages), **not captured** from a running
ClamAV: they cover what the corpus lacks (remediation, scan errors, freshclam failures, clamonacc,
syslog framing from several hosts, clamdscan, odd paths).

The corpus clamscan capture stores a whole report, newlines included, in one ``_raw``; in a real log
file those are separate lines, so ``_file_frame`` splits every captured item into its lines and
numbers them as consecutive lines of the file.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from seclake.parsers import clamav
from seclake.parsers.contract import ParseContext, ParseResult
from seclake.schema import ACTIONS
from tests.corpus import CORPUS, corpus_events, corpus_files
from tests.parsers.checks import check_line, lines_frame, utc
from tests.parsers.golden import check_golden

FIXTURES = Path(__file__).parent / "fixtures" / "clamav"
CRIBL = CORPUS / "clamav" / "cribl"
TIMEZONE = "America/Los_Angeles"
"""The corpus hosts ran on US Pacific time: cribl's ``_time`` epochs are the ctime prefixes read there."""

CTX = ParseContext("acme", "av", dt.date(2021, 11, 24), TIMEZONE)
ONACCESS = {"program": "clamonacc", "host": "WS-042", "on_access_prevention": "true"}


def _split(events: list[str]) -> list[str]:
    """The file lines of captured items: a multi-line item gives one line per newline-ended part."""
    lines: list[str] = []
    for event in events:
        parts = event.split("\n")
        if event.endswith("\n"):
            parts.pop()
        lines.extend(parts)
    return lines


def _file_frame(path: Path) -> pl.DataFrame:
    """A parser input frame of a corpus file (items split into lines) or of a fixture (blank lines kept)."""
    if path.suffix == ".json":
        return lines_frame(_split(corpus_events(path)), str(path))
    return lines_frame(_split([path.read_text(encoding="utf-8")]), str(path))


def _parse(path: Path, **options: str) -> ParseResult:
    ctx = ParseContext(CTX.org, CTX.source, CTX.date, CTX.timezone, options)
    return clamav.parse(_file_frame(path), ctx)


def _quarantined(result: ParseResult) -> dict[int, str]:
    return dict(result.quarantine.select("raw_line", "reason").iter_rows())


# -- accounting -------------------------------------------------------------------------------

EXPECTED_COUNTS = {
    "Pt4kei.json": (25, {}),
    "qhWS9z.json": (34, {}),
    "o4NNrJ.json": (49, dict.fromkeys((12, 13, 25, 27, 39, 43, 55), "blank line")),
}


def test_every_corpus_file_is_known() -> None:
    assert sorted(p.name for p in corpus_files("clamav")) == sorted(EXPECTED_COUNTS)


@pytest.mark.parametrize("name", sorted(EXPECTED_COUNTS))
def test_corpus_accounting(name: str) -> None:
    frame = _file_frame(CRIBL / name)
    result = clamav.parse(frame, CTX)
    events, quarantined = EXPECTED_COUNTS[name]
    assert result.events.height + result.quarantine.height == frame.height
    assert result.events.height == events
    assert _quarantined(result) == quarantined
    assert sorted(result.events["raw_line"].to_list() + result.quarantine["raw_line"].to_list()) == list(
        range(1, frame.height + 1)
    )


def test_corpus_times_match_the_capture_epochs() -> None:
    """Every ctime-prefixed corpus line, read in US Pacific time, is the epoch cribl recorded for it."""
    for name in ("Pt4kei.json", "qhWS9z.json"):
        path = CRIBL / name
        captured = [dt.datetime.fromtimestamp(item["_time"], dt.UTC) for item in json.loads(path.read_text())]
        assert clamav.parse(_file_frame(path), CTX).events["time"].to_list() == captured


def test_actions_are_in_the_vocabulary_of_their_class() -> None:
    for path in [*sorted(CRIBL.glob("*.json")), *sorted(FIXTURES.glob("*.log"))]:
        events = _parse(path, **ONACCESS).events
        for event_class, action in events.select("event_class", "action").unique().iter_rows():
            assert action in ACTIONS[event_class], (path.name, event_class, action)


# -- corpus values ----------------------------------------------------------------------------


def test_freshclam_corpus_values() -> None:
    result = _parse(CRIBL / "Pt4kei.json")
    common = {
        "event_class": "system",
        "host": None,
        "device": None,
        "vendor": "Cisco Talos",
        "product": "ClamAV",
    }
    check_line(
        result,
        1,
        time=utc("2021-11-24T14:25:17"),
        action="other",
        message_id="SEPARATOR",
        message="-" * 38,
        extra={"program": "freshclam"},
        **common,
    )
    check_line(
        result,
        2,
        time=utc("2021-11-24T15:25:17"),
        action="other",
        message_id="WAKE_UP",
        message="Received signal: wake up",
        severity="info",
        extra={"program": "freshclam"},
        **common,
    )
    check_line(
        result,
        3,
        action="other",
        message_id="UPDATE_STARTED",
        vendor_action="started",
        message="ClamAV update process started at Wed Nov 24 07:25:17 2021",
        **common,
    )
    check_line(
        result,
        4,
        time=utc("2021-11-24T15:25:17"),
        action="update_success",
        vendor_action="up-to-date",
        message_id="DB_UPTODATE",
        severity="info",
        format="clamav",
        extra={
            "program": "freshclam",
            "database": "daily",
            "database_file": "daily.cld",
            "signature_version": "00000",
            "signatures": "0000000",
            "f_level": "00",
            "builder": "raynman",
        },
        **common,
    )
    check_line(
        result,
        5,
        action="update_success",
        message_id="DB_UPTODATE",
        extra={
            "database": "main",
            "database_file": "main.cld",
            "signature_version": "00",
            "builder": "sigmgr",
        },
        **common,
    )
    check_line(
        result,
        24,
        time=utc("2021-11-24T18:25:17"),
        message_id="DB_UPTODATE",
        extra={"database": "bytecode", "signature_version": "000", "signatures": "00", "builder": "awillia2"},
        **common,
    )
    check_line(result, 25, time=utc("2021-11-24T18:25:17"), message_id="SEPARATOR", action="other", **common)


def test_clamd_corpus_values() -> None:
    result = _parse(CRIBL / "qhWS9z.json")
    clamd = {"event_class": "system", "action": "other", "extra": {"program": "clamd"}}
    check_line(
        result,
        1,
        time=utc("2021-11-21T17:26:05"),
        message_id="SELFCHECK",
        severity="info",
        message="SelfCheck: Database status OK.",
        file_path=None,
        malware_name=None,
        **clamd,
    )
    check_line(
        result,
        3,
        time=utc("2021-11-21T19:26:05"),
        message_id="SELFCHECK",
        message="SelfCheck: Database modification detected. Forcing reload.",
        **clamd,
    )
    check_line(
        result,
        4,
        time=utc("2021-11-21T19:26:05"),
        message_id="DB_LOADING",
        message="Reading databases from /var/lib/clamav",
        **clamd,
    )
    check_line(
        result,
        5,
        time=utc("2021-11-21T19:26:18"),
        message_id="DB_RELOADED",
        event_class="system",
        action="other",
        extra={"program": "clamd", "signatures": "8579047"},
    )
    check_line(
        result, 6, message_id="DB_ACTIVATED", message="Activating the newly loaded database...", **clamd
    )
    check_line(
        result, 19, time=utc("2021-11-22T08:26:21"), message_id="SELFCHECK", **clamd
    )  # after midnight local
    check_line(
        result,
        32,
        time=utc("2021-11-22T19:26:35"),
        message_id="DB_RELOADED",
        extra={"signatures": "8579279"},
    )


def test_clamscan_corpus_report() -> None:
    result = _parse(CRIBL / "o4NNrJ.json")
    summary = check_line(
        result,
        28,
        time=utc("2021-11-17T21:16:15"),
        event_class="system",
        action="scan_completed",
        message_id="SCAN_SUMMARY",
        severity="info",
        duration_s=4574.319,
        message="----------- SCAN SUMMARY -----------",
    )
    assert summary["extra"] == {
        "program": "clamscan",
        "known_viruses": "8577905",
        "engine_version": "0.103.3",
        "scanned_directories": "18364",
        "scanned_files": "146977",
        "infected_files": "1",
        "data_scanned": "10574.78 MB",
        "data_read": "468275.68 MB (ratio 0.02:1)",
        "scan_time": "4574.319 sec (76 m 14 s)",
        "start_date": "2021:11:17 12:00:01",
        "end_date": "2021:11:17 13:16:15",
    }
    # the detection before the summary takes the block's Start Date (12:00:01 Pacific)
    check_line(
        result,
        26,
        time=utc("2021-11-17T20:00:01"),
        event_class="malware_detection",
        action="detected",
        vendor_action="FOUND",
        message_id="FOUND",
        severity="high",
        file_path="/usr/lib64/libcurl.so.4.5.0",
        malware_name="Unix.Trojan.Coinminer-9910195-0",
        host=None,
        extra={"program": "clamscan"},
    )
    check_line(
        result,
        33,
        time=utc("2021-11-17T21:16:15"),
        action="other",
        message_id="SCAN_SUMMARY_FIELD",
        message="Infected files: 1",
        extra={"program": "clamscan", "infected_files": "1"},
    )
    check_line(
        result,
        38,
        message_id="SCAN_SUMMARY_FIELD",
        message="End Date:   2021:11:17 13:16:15",
        extra={"end_date": "2021:11:17 13:16:15"},
    )
    check_line(
        result,
        1,
        time=utc("2021-11-16T21:16:40"),
        message_id="SCAN_SUMMARY",
        duration_s=4598.959,
        extra={"infected_files": "0", "scanned_directories": "18384"},
    )
    for line, path in (
        (40, "/tmp/libcurl.so.4.5.0"),
        (41, "/usr/lib64/libcurl.so.4.5.0"),
        (42, "/home/user/libcurl.so.4.5.0"),
    ):
        check_line(result, line, time=utc("2021-11-18T16:00:01"), action="detected", file_path=path)
    check_line(
        result, 44, time=utc("2021-11-18T17:19:16"), action="scan_completed", extra={"infected_files": "3"}
    )
    # the separator that opens the next (absent) run has no block after it in the frame: no time
    check_line(result, 56, time=None, message_id="SEPARATOR", action="other", extra={"program": "clamscan"})


# -- fixtures built from the format doc -------------------------------------------------------


def test_clamd_fixture() -> None:
    result = _parse(FIXTURES / "clamd.log")
    assert _quarantined(result) == {}
    check_line(
        result,
        1,
        time=utc("2021-11-24T15:00:01"),
        event_class="system",
        action="up",
        vendor_action="Started",
        message_id="STARTED",
        rule_name="clamd",
        severity="info",
        extra={"program": "clamd"},
    )
    check_line(result, 2, message_id="DAEMON_INFO", action="other", extra={"program": "clamd"})
    check_line(
        result,
        3,
        message_id="VERSION",
        extra={"engine_version": "0.103.3", "platform": "OS: linux-gnu, ARCH: x86_64, CPU: x86_64"},
    )
    check_line(
        result, 4, message_id="OTHER", action="other", message="Log file size limited to 1048576 bytes."
    )
    check_line(result, 6, message_id="DB_LOADED", extra={"signatures": "8579047"})
    check_line(result, 8, message_id="DB_TOO_OLD", severity="medium", vendor_severity="LibClamAV Warning")
    check_line(
        result,
        9,
        time=utc("2021-11-24T15:10:02"),
        event_class="malware_detection",
        action="detected",
        message_id="FOUND",
        severity="high",
        file_path="/home/alice/Downloads/invoice.pdf.exe",
        malware_name="Win.Test.EICAR_HDB-1",
        extra={"program": "clamd"},
    )
    # a path holding ": " is split on the last ": " before the signature; heuristic and PUA names are medium
    check_line(
        result,
        10,
        file_path="/srv/share/Q3 report: final.zip",
        malware_name="Heuristics.Encrypted.Zip",
        severity="medium",
    )
    # an invalid UTF-8 byte arrives escaped as \xe9 text and stays in the path
    check_line(
        result,
        11,
        file_path="/home/bob/caf\\xe9 menu.exe",
        malware_name="PUA.Win.Packer.Upx-1",
        severity="medium",
    )
    check_line(
        result,
        12,
        file_path=None,
        src_ip="10.1.2.3",
        src_port=41234,
        malware_name="Eicar-Test-Signature",
        extra={"stream": "instream(10.1.2.3@41234)"},
    )
    check_line(
        result,
        13,
        src_ip="127.0.0.1",
        src_port=44370,
        malware_name="Eicar-Signature",
        file_hash="44d88612fea8a8f36de82e1278abb02f",
        extra={"file_size": "68", "file_hash_algorithm": "md5", "stream": "stream(127.0.0.1@44370)"},
    )
    check_line(
        result,
        14,
        event_class="malware_detection",
        action="failed",
        vendor_action="ERROR",
        message_id="SCAN_ERROR",
        severity="low",
        file_path="/var/www/upload/shell.php",
        message="Access denied.",
        malware_name=None,
    )
    check_line(
        result,
        15,
        action="failed",
        file_path="/var/www/upload/gone.tmp",
        message="lstat() failed: No such file or directory.",
    )
    check_line(
        result,
        16,
        event_class="system",
        action="other",
        vendor_action="OK",
        message_id="OK",
        file_path="/home/alice/notes.txt",
        malware_name=None,
    )
    check_line(result, 17, message_id="ENGINE_ERROR", severity="medium", vendor_severity="LibClamAV Error")
    # a generic ERROR: line of clamd's own log is not an update failure
    check_line(
        result,
        18,
        message_id="ERROR",
        action="other",
        severity="medium",
        vendor_severity="ERROR",
        extra={"program": "clamd"},
    )
    check_line(result, 20, message_id="DB_RELOADED", extra={"signatures": "8610659"})
    # space-padded day
    check_line(
        result,
        22,
        time=utc("2021-12-03T16:00:00"),
        action="down",
        vendor_action="Stopped",
        message_id="STOPPED",
        rule_name="clamd",
        severity="medium",
    )


def test_freshclam_fixture() -> None:
    result = _parse(FIXTURES / "freshclam.log")
    assert _quarantined(result) == {}
    fresh = {"event_class": "system", "extra": {"program": "freshclam"}}
    check_line(result, 2, message_id="VERSION", action="other", **fresh)
    check_line(
        result,
        4,
        action="update_failed",
        message_id="OUTDATED",
        severity="low",
        vendor_severity="WARNING",
        message="WARNING: Your ClamAV installation is OUTDATED!",
        **fresh,
    )
    check_line(result, 5, action="other", message_id="UPDATE_WARNING", severity="low", **fresh)
    check_line(result, 6, action="other", message_id="OTHER", **fresh)
    check_line(result, 7, action="other", message_id="UPDATE_RETRY", **fresh)
    # a download warning is followed by a retry that can still succeed
    check_line(
        result,
        8,
        action="other",
        message_id="UPDATE_WARNING",
        extra={
            "database": "daily",
            "database_file": "daily.cvd",
            "mirror": "https://database.clamav.net/daily.cvd",
        },
    )
    check_line(
        result,
        9,
        time=utc("2021-11-24T17:00:04"),
        action="update_success",
        vendor_action="updated",
        message_id="DB_UPDATED",
        extra={
            "database": "daily",
            "database_file": "daily.cvd",
            "signature_version": "26372",
            "signatures": "1963146",
            "f_level": "90",
            "builder": "raynman",
        },
    )
    check_line(
        result,
        10,
        action="update_success",
        message_id="DB_UPTODATE",
        extra={"database": "main", "signature_version": "62"},
    )
    check_line(
        result,
        11,
        action="update_success",
        message_id="UPDATE_COMPLETED",
        extra={"signatures": "8610659", "mirror": "database.clamav.net", "mirror_ip": "104.16.219.84"},
    )
    check_line(result, 12, action="other", message_id="CLAMD_NOT_NOTIFIED", severity="low", **fresh)
    check_line(
        result,
        16,
        action="update_failed",
        message_id="UPDATE_FAILED",
        severity="medium",
        vendor_severity="WARNING",
        extra={"http_status": "429"},
    )
    check_line(result, 17, action="update_failed", message_id="UPDATE_FAILED", extra={"http_status": "403"})
    check_line(
        result,
        18,
        action="update_failed",
        message_id="UPDATE_FAILED",
        vendor_severity="ERROR",
        extra={"database": "daily", "mirror": "https://database.clamav.net/daily.cvd"},
    )
    check_line(result, 19, action="update_failed", message_id="UPDATE_FAILED", extra={"database": "daily"})
    check_line(
        result,
        20,
        action="update_failed",
        message_id="UPDATE_FAILED",
        message="ERROR: Database update process failed: Connection failed",
    )
    # a generic ERROR: line of a file whose other lines are all freshclam's is an update failure
    check_line(result, 21, action="update_failed", message_id="UPDATE_FAILED", **fresh)
    check_line(
        result,
        24,
        time=utc("2021-11-24T19:00:02"),
        action="update_success",
        message_id="DB_UPDATED",
        extra={"database": "daily", "database_file": "daily.cld", "signature_version": "26373"},
    )
    check_line(result, 26, action="other", message_id="CLAMD_NOTIFIED", **fresh)


def test_syslog_fixture_several_hosts() -> None:
    result = _parse(FIXTURES / "syslog.log")
    assert _quarantined(result) == {13: "not a ClamAV log line"}
    check_line(
        result,
        1,
        time=utc("2021-11-24T15:25:17"),
        host="mail-gw-01",
        device="mail-gw-01",
        event_class="malware_detection",
        action="detected",
        message_id="FOUND",
        vendor_severity="6",
        file_path="/var/spool/amavisd/tmp/amavis-20211124T072517-01234/parts/p002",
        malware_name="Win.Trojan.Emotet-9850463-0",
        extra={"program": "clamd", "pid": "812"},
    )
    check_line(result, 2, host="mail-gw-01", message_id="SELFCHECK", extra={"program": "clamd"})
    check_line(
        result,
        3,
        host="fileserver02",
        action="update_success",
        message_id="DB_UPTODATE",
        extra={"program": "freshclam", "pid": "4411", "signature_version": "26371", "database": "daily"},
    )
    check_line(
        result,
        4,
        host="ws-017.acme.local",
        action="update_failed",
        message_id="UPDATE_FAILED",
        vendor_severity="ERROR",
        extra={"program": "freshclam"},
    )
    # the freshclam tag makes a generic ERROR: an update failure
    check_line(result, 5, host="ws-017.acme.local", action="update_failed", message_id="UPDATE_FAILED")
    # clamonacc FOUND without the prevention option is a detection
    check_line(
        result,
        6,
        time=utc("2021-11-24T15:30:12"),
        host="ws-017.acme.local",
        action="detected",
        message_id="FOUND",
        vendor_severity=None,
        extra={"program": "clamonacc", "pid": "1201"},
    )
    check_line(
        result,
        7,
        action="quarantined",
        vendor_action="moved",
        message_id="MOVED",
        file_path="/home/carol/Downloads/eicar.com",
        malware_name="Eicar-Signature",
        severity="high",
        extra={"program": "clamonacc", "quarantine_path": "/var/quarantine/eicar.com"},
    )
    check_line(result, 8, message_id="ONACCESS_INFO", action="other", extra={"program": "clamonacc"})
    check_line(
        result,
        9,
        time=utc("2021-11-24T15:40:00"),
        host="fileserver02",
        action="down",
        message_id="STOPPED",
        rule_name="clamd",
        vendor_severity="5",
        extra={"program": "clamd", "pid": "777"},
    )
    check_line(
        result, 10, time=utc("2021-11-24T15:40:05"), action="up", message_id="STARTED", extra={"pid": "778"}
    )
    check_line(
        result,
        11,
        time=utc("2021-11-24T15:41:00"),
        host="fileserver02",
        message_id="FOUND",
        file_path="/srv/public/setup.exe",
        malware_name="Win.Malware.Agent-1234567-0",
    )
    # a log file forwarded by a syslog agent keeps its ctime prefix after the tag
    check_line(
        result,
        12,
        time=utc("2021-11-24T15:42:00"),
        message_id="SELFCHECK",
        message="SelfCheck: Database status OK.",
    )


def test_clamonacc_fixture_with_prevention() -> None:
    result = _parse(FIXTURES / "clamonacc.log", **ONACCESS)
    assert _quarantined(result) == {}
    check_line(
        result,
        1,
        time=None,
        host="ws-042",
        device="ws-042",
        message_id="ONACCESS_INFO",
        extra={"program": "clamonacc"},
    )
    check_line(
        result,
        2,
        time=None,
        host="ws-042",
        event_class="malware_detection",
        action="blocked",
        vendor_action="FOUND",
        message_id="FOUND",
        file_path="/home/dave/Downloads/invoice.exe",
        malware_name="Win.Trojan.Agent-1234567-0",
        severity="high",
        extra={"program": "clamonacc"},
    )
    check_line(
        result,
        3,
        action="failed",
        message_id="SCAN_ERROR",
        message="Can't open file or directory",
        file_path="/home/dave/.cache/thumbnails",
    )
    check_line(result, 4, action="blocked", severity="medium", malware_name="PUA.Win.Tool.Packed-1")


def test_clamonacc_fixture_without_options() -> None:
    result = _parse(FIXTURES / "clamonacc.log")
    # ClamInotif: names the producer; the file's other lines take it (they are all clamonacc's)
    check_line(result, 2, host=None, action="detected", extra={"program": "clamonacc"})
    prevention_only = _parse(FIXTURES / "clamonacc.log", on_access_prevention="true")
    check_line(prevention_only, 2, action="blocked")
    clamd_file = _parse(FIXTURES / "clamd.log", on_access_prevention="true")
    check_line(clamd_file, 9, action="detected", extra={"program": "clamd"})


def test_clamscan_fixture() -> None:
    result = _parse(FIXTURES / "clamscan.log")
    assert _quarantined(result) == {
        **dict.fromkeys((1, 3, 13, 26, 28, 30, 36, 38), "blank line"),
        40: "not a ClamAV log line",
    }
    start = utc("2021-11-24T10:00:01")
    check_line(result, 2, time=start, message_id="SEPARATOR", extra={"program": "clamscan"})
    check_line(result, 4, time=start, action="detected", malware_name="Eicar-Signature")
    check_line(
        result,
        5,
        time=start,
        event_class="malware_detection",
        action="quarantined",
        vendor_action="moved",
        message_id="MOVED",
        file_path="/home/erin/Downloads/eicar.com",
        malware_name="Eicar-Signature",
        extra={"program": "clamscan", "quarantine_path": "/var/quarantine/eicar.com"},
    )
    check_line(
        result,
        7,
        action="detected",
        vendor_action="copied",
        message_id="COPIED",
        severity="medium",
        malware_name="PUA.Win.Adware.Toolbar-1",
        extra={"copy_path": "/var/quarantine/toolbar.exe"},
    )
    check_line(
        result,
        9,
        action="deleted",
        vendor_action="Removed",
        message_id="REMOVED",
        file_path="/home/erin/tmp/dropper.js",
        malware_name="JS.Trojan.Dropper-1",
    )
    check_line(result, 10, action="failed", message_id="SCAN_ERROR", message="Access denied.")
    check_line(
        result, 11, event_class="system", action="other", vendor_action="Empty file", message_id="SKIPPED"
    )
    check_line(
        result, 12, event_class="system", action="other", message_id="OK", file_path="/home/erin/notes.txt"
    )
    check_line(
        result,
        14,
        time=utc("2021-11-24T10:01:36"),
        action="scan_completed",
        duration_s=95.412,
        extra={
            "program": "clamscan",
            "infected_files": "3",
            "total_errors": "1",
            "data_scanned": "512.30 MB",
        },
    )
    check_line(result, 20, message_id="SCAN_SUMMARY_FIELD", extra={"total_errors": "1"})
    # clamdscan's summary has no engine lines
    check_line(
        result,
        29,
        time=utc("2021-11-24T11:00:00"),
        file_path="/srv/share/report: Q3.docx",
        malware_name="Doc.Dropper.Agent-7",
        extra={"program": "clamdscan"},
    )
    check_line(
        result,
        31,
        time=utc("2021-11-24T11:00:12"),
        action="scan_completed",
        duration_s=12.004,
        extra={"program": "clamdscan", "infected_files": "1", "known_viruses": None},
    )
    # an unfinished run: no summary after it in the frame, so no time; two producers in the file, so none
    check_line(
        result, 39, time=None, action="detected", malware_name="Win.Test.EICAR_HDB-1", extra={"program": None}
    )


def test_edge_lines() -> None:
    lines = [
        "Wed Nov 24 07:10:10 2021 -> ",
        "Wed Nov 24 07:10:11 2021 -> daily.cld database is up-to-date but oddly worded",
        "Wed Nov 24 07:10:12 2021 -> /tmp/x: Some Sig With Spaces FOUND",
        "   ",
        "%ASA-6-302016: Teardown UDP connection 1 for outside:10.0.0.1/53 to inside:10.0.0.2/5353 duration 0:00:00 bytes 148",
        "SelfCheck: Database status OK.",
        "+++ Started at Wed Nov 24 07:00:01 2021",
    ]
    result = clamav.parse(lines_frame(lines, "edge.log"), CTX)
    assert _quarantined(result) == {
        1: "empty ClamAV message",
        2: "database status line does not match '<name>.cvd|cld (database is up-to-date|updated) (version: N, ...)'",
        3: "result line does not match '<path>: <signature> FOUND|moved to '...'|Removed.|<reason> ERROR|OK'",
        4: "blank line",
        5: "not a ClamAV log line",
    }
    # without LogTime: no time, except where the text carries one
    check_line(result, 6, time=None, message_id="SELFCHECK", extra={"program": "clamd"})
    check_line(result, 7, time=utc("2021-11-24T15:00:01"), message_id="STARTED", action="up")


def test_empty_input() -> None:
    result = clamav.parse(lines_frame([], "empty.log"), CTX)
    assert result.events.height == 0 and result.quarantine.height == 0


# -- golden files -----------------------------------------------------------------------------

GOLDEN_INPUTS = {
    "corpus_freshclam": (CRIBL / "Pt4kei.json", {}),
    "corpus_clamd": (CRIBL / "qhWS9z.json", {}),
    "corpus_clamscan": (CRIBL / "o4NNrJ.json", {}),
    "fixture_clamd": (FIXTURES / "clamd.log", {}),
    "fixture_freshclam": (FIXTURES / "freshclam.log", {}),
    "fixture_syslog": (FIXTURES / "syslog.log", {}),
    "fixture_clamonacc": (FIXTURES / "clamonacc.log", ONACCESS),
    "fixture_clamscan": (FIXTURES / "clamscan.log", {}),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_INPUTS))
def test_golden(name: str, update_golden: bool) -> None:
    path, options = GOLDEN_INPUTS[name]
    check_golden(_parse(path, **options), "clamav", name, update_golden)


# -- sniff ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [*sorted(CRIBL.glob("*.json")), *sorted(FIXTURES.glob("*.log"))], ids=lambda p: p.name
)
def test_sniff_is_high_on_clamav(path: Path) -> None:
    lines = _file_frame(path)["raw"]
    assert clamav.sniff(lines.filter(lines.str.strip_chars() != "")).mean() >= 0.75


def test_sniff_is_low_on_other_logs() -> None:
    asa = (CORPUS / "cisco_asa" / "elastic" / "test-asa-fix.log").read_text(encoding="utf-8").splitlines()
    assert clamav.sniff(pl.Series(asa)).mean() < 0.2
    syslog = [
        "Nov 24 07:45:00 fw01 sshd[2211]: Accepted publickey for admin from 10.0.0.9 port 50000 ssh2",
        "<38>Nov 24 07:45:01 web01 CRON[991]: (root) CMD (run-parts /etc/cron.hourly)",
        "2021-11-24T07:45:02+00:00 web01 systemd[1]: Started Daily apt download activities.",
        "Nov 24 07:45:03 web01 kernel: [12345.678] IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 PROTO=TCP",
    ]
    assert not clamav.sniff(pl.Series(syslog)).any()
    assert clamav.sniff(pl.Series(["", "  "])).to_list() == [False, False]


def test_a_report_cut_by_a_chunk_boundary_keeps_its_times_with_the_file_index() -> None:
    """Ingest reads a file's SCAN SUMMARY lines first (file_index, ctx.file_index): result lines of
    a chunk whose report's summary is in a later chunk take its Start Date all the same."""
    lines = _file_frame(FIXTURES / "clamscan.log")
    index = clamav.file_index(lines, CTX)
    assert index.filter(pl.col("message_id") == "SCAN_SUMMARY")["raw_line"].to_list() == [14, 31]
    assert index.height == 2 + 11 + 4
    indexed = ParseContext(CTX.org, CTX.source, CTX.date, CTX.timezone, file_index=index)
    first, rest = lines.slice(0, 8), lines.slice(8)

    alone = clamav.parse(first, CTX)
    check_line(alone, 4, time=None, action="detected", malware_name="Eicar-Signature")
    head = clamav.parse(first, indexed)
    start = utc("2021-11-24T10:00:01")
    check_line(
        head, 4, time=start, action="detected", malware_name="Eicar-Signature", extra={"program": "clamscan"}
    )
    check_line(head, 8, time=start, message_id="FOUND", malware_name="JS.Trojan.Dropper-1")
    tail = clamav.parse(rest, indexed)
    # its FOUND line is in the first chunk: the name is not carried across
    check_line(tail, 9, time=start, action="deleted", malware_name=None)
    check_line(tail, 14, time=utc("2021-11-24T10:01:36"), message_id="SCAN_SUMMARY")
    check_line(tail, 29, time=utc("2021-11-24T11:00:00"), malware_name="Doc.Dropper.Agent-7")
    check_line(tail, 39, time=None, malware_name="Win.Test.EICAR_HDB-1")  # after the file's last summary
    # the whole file: the index changes nothing
    assert clamav.parse(lines, indexed).events.equals(clamav.parse(lines, CTX).events)


def test_a_remediation_cut_from_its_found_line_by_a_chunk_boundary_keeps_the_name() -> None:
    """The day's chunks share ``ctx.carry``: a target whose latest line is a FOUND is carried, so a
    REMOVED line at the top of the next chunk takes the FOUND's signature (parsed alone: none)."""
    lines = _file_frame(FIXTURES / "clamscan.log")
    first, rest = lines.slice(0, 8), lines.slice(8)
    carry: dict[str, pl.DataFrame] = {}
    chained = ParseContext(CTX.org, CTX.source, CTX.date, CTX.timezone, carry=carry)

    head = clamav.parse(first, chained)
    check_line(head, 8, message_id="FOUND", malware_name="JS.Trojan.Dropper-1")
    still = carry[clamav.STILL_FOUND]  # eicar.com and toolbar.exe were remediated in this chunk
    assert still.select("target", "_carried_name").rows() == [
        ("/home/erin/tmp/dropper.js", "JS.Trojan.Dropper-1")
    ]
    tail = clamav.parse(rest, chained)
    check_line(tail, 9, action="deleted", message_id="REMOVED", malware_name="JS.Trojan.Dropper-1")
    check_line(clamav.parse(rest, CTX), 9, action="deleted", malware_name=None)
    # the remediated target left the carry; the whole file parses the same with or without one
    assert "JS.Trojan.Dropper-1" not in carry[clamav.STILL_FOUND].get_column("_carried_name").to_list()
    whole = ParseContext(CTX.org, CTX.source, CTX.date, CTX.timezone, carry={})
    assert clamav.parse(lines, whole).events.equals(clamav.parse(lines, CTX).events)


def test_the_found_carry_is_bounded_and_keeps_the_latest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clamav, "MAX_STILL_FOUND", 2)
    carry: dict[str, pl.DataFrame] = {}
    ctx = ParseContext(CTX.org, CTX.source, CTX.date, CTX.timezone, carry=carry)
    found = [f"/home/u/f{i}.exe: Win.Test-{i} FOUND" for i in range(4)]
    clamav.parse(lines_frame(found, "scan.log"), ctx)
    assert carry[clamav.STILL_FOUND].get_column("target").to_list() == ["/home/u/f2.exe", "/home/u/f3.exe"]
    later = clamav.parse(
        lines_frame(["/home/u/f3.exe: Removed.", "/home/u/f0.exe: Removed."], "scan.log"), ctx
    )
    assert later.events.sort("raw_line").get_column("malware_name").to_list() == ["Win.Test-3", None]
    assert carry[clamav.STILL_FOUND].get_column("target").to_list() == ["/home/u/f2.exe"]
