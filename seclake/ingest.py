"""The ingest step: one organisation's raw files of one day → events and quarantine partitions.

For each source of the organisation (or the one asked for): find the day's files from the source's
path pattern, sniff the format when it is ``auto``, read each file in bounded chunks
(``seclake.reader``), parse each chunk (``seclake.parsers``), and stage the chunks as Parquet.
Then the staged chunks are sorted by time with DuckDB (which spills to disk, so memory stays
bounded however big the day is) into the partition's file, published atomically to the lake (a
local folder or an object store: ``seclake.storage``; staging is always on local disk), and the
manifest is written last.

Nothing is lost: every line read is an event or a quarantined line with a reason, checked for
every file (lines read = events + quarantined) and recorded in the manifest. A file that cannot be
read, is truncated, or is of an unknown format is reported with its path and the other files and
sources still proceed. When not a single input file is found, the partition is left as it was.

Parsers start each day from the state the previous day of the source left (``seclake.carry``:
Cisco ASA's open connections), and the day's own state is saved with the partition.
"""

from __future__ import annotations

import datetime as dt
import glob
import shutil
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from seclake import __version__, carry
from seclake.config import Config, Organisation, Source
from seclake.lake import TABLES, Partition, new_run_id, remove_stale
from seclake.ordered_writer import ROW_GROUP_ROWS, OrderedWriter, parquet_writer
from seclake.parsers import formats
from seclake.parsers.contract import HEADER_LINE, ParseContext, ParseResult, reject_all
from seclake.parsers.sniff import SniffResult, sniff, split_lines
from seclake.reader import BLANK, GZIP_MAGIC, FileReader, LineReader, prefetched, read_head
from seclake.schema import QUARANTINE_SCHEMA, quarantine_to_arrow
from seclake.storage import Store, open_lake, sha256_file

ProgressCallback = Callable[[str, int], None]
"""Called with (file path, lines just read) as ingest goes."""


@dataclass
class InputFile:
    """What happened to one input file."""

    path: str
    format: str | None = None
    parser_version: str | None = None
    sniff_scores: dict[str, float] | None = None
    mixed_formats: dict[str, int] | None = None
    size: int = 0
    sha256: str | None = None
    lines: int = 0
    events: int = 0
    quarantined: int = 0
    blank: int = 0
    headers: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestResult:
    """The outcome of ingesting one org/source/day."""

    partition: Partition
    run_id: str
    pattern: str
    inputs: list[InputFile] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    written: bool = False
    seconds: float = 0.0
    manifest: dict | None = None
    carry_in: dict | None = None
    carry_out: list[dict] = field(default_factory=list)
    next_day_stale: str | None = None

    @property
    def lines_read(self) -> int:
        return sum(i.lines for i in self.inputs)

    @property
    def events(self) -> int:
        return sum(i.events for i in self.inputs)

    @property
    def quarantined(self) -> int:
        return sum(i.quarantined for i in self.inputs)

    @property
    def quarantine_share(self) -> float:
        """Share of lines that were quarantined, blank lines and format header lines left out."""
        expected = sum(i.blank + i.headers for i in self.inputs)
        counted = self.lines_read - expected
        return 0.0 if counted == 0 else (self.quarantined - expected) / counted

    @property
    def errors(self) -> list[str]:
        """File-level failures: missing, unreadable, truncated, unknown format."""
        found = [f"{i.path}: {i.error}" for i in self.inputs if i.error]
        if not self.inputs:
            found.append(f"no input files match {self.pattern}: partition left unchanged")
        return found

    @property
    def carry_warnings(self) -> list[str]:
        """Why parser state saved by the previous day was not taken (empty when it was, or when
        that day saved none)."""
        record = self.carry_in or {}
        found = [
            f"{self.partition.key}: {name} of {record['date']} not taken: {why}"
            for name, why in record.get("left", {}).items()
        ]
        if "error" in record:
            found.append(f"{self.partition.key}: state of {record['date']} not read: {record['error']}")
        return found

    @property
    def warnings(self) -> list[str]:
        """What went wrong without failing the run: per file (an empty file, lines cut or
        re-encoded), then about the state carried from the day before and to the day after."""
        stale = [self.next_day_stale] if self.next_day_stale else []
        return [w for record in self.inputs for w in record.warnings] + self.carry_warnings + stale

    def failed(self, threshold: float) -> bool:
        """True when a file could not be read fully or too many lines were quarantined."""
        return bool(self.errors) or self.quarantine_share > threshold


