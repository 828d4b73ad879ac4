"""The report's content, built once from ``ReportData`` and rendered as HTML, JSON and Markdown alike.

Definitions (the report's glossary):

- **headline tiles**: incidents, mean time to detect / contain / resolve, downtime (total and
  breach-caused), availability and unprotected assets, straight from the period's metrics row,
  each with its change from the previous period's row ("no data for last week" when that row is
  missing; lower is better except for availability).
- **status light**: red when a high or critical incident (of the period or from before) is still
  open at the period's end, or a breach caused downtime in the period; amber when the period had
  a high or critical incident, a re-infected host, an unprotected asset, or hosts with stale
  signatures or protection off; green otherwise; grey when the period has no metrics.
- **identify and contain** (compared with IBM's benchmark): per security incident of the period
  with both times, time to detect + time to contain (first malicious activity to containment);
  their mean.
- **what a report leaves out** (so that one organisation-week stays well under 2 MB, whatever
  happened): the ``INCIDENTS_LISTED`` worst incidents are listed, timelines shown for the
  ``TIMELINE_INCIDENTS`` worst (the first ``TIMELINE_HEAD`` and last ``TIMELINE_TAIL`` entries and
  up to ``TIMELINE_ALERTS`` alerts in between), texts and raw lines cut at ``RAW_CHARS``
  characters (names at ``NAME_CHARS``), ``LIST_ITEMS`` assets, entities or malware names per
  incident, and the ``OUTAGES_LISTED`` outages with the most minutes in the period. The page says
  so when it leaves anything out; the lake keeps everything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from seclake import __version__ as SECLAKE_VERSION
from seclake.benchmarks import Benchmark
from seclake.report import format as fmt
from seclake.report.data import TREND_PERIODS, Period, ReportData, Row
from seclake.report.recommend import Recommendation, recommend
from seclake.report.summary import CONTAINMENT_WORDS, summarise, where
from seclake.tables import NOT_ATTACK_KINDS

TIMELINE_HEAD = 10
TIMELINE_TAIL = 5
TIMELINE_ALERTS = 10
RAW_CHARS = 400
TIMELINE_INCIDENTS = 20
INCIDENTS_LISTED = 150
OUTAGES_LISTED = 100
LIST_ITEMS = 10
NAME_CHARS = 120
"""Incident kinds the response times leave out (as the metrics do)."""
TOP_ITEMS = 10


@dataclass(frozen=True)
class Change:
    text: str  # '+2 vs last week (1)', 'same as last week', 'no data for last week'
    direction: str  # 'better' | 'worse' | 'same' | 'unknown'


@dataclass(frozen=True)
class Tile:
    key: str  # the metrics column it shows
    label: str
    hint: str
    value: float | None
    display: str
    detail: str
    previous: float | None
    change: Change


@dataclass(frozen=True)
class Status:
    light: str  # 'red' | 'amber' | 'green' | 'grey'
    reasons: list[str]


@dataclass(frozen=True)
class DayCounts:
    date: dt.date
    label: str  # 'Mon 16'
    has_data: bool
    alerts: dict[str, int]  # by severity, worst first
    incidents: dict[str, int]


@dataclass(frozen=True)
class TrendPoint:
    start: dt.date
    label: str
    has_data: bool
    mttd_s: float | None
    mttc_s: float | None
    mttr_s: float | None


@dataclass(frozen=True)
class NameCount:
    name: str
    count: int


@dataclass(frozen=True)
class TimelineEntry:
    time: str  # org-local
    time_utc: dt.datetime | None
    kind: str
    severity: str | None
    title: str
    detail: str
    source: str
    evidence: str  # 'file:line'
    raw: str
    skipped_before: int  # entries left out just before this one


@dataclass(frozen=True)
class Incident:
    incident_id: str
    title: str
    severity: str
    kind: str
    status: str  # at the period's end
    where: str
    assets: list[str]
    asset_criticality: str | None
    entities: list[str]
    malware: list[str]
    techniques: list[str]
    alert_count: int
    first_activity: str
    detected: str
    contained: str
    containment: str
    resolved: str
    time_to_detect: str
    time_to_contain: str
    time_to_resolve: str
    times_utc: dict[str, dt.datetime | None]
    timeline: list[TimelineEntry]
    timeline_total: int
    timeline_note: str


@dataclass(frozen=True)
class Outage:
    outage_id: str
    asset: str
    service: str | None
    criticality: str | None
    cause: str
    device: str | None
    detail: str | None
    down: str
    up: str
    down_at: dt.datetime
    up_at: dt.datetime | None
    minutes: float | None
    duration: str
    period_minutes: float | None
    breach_caused: bool
    incident_id: str | None
    band: str | None
    evidence: str


@dataclass(frozen=True)
class ScopeFigure:
    scope: str
    value: float
    display: str
    closest: bool


@dataclass(frozen=True)
class Comparison:
    benchmark_id: str
    compares_with: str
    title: str
    citation: str
    definition: str
    figures: list[ScopeFigure]
    ours: float | None  # in the benchmark's unit (percent benchmarks: our minutes)
    ours_display: str
    ours_band: str | None
    at_least_hours: float | None
    statement: str


@dataclass(frozen=True)
class Report:
    org_id: str
    org_name: str
    region: str
    timezone: str
    utc_offset: str
    period: str
    start: dt.date
    end: dt.date
    label: str
    this: str
    last: str
    start_utc: dt.datetime
    end_utc: dt.datetime
    generated_at: dt.datetime
    generated: str
    seclake_version: str
    coverage: str
    status: Status
    summary: list[str]
    tiles: list[Tile]
    days: list[DayCounts]
    trend: list[TrendPoint]
    outages: list[Outage]
    outages_total: int
    top_attackers: list[NameCount]
    top_targeted_services: list[NameCount]
    top_malware: list[NameCount]
    incidents: list[Incident]  # detected in the period, worst first
    incidents_total: int
    earlier: list[Incident]  # detected before, not resolved when the period began
    earlier_total: int
    recommendations: list[Recommendation]
    comparisons: list[Comparison]
    notes: list[str] = field(default_factory=list)
    metrics: Row | None = None

    def as_dict(self) -> dict[str, Any]:
        """The whole content as plain data (dates and times stay Python objects)."""
        return asdict(self)


# -- tiles ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TileSpec:
    key: str
    label: str
    hint: str
    value: Callable[[Row], float | None]
    show: Callable[[float | None], str]
    detail: Callable[[Row], str]
    none_text: str = "no data"
    higher_is_better: bool = False


def _column(key: str) -> Callable[[Row], float | None]:
    return lambda row: row.get(key)


def _length(key: str) -> Callable[[Row], float | None]:
    return lambda row: None if row.get(key) is None else len(row[key])


def _median(key: str) -> Callable[[Row], str]:
    return lambda row: "" if row.get(key) is None else f"median {fmt.duration(row[key])}"


def _incidents_detail(row: Row) -> str:
    parts = [fmt.by_severity(row.get("incidents_by_severity"))]
    if row.get("incidents_open"):
        parts.append(f"{row['incidents_open']:,} still open")
    return "; ".join(p for p in parts if p)


def _downtime_detail(row: Row) -> str:
    if not row.get("longest_outage_minutes"):
        return ""
    where_ = f" on {row['longest_outage_asset']}" if row.get("longest_outage_asset") else ""
    return f"longest {fmt.minutes(row['longest_outage_minutes'])}{where_}"


def _breach_detail(row: Row) -> str:
    if not row.get("worst_breach_downtime_minutes"):
        return ""
    band = f", band {row['worst_breach_band']}" if row.get("worst_breach_band") else ""
    return f"worst breach {fmt.minutes(row['worst_breach_downtime_minutes'])}{band}"


def _count_show(value: float | None) -> str:
    return fmt.count(None if value is None else int(value))


TILES: tuple[_TileSpec, ...] = (
    _TileSpec(
        "incidents", "Incidents", "incidents detected in the period",
        _column("incidents"), _count_show, _incidents_detail,
    ),
    _TileSpec(
        "mttd_s", "Time to detect", "mean over the period's security incidents: first malicious activity to first alert",
        _column("mttd_s"), fmt.duration, _median("mttd_median_s"), "no incidents",
    ),
    _TileSpec(
        "mttc_s", "Time to contain", "mean over the period's security incidents: detection to containment (blocked, quarantined, isolated)",
        _column("mttc_s"), fmt.duration, _median("mttc_median_s"), "none contained",
    ),
    _TileSpec(
        "mttr_s", "Time to resolve", "mean over the period's security incidents: detection until the threat was gone",
        _column("mttr_s"), fmt.duration, _median("mttr_median_s"), "none resolved",
    ),
    _TileSpec(
        "downtime_minutes", "Downtime", "minutes assets or services were down, summed over assets",
        _column("downtime_minutes"), fmt.minutes, _downtime_detail,
    ),
    _TileSpec(
        "downtime_breach_minutes", "Downtime caused by incidents", "the part of the downtime that overlaps an incident on the same asset",
        _column("downtime_breach_minutes"), fmt.minutes, _breach_detail,
    ),
    _TileSpec(
        "availability_pct", "Availability", "share of the period the inventory's assets were up",
        _column("availability_pct"), fmt.percent, lambda row: "", higher_is_better=True,
    ),
    _TileSpec(
        "unprotected_assets", "Unprotected assets", "servers and workstations that sent no anti-virus events",
        _length("unprotected_assets"), _count_show, lambda row: fmt.listing(list(row.get("unprotected_assets") or [])),
    ),
)  # fmt: skip


def _change(spec: _TileSpec, value: float | None, previous_row: Row | None, period: Period) -> Change:
    if previous_row is None:
        return Change(f"no data for {period.last}", "unknown")
    previous = spec.value(previous_row)
    if value is None or previous is None:
        return Change(
            f"{period.last}: {spec.show(previous) if previous is not None else spec.none_text}", "unknown"
        )
    difference = value - previous
    if difference == 0:
        return Change(f"same as {period.last}", "same")
    better = (difference > 0) == spec.higher_is_better
    sign = "+" if difference > 0 else "\u2212"
    return Change(
        f"{sign}{spec.show(abs(difference))} vs {period.last} ({spec.show(previous)})",
        "better" if better else "worse",
    )


def _tiles(data: ReportData) -> list[Tile]:
    tiles = []
    for spec in TILES:
        value = spec.value(data.metrics) if data.metrics else None
        none_text = "no incidents" if data.metrics and data.metrics.get("incidents") == 0 else spec.none_text
        tiles.append(
            Tile(
                key=spec.key,
                label=spec.label,
                hint=spec.hint,
                value=value,
                display=spec.show(value) if value is not None else (none_text if data.metrics else "no data"),
                detail=spec.detail(data.metrics) if data.metrics else "",
                previous=spec.value(data.previous) if data.previous else None,
                change=_change(spec, value, data.previous, data.period),
            )
        )
    return tiles


# -- status --------------------------------------------------------------------------------------


def status(data: ReportData) -> Status:
    """The period's traffic light and the findings that set it (rule in the module docstring)."""
    metrics = data.metrics
    if metrics is None:
        return Status("grey", ["no metrics for this period"])
    still_open = data.open_serious()
    red = []
    if still_open:
        red.append(f"{fmt.plural(len(still_open), 'high or critical incident')} still open")
    if metrics.get("downtime_breach_minutes"):
        red.append(f"{fmt.minutes(metrics['downtime_breach_minutes'])} of downtime caused by incidents")
    if red:
        return Status("red", red)
    amber = []
    by_severity = fmt.severity_counts(metrics.get("incidents_by_severity"))
    serious_count = by_severity.get("high", 0) + by_severity.get("critical", 0)
    if serious_count:
        amber.append(fmt.plural(serious_count, "high or critical incident"))
    for key, one, many in (
        ("hosts_reinfected", "re-infected host", "re-infected hosts"),
        ("unprotected_assets", "unprotected asset", "unprotected assets"),
        ("av_stale_hosts", "host with stale signatures", "hosts with stale signatures"),
        ("av_protection_off_hosts", "host with protection off", "hosts with protection off"),
    ):
        if metrics.get(key):
            amber.append(fmt.plural(len(metrics[key]), one, many))
    if amber:
        return Status("amber", amber)
    return Status("green", ["no serious incident, no breach downtime, anti-virus healthy"])


