"""write_report and write_index: the files, their places, their links, their size."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from seclake.report import write_index, write_report
from seclake.report.content import INCIDENTS_LISTED, RAW_CHARS, TIMELINE_INCIDENTS
from seclake.tables import INCIDENT_SCHEMA, OUTAGE_SCHEMA, org_day_path
from tests.report import lake

NOW = dt.datetime(2026, 11, 23, 3, tzinfo=dt.UTC)


def test_report_files_for_each_period(tmp_path: Path) -> None:
    config = lake.build(tmp_path)
    reports = tmp_path / "reports" / "acme"
    week = write_report(config, lake.ORG, "week", dt.date(2026, 11, 19), now=NOW)
    assert (week.html, week.json, week.markdown) == (
        reports / "week-2026-11-16.html",
        reports / "week-2026-11-16.json",
        reports / "week-2026-11-16.md",
    )
    assert (
        write_report(config, lake.ORG, "month", dt.date(2026, 11, 19), now=NOW).html.name
        == "month-2026-11-01.html"
    )
    assert (
        write_report(config, lake.ORG, "day", dt.date(2026, 11, 19), now=NOW).markdown.name
        == "day-2026-11-19.md"
    )
    assert sorted(p.name for p in reports.iterdir()) == sorted(
        f"{stem}.{suffix}"
        for stem in ("week-2026-11-16", "month-2026-11-01", "day-2026-11-19")
        for suffix in ("html", "json", "md")
    )  # no temporary file left behind
    document = json.loads(week.json.read_text(encoding="utf-8"))
    assert (document["org_id"], document["period"], document["start"], document["end"]) == (
        "acme", "week", "2026-11-16", "2026-11-22",
    )  # fmt: skip
    assert document["metrics"]["incidents"] == 3 and document["status"]["light"] == "red"
    assert [i["incident_id"] for i in document["incidents"]] == ["inc-vpn", "inc-ransomware", "inc-scan"]
    assert (
        document["summary"][0] == "3 incidents this week (1 critical, 1 high, 1 medium), against 1 last week."
    )
    markdown = week.markdown.read_text(encoding="utf-8")
    assert markdown.startswith("# ACME Trading Co.: security report, Week 47: 16\u201322 November 2026\n")
    assert "| Time to contain | 40 min (median 42 min) | +15 min vs last week (25 min) |" in markdown
    html = week.html.read_text(encoding="utf-8")
    # self-contained: nothing to fetch, and a policy that would refuse any fetch or script
    assert "default-src 'none'" in html and "<script" not in html
    assert re.findall(r'\b(?:src|href|srcset)="([^"]*)"', html) == ["../index.html"]
    style = html.split("<style>")[1].split("</style>")[0]
    assert "url(" not in style and "@import" not in style and "@font-face" not in style


def test_rewriting_a_report_replaces_it(tmp_path: Path) -> None:
    config = lake.build(tmp_path)
    first = write_report(config, lake.ORG, "week", dt.date(2026, 11, 18), now=NOW)
    later = NOW + dt.timedelta(hours=5)
    second = write_report(config, lake.ORG, "week", dt.date(2026, 11, 20), now=later)
    assert first == second
    assert json.loads(second.json.read_text(encoding="utf-8"))["generated_at"] == later.isoformat()


def test_index_lists_every_organisation_with_status_and_relative_links(tmp_path: Path) -> None:
    config = lake.build(tmp_path)
    write_report(config, lake.ORG, "week", dt.date(2026, 11, 18), now=NOW)
    write_report(config, lake.ORG, "week", dt.date(2026, 11, 10), now=NOW)
    write_report(config, lake.ORG, "day", dt.date(2026, 11, 17), now=NOW)
    (tmp_path / "reports" / "acme" / "notes.html").write_text("not a report")
    index = write_index(config, now=NOW)
    assert index == tmp_path / "reports" / "index.html"
    html = index.read_text(encoding="utf-8")
    assert 'data-org="acme" data-light="red"' in html
    assert 'data-org="empty-org" data-light="grey"' in html
    hrefs = [part.split('"')[0] for part in html.split('href="')[1:]]
    assert hrefs == [
        "acme/week-2026-11-16.html",  # the organisation's name links to its latest week
        "acme/week-2026-11-16.html",
        "acme/week-2026-11-09.html",
        "acme/day-2026-11-17.html",
    ]
    assert all((index.parent / href).is_file() for href in hrefs)
    assert 'data-key="incidents" data-value="3"' in html
    assert "No figures yet" in html  # the organisation without metrics


def _busy_week(root: Path, incidents: int, entries: int, outages: int) -> None:
    """A week far beyond any real one: every text at its longest, long timelines, many outages."""
    lake_root, long_text = root / "lake", "x" * 2000
    rows = []
    for n in range(incidents):
        start = dt.datetime(2026, 11, 17, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=n)
        timeline = [
            {
                "time": start + dt.timedelta(seconds=s), "kind": "alert" if s % 10 == 0 else "event",
                "severity": "high" if s % 10 == 0 else None, "title": "t" * 300, "detail": long_text,
                "source": "fw", "raw_file": "logs/acme/fw/" + "d" * 200, "raw_line": s, "raw": long_text,
            }
            for s in range(entries)
        ]  # fmt: skip
        rows.append(
            {
                **{name: None for name in INCIDENT_SCHEMA.names},
                "incident_id": f"bulk-{n:04d}", "org": lake.ORG, "title": "s" * 1000, "severity": "high",
                "kind": "scan", "status": "resolved", "entities": [f"src_ip:198.51.100.{i}" for i in range(200)],
                "assets": [f"asset-{i}" for i in range(100)], "malware": ["m" * 100] * 50,
                "first_activity": start, "detected_at": start,
                "last_activity": start + dt.timedelta(seconds=entries), "alert_count": entries // 10,
                "timeline": timeline,
            }
        )  # fmt: skip
    lake._write(org_day_path(lake_root, "incidents", lake.ORG, dt.date(2026, 11, 19)), INCIDENT_SCHEMA, rows)
    down = dt.datetime(2026, 11, 19, 1, tzinfo=dt.UTC)
    outage_rows = [
        {
            "outage_id": f"o-{n}", "org": lake.ORG, "asset": f"host-{n % 60}", "service": f"svc-{n}", "cause": "silence",
            "detail": long_text, "down_at": down, "up_at": down + dt.timedelta(minutes=n + 1), "minutes": n + 1.0,
            "day_minutes": n + 1.0, "breach_caused": False, "band": "under 1 h", "evidence_file": long_text,
        }
        for n in range(outages)
    ]  # fmt: skip
    lake._write(
        org_day_path(lake_root, "downtime", lake.ORG, dt.date(2026, 11, 19)), OUTAGE_SCHEMA, outage_rows
    )


def test_a_busy_week_stays_under_two_megabytes(tmp_path: Path) -> None:
    config = lake.build(tmp_path)
    _busy_week(tmp_path, incidents=200, entries=100, outages=150)
    files = write_report(config, lake.ORG, "week", dt.date(2026, 11, 18), now=NOW)
    html = files.html.read_text(encoding="utf-8")
    assert len(html.encode()) < 2_000_000
    assert html.count('class="incident"') == INCIDENTS_LISTED
    assert "203 incidents: the 150 most serious are listed" in html
    assert f"timelines for the {TIMELINE_INCIDENTS} most serious incidents" in html
    assert "153 outages: the 100 longest are shown"  # its day replaces the fixture's 19 Nov partition in html
    assert "x" * (RAW_CHARS + 1) not in html
    actions = html.split('id="actions"')[1].split("</section>")[0]
    assert "and 190 more" in actions  # the first action names 10 of the 200 open incidents
    assert html.count("and 190 more") == 1 + 149  # and each listed busy incident 10 of its 200 entities


def test_a_run_over_several_days_leaves_every_period_they_touch(tmp_path: Path) -> None:
    from seclake.cli import run_reports

    config = lake.build(tmp_path)
    days = [dt.date(2026, 10, 31), dt.date(2026, 11, 1), dt.date(2026, 11, 2), dt.date(2026, 11, 3)]
    run_reports(config, [(lake.ORG, day) for day in days])
    written = sorted(p.stem for p in (tmp_path / "reports" / "acme").glob("*.html"))
    assert written == [
        "day-2026-10-31", "day-2026-11-01", "day-2026-11-02", "day-2026-11-03",
        "month-2026-10-01", "month-2026-11-01",
        "week-2026-10-26", "week-2026-11-02",
    ]  # fmt: skip
    week = json.loads((tmp_path / "reports" / "acme" / "week-2026-10-26.json").read_text(encoding="utf-8"))
    assert (week["start"], week["end"]) == ("2026-10-26", "2026-11-01")
