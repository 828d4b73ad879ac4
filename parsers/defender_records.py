"""Record framing for Microsoft Defender Antivirus files that are not one event per text line.

Not a format (it defines neither ``NAME`` nor ``parse``): ``parsers.defender`` exposes
``open_records`` and ``sniff_head`` from here. Three kinds of file, told apart by their first bytes
(plain or gzip, UTF-8 / UTF-16 with a byte-order mark, as PowerShell 5.1 writes them):

| file | recognised by | one record is | ``raw`` | ``raw_line`` |
|---|---|---|---|---|
| EVTX (``.evtx``) | ``ElfFile\\0`` magic | an event record | the record as compact JSON (``evtx`` crate: ``{"Event":{"System":{...},"EventData":{...}}}``) | 1-based position of the record in the file |
| Get-WinEvent ``ConvertTo-Json`` export | ``[`` or a pretty-printed ``{`` | an item of the top-level array (or one top-level object) | the item re-serialised as compact JSON | 1-based index of the item |
| XML export (wevtutil ``qe /f:xml``, Event Viewer "Save as XML", ``.ToXml()``) | ``<`` | an ``<Event>...</Event>`` element | the element's text as written | 1-based index of the event |

Any other file (NXLog/Winlogbeat JSON lines, syslog) is read line by line (``seclake.reader.LineReader``).
``raw_line`` of a record is its ordinal position, never the EventRecordID (which starts wherever the
log was last cleared); the parser keeps EventRecordID in ``extra.record_id``.

Problems reported per record (``problem``): ``corrupt EVTX record: ...`` (the record's Binary XML
cannot be decoded; ``raw`` holds the crate's message with the record number; the records after it
are still read), ``corrupt EVTX chunk: ...`` (a 64 KiB chunk whose header the crate cannot read:
one row, with the crate's message naming the chunk, stands for all of its records; the next chunks
are still read), ``invalid JSON in export: ...`` (the rest of a damaged or truncated export, from
the first item that does not decode), ``JSON export item is not an object``, ``text outside any
<Event> element``, ``incomplete XML event at end of file``. ``problems.error`` is set for a file
that cannot be opened or is not an EVTX file at all, and for an EVTX file shorter than the chunks
its header counts (truncated: the crate reads the complete chunks and stops without a word).

EVTX reading: a plain file is handed to the crate by path (one worker thread: the crate holds the
GIL while it renders a record, so more threads do not help) while a second thread hashes the file
as stored; a gzip file is gunzipped into memory first. Exports are streamed in blocks.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import re
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import evtx
import polars as pl

from seclake.reader import GZIP_MAGIC, READ_BYTES, FileProblems, HashingReader, LineReader, read_head

EVTX_MAGIC = b"ElfFile\x00"
EVTX_HEADER_BYTES = 4096
EVTX_CHUNK_BYTES = 65536
EVTX_CHUNK_COUNT_AT = 42
HASH_READ_BYTES = 32 << 20
"""Offset of the file header's chunk count (uint16)."""
DEFENDER_MARK = "Windows Defender"
"""Text every Defender provider and channel name holds (``Microsoft-Windows-Windows Defender``)."""

MAX_PROBLEM_CHARS = 65_536
CORRUPT_EVTX = "corrupt EVTX record: its binary XML cannot be decoded"
CORRUPT_CHUNK = "corrupt EVTX chunk: none of its records can be read"
BAD_JSON = "invalid JSON in export"
NOT_OBJECT = "JSON export item is not an object"
OUTSIDE_EVENT = "text outside any <Event> element"
INCOMPLETE_EVENT = "incomplete XML event at end of file"

_CHUNK_FAILURE = "Failed to parse chunk"
"""How the crate's message for a chunk it cannot read begins (a record's: ``Failed to parse record``)."""

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_EVENT_START = re.compile(r"<Event[\s>]")
_EVENT_END = "</Event>"
_XML_WRAPPER = re.compile(r"<\?xml[^>]*\?>|</?Events(?:\s[^>]*)?>|\s+")


