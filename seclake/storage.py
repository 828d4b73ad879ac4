"""Where the lake lives: a local folder or an object-store URL, behind one small interface.

This module is the only one that knows about URLs. ``Store(location, options)`` opens the fsspec
filesystem of a location with ``fsspec.core.url_to_fs`` (a local path, ``s3://bucket/prefix``
through s3fs, or any other protocol fsspec knows) and offers what the lake code needs: read and
write bytes, JSON and Parquet, list by glob, test, publish a finished local file, and hook
the filesystem into a DuckDB connection. ``open_lake(config)`` is the configured lake's store.

Definitions:

- **key**: a file's place in the store, a POSIX path relative to its root
  (``events/org=acme/source=fw/date=2026-03-02/data.parquet``); ``location(key)`` is the same file
  as DuckDB and the user see it (``/srv/lake/events/...`` or ``s3://bucket/lake/events/...``).
- **publish**: a finished file appears at its key whole or not at all. On local disk it is written
  beside the final file under a hidden temporary name (``.data.parquet.<run id>.tmp``, which no
  ``*.parquet`` or ``manifest.json`` glob matches), flushed, renamed over it, and the folder is
  flushed. On an object store it is uploaded to the final key in one request (a single PUT; a big
  file's multipart upload is just as atomic: the object appears when the upload completes), so
  readers see the previous object until then and nothing is ever written under a temporary key.
- **scratch file**: where a step writes a file before publishing it: the hidden temporary beside
  the final file on local disk (one rename away), a file under the local ``staging`` folder for an
  object store (one upload away).
- **storage options**: keyword arguments of the filesystem (s3fs: ``endpoint_url``, ``key``,
  ``secret``, ``token``, ``client_kwargs``, ...; ``region`` is short for
  ``client_kwargs: {region_name: ...}``). ``${NAME}`` in a value is replaced by the environment
  variable ``NAME`` when the store is opened, so secrets stay out of the config, and no option is
  ever written to a manifest or a report. Listings are not cached (``use_listings_cache: false``
  unless set): other workers write the same lake.
- **DuckDB over an object store**: ``attach(con)`` registers the fsspec filesystem on the
  connection (``register_filesystem``), so ``read_parquet('s3://...')`` and ``read_json`` work
  without DuckDB's httpfs extension (which it would have to download).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

import duckdb
import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from seclake.config import Config, ConfigError

ENVIRONMENT_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
OBJECT_STORE_STAGING = Path(tempfile.gettempdir()) / "seclake-staging"
"""The local folder where runs on an object-store lake stage and write before publishing."""


def is_url(location: str | os.PathLike) -> bool:
    """True for an object-store (or any fsspec) URL, False for a local path."""
    return "://" in os.fspath(location)


def expand_environment(value: Any) -> Any:
    """``value`` with every ``${NAME}`` replaced by the environment variable (in nested mappings
    and lists too); ConfigError naming the variable when it is not set."""
    if isinstance(value, str):

        def variable(match: re.Match) -> str:
            name = match.group(1)
            if name not in os.environ:
                raise ConfigError(f"lake_storage_options: ${{{name}}} is not set in the environment")
            return os.environ[name]

        return ENVIRONMENT_REFERENCE.sub(variable, value)
    if isinstance(value, Mapping):
        return {key: expand_environment(item) for key, item in value.items()}
    if isinstance(value, list):
        return [expand_environment(item) for item in value]
    return value


def filesystem_options(location: str, options: Mapping[str, Any] | None) -> dict[str, Any]:
    """The keyword arguments the location's filesystem is opened with (see the module doc)."""
    if not is_url(location):
        return {}
    opened = expand_environment(dict(options or {}))
    region = opened.pop("region", None)
    if region is not None:
        opened["client_kwargs"] = {**opened.get("client_kwargs", {}), "region_name": region}
    opened.setdefault("use_listings_cache", False)
    return opened


def temporary_sibling(final: Path, run_id: str) -> Path:
    """A hidden file name beside ``final`` for writing before the atomic rename."""
    final.parent.mkdir(parents=True, exist_ok=True)
    return final.with_name(f".{final.name}.{run_id}.tmp")


def commit_file(temporary: Path, final: Path) -> None:
    """Flush ``temporary`` to disk and atomically rename it over ``final`` (same local disk)."""
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, final)
    directory = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _sha256_of(handle: BinaryIO) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def sha256_file(path: Path) -> str:
    """The sha256 of a local file, read in blocks."""
    with open(path, "rb") as handle:
        return _sha256_of(handle)