# -- charts' data --------------------------------------------------------------------------------


def _day_label(kind: str, day: dt.date) -> str:
    return day.strftime("%-d") if kind == "month" else day.strftime("%a %-d")


def _days(data: ReportData) -> list[DayCounts]:
    days = []
    for day in data.period.days:
        row = data.days.get(day)
        if row is not None and row.get("days_with_data") == 0:
            row = None  # the day's row says no logs arrived: no data, not zeros
        days.append(
            DayCounts(
                date=day,
                label=_day_label(data.period.kind, day),
                has_data=row is not None,
                alerts=fmt.severity_counts(row.get("alerts_by_severity")) if row else {},
                incidents=fmt.severity_counts(row.get("incidents_by_severity")) if row else {},
            )
        )
    return days


def _period_label(period: Period) -> str:
    return period.start.strftime({"day": "%-d", "week": "%-d %b", "month": "%b"}[period.kind])


def _trend(data: ReportData) -> list[TrendPoint]:
    rows = {row["start"]: row for row in data.trend}
    points = []
    for back in reversed(range(TREND_PERIODS[data.period.kind])):
        period = data.period.back(back)
        row = rows.get(period.start) or {}
        points.append(
            TrendPoint(
                start=period.start,
                label=_period_label(period),
                has_data=bool(row),
                mttd_s=row.get("mttd_s"),
                mttc_s=row.get("mttc_s"),
                mttr_s=row.get("mttr_s"),
            )
        )
    return points


