"""Read a raw log file (plain or gzip) as bounded chunks of lines, never the whole file at once.

Each chunk is a Polars frame of ``raw``, ``raw_file``, ``raw_line`` (1-based) and ``problem``:
null for lines a parser should see, or the reason the reader already rejects the line:

- ``blank line``;
- ``binary content``: NUL or other control characters (binary junk, a corrupt block);
- ``incomplete last line of a truncated file``: the bytes after the last newline of a gzip
  stream that ended early, or was corrupt, are kept but never parsed as an event.

Bytes that are not UTF-8 are kept as ``\\xNN`` escapes (the rest of the line is parsed as usual)
and each such line is reported by number. A missing, unreadable, truncated or corrupt file is
recorded in ``error``; the lines read before the damage are still returned. The sha256 and size
are those of the file as stored (compressed bytes for .gz), computed while reading.
"""

from __future__ import annotations

import gzip
import hashlib
import queue
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol, TypeVar

import polars as pl

GZIP_MAGIC = b"\x1f\x8b"
HEAD_BYTES = 64 << 10
MAX_LINE_CHARS = 65_536
MAX_REPORTED_LINES = 20
READ_BYTES = 1 << 20
CONTROL_CHARS = r"[\x00-\x08\x0e-\x1f\x7f]"
NOT_CONTROL_BYTES = bytes(b for b in range(256) if not (b <= 8 or 14 <= b <= 31 or b == 127))

BLANK = "blank line"
BINARY = "binary content"
TRUNCATED = "incomplete last line of a truncated file"
TOO_LONG = f"line longer than {MAX_LINE_CHARS} characters (cut)"


class HashingReader:
    """A file object that hashes and counts the bytes it hands out."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data

    def readable(self) -> bool:
        return True


@dataclass
class FileProblems:
    """What went wrong while reading one file (empty when nothing did)."""

    error: str | None = None
    non_utf8_lines: list[int] = field(default_factory=list)
    non_utf8_count: int = 0

    def warnings(self, path: str) -> list[str]:
        """Human-readable warnings naming the file and line numbers (the error is separate)."""
        out = []
        if self.non_utf8_count:
            shown = ", ".join(map(str, self.non_utf8_lines))
            more = (
                ""
                if self.non_utf8_count <= len(self.non_utf8_lines)
                else f" and {self.non_utf8_count - len(self.non_utf8_lines)} more"
            )
            out.append(
                f"{path}: {self.non_utf8_count} line(s) not valid UTF-8 (bytes kept as \\xNN escapes): line {shown}{more}"
            )
        return out


class FileReader(Protocol):
    """What ingest reads a file with: ``LineReader`` for text formats, a format's ``open_records``
    for record formats (EVTX, JSON or XML exports). Iterating yields chunk frames of ``raw``,
    ``raw_file``, ``raw_line``, ``problem``; afterwards the counters describe the whole file."""

    lines: int
    size: int
    sha256: str | None
    problems: FileProblems

    def __iter__(self) -> Iterator[pl.DataFrame]: ...


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` bytes of a file, gunzipped when it is gzip; empty when unreadable."""
    try:
        with open(path, "rb") as handle:
            if handle.read(2) != GZIP_MAGIC:
                handle.seek(0)
                return handle.read(size)
            handle.seek(0)
            with gzip.GzipFile(fileobj=handle, mode="rb") as unzipped:
                return unzipped.read(size)
    except (OSError, EOFError, zlib.error):
        return b""