def parquet_bytes(table: pa.Table) -> bytes:
    """A table as a zstd Parquet file in memory (the derived tables and alerts are small)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


class Store:
    """A folder on local disk or under an object-store URL; files are addressed by key."""

    def __init__(self, location: str | os.PathLike, options: Mapping[str, Any] | None = None) -> None:
        text = os.fspath(location)
        self.local = not is_url(text)
        self.url = text.rstrip("/") if not self.local else str(Path(text))
        self.fs, self.root = fsspec.core.url_to_fs(self.url, **filesystem_options(self.url, options))
        self.root = self.root.rstrip("/")

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def location(self, key: str) -> str:
        """The file (or glob) at ``key`` as a path or URL that DuckDB and people read."""
        return f"{self.url}/{key}" if key else self.url

    def _path(self, key: str) -> str:
        return f"{self.root}/{key}" if key else self.root

    def _key(self, path: str) -> str:
        return path.removeprefix(self.root).lstrip("/")

    @property
    def staging(self) -> Path:
        """The local folder runs stage in: ``<lake>/.staging`` on local disk, else ``OBJECT_STORE_STAGING``."""
        return Path(self.url) / ".staging" if self.local else OBJECT_STORE_STAGING

    def exists(self, key: str) -> bool:
        """True when a file is at ``key``."""
        return self.fs.isfile(self._path(key))

    def glob(self, pattern: str) -> list[str]:
        """The keys of the files matching ``pattern`` (``*``, ``**``), sorted."""
        found = self.fs.glob(self._path(pattern), detail=True)
        return sorted(self._key(path) for path, info in found.items() if info["type"] == "file")

    def any(self, pattern: str) -> bool:
        """True when at least one file matches ``pattern`` (on local disk: stops at the first match)."""
        if self.local:
            return any(path.is_file() for path in Path(self.url).glob(pattern))
        return bool(self.glob(pattern))

    def read_bytes(self, key: str) -> bytes:
        """The whole file at ``key``."""
        return self.fs.cat_file(self._path(key))

    def read_json(self, key: str) -> dict | None:
        """The JSON document at ``key``; None when there is none."""
        try:
            data = self.read_bytes(key)
        except FileNotFoundError:
            return None
        return json.loads(data.decode("utf-8"))

    def read_parquet(self, key: str, columns: list[str] | None = None) -> pa.Table:
        """The Parquet file at ``key`` (the columns asked for)."""
        with self.fs.open(self._path(key), "rb") as handle:
            return pq.read_table(handle, columns=columns)

    def sha256(self, key: str) -> str:
        """The sha256 of the file at ``key``, read in blocks."""
        with self.fs.open(self._path(key), "rb") as handle:
            return _sha256_of(handle)

    def scratch(self, key: str, run_id: str) -> Path:
        """A local file to write before ``publish(scratch, key)`` (see the module doc)."""
        if self.local:
            return temporary_sibling(Path(self.location(key)), run_id)
        return temporary_sibling(self.staging / run_id / "publish" / key, run_id)

    def publish(self, scratch: Path, key: str) -> None:
        """Make the finished local ``scratch`` file the file at ``key``, atomically (module doc)."""
        if self.local:
            commit_file(scratch, Path(self.location(key)))
            return
        self.fs.put_file(str(scratch), self._path(key))
        scratch.unlink()

    def write_bytes(self, key: str, data: bytes, run_id: str) -> None:
        """Write ``data`` at ``key`` atomically: a rename on local disk, one PUT on an object store."""
        if self.local:
            scratch = self.scratch(key, run_id)
            scratch.write_bytes(data)
            self.publish(scratch, key)
        else:
            self.fs.pipe_file(self._path(key), data)

    def write_json(self, key: str, document: dict, run_id: str) -> None:
        """Write a JSON document at ``key`` atomically (sorted keys, indented)."""
        text = json.dumps(document, indent=2, sort_keys=True, default=str) + "\n"
        self.write_bytes(key, text.encode("utf-8"), run_id)

    def write_parquet(self, key: str, table: pa.Table, run_id: str) -> None:
        """Write a (small) table at ``key`` as one zstd Parquet file, atomically."""
        self.write_bytes(key, parquet_bytes(table), run_id)

    def attach(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        """Let DuckDB read this store's locations (``register_filesystem`` for an object store)."""
        if not self.local:
            con.register_filesystem(self.fs)
        return con


Location = Store | str | os.PathLike
"""A lake given as a store, or as a local path or URL opened without options."""


def as_store(lake: Location) -> Store:
    """``lake`` as a store: a store as it is, a local path or URL (without options) opened."""
    return lake if isinstance(lake, Store) else Store(lake)


def open_lake(config: Config) -> Store:
    """The configured lake: ``lake`` with ``lake_storage_options``."""
    return Store(config.lake_root, config.lake_storage_options)
