"""Ingest benchmark: seclake's vectorised ingest against a naive per-line Python ``re`` parser.

    .venv/bin/python bench/ingest.py                       # ASA, ~330 MB, both parsers
    .venv/bin/python bench/ingest.py --mb 2048 --skip-naive   # the 2 GB memory check
    .venv/bin/python bench/ingest.py --format clamav
    .venv/bin/python bench/ingest.py --format fortigate    # any format seclake parses
    .venv/bin/python bench/ingest.py --format defender_evtx --mb 50

Generates log lines of the format into a work folder (kept between runs as a cache):
- ASA and ClamAV: a realistic mix from the generators below;
- formats with a demo writer (``seclake.demo.<writer>``): the demo's benign firewall day scaled to
  the size asked (``defender_json`` is Defender's NXLog JSON lines from its writer);
- ``defender_evtx``: an EVTX file of Defender detections and health events
  (``tests/parsers/defender_evtx.py``, as ``bench/ingest_defender.py`` builds it);
- every other format (CEF, LEEF, Check Point, SonicWall, Sophos XG, Juniper SRX, Kaspersky,
  Symantec): the raw lines of its reviewed golden files (``tests/parsers/golden/<format>``: corpus
  and hand-written lines) repeated to the size asked, each IPv4 address replaced by a random one.
  Repeated blocks go back in time, so ingest also pays its full sort (DuckDB) for these.
Then times, each in its own process so peak RSS is its own:
- seclake: ``ingest_source`` end to end (read, parse, stage, sort, zstd Parquet, manifest);
- naive: a per-line loop of Python ``re`` matches into dicts, then the same zstd Parquet write
  (ASA and ClamAV: one pattern per message type; other formats: the syslog header, then every
  ``key=value`` pair with ``re.findall``, or the CSV fields with ``split``; JSON lines with
  ``json.loads``; EVTX has no naive parser).
Prints MB/s, lines/s, CPU seconds (user + system, all threads: the figure to compare on a busy
machine), peak RSS and the ratio. Not part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from seclake.demo.generate import writers

DAY = dt.date(2026, 3, 2)
BLOCK_LINES = 100_000
WORK = Path(tempfile.gettempdir()) / "seclake-bench"


def _ip(rng: random.Random, private: bool) -> str:
    if private:
        return f"10.{rng.randint(0, 3)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    return f"{rng.choice([23, 45, 93, 104, 151, 185, 198, 203])}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def asa_lines(rng: random.Random, count: int, first: int = 0, span: int = 86_400) -> list[str]:
    """A firewall's mix over [first, first + span) seconds of the day: connections, denies, NAT, logins."""
    lines = []
    for i in range(count):
        seconds = first + i * span // count
        stamp = f"Mar 02 2026 {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        head = f"<166>{stamp} fw-bench : "
        inside, outside = _ip(rng, True), _ip(rng, False)
        sport, dport, conn = rng.randint(1024, 65535), rng.choice([443, 80, 53, 25, 3389, 22]), 100_000 + i
        kind = rng.random()
        if kind < 0.35:
            lines.append(
                f"{head}%ASA-6-302013: Built outbound TCP connection {conn} for outside:{outside}/{dport} ({outside}/{dport}) to inside:{inside}/{sport} (203.0.113.5/{sport})"
            )
        elif kind < 0.70:
            lines.append(
                f"{head}%ASA-6-302014: Teardown TCP connection {conn} for outside:{outside}/{dport} to inside:{inside}/{sport} duration 0:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} bytes {rng.randint(40, 9_000_000)} TCP FINs"
            )
        elif kind < 0.80:
            lines.append(
                f'{head}%ASA-4-106023: Deny tcp src outside:{outside}/{sport} dst inside:203.0.113.5/{dport} by access-group "outside_access_in" [0x0, 0x0]'
            )
        elif kind < 0.88:
            lines.append(
                f"{head}%ASA-6-106100: access-list inside_in permitted udp inside/{inside}({sport}) -> outside/{outside}(53) hit-cnt 1 first hit [0x93d0e533, 0x0]"
            )
        elif kind < 0.95:
            lines.append(
                f"{head}%ASA-6-305011: Built dynamic TCP translation from inside:{inside}/{sport} to outside:203.0.113.5/{sport}"
            )
        else:
            lines.append(
                f'{head}%ASA-6-605005: Login permitted from {inside}/{sport} to inside:10.0.0.1/ssh for user "admin"'
            )
    return lines