def _top(metrics: Row | None, key: str) -> list[NameCount]:
    items = sorted((metrics or {}).get(key) or [], key=lambda item: -item["count"])
    return [NameCount(str(item["name"]), item["count"]) for item in items[:TOP_ITEMS]]


# -- incidents and outages -----------------------------------------------------------------------


def _evidence(file: str | None, line: int | None) -> str:
    if not file:
        return ""
    return f"{file}:{line}" if line is not None else file


def _cut(text: str | None) -> str:
    return fmt.cut(text, RAW_CHARS)


def _timeline_entry(entry: Row, timezone: str, skipped_before: int) -> TimelineEntry:
    return TimelineEntry(
        time=fmt.local_time(entry.get("time"), timezone, none="time unknown"),
        time_utc=entry.get("time"),
        kind=entry.get("kind") or "",
        severity=entry.get("severity"),
        title=fmt.cut(entry.get("title"), NAME_CHARS),
        detail=_cut(entry.get("detail")),
        source=entry.get("source") or "",
        evidence=fmt.cut(_evidence(entry.get("raw_file"), entry.get("raw_line")), NAME_CHARS),
        raw=_cut(entry.get("raw")),
        skipped_before=skipped_before,
    )


def _kept(entries: list[Row]) -> list[int]:
    """Positions of the timeline entries shown: the first and last ones, and alerts in between."""
    total = len(entries)
    if total <= TIMELINE_HEAD + TIMELINE_TAIL:
        return list(range(total))
    kept = set(range(TIMELINE_HEAD)) | set(range(total - TIMELINE_TAIL, total))
    alerts = [n for n, entry in enumerate(entries) if entry.get("kind") == "alert" and n not in kept]
    return sorted(kept | set(alerts[:TIMELINE_ALERTS]))


