"""Periods, and what a report reads from a small hand-made lake."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from seclake.report.data import Period, load_report_data
from seclake.tables import INCIDENT_SCHEMA, org_day_path
from tests.report import lake

D = dt.date


@pytest.mark.parametrize(
    ("kind", "day", "start", "end", "previous_start"),
    [
        ("day", D(2026, 3, 1), D(2026, 3, 1), D(2026, 3, 1), D(2026, 2, 28)),
        ("week", D(2026, 11, 18), D(2026, 11, 16), D(2026, 11, 22), D(2026, 11, 9)),
        ("week", D(2026, 11, 22), D(2026, 11, 16), D(2026, 11, 22), D(2026, 11, 9)),
        ("week", D(2026, 1, 1), D(2025, 12, 29), D(2026, 1, 4), D(2025, 12, 22)),  # ISO week 1 of 2026
        ("month", D(2028, 2, 10), D(2028, 2, 1), D(2028, 2, 29), D(2028, 1, 1)),  # leap year
        ("month", D(2026, 1, 31), D(2026, 1, 1), D(2026, 1, 31), D(2025, 12, 1)),
    ],
)
def test_period_containing_a_day(
    kind: str, day: dt.date, start: dt.date, end: dt.date, previous_start: dt.date
) -> None:
    period = Period.containing(kind, day)
    assert (period.start, period.end) == (start, end)
    assert period.previous().start == previous_start
    assert period.previous().end == start - dt.timedelta(days=1)
    assert period.days[0] == start and period.days[-1] == end


def test_period_labels_bounds_and_names() -> None:
    week = Period.containing("week", D(2026, 11, 18))
    assert week.label == "Week 47: 16\u201322 November 2026"
    assert Period.containing("week", D(2026, 12, 1)).label == "Week 49: 30 Nov \u2013 6 Dec 2026"
    assert Period.containing("week", D(2026, 1, 1)).label == "Week 1: 29 Dec 2025 \u2013 4 Jan 2026"
    assert Period.containing("month", D(2026, 11, 18)).label == "November 2026"
    assert Period.containing("day", D(2026, 11, 17)).label == "Tuesday 17 November 2026"
    assert (week.this, week.last) == ("this week", "last week")
    assert Period.containing("day", D(2026, 11, 17)).this == "on Tue 17 Nov"
    start, end = week.utc_bounds("Asia/Ho_Chi_Minh")
    assert start == dt.datetime(2026, 11, 15, 17, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 11, 22, 17, tzinfo=dt.UTC)
    assert week.back(2).start == D(2026, 11, 2)
    with pytest.raises(ValueError, match="unknown period"):
        Period.containing("year", D(2026, 1, 1))


def test_reads_the_period_rows_incidents_and_outages(tmp_path: Path) -> None:
    config = lake.build(tmp_path)
    data = load_report_data(config, lake.ORG, "week", D(2026, 11, 19))
    assert data.metrics is not None and data.metrics["incidents"] == 3 and data.metrics["start"] == lake.WEEK
    assert data.previous is not None and data.previous["incidents"] == 1
    assert sorted(data.days) == [D(2026, 11, d) for d in (16, 17, 18, 19, 20, 22)]  # Saturday: no row
    assert [row["start"] for row in data.trend] == [D(2026, 10, 26), D(2026, 11, 9), D(2026, 11, 16)]
    # worst first; last week's incident is not in this week
    assert [i["incident_id"] for i in data.incidents] == ["inc-vpn", "inc-ransomware", "inc-scan"]
    assert len(data.incidents[0]["timeline"]) == 32
    outages = {o["outage_id"]: o for o in data.outages}
    assert sorted(outages) == ["o-isolated", "o-link", "o-silence", "o-tunnel"]
    assert outages["o-tunnel"]["period_minutes"] == 120.0  # 60 more minutes fall in the next week
    assert outages["o-tunnel"]["minutes"] == 180.0
    assert outages["o-silence"]["up_at"] is None
    assert outages["o-isolated"]["period_breach_minutes"] == 114.0
    assert [b.id for b in data.benchmarks] == [
        "cisco-2019-apac-worst-breach-downtime",
        "ibm-2025-identify-and-contain",
        "mandiant-2025-median-dwell-time",
    ]


def test_status_at_the_period_end_follows_the_times(tmp_path: Path) -> None:
    data = load_report_data(lake.build(tmp_path), lake.ORG, "day", D(2026, 11, 17))
    vpn = data.incidents[0]
    assert data.status_at_end(vpn) == "resolved"  # resolved 20:19 local, before the day's end
    assert data.status_at_end({**vpn, "resolved_at": data.end_utc}) == "contained"
    assert data.status_at_end({**vpn, "resolved_at": None, "contained_at": None}) == "open"


def test_previous_period_without_a_row_is_no_data(tmp_path: Path) -> None:
    config = lake.build(tmp_path)
    data = load_report_data(config, lake.ORG, "week", D(2026, 11, 10))
    assert data.metrics is not None and data.metrics["incidents"] == 1
    assert data.previous is None  # week 45 has no row: "no data", not zeros
    assert [i["incident_id"] for i in data.incidents] == ["inc-old"]


def test_empty_lake_reads_as_no_rows(tmp_path: Path) -> None:
    data = load_report_data(lake.config(tmp_path), lake.ORG, "month", D(2026, 11, 1))
    assert (data.metrics, data.previous, data.days, data.trend, data.incidents, data.outages) == (
        None,
        None,
        {},
        [],
        [],
        [],
    )
    with pytest.raises(KeyError, match="no organisation"):
        load_report_data(lake.config(tmp_path), "nobody", "week", D(2026, 11, 1))


def test_incidents_still_open_from_before_are_listed_apart(tmp_path: Path) -> None:
    config = lake.build(tmp_path)
    base = {**dict.fromkeys(INCIDENT_SCHEMA.names), "org": lake.ORG, "severity": "high", "kind": "malware"}
    rows = [
        {**base, "incident_id": "old-open", "title": "Worm on fs01", "detected_at": lake.utc(12, 9)},
        {**base, "incident_id": "old-done", "title": "Fixed", "detected_at": lake.utc(12, 9), "resolved_at": lake.utc(13, 1)},
        {**base, "incident_id": "old-late", "title": "Fixed late", "detected_at": lake.utc(12, 9), "resolved_at": lake.utc(18, 1)},
    ]  # fmt: skip
    lake._write(
        org_day_path(Path(config.lake_root), "incidents", lake.ORG, D(2026, 11, 12)), INCIDENT_SCHEMA, rows
    )
    data = load_report_data(config, lake.ORG, "week", D(2026, 11, 18))
    assert [i["incident_id"] for i in data.incidents] == ["inc-vpn", "inc-ransomware", "inc-scan"]
    assert [i["incident_id"] for i in data.earlier] == [
        "old-late",
        "old-open",
    ]  # same severity and time: by id
    assert [i["incident_id"] for i in data.open_serious()] == ["old-open"]
    last_week = load_report_data(config, lake.ORG, "week", D(2026, 11, 12))
    assert [i["incident_id"] for i in last_week.incidents] == ["old-done", "old-late", "old-open", "inc-old"]
