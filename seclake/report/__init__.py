"""The report step: one page per organisation and period a manager reads without help, and an index.

Entry points (called by ``seclake report``, ``seclake run`` and the Airflow DAG):

- ``write_report(config, org_id, period, date)`` writes
  ``<reports>/<org>/<period>-<start YYYY-MM-DD>.html`` (self-contained: inline CSS and SVG, no
  script, nothing fetched), ``.json`` (the same content for other tools) and ``.md`` (for e-mail or
  chat), each atomically, for the ``day``, ISO ``week`` or calendar ``month`` containing ``date``;
- ``write_index(config)`` writes ``<reports>/index.html``: every organisation with its latest week's
  headline figures and status light, linking (relatively) to each of its reports.

The flow: ``data`` reads the lake, ``content`` builds what the report says (``summary``,
``recommend``), ``charts`` draws it and ``render`` writes it out. Paths are built only from
validated organisation ids, period names and dates, never from log content. The lake may be an
object store (``seclake.storage``); the reports folder is always on local disk (``reports`` in the
config; a folder every worker shares when Airflow runs on several).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from seclake.config import Config, check_id
from seclake.lake import new_run_id
from seclake.report.content import build_report
from seclake.report.data import Period, load_report_data, metrics_rows
from seclake.report.render import IndexEntry, render_html, render_index, render_json, render_markdown
from seclake.storage import commit_file, open_lake, temporary_sibling
from seclake.views import connect

__all__ = ["ReportFiles", "write_index", "write_report"]

REPORT_FILE = re.compile(r"^(day|week|month)-(\d{4}-\d{2}-\d{2})\.html$")
PERIOD_KINDS = ("week", "month", "day")
"""The order the index lists an organisation's reports in."""


@dataclass(frozen=True)
class ReportFiles:
    """The three files of one report."""

    html: Path
    json: Path
    markdown: Path


def _write_text(final: Path, text: str, run_id: str) -> None:
    temporary = temporary_sibling(final, run_id)
    temporary.write_text(text, encoding="utf-8")
    commit_file(temporary, final)


def write_report(
    config: Config, org_id: str, period: str, date: dt.date, *, now: dt.datetime | None = None
) -> ReportFiles:
    """Write one organisation's report for the period containing ``date``; return its files."""
    report = build_report(load_report_data(config, org_id, period, date, now=now))
    stem = (
        Path(config.reports_root)
        / check_id(org_id, "organisation id")
        / f"{period}-{report.start.isoformat()}"
    )
    files = ReportFiles(stem.with_suffix(".html"), stem.with_suffix(".json"), stem.with_suffix(".md"))
    run_id = new_run_id()
    _write_text(files.html, render_html(report), run_id)
    _write_text(files.json, render_json(report), run_id)
    _write_text(files.markdown, render_markdown(report), run_id)
    return files


def _links(root: Path, org_id: str) -> dict[str, list[tuple[str, str]]]:
    """(relative href, label) of an organisation's report files by period kind, newest first."""
    found: dict[str, list[tuple[dt.date, str, str]]] = {kind: [] for kind in PERIOD_KINDS}
    for path in (root / org_id).glob("*.html"):
        match = REPORT_FILE.match(path.name)
        if match:
            kind, start = match.group(1), dt.date.fromisoformat(match.group(2))
            found[kind].append((start, f"{org_id}/{path.name}", Period.containing(kind, start).label))
    return {
        kind: [(href, label) for _, href, label in sorted(items, reverse=True)]
        for kind, items in found.items()
        if items
    }


def write_index(config: Config, *, now: dt.datetime | None = None) -> Path:
    """Write ``<reports>/index.html`` over every organisation of the config; return its path."""
    root = Path(config.reports_root)
    now = now or dt.datetime.now(dt.UTC)
    con = connect(open_lake(config))
    try:
        latest = {
            org.id: metrics_rows(con, org.id, "week", dt.date.min, dt.date.max)
            for org in config.organisations
        }
    finally:
        con.close()
    entries = []
    for org in config.organisations:
        rows = latest[org.id]
        report = (
            build_report(load_report_data(config, org.id, "week", rows[-1]["start"], now=now))
            if rows
            else None
        )
        entries.append(IndexEntry(org.id, org.name, org.region, report, _links(root, org.id)))
    final = root / "index.html"
    _write_text(final, render_index(entries, now.strftime("%-d %B %Y, %H:%M UTC")), new_run_id())
    return final