def day_files(config: Config, org: Organisation, source: Source, date: dt.date) -> tuple[str, list[Path]]:
    """The source's path pattern for the day, and the files it matches (sorted)."""
    pattern = config.resolve(source.path.format(org=org.id, date=date.isoformat()))
    if glob.has_magic(pattern):
        return pattern, [Path(p) for p in sorted(glob.glob(pattern)) if Path(p).is_file()]
    return pattern, [Path(pattern)] if Path(pattern).exists() else []


class _PartitionFiles:
    """The new partition files of one run, written to local scratch files (``Store.scratch``: beside
    the old ones under hidden names on a local lake, in the local staging folder otherwise).

    Events go through an ``OrderedWriter`` (time order, bounded memory); quarantined lines come in
    file and line order already. Writing runs in a background thread, so the next chunk is parsed
    while the previous one is written (at most one chunk waits). ``commit`` publishes both files
    over the partition's files.
    """

    def __init__(self, lake: Store, partition: Partition, run_id: str) -> None:
        remove_stale(lake.staging, "*")
        self.staging = lake.staging / run_id
        self.staging.mkdir(parents=True)
        self.final = {table: partition.data_key(table) for table in TABLES}
        self.temporary = {table: lake.scratch(key, run_id) for table, key in self.final.items()}
        for path in self.temporary.values():
            remove_stale(path.parent, ".*.tmp*")
        self.events = OrderedWriter(self.temporary["events"], self.staging)
        self.quarantine = parquet_writer(self.temporary["quarantine"], QUARANTINE_SCHEMA)
        self.quarantine_rows = 0
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="seclake-writer")
        self._writing: Future | None = None

    def add(self, result: ParseResult) -> None:
        """Queue a parsed chunk for writing (after the previous one is written)."""
        self._wait()
        self._writing = self._thread.submit(self._write, result)

    def _wait(self) -> None:
        if self._writing is not None:
            self._writing.result()
            self._writing = None

    def _write(self, result: ParseResult) -> None:
        self.events.add(result.events)
        if result.quarantine.height:
            rows = result.quarantine.sort("raw_file", "raw_line")
            self.quarantine.write_table(quarantine_to_arrow(rows), row_group_size=ROW_GROUP_ROWS)
            self.quarantine_rows += rows.height

    def commit(self, lake: Store) -> dict[str, dict]:
        """Finish both files and publish them into place; return what was written."""
        self._wait()
        rows = {"events": self.events.close(), "quarantine": self.quarantine_rows}
        self.quarantine.close()
        outputs = {}
        for table in TABLES:
            outputs[table] = {
                "path": self.final[table],
                "rows": rows[table],
                "sha256": sha256_file(self.temporary[table]),
                "sorted_in_stream": self.events.sorted_in_stream if table == "events" else True,
            }
            lake.publish(self.temporary[table], self.final[table])
        return outputs

    def discard(self) -> None:
        """Remove the staging folder and any temporary file that was not committed."""
        self._thread.shutdown(wait=True, cancel_futures=True)
        self.events.abort()
        shutil.rmtree(self.staging, ignore_errors=True)
        for path in self.temporary.values():
            path.unlink(missing_ok=True)


@dataclass(frozen=True)
class _FilePlan:
    """How one file is parsed: its format, the formats mixed into it, and its parse context."""

    format: str | None
    sniffed: SniffResult | None
    ctx: ParseContext
    unknown_reason: str


def _parse_part(lines: pl.DataFrame, fmt_name: str | None, plan: _FilePlan) -> ParseResult:
    """Parse lines of one format; a parser crash quarantines them, never loses them."""
    if fmt_name is None:
        return reject_all(lines, plan.ctx, plan.unknown_reason, None)
    try:
        return formats()[fmt_name].parse(lines, plan.ctx)
    except Exception as exc:  # a parser bug must not lose lines or stop the run
        return reject_all(lines, plan.ctx, f"parser {fmt_name} failed: {type(exc).__name__}: {exc}", fmt_name)