def clamav_lines(rng: random.Random, count: int, first: int = 0, span: int = 86_400) -> list[str]:
    """Endpoints' clamd and freshclam lines forwarded by syslog, over [first, first + span) seconds."""
    lines = []
    for i in range(count):
        seconds = first + i * span // count
        stamp = f"Mar  2 {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        host = f"pc-{rng.randint(1, 300):03d}"
        kind = rng.random()
        if kind < 0.5:
            lines.append(f"{stamp} {host} clamd[812]: SelfCheck: Database status OK.")
        elif kind < 0.8:
            lines.append(
                f"{stamp} {host} freshclam[900]: daily.cld updated (version: {27000 + i % 50}, sigs: 2017000, f-level: 90, builder: raynman)"
            )
        elif kind < 0.95:
            lines.append(
                f"{stamp} {host} clamd[812]: /home/user{i % 40}/Downloads/file {i}.exe: Win.Trojan.Agent-{i % 977} FOUND"
            )
        else:
            lines.append(
                f"{stamp} {host} clamd[812]: /home/user{i % 40}/Downloads/file {i}.exe: moved to '/var/quarantine/file {i}.exe'"
            )
    return lines


GENERATORS = {"cisco_asa": asa_lines, "clamav": clamav_lines}
ALIASES = {"defender_json": "defender", "defender_evtx": "defender"}
"""Benchmark names of one parser's input shapes → the parser (source format)."""
GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "parsers" / "golden"
IPV4 = re.compile(r"\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}\b")
EVTX_RECORD_BYTES = 2900
"""About what one record of the bench's EVTX file takes (for --mb)."""


BENIGN_KINDS = {"conn", "av_update"}
"""A writer that renders one of these can write a benign background day (firewall or anti-virus)."""


def writer_formats() -> list[str]:
    """Formats whose benchmark lines come from their demo writer (see the module docstring)."""
    return sorted(name for name, w in writers().items() if BENIGN_KINDS & w.KINDS)


def _file_bytes(lines: list[str]) -> int:
    """What the lines take in a file (ASCII-sized: one byte a character, plus the newline)."""
    return sum(len(text) + 1 for text in lines)


def golden_formats() -> list[str]:
    """Formats whose benchmark lines come from their golden files: no generator, and no writer of
    a benign day (ESET's export has no update or health events)."""
    have = {*GENERATORS, *writer_formats(), "defender"}
    return sorted(p.name for p in GOLDEN.iterdir() if p.is_dir() and p.name not in have)


