"""What the report says: summary, tiles, status light, recommended actions, timelines, formats."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from seclake.report import format as fmt
from seclake.report.content import TIMELINE_HEAD, TIMELINE_TAIL, build_report, status
from seclake.report.data import ReportData, load_report_data
from seclake.report.recommend import recommend
from seclake.report.summary import summarise
from tests.report import lake

NOW = dt.datetime(2026, 11, 23, 3, tzinfo=dt.UTC)


@pytest.fixture
def week(tmp_path: Path) -> ReportData:
    return load_report_data(lake.build(tmp_path), lake.ORG, "week", dt.date(2026, 11, 18), now=NOW)


def _with(data: ReportData, **metrics: object) -> ReportData:
    return dataclasses.replace(data, metrics={**(data.metrics or {}), **metrics})


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "no data"),
        (0, "0 min"),
        (59, "under 1 min"),
        (60, "1 min"),
        (2520, "42 min"),
        (3600, "1 h"),
        (9000, "2 h 30 m"),
        (47 * 3600, "47 h"),
        (241 * 86400, "241.0 days"),
    ],
)
def test_durations_read_naturally(seconds: float | None, text: str) -> None:
    assert fmt.duration(seconds) == text


def test_formats() -> None:
    assert fmt.minutes(114) == "1 h 54 m"
    assert fmt.percent(99.3452) == "99.35 %"
    assert fmt.listing(["a", "b", "c", "d", "e"]) == "a, b, c and 2 more"
    assert fmt.listing(["a", "b"]) == "a and b"
    assert fmt.by_severity(lake.names(("low", 2), ("critical", 1), ("high", 0))) == "1 critical, 2 low"
    assert (
        fmt.local_time(dt.datetime(2026, 11, 17, 8, 18, tzinfo=dt.UTC), "Asia/Ho_Chi_Minh")
        == "Tue 17 Nov 15:18"
    )
    assert fmt.utc_offset("America/New_York", dt.date(2026, 1, 5)) == "UTC-05:00"


def test_summary_is_three_to_five_sentences_from_the_figures(week: ReportData) -> None:
    assert summarise(week) == [
        "3 incidents this week (1 critical, 1 high, 1 medium), against 1 last week.",
        "The most serious (critical): VPN brute force followed by a successful login on fw-acme and dc01, "
        "contained 1 h 9 m after detection (attacker blocked).",
        "On average, threats were detected 4 min after they began and contained 40 min after detection.",
        "Services were down 5 h 30 m in total, 1 h 54 m of it caused by incidents; last week 0 min.",
        "Needs attention: anti-virus signatures are out of date on fs01; no anti-virus reports came from dc01.",
    ]


def test_summary_of_a_quiet_period_and_of_no_data(week: ReportData) -> None:
    quiet = dataclasses.replace(
        _with(
            week, incidents=0, alerts=0, incidents_open=0, downtime_minutes=0.0, downtime_breach_minutes=0.0,
            unprotected_assets=[], av_stale_hosts=[], hosts_reinfected=[], av_protection_off_hosts=[],
        ),
        incidents=[], previous=None,
    )  # fmt: skip
    assert summarise(quiet) == [
        "No security incidents this week (no alerts); no data for last week.",
        "No service downtime was recorded this week; no data for last week.",
        "Anti-virus reported healthy on every protected host.",
    ]
    [sentence] = summarise(dataclasses.replace(week, metrics=None))
    assert sentence.startswith("There are no figures for Week 47")


def test_tiles_show_the_metrics_row_and_its_change(week: ReportData) -> None:
    tiles = {t.key: t for t in build_report(week).tiles}
    assert {k: (t.value, t.display) for k, t in tiles.items()} == {
        "incidents": (3, "3"),
        "mttd_s": (218.0, "4 min"),
        "mttc_s": (2374.0, "40 min"),
        "mttr_s": (11086.5, "3 h 5 m"),
        "downtime_minutes": (330.0, "5 h 30 m"),
        "downtime_breach_minutes": (114.0, "1 h 54 m"),
        "availability_pct": (99.3452, "99.35 %"),
        "unprotected_assets": (1, "1"),
    }
    assert (tiles["incidents"].change.text, tiles["incidents"].change.direction) == (
        "+2 vs last week (1)",
        "worse",
    )
    assert tiles["incidents"].detail == "1 critical, 1 high, 1 medium"
    assert tiles["mttd_s"].change.text == "\u22121 min vs last week (5 min)"
    assert tiles["mttd_s"].change.direction == "better"
    assert tiles["availability_pct"].change.direction == "worse"  # higher is better
    assert tiles["unprotected_assets"].change.direction == "better"
    assert tiles["unprotected_assets"].detail == "dc01"
    no_previous = {t.key: t for t in build_report(dataclasses.replace(week, previous=None)).tiles}
    assert no_previous["incidents"].change.text == "no data for last week"
    assert no_previous["incidents"].change.direction == "unknown"


def test_tiles_without_incidents_say_so(week: ReportData) -> None:
    tiles = {t.key: t for t in build_report(_with(week, incidents=0, mttd_s=None)).tiles}
    assert tiles["mttd_s"].display == "no incidents"
    assert tiles["mttd_s"].change.text == "last week: 5 min"
    tiles = {t.key: t for t in build_report(dataclasses.replace(week, metrics=None)).tiles}
    assert {t.display for t in tiles.values()} == {"no data"}


def test_status_light_rules(week: ReportData) -> None:
    assert status(week).light == "red"
    assert status(week).reasons == ["1 h 54 m of downtime caused by incidents"]
    no_breach = _with(week, downtime_breach_minutes=0.0)
    assert status(no_breach).light == "amber"
    assert status(no_breach).reasons == [
        "2 high or critical incidents",
        "1 unprotected asset",
        "1 host with stale signatures",
    ]
    open_critical = dataclasses.replace(
        no_breach, incidents=[{**week.incidents[0], "contained_at": None, "resolved_at": None}]
    )
    assert status(open_critical).light == "red"
    assert status(open_critical).reasons == ["1 high or critical incident still open"]
    calm = _with(
        no_breach, incidents_by_severity=lake.names(("medium", 1)), unprotected_assets=[], av_stale_hosts=[]
    )
    assert status(dataclasses.replace(calm, incidents=week.incidents[2:])).light == "green"
    assert status(dataclasses.replace(week, metrics=None)).light == "grey"


def test_recommendations_follow_the_findings(week: ReportData) -> None:
    actions = recommend(week)
    assert [(a.priority, a.action, a.items) for a in actions] == [
        (
            "high",
            "Reset the passwords of the compromised accounts and require multi-factor authentication for "
            "remote access",
            ["pham.dung"],
        ),
        (
            "medium",
            "Run a full anti-virus scan on 1 infected host and find where the malware came from",
            ["fin-pc-07"],
        ),
        ("medium", "Fix anti-virus signature updates on 1 host", ["fs01"]),
        ("medium", "Install or reconnect anti-virus on 1 asset", ["dc01"]),
        (
            "low",
            "Check that no firewall rule lets RDP and SSH in from the internet (remote access only through the VPN)",
            ["RDP: 300 attempts", "SSH: 40 attempts"],
        ),
        ("low", "Check log collection: some days have no data", []),
    ]


def test_recommendation_rules_each_fire_on_their_finding(week: ReportData) -> None:
    def actions(data: ReportData) -> list[str]:
        return [a.action for a in recommend(data)]

    worse = _with(
        week,
        hosts_reinfected=["pc-1", "pc-2"],
        hosts_infected=["pc-1", "pc-2", "pc-3"],
        av_protection_off_hosts=["pc-4"],
        worst_breach_downtime_minutes=17 * 60.0,
        mttc_s=5 * 3600.0,
    )
    found = actions(worse)
    assert found[:4] == [
        "Reset the passwords of the compromised accounts and require multi-factor authentication for remote access",
        "Patch or isolate 2 hosts re-infected after cleaning",
        "Re-enable real-time anti-virus protection on 1 host",
        "Review the incident-response plan and the recovery of the affected services",
    ]
    assert "Run a full anti-virus scan on 1 infected host and find where the malware came from" in found
    assert (
        "Agree beforehand who may block an address or isolate a host, so containment does not wait" in found
    )
    open_incident = dataclasses.replace(week, incidents=[{**week.incidents[1], "contained_at": None}])
    assert actions(open_incident)[0] == "Finish the response to 1 open serious incident"
    brute = dataclasses.replace(week, incidents=[{**week.incidents[2], "kind": "brute_force"}])
    assert [a.items for a in recommend(brute) if a.action.startswith("Block")] == [["203.0.113.7"]]
    outage = _with(week, downtime_breach_minutes=0.0)
    assert [a.items for a in recommend(outage) if "longest outage" in a.action] == [["fw-acme"]]
    unfinished = dataclasses.replace(week, generated_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    assert "Check log collection: some days have no data" not in actions(unfinished)  # the week is not over
    assert recommend(dataclasses.replace(week, metrics=None)) == []


def test_long_timelines_keep_their_start_end_and_alerts(week: ReportData) -> None:
    vpn = build_report(week).incidents[0]
    assert vpn.timeline_total == 32
    assert len(vpn.timeline) == TIMELINE_HEAD + TIMELINE_TAIL + 1
    assert [e.kind for e in vpn.timeline].count("alert") == 1
    assert sum(e.skipped_before for e in vpn.timeline) == 32 - len(vpn.timeline)
    assert vpn.timeline[-1].title == "network_activity/deny"
    assert "Showing 16 of 32 timeline entries" in vpn.timeline_note
    assert vpn.timeline[0].evidence == "logs/acme/fw/2026-11-17.log.gz:100"
    assert vpn.timeline[0].time == "Tue 17 Nov 15:10"


def test_benchmark_comparisons(week: ReportData) -> None:
    comparisons = {c.compares_with: c for c in build_report(week).comparisons}
    cisco = comparisons["worst_breach_downtime"]
    assert cisco.ours == 114.0 and cisco.ours_band == "1-4 h"
    assert [(f.scope, f.closest) for f in cisco.figures] == [
        ("Vietnam", True),
        ("Asia-Pacific", False),
        ("Global", False),
    ]
    assert "below the 17 h that 48 % of organisations in Vietnam" in cisco.statement
    ibm = comparisons["identify_and_contain"]
    # (475 + 4122 + 60 + 2520 + 120 + 480) / 3 seconds
    assert ibm.ours == pytest.approx(7777 / 3 / 86400)
    assert ibm.ours_display == "43 min"
    assert comparisons["dwell_time"].statement == (
        "Median dwell time this week: 2 min, against 11 days (Global, Mandiant M-Trends, 2025)."
    )


def test_per_day_counts_and_days_without_logs(week: ReportData) -> None:
    days = build_report(week).days
    assert [(d.label, d.has_data, sum(d.alerts.values()), sum(d.incidents.values())) for d in days] == [
        ("Mon 16", True, 0, 0),
        ("Tue 17", True, 3, 1),
        ("Wed 18", True, 3, 1),
        ("Thu 19", True, 1, 0),
        ("Fri 20", True, 2, 1),
        ("Sat 21", False, 0, 0),  # no row
        ("Sun 22", True, 0, 0),
    ]
    assert days[1].alerts == {"critical": 1, "low": 2}
    no_logs = dataclasses.replace(week, days={**week.days, dt.date(2026, 11, 22): {"days_with_data": 0}})
    assert not build_report(no_logs).days[-1].has_data  # a row saying no logs arrived is no data
