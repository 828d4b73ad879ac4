"""Single SQL files of the incidents and metrics steps, on hand-made tables."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import pytest

from seclake.detection.sandbox import MACROS
from seclake.sqlfiles import run_sql

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def connection(**tables: list[dict]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(MACROS)
    con.execute("SET TimeZone = 'UTC'")
    for name, rows in tables.items():
        con.register(f"{name}_rows", pa.Table.from_pylist(rows))
        con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_rows")
    return con


def labels(con: duckdb.DuckDBPyConnection, gap_s: float) -> dict[str, int]:
    run_sql(con, "incidents_group", gap_s=gap_s)
    for _ in range(10):
        run_sql(con, "incidents_propagate")
        con.execute("CREATE OR REPLACE TEMP TABLE alert_labels AS SELECT * FROM alert_labels_next")
    return dict(con.execute("SELECT alert_id, label FROM alert_labels").fetchall())


def test_links_are_transitive_and_the_gap_splits() -> None:
    alerts = [
        {"alert_id": "a", "first_seen": T0, "last_seen": T0, "detected_at": T0},
        {"alert_id": "b", "first_seen": T0 + HOUR, "last_seen": T0 + HOUR, "detected_at": T0 + HOUR},
        {
            "alert_id": "c",
            "first_seen": T0 + 2 * HOUR,
            "last_seen": T0 + 2 * HOUR,
            "detected_at": T0 + 2 * HOUR,
        },
        {
            "alert_id": "d",
            "first_seen": T0 + 9 * HOUR,
            "last_seen": T0 + 9 * HOUR,
            "detected_at": T0 + 9 * HOUR,
        },
    ]
    keys = [
        {"alert_id": "a", "domain": "security", "key": "src_ip:x"},
        {"alert_id": "b", "domain": "security", "key": "src_ip:x"},
        {"alert_id": "b", "domain": "security", "key": "asset:srv"},
        {"alert_id": "c", "domain": "security", "key": "asset:srv"},
        {"alert_id": "d", "domain": "security", "key": "asset:srv"},  # 7 h after c: beyond the gap
    ]
    found = labels(connection(alerts_in=alerts, alert_keys=keys), gap_s=4 * 3600)
    assert found["a"] == found["b"] == found["c"] == 1 and found["d"] == 4


def test_the_same_key_in_another_domain_does_not_link() -> None:
    alerts = [
        {"alert_id": "a", "first_seen": T0, "last_seen": T0, "detected_at": T0},
        {"alert_id": "b", "first_seen": T0, "last_seen": T0, "detected_at": T0 + HOUR},
    ]
    keys = [
        {"alert_id": "a", "domain": "security", "key": "rule_name:servers"},
        {"alert_id": "b", "domain": "availability", "key": "rule_name:servers"},
    ]
    found = labels(connection(alerts_in=alerts, alert_keys=keys), gap_s=4 * 3600)
    assert found["a"] != found["b"]


@pytest.mark.parametrize(
    ("minutes", "band"),
    [
        (None, None),
        (0.5, "under 1 h"),
        (59.99, "under 1 h"),
        (60, "1-4 h"),
        (299.9, "1-4 h"),
        (300, "5-8 h"),
        (1019, "9-16 h"),
        (1020, "17-24 h"),
        (1499, "17-24 h"),
        (1500, "over 24 h"),
    ],
)
def test_downtime_bands_round_hours_down(minutes: float | None, band: str | None) -> None:
    con = duckdb.connect()
    run_sql(con, "downtime_band")
    assert con.execute("SELECT downtime_band($m::DOUBLE)", {"m": minutes}).fetchone()[0] == band


def outage(asset: str, down: dt.datetime, up: dt.datetime | None, minutes: float, **extra: object) -> dict:
    return {
        "org": "o",
        "date": down.date(),
        "outage_id": f"{asset}{down:%H%M}",
        "asset": asset,
        "down_at": down,
        "up_at": up,
        "minutes": minutes,
        "band": "1-4 h",
        "breach_caused": False,
        "breach_minutes": 0.0,
        "incident_id": None,
        **extra,
    }


def test_metrics_downtime_unions_overlaps_and_counts_an_outage_still_down() -> None:
    rows = [
        outage("srv", T0, T0 + 2 * HOUR, 120.0),
        outage(
            "srv", T0 + HOUR, T0 + 3 * HOUR, 120.0, breach_caused=True, breach_minutes=100.0, incident_id="i"
        ),
        outage("pc", T0 + 14 * HOUR, None, 120.0),  # no "up" yet: counted to the end of the data (minutes)
    ]
    con = connection(downtime=rows)
    run_sql(con, "downtime_band")
    day_start = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    run_sql(
        con,
        "metrics_downtime",
        org="o",
        first=day_start.date(),
        last=day_start.date(),
        start_ts=day_start,
        end_ts=day_start + 24 * HOUR,
        asset_count=4,
        period_minutes=1440.0,
    )
    row = con.sql("SELECT * FROM metrics_downtime").to_arrow_table().to_pylist()[0]
    assert row["downtime_minutes"] == 180.0 + 120.0
    assert row["downtime_breach_minutes"] == 100.0
    assert row["availability_pct"] == 100 * (1 - 300 / (4 * 1440))
    assert row["worst_breach_downtime_minutes"] == 100.0 and row["worst_breach_band"] == "1-4 h"