def _timeline(row: Row, with_timeline: bool, timezone: str) -> tuple[list[TimelineEntry], int, str]:
    entries = list(row.get("timeline") or [])
    total = len(entries)
    if not with_timeline:
        note = f"Timeline not shown: this report carries the timelines of the {TIMELINE_INCIDENTS} most serious incidents."
        return [], total, note
    kept = _kept(entries)
    shown = [
        _timeline_entry(entries[n], timezone, n - (kept[k - 1] + 1 if k else 0)) for k, n in enumerate(kept)
    ]
    note = ""
    if len(kept) < total:
        note = (
            f"Showing {len(kept)} of {total} timeline entries (the first {TIMELINE_HEAD}, the last {TIMELINE_TAIL} "
            "and the alerts in between); the lake's incidents table has them all."
        )
    return shown, total, note


def _capped(items: list[str] | None) -> list[str]:
    return fmt.capped([fmt.cut(item, NAME_CHARS) for item in items or []], LIST_ITEMS)


def _incident(row: Row, data: ReportData, with_timeline: bool) -> Incident:
    timezone = data.org.timezone
    timeline, total, note = _timeline(row, with_timeline, timezone)
    containment = row.get("containment")
    return Incident(
        incident_id=row["incident_id"],
        title=_cut(row.get("title")),
        severity=row.get("severity") or "",
        kind=(row.get("kind") or "other").replace("_", " "),
        status=data.status_at_end(row),
        where=where(row),
        assets=_capped(row.get("assets")),
        asset_criticality=row.get("asset_criticality"),
        entities=_capped([fmt.entity(e) for e in row.get("entities") or []]),
        malware=_capped(row.get("malware")),
        techniques=_capped(row.get("mitre_techniques")),
        alert_count=row.get("alert_count") or 0,
        first_activity=fmt.local_time(row.get("first_activity"), timezone, none="unknown"),
        detected=fmt.local_time(row.get("detected_at"), timezone, none="unknown"),
        contained=fmt.local_time(row.get("contained_at"), timezone),
        containment=CONTAINMENT_WORDS.get(containment or "", containment or ""),
        resolved=fmt.local_time(row.get("resolved_at"), timezone),
        time_to_detect=fmt.relative(row.get("time_to_detect_s"), "the first activity"),
        time_to_contain=fmt.relative(row.get("time_to_contain_s"), "detection", none="not contained"),
        time_to_resolve=fmt.relative(row.get("time_to_resolve_s"), "detection", none="not resolved"),
        times_utc={
            key: row.get(key)
            for key in ("first_activity", "detected_at", "contained_at", "resolved_at", "last_activity")
        },
        timeline=timeline,
        timeline_total=total,
        timeline_note=note,
    )


