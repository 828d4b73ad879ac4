"""Record framing of Defender files: what each reader yields and how damage is reported."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
from pathlib import Path

import polars as pl
import pytest

from seclake.parsers.defender_records import (
    CORRUPT_CHUNK,
    EvtxReader,
    JsonExportReader,
    XmlExportReader,
    open_records,
    sniff_head,
)
from seclake.reader import LineReader, read_head
from tests.parsers.defender_evtx import DefenderEvent, write_evtx

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


def _evtx_file(tmp_path: Path, count: int = 150) -> Path:
    start = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    events = [
        DefenderEvent(
            5001, start + dt.timedelta(seconds=i), f"ws-{i % 7}", 100 + i, 3, [("Product Name", "x" * 300)]
        )
        for i in range(count)
    ]
    path = tmp_path / "a.evtx"
    assert write_evtx(path, events) > 2
    return path


@pytest.mark.parametrize("compressed", [False, True])
def test_evtx_frames_number_the_records_and_hash_the_stored_file(tmp_path: Path, compressed: bool) -> None:
    path = _evtx_file(tmp_path)
    if compressed:
        path = path.with_suffix(".evtx.gz")
        path.write_bytes(gzip.compress((tmp_path / "a.evtx").read_bytes()))
    reader = open_records(path, 16 << 10)
    frames = list(reader)
    frame = pl.concat(frames)
    assert len(frames) > 3  # about 16 KiB of records each
    assert frame["raw_line"].to_list() == list(range(1, 151))
    assert frame["problem"].null_count() == 150 and frame["raw_file"].unique().to_list() == [str(path)]
    assert [json.loads(raw)["Event"]["System"]["EventRecordID"] for raw in frame["raw"]] == list(
        range(100, 250)
    )
    assert (reader.lines, reader.size, reader.problems.error) == (150, path.stat().st_size, None)
    assert reader.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_damaged_evtx_chunk_is_one_problem_row_and_reading_goes_on(tmp_path: Path) -> None:
    path = _evtx_file(tmp_path)
    blob = bytearray(path.read_bytes())
    blob[4096 + 65536 : 4096 + 65536 + 8] = b"XXXXXXXX"  # the second chunk's magic
    path.write_bytes(bytes(blob))
    frame, reader = _read(path)
    problems = frame.filter(pl.col("problem").is_not_null())
    assert problems["problem"].to_list() == [CORRUPT_CHUNK]
    assert problems["raw"][0].startswith("Failed to parse chunk number 1")
    at = problems["raw_line"][0]  # the records of the first chunk come before it
    ids = [json.loads(raw)["Event"]["System"]["EventRecordID"] for raw in frame["raw"].drop_nulls()[at:]]
    before = [json.loads(raw)["Event"]["System"]["EventRecordID"] for raw in frame["raw"][: at - 1]]
    assert before == list(range(100, 100 + at - 1))
    assert ids == list(range(ids[0], 250)) and ids[0] > 100 + at  # the second chunk's records are gone
    assert reader.problems.error is None and reader.lines == frame.height


def test_truncated_evtx_file_is_a_file_error(tmp_path: Path) -> None:
    path = _evtx_file(tmp_path)
    path.write_bytes(path.read_bytes()[: 4096 + 2 * 65536 + 20_000])
    frame, reader = _read(path)
    assert frame["problem"].null_count() == frame.height > 0
    assert reader.problems.error.startswith("truncated EVTX file: its header counts")
    assert f"the records after record {frame.height} are lost" in reader.problems.error
