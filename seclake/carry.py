"""Parser state carried from one day's ingest of a source to the next day's (``ParseContext.carry``).

Within a day, ingest hands one ``carry`` dict to every chunk of the day's files in order, and a
parser keeps a small bounded frame there under a key ``<format>.<name>`` (Cisco ASA: the
connections still open, so a Teardown finds the direction of its Built; ClamAV: the files whose
latest line is a FOUND, so a remediation line finds the malware's name). A connection opened at
23:50 and closed after midnight has its Built in yesterday's files, so the day's carry is saved
with its partition and is where the next day's ingest starts:

    <lake>/state/ingest/org=<org>/source=<source>/date=<YYYY-MM-DD>/<format>.<name>.parquet

The partition's manifest lists each saved frame (``carry_out``: key, rows, sha256, the parser
version that wrote it). The next day takes a frame only when the manifest lists it, the file
still has that sha256 (a run killed before its manifest leaves the previous manifest, which then
no longer matches) and the format's parser still has that version (the frame's shape is the
parser's own); what it took and what it left, and why, goes to its manifest (``carry_in``).
Re-running a day with the same previous day gives the same events; re-running the previous day
with other input changes what the next day would start from: that run then names the next day, when
it was ingested from another state, to be re-run too (``next_day_started_elsewhere``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import replace

import polars as pl

from seclake.config import check_id
from seclake.lake import Partition
from seclake.parsers import formats
from seclake.storage import Store, parquet_bytes

STATE_FOLDER = "state/ingest"


def state_key(partition: Partition, name: str) -> str:
    """The key of the frame ``name`` (``<format>.<name>``) saved with ``partition``."""
    fmt, _, rest = name.partition(".")
    check_id(fmt, "carry format")
    check_id(rest, "carry name")
    return f"{STATE_FOLDER}/{partition.key}/{name}.parquet"


def _format_version(name: str) -> str | None:
    module = formats().get(name.partition(".")[0])
    return None if module is None else module.VERSION


def save(lake: Store, partition: Partition, carry: dict[str, pl.DataFrame], run_id: str) -> list[dict]:
    """Save the non-empty frames of ``carry`` with the partition; return the manifest's ``carry_out``."""
    saved = []
    for name, frame in sorted(carry.items()):
        version = _format_version(name)
        if frame.is_empty() or version is None:
            continue
        key = state_key(partition, name)
        data = parquet_bytes(frame.to_arrow())
        lake.write_bytes(key, data, run_id)
        saved.append(
            {
                "name": name,
                "path": key,
                "rows": frame.height,
                "sha256": hashlib.sha256(data).hexdigest(),
                "parser_version": version,
            }
        )
    return saved


def load_previous(lake: Store, partition: Partition) -> tuple[dict[str, pl.DataFrame], dict | None]:
    """The carry saved with the previous day of the same org and source (see the module
    docstring), and what the manifest records of it (None when that day saved none)."""
    previous = replace(partition, date=partition.date - dt.timedelta(days=1))
    try:
        manifest = lake.read_json(previous.manifest_key)
    except (OSError, ValueError) as exc:  # a damaged manifest costs the carry, not the day
        return {}, {
            "date": previous.date.isoformat(),
            "error": f"{lake.location(previous.manifest_key)}: {exc}",
        }
    if manifest is None or not manifest.get("carry_out"):
        return {}, None
    carry: dict[str, pl.DataFrame] = {}
    record: dict = {
        "date": previous.date.isoformat(),
        "run_id": manifest.get("run_id"),
        "taken": {},
        "left": {},
    }
    for saved in manifest["carry_out"]:
        try:
            name = saved["name"]
            key = state_key(previous, name)
        except (KeyError, TypeError, ValueError) as exc:  # a manifest edited by hand, or hostile
            record["left"][str(saved)[:80]] = f"not a saved state: {exc}"
            continue
        version = _format_version(name)
        if saved.get("parser_version") != version:
            record["left"][name] = f"written by parser version {saved.get('parser_version')}, now {version}"
            continue
        try:
            data = lake.read_bytes(key)
        except FileNotFoundError:
            data = None
        if data is None or hashlib.sha256(data).hexdigest() != saved.get("sha256"):
            record["left"][name] = f"{lake.location(key)} is missing or differs from its manifest"
            continue
        carry[name] = pl.read_parquet(io.BytesIO(data))
        record["taken"][name] = {"rows": carry[name].height, "sha256": saved["sha256"]}
    return carry, record


def next_day_started_elsewhere(lake: Store, partition: Partition, carry_out: list[dict]) -> str | None:
    """Why the next day of the source, when ingested already, should be re-run: it started from
    another state than the one ``partition``'s run just saved (``carry_out``), as after a re-run of
    an earlier day with other input. None when it took the same frames (or does not exist yet)."""
    following = replace(partition, date=partition.date + dt.timedelta(days=1))
    try:
        manifest = lake.read_json(following.manifest_key)
    except (OSError, ValueError):  # the next day's own ingest reports a damaged manifest
        return None
    if not isinstance(manifest, dict):
        return None
    record = manifest.get("carry_in") or {}
    taken = record.get("taken") or {}
    if not isinstance(taken, dict) or not all(isinstance(t, dict) for t in taken.values()):
        return None  # written before the state's hashes were recorded: cannot tell
    started_from = {name: t.get("sha256") for name, t in taken.items()}
    if started_from == {saved["name"]: saved["sha256"] for saved in carry_out}:
        return None
    started = f"that of run {record['run_id']}" if record.get("run_id") else "none"
    return (
        f"{following.key} was ingested from another state of {partition.date} ({started}): "
        "re-run it, and the days after it, so they start from this run's"
    )