def _parse_chunk(chunk: pl.DataFrame, plan: _FilePlan, per_format: Counter) -> ParseResult:
    """Route reader-rejected lines to quarantine and parse the rest, split per line in a mixed file."""
    clean = chunk.get_column("problem").null_count() == chunk.height  # the usual case: no copies
    rejected = chunk.clear() if clean else chunk.filter(pl.col("problem").is_not_null())
    parts = [
        rejected.select(
            pl.lit(plan.ctx.org).alias("org"),
            pl.lit(plan.ctx.source).alias("source"),
            pl.lit(plan.format, dtype=pl.String).alias("format"),
            pl.col("problem").alias("reason"),
            "raw",
            "raw_file",
            "raw_line",
        )
    ]
    lines = (chunk if clean else chunk.filter(pl.col("problem").is_null())).drop("problem")
    if plan.sniffed is None or not plan.sniffed.others:
        results = [_parse_part(lines, plan.format, plan)]
        per_format[plan.format] += lines.height
    else:
        routed = lines.with_columns(split_lines(lines.get_column("raw"), plan.sniffed).alias("_format"))
        results = []
        for (fmt_name,), part in routed.partition_by("_format", as_dict=True, maintain_order=True).items():
            results.append(_parse_part(part.drop("_format"), fmt_name, plan))
            per_format[fmt_name] += part.height
    events = [r.events for r in results if r.events.height] or [results[0].events]
    quarantine = [q for q in parts + [r.quarantine for r in results] if q.height] or [results[0].quarantine]
    return ParseResult(
        pl.concat(events, how="diagonal_relaxed"), pl.concat(quarantine, how="vertical_relaxed")
    )


def _plan_file(
    source: Source,
    fixed_format: str | None,
    first_chunk: pl.DataFrame | None,
    record: InputFile,
    ctx: ParseContext,
) -> _FilePlan:
    """Choose the file's format (sniffing when ``auto``) and gather the format's file options."""
    sniffed = None
    fmt_name = fixed_format
    if fmt_name is None and first_chunk is not None:
        sniffed = sniff(first_chunk.filter(pl.col("problem").is_null())["raw"])
        record.sniff_scores = sniffed.scores
        fmt_name = sniffed.format
        if fmt_name is None:
            record.error = (
                f"unknown format: no parser recognised the file (scores: {sniffed.describe() or 'no lines'})"
            )
    options = dict(ctx.options)
    if first_chunk is not None:
        used = [fmt_name, *(sniffed.others if sniffed else ())]
        good = first_chunk.filter(pl.col("problem").is_null()).drop("problem")
        for module in (formats()[name] for name in used if name is not None):
            if hasattr(module, "file_options"):
                options.update(module.file_options(good))
    if fmt_name is not None:
        record.format = fmt_name
        record.parser_version = formats()[fmt_name].VERSION
    return _FilePlan(fmt_name, sniffed, replace(ctx, options=options), record.error or "unknown format")


def _indexed(plan: _FilePlan, path: Path, chunk_bytes: int, record: InputFile) -> _FilePlan:
    """The plan with ``ctx.file_index`` when the file's format reads one (``file_index`` in
    ``parsers.contract``): a first pass over the whole file, chunk by chunk (not needed when a plain
    file is one chunk: its frame is the whole file). A failure costs the index (reported as a
    warning), not the file."""
    module = formats().get(plan.format or "")
    if not hasattr(module, "file_index"):
        return plan
    try:
        with open(path, "rb") as handle:
            if handle.read(2) != GZIP_MAGIC and path.stat().st_size <= chunk_bytes:
                return plan
        parts = [
            module.file_index(chunk.filter(pl.col("problem").is_null()).drop("problem"), plan.ctx)
            for chunk in LineReader(path, chunk_bytes)
        ]
    except Exception as exc:  # a parser bug must not stop the file
        record.warnings.append(f"{path}: {plan.format} file index failed: {type(exc).__name__}: {exc}")
        return plan
    return replace(plan, ctx=replace(plan.ctx, file_index=pl.concat(parts, how="vertical_relaxed")))


def _open_file(path: Path, source: Source, chunk_bytes: int) -> tuple[FileReader, str | None]:
    """A reader for the file and its format when known before reading lines (configured, or a
    record format recognised by the file's first bytes); None means sniff the lines."""
    record_formats = {name: m for name, m in formats().items() if hasattr(m, "open_records")}
    fmt_name = None if source.format == "auto" else source.format
    if fmt_name is None and record_formats:
        head = read_head(path)
        fmt_name = next((name for name, m in record_formats.items() if m.sniff_head(head)), None)
    if fmt_name in record_formats:
        return record_formats[fmt_name].open_records(path, chunk_bytes), fmt_name
    return LineReader(path, chunk_bytes), fmt_name


