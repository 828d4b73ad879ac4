"""Format sniffing for ``format: auto``: every parser judges each sample line, the best share wins.

Each format's ``sniff`` says, per line, whether the line looks like it. A file's score for a format
is the share of its first ``SAMPLE_LINES`` non-blank lines that format claims; the best score wins
when it is at least ``MIN_SCORE`` (ties go to the order of ``formats()``), else the file is of
unknown format.

Mixed files (a relay that writes several devices into one file): the first ``MIX_SCAN_LINES``
lines are judged by every format; a format that claims lines the winner does not claim joins the
file's ``others``. The ingest then splits every chunk of that file line by line: a line goes to
the winner when the winner claims it or no format does (the winner's parser then quarantines it
with its own reason), else to the first of ``others`` that claims it. A format whose first line
comes after the scanned head of a file is not looked for (its lines go to the winner).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from seclake.parsers import formats

MIN_SCORE = 0.3
SAMPLE_LINES = 200
MIX_SCAN_LINES = 5_000


@dataclass(frozen=True)
class SniffResult:
    """The winning format (None: unknown), every format's score, and the formats mixed in."""

    format: str | None
    scores: dict[str, float]
    others: tuple[str, ...] = ()

    def describe(self) -> str:
        """The scores, best first, e.g. ``cisco_asa 0.98, clamav 0.00``."""
        ranked = sorted(self.scores.items(), key=lambda item: -item[1])
        return ", ".join(f"{name} {score:.2f}" for name, score in ranked)


def _claims(lines: pl.Series, names: list[str] | None = None) -> pl.DataFrame:
    """One Boolean column per format: does the format claim the line."""
    modules = formats()
    chosen = names if names is not None else list(modules)
    return pl.DataFrame({name: modules[name].sniff(lines).fill_null(False) for name in chosen})


def sniff(lines: pl.Series) -> SniffResult:
    """Judge the head of a file against every format; see the module docstring."""
    head = lines.filter(lines.str.strip_chars() != "").head(MIX_SCAN_LINES)
    if head.len() == 0:
        return SniffResult(None, {})
    claims = _claims(head)
    sample = claims.head(SAMPLE_LINES)
    scores = {name: float(sample.get_column(name).mean() or 0.0) for name in claims.columns}
    best = max(scores, key=lambda name: scores[name])
    if scores[best] < MIN_SCORE:
        return SniffResult(None, scores)
    unclaimed = claims.filter(~pl.col(best))
    others = tuple(name for name in claims.columns if name != best and unclaimed.get_column(name).any())
    return SniffResult(best, scores, others)


def split_lines(lines: pl.Series, result: SniffResult) -> pl.Series:
    """The format each line goes to in a mixed file (see the module docstring)."""
    if result.format is None or not result.others:
        return pl.Series("format", [result.format] * lines.len(), dtype=pl.String)
    claims = _claims(lines, [result.format, *result.others])
    choice = pl.when(pl.col(result.format)).then(pl.lit(result.format))
    for name in result.others:
        choice = choice.when(pl.col(name)).then(pl.lit(name))
    return claims.select(choice.otherwise(pl.lit(result.format)).alias("format")).to_series()
