"""The demo end to end: generated logs → ingest → detect, checked against the ground truth."""

from __future__ import annotations

from pathlib import Path

from seclake.parsers.contract import HEADER_LINE
from seclake.views import connect


def test_every_demo_line_becomes_an_event(demo_lake) -> None:
    demo, results = demo_lake.demo, demo_lake.ingested
    assert len(results) == len(demo.files)
    assert sum(r.lines_read for r in results) == sum(f.lines for f in demo.files)
    for result in results:
        headers = result.reasons.get(HEADER_LINE, 0)  # a W3C log's header lines are not events
        assert result.quarantined == headers, (result.partition.key, dict(result.reasons))
        assert result.events + headers == result.lines_read and not result.errors
        assert result.quarantine_share == 0.0


def test_scenario_evidence_is_in_the_lake(demo_lake) -> None:
    config, truth = demo_lake.config, demo_lake.truth
    con = connect(Path(config.lake_root))
    for scenario in truth["scenarios"]:
        entity = scenario["entity"]
        if scenario["kind"] == "port_scan":
            ports = con.execute(
                "SELECT count(DISTINCT dst_port) FROM events WHERE org = ? AND src_ip = ? AND action IN ('deny', 'drop')",
                [scenario["org"], entity["value"]],
            ).fetchone()[0]
            assert ports >= 100, scenario["id"]
        if scenario["kind"] == "vpn_bruteforce_success":
            failures = con.execute(
                "SELECT count(*) FROM events WHERE org = ? AND event_class = 'authentication' AND action = 'failure' "
                "AND time BETWEEN ?::TIMESTAMPTZ AND ?::TIMESTAMPTZ",
                [scenario["org"], scenario["first_activity"], scenario["success"]],
            ).fetchone()[0]
            assert failures == scenario["failed_logins"], scenario["id"]
        if scenario["kind"] in {"interface_outage", "link_flap"}:
            downs = con.execute(
                "SELECT count(*) FROM events WHERE org = ? AND event_class = 'system' AND action = 'down' AND rule_name = ?",
                [scenario["org"], entity["value"]],
            ).fetchone()[0]
            assert downs >= 1, scenario["id"]
        if scenario["kind"] in {"malware_quarantined", "malware_spreading", "malware_outbreak"}:
            found = con.execute(
                "SELECT count(*) FROM events WHERE org = ? AND event_class = 'malware_detection' AND host = ?",
                [scenario["org"], entity["value"]],
            ).fetchone()[0]
            assert found >= 1, scenario["id"]


def _scenario_entities(scenario: dict) -> set[str]:
    """Every name or address a scenario involves (what an alert about it may name)."""
    found = {scenario["entity"]["value"], scenario["entity"].get("user")}
    found |= set(scenario.get("assets", [])) | set(scenario.get("hosts", []))
    for key in ("target_ip", "download_from", "user", "signature", "device"):
        found.add(scenario.get(key))
    found.add(scenario.get("session", {}).get("assigned_ip"))
    return {str(v) for v in found if v}


def test_every_labelled_scenario_alerts_on_its_entity(demo_lake) -> None:
    detected, truth = demo_lake.detected, demo_lake.truth
    alerts = [a for result in detected for a in result.alerts.to_pylist()]
    for scenario in truth["scenarios"]:
        entity = scenario["entity"]["value"]
        hits = [a for a in alerts if a["org"] == scenario["org"] and a["entity"] == entity]
        assert hits, f"{scenario['id']}: no alert on {entity}"


def test_benign_background_raises_no_high_or_critical_alert(demo_lake) -> None:
    detected, truth = demo_lake.detected, demo_lake.truth
    involved = {}
    for scenario in truth["scenarios"]:
        involved.setdefault(scenario["org"], set()).update(_scenario_entities(scenario))
    serious = [
        a
        for result in detected
        for a in result.alerts.to_pylist()
        if a["severity"] in {"high", "critical"} and a["entity"] not in involved.get(a["org"], set())
    ]
    assert serious == [], [(a["org"], a["rule_id"], a["entity"], a["summary"]) for a in serious]