def _ingest_file(
    path: Path,
    source: Source,
    ctx: ParseContext,
    files: _PartitionFiles,
    chunk_bytes: int,
    reasons: Counter,
    progress: ProgressCallback | None,
) -> InputFile:
    record = InputFile(path=str(path))
    reader, fixed_format = _open_file(path, source, chunk_bytes)
    per_format: Counter = Counter()
    plan: _FilePlan | None = None
    for chunk in prefetched(reader):
        if plan is None:
            plan = _indexed(_plan_file(source, fixed_format, chunk, record, ctx), path, chunk_bytes, record)
        result = _parse_chunk(chunk, plan, per_format)
        if result.lines != chunk.height:
            raise RuntimeError(f"{path}: {chunk.height} lines in, {result.lines} out: a parser lost lines")
        files.add(result)
        record.events += result.events.height
        record.quarantined += result.quarantine.height
        record.blank += int((chunk["problem"] == BLANK).sum())
        for reason, count in result.quarantine.group_by("reason").len().iter_rows():
            reasons[reason] += count
            record.headers += count if reason == HEADER_LINE else 0
        if progress:
            progress(str(path), chunk.height)
    if plan is None:
        _plan_file(source, fixed_format, None, record, ctx)
    if len(per_format) > 1:
        record.mixed_formats = {name or "unknown": count for name, count in per_format.most_common()}
    record.lines, record.size, record.sha256 = reader.lines, reader.size, reader.sha256
    if reader.problems.error:
        record.error = reader.problems.error
    record.warnings += reader.problems.warnings(str(path))
    if reader.lines == 0 and not record.error:
        record.warnings.append(f"{path}: empty file (0 lines)")
    return record


def ingest_source(
    config: Config,
    org_id: str,
    source_id: str,
    date: dt.date,
    progress: ProgressCallback | None = None,
) -> IngestResult:
    """Ingest one org/source/day into the lake; see the module docstring."""
    org = config.organisation(org_id)
    source = org.source(source_id)
    if source.format != "auto" and source.format not in formats():
        raise KeyError(
            f"source {org.id}/{source.id}: unknown format {source.format!r} (known: {sorted(formats())}, auto)"
        )
    lake = open_lake(config)
    partition = Partition(org.id, source.id, date)
    run_id = new_run_id()
    started = time.time()
    pattern, files = day_files(config, org, source, date)
    result = IngestResult(partition=partition, run_id=run_id, pattern=pattern)
    if not files:
        result.seconds = time.time() - started
        return result
    carried, result.carry_in = carry.load_previous(lake, partition)
    ctx = ParseContext(
        org.id, source.id, date, org.source_timezone(source), dict(source.options), carry=carried
    )
    written = _PartitionFiles(lake, partition, run_id)
    try:
        chunk_bytes = config.ingest.chunk_mb << 20
        for path in files:
            result.inputs.append(
                _ingest_file(path, source, ctx, written, chunk_bytes, result.reasons, progress)
            )
        outputs = written.commit(lake)
    finally:
        written.discard()
    result.carry_out = carry.save(lake, partition, carried, run_id)
    result.next_day_stale = carry.next_day_started_elsewhere(lake, partition, result.carry_out)
    result.seconds = time.time() - started
    result.manifest = _manifest(result, outputs, started)
    lake.write_json(partition.manifest_key, result.manifest, run_id)
    result.written = True
    return result


def _manifest(result: IngestResult, outputs: dict[str, dict], started: float) -> dict:
    partition = result.partition
    if outputs["events"]["rows"] != result.events or outputs["quarantine"]["rows"] != result.quarantined:
        raise RuntimeError(f"{partition.key}: rows written differ from rows parsed")
    return {
        "org": partition.org,
        "source": partition.source,
        "date": partition.date.isoformat(),
        "run_id": result.run_id,
        "seclake_version": __version__,
        "started_at": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(),
        "seconds": round(result.seconds, 3),
        "pattern": result.pattern,
        "lines_read": result.lines_read,
        "events_written": result.events,
        "lines_quarantined": result.quarantined,
        "quarantine_reasons": dict(result.reasons.most_common()),
        "inputs": [vars(i) for i in result.inputs],
        "outputs": outputs,
        "carry_in": result.carry_in,
        "carry_out": result.carry_out,
        "next_day_stale": result.next_day_stale,
        "errors": result.errors,
    }


def ingest(
    config: Config,
    org_id: str,
    date: dt.date,
    source_id: str | None = None,
    progress: ProgressCallback | None = None,
) -> list[IngestResult]:
    """Ingest every source of an organisation for a day (or just ``source_id``)."""
    org = config.organisation(org_id)
    source_ids = [source_id] if source_id else [s.id for s in org.sources]
    return [ingest_source(config, org.id, sid, date, progress) for sid in source_ids]
