"""Read the shared real-log corpus (``../shared/corpus``) into parser input frames.

The corpus keeps upstream files as they were; each wrapper kind holds its log lines differently
(see ``../shared/corpus/README.md``). ``corpus_lines`` returns, for any corpus file, the log
events it holds as a parser input frame (``raw``, ``raw_file``, ``raw_line``): ``raw_line`` is the
event's 1-based position in the file's sequence of events. Tests only read the corpus.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

_WAZUH_LOG = re.compile(r"^log \d+ \w+ = (.*)$")


def corpus_dir(fmt: str) -> Path:
    """The corpus folder of a format; skips the test when the corpus is not beside the repo."""
    folder = CORPUS / fmt
    if not folder.is_dir():
        pytest.skip(f"corpus folder {folder} not found (it is expected at ../shared/corpus)")
    return folder


def corpus_events(path: Path) -> list[str]:
    """The log events held by one corpus file, in file order, as strings (may contain newlines)."""
    name = path.name
    text = path.read_text(encoding="utf-8")
    if name.endswith("-expected.json") or name == "samples.yml":
        return []
    if path.parent.name == "cribl" and name.endswith(".json"):
        return [item["_raw"] for item in json.loads(text)]
    if name.endswith(".tests.jsonl"):
        return [json.loads(line)["raw"] for line in text.splitlines() if line.strip()]
    if name.endswith(".messages.jsonl"):
        return [json.loads(line)["message"] for line in text.splitlines() if line.strip()]
    if name.endswith(".ini"):
        return [m.group(1) for line in text.splitlines() if (m := _WAZUH_LOG.match(line))]
    if name.endswith(".json"):
        return [json.dumps(event) for event in json.loads(text)["events"]]
    return [line for line in text.splitlines() if line.strip()]


def corpus_lines(path: Path) -> pl.DataFrame:
    """A parser input frame of a corpus file's events."""
    events = corpus_events(path)
    return pl.DataFrame(
        {
            "raw": events,
            "raw_file": [str(path)] * len(events),
            "raw_line": list(range(1, len(events) + 1)),
        },
        schema={"raw": pl.String, "raw_file": pl.String, "raw_line": pl.Int64},
    )


def corpus_files(fmt: str) -> list[Path]:
    """Every corpus file of a format that holds log events."""
    return sorted(p for p in corpus_dir(fmt).rglob("*") if p.is_file() and corpus_events(p))


def expected_documents(log_path: Path) -> list[dict] | None:
    """The ``-expected.json`` documents of an elastic test log, one per non-empty line, or None."""
    expected = log_path.with_name(log_path.name + "-expected.json")
    if not expected.exists():
        return None
    return json.loads(expected.read_text(encoding="utf-8"))["expected"]
