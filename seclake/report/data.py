"""What a report reads from the lake: one organisation's metrics, incidents and outages for a period.

Definitions:

- **period**: an org-local ``day``; an ISO ``week`` (Monday to Sunday) or a calendar ``month``
  containing the given date (as the metrics step cuts them). Its UTC bounds are the org-local
  midnights at both ends. A period in progress has metrics "to date".
- **previous period**: the period of the same kind just before (the day, ISO week or month before).
- **metrics**: the metrics table's row of the period and of the previous period; a missing row
  means "no data" (never zeros). The period's day rows feed the per-day charts, and the rows of
  the last ``TREND_PERIODS`` periods of the same kind the response-time trend.
- **incidents of the period**: those detected in it, as the metrics count them; listed apart, the
  incidents detected earlier and not resolved when it began (``sql/report_period_incidents.sql``). Each with its **status at the period's end**: resolved when resolved before the end,
  contained when contained before the end, open otherwise.
- **outages of the period**: every outage touching one of its days, once, with the minutes inside
  the period (``sql/report_period_outages.sql``).

Everything goes through ``seclake.views.connect`` (DuckDB views over the lake); a table with no
data yet reads as no rows.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

import duckdb

from seclake.benchmarks import Benchmark, benchmarks_path, load_benchmarks
from seclake.config import Config, Organisation
from seclake.metrics import period_range
from seclake.sqlfiles import sql_text
from seclake.storage import open_lake
from seclake.views import connect, views

TREND_PERIODS = {"day": 14, "week": 8, "month": 6}
"""How many periods (this one included) the response-time trend shows."""

Row = dict[str, Any]


@dataclass(frozen=True)
class Period:
    """An org-local day, ISO week or calendar month: ``start`` and ``end`` are both included."""

    kind: str
    start: dt.date
    end: dt.date

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> Period:
        """The period of this kind that contains ``day`` (``seclake.metrics.period_range``)."""
        return cls(kind, *period_range(kind, day))

    def previous(self) -> Period:
        """The period of the same kind just before."""
        return Period.containing(self.kind, self.start - dt.timedelta(days=1))

    def back(self, periods: int) -> Period:
        """The period ``periods`` periods before this one."""
        period = self
        for _ in range(periods):
            period = period.previous()
        return period

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def utc_bounds(self, timezone: str) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) in UTC: the org-local midnight starting the first day and ending the last."""
        zone = zoneinfo.ZoneInfo(timezone)
        start = dt.datetime.combine(self.start, dt.time(0), zone)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(0), zone)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    @property
    def label(self) -> str:
        """'Tuesday 17 November 2026', 'Week 47: 16-22 November 2026', 'November 2026'."""
        if self.kind == "day":
            return self.start.strftime("%A %-d %B %Y")
        if self.kind == "month":
            return self.start.strftime("%B %Y")
        week = self.start.isocalendar().week
        if self.start.month == self.end.month:
            span = f"{self.start.day}\u2013{self.end.strftime('%-d %B %Y')}"
        elif self.start.year == self.end.year:
            span = f"{self.start.strftime('%-d %b')} \u2013 {self.end.strftime('%-d %b %Y')}"
        else:
            span = f"{self.start.strftime('%-d %b %Y')} \u2013 {self.end.strftime('%-d %b %Y')}"
        return f"Week {week}: {span}"

    @property
    def this(self) -> str:
        """How a sentence names the period: 'this week', 'on Tue 17 Nov'."""
        return self.start.strftime("on %a %-d %b") if self.kind == "day" else f"this {self.kind}"

    @property
    def last(self) -> str:
        """How a sentence names the previous period: 'last week', 'the day before'."""
        return "the day before" if self.kind == "day" else f"last {self.kind}"


@dataclass(frozen=True)
class ReportData:
    """Everything one report shows, as read from the lake."""

    org: Organisation
    period: Period
    start_utc: dt.datetime
    end_utc: dt.datetime
    metrics: Row | None
    previous: Row | None
    days: dict[dt.date, Row]
    trend: list[Row]
    incidents: list[Row]
    earlier: list[Row]
    """Incidents detected before the period and not resolved when it began."""
    outages: list[Row]
    benchmarks: list[Benchmark]
    generated_at: dt.datetime

    def status_at_end(self, incident: Row) -> str:
        """An incident's status at the period's end, from its times."""
        if incident.get("resolved_at") is not None and incident["resolved_at"] < self.end_utc:
            return "resolved"
        if incident.get("contained_at") is not None and incident["contained_at"] < self.end_utc:
            return "contained"
        return "open"

    def open_serious(self) -> list[Row]:
        """High and critical incidents (of the period or from before) still open at its end."""
        return [
            i
            for i in self.incidents + self.earlier
            if i["severity"] in ("high", "critical") and self.status_at_end(i) == "open"
        ]


def _rows(con: duckdb.DuckDBPyConnection, table: str, query: str, params: dict[str, Any]) -> list[Row]:
    if table not in views(con):
        return []
    return con.sql(sql_text(f"report_{query}"), params=params).to_arrow_table().to_pylist()


def metrics_rows(
    con: duckdb.DuckDBPyConnection, org: str, kind: str, first: dt.date, last: dt.date
) -> list[Row]:
    """The metrics rows of an organisation and period kind starting in [first, last], oldest first."""
    return _rows(con, "metrics", "metrics_rows", {"org": org, "period": kind, "first": first, "last": last})


def load_report_data(
    config: Config, org_id: str, kind: str, day: dt.date, *, now: dt.datetime | None = None
) -> ReportData:
    """Read one organisation's report for the period of ``kind`` containing ``day``."""
    org = config.organisation(org_id)
    period = Period.containing(kind, day)
    start_utc, end_utc = period.utc_bounds(org.timezone)
    con = connect(open_lake(config))
    try:
        trend = metrics_rows(con, org.id, kind, period.back(TREND_PERIODS[kind] - 1).start, period.start)
        by_start = {row["start"]: row for row in trend}
        days = metrics_rows(con, org.id, "day", period.start, period.end)
        incidents = _rows(
            con, "incidents", "period_incidents", {"org": org.id, "start": start_utc, "end": end_utc}
        )
        outages = _rows(
            con, "downtime", "period_outages", {"org": org.id, "first": period.start, "last": period.end}
        )
    finally:
        con.close()
    return ReportData(
        org=org,
        period=period,
        start_utc=start_utc,
        end_utc=end_utc,
        metrics=by_start.get(period.start),
        previous=by_start.get(period.previous().start),
        days={row["start"]: row for row in days},
        trend=trend,
        incidents=[i for i in incidents if i["detected_in_period"]],
        earlier=[i for i in incidents if not i["detected_in_period"]],
        outages=outages,
        benchmarks=load_benchmarks(benchmarks_path(config)),
        generated_at=now or dt.datetime.now(dt.UTC),
    )