def _outage(row: Row, timezone: str) -> Outage:
    return Outage(
        outage_id=row["outage_id"],
        asset=row.get("asset") or "",
        service=row.get("service"),
        criticality=row.get("criticality"),
        cause=(row.get("cause") or "").replace("_", " "),
        device=row.get("device"),
        detail=_cut(row.get("detail")),
        down=fmt.local_time(row["down_at"], timezone),
        up=fmt.local_time(row.get("up_at"), timezone, none="still down"),
        down_at=row["down_at"],
        up_at=row.get("up_at"),
        minutes=row.get("minutes"),
        duration=fmt.minutes(row.get("minutes")),
        period_minutes=row.get("period_minutes"),
        breach_caused=bool(row.get("breach_caused")),
        incident_id=row.get("incident_id"),
        band=row.get("band"),
        evidence=fmt.cut(_evidence(row.get("evidence_file"), row.get("evidence_line")), NAME_CHARS),
    )


# -- benchmarks ----------------------------------------------------------------------------------


def _in_unit(value: float, unit: str) -> str:
    return f"{value:g} %" if unit == "percent" else f"{value:g} {unit}"


def _identify_and_contain_s(data: ReportData) -> float | None:
    spans = [
        i["time_to_detect_s"] + i["time_to_contain_s"]
        for i in data.incidents
        if i["kind"] not in NOT_ATTACK_KINDS
        and i.get("time_to_detect_s") is not None
        and i.get("time_to_contain_s") is not None
    ]
    return sum(spans) / len(spans) if spans else None


def _comparison(benchmark: Benchmark, data: ReportData) -> Comparison:
    closest = benchmark.closest(data.org.region)
    figures = [
        ScopeFigure(v.scope, v.value, _in_unit(v.value, benchmark.unit), v is closest)
        for v in benchmark.values
    ]
    metrics, this = data.metrics or {}, data.period.this
    published = f"{_in_unit(closest.value, benchmark.unit)} ({closest.scope}, {benchmark.citation})"
    band = None
    if benchmark.compares_with == "worst_breach_downtime":
        ours = metrics.get("worst_breach_downtime_minutes")
        band = metrics.get("worst_breach_band")
        shown = fmt.minutes(ours, none="no data")
        hours = benchmark.at_least_hours or 0
        if not ours:
            statement = f"No downtime was caused by a breach {this}."
        else:
            side = "at or above" if ours >= hours * 60 else "below"
            statement = (
                f"The worst breach {this} caused {shown} of downtime ({band or 'no band'}), {side} the {hours:g} h "
                f"that {closest.value:g} % of organisations in {closest.scope} reached after their worst breach "
                f"of the year ({benchmark.citation})."
            )
    elif benchmark.compares_with == "identify_and_contain":
        seconds = _identify_and_contain_s(data)
        ours = None if seconds is None else seconds / fmt.DAY_S
        shown = fmt.duration(seconds, none="no contained incident")
        statement = (
            f"Incidents {this} went from first activity to containment in {shown} on average; "
            f"the published mean is {published}."
            if seconds is not None
            else f"No incident {this} has both a detection and a containment time to compare."
        )
    else:
        ours = metrics.get("dwell_median_days")
        shown = fmt.duration(None if ours is None else ours * fmt.DAY_S, none="no incidents")
        statement = (
            f"Median dwell time {this}: {shown}, against {published}."
            if ours is not None
            else f"No dwell time {this}: no incident with a known first activity."
        )
    if data.metrics is None:
        statement = "No figures for this period."
    return Comparison(
        benchmark_id=benchmark.id,
        compares_with=benchmark.compares_with,
        title=benchmark.title,
        citation=benchmark.citation,
        definition=benchmark.definition,
        figures=figures,
        ours=ours,
        ours_display=shown,
        ours_band=band,
        at_least_hours=benchmark.at_least_hours,
        statement=statement,
    )


