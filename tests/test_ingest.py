"""The ingest step end to end on small files: accounting, the partition, re-runs, bad input."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import yaml

from seclake.config import load_config
from seclake.ingest import ingest_source
from seclake.lake import Partition, read_manifest, verify_partition
from seclake.schema import QUARANTINE_SCHEMA
from tests.lake_files import read_events

FIXTURES = Path(__file__).parent / "fixtures"
DAY = dt.date(2026, 3, 2)


def make_project(
    tmp_path: Path, fmt: str = "cisco_asa", path: str = "logs/{org}/fw/{date}*.log*", **ingest
) -> Path:
    """A config with one organisation 'acme' and one source 'fw' whose files live under tmp_path/logs."""
    config = {
        "lake": "lake",
        "ingest": ingest,
        "organisations": [
            {
                "id": "acme",
                "name": "ACME",
                "timezone": "Asia/Ho_Chi_Minh",
                "sources": [{"id": "fw", "format": fmt, "path": path}],
            }
        ],
    }
    (tmp_path / "logs" / "acme" / "fw").mkdir(parents=True, exist_ok=True)
    (tmp_path / "seclake.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return tmp_path / "seclake.yaml"


def put(tmp_path: Path, name: str, data: bytes) -> Path:
    target = tmp_path / "logs" / "acme" / "fw" / name
    target.write_bytes(data)
    return target


def test_ingest_writes_a_sorted_partition_and_a_manifest(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path))
    source = put(tmp_path, "2026-03-02.log", (FIXTURES / "asa_day.log").read_bytes())
    result = ingest_source(config, "acme", "fw", DAY)

    assert (result.lines_read, result.events, result.quarantined) == (8, 6, 2)
    assert result.reasons["blank line"] == 1
    assert sum(result.reasons.values()) == 2
    lake = Path(config.lake_root)
    partition = Partition("acme", "fw", DAY)
    events = read_events(partition.data_path(lake, "events"))
    times = events.column("time").to_pylist()
    assert times == sorted(times)
    assert times[0] == dt.datetime(2026, 3, 2, 0, 59, 59, tzinfo=dt.UTC)  # 07:59:59 in Asia/Ho_Chi_Minh
    assert events.column("raw_line").to_pylist()[0] == 4
    quarantine = pq.read_table(partition.data_path(lake, "quarantine"))
    assert [(f.name, f.type) for f in quarantine.schema] == [(f.name, f.type) for f in QUARANTINE_SCHEMA]
    assert sorted(quarantine.column("raw_line").to_pylist()) == [5, 7]

    manifest = read_manifest(lake, partition)
    assert manifest["lines_read"] == manifest["events_written"] + manifest["lines_quarantined"] == 8
    (record,) = manifest["inputs"]
    assert record["path"] == str(source)
    assert record["size"] == source.stat().st_size
    assert len(record["sha256"]) == 64
    assert record["format"] == "cisco_asa" and record["parser_version"]
    assert manifest["outputs"]["events"]["rows"] == 6
    assert verify_partition(lake, partition) == []
    assert not any((lake / ".staging").iterdir())


def test_a_teardown_takes_the_direction_of_its_built_line_in_an_earlier_file(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path))
    head = "<166>Mar 02 2026 {} asa1 : "
    put(
        tmp_path,
        "2026-03-02-a.log",
        (
            head.format("09:00:00") + "%ASA-6-302013: Built inbound TCP connection 7 for "
            "outside:198.51.100.7/50123 (198.51.100.7/50123) to dmz:10.0.0.10/3389 (203.0.113.10/3389)\n"
        ).encode(),
    )
    put(
        tmp_path,
        "2026-03-02-b.log",
        (
            head.format("10:12:00") + "%ASA-6-302014: Teardown TCP connection 7 for "
            "outside:198.51.100.7/50123 to dmz:10.0.0.10/3389 duration 1:12:00 bytes 9000000 TCP FINs\n"
        ).encode(),
    )
    ingest_source(config, "acme", "fw", DAY)
    events = read_events(Partition("acme", "fw", DAY).data_path(Path(config.lake_root), "events"))
    rows = events.select(["vendor_action", "src_ip", "dst_ip", "dst_port", "direction"]).to_pylist()
    assert [tuple(r.values()) for r in rows] == [
        ("Built", "198.51.100.7", "10.0.0.10", 3389, "inbound"),
        ("Teardown", "198.51.100.7", "10.0.0.10", 3389, "inbound"),
    ]


def test_rerun_replaces_the_day_with_identical_content(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path))
    put(tmp_path, "2026-03-02.log", (FIXTURES / "asa_day.log").read_bytes())
    lake = Path(config.lake_root)
    partition = Partition("acme", "fw", DAY)
    first = ingest_source(config, "acme", "fw", DAY)
    before = pq.read_table(partition.data_path(lake, "events"))
    second = ingest_source(config, "acme", "fw", DAY)
    after = pq.read_table(partition.data_path(lake, "events"))
    assert first.run_id != second.run_id
    assert after.num_rows == before.num_rows == 6
    assert after.equals(before)
    assert first.manifest["outputs"]["events"]["sha256"] == second.manifest["outputs"]["events"]["sha256"]
    assert len(list(partition.data_path(lake, "events").parent.iterdir())) == 1  # no leftovers


@pytest.mark.parametrize(
    ("name", "content", "error", "reason"),
    [
        (
            "2026-03-02.log.gz",
            gzip.compress(b"x" * 10 + (FIXTURES / "asa_day.log").read_bytes() * 200)[:-300],
            "truncated or corrupt gzip",
            None,
        ),
        ("2026-03-02.bin.log", bytes(range(256)) * 40, None, "binary content"),
        (
            "2026-03-02.log",
            b"plain text that no parser knows\nand another line\n",
            "unknown format",
            "unknown format",
        ),
    ],
)
def test_bad_input_is_reported_and_nothing_is_lost(
    tmp_path: Path, name: str, content: bytes, error: str | None, reason: str | None
) -> None:
    config = load_config(make_project(tmp_path, fmt="auto"))
    put(tmp_path, name, content)
    put(tmp_path, "2026-03-02-good.log", (FIXTURES / "asa_day.log").read_bytes())
    result = ingest_source(config, "acme", "fw", DAY)
    by_name = {Path(i.path).name: i for i in result.inputs}
    bad, good = by_name[name], by_name["2026-03-02-good.log"]
    assert good.events == 6 and good.error is None
    assert bad.lines == bad.events + bad.quarantined
    assert result.lines_read == result.events + result.quarantined
    if error:
        assert error in bad.error
        assert any(error in e and name in e for e in result.errors)
    if reason:
        assert any(reason in r for r in result.reasons)
    assert result.failed(config.ingest.quarantine_threshold)
    manifest = read_manifest(Path(config.lake_root), result.partition)
    assert manifest["lines_read"] == result.lines_read


def test_non_utf8_line_is_kept_escaped_and_reported(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path))
    line = b"<166>Mar 02 2026 08:00:01 fw-acme : %ASA-5-111008: User 'caf\xe9' executed the 'write memory' command.\n"
    put(tmp_path, "2026-03-02.log", line)
    result = ingest_source(config, "acme", "fw", DAY)
    assert (result.events, result.quarantined) == (1, 0)
    assert result.inputs[0].warnings == [
        f"{result.inputs[0].path}: 1 line(s) not valid UTF-8 (bytes kept as \\xNN escapes): line 1"
    ]
    events = pq.read_table(result.partition.data_path(Path(config.lake_root), "events"))
    assert "caf\\xe9" in events.column("raw")[0].as_py()


def test_empty_file_gives_an_empty_partition_and_a_warning(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path))
    put(tmp_path, "2026-03-02.log", b"")
    result = ingest_source(config, "acme", "fw", DAY)
    assert result.written and result.lines_read == 0 and not result.errors
    assert "empty file" in result.inputs[0].warnings[0]
    assert pq.read_table(result.partition.data_path(Path(config.lake_root), "events")).num_rows == 0


def test_missing_files_leave_the_previous_partition_untouched(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path))
    day_file = put(tmp_path, "2026-03-02.log", (FIXTURES / "asa_day.log").read_bytes())
    ingest_source(config, "acme", "fw", DAY)
    lake = Path(config.lake_root)
    manifest = read_manifest(lake, Partition("acme", "fw", DAY))
    day_file.unlink()
    result = ingest_source(config, "acme", "fw", DAY)
    assert not result.written
    assert result.errors == [f"no input files match {result.pattern}: partition left unchanged"]
    assert read_manifest(lake, Partition("acme", "fw", DAY)) == manifest


def test_hostile_org_id_never_becomes_a_path(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path))
    with pytest.raises(ValueError, match="not allowed"):
        ingest_source(config, "../x", "fw", DAY)
    with pytest.raises(ValueError, match="not allowed"):
        Partition("acme", "../../etc", DAY)
    assert not (tmp_path / "x").exists()


def test_threshold_decides_failure(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path, quarantine_threshold=0.5))
    put(tmp_path, "2026-03-02.log", (FIXTURES / "asa_day.log").read_bytes())
    result = ingest_source(config, "acme", "fw", DAY)
    assert result.quarantine_share == pytest.approx(1 / 7)  # the blank line does not count
    assert not result.failed(0.5) and result.failed(0.1)


def test_manifest_is_plain_json_readable_by_duckdb(tmp_path: Path) -> None:
    from seclake.views import connect

    config = load_config(make_project(tmp_path))
    put(tmp_path, "2026-03-02.log", (FIXTURES / "asa_day.log").read_bytes())
    ingest_source(config, "acme", "fw", DAY)
    con = connect(Path(config.lake_root))
    assert con.execute("SELECT count(*), min(org), min(date) FROM events").fetchone() == (6, "acme", DAY)
    assert con.execute("SELECT lines_read, events_written FROM manifests").fetchone() == (8, 6)
    assert json.loads(Partition("acme", "fw", DAY).manifest_path(Path(config.lake_root)).read_text())


def test_copying_a_lake_keeps_it_readable(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path))
    put(tmp_path, "2026-03-02.log", (FIXTURES / "asa_day.log").read_bytes())
    ingest_source(config, "acme", "fw", DAY)
    copy = tmp_path / "copy"
    shutil.copytree(config.lake_root, copy)
    assert verify_partition(copy, Partition("acme", "fw", DAY)) == []


MIXED = [
    "<166>Mar 02 2026 08:00:01 fw-acme : %ASA-6-302013: Built inbound TCP connection 11 for "
    "outside:203.0.113.9/51000 (203.0.113.9/51000) to inside:10.0.0.5/443 (10.0.0.5/443)",
    "Mar  2 08:00:02 fin-pc-07 clamd[812]: /home/ann/Downloads/invoice.exe: Win.Trojan.Agent-1 FOUND",
    "<166>Mar 02 2026 08:00:03 fw-acme : %ASA-4-106023: Deny tcp src outside:198.51.100.7/4444 "
    'dst inside:10.0.0.5/445 by access-group "outside_in" [0x0, 0x0]',
    "Mar  2 08:00:04 fw-acme sshd[99]: a line no parser knows",
]


def test_a_file_mixing_formats_is_split_line_by_line(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path, fmt="auto"))
    put(tmp_path, "2026-03-02.log", ("\n".join(MIXED * 2) + "\n").encode())
    result = ingest_source(config, "acme", "fw", DAY)

    (record,) = result.inputs
    assert record.format == "cisco_asa"
    assert record.mixed_formats == {"cisco_asa": 6, "clamav": 2}
    assert (result.lines_read, result.events, result.quarantined) == (8, 6, 2)
    events = pq.read_table(Partition("acme", "fw", DAY).data_path(Path(config.lake_root), "events"))
    by_line = {
        row["raw_line"]: row
        for row in events.select(["raw_line", "format", "malware_name", "src_ip"]).to_pylist()
    }
    assert by_line[2]["format"] == by_line[6]["format"] == "clamav"
    assert by_line[2]["malware_name"] == "Win.Trojan.Agent-1"
    assert by_line[3]["format"] == "cisco_asa" and by_line[3]["src_ip"] == "198.51.100.7"
    assert result.reasons == {"no %ASA-/%FTD-/%PIX-/%FWSM- message tag": 2}  # no format claims line 4


def test_a_file_of_one_format_is_not_split(tmp_path: Path) -> None:
    config = load_config(make_project(tmp_path, fmt="auto"))
    put(tmp_path, "2026-03-02.log", (FIXTURES / "asa_day.log").read_bytes())
    (record,) = ingest_source(config, "acme", "fw", DAY).inputs
    assert record.format == "cisco_asa" and record.mixed_formats is None


def test_a_clamscan_report_longer_than_a_chunk_keeps_its_times(tmp_path: Path) -> None:
    """clamscan without -i lists every clean file before its summary: the summary is chunks later."""
    config = load_config(make_project(tmp_path, fmt="clamav", chunk_mb=1))
    clean = "".join(f"/srv/share/project-{i:06d}/readme.txt: OK\n" for i in range(40_000))
    put(
        tmp_path,
        "2026-03-02.log",
        (
            "/srv/share/invoice.pdf.exe: Win.Trojan.Agent-1 FOUND\n"
            + clean
            + "----------- SCAN SUMMARY -----------\nKnown viruses: 8610659\nEngine version: 1.0.1\n"
            "Scanned files: 40001\nInfected files: 1\nStart Date: 2026:03:02 01:00:00\n"
            "End Date:   2026:03:02 01:30:00\n"
        ).encode(),
    )
    result = ingest_source(config, "acme", "fw", DAY)
    assert result.lines_read == result.events == 40_008 and result.quarantined == 0
    events = read_events(Partition("acme", "fw", DAY).data_path(Path(config.lake_root), "events"))
    assert events.column("time").null_count == 0
    found = events.filter(pc.equal(events["raw_line"], 1)).to_pylist()[0]
    # 01:00 in Asia/Ho_Chi_Minh; the first chunk (1 MB) ends 25 k lines before the summary
    assert (found["time"], found["malware_name"]) == (
        dt.datetime(2026, 3, 1, 18, 0, tzinfo=dt.UTC),
        "Win.Trojan.Agent-1",
    )
    assert found["extra"] is not None and ("program", "clamscan") in found["extra"]


def test_a_failing_file_index_costs_the_index_not_the_file(tmp_path: Path, monkeypatch) -> None:
    from seclake.parsers import clamav

    def broken(lines, ctx):
        raise ValueError("boom")

    monkeypatch.setattr(clamav, "file_index", broken)
    config = load_config(make_project(tmp_path, fmt="clamav"))
    source = put(tmp_path, "2026-03-02.log.gz", gzip.compress(b"/srv/a.exe: Win.Trojan.Agent-1 FOUND\n"))
    result = ingest_source(config, "acme", "fw", DAY)
    assert (result.events, result.errors) == (1, [])
    assert result.inputs[0].warnings == [f"{source}: clamav file index failed: ValueError: boom"]
