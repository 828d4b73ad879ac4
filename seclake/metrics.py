"""The metrics step: one row of figures per organisation and period (day, week, month).

``build_metrics(config, org_id, date)`` computes the day of ``date``, its ISO week (Monday to
Sunday) and its month, each from the period's first day to ``date`` (a week or month in progress
is "to date"), from the lake's events, quarantine, alerts, incidents and downtime tables
(``sql/metrics_*.sql``, one concern a file; the definitions are in their headers and in the README
glossary), and writes each row to ``metrics/org=/period=/start=`` (seclake.tables.METRICS_SCHEMA).
A table a step has not written yet counts as empty, so metrics never fail for a missing step;
a figure with no data behind it is null, never 0.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from seclake.config import Config, Organisation
from seclake.detection.engine import ALERT_SCHEMA, day_bounds
from seclake.detection.sandbox import MACROS
from seclake.inventory import inventory_tables
from seclake.lake import new_run_id
from seclake.schema import EVENT_SCHEMA, QUARANTINE_SCHEMA
from seclake.sqlfiles import run_sql
from seclake.storage import Store, open_lake
from seclake.tables import (
    INCIDENT_SCHEMA,
    METRICS_SCHEMA,
    NOT_ATTACK_KINDS,
    OUTAGE_SCHEMA,
    PERIODS,
    manifest_key,
    metrics_key,
    org_day_key,
    write_partition,
)
from seclake.views import add_empty_views, connect

LAKE_TABLES: dict[str, pa.Schema] = {
    "events": EVENT_SCHEMA,
    "quarantine": QUARANTINE_SCHEMA,
    "alerts": ALERT_SCHEMA,
    "incidents": INCIDENT_SCHEMA,
    "downtime": OUTAGE_SCHEMA,
}
"""The tables metrics read, with the schema of the empty stand-in used before a step has run."""
PARTS = ("metrics_activity", "metrics_response", "metrics_downtime", "metrics_hosts")
DOWNTIME_COLUMNS = (
    "downtime_minutes",
    "downtime_breach_minutes",
    "availability_pct",
    "longest_outage_minutes",
    "longest_outage_asset",
    "longest_outage_band",
    "worst_breach_downtime_minutes",
    "worst_breach_band",
)
"""Figures the downtime step provides: null for a period it never ran on."""


@dataclass
class MetricsResult:
    """The outcome of the metrics step for one organisation and day: its day, week and month rows."""

    org: str
    date: dt.date
    run_id: str
    rows: pa.Table


def period_range(period: str, date: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last org-local day of the ``period`` containing ``date``."""
    if period == "day":
        return date, date
    if period == "week":
        monday = date - dt.timedelta(days=date.weekday())
        return monday, monday + dt.timedelta(days=6)
    if period == "month":
        return date.replace(day=1), date.replace(day=calendar.monthrange(date.year, date.month)[1])
    raise ValueError(f"unknown period {period!r} (use one of {', '.join(PERIODS)})")


def periods_of(days: Iterable[tuple[str, dt.date]], periods: Iterable[str]) -> list[tuple[str, str, dt.date]]:
    """(org, period, day) once per organisation and period that holds one of the (org, day)
    ``days``, as of the latest of them in it; sorted by org, period and the period's start."""
    latest: dict[tuple[str, str, dt.date], dt.date] = {}
    for org, day in days:
        for period in periods:
            key = (org, period, period_range(period, day)[0])
            latest[key] = max(day, latest.get(key, day))
    return [(org, period, day) for (org, period, _), day in sorted(latest.items())]


def _downtime_measured(lake: Store, org_id: str, period: str, date: dt.date) -> bool:
    first, last = period_range(period, date)
    days = (first + dt.timedelta(days=n) for n in range((min(last, date) - first).days + 1))
    return any(lake.exists(org_day_key("downtime", org_id, day)) for day in days)


def compute_metrics(
    con: duckdb.DuckDBPyConnection,
    org: Organisation,
    period: str,
    date: dt.date,
    *,
    downtime_measured: bool = True,
) -> pa.Table:
    """The one-row metrics table of ``org`` for the ``period`` containing ``date``, up to ``date``.

    ``downtime_measured`` False (the downtime step wrote no partition in the period) makes the
    downtime figures null.
    """
    first, last = period_range(period, date)
    so_far = min(last, date)
    start_ts, end_ts = day_bounds(first, org.timezone)[0], day_bounds(so_far, org.timezone)[1]
    params = {
        "org": org.id,
        "first": first,
        "last": so_far,
        "start_ts": start_ts,
        "end_ts": end_ts,
        "asset_count": len(org.assets),
        "period_minutes": (end_ts - start_ts).total_seconds() / 60,
        "not_attack_kinds": list(NOT_ATTACK_KINDS),
    }
    for part in PARTS:
        run_sql(con, part, **params)
    row = con.sql(
        "SELECT $org AS org, $period AS period, $first AS start, $last AS end, * "
        "FROM metrics_activity, metrics_response, metrics_downtime, metrics_hosts",
        params={"org": org.id, "period": period, "first": first, "last": last},
    ).to_arrow_table()
    if not downtime_measured:  # no downtime partition in the period: unknown, not 0 minutes
        for column in DOWNTIME_COLUMNS:
            index = row.schema.get_field_index(column)
            row = row.set_column(index, column, pa.nulls(1, row.schema.field(column).type))
    return row.select(METRICS_SCHEMA.names).cast(METRICS_SCHEMA)


def build_metrics(config: Config, org_id: str, date: dt.date) -> MetricsResult:
    """Compute and write the day, week and month metrics rows of ``date``; see the module doc."""
    org = config.organisation(org_id)
    lake = open_lake(config)
    run_id = new_run_id()
    con = connect(lake)
    try:
        con.execute(MACROS)
        run_sql(con, "downtime_band")
        add_empty_views(con, LAKE_TABLES)
        inventory_tables(con, org)
        rows = [
            compute_metrics(
                con, org, period, date, downtime_measured=_downtime_measured(lake, org.id, period, date)
            )
            for period in PERIODS
        ]
    finally:
        con.close()
    for period, row in zip(PERIODS, rows, strict=True):
        start = period_range(period, date)[0]
        final = metrics_key(org.id, period, start)
        manifest = manifest_key("metrics", final, "metrics")
        write_partition(
            lake, final, row, run_id, manifest, {"org": org.id, "period": period, "as_of": date.isoformat()}
        )
    return MetricsResult(org.id, date, run_id, pa.concat_tables(rows))
