"""Record framing of Defender files: what each reader yields and how damage is reported."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import polars as pl

from seclake.parsers.defender_records import (
    EvtxReader,
    JsonExportReader,
    XmlExportReader,
    open_records,
    sniff_head,
)
from seclake.reader import LineReader, read_head

EVENT = {"Id": 5001, "ProviderName": "Microsoft-Windows-Windows Defender", "Message": "a\r\nb"}


def _read(path: Path) -> tuple[pl.DataFrame, object]:
    reader = open_records(path, 1 << 10)
    frames = list(reader)
    return pl.concat(frames) if frames else pl.DataFrame(), reader


def test_files_are_told_apart_by_their_head(tmp_path: Path) -> None:
    cases = {
        "a.evtx": b"ElfFile\x00" + b"\x00" * 100,
        "a.json": json.dumps([EVENT], indent=2).encode(),
        "b.json": json.dumps(EVENT, indent=2).encode("utf-16"),
        "a.xml": b"<Events><Event><System><Provider Name='Microsoft-Windows-Windows Defender'/></System></Event></Events>",
        "a.log": (json.dumps(EVENT) + "\n").encode(),
    }
    kinds = {}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        kinds[name] = (
            type(open_records(tmp_path / name, 1024)).__name__,
            sniff_head(read_head(tmp_path / name)),
        )
    assert kinds == {
        "a.evtx": (EvtxReader.__name__, True),
        "a.json": (JsonExportReader.__name__, True),
        "b.json": (JsonExportReader.__name__, True),
        "a.xml": (XmlExportReader.__name__, True),
        "a.log": (LineReader.__name__, False),  # JSON lines are sniffed line by line
    }
    (tmp_path / "other.json").write_text(json.dumps([{"Id": 4624, "ProviderName": "Security"}], indent=2))
    assert not sniff_head(read_head(tmp_path / "other.json"))


def test_truncated_json_export_keeps_the_good_items(tmp_path: Path) -> None:
    text = json.dumps([EVENT, EVENT, EVENT], indent=2)
    path = tmp_path / "cut.json.gz"
    path.write_bytes(gzip.compress(text[: len(text) - 40].encode()))
    frame, reader = _read(path)
    assert frame["raw_line"].to_list() == [1, 2, 3]
    assert frame["problem"].to_list()[:2] == [None, None]
    assert frame["problem"][2].startswith("invalid JSON in export")
    assert json.loads(frame["raw"][0]) == EVENT and "\n" not in frame["raw"][0]
    assert reader.lines == 3 and reader.size == path.stat().st_size and len(reader.sha256) == 64


def test_json_export_items_that_are_not_objects_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("[\n" + json.dumps(EVENT) + ', 12345, "text"]\n')
    frame, _ = _read(path)
    assert frame["problem"].to_list() == [
        None,
        "JSON export item is not an object",
        "JSON export item is not an object",
    ]


def test_xml_export_reports_stray_text_and_a_cut_event(tmp_path: Path) -> None:
    path = tmp_path / "x.xml"
    body = "<?xml version='1.0'?>\n<Events>\n<Event><A/></Event>\nstray\n<Event>\n  <B/>\n</Event><Event><C>"
    path.write_text(body)
    frame, reader = _read(path)
    assert frame.select("raw", "problem").rows() == [
        ("<Event><A/></Event>", None),
        ("stray", "text outside any <Event> element"),
        ("<Event>\n  <B/>\n</Event>", None),
        ("<Event><C>", "incomplete XML event at end of file"),
    ]
    assert reader.lines == 4


def test_unreadable_evtx_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.evtx"
    path.write_bytes(b"ElfFile\x00" + b"\xff" * 5000)
    frame, reader = _read(path)
    assert reader.problems.error is not None
    assert reader.lines == frame.height
