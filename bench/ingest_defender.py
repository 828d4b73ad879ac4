"""Benchmark Microsoft Defender ingest: read, parse and end-to-end events/s per input shape.

No Python EVTX writer exists, so the EVTX file is built with ``tests/parsers/defender_evtx.py``
(inline-name Binary XML, no templates: records are larger than Windows' templated ones, so the
reader does more work per event than on a real file). The same events are also written as an XML
export and as NXLog JSON lines. For each file, wall and CPU (user + system, all threads) time of:

- read: the file's records or lines (``open_records``), frames as ingest reads them;
- parse: ``seclake.parsers.defender.parse`` of those frames;
- end to end: ``seclake.ingest.ingest_source`` of the file into a fresh lake in a temporary folder
  (read, sniff, parse, stage, sort, Parquet, manifest).

Bars (issue 9): EVTX end to end ≥ 20,000 events/s; read + parse of EVTX ≥ 40,000 events/s.
On a shared machine wrap runs in ``flock /tmp/seclake-bench.lock``.

Run: ``.venv/bin/python bench/ingest_defender.py [--events 200000] [--chunk-mb 8]`` from the
repository root.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from seclake.config import load_config
from seclake.ingest import ingest_source
from seclake.parsers import defender
from seclake.parsers.contract import ParseContext
from seclake.parsers.defender_records import open_records
from tests.parsers.defender_evtx import CHANNEL, PROVIDER, DefenderEvent, write_evtx

DETECTION = [
    ("Product Name", "Microsoft Defender Antivirus"), ("Product Version", "4.18.24050.7"),
    ("Detection ID", "{FD8CD828-0E5A-4370-A6B6-80C8C8173F5D}"), ("Detection Time", "2026-03-02T01:21:01.435Z"),
    ("Threat ID", "2147519003"), ("Threat Name", "Virus:DOS/EICAR_Test_File"), ("Severity ID", "5"),
    ("Severity Name", "Severe"), ("Category Name", "Virus"), ("Source Name", "Real-Time Protection"),
    ("Process Name", "C:\\Windows\\explorer.exe"), ("Detection User", "CORP\\alice"),
    ("Path", "file:_C:\\Users\\alice\\Desktop\\eicar.com"), ("Action ID", "2"), ("Action Name", "Quarantine"),
    ("Error Code", "0x00000000"), ("Security intelligence Version", "AV: 1.413.419.0, AS: 1.413.419.0, NIS: 1.413.419.0"),
    ("Engine Version", "AM: 1.1.24050.5, NIS: 1.1.24050.5"),
]  # fmt: skip
DAY = dt.date(2026, 3, 2)
HEALTH = [("Product Name", "Microsoft Defender Antivirus"), ("Product Version", "4.18.24050.7")]


def events(count: int) -> list[DefenderEvent]:
    start = dt.datetime(DAY.year, DAY.month, DAY.day, tzinfo=dt.UTC)
    ids = (1116, 1117, 5001, 2001, 1117)
    return [
        DefenderEvent(
            ids[i % 5], start + dt.timedelta(milliseconds=i * 300), f"ws-{i % 500:03d}", i + 1, 4,
            DETECTION if ids[i % 5] in (1116, 1117) else HEALTH,
        )
        for i in range(count)
    ]  # fmt: skip


def _xml(event: DefenderEvent) -> str:
    data = "".join(f"<Data Name='{n}'>{v}</Data>" for n, v in event.data)
    return (
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
        f"<Provider Name='{PROVIDER}'/><EventID>{event.event_id}</EventID><Level>{event.level}</Level>"
        f"<TimeCreated SystemTime='{event.time:%Y-%m-%dT%H:%M:%S.%f}0Z'/><EventRecordID>{event.record_id}</EventRecordID>"
        f"<Channel>{CHANNEL}</Channel><Computer>{event.computer}</Computer></System><EventData>{data}</EventData></Event>"
    )


def _nxlog(event: DefenderEvent) -> str:
    record = {"EventTime": f"{event.time:%Y-%m-%d %H:%M:%S}", "Hostname": event.computer, "EventID": event.event_id,
              "SourceName": PROVIDER, "Channel": CHANNEL, "SeverityValue": 2, "Severity": "INFO", **dict(event.data)}  # fmt: skip
    return json.dumps(record, separators=(",", ":"))


class _Clock:
    """Wall and CPU (user + system of every thread) seconds of a block."""

    def __enter__(self) -> _Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def rate(self, rows: int) -> str:
        return f"{rows / self.wall:9,.0f} ev/s ({self.wall:5.2f} s wall, {self.cpu:5.2f} s CPU)"


def read_and_parse(path: Path, ctx: ParseContext, chunk_bytes: int) -> tuple[int, _Clock, _Clock]:
    with _Clock() as read:
        frames = [frame.drop("problem") for frame in open_records(path, chunk_bytes)]
    rows = 0
    with _Clock() as parse:
        for frame in frames:
            result = defender.parse(frame, ctx)
            assert result.quarantine.height == 0, result.quarantine["reason"].unique().to_list()
            rows += result.events.height
    return rows, read, parse


def end_to_end(path: Path, chunk_mb: int) -> tuple[int, _Clock]:
    """``ingest_source`` of ``path`` alone into a new lake beside it."""
    folder = Path(tempfile.mkdtemp(dir=path.parent))
    (folder / "logs").mkdir()
    (folder / "logs" / f"{DAY}{''.join(path.suffixes)}").symlink_to(path)
    config = {
        "lake": "lake",
        "ingest": {"chunk_mb": chunk_mb},
        "organisations": [{"id": "bench", "name": "Bench", "sources": [{"id": "av", "format": "auto", "path": "logs/{date}*"}]}],
    }  # fmt: skip
    (folder / "seclake.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    with _Clock() as clock:
        result = ingest_source(load_config(folder / "seclake.yaml"), "bench", "av", DAY)
    assert not result.errors and result.quarantined == 0, (result.errors, result.reasons)
    assert result.inputs[0].format == "defender"
    return result.events, clock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument(
        "--chunk-mb", type=int, default=8, help="ingest chunk size (seclake.yaml ingest.chunk_mb)"
    )
    parser.add_argument("--only", choices=["evtx", "xml", "nxlog"], help="measure one input shape")
    args = parser.parse_args()
    ctx = ParseContext("bench", "av", DAY, "UTC")
    sample = events(args.events)
    with tempfile.TemporaryDirectory() as folder:
        files = {
            "evtx": Path(folder) / "defender.evtx",
            "xml": Path(folder) / "defender.xml",
            "nxlog": Path(folder) / "defender.jsonl",
        }
        files = {name: path for name, path in files.items() if args.only in (None, name)}
        if "evtx" in files:
            write_evtx(files["evtx"], sample)
        if "xml" in files:
            files["xml"].write_text("<Events>\n" + "\n".join(map(_xml, sample)) + "\n</Events>\n")
        if "nxlog" in files:
            files["nxlog"].write_text("\n".join(map(_nxlog, sample)) + "\n")
        print(f"{args.events:,} events; chunks of {args.chunk_mb} MB; polars {pl.__version__}")
        for name, path in files.items():
            rows, read, parse = read_and_parse(path, ctx, args.chunk_mb << 20)
            both = rows / (read.wall + parse.wall)
            print(f"{name:6s} {path.stat().st_size / 1e6:6.1f} MB  read       {read.rate(rows)}")
            print(f"{'':16s} parse      {parse.rate(rows)}")
            print(f"{'':16s} read+parse {both:9,.0f} ev/s")
            events_written, clock = end_to_end(path, args.chunk_mb)
            assert events_written == rows
            print(f"{'':16s} end to end {clock.rate(rows)}")


if __name__ == "__main__":
    main()
