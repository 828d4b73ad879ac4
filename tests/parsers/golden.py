"""Golden files for parser tests: one normalised JSON document per input line.

``tests/parsers/golden/<format>/<name>.jsonl`` holds, for each input line in order, either the
event the parser made of it or ``{"quarantined": <reason>}``. Files are written by
``pytest --update-golden`` and reviewed by hand; a normal run compares and shows the first
difference.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from seclake.parsers.contract import ParseResult
from seclake.schema import EXTRA_PREFIX

GOLDEN = Path(__file__).parent / "golden"

_LEFT_OUT = ("raw_file", "org", "source")


def event_documents(events: pl.DataFrame) -> list[dict]:
    """Events as plain dicts: null fields left out, the ``extra.<key>`` columns as one ``extra`` dict."""
    documents = []
    for row in events.with_columns(pl.col("time").dt.strftime("%Y-%m-%dT%H:%M:%S%.6fZ")).to_dicts():
        document = {k: v for k, v in row.items() if v is not None and not k.startswith(EXTRA_PREFIX)}
        extra = {
            k.removeprefix(EXTRA_PREFIX): v
            for k, v in row.items()
            if v is not None and k.startswith(EXTRA_PREFIX)
        }
        if extra:
            document["extra"] = extra
        documents.append(document)
    return documents


def _documents(result: ParseResult) -> list[dict]:
    by_line: dict[int, dict] = {}
    for document in event_documents(result.events.drop(_LEFT_OUT)):
        by_line[document["raw_line"]] = document
    for row in result.quarantine.select("raw_line", "reason", "raw").to_dicts():
        by_line[row["raw_line"]] = {
            "raw_line": row["raw_line"],
            "quarantined": row["reason"],
            "raw": row["raw"],
        }
    return [by_line[line] for line in sorted(by_line)]


def check_golden(result: ParseResult, fmt: str, name: str, update: bool) -> None:
    """Compare a parse result with its golden file (or rewrite it when ``update``)."""
    path = GOLDEN / fmt / f"{name}.jsonl"
    documents = _documents(result)
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(d, sort_keys=True) + "\n" for d in documents), encoding="utf-8")
        return
    assert path.exists(), f"{path} missing: run pytest --update-golden and review it"
    expected = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(documents) == len(expected), f"{path}: {len(documents)} documents, golden has {len(expected)}"
    for got, want in zip(documents, expected, strict=True):
        assert got == want, f"{path} line {want.get('raw_line')}: got {got}, golden {want}"
