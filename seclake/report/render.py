"""Render a report's content as HTML (Jinja2, autoescape on), JSON and Markdown; and the index page.

Escaping, the one rule: every value that reaches an output is escaped for that output.

- HTML: the Jinja2 environment autoescapes every expression; charts are SVG markup assembled by
  ``seclake.report.charts`` with the same escaping; the page has no script at all and a Content
  Security Policy that would refuse one (``default-src 'none'``), so nothing is fetched when opened.
  The only links are relative links between report files named from safe ids and dates.
- Markdown: every expression goes through ``escape_markdown`` (the environment's ``finalize``): HTML
  metacharacters become entities, Markdown's inline metacharacters are backslash-escaped, a value
  cannot start a block (heading, list) and line breaks become spaces; URL schemes are broken up
  (``\\://``) so no log value becomes a link.
- JSON: ``json.dumps`` (dates and times as ISO 8601).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from seclake.report import charts
from seclake.report import format as fmt
from seclake.report.content import Report

REPORT_SCHEMA = "seclake.report/1"
LIGHT_WORDS = {"red": "Action needed", "amber": "Keep an eye on", "green": "All clear", "grey": "No data"}

_INLINE = re.compile(r"([\\`*_\[\]|~])")
_BLOCK_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|[-+](?=\s|$)|\d{1,9}[.)](?=\s|$)|-{2,}|=+)")
_URL_SCHEME = re.compile(r"://")
_WEB_HOST = re.compile(r"(?i)\b(www)\.")


def escape_markdown(value: object) -> str:
    """A value as inert Markdown text (see the module docstring); None is empty."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        raise TypeError("markup has no place in Markdown output")
    text = re.sub(r"[\r\n\t]+", " ", str(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE.sub(r"\\\1", text)
    text = _WEB_HOST.sub(r"\1\\.", _URL_SCHEME.sub(r"\\://", text))
    return _BLOCK_START.sub(_escape_marker, text)


def _escape_marker(match: re.Match[str]) -> str:
    """A block marker at a value's start made literal: '1.' -> '1\\.', '#' -> '\\#', '---' -> '\\---'."""
    marker = match.group(2)
    if marker[0].isdigit():
        return match.group(1) + marker[:-1] + "\\" + marker[-1]
    return match.group(1) + "\\" + marker


def _environment(**options: Any) -> Environment:
    environment = Environment(
        loader=PackageLoader("seclake.report", "templates"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **options,
    )
    environment.filters["duration"] = lambda seconds: fmt.duration(seconds, none="none")
    environment.filters["day_counts"] = fmt.total_by_severity
    return environment


_HTML = _environment(autoescape=True)
_MARKDOWN = _environment(autoescape=False, finalize=escape_markdown)


def _charts(report: Report) -> dict[str, Any]:
    return {
        "alerts_per_day": charts.per_day(report.days, "alerts", "alerts per day by severity"),
        "incidents_per_day": charts.per_day(report.days, "incidents", "incidents per day by severity"),
        "outages": charts.outage_timeline(
            report.outages, report.start_utc, report.end_utc, report.period, report.timezone
        ),
        "trend": charts.response_trend(report.trend),
        "benchmarks": {
            c.benchmark_id: charts.downtime_benchmark(c)
            for c in report.comparisons
            if c.compares_with == "worst_breach_downtime"
        },
        "top_attackers": charts.top_bars(report.top_attackers, "top attacking sources"),
        "top_targeted_services": charts.top_bars(report.top_targeted_services, "top targeted services"),
        "top_malware": charts.top_bars(report.top_malware, "top malware"),
    }


def _context(report: Report) -> dict[str, Any]:
    return {
        "r": report,
        "light_word": LIGHT_WORDS[report.status.light],
        "incident_titles": {i.incident_id: i.title for i in report.incidents},
        "severity_colours": charts.SEVERITY_COLOURS,
        "trend_colours": charts.TREND_COLOURS,
        "trend_labels": charts.TREND_LABELS,
        "breach_colour": charts.BREACH_COLOUR,
        "outage_colour": charts.OUTAGE_COLOUR,
        "no_data_colour": charts.NO_DATA,
    }


def render_html(report: Report) -> str:
    """The self-contained HTML page (inline CSS and SVG, no script)."""
    return _HTML.get_template("report.html.j2").render(charts=_charts(report), **_context(report))


def render_markdown(report: Report) -> str:
    """The same content as Markdown (charts as tables)."""
    return _MARKDOWN.get_template("report.md.j2").render(**_context(report))


def _json_default(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def render_json(report: Report) -> str:
    """The same content as JSON, with the period's metrics row."""
    document = {"schema": REPORT_SCHEMA, **report.as_dict()}
    return json.dumps(document, indent=2, ensure_ascii=False, default=_json_default) + "\n"


@dataclass(frozen=True)
class IndexEntry:
    """One organisation on the index page: its latest week's report content, and its report files."""

    org_id: str
    org_name: str
    region: str
    report: Report | None  # None: no metrics at all yet
    links: dict[str, list[tuple[str, str]]]  # period kind -> (relative href, label), newest first

    @property
    def latest_href(self) -> str | None:
        """The link to the report of the week the index shows, when it was written."""
        if self.report is None:
            return None
        href = f"{self.org_id}/week-{self.report.start.isoformat()}.html"
        return href if any(href == h for h, _ in self.links.get("week", [])) else None


def render_index(entries: list[IndexEntry], generated: str) -> str:
    """``reports/index.html``: every organisation with its headline figures, status and reports."""
    return _HTML.get_template("index.html.j2").render(
        entries=entries,
        generated=generated,
        light_words=LIGHT_WORDS,
        severity_colours=charts.SEVERITY_COLOURS,
    )