def _encoding(head: bytes) -> str:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    if len(head) > 1 and head[0] and not head[1]:
        return "utf-16-le"  # UTF-16 without a byte-order mark
    return "utf-8"


def _kind(head: bytes) -> str:
    """``evtx``, ``json`` (export), ``xml`` (export) or ``lines``."""
    if head.startswith(EVTX_MAGIC):
        return "evtx"
    text = head.decode(_encoding(head), errors="ignore").lstrip()
    if text.startswith("<"):
        return "xml"
    if text.startswith("["):
        return "json"
    if text.startswith("{"):
        first_line = text.split("\n", 1)[0]
        try:
            json.loads(first_line)
        except ValueError:
            return "json"  # one object spread over lines: a pretty-printed export
    return "lines"


def sniff_head(head: bytes) -> bool:
    """True for an EVTX file (any channel: other providers' records are quarantined by the
    parser) and for a JSON or XML export whose head names the Defender provider or channel."""
    kind = _kind(head)
    if kind == "evtx":
        return True
    return kind in ("json", "xml") and DEFENDER_MARK in head.decode(_encoding(head), errors="ignore")


class _RecordReader:
    """A ``seclake.reader.FileReader`` over records; subclasses yield ``(raw, problem)`` pairs."""

    def __init__(self, path: Path, chunk_bytes: int) -> None:
        self.path = path
        self.chunk_bytes = chunk_bytes
        self.problems = FileProblems()
        self.lines = 0
        self.size = 0
        self.sha256: str | None = None

    def __iter__(self) -> Iterator[pl.DataFrame]:
        raws: list[str] = []
        problems: list[str | None] = []
        pending = 0
        for raw, problem in self._records():
            raws.append(raw)
            problems.append(problem)
            pending += len(raw)
            if pending >= self.chunk_bytes:
                yield self._frame(raws, problems)
                raws, problems, pending = [], [], 0
        if raws:
            yield self._frame(raws, problems)

    def _frame(self, raws: list[str], problems: list[str | None]) -> pl.DataFrame:
        first = self.lines + 1
        self.lines += len(raws)
        return pl.DataFrame(
            {
                "raw": raws,
                "raw_file": [str(self.path)] * len(raws),
                "raw_line": range(first, first + len(raws)),
                "problem": problems,
            },
            schema={"raw": pl.String, "raw_file": pl.String, "raw_line": pl.Int64, "problem": pl.String},
        )

    def _blocks(self) -> Iterator[bytes]:
        """The file's bytes (gunzipped) in blocks; hashes the stored bytes; records read errors."""
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - closed in finally
        except OSError as exc:
            self.problems.error = f"cannot open: {exc.strerror or exc}"
            return
        hashing = HashingReader(handle)
        try:
            compressed = handle.read(2) == GZIP_MAGIC
            handle.seek(0)
            stream = gzip.GzipFile(fileobj=hashing, mode="rb") if compressed else hashing
            while True:
                try:
                    block = stream.read(READ_BYTES)
                except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
                    self.problems.error = f"truncated or corrupt gzip after record {self.lines}: {exc}"
                    return
                if not block:
                    break
                yield block
            hashing.read()
        finally:
            handle.close()
            self.sha256 = hashing.digest.hexdigest()
            self.size = hashing.size

    def _texts(self) -> Iterator[str]:
        """The file as text blocks, decoded by its byte-order mark (bad bytes as ``\\xNN``)."""
        decoder = None
        for block in self._blocks():
            if decoder is None:
                decoder = codecs.getincrementaldecoder(_encoding(block))(errors="backslashreplace")
            yield decoder.decode(block)
        if decoder is not None:
            yield decoder.decode(b"", final=True)

    def _records(self) -> Iterator[tuple[str, str | None]]:
        raise NotImplementedError


