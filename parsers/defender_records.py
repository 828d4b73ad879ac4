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
cannot be decoded; ``raw`` holds the reader's message with the record number; the records after it
are still read), ``invalid JSON in export: ...`` (the rest of a damaged or truncated export, from
the first item that does not decode), ``JSON export item is not an object``, ``text outside any
<Event> element``, ``incomplete XML event at end of file``. A file that cannot be opened or is not
an EVTX file at all sets ``problems.error``. Exports are streamed in blocks; an EVTX file is read
whole into memory (the ``evtx`` crate wants random access; Operational logs are 1-100 MB).
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path

import evtx
import polars as pl

from seclake.reader import GZIP_MAGIC, READ_BYTES, FileProblems, HashingReader, LineReader, read_head

EVTX_MAGIC = b"ElfFile\x00"
DEFENDER_MARK = "Windows Defender"
"""Text every Defender provider and channel name holds (``Microsoft-Windows-Windows Defender``)."""

MAX_PROBLEM_CHARS = 65_536
CORRUPT_EVTX = "corrupt EVTX record: its binary XML cannot be decoded"
BAD_JSON = "invalid JSON in export"
NOT_OBJECT = "JSON export item is not an object"
OUTSIDE_EVENT = "text outside any <Event> element"
INCOMPLETE_EVENT = "incomplete XML event at end of file"

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
    """EVTX records as compact JSON, via the ``evtx`` crate (corrupt records reported, skipped)."""

    def _records(self) -> Iterator[tuple[str, str | None]]:
        data = b"".join(self._blocks())
        if self.problems.error and not data:
            return
        try:
            parser = evtx.PyEvtxParser(io.BytesIO(data), indent=False, skip_errors=True)
        except (RuntimeError, OSError, ValueError) as exc:
            self.problems.error = f"not a readable EVTX file: {exc}"
            return
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            records = parser.records_json()
            while True:
                try:
                    record = next(records, None)
                except RuntimeError as exc:  # damage the crate cannot skip: the rest is lost
                    self.problems.error = f"EVTX file damaged after record {self.lines}: {exc}"
                    record = None
                skipped = [str(w.message)[:MAX_PROBLEM_CHARS] for w in caught]  # before ``record``
                caught.clear()
                yield from ((message, CORRUPT_EVTX) for message in skipped)
                if record is None:
                    return
                yield record["data"], None


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
