"""The lake's layout on disk and its one write primitive: replace a partition file atomically.

Layout (hive partitions, readable by DuckDB, Polars, Spark, Trino or Athena without seclake)::

    <lake>/events/org=<org>/source=<source>/date=<YYYY-MM-DD>/data.parquet
    <lake>/quarantine/org=<org>/source=<source>/date=<YYYY-MM-DD>/data.parquet
    <lake>/manifests/ingest/org=<org>/source=<source>/date=<YYYY-MM-DD>/manifest.json

Each partition is one Parquet file (zstd, sorted by time; see ``seclake.ordered_writer``), so a
partition is replaced by one atomic rename: the new file is written beside the old under a hidden
temporary name (which no ``*.parquet`` glob matches), flushed, then renamed over it. A run killed
at any point leaves either the previous file or the new one, never half of one. The manifest is
written last and names the run id and sha256 of the data files it describes, so a reader can tell
a manifest that belongs to its data from one left by an interrupted run (``verify_partition``).

Org and source ids are checked again here, so a hostile id can never become a path outside the lake.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from seclake.config import check_id

TABLES: tuple[str, ...] = ("events", "quarantine")
DATA_FILE = "data.parquet"
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class Partition:
    """One org/source/day of the lake."""

    org: str
    source: str
    date: dt.date

    def __post_init__(self) -> None:
        check_id(self.org, "organisation id")
        check_id(self.source, "source id")

    @property
    def key(self) -> str:
        """The hive path of the partition below a table folder."""
        return f"org={self.org}/source={self.source}/date={self.date.isoformat()}"

    def data_path(self, lake: Path, table: str) -> Path:
        """The Parquet file of this partition in ``table``."""
        if table not in TABLES:
            raise ValueError(f"unknown lake table {table!r}")
        return lake / table / self.key / DATA_FILE

    def manifest_path(self, lake: Path) -> Path:
        """The manifest of this partition."""
        return lake / "manifests" / "ingest" / self.key / MANIFEST_FILE


def new_run_id() -> str:
    """A unique id for one run of a step (UTC time + random suffix, sortable)."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


def temporary_sibling(final: Path, run_id: str) -> Path:
    """A hidden file name beside ``final`` for writing before the atomic rename."""
    final.parent.mkdir(parents=True, exist_ok=True)
    return final.with_name(f".{final.name}.{run_id}.tmp")


STALE_AFTER_S = 6 * 3600
"""A temporary file or staging folder this old belongs to a run that died: it is removed."""


def remove_stale(folder: Path, pattern: str, now: float | None = None) -> list[Path]:
    """Remove what killed runs left in ``folder`` (files or folders matching ``pattern``)."""
    removed = []
    now = time.time() if now is None else now
    for path in folder.glob(pattern) if folder.is_dir() else []:
        if now - path.stat().st_mtime > STALE_AFTER_S:
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def commit_file(temporary: Path, final: Path) -> None:
    """Flush ``temporary`` to disk and atomically rename it over ``final``."""
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, final)
    directory = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def write_json_atomic(final: Path, document: dict, run_id: str) -> None:
    """Write a JSON document with the same write-aside-then-rename guarantee."""
    temporary = temporary_sibling(final, run_id)
    temporary.write_text(json.dumps(document, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    commit_file(temporary, final)


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(lake: Path, partition: Partition) -> dict | None:
    """The partition's manifest, or None when the partition was never written."""
    path = partition.manifest_path(lake)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def verify_partition(lake: Path, partition: Partition) -> list[str]:
    """Problems found when the data files do not match the manifest (empty list: consistent)."""
    manifest = read_manifest(lake, partition)
    if manifest is None:
        return ["no manifest"]
    problems = []
    for table, recorded in manifest["outputs"].items():
        path = partition.data_path(lake, table)
        if not path.exists():
            problems.append(f"{table}: {path} missing")
        elif sha256_file(path) != recorded["sha256"]:
            problems.append(f"{table}: {path} does not match the manifest (interrupted run?)")
    return problems


def partitions(lake: Path) -> Iterator[Partition]:
    """Every partition that has a manifest, in org/source/date order."""
    root = lake / "manifests" / "ingest"
    for manifest in sorted(root.glob(f"org=*/source=*/date=*/{MANIFEST_FILE}")):
        date_dir = manifest.parent
        yield Partition(
            org=date_dir.parent.parent.name.removeprefix("org="),
            source=date_dir.parent.name.removeprefix("source="),
            date=dt.date.fromisoformat(date_dir.name.removeprefix("date=")),
        )