class LineReader:
    """Iterate over a log file in chunks of about ``chunk_bytes``; see the module docstring."""

    def __init__(self, path: Path, chunk_bytes: int = 32 << 20) -> None:
        self.path = path
        self.chunk_bytes = chunk_bytes
        self.problems = FileProblems()
        self.lines = 0
        self.sha256: str | None = None
        self.size = 0

    def __iter__(self) -> Iterator[pl.DataFrame]:
        try:
            handle = open(self.path, "rb")  # noqa: SIM115 - closed in finally
        except OSError as exc:
            self.problems.error = f"cannot open: {exc.strerror or exc}"
            return
        hashing = HashingReader(handle)
        try:
            compressed = handle.read(2) == GZIP_MAGIC
            handle.seek(0)
            stream: BinaryIO = gzip.GzipFile(fileobj=hashing, mode="rb") if compressed else hashing  # type: ignore[assignment]
            yield from self._chunks(stream, READ_BYTES if compressed else self.chunk_bytes)
            hashing.read()  # hash any trailing bytes the decompressor did not need
        finally:
            handle.close()
            self.sha256 = hashing.digest.hexdigest()
            self.size = hashing.size

    def _chunks(self, stream: BinaryIO, piece_bytes: int) -> Iterator[pl.DataFrame]:
        pending = b""
        while True:
            block, failure = self._read_block(stream, piece_bytes)
            if failure is not None:
                data = pending + block
                cut = data.rfind(b"\n") + 1
                if cut:
                    yield self._frame(data[:cut])
                self.problems.error = f"truncated or corrupt gzip after line {self.lines}: {failure}"
                if data[cut:]:
                    yield self._frame(data[cut:], last_line_truncated=True)
                return
            if not block:
                if pending:
                    yield self._frame(pending + b"\n")
                return
            data = pending + block if pending else block
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                pending = data
                continue
            pending = data[cut:]
            yield self._frame(data[:cut])

    def _read_block(self, stream: BinaryIO, piece_bytes: int) -> tuple[bytes, Exception | None]:
        """Up to ``chunk_bytes`` in reads of ``piece_bytes`` (small for gzip, so a damaged stream
        loses nothing read before the damage)."""
        pieces: list[bytes] = []
        size = 0
        while size < self.chunk_bytes:
            try:
                piece = stream.read(min(piece_bytes, self.chunk_bytes - size))
            except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
                return b"".join(pieces), exc
            if not piece:
                break
            pieces.append(piece)
            size += len(piece)
        return pieces[0] if len(pieces) == 1 else b"".join(pieces), None

    def _frame(self, data: bytes, *, last_line_truncated: bool = False) -> pl.DataFrame:
        if last_line_truncated:
            data += b"\n"
        first_line = self.lines + 1
        if not data.isascii():
            data = self._repair_utf8(data, first_line)
        lines = pl.scan_lines(data, name="raw").collect()
        self.lines += lines.height
        frame = lines.with_columns(
            pl.lit(str(self.path)).alias("raw_file"),
            (pl.int_range(pl.len(), dtype=pl.Int64) + first_line).alias("raw_line"),
        )
        problem = pl.when(pl.col("raw").str.contains(r"^\s*$")).then(pl.lit(BLANK))
        if data.translate(None, NOT_CONTROL_BYTES):  # a C-speed scan spares the per-line check usually
            problem = problem.when(pl.col("raw").str.contains(CONTROL_CHARS)).then(pl.lit(BINARY))
        cut = []
        if (lines.select(pl.col("raw").str.len_bytes().max()).item() or 0) > MAX_LINE_CHARS:
            problem = problem.when(pl.col("raw").str.len_chars() > MAX_LINE_CHARS).then(pl.lit(TOO_LONG))
            cut.append(pl.col("raw").str.slice(0, MAX_LINE_CHARS))
        if last_line_truncated:
            problem = pl.when(pl.col("raw_line") == self.lines).then(pl.lit(TRUNCATED)).otherwise(problem)
        return frame.with_columns(*cut, problem.alias("problem"))

    def _repair_utf8(self, data: bytes, first_line: int) -> bytes:
        try:
            data.decode("utf-8")
            return data
        except UnicodeDecodeError:
            pass
        repaired = []
        for offset, line in enumerate(data.split(b"\n")):
            try:
                line.decode("utf-8")
                repaired.append(line)
            except UnicodeDecodeError:
                self.problems.non_utf8_count += 1
                if len(self.problems.non_utf8_lines) < MAX_REPORTED_LINES:
                    self.problems.non_utf8_lines.append(first_line + offset)
                repaired.append(line.decode("utf-8", errors="backslashreplace").encode("utf-8"))
        return b"\n".join(repaired)


def put_while(handoff: queue.Queue, item: object, waiting: Callable[[], bool]) -> bool:
    """Put ``item`` on the bounded ``handoff`` once it has room, for as long as ``waiting()`` holds
    (asked every 50 ms, so a consumer that stopped never leaves the producer blocked); False when
    it stopped holding first."""
    while waiting():
        try:
            handoff.put(item, timeout=0.05)
            return True
        except queue.Full:
            continue
    return False


Item = TypeVar("Item")
_END = object()


def prefetched(items: Iterable[Item], depth: int = 1) -> Iterator[Item]:
    """Iterate ``items`` in a background thread, at most ``depth`` items ahead: reading,
    decompressing and hashing the next chunk overlaps the parsing of this one (file reads, zlib,
    hashlib and Polars release the GIL). An exception of the iteration is raised here; stopping
    early closes the iteration (its ``finally`` runs)."""
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def hand(entry: tuple) -> bool:
        return put_while(handoff, entry, lambda: not stop.is_set())

    def produce() -> None:
        iterator = iter(items)
        try:
            for item in iterator:
                if not hand((item, None)):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            hand((_END, exc))
        else:
            hand((_END, None))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="seclake-reader", daemon=True)
    thread.start()
    try:
        while True:
            item, failure = handoff.get()
            if item is _END:
                if failure is not None:
                    raise failure
                return
            yield item
    finally:
        stop.set()
        thread.join()
