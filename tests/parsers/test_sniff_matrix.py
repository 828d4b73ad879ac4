"""Auto-detection over the whole corpus: every corpus file's own format wins the sniff.

Each corpus folder is the format its files are written in (``FOLDER_FORMAT`` names the parser
that reads a folder when the names differ). A folder whose parser does not exist is skipped; a
failure prints the confusion matrix: for each folder, which format won how many of its files.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import polars as pl
import pytest

from seclake.parsers import formats
from seclake.parsers.sniff import sniff
from tests.corpus import CORPUS, corpus_events

FOLDER_FORMAT = {
    "cisco_ftd": "cisco_asa",
    "symantec": "symantec_sep",
    "panda": "leef",
}
"""Corpus folders read by a parser of another name."""

UNSUPPORTED = {"huawei_usg", "mcafee"}
"""Corpus folders of formats seclake does not parse (yet): not sniffed."""


def _corpus_files() -> list[tuple[str, Path]]:
    if not CORPUS.is_dir():
        return []
    found = []
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir() and p.name not in UNSUPPORTED):
        expected = FOLDER_FORMAT.get(folder.name, folder.name)
        for path in sorted(folder.rglob("*")):
            if path.is_file() and corpus_events(path):
                found.append((expected, path))
    return found


def test_every_corpus_file_sniffs_as_its_own_format() -> None:
    files = _corpus_files()
    if not files:
        pytest.skip("corpus not found beside the repo")
    known = formats()
    matrix: dict[str, Counter] = defaultdict(Counter)
    wrong = []
    checked = 0
    for expected, path in files:
        if expected not in known:
            continue
        checked += 1
        lines = pl.Series("raw", [event for event in corpus_events(path) if "\n" not in event.strip()])
        if lines.len() == 0:
            continue
        result = sniff(lines)
        matrix[expected][result.format or "unknown"] += 1
        if result.format != expected:
            wrong.append(f"{path.relative_to(CORPUS)}: {result.format or 'unknown'} ({result.describe()})")
    table = "\n".join(f"{fmt:>20}: {dict(won)}" for fmt, won in sorted(matrix.items()))
    assert not wrong, "files sniffed as another format:\n" + "\n".join(wrong) + "\n\nconfusion:\n" + table
    assert checked >= 5
