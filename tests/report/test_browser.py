"""The report in a real browser (Debian's headless Chromium, driven over the DevTools protocol).

Checks what a manager would see: no console error, nothing fetched, the key figures equal to the
metrics row, no horizontal scrolling on a phone, hostile log strings executing nothing. Saves
full-page screenshots at desktop (1280 px) and phone (390 px) width under the test's tmp dir.
Needs the ``playwright`` package (its own browsers are not used) and /usr/bin/chromium; skips,
saying which is missing, when either is not there.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from seclake.metrics import build_metrics
from seclake.report import write_index, write_report
from seclake.views import connect
from tests.report import lake

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NOW = dt.datetime(2026, 11, 23, 3, tzinfo=dt.UTC)
WIDTHS = {"desktop": 1280, "phone": 390}

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the browser test needs the playwright package (pip install playwright)"
)
if not CHROMIUM.exists() and not shutil.which("chromium"):
    pytest.skip(
        "no browser: the browser test needs Debian's chromium (apt-get install -y chromium)",
        allow_module_level=True,
    )

EXPECTED_TILES = {
    "incidents": "3",
    "mttd_s": "4 min",
    "mttc_s": "40 min",
    "mttr_s": "3 h 5 m",
    "downtime_minutes": "5 h 30 m",
    "downtime_breach_minutes": "1 h 54 m",
    "availability_pct": "99.35 %",
    "unprotected_assets": "1",
}
"""How the fixture's metrics row must read (lake.week_metrics, written out by hand)."""


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium"))
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


class _Visit:
    """A page opened on a local file, with what it logged, asked for, and tried to pop up."""

    def __init__(self, browser: object, path: Path, width: int) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.console: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.console.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri(), wait_until="load")

    def errors(self) -> list[str]:
        return [m for m in self.console if m.startswith(("error", "pageerror"))]


def test_report_in_chromium_shows_the_metrics_row(browser: object, tmp_path: Path) -> None:
    config = lake.build(tmp_path)
    report = write_report(config, lake.ORG, "week", dt.date(2026, 11, 18), now=NOW).html
    metrics = lake.week_metrics(hostile=False)
    for name, width in WIDTHS.items():
        visit = _Visit(browser, report, width)
        page = visit.page
        assert visit.errors() == [], visit.console
        assert visit.requests == [report.as_uri()]  # nothing else fetched
        tiles = page.eval_on_selector_all(
            ".tile",
            "els => els.map(e => [e.dataset.key, e.dataset.value, e.querySelector('.tile-value').innerText])",
        )
        assert {key: shown for key, _, shown in tiles} == EXPECTED_TILES
        for key, value, _ in tiles:
            expected = len(metrics[key]) if isinstance(metrics[key], list) else metrics[key]
            assert float(value) == pytest.approx(expected), key
        assert page.inner_text("#summary p").startswith(
            "3 incidents this week (1 critical, 1 high, 1 medium)"
        )
        assert page.get_attribute("#status", "data-light") == "red"
        assert page.locator("details.incident").count() == 3
        page.locator("details.incident summary").first.click()  # expand the worst incident's timeline
        assert page.locator("details.incident").first.locator("pre.raw").count() == 16
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow} px"
        page.screenshot(path=str(tmp_path / f"report-{name}-{width}.png"), full_page=True)
        page.close()
    assert (tmp_path / "report-desktop-1280.png").stat().st_size > 50_000
    assert (tmp_path / "report-phone-390.png").stat().st_size > 50_000


def test_hostile_strings_execute_nothing_in_chromium(browser: object, tmp_path: Path) -> None:
    config = lake.build(tmp_path, hostile=True)
    pages = [
        write_report(config, lake.ORG, "week", dt.date(2026, 11, 18), now=NOW).html,
        write_index(config, now=NOW),
    ]
    for path in pages:
        visit = _Visit(browser, path, WIDTHS["desktop"])
        visit.page.eval_on_selector_all("details", "els => els.forEach(d => d.open = true)")
        for chart in visit.page.locator("svg.chart").all():
            chart.hover()  # mouse event handlers, had any been produced, would run now
        assert visit.dialogs == []
        assert visit.errors() == [], visit.console
        assert visit.page.evaluate("document.scripts.length") == 0
        assert visit.page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
        assert visit.requests == [path.as_uri()]
        visit.page.close()


def test_index_links_open_the_reports(browser: object, tmp_path: Path) -> None:
    config = lake.build(tmp_path)
    write_report(config, lake.ORG, "week", dt.date(2026, 11, 18), now=NOW)
    index = write_index(config, now=NOW)
    visit = _Visit(browser, index, WIDTHS["phone"])
    assert visit.errors() == []
    assert visit.page.get_attribute('[data-org="acme"]', "data-light") == "red"
    visit.page.click('[data-org="acme"] h2 a')
    visit.page.wait_for_load_state("load")
    assert visit.page.url.endswith("/reports/acme/week-2026-11-16.html")
    assert visit.page.inner_text("h1") == "ACME Trading Co."
    visit.page.screenshot(path=str(tmp_path / "index-phone-390.png"), full_page=True)
    visit.page.close()


def test_demo_report_in_chromium(browser: object, demo_lake: object, tmp_path: Path) -> None:
    """The generated demo through every step: its week report shows its metrics row as it is."""
    shutil.copytree(demo_lake.config.lake_root, tmp_path / "lake")  # the session's lake stays as it was
    config = demo_lake.config.model_copy(
        update={"lake": str(tmp_path / "lake"), "reports": str(tmp_path / "reports")}
    )
    org, last = demo_lake.demo.orgs[0], demo_lake.demo.dates[-1]
    for date in demo_lake.demo.dates:
        build_metrics(config, org, date)
    report = write_report(config, org, "week", last, now=NOW).html
    [metrics] = (
        connect(tmp_path / "lake")
        .sql(
            "SELECT * FROM metrics WHERE org = $org AND period = 'week' AND start = $start",
            params={"org": org, "start": last - dt.timedelta(days=last.weekday())},
        )
        .to_arrow_table()
        .to_pylist()
    )
    assert metrics["incidents"] > 0
    for name, width in WIDTHS.items():
        visit = _Visit(browser, report, width)
        assert visit.errors() == [], visit.console
        assert visit.requests == [report.as_uri()]
        tiles = visit.page.eval_on_selector_all(
            ".tile", "els => els.map(e => [e.dataset.key, e.dataset.value])"
        )
        assert len(tiles) == len(EXPECTED_TILES)
        for key, value in tiles:
            expected = len(metrics[key]) if isinstance(metrics[key], list) else metrics[key]
            assert (float(value) if value else None) == pytest.approx(expected), key
        assert visit.page.locator("#incidents > details.incident").count() == metrics["incidents"]
        overflow = visit.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow} px"
        visit.page.screenshot(path=str(tmp_path / f"demo-{org}-{name}-{width}.png"), full_page=True)
        visit.page.close()
