"""The lake's layout and its partitions: where each file goes, manifests, and their check.

Layout (hive partitions, readable by DuckDB, Polars, Spark, Trino or Athena without seclake)::

    <lake>/events/org=<org>/source=<source>/date=<YYYY-MM-DD>/data.parquet
    <lake>/quarantine/org=<org>/source=<source>/date=<YYYY-MM-DD>/data.parquet
    <lake>/manifests/ingest/org=<org>/source=<source>/date=<YYYY-MM-DD>/manifest.json

``<lake>`` is a local folder or an object-store URL (``seclake.storage``: every read and write
goes through a ``Store``, and files are addressed by their key below the lake). Each partition is
one Parquet file (zstd, sorted by time; see ``seclake.ordered_writer``), so a partition is replaced
by one atomic publish: on local disk the new file is written beside the old under a hidden
temporary name (which no ``*.parquet`` glob matches), flushed, then renamed over it; on an object
store it is uploaded whole to the final key in one request. A run killed at any point leaves
either the previous file or the new one, never half of one. The manifest is written last and
names the run id and sha256 of the data files it describes, so a reader can tell a manifest that
belongs to its data from one left by an interrupted run (``verify_partition``).

Org and source ids are checked again here, so a hostile id can never become a path outside the lake.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from seclake.config import check_id
from seclake.storage import Location, as_store

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

    def data_key(self, table: str) -> str:
        """The key of this partition's Parquet file in ``table``."""
        if table not in TABLES:
            raise ValueError(f"unknown lake table {table!r}")
        return f"{table}/{self.key}/{DATA_FILE}"

    @property
    def manifest_key(self) -> str:
        """The key of this partition's manifest."""
        return f"manifests/ingest/{self.key}/{MANIFEST_FILE}"

    def data_path(self, lake: Path, table: str) -> Path:
        """The Parquet file of this partition in ``table`` of a lake on local disk."""
        return lake / self.data_key(table)

    def manifest_path(self, lake: Path) -> Path:
        """The manifest of this partition in a lake on local disk."""
        return lake / self.manifest_key


def new_run_id() -> str:
    """A unique id for one run of a step (UTC time + random suffix, sortable)."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


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


def read_manifest(lake: Location, partition: Partition) -> dict | None:
    """The partition's manifest, or None when the partition was never written."""
    return as_store(lake).read_json(partition.manifest_key)


def verify_partition(lake: Location, partition: Partition) -> list[str]:
    """Problems found when the data files do not match the manifest (empty list: consistent)."""
    store = as_store(lake)
    manifest = store.read_json(partition.manifest_key)
    if manifest is None:
        return ["no manifest"]
    problems = []
    for table, recorded in manifest["outputs"].items():
        key = partition.data_key(table)
        if not store.exists(key):
            problems.append(f"{table}: {store.location(key)} missing")
        elif store.sha256(key) != recorded["sha256"]:
            problems.append(f"{table}: {store.location(key)} does not match the manifest (interrupted run?)")
    return problems


def partitions(lake: Location) -> Iterator[Partition]:
    """Every partition that has a manifest, in org/source/date order."""
    for key in as_store(lake).glob(f"manifests/ingest/org=*/source=*/date=*/{MANIFEST_FILE}"):
        org, source, date = key.split("/")[2:5]
        yield Partition(
            org=org.removeprefix("org="),
            source=source.removeprefix("source="),
            date=dt.date.fromisoformat(date.removeprefix("date=")),
        )