def golden_lines(fmt: str, megabytes: int) -> list[str]:
    """The raw lines of the format's golden files, repeated to about ``megabytes`` MB, each IPv4
    address of each copy replaced by a random one."""
    documents = [
        json.loads(line)
        for path in sorted((GOLDEN / fmt).glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    templates = [d["raw"] for d in documents if "format" in d and "\n" not in d["raw"]]  # events only
    rng = random.Random(42)
    size = _file_bytes(templates)
    copies = max(1, (megabytes << 20) // size)
    return [IPV4.sub(lambda _: _ip(rng, rng.random() < 0.5), t) for _ in range(copies) for t in templates]


def write_evtx_file(path: Path, megabytes: int) -> None:
    """An EVTX file of about ``megabytes`` MB of Defender records (``bench/ingest_defender.py``)."""
    from ingest_defender import events  # this folder: the script's own

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.parsers.defender_evtx import write_evtx

    write_evtx(path, events(max(1, (megabytes << 20) // EVTX_RECORD_BYTES)))


SYSLOG_HEADER = re.compile(
    r"^(?:<\d+>)?(?:1 )?(?P<time>\S+(?: +\d+)? [\d:]+|\S+T\S+) (?P<device>\S+) (?P<text>.*)$"
)
KV_PAIR = re.compile(r'(\w+)=("[^"]*"|\S*)')
CSV_FORMATS = {"panos", "pfsense_filterlog"}


def demo_source(fmt: str) -> tuple:
    """The demo organisation and log source that write the format (the first organisation and a
    perimeter source when no organisation of the demo uses it)."""
    from seclake.demo.orgs import ORGANISATIONS, PERIMETER, LogSource

    for org in ORGANISATIONS:
        for source in org.sources:
            if source.format == fmt:
                return org, source
    return ORGANISATIONS[0], LogSource(PERIMETER, fmt)


def writer_lines(fmt: str, megabytes: int) -> list[str]:
    """Benign days of the first demo organisation, rendered by the format's writer to about
    ``megabytes`` MB, in time order: one firewall day scaled up (firewall formats), or anti-virus
    days one after the other (the endpoints' updates and checks: anti-virus formats)."""
    from seclake.demo.background import Downtime, antivirus, firewall_day
    from seclake.demo.generate import render_source

    org, source = demo_source(fmt)

    def render(events: list) -> list[str]:
        lines = render_source(source, events, org, random.Random(42))
        return [line.text for line in sorted(lines, key=lambda line: line.time)]

    if "conn" in writers()[fmt].KINDS:  # else an anti-virus writer (BENIGN_KINDS)
        sample = render(firewall_day(org, DAY, seed=42, scale=1.0, down=Downtime()))
        size = _file_bytes(sample) or 1
        return render(
            firewall_day(org, DAY, seed=42, scale=max(1.0, (megabytes << 20) / size), down=Downtime())
        )
    lines: list[str] = []
    size, month = 0, 0
    while size < megabytes << 20:
        days = [DAY + dt.timedelta(days=30 * month + d) for d in range(30)]
        rendered = render(antivirus(org, days, seed=42, failing={}))
        lines += rendered
        size += _file_bytes(rendered)
        month += 1
    return lines


def naive_fields(fmt: str, line: str) -> dict:
    """The naive parser of a writer format: the header if any, then every key=value pair or CSV field."""
    if fmt == "defender_json":
        return {key: str(value) for key, value in json.loads(line).items()}
    match = SYSLOG_HEADER.match(line)
    row = match.groupdict() if match else {}
    text = row.pop("text", line)
    if fmt in CSV_FORMATS:
        row.update((f"f{i}", value) for i, value in enumerate(text.split(",")))
    else:
        row.update((key, value.strip('"')) for key, value in KV_PAIR.findall(text))
    return row


NAIVE_PATTERNS = {
    "cisco_asa": [
        re.compile(
            r"^<(?P<pri>\d+)>(?P<time>\w{3} \d+ \d{4} [\d:]+) (?P<device>\S+) : %ASA-(?P<level>\d)-(?P<id>\d{6}): (?P<text>.*)$"
        ),
        re.compile(
            r"Built (?P<dir>\w+) (?P<proto>\w+) connection (?P<conn>\d+) for (?P<fz>\w+):(?P<fip>[\d.]+)/(?P<fport>\d+) \(.*?\) to (?P<tz>\w+):(?P<tip>[\d.]+)/(?P<tport>\d+)"
        ),
        re.compile(
            r"Teardown (?P<proto>\w+) connection (?P<conn>\d+) for (?P<fz>\w+):(?P<fip>[\d.]+)/(?P<fport>\d+) to (?P<tz>\w+):(?P<tip>[\d.]+)/(?P<tport>\d+) duration (?P<dur>[\d:]+) bytes (?P<bytes>\d+)"
        ),
        re.compile(
            r"Deny (?P<proto>\w+) src (?P<fz>\w+):(?P<fip>[\d.]+)/(?P<fport>\d+) dst (?P<tz>\w+):(?P<tip>[\d.]+)/(?P<tport>\d+) by access-group \"(?P<acl>[^\"]+)\""
        ),
        re.compile(
            r"access-list (?P<acl>\S+) (?P<verdict>\w+) (?P<proto>\w+) (?P<fz>\w+)/(?P<fip>[\d.]+)\((?P<fport>\d+)\) -> (?P<tz>\w+)/(?P<tip>[\d.]+)\((?P<tport>\d+)\)"
        ),
        re.compile(
            r"translation from (?P<fz>\w+):(?P<fip>[\d.]+)/(?P<fport>\d+) to (?P<tz>\w+):(?P<tip>[\d.]+)/(?P<tport>\d+)"
        ),
        re.compile(r"Login permitted from (?P<fip>[\d.]+)/(?P<fport>\d+) .* for user \"(?P<user>[^\"]+)\""),
    ],
    "clamav": [
        re.compile(r"^(?P<time>\w{3} +\d+ [\d:]+) (?P<host>\S+) (?P<prog>\w+)\[\d+\]: (?P<text>.*)$"),
        re.compile(r"^(?P<path>.*): (?P<sig>\S+) FOUND$"),
        re.compile(r"^(?P<path>.*): moved to '(?P<dest>.*)'$"),
        re.compile(r"updated \(version: (?P<version>\d+), sigs: (?P<sigs>\d+)"),
    ],
}


def generate(fmt: str, megabytes: int) -> Path:
    """The benchmark input of about ``megabytes`` MB (cached in the work folder)."""
    path = WORK / f"{fmt}-{megabytes}mb" / "logs" / f"{DAY.isoformat()}.log"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "defender_evtx":
        write_evtx_file(path, megabytes)
        return path
    if fmt not in GENERATORS:
        lines = golden_lines if fmt in golden_formats() else writer_lines
        path.write_text("\n".join(lines(ALIASES.get(fmt, fmt), megabytes)) + "\n", encoding="utf-8")
        return path
    rng = random.Random(42)
    sample = "\n".join(GENERATORS[fmt](rng, 1000)) + "\n"
    blocks = max(1, round((megabytes << 20) / (len(sample) * BLOCK_LINES / 1000)))
    span = 86_400 // blocks
    with open(path, "w", encoding="utf-8") as handle:  # time runs forward through the whole day
        for block in range(blocks):
            handle.write("\n".join(GENERATORS[fmt](rng, BLOCK_LINES, block * span, span)) + "\n")
    return path


def source_options(fmt: str) -> dict[str, str]:
    """The parser options the demo gives a source of this format (Windows Firewall: the host)."""
    from seclake.demo.generate import source_options as demo_options

    return demo_options(demo_source(fmt)[1]) if fmt in writer_formats() else {}


def run_seclake(fmt: str, log: Path) -> dict:
    from seclake.config import load_config
    from seclake.ingest import ingest_source

    folder = log.parent.parent
    config_path = folder / "seclake.yaml"
    config_path.write_text(
        yaml.safe_dump(
            {
                "lake": "lake",
                "organisations": [
                    {
                        "id": "bench",
                        "name": "Bench",
                        "sources": [
                            {
                                "id": "src",
                                "format": ALIASES.get(fmt, fmt),
                                "path": "logs/{date}.log",
                                "options": source_options(fmt),
                            }
                        ],
                    }
                ],
            }
        )
    )
    config = load_config(config_path)
    started = time.perf_counter()
    result = ingest_source(config, "bench", "src", DAY)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "lines": result.lines_read,
        "events": result.events,
        "quarantined": result.quarantined,
    }


def run_naive(fmt: str, log: Path) -> dict:
    started = time.perf_counter()
    rows, lines = [], 0
    if fmt not in NAIVE_PATTERNS:
        with open(log, encoding="utf-8") as handle:
            for line in handle:
                lines += 1
                rows.append(naive_fields(fmt, line.rstrip("\n")))
        return _naive_write(rows, lines, log, started)
    header, *bodies = NAIVE_PATTERNS[fmt]
    with open(log, encoding="utf-8") as handle:
        for line in handle:
            lines += 1
            match = header.match(line.rstrip("\n"))
            if not match:
                continue
            row = match.groupdict()
            for pattern in bodies:
                found = pattern.search(row["text"])
                if found:
                    row.update(found.groupdict())
                    break
            rows.append(row)
    return _naive_write(rows, lines, log, started)


def _naive_write(rows: list[dict], lines: int, log: Path, started: float) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), log.parent.parent / "naive.parquet", compression="zstd")
    return {"seconds": time.perf_counter() - started, "lines": lines, "events": len(rows)}


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    """This process's peak RSS: Linux's VmHWM, which starts anew at exec (``ru_maxrss`` keeps the
    peak of the parent that forked us, so a run that generated its input first showed the
    generator's memory)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(phase: str, fmt: str, log: Path) -> dict:
    cpu_before = _cpu_seconds()
    result = (run_seclake if phase == "seclake" else run_naive)(fmt, log)
    result["cpu_seconds"] = _cpu_seconds() - cpu_before
    result["peak_rss_mb"] = _peak_rss_mb()
    return result


def _measure(phase: str, fmt: str, log: Path) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--format", fmt, "--file", str(log)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--format",
        default="cisco_asa",
        choices=sorted({*GENERATORS, *writers(), *golden_formats(), *ALIASES}),
    )
    parser.add_argument("--mb", type=int, default=330, help="input size in MB (default takes > 10 s)")
    parser.add_argument("--skip-naive", action="store_true", help="only time seclake (for large inputs)")
    parser.add_argument("--phase", choices=["seclake", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(_child(args.phase, args.format, args.file)))
        return
    log = generate(args.format, args.mb)
    size_mb = log.stat().st_size / 1e6
    print(f"input: {log} ({size_mb:,.0f} MB)")
    results = {"seclake": _measure("seclake", args.format, log)}
    if not args.skip_naive and args.format != "defender_evtx":
        results["naive"] = _measure("naive", args.format, log)
    for name, r in results.items():
        print(
            f"{name:8s} {r['seconds']:7.2f} s  {size_mb / r['seconds']:7.1f} MB/s  {r['lines'] / r['seconds']:>11,.0f} lines/s"
            f"  {r['events'] / r['seconds']:>9,.0f} events/s"
            f"  cpu {r['cpu_seconds']:.2f} s  peak RSS {r['peak_rss_mb']:,.0f} MB"
            f"  ({r['events']:,} events of {r['lines']:,} lines)"
        )
    if "naive" in results:
        print(
            f"ratio    seclake is {results['naive']['seconds'] / results['seclake']['seconds']:.1f}x the naive parser"
        )


if __name__ == "__main__":
    main()
