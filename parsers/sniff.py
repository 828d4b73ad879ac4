"""Format sniffing for ``format: auto``: every parser scores a sample of lines, the best one wins.

A format wins when its ``sniff`` score (share of sample lines that look like it) is at least
``MIN_SCORE``; ties go to the order of ``FORMAT_MODULES``. Below that the file is of unknown format.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from seclake.parsers import formats

MIN_SCORE = 0.3
SAMPLE_LINES = 200


@dataclass(frozen=True)
class SniffResult:
    """The winning format (None: unknown) and every format's score."""

    format: str | None
    scores: dict[str, float]

    def describe(self) -> str:
        """The scores, best first, e.g. ``cisco_asa 0.98, clamav 0.00``."""
        ranked = sorted(self.scores.items(), key=lambda item: -item[1])
        return ", ".join(f"{name} {score:.2f}" for name, score in ranked)


def sniff(lines: pl.Series) -> SniffResult:
    """Score a sample of non-blank lines against every format."""
    sample = lines.filter(lines.str.strip_chars() != "").head(SAMPLE_LINES)
    if sample.len() == 0:
        return SniffResult(None, {})
    scores = {name: float(module.sniff(sample)) for name, module in formats().items()}
    best = max(scores, key=lambda name: scores[name])
    return SniffResult(best if scores[best] >= MIN_SCORE else None, scores)
