"""Incidents on the generated demo against its ground truth: one incident a scenario, right kind,
assets and times (each within a minute of the truth)."""

from __future__ import annotations

from pathlib import Path

import pytest

from seclake.views import connect
from tests.incidents.truth import incidents_of, seconds_apart

KIND = {
    "vpn_bruteforce_success": "account_compromise",
    "interface_outage": "availability",
    "link_flap": "availability",
    "malware_spreading": "outbreak",
    "malware_outbreak": "outbreak",
    "port_scan": "scan",
    "malware_quarantined": "malware",
    "av_update_failing": "av_health",
    "av_protection_disabled": "av_health",
}
TIMES = {
    "first_activity": "first_activity",
    "detected_at": "detectable",
    "contained_at": "contained",
    "resolved_at": "resolved",
}
TOLERANCE_S = 60.0


def test_every_scenario_is_one_incident_with_the_true_kind_assets_and_times(demo_lake) -> None:
    con = connect(Path(demo_lake.config.lake_root))
    assert demo_lake.truth["scenarios"]
    for scenario in demo_lake.truth["scenarios"]:
        found = incidents_of(con, scenario)
        assert len(found) == 1, (scenario["id"], [i["title"] for i in found])
        (incident,) = found
        assert incident["kind"] == KIND[scenario["kind"]], scenario["id"]
        assert sorted(incident["assets"]) == sorted(scenario["assets"]), scenario["id"]
        for column, truth_key in TIMES.items():
            apart = seconds_apart(incident[column], scenario[truth_key])
            assert apart is not None and apart <= TOLERANCE_S, (scenario["id"], column, incident[column])
        expected_status = (
            "resolved" if scenario["resolved"] else "contained" if scenario["contained"] else "open"
        )
        assert incident["status"] == expected_status, scenario["id"]


def test_every_demo_incident_id_is_stable_across_its_daily_snapshots(demo_lake) -> None:
    by_id: dict[str, set] = {}
    for result in demo_lake.incidents:
        for row in result.incidents.select(["incident_id", "first_activity", "detected_at"]).to_pylist():
            by_id.setdefault(row["incident_id"], set()).add((row["first_activity"], row["detected_at"]))
    assert by_id and all(len(firsts) == 1 for firsts in by_id.values())


@pytest.mark.parametrize("column", ["time_to_detect_s", "time_to_contain_s", "time_to_resolve_s"])
def test_response_times_are_differences_of_the_incident_times(demo_lake, column: str) -> None:
    con = connect(Path(demo_lake.config.lake_root))
    start, end = {
        "time_to_detect_s": ("first_activity", "detected_at"),
        "time_to_contain_s": ("detected_at", "contained_at"),
        "time_to_resolve_s": ("detected_at", "resolved_at"),
    }[column]
    wrong = con.execute(
        f"SELECT count(*) FROM incidents WHERE {column} IS DISTINCT FROM epoch({end}) - epoch({start})"
    ).fetchone()[0]
    assert wrong == 0


def test_every_outage_has_its_true_minutes_per_asset_and_breach_split(demo_lake) -> None:
    con = connect(Path(demo_lake.config.lake_root))
    outages = [s for s in demo_lake.truth["scenarios"] if s.get("outages")]
    assert outages
    for scenario in outages:
        truth_minutes = sum(o["minutes"] for o in scenario["outages"])
        rows = con.execute(
            "SELECT asset, sum(day_minutes), bool_and(breach_caused), bool_or(breach_caused), "
            "sum(breach_minutes), any_value(incident_id) FROM downtime "
            "WHERE org = ? AND down_at BETWEEN ?::TIMESTAMPTZ AND ?::TIMESTAMPTZ AND service IS NULL GROUP BY asset",
            [scenario["org"], scenario["outages"][0]["down"], scenario["outages"][-1]["down"]],
        ).fetchall()
        whole_assets = {row[0] for row in rows}
        assert whole_assets <= set(scenario["assets"]) and whole_assets, scenario["id"]
        for asset, minutes, all_breach, any_breach, breach_minutes, incident_id in rows:
            assert abs(minutes - truth_minutes) <= 1.0, (scenario["id"], asset, minutes)
            caused = scenario["breach_caused"]
            assert all_breach == any_breach == caused, (scenario["id"], asset)
            assert abs(breach_minutes - (truth_minutes if caused else 0.0)) <= 1.0, (scenario["id"], asset)
            if caused:
                (cause,) = [s for s in demo_lake.truth["scenarios"] if s["id"] == scenario["caused_by"]]
                assert incident_id in [i["incident_id"] for i in incidents_of(con, cause)]
