"""The metrics step on small hand-made lakes: periods, counts, response times, downtime, hosts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from seclake.metrics import build_metrics, period_range
from seclake.tables import INCIDENT_SCHEMA, OUTAGE_SCHEMA, metrics_path, org_day_path
from tests.incidents.lake import DAY, ORG, alert, at, make_config, write_alerts, write_events


def test_periods_are_the_day_its_iso_week_and_its_month() -> None:
    assert period_range("day", DAY) == (DAY, DAY)
    assert period_range("week", dt.date(2026, 3, 4)) == (dt.date(2026, 3, 2), dt.date(2026, 3, 8))
    assert period_range("month", dt.date(2026, 2, 10)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


def incident(incident_id: str, kind: str, detected: dt.datetime, ttd: float, ttc: float | None) -> dict:
    row = {name: None for name in INCIDENT_SCHEMA.names}
    row.update(
        incident_id=incident_id,
        org=ORG,
        title=kind,
        severity="high",
        kind=kind,
        status="contained" if ttc is not None else "open",
        first_activity=detected - dt.timedelta(seconds=ttd),
        detected_at=detected,
        contained_at=detected + dt.timedelta(seconds=ttc) if ttc is not None else None,
        time_to_detect_s=ttd,
        time_to_contain_s=ttc,
    )
    return row


def outage(
    asset: str, down: dt.datetime, minutes: float, breach: float = 0.0, service: str | None = None
) -> dict:
    row = {name: None for name in OUTAGE_SCHEMA.names}
    row.update(
        outage_id=f"{asset}-{service}-{down:%H%M}",
        org=ORG,
        asset=asset,
        service=service,
        cause="interface_down",
        down_at=down,
        up_at=down + dt.timedelta(minutes=minutes),
        minutes=minutes,
        day_minutes=minutes,
        breach_caused=breach > 0,
        breach_minutes=breach,
        incident_id="i1" if breach else None,
        band="1-4 h" if minutes >= 60 else "under 1 h",
    )
    return row


def write(root: Path, table: str, schema: pa.Schema, rows: list[dict], day: dt.date = DAY) -> None:
    path = org_day_path(root / "lake", table, ORG, day)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


def test_a_day_with_incidents_outages_and_malware(tmp_path: Path) -> None:
    write_events(
        tmp_path,
        [
            {
                "time": at(DAY, "09:00:00"),
                "event_class": "malware_detection",
                "action": "quarantined",
                "host": "PC1",
                "malware_name": "Eicar",
            },
            {
                "time": at(DAY, "11:00:00"),
                "event_class": "malware_detection",
                "action": "detected",
                "host": "pc1",
                "malware_name": "Eicar",
            },
            {
                "time": at(DAY, "12:00:00"),
                "event_class": "network_activity",
                "action": "deny",
                "src_ip": "203.0.113.5",
                "dst_ip": "198.51.100.1",
                "dst_port": 443,
                "protocol": "tcp",
            },
            {
                "time": at(DAY, "12:01:00"),
                "event_class": "network_activity",
                "action": "deny",
                "src_ip": "203.0.113.6",
                "dst_ip": "10.0.2.10",
                "dst_port": 3389,
                "protocol": "tcp",
            },
        ],
    )
    write_alerts(
        tmp_path,
        DAY,
        [
            alert("fw-port-scan-vertical", "src_ip", "203.0.113.5", at(DAY, "12:00:00")),
            alert("av-detection", "host", "pc1", at(DAY, "11:00:00"), severity="high"),
        ],
    )
    write(
        tmp_path,
        "incidents",
        INCIDENT_SCHEMA,
        [
            incident("i1", "malware", at(DAY, "10:00:00"), 600, 1200),
            incident("i2", "scan", at(DAY, "12:00:00"), 60, None),
            incident("i3", "availability", at(DAY, "13:00:00"), 0, None),
            incident("i4", "policy", at(DAY, "14:00:00"), 0, 0),  # an audit finding, not an attack
        ],
    )
    write(
        tmp_path,
        "downtime",
        OUTAGE_SCHEMA,
        [
            outage("srv1", at(DAY, "10:00:00"), 120, breach=90),
            outage("srv1", at(DAY, "11:00:00"), 120),  # overlaps the first: srv1 is down 10:00-13:00
            outage("fw", at(DAY, "20:00:00"), 30, service="vpn"),
        ],
    )
    result = build_metrics(make_config(tmp_path), ORG, DAY)
    day, week, month = result.rows.to_pylist()
    assert (day["period"], week["start"], month["start"]) == ("day", dt.date(2026, 3, 2), dt.date(2026, 3, 1))
    assert day["events"] == 4 and day["days_with_data"] == 1
    assert day["alerts"] == 2 and day["alerts_by_severity"] == [
        {"name": "high", "count": 1},
        {"name": "medium", "count": 1},
    ]
    assert day["incidents"] == 4 and day["incidents_open"] == 4  # none resolved by the end of the day
    # availability and policy incidents do not count in the response times
    assert day["mttd_s"] == 330.0 and day["mttd_median_s"] == 330.0 and day["mttc_s"] == 1200.0
    assert day["dwell_median_days"] == 330.0 / 86400
    assert day["downtime_minutes"] == 180.0 + 30.0 and day["downtime_breach_minutes"] == 90.0
    assert round(day["availability_pct"], 4) == round(100 * (1 - 210 / (3 * 1440)), 4)
    assert (day["longest_outage_minutes"], day["longest_outage_asset"]) == (120.0, "srv1")
    assert (day["worst_breach_downtime_minutes"], day["worst_breach_band"]) == (90.0, "1-4 h")
    assert day["hosts_infected"] == ["pc1"] and day["hosts_reinfected"] == ["pc1"]
    assert day["unprotected_assets"] == ["srv1"]  # pc1 has AV events, srv1 none
    assert day["top_malware"] == [{"name": "Eicar", "count": 1}]
    assert day["top_attackers"] == [{"name": "203.0.113.5", "count": 1}]
    assert day["top_targeted_services"] == [{"name": "tcp/3389", "count": 1}, {"name": "vpn", "count": 1}]
    assert pq.read_table(metrics_path(tmp_path / "lake", ORG, "week", dt.date(2026, 3, 2))).num_rows == 1


def test_an_empty_lake_gives_zero_counts_and_null_times(tmp_path: Path) -> None:
    day = build_metrics(make_config(tmp_path), ORG, DAY).rows.to_pylist()[0]
    assert day["events"] == 0 and day["incidents"] == 0 and day["days_with_data"] == 0
    assert day["mttd_s"] is None and day["mttr_median_s"] is None and day["longest_outage_minutes"] is None
    # no downtime partition: downtime is unknown, not 0 minutes
    assert day["downtime_minutes"] is None and day["availability_pct"] is None
    assert day["hosts_infected"] == [] and day["unprotected_assets"] == ["pc1", "srv1"]
