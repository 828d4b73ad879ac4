"""A run killed with SIGKILL in the middle of an ingest leaves the previous partition intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from seclake.config import load_config
from seclake.ingest import ingest_source
from seclake.lake import Partition, read_manifest, verify_partition
from tests.test_ingest import DAY, FIXTURES, make_project, put

BIG_LINES = 600_000


def _big_day(newest_first: bool) -> bytes:
    """Many ASA connection lines; newest first forces the full sort instead of streaming order."""
    lines = []
    for i in range(BIG_LINES, 0, -1) if newest_first else range(1, BIG_LINES + 1):
        second = i * 86_399 // BIG_LINES
        stamp = f"Mar 02 2026 {second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
        lines.append(
            f"<166>{stamp} fw-acme : %ASA-6-302014: Teardown TCP connection {i} for outside:93.184.216.34/443 "
            f"to inside:10.1.{i % 250}.{i % 200 + 1}/{1024 + i % 60000} duration 0:00:02 bytes {i} TCP FINs"
        )
    return ("\n".join(lines) + "\n").encode()


def _start_ingest(config_path: Path) -> subprocess.Popen:
    code = textwrap.dedent(
        f"""
        import datetime as dt
        from seclake.config import load_config
        from seclake.ingest import ingest_source
        ingest_source(load_config({str(config_path)!r}), "acme", "fw", dt.date.fromisoformat({DAY.isoformat()!r}))
        """
    )
    return subprocess.Popen([sys.executable, "-c", code], cwd=Path(__file__).parents[1])


def _size(path: Path) -> int:
    """The file's size; 0 when it was renamed (or published) between the glob and now."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _kill_when(process: subprocess.Popen, seen, timeout: float = 120.0) -> bool:
    """SIGKILL the process as soon as ``seen()`` is true; False if it ended before that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if seen():
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.001)
    process.kill()
    raise AssertionError("ingest neither reached the point to kill nor ended")


@pytest.fixture(params=[False, True], ids=["in-order", "newest-first"])
def baseline(tmp_path: Path, request: pytest.FixtureRequest):
    config_path = make_project(tmp_path)
    config = load_config(config_path)
    put(tmp_path, "2026-03-02.log", (FIXTURES / "asa_day.log").read_bytes())
    ingest_source(config, "acme", "fw", DAY)
    lake = Path(config.lake_root)
    partition = Partition("acme", "fw", DAY)
    before = pq.read_table(partition.data_path(lake, "events"))
    put(tmp_path, "2026-03-02.log", _big_day(newest_first=request.param))
    return config_path, lake, partition, before


def _assert_unchanged(lake: Path, partition: Partition, before) -> None:
    assert pq.read_table(partition.data_path(lake, "events")).equals(before)
    assert verify_partition(lake, partition) == []
    assert read_manifest(lake, partition)["events_written"] == before.num_rows == 6


def _writing(folder: Path):
    return lambda: any(_size(p) > 0 for p in folder.glob(".data.parquet.*.tmp*"))


def test_kill_while_writing_leaves_previous_partition(baseline) -> None:
    config_path, lake, partition, before = baseline
    process = _start_ingest(config_path)
    assert _kill_when(process, _writing(partition.data_path(lake, "events").parent)), (
        "ingest ended before writing"
    )
    _assert_unchanged(lake, partition, before)


def test_kill_late_in_the_run_leaves_previous_partition_and_a_rerun_completes(baseline) -> None:
    config_path, lake, partition, before = baseline
    folder = partition.data_path(lake, "events").parent
    process = _start_ingest(config_path)

    def late() -> bool:
        prefix = any(folder.glob(".data.parquet.*.tmp.prefix"))
        return prefix or any(_size(f) > 4_000_000 for f in folder.glob(".data.parquet.*.tmp"))

    assert _kill_when(process, late), "ingest ended before the kill: make the input bigger"
    _assert_unchanged(lake, partition, before)
    result = ingest_source(load_config(config_path), "acme", "fw", DAY)
    assert result.events == BIG_LINES
    events = pq.read_table(partition.data_path(lake, "events"), columns=["time"]).column("time").to_pylist()
    assert len(events) == BIG_LINES and events == sorted(events)
    assert verify_partition(lake, partition) == []


def test_leftovers_of_a_dead_run_are_removed_once_stale(tmp_path: Path) -> None:
    import os

    from seclake.lake import STALE_AFTER_S

    config_path = make_project(tmp_path)
    config = load_config(config_path)
    put(tmp_path, "2026-03-02.log", (FIXTURES / "asa_day.log").read_bytes())
    ingest_source(config, "acme", "fw", DAY)
    lake = Path(config.lake_root)
    folder = Partition("acme", "fw", DAY).data_path(lake, "events").parent
    old_tmp, fresh_tmp = folder / ".data.parquet.old-run.tmp", folder / ".data.parquet.live-run.tmp"
    old_stage = lake / ".staging" / "old-run"
    for path in (old_tmp, fresh_tmp):
        path.write_bytes(b"partial")
    old_stage.mkdir()
    long_ago = time.time() - STALE_AFTER_S - 60
    os.utime(old_tmp, (long_ago, long_ago))
    os.utime(old_stage, (long_ago, long_ago))
    ingest_source(config, "acme", "fw", DAY)
    assert not old_tmp.exists() and not old_stage.exists()
    assert fresh_tmp.exists()  # may belong to a run still going
