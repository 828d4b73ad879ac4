"""Benchmark Microsoft Defender ingest: EVTX reader events/s, and parse throughput per input shape.

No Python EVTX writer exists, so the EVTX file is built with ``tests/parsers/defender_evtx.py``
(inline-name Binary XML, no templates: records are larger than Windows' templated ones, so the
reader does more work per event than on a real file). The same events are also written as an XML
export and as NXLog JSON lines. For each file: read records/lines (``open_records``), parse them
(``seclake.parsers.defender.parse``), report events/s. Bar: EVTX reading ≥ 20,000 events/s.

Run: ``.venv/bin/python bench/ingest_defender.py [--events 200000]`` from the repository root.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
HEALTH = [("Product Name", "Microsoft Defender Antivirus"), ("Product Version", "4.18.24050.7")]


def events(count: int) -> list[DefenderEvent]:
    start = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
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


def measure(path: Path, ctx: ParseContext) -> tuple[int, float, float]:
    started = time.perf_counter()
    frames = [frame.drop("problem") for frame in open_records(path, 32 << 20)]
    read = time.perf_counter() - started
    rows = 0
    for frame in frames:
        result = defender.parse(frame, ctx)
        assert result.quarantine.height == 0, result.quarantine["reason"].unique().to_list()
        rows += result.events.height
    return rows, read, time.perf_counter() - started - read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    ctx = ParseContext("bench", "av", dt.date(2026, 3, 2), "UTC")
    sample = events(args.events)
    with tempfile.TemporaryDirectory() as folder:
        files = {
            "evtx": Path(folder) / "defender.evtx",
            "xml export": Path(folder) / "defender.xml",
            "nxlog json lines": Path(folder) / "defender.jsonl",
        }
        write_evtx(files["evtx"], sample)
        files["xml export"].write_text("<Events>\n" + "\n".join(map(_xml, sample)) + "\n</Events>\n")
        files["nxlog json lines"].write_text("\n".join(map(_nxlog, sample)) + "\n")
        print(f"{args.events:,} events; {pl.__version__=}")
        for name, path in files.items():
            rows, read, parse = measure(path, ctx)
            size = path.stat().st_size / 1e6
            print(
                f"{name:17s} {size:8.1f} MB  read {rows / read:10,.0f} ev/s  parse {rows / parse:10,.0f} ev/s  "
                f"end to end {rows / (read + parse):10,.0f} ev/s"
            )


if __name__ == "__main__":
    main()