class EvtxReader(_RecordReader):
    """EVTX records as compact JSON, via the ``evtx`` crate (corrupt records reported, skipped).

    A plain file is handed to the crate by path while a second thread hashes it (hashlib and file
    reads release the GIL; the crate holds it); a gzip file is gunzipped into memory first. The
    per-record Python work is one call and one list append: the crate's records are the cost."""

    def __iter__(self) -> Iterator[pl.DataFrame]:
        source, size, hashing = self._source()
        try:
            if source is not None:
                yield from self._frames(source)
                self._check_size(size)
        finally:
            if hashing is not None:
                hashing.join()

    def _source(self) -> tuple[str | io.BytesIO | None, int, threading.Thread | None]:
        """What the crate reads (the path, or the gunzipped bytes), its size, and the thread
        hashing the file."""
        try:
            with open(self.path, "rb") as handle:
                compressed = handle.read(2) == GZIP_MAGIC
                size = os.fstat(handle.fileno()).st_size
        except OSError as exc:
            self.problems.error = f"cannot open: {exc.strerror or exc}"
            return None, 0, None
        if compressed:
            data = b"".join(self._blocks())
            return (io.BytesIO(data) if data or not self.problems.error else None), len(data), None
        hashing = threading.Thread(target=self._hash, name="seclake-evtx-hash", daemon=True)
        hashing.start()
        return str(self.path), size, hashing

    def _hash(self) -> None:
        """sha256 and size of the file, in big reads: the thread needs the GIL back after each
        one, and the crate's thread lets it go only every few milliseconds."""
        try:
            with open(self.path, "rb") as handle:
                hashing = HashingReader(handle)
                while hashing.read(HASH_READ_BYTES):
                    pass
        except OSError as exc:
            self.problems.error = f"cannot read: {exc.strerror or exc}"
            return
        self.sha256, self.size = hashing.digest.hexdigest(), hashing.size

    def _check_size(self, size: int) -> None:
        """A file shorter than the chunks its header counts lost the records of the missing part
        (the crate reads the complete chunks and stops without a word)."""
        head = read_head(self.path, EVTX_HEADER_BYTES)
        if self.problems.error or len(head) < EVTX_HEADER_BYTES:
            return
        (chunks,) = struct.unpack_from("<H", head, EVTX_CHUNK_COUNT_AT)
        held = (size - EVTX_HEADER_BYTES) // EVTX_CHUNK_BYTES
        if held < chunks:
            self.problems.error = (
                f"truncated EVTX file: its header counts {chunks} chunks of records, the file holds "
                f"{held} complete ones (the records after record {self.lines} are lost)"
            )

    def _frames(self, source: str | io.BytesIO) -> Iterator[pl.DataFrame]:
        try:
            parser = evtx.PyEvtxParser(source, number_of_threads=1, indent=False, skip_errors=False)
        except (RuntimeError, OSError, ValueError) as exc:
            self.problems.error = f"not a readable EVTX file: {exc}"
            return
        next_record = parser.records_json().__next__
        raws: list[str] = []
        append = raws.append
        damaged: dict[int, str] = {}  # position in ``raws`` of a message of the crate → reason
        pending, last_error = 0, None
        while True:
            try:
                data = next_record()["data"]
            except StopIteration:
                break
            except RuntimeError as exc:  # a record or a chunk the crate cannot decode: skipped
                message = str(exc)[:MAX_PROBLEM_CHARS]
                if message == last_error:  # the same failure twice running: no progress, stop
                    self.problems.error = (
                        f"EVTX file damaged after record {self.lines + len(raws)}: {message}"
                    )
                    break
                damaged[len(raws)] = CORRUPT_CHUNK if message.startswith(_CHUNK_FAILURE) else CORRUPT_EVTX
                append(message)
                last_error = message
                continue
            append(data)
            pending += len(data)
            last_error = None
            if pending >= self.chunk_bytes:
                yield self._evtx_frame(raws, damaged)
                raws, damaged, pending = [], {}, 0
                append = raws.append
        if raws:
            yield self._evtx_frame(raws, damaged)

    def _evtx_frame(self, raws: list[str], damaged: dict[int, str]) -> pl.DataFrame:
        first = self.lines + 1
        self.lines += len(raws)
        problem: pl.Expr | pl.Series = pl.lit(None, dtype=pl.String)
        if damaged:
            problem = pl.Series([damaged.get(position) for position in range(len(raws))], dtype=pl.String)
        return (
            pl.Series("raw", raws, dtype=pl.String)
            .to_frame()
            .with_columns(
                pl.lit(str(self.path)).alias("raw_file"),
                (pl.int_range(pl.len(), dtype=pl.Int64) + first).alias("raw_line"),
                problem.alias("problem"),
            )
        )


