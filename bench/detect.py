"""Detection benchmark: every rule of the pack over one organisation-day of ≥ 10 M events.

    .venv/bin/python bench/detect.py                # 10 M events (written once, then cached)
    .venv/bin/python bench/detect.py --events 2000000
    .venv/bin/python bench/detect.py --history-days 7   # and 7 days before it (rules with a baseline)

Writes a synthetic but realistic day into a lake in the work folder (firewall traffic from a few
thousand internal hosts to many external ones, denies from internet noise, VPN and admin logins,
AV events), generated with Polars expressions in 1 M-row slices and written in time order with the
lake's Parquet settings. Then times ``detect`` for that day with every rule under ``rules/`` and
prints wall seconds, CPU seconds (user + system, all threads), events/s, peak memory and seconds
per rule (slowest first); then times the steps that follow on the same day (incidents, metrics).
Not part of the test run; on a shared machine run it under ``flock`` so that benchmarks do not overlap.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import tempfile
import time
from pathlib import Path

import polars as pl
import yaml

from seclake.config import load_config
from seclake.detection.engine import detect
from seclake.incidents import build_incidents
from seclake.metrics import build_metrics
from seclake.ordered_writer import ROW_GROUP_ROWS, parquet_writer
from seclake.schema import EVENT_SCHEMA, events_to_arrow

DAY = dt.date(2026, 3, 2)
SLICE = 1_000_000
WORK = Path(tempfile.gettempdir()) / "seclake-bench-detect"


def _pick(values: list[str], seed_column: str, modulo: int | None = None) -> pl.Expr:
    """A value from ``values`` chosen by hashing a column (vectorised, deterministic)."""
    index = (pl.col(seed_column).hash(7) % (modulo or len(values))).cast(pl.Int64)
    return pl.lit(pl.Series(values)).gather(index.clip(0, len(values) - 1))


def events_slice(start: int, count: int, total: int, day: dt.date = DAY) -> pl.DataFrame:
    """Rows ``start`` .. ``start + count`` of the synthetic ``day``, in time order."""
    day_start = dt.datetime.combine(day, dt.time(), dt.UTC)
    n = pl.int_range(start, start + count, dtype=pl.Int64, eager=True).alias("n")
    frame = pl.DataFrame(n).with_columns(
        (pl.lit(day_start) + pl.duration(microseconds=pl.col("n") * (86_400_000_000 // total))).alias("time"),
        (pl.col("n").hash(1) % 1000).alias("r"),
    )
    is_av = pl.col("r") < 5
    is_auth = pl.col("r").is_between(5, 9)
    is_deny = pl.col("r").is_between(10, 180)
    inside = pl.format(
        "10.{}.{}.{}", pl.col("n").hash(2) % 8, pl.col("n").hash(3) % 250, pl.col("n").hash(4) % 250 + 1
    )
    outside = pl.format(
        "{}.{}.{}.{}",
        pl.col("n").hash(5) % 200 + 23,
        pl.col("n").hash(6) % 256,
        pl.col("n").hash(8) % 256,
        pl.col("n").hash(9) % 254 + 1,
    )
    return frame.select(
        "time",
        pl.lit("bench").alias("org"),
        pl.lit("fw").alias("source"),
        pl.lit("Cisco").alias("vendor"),
        pl.lit("ASA").alias("product"),
        pl.lit("cisco_asa").alias("format"),
        pl.when(is_av)
        .then(pl.lit("malware_detection"))
        .when(is_auth)
        .then(pl.lit("authentication"))
        .otherwise(pl.lit("network_activity"))
        .alias("event_class"),
        pl.when(is_av)
        .then(pl.lit("quarantined"))
        .when(is_auth)
        .then(pl.when(pl.col("r") == 5).then(pl.lit("failure")).otherwise(pl.lit("success")))
        .when(is_deny)
        .then(pl.lit("deny"))
        .otherwise(pl.lit("allow"))
        .alias("action"),
        pl.lit("info").alias("severity"),
        pl.when(is_deny).then(outside).otherwise(inside).alias("src_ip"),
        (pl.col("n").hash(10) % 60000 + 1024).cast(pl.Int32).alias("src_port"),
        pl.when(is_deny).then(pl.lit("203.0.113.5")).otherwise(outside).alias("dst_ip"),
        _pick(["443", "80", "53", "25", "123", "993", "443", "8080"], "n").cast(pl.Int32).alias("dst_port"),
        pl.lit("tcp").alias("protocol"),
        pl.when(is_deny).then(pl.lit("inbound")).otherwise(pl.lit("outbound")).alias("direction"),
        (pl.col("n").hash(11) % 5_000_000).alias("bytes_total"),
        pl.when(is_av).then(pl.format("pc-{}", pl.col("n").hash(12) % 3000)).alias("host"),
        pl.when(is_av).then(pl.lit("Win.Trojan.Agent-1")).alias("malware_name"),
        pl.when(is_auth).then(pl.format("user{}", pl.col("n").hash(13) % 500)).alias("user"),
        pl.format("bench line {}", pl.col("n")).alias("raw"),
        pl.lit("bench.log" if day == DAY else f"bench-{day.isoformat()}.log").alias("raw_file"),
        (pl.col("n") + 1).alias("raw_line"),
    )


def write_lake(total: int, history_days: int = 0) -> Path:
    """The benchmark lake: ``total`` events on ``DAY`` and on each of the ``history_days`` before it
    (cached by size and history)."""
    root = WORK / (f"{total}" if not history_days else f"{total}-history{history_days}")
    for back in range(history_days + 1):
        day = DAY - dt.timedelta(days=back)
        data = root / "lake" / "events" / "org=bench" / "source=fw" / f"date={day}" / "data.parquet"
        if data.exists():
            continue
        data.parent.mkdir(parents=True, exist_ok=True)
        with parquet_writer(data, EVENT_SCHEMA) as writer:
            for start in range(0, total, SLICE):
                writer.write_table(
                    events_to_arrow(events_slice(start, min(SLICE, total - start), total, day)),
                    row_group_size=ROW_GROUP_ROWS,
                )
    config = {"lake": "lake", "organisations": [{"id": "bench", "name": "Bench", "timezone": "UTC"}]}
    (root / "seclake.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return root / "seclake.yaml"


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process so far (DuckDB's threads included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--history-days", type=int, default=0, help="days of the same traffic before the day")
    args = parser.parse_args()
    started = time.perf_counter()
    config_path = write_lake(args.events, args.history_days)
    print(f"lake ready in {time.perf_counter() - started:.1f} s: {config_path.parent / 'lake'}")
    config = load_config(config_path)
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    result = detect(config, "bench", DAY)
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
    print(
        f"detect: {len(result.runs)} rules over {args.events:,} events in {seconds:.1f} s, {cpu:.1f} s CPU "
        f"({args.events / seconds:,.0f} events/s), {result.alerts.num_rows} alerts, "
        f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB"
    )
    for run in sorted(result.runs, key=lambda r: -r.seconds)[:10]:
        print(f"  {run.seconds:6.2f} s  {run.rule_id:40s} {run.alerts:5d} alerts {run.error or ''}")
    failed = [r for r in result.runs if r.error]
    if failed:
        print(f"{len(failed)} rule(s) failed")
    for name, step in (("incidents", build_incidents), ("metrics", build_metrics)):
        started = time.perf_counter()
        step(config, "bench", DAY)
        print(f"{name}: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
