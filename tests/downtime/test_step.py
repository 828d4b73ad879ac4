"""build_downtime over a tiny lake: the partitions it writes, across midnight, on re-runs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow.parquet as pq

from seclake.downtime import build_downtime
from seclake.tables import OUTAGE_SCHEMA, manifest_for, org_day_path
from tests.downtime.helpers import DAY, ORG, asa, at, every, hit, make_config, write_incidents, write_lake

SINGAPORE = "Asia/Singapore"
"""UTC+8: the local day DAY is [DAY-1 16:00, DAY 16:00) UTC."""
YESTERDAY = DAY - dt.timedelta(days=1)


def lake_with_an_outage_across_local_midnight(root: Path) -> None:
    """servers down from 23:00 to 01:00 Singapore time (15:00-17:00 UTC the day before DAY), a dmz
    interface of a device not in the inventory, and traffic all along so the data covers both days."""
    background = every(at(YESTERDAY, "00:00"), at(DAY + dt.timedelta(days=1), "00:00"), dt.timedelta(minutes=10),
                       lambda t: hit(t, "93.184.216.34", 443))  # fmt: skip
    outage = [
        asa(at(YESTERDAY, "15:00"), "411002", "servers"),
        asa(at(YESTERDAY, "15:30"), "411002", "dmz", device="fw9"),
        asa(at(YESTERDAY, "17:00"), "411001", "servers"),
    ]
    write_lake(root, background + outage)


def test_an_outage_across_local_midnight_is_in_both_days_with_one_id(tmp_path: Path) -> None:
    config = make_config(tmp_path, timezone=SINGAPORE)
    lake_with_an_outage_across_local_midnight(tmp_path)
    first = build_downtime(config, ORG, YESTERDAY)
    second = build_downtime(config, ORG, DAY)
    (before,) = first.outages.to_pylist()
    (after,) = second.outages.to_pylist()
    assert before["outage_id"] == after["outage_id"] and before["asset"] == "srv1"
    assert (before["up_at"], before["minutes"], before["day_minutes"]) == (None, 60.0, 60.0)
    assert (after["up_at"], after["minutes"], after["day_minutes"]) == (at(YESTERDAY, "17:00"), 120.0, 60.0)
    written = pq.read_table(org_day_path(Path(config.lake_root), "downtime", ORG, DAY))
    assert written.schema.equals(OUTAGE_SCHEMA) and written.to_pylist() == second.outages.to_pylist()


def test_the_manifest_says_what_was_read_and_what_could_not_be_named(tmp_path: Path) -> None:
    config = make_config(tmp_path, timezone=SINGAPORE)
    lake_with_an_outage_across_local_midnight(tmp_path)
    result = build_downtime(config, ORG, YESTERDAY)
    lake = Path(config.lake_root)
    manifest = manifest_for(lake, "downtime", org_day_path(lake, "downtime", ORG, YESTERDAY), "downtime")
    record = json.loads(manifest.read_text())
    assert record["run_id"] == result.run_id and record["rows"] == 1
    assert record["data_end"] == "2026-03-10T16:00:00+00:00"
    assert record["rows_by_cause"] == {"interface_down": 1} and record["breach_caused_rows"] == 0
    assert record["incidents_read"] is False and record["settings"]["history"] == "14d"
    assert [(u["device"], u["subject"], u["up_at"]) for u in record["unattributed"]] == [("fw9", "dmz", None)]


def test_re_running_a_day_gives_the_same_rows_even_after_later_days_arrive(tmp_path: Path) -> None:
    config = make_config(tmp_path, timezone=SINGAPORE)
    lake_with_an_outage_across_local_midnight(tmp_path)
    first = build_downtime(config, ORG, YESTERDAY)
    write_incidents(tmp_path, DAY, [{"incident_id": "later", "assets": ["srv1"], "first_activity": at(YESTERDAY, "14:00"),
                                     "resolved_at": at(YESTERDAY, "18:00")}])  # fmt: skip
    again = build_downtime(config, ORG, YESTERDAY)
    assert again.outages.equals(first.outages) and again.run_id != first.run_id


def test_an_incident_snapshot_in_the_lake_makes_the_outage_breach_caused(tmp_path: Path) -> None:
    config = make_config(tmp_path, timezone=SINGAPORE)
    lake_with_an_outage_across_local_midnight(tmp_path)
    write_incidents(tmp_path, DAY, [{"incident_id": "inc-7", "assets": ["srv1"], "first_activity": at(YESTERDAY, "14:00"),
                                     "resolved_at": at(YESTERDAY, "16:30")}])  # fmt: skip
    result = build_downtime(config, ORG, DAY)
    (row,) = result.outages.to_pylist()
    assert (row["breach_caused"], row["incident_id"], row["breach_minutes"]) == (True, "inc-7", 45.0)
    assert result.incidents_read is True


def test_a_lake_without_events_gets_an_empty_partition(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    result = build_downtime(config, ORG, DAY)
    assert result.outages.num_rows == 0 and result.data_end is None
    assert pq.read_table(org_day_path(Path(config.lake_root), "downtime", ORG, DAY)).num_rows == 0
