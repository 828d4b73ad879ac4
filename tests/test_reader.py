"""Reading raw files: chunks, line numbers, gzip, damage and encoding, with nothing lost."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import polars as pl
import pytest

from seclake.reader import BINARY, BLANK, MAX_LINE_CHARS, TOO_LONG, TRUNCATED, LineReader, prefetched


def _read(path: Path, chunk_bytes: int = 1 << 20) -> tuple[LineReader, pl.DataFrame]:
    reader = LineReader(path, chunk_bytes)
    frames = list(reader)
    frame = pl.concat(frames) if frames else pl.DataFrame()
    return reader, frame


def test_small_chunks_keep_every_line_in_order(tmp_path: Path) -> None:
    path = tmp_path / "a.log"
    path.write_bytes(b"".join(b"line %05d\r\n" % i for i in range(1, 5001)))
    reader, frame = _read(path, chunk_bytes=1000)
    assert reader.lines == frame.height == 5000
    assert frame["raw_line"].to_list() == list(range(1, 5001))
    assert frame["raw"][4999] == "line 05000"  # CRLF stripped
    assert reader.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert reader.size == path.stat().st_size


def test_only_lines_longer_than_the_limit_in_characters_are_cut_and_flagged(tmp_path: Path) -> None:
    """A line of more than MAX_LINE_CHARS characters is kept cut to the limit and flagged; a line
    of more bytes but fewer characters (non-ASCII) is whole; the other chunks are untouched."""
    long_ascii = "a" * (MAX_LINE_CHARS + 10)
    wide = "é" * (MAX_LINE_CHARS - 10)  # 2 bytes a character: over the limit in bytes only
    path = tmp_path / "long.log"
    path.write_text(f"first\n{long_ascii}\n{wide}\nlast\n", encoding="utf-8")
    reader, frame = _read(path)
    assert reader.lines == frame.height == 4
    assert frame["problem"].to_list() == [None, TOO_LONG, None, None]
    assert frame["raw"].to_list() == ["first", long_ascii[:MAX_LINE_CHARS], wide, "last"]


def test_gzip_detected_by_content_and_hashed_as_stored(tmp_path: Path) -> None:
    path = tmp_path / "day.log"  # no .gz suffix on purpose
    payload = gzip.compress(b"a\nb\nc\n", mtime=0)
    path.write_bytes(payload)
    reader, frame = _read(path)
    assert frame["raw"].to_list() == ["a", "b", "c"]
    assert reader.sha256 == hashlib.sha256(payload).hexdigest()
    assert reader.problems.error is None


def test_truncated_gzip_keeps_what_was_read_and_flags_the_cut_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.log.gz"
    body = b"".join(b"event number %d with some padding text\n" % i for i in range(100_000))
    path.write_bytes(gzip.compress(body)[:-4000])
    reader, frame = _read(path, chunk_bytes=1 << 16)
    assert "truncated or corrupt gzip" in reader.problems.error
    assert reader.lines == frame.height
    assert 0 < frame.height < 100_000
    good = frame.filter(pl.col("problem").is_null())
    assert good["raw"].to_list() == [f"event number {i} with some padding text" for i in range(good.height)]
    assert frame["problem"].to_list()[-1] == TRUNCATED


def test_corrupt_gzip_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "bad.gz"
    path.write_bytes(b"\x1f\x8b" + b"\x00" * 50)
    reader, frame = _read(path)
    assert reader.problems.error is not None
    assert reader.lines == frame.height


def test_blank_binary_and_non_utf8_lines(tmp_path: Path) -> None:
    path = tmp_path / "mixed.log"
    path.write_bytes(b"first\n\n   \ncaf\xe9 latin-1 here\n\x00\x01\x02\xff\xfe junk\nlast without newline")
    reader, frame = _read(path)
    assert frame["raw_line"].to_list() == [1, 2, 3, 4, 5, 6]
    assert frame["problem"].to_list() == [None, BLANK, BLANK, None, BINARY, None]
    assert frame["raw"][3] == "caf\\xe9 latin-1 here"
    assert reader.problems.non_utf8_lines == [4, 5]
    assert reader.problems.warnings(str(path)) == [
        f"{path}: 2 line(s) not valid UTF-8 (bytes kept as \\xNN escapes): line 4, 5"
    ]


def test_missing_and_empty_files(tmp_path: Path) -> None:
    reader, frame = _read(tmp_path / "absent.log")
    assert reader.problems.error == "cannot open: No such file or directory"
    assert frame.height == 0
    (tmp_path / "empty.log").write_bytes(b"")
    reader, frame = _read(tmp_path / "empty.log")
    assert reader.lines == 0 and reader.problems.error is None
    assert reader.sha256 == hashlib.sha256(b"").hexdigest()


def test_prefetched_keeps_order_and_raises_the_readers_error() -> None:
    def items():
        yield from range(5)
        raise OSError("disk gone")

    seen = []
    with pytest.raises(OSError, match="disk gone"):
        for item in prefetched(items()):
            seen.append(item)
    assert seen == [0, 1, 2, 3, 4]


def test_prefetched_stopped_early_closes_the_reader() -> None:
    closed = []

    def items():
        try:
            yield from range(100)
        finally:
            closed.append(True)

    for item in prefetched(items()):
        if item == 2:
            break
    assert closed == [True]
