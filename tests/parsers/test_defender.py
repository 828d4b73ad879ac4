"""Microsoft Defender Antivirus parser: corpus, NXLog/Winlogbeat lines, XML and JSON exports, EVTX.

Fixtures (``tests/parsers/fixtures/defender/``): ``nxlog.jsonl`` holds NXLog ``im_msvistalog``
JSON lines for every event id the parser maps (EventData names as the Microsoft event table gives
them, a French-localised 1117, a syslog-forwarded line, a Winlogbeat document, another channel's
event and a cut line); ``export.xml`` is an Event Viewer style XML export built from the public
renderings quoted in ``../shared/formats/microsoft_defender.md`` (compact and pretty-printed
events, ``&gt;``/``&amp;`` escapes, a padded empty ``Data``, a Security-channel event).

EVTX: no EVTX sample exists in the corpus and no Python library writes EVTX, so the tests build
one with ``tests/parsers/defender_evtx.py`` (file header, 64 KiB chunks and records with CRC32s,
Binary XML with inline names, System values typed as Windows types them; see its docstring), read
it back with the ``evtx`` crate through ``seclake.ingest`` and damage one record to check it is
reported and the rest still read. ``golden/defender/evtx.jsonl`` holds one built record of each
kind (escapes, non-ASCII, CR/LF, another channel); records edited by hand check that a record
which does not fit its event id's layout is read key by key to the same values.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import polars as pl
import pytest
import yaml
from polars.testing import assert_frame_equal

from seclake.config import load_config
from seclake.demo.events import Event
from seclake.ingest import ingest_source
from seclake.lake import Partition
from seclake.parsers import defender
from seclake.parsers.contract import ParseContext, ParseResult
from seclake.parsers.defender_records import open_records
from tests.corpus import corpus_dir, corpus_events, corpus_files, corpus_lines
from tests.parsers.defender_evtx import DefenderEvent, corrupt_record, write_evtx
from tests.parsers.golden import check_golden

FIXTURES = Path(__file__).parent / "fixtures" / "defender"
CTX = ParseContext("acme", "av", dt.date(2026, 3, 2), "Asia/Ho_Chi_Minh")
DAY = dt.date(2026, 3, 2)


def _frame(raws: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"raw": raws, "raw_file": ["f"] * len(raws), "raw_line": list(range(1, len(raws) + 1))},
        schema={"raw": pl.String, "raw_file": pl.String, "raw_line": pl.Int64},
    )


def _fixture_lines(name: str) -> pl.DataFrame:
    return _frame((FIXTURES / name).read_text(encoding="utf-8").splitlines())


def _by_line(result) -> dict[int, dict]:
    return {row["raw_line"]: row for row in result.events.to_dicts()}


# --- corpus --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", corpus_files("defender") if corpus_dir("defender") else [], ids=lambda p: p.name
)
def test_every_corpus_line_is_accounted_for(path: Path, update_golden: bool) -> None:
    lines = corpus_lines(path)
    result = defender.parse(lines, CTX)
    assert result.events.height + result.quarantine.height == lines.height
    assert result.quarantine.height == 0
    check_golden(result, "defender", path.stem, update_golden)


def test_corpus_values_1116_and_1117() -> None:
    path = corpus_dir("defender") / "elastic" / "test-events-windows-defender-1116-and-1117.json"
    rows = _by_line(defender.parse(corpus_lines(path), CTX))
    taken, detected = rows[1], rows[2]
    assert (taken["message_id"], taken["action"], taken["vendor_action"]) == (
        "1117",
        "quarantined",
        "Quarantine",
    )
    assert (detected["message_id"], detected["action"]) == ("1116", "detected")
    assert taken["time"] == dt.datetime(2024, 6, 21, 1, 21, 15, 227983, tzinfo=dt.UTC)  # -05:00 → UTC
    for row in (taken, detected):
        assert row["host"] == "el33t-b00k-1"
        assert row["malware_name"] == "Virus:DOS/EICAR_Test_File"
        assert row["file_path"] == "C:\\Users\\topsyk\\OneDrive\\Desktop\\eicar.com"
        assert row["user"] == "el33t-b00k-1\\topsyk"
        assert (row["severity"], row["vendor_severity"]) == ("critical", "Severe")
        assert row["extra.detection_id"] == "{FD8CD828-0E5A-4370-A6B6-80C8C8173F5D}"
        assert row["extra.signature_version"] == "AV: 1.413.419.0, AS: 1.413.419.0, NIS: 1.413.419.0"
    assert taken["extra.remediation_user"] == "NT AUTHORITY\\SYSTEM"
    assert taken["message"].startswith("Microsoft Defender Antivirus has taken action")


# --- sniff ---------------------------------------------------------------------------------------


def test_sniff_claims_defender_lines_and_not_other_vendors() -> None:
    ours = _fixture_lines("nxlog.jsonl")["raw"]
    claimed = defender.sniff(ours).to_list()
    assert all(claimed[:25]) and claimed[25] is False  # the Security-channel event is not ours
    others = []
    for fmt in ("eset", "sophos_av", "clamav", "symantec", "cisco_asa", "fortigate"):
        folder = corpus_dir("defender").parent / fmt
        for path in sorted(folder.rglob("*"))[:3] if folder.is_dir() else []:
            if path.is_file():
                others.extend(corpus_events(path)[:20])
    assert others and not defender.sniff(pl.Series(others, dtype=pl.String)).any()


# --- NXLog / Winlogbeat lines --------------------------------------------------------------------


def test_nxlog_lines_golden(update_golden: bool) -> None:
    result = defender.parse(_fixture_lines("nxlog.jsonl"), CTX)
    assert result.lines == 27
    check_golden(result, "defender", "nxlog", update_golden)


def test_nxlog_actions_and_health_events() -> None:
    result = defender.parse(_fixture_lines("nxlog.jsonl"), CTX)
    rows = _by_line(result)
    actions = {n: (rows[n]["message_id"], rows[n]["event_class"], rows[n]["action"]) for n in rows}
    assert actions[3] == ("1117", "malware_detection", "deleted")  # French: decided by Action ID 3
    assert actions[4][2] == actions[5][2] == actions[8][2] == "failed"
    assert actions[7] == ("1007", "malware_detection", "cleaned")  # no Action ID: English Action Name
    expected_system = {
        11: "update_success", 12: "update_failed", 13: "update_failed", 14: "update_failed", 15: "update_failed",
        16: "protection_disabled", 17: "protection_disabled", 18: "config_change", 19: "config_change",
        20: "protection_disabled", 21: "protection_disabled", 22: "protection_enabled", 23: "scan_completed",
    }  # fmt: skip
    for line, action in expected_system.items():
        assert actions[line][1:] == ("system", action), line
    assert rows[1]["time"] == dt.datetime(
        2026, 3, 2, 3, 14, 2, tzinfo=dt.UTC
    )  # EventTime in Asia/Ho_Chi_Minh
    assert rows[1]["file_path"] == "C:\\Users\\alice\\Downloads\\invoice.zip->invoice.exe"
    assert rows[1]["extra.path"].startswith("containerfile:_C:\\Users\\alice\\Downloads\\invoice.zip; file:_")
    assert rows[3]["vendor_action"] == "Supprimer" and rows[3]["vendor_severity"] == "Élevée"
    assert rows[3]["message"].startswith("L’Antivirus Microsoft Defender a pris des mesures")  # noqa: RUF001
    assert rows[2]["extra.error_code"] == "0x80508023" and rows[2]["action"] == "quarantined"
    assert rows[10]["file_hash"] == "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
    assert rows[11]["extra.signature_version"] == "1.413.420.0"
    assert rows[11]["extra.previous_signature_version"] == "1.413.419.0"
    assert rows[12]["extra.error_code"] == "0x8024402c" and rows[12]["severity"] == "medium"
    assert rows[16]["rule_name"] == "On Access" and rows[17]["rule_name"] == "Real-time protection"
    assert rows[19]["extra.new_value"].endswith("DisableRealtimeMonitoring = 0x1")
    assert (rows[24]["host"], rows[24]["src_ip"]) == ("ws-carol", "10.20.30.41")  # syslog-forwarded
    assert (rows[25]["host"], rows[25]["src_ip"], rows[25]["user"]) == (
        "ws-dave",
        "10.20.30.52",
        "CORP\\dave",
    )
    assert rows[25]["time"] == dt.datetime(
        2026, 3, 2, 0, 10, 0, 500000, tzinfo=dt.UTC
    )  # Winlogbeat @timestamp
    reasons = dict(zip(result.quarantine["raw_line"], result.quarantine["reason"], strict=True))
    assert reasons == {
        26: "not a Microsoft Defender Antivirus event (other provider or channel)",
        27: "payload is not a valid JSON object",
    }


def test_blank_and_non_json_lines_are_quarantined() -> None:
    result = defender.parse(_frame(["", "hello world"]), CTX)
    assert result.quarantine["reason"].to_list() == ["blank line", "no JSON object or XML event in the line"]


# --- ingest end to end: XML export, JSON export, NXLog lines, EVTX --------------------------------


def _project(tmp_path: Path, fmt: str) -> Path:
    config = {
        "lake": "lake",
        "organisations": [
            {
                "id": "acme",
                "name": "ACME",
                "timezone": "Asia/Ho_Chi_Minh",
                "sources": [{"id": "av", "format": fmt, "path": "logs/{date}*"}],
            }
        ],
    }
    (tmp_path / "logs").mkdir()
    (tmp_path / "seclake.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return tmp_path / "seclake.yaml"


def _ingest(
    tmp_path: Path, name: str, data: bytes, fmt: str = "auto"
) -> tuple[pl.DataFrame, pl.DataFrame, object]:
    config = load_config(_project(tmp_path, fmt))
    (tmp_path / "logs" / name).write_bytes(data)
    result = ingest_source(config, "acme", "av", DAY)
    lake = Path(config.lake_root)
    partition = Partition("acme", "av", DAY)
    events = pl.read_parquet(partition.data_path(lake, "events")).sort("raw_line")
    quarantine = pl.read_parquet(partition.data_path(lake, "quarantine")).sort("raw_line")
    return events, quarantine, result


@pytest.mark.parametrize("fmt", ["auto", "defender"])
def test_xml_export_through_ingest(tmp_path: Path, fmt: str, update_golden: bool) -> None:
    data = (FIXTURES / "export.xml").read_bytes()
    events, quarantine, result = _ingest(tmp_path, "2026-03-02.xml", data, fmt)
    assert (result.lines_read, result.events, result.quarantined) == (5, 4, 1)
    assert result.inputs[0].format == "defender"
    first, taken, french, config = events.to_dicts()
    assert (first["host"], first["malware_name"], first["action"]) == (
        "desktop-6enur41",
        "Behavior:Win32/Meterpreter.gen!D",
        "detected",
    )
    assert first["file_path"] == "C:\\NotWhitelisted\\ShellcodeGuard-shc.exe"
    assert first["time"] == dt.datetime(2025, 7, 4, 14, 55, 39, 829744, tzinfo=dt.UTC)
    assert taken["action"] == "quarantined" and taken["user"] == "FORELA\\CyberJunkie"
    assert taken["file_path"] == "C:\\Users\\CyberJunkie\\Downloads\\SharpHound-v1.1.0.zip->SharpHound.exe"
    assert taken["message"].startswith("Microsoft Defender Antivirus has taken action")
    assert french["file_path"] == 'C:\\Users\\marie\\"quoted" <name>.exe'
    assert (french["severity"], french["vendor_severity"]) == ("high", "Élevée")
    assert (config["action"], config["event_class"]) == ("config_change", "system")
    assert quarantine["reason"].to_list() == [
        "not a Microsoft Defender Antivirus event (other provider or channel)"
    ]
    if fmt == "auto":
        check_golden(
            defender.parse(events.select("raw", "raw_file", "raw_line"), CTX),
            "defender",
            "export_xml",
            update_golden,
        )


def test_json_export_through_ingest_utf16(tmp_path: Path) -> None:
    """A Get-WinEvent | ConvertTo-Json array as Windows PowerShell 5.1 writes it (UTF-16, BOM)."""
    corpus = corpus_dir("defender") / "elastic" / "test-events-windows-defender-1116-and-1117.json"
    items = json.loads(corpus.read_text(encoding="utf-8"))["events"]
    items[1]["TimeCreated"] = "/Date(1718932875131)/"  # PowerShell 5.1 date form, epoch ms UTC
    data = json.dumps(items, indent=4).encode("utf-16")
    events, _, result = _ingest(tmp_path, "2026-03-02.json", data)
    assert (result.lines_read, result.events, result.quarantined) == (2, 2, 0)
    rows = events.to_dicts()
    assert [r["action"] for r in rows] == ["quarantined", "detected"]
    assert rows[1]["time"] == dt.datetime(2024, 6, 21, 1, 21, 15, 131000, tzinfo=dt.UTC)
    assert rows[0]["raw"].startswith('{"Id":1117,') and rows[0]["malware_name"] == "Virus:DOS/EICAR_Test_File"


def test_nxlog_lines_through_ingest_gzip(tmp_path: Path) -> None:
    import gzip

    data = gzip.compress((FIXTURES / "nxlog.jsonl").read_bytes())
    events, _, result = _ingest(tmp_path, "2026-03-02.log.gz", data)
    assert result.inputs[0].format == "defender"
    assert (result.lines_read, result.events, result.quarantined) == (27, 25, 2)
    assert events.filter(pl.col("action") == "protection_disabled").height == 5


def _evtx_events(count: int) -> list[DefenderEvent]:
    start = dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC)
    detection = [
        ("Product Name", "Microsoft Defender Antivirus"),
        ("Threat Name", "Trojan:Win32/Wacatac.B!ml"),
        ("Severity ID", "5"),
        ("Severity Name", "Severe"),
        ("Detection User", "CORP\\erin"),
        ("Path", "file:_C:\\Users\\erin\\AppData\\Local\\Temp\\setup.exe"),
        ("Action ID", "2"),
        ("Action Name", "Quarantine"),
        ("Unused", ""),
        ("Security intelligence Version", "AV: 1.413.419.0, AS: 1.413.419.0, NIS: 1.413.419.0"),
    ]
    events = []
    for i in range(count):
        event_id = (1116, 1117, 5001, 2001)[i % 4]
        data = detection if event_id in (1116, 1117) else [("Product Name", "Microsoft Defender Antivirus")]
        level = {1116: 3, 1117: 4, 5001: 3, 2001: 2}[event_id]
        events.append(
            DefenderEvent(
                event_id, start + dt.timedelta(seconds=i), "WS-ERIN.corp.example", 500 + i, level, data
            )
        )
    return events


def test_evtx_through_ingest_with_a_corrupt_record(tmp_path: Path) -> None:
    path = tmp_path / "built.evtx"
    chunks = write_evtx(path, _evtx_events(120))
    assert chunks > 1  # records span several 64 KiB chunks
    corrupt_record(path, 7)
    events, quarantine, result = _ingest(tmp_path, "2026-03-02.evtx", path.read_bytes())
    assert result.inputs[0].format == "defender"
    assert (result.lines_read, result.events, result.quarantined) == (120, 119, 1)
    assert quarantine["raw_line"].to_list() == [7]
    assert quarantine["reason"][0].startswith("corrupt EVTX record")
    assert "record number 506" in quarantine["raw"][0]
    first = events.row(0, named=True)
    assert (first["message_id"], first["action"], first["host"]) == (
        "1116",
        "detected",
        "ws-erin.corp.example",
    )
    assert first["time"] == dt.datetime(2026, 3, 1, 20, 0, tzinfo=dt.UTC)
    assert first["file_path"] == "C:\\Users\\erin\\AppData\\Local\\Temp\\setup.exe"
    assert first["user"] == "CORP\\erin" and first["severity"] == "critical"
    counts = dict(events.group_by("action").len().iter_rows())
    assert counts == {
        "detected": 30,
        "quarantined": 30,
        "protection_disabled": 29,
        "update_failed": 30,
    }  # 7th is a 5001
    assert events.filter(pl.col("message_id") == "5001")["rule_name"].unique().to_list() == [
        "Real-time protection"
    ]


# --- EVTX records (the crate's compact JSON) ------------------------------------------------------


def _evtx_sample() -> list[DefenderEvent]:
    """One record of each kind the EVTX path must get right (golden file ``evtx.jsonl``)."""
    start = dt.datetime(2026, 3, 1, 21, 5, 9, 123456, tzinfo=dt.UTC)
    detection = [
        ("Product Name", "Microsoft Defender Antivirus"), ("Product Version", "4.18.24050.7"),
        ("Detection ID", "{6C1F2B7A-3D4E-4F50-8A6B-7C8D9E0F1A2B}"), ("Detection Time", "2026-03-01T21:05:08.998Z"),
        ("Unused", ""), ("Threat ID", "2147735505"), ("Threat Name", "Trojan:Win32/Wacatac.B!ml"),
        ("Severity ID", "5"), ("Severity Name", "Severe"), ("Category Name", "Trojan"),
        ("Source Name", "Real-Time Protection"), ("Process Name", "C:\\Windows\\explorer.exe"),
        ("Detection User", "CORP\\zoe"),
        ("Path", "containerfile:_C:\\Users\\zoe\\Downloads\\bill.zip; file:_C:\\Users\\zoe\\Downloads\\bill.zip->bill.exe"),
        ("Origin Name", "Internet"), ("Type Name", "Concrete"), ("Action ID", "9"), ("Action Name", "Not Applicable"),
        ("Error Code", "0x00000000"), ("Error Description", "The operation completed successfully. "),
        ("Security intelligence Version", "AV: 1.413.419.0, AS: 1.413.419.0, NIS: 1.413.419.0"),
        ("Engine Version", "AM: 1.1.24050.5, NIS: 1.1.24050.5"),
    ]  # fmt: skip
    taken = [
        *[(n, v) for n, v in detection if n not in ("Action ID", "Action Name", "Error Code")],
        ("Action ID", "2"), ("Action Name", "Quarantine"), ("Error Code", "0x80508023"),
        ("Remediation User", "NT AUTHORITY\\SYSTEM"),
    ]  # fmt: skip
    french = [
        (n, {"Severity Name": "Élevée", "Action Name": "Supprimer", "Severity ID": "4", "Action ID": "3"}.get(n, v))
        for n, v in taken
    ]  # fmt: skip
    hashes = [
        ("Product Name", "Microsoft Defender Antivirus"), ("Threat Resource Path", "C:\\Users\\zoe\\bill.exe"),
        ("Hashes", "SHA1: 3395856ce81f2b7382dee72602f798b642f14140, SHA256: 275A021BBFB6489E54D471899F7DB9D1663FC695EC2FE2A2C4538AABF651FD0F"),
    ]  # fmt: skip
    config = [
        ("Product Name", "Microsoft Defender Antivirus"),
        ("Old Value", ""),
        ("New Value", 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\Exclusions\\Processes\\"C:\\Tools\\a.exe" --x","y":z = 0x0'),
    ]  # fmt: skip
    update = [
        ("Product Name", "Microsoft Defender Antivirus"), ("Current security intelligence Version", "1.413.420.0"),
        ("Previous security intelligence Version", "1.413.419.0"), ("Update Source", "Microsoft Update Server"),
        ("Security intelligence Type", "AntiVirus"), ("Update Type", "Delta"), ("User", "NT AUTHORITY\\SYSTEM"),
        ("Error Code", "0x8024402c"), ("Error Description", "The proxy server or target server name cannot be resolved.\r\n\tRetry later."),
    ]  # fmt: skip
    at = [start + dt.timedelta(minutes=m) for m in range(9)]
    return [
        DefenderEvent(1116, at[0], "WS-ZOE.corp.example", 9001, 3, detection),
        DefenderEvent(1117, at[1], "WS-ZOE.corp.example", 9002, 4, taken),
        DefenderEvent(1117, at[2], "PC-MARIE", 9003, 4, french),
        DefenderEvent(1120, at[3], "WS-ZOE.corp.example", 9004, 4, hashes),
        DefenderEvent(5007, at[4], "WS-ZOE.corp.example", 9005, 4, config),
        DefenderEvent(2001, at[5], "WS-ZOE.corp.example", 9006, 2, update),
        DefenderEvent(5001, at[6], "WS-ZOE.corp.example", 9007, 3, [("Product Name", "Microsoft Defender Antivirus")]),
        DefenderEvent(
            4624, at[7], "DC01", 9008, 0, [("SubjectUserName", "DC01$")],
            provider="Microsoft-Windows-Security-Auditing", channel="Security",
        ),
        DefenderEvent(1116, at[8], "WS-ZOE.corp.example", 9009, 3, detection),
    ]  # fmt: skip


def _evtx_records(tmp_path: Path, events: list[DefenderEvent], *, typed: bool = True) -> pl.DataFrame:
    path = tmp_path / ("typed.evtx" if typed else "text.evtx")
    write_evtx(path, events, typed=typed)
    return pl.concat(frame.drop("problem") for frame in open_records(path, 1 << 20))


def _parse_records(records: pl.DataFrame) -> ParseResult:
    result = defender.parse(records, CTX)
    assert result.lines == records.height
    return result


def test_evtx_records_golden(tmp_path: Path, update_golden: bool) -> None:
    result = _parse_records(_evtx_records(tmp_path, _evtx_sample()))
    check_golden(result, "defender", "evtx", update_golden)
    rows = _by_line(result)
    assert rows[1]["file_path"] == "C:\\Users\\zoe\\Downloads\\bill.zip->bill.exe"
    assert rows[1]["time"] == dt.datetime(2026, 3, 1, 21, 5, 9, 123456, tzinfo=dt.UTC)
    assert (rows[1]["extra.record_id"], rows[1]["extra.user_sid"]) == ("9001", "S-1-5-18")
    assert rows[1]["extra.error_description"] == "The operation completed successfully."
    assert (rows[2]["action"], rows[2]["extra.error_code"], rows[2]["user"]) == (
        "quarantined",
        "0x80508023",
        "CORP\\zoe",
    )
    assert (rows[3]["action"], rows[3]["vendor_severity"], rows[3]["host"]) == (
        "deleted",
        "Élevée",
        "pc-marie",
    )
    assert rows[4]["file_hash"] == "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
    assert rows[5]["extra.new_value"].endswith('Processes\\"C:\\Tools\\a.exe" --x","y":z = 0x0')
    assert rows[6]["extra.error_description"] == (
        "The proxy server or target server name cannot be resolved.\r\n\tRetry later."
    )
    assert (rows[6]["extra.signature_version"], rows[6]["user"]) == ("1.413.420.0", "NT AUTHORITY\\SYSTEM")
    assert (rows[7]["action"], rows[7]["rule_name"]) == ("protection_disabled", "Real-time protection")
    assert result.quarantine.select("raw_line", "reason").rows() == [
        (8, "not a Microsoft Defender Antivirus event (other provider or channel)")
    ]


def test_evtx_typed_and_text_values_read_the_same(tmp_path: Path) -> None:
    """Windows types EventID, Level, EventRecordID and SystemTime (the crate writes numbers and a
    FILETIME); a file written by other tools may hold them as text."""
    typed = _evtx_records(tmp_path, _evtx_sample())
    text = _evtx_records(tmp_path, _evtx_sample(), typed=False)
    assert '"EventID":1116,' in typed["raw"][0] and '"EventID":"1116",' in text["raw"][0]
    assert_frame_equal(
        _parse_records(typed).events.drop("raw", "raw_file"),
        _parse_records(text).events.drop("raw", "raw_file"),
    )


def test_evtx_records_that_do_not_fit_their_layout_are_searched_key_by_key(tmp_path: Path) -> None:
    """Values are taken by position from records laid out like the first of their event id; any
    other record is read key by key, with the same result, and nothing breaks the parse."""
    records = _evtx_records(tmp_path, _evtx_sample())
    good = records["raw"][0]  # the 1116
    variants = {
        "qualifiers": good.replace(
            '"EventID":1116,', '"EventID":{"#attributes":{"Qualifiers":0},"#text":1116},'
        ),
        "array": good.replace('"EventData":{', '"EventData":{"Binary":["00","01"],'),
        "renamed key": good.replace('"Severity Name":', '"Severity Label":'),
        "object value": good.replace('"Threat Name":"Trojan:Win32/Wacatac.B!ml"', '"Threat Name":{"x":"y"}'),
        "no event id": good.replace('"EventID":1116,', ""),
        "cut": good[:-40],
        "spaced": " " + json.dumps(json.loads(good)),  # JSON as other tools write it
    }
    alone = _by_line(_parse_records(_frame([good])))[1]  # taken by position
    result = _parse_records(_frame([good, *variants.values(), good]))
    rows = _by_line(result)

    def values(row: dict) -> dict:
        return {k: v for k, v in row.items() if k not in ("raw", "raw_line")}

    # 1, 9: searched (the renamed key in their group); 2: by the layout of its own; 3, 8: searched
    for line in (1, 2, 3, 8, 9):
        assert values(rows[line]) == values(alone), line
    assert rows[4]["vendor_severity"] is None and values(rows[4]) == {
        **values(alone),
        "vendor_severity": None,
    }
    assert rows[5]["malware_name"] is None and values(rows[5]) == {**values(alone), "malware_name": None}
    assert dict(zip(result.quarantine["raw_line"], result.quarantine["reason"], strict=True)) == {
        6: "no Windows event id in the record",
        7: "payload is not a valid JSON object",
    }
    lone = _parse_records(_frame([variants["no event id"]]))  # no group holds any value
    assert lone.quarantine["reason"].to_list() == ["no Windows event id in the record"]


# --- demo writer round trip ----------------------------------------------------------------------


def test_demo_writer_round_trip() -> None:
    from seclake.demo import defender as writer
    from seclake.demo.orgs import ORGANISATIONS

    org = ORGANISATIONS[0]
    host = next(h for h in org.hosts if h.kind == "workstation")
    t = dt.datetime(2026, 3, 2, 3, 0, tzinfo=dt.UTC).timestamp()
    neutral = [
        Event(
            t,
            "av_found",
            {"host": host.name, "path": "C:\\Users\\x\\a.exe", "signature": "Trojan:Win32/Emotet"},
        ),
        Event(t + 5, "av_moved", {"host": host.name, "path": "C:\\Users\\x\\a.exe", "dest": "quarantine"}),
        Event(
            t + 9,
            "av_action_failed",
            {
                "host": host.name,
                "path": "C:\\x.dll",
                "signature": "Trojan:Win32/Emotet",
                "reason": "Access denied",
            },
        ),
        Event(
            t + 60,
            "av_update",
            {"host": host.name, "result": "updated", "daily_version": 420_123, "daily_sigs": 1},
        ),
        Event(
            t + 70,
            "av_update",
            {"host": host.name, "result": "uptodate", "daily_version": 420_123, "daily_sigs": 1},
        ),
        Event(
            t + 80,
            "av_update",
            {"host": host.name, "result": "failed", "daily_version": 420_123, "daily_sigs": 1},
        ),
        Event(t + 90, "av_protection_disabled", {"host": host.name, "user": "bob"}),
        Event(t + 95, "av_selfcheck", {"host": host.name}),
        Event(t + 99, "av_started", {"host": host.name}),
    ]
    lines = writer.render(neutral, org, random.Random(1))
    assert len(lines) == 8  # "up to date" is not logged by Defender
    ctx = ParseContext(org.id, "av", dt.date(2026, 3, 2), org.timezone)
    result = defender.parse(_frame([line.text for line in lines]), ctx)
    assert result.quarantine.height == 0
    rows = result.events.to_dicts()
    assert [r["action"] for r in rows] == [
        "detected", "quarantined", "failed", "update_success", "update_failed", "protection_disabled", "other",
        "protection_enabled",
    ]  # fmt: skip
    assert [r["time"].timestamp() for r in rows] == [line.time for line in lines]
    assert {r["host"] for r in rows} == {host.name}
    assert rows[0]["malware_name"] == rows[1]["malware_name"] == "Trojan:Win32/Emotet"
    assert rows[1]["file_path"] == "C:\\Users\\x\\a.exe"
    assert rows[2]["extra.error_description"] == "Access denied"
    assert rows[3]["extra.signature_version"] == "1.420.123.0"
    if host.user:
        assert rows[0]["user"] == f"{host.name.upper()}\\{host.user}"