# -- the whole report ----------------------------------------------------------------------------


def _coverage(data: ReportData) -> str:
    if data.metrics is None or data.metrics.get("days_with_data") is None:
        return "No data for this period"
    return f"Logs for {data.metrics['days_with_data']} of {len(data.period.days)} days"


def build_report(data: ReportData) -> Report:
    """The report's content for one organisation and period."""
    timezone = data.org.timezone
    listed = (data.incidents + data.earlier)[:INCIDENTS_LISTED]
    built = [_incident(row, data, n < TIMELINE_INCIDENTS) for n, row in enumerate(listed)]
    incidents, earlier = built[: len(data.incidents)], built[len(data.incidents) :]
    longest = sorted(data.outages, key=lambda o: -(o.get("period_minutes") or 0))[:OUTAGES_LISTED]
    shown = {o["outage_id"] for o in longest}
    outages = [_outage(row, timezone) for row in data.outages if row["outage_id"] in shown]
    notes = [
        f"Times are local to the organisation: {timezone} ({fmt.utc_offset(timezone, data.period.start)})."
    ]
    if len(data.incidents) + len(data.earlier) > len(listed):
        notes.append(
            f"{len(data.incidents) + len(data.earlier):,} incidents: the {INCIDENTS_LISTED} most serious are "
            "listed; the lake's incidents table has them all."
        )
    if any(i.timeline_note for i in built):
        notes.append(
            f"Long timelines are shortened (the first {TIMELINE_HEAD} and last {TIMELINE_TAIL} entries and up to "
            f"{TIMELINE_ALERTS} alerts between them, texts and raw lines cut at {RAW_CHARS} characters, "
            f"timelines for the {TIMELINE_INCIDENTS} most serious incidents); the lake keeps every line."
        )
    if len(outages) < len(data.outages):
        notes.append(
            f"{len(data.outages):,} outages: the {OUTAGES_LISTED} longest are shown; the lake's downtime table "
            "has them all."
        )
    return Report(
        org_id=data.org.id,
        org_name=data.org.name,
        region=data.org.region,
        timezone=timezone,
        utc_offset=fmt.utc_offset(timezone, data.period.start),
        period=data.period.kind,
        start=data.period.start,
        end=data.period.end,
        label=data.period.label,
        this=data.period.this,
        last=data.period.last,
        start_utc=data.start_utc,
        end_utc=data.end_utc,
        generated_at=data.generated_at,
        generated=fmt.local_stamp(data.generated_at, timezone),
        seclake_version=SECLAKE_VERSION,
        coverage=_coverage(data),
        status=status(data),
        summary=summarise(data),
        tiles=_tiles(data),
        days=_days(data),
        trend=_trend(data),
        outages=outages,
        outages_total=len(data.outages),
        top_attackers=_top(data.metrics, "top_attackers"),
        top_targeted_services=_top(data.metrics, "top_targeted_services"),
        top_malware=_top(data.metrics, "top_malware"),
        incidents=incidents,
        incidents_total=len(data.incidents),
        earlier=earlier,
        earlier_total=len(data.earlier),
        recommendations=recommend(data),
        comparisons=[_comparison(b, data) for b in data.benchmarks],
        notes=notes,
        metrics=data.metrics,
    )
