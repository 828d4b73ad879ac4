"""Strings from logs render inert in every output: HTML (SVG included), Markdown, JSON.

The hostile lake puts ``<script>``, ``"><img onerror=...>``, ``<svg onload=...>``, quote-breaking
attributes, ``javascript:`` URLs and Markdown links into hostnames, usernames, malware names, file
paths, URLs, titles, outage details and the top lists. The pages are parsed, and the test asserts
that no script element, event-handler attribute, unexpected element or ``javascript:`` link was
produced, and that the hostile text is there, shown as text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from seclake.report import write_index, write_report
from seclake.report.render import escape_markdown
from tests.report import lake

NOW = dt.datetime(2026, 11, 23, 3, tzinfo=dt.UTC)
TEMPLATE_ELEMENTS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "footer", "section", "div", "a", "h1",
    "h2", "h3", "p", "span", "strong", "ol", "ul", "li", "figure", "figcaption", "svg", "rect", "text", "line",
    "details", "summary", "dl", "dt", "dd", "pre", "table", "thead", "tbody", "tr", "th", "td", "br",
}  # fmt: skip
"""Every element the report templates and charts produce; anything else came from data."""
LINK_ATTRIBUTES = {"href", "src", "xlink:href", "action", "formaction", "data", "poster"}


class _Page(HTMLParser):
    """Every element with its attributes, and the text shown, with the SVG text apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.svg_text: list[str] = []
        self._svg_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._svg_depth += tag == "svg"

    def handle_endtag(self, tag: str) -> None:
        self._svg_depth -= tag == "svg"

    def handle_data(self, data: str) -> None:
        (self.svg_text if self._svg_depth else self.text).append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _assert_inert(page: _Page, allowed_links: re.Pattern[str]) -> None:
    tags = {tag for tag, _ in page.elements}
    assert "script" not in tags
    assert tags <= TEMPLATE_ELEMENTS, f"elements from data: {tags - TEMPLATE_ELEMENTS}"
    for tag, attributes in page.elements:
        handlers = [name for name in attributes if name.startswith("on")]
        assert not handlers, f"<{tag}> has event handlers {handlers}"
        for name in LINK_ATTRIBUTES & set(attributes):
            value = (attributes[name] or "").strip()
            assert not value.lower().startswith("javascript:"), f"<{tag} {name}={value!r}>"
            assert allowed_links.fullmatch(value), f"unexpected link <{tag} {name}={value!r}>"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, Path]:
    root = tmp_path_factory.mktemp("hostile")
    config = lake.build(root, hostile=True)
    files = write_report(config, lake.ORG, "week", dt.date(2026, 11, 18), now=NOW)
    return files.html, files.markdown, files.json, write_index(config, now=NOW)


def test_html_report_renders_log_strings_as_text(hostile: tuple[Path, Path, Path, Path]) -> None:
    html = hostile[0].read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    # the hostile host name shows as text (escaped, maybe cut short: "...onerror=al…"), never as markup
    assert all(html[m.start() - 14 : m.start()] == "&lt;img src=x " for m in re.finditer("onerror=", html))
    page = _parse(html)
    _assert_inert(page, re.compile(r"\.\./index\.html|http://www\.w3\.org/2000/svg"))
    shown = "".join(page.text)
    for name in ("script", "img", "js_url", "md_link", "attr"):
        assert lake.HOSTILE[name] in shown, f"{name} not shown as text"
    assert f"C:\\Users\\{lake.HOSTILE['attr']}\\evil.exe" in shown  # file path
    assert f"user {lake.HOSTILE['script']}" in shown  # username
    # SVG text (top malware) and SVG tooltips (top attackers) escaped as well
    svg = "".join(page.svg_text)
    assert lake.HOSTILE["svg"] in svg
    assert f"{lake.HOSTILE['js_url']}: 45" in svg
    assert lake.HOSTILE["img"] in svg  # the isolated host's lane in the downtime timeline


def test_index_links_only_to_report_files(hostile: tuple[Path, Path, Path, Path]) -> None:
    page = _parse(hostile[3].read_text(encoding="utf-8"))
    _assert_inert(page, re.compile(r"[a-z0-9][a-z0-9_-]*/(day|week|month)-\d{4}-\d{2}-\d{2}\.html"))
    assert ("a", {"href": "acme/week-2026-11-16.html"}) in page.elements


def test_markdown_renders_log_strings_as_text(hostile: tuple[Path, Path, Path, Path]) -> None:
    markdown = hostile[1].read_text(encoding="utf-8")
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    page = _parse(html)
    tags = {tag for tag, _ in page.elements}
    assert not tags & {"script", "img", "a", "svg", "iframe"}
    assert not any(name.startswith("on") for _, attributes in page.elements for name in attributes)
    shown = "".join(page.text)
    for name in ("script", "img", "js_url", "md_link", "attr", "svg"):
        assert lake.HOSTILE[name] in shown, f"{name} not shown as text"
    # hostile table cells do not add columns: every row of a table has its header's width
    for table in re.findall(r"<table>.*?</table>", html, flags=re.S):
        widths = {
            row.count("<td>") for row in re.findall(r"<tr>.*?</tr>", table, flags=re.S) if "<td>" in row
        }
        header = table.split("</thead>")[0].count("<th>")
        assert widths <= {header}, table


def test_json_keeps_the_strings_verbatim(hostile: tuple[Path, Path, Path, Path]) -> None:
    document = json.loads(hostile[2].read_text(encoding="utf-8"))
    assert document["schema"] == "seclake.report/1"
    titles = [i["title"] for i in document["incidents"]]
    assert lake.HOSTILE["script"] in titles
    assert document["top_malware"][0]["name"] == lake.HOSTILE["svg"]


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("<b>x</b> & y", "&lt;b&gt;x&lt;/b&gt; &amp; y"),
        ("[a](javascript:alert(1))", "\\[a\\](javascript:alert(1))"),
        ("a|b", "a\\|b"),
        ("*x* _y_ `z` ~w~", "\\*x\\* \\_y\\_ \\`z\\` \\~w\\~"),
        ("# title", "\\# title"),
        ("- item", "\\- item"),
        ("1. first", "1\\. first"),
        ("89.48.4.85", "89.48.4.85"),
        ("---", "\\---"),
        ("line\nbreak\r\n# no heading", "line break # no heading"),
        (
            "see http://evil.example/x and www.evil.example",
            "see http\\://evil.example/x and www\\.evil.example",
        ),
        (None, ""),
        (42, "42"),
    ],
)
def test_escape_markdown(value: object, escaped: str) -> None:
    assert escape_markdown(value) == escaped