class JsonExportReader(_RecordReader):
    """Items of a JSON array export (or top-level objects one after another), re-serialised compactly."""

    def _records(self) -> Iterator[tuple[str, str | None]]:
        decoder = json.JSONDecoder()
        texts = self._texts()
        buffer, at, exhausted, in_array = "", 0, False, None
        while True:
            while True:  # skip white space (and commas between array items), reading on as needed
                while at < len(buffer) and (buffer[at].isspace() or (in_array and buffer[at] == ",")):
                    at += 1
                if at < len(buffer) or exhausted:
                    break
                more = next(texts, None)
                exhausted = more is None
                buffer, at = more or "", 0
            if at >= len(buffer):
                return
            if in_array is None:
                in_array = buffer[at] == "["
                at += in_array
                continue
            if in_array and buffer[at] == "]":
                in_array, at = False, at + 1
                continue
            try:
                item, end = decoder.raw_decode(buffer, at)
                complete = end < len(buffer) or exhausted  # a number at the end may go on
            except json.JSONDecodeError as exc:
                if exhausted:
                    yield buffer[at : at + MAX_PROBLEM_CHARS], f"{BAD_JSON}: {exc.msg}"
                    return
                complete = False
            if not complete:
                more = next(texts, None)
                exhausted = more is None
                buffer, at = buffer[at:] + (more or ""), 0
                continue
            text = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
            yield text, None if isinstance(item, dict) else NOT_OBJECT
            at = end


class XmlExportReader(_RecordReader):
    """``<Event>...</Event>`` elements of an XML export, as written (wrapper and prolog skipped)."""

    def _records(self) -> Iterator[tuple[str, str | None]]:
        buffer = ""
        for text in self._texts():
            buffer += text
            at = 0
            while (start := _EVENT_START.search(buffer, at)) is not None:
                end = buffer.find(_EVENT_END, start.start())
                if end < 0:
                    break
                yield from self._outside(buffer[at : start.start()])
                at = end + len(_EVENT_END)
                yield buffer[start.start() : at], None
            buffer = buffer[at:]
        start = _EVENT_START.search(buffer)
        yield from self._outside(buffer[: start.start() if start else len(buffer)])
        if start:
            yield buffer[start.start() :][:MAX_PROBLEM_CHARS], INCOMPLETE_EVENT

    @staticmethod
    def _outside(text: str) -> Iterator[tuple[str, str | None]]:
        if _XML_WRAPPER.sub("", text):
            yield text.strip()[:MAX_PROBLEM_CHARS], OUTSIDE_EVENT


def open_records(
    path: Path, chunk_bytes: int
) -> EvtxReader | JsonExportReader | XmlExportReader | LineReader:
    """The reader for a Defender file, by its first bytes (see the module docstring)."""
    readers = {"evtx": EvtxReader, "json": JsonExportReader, "xml": XmlExportReader, "lines": LineReader}
    return readers[_kind(read_head(path))](path, chunk_bytes)
