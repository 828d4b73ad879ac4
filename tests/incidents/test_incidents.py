"""The incidents step on small hand-made lakes: grouping, linking, ids across days, response times."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq

from seclake.incidents import build_incidents, rule_kind
from seclake.tables import org_day_path
from seclake.views import connect
from tests.incidents.lake import DAY, ORG, alert, at, make_config, write_alerts, write_events

ATTACKER = "203.0.113.9"
NEXT = DAY + dt.timedelta(days=1)


def incidents(root: Path) -> list[dict]:
    """The incidents view (latest snapshot of each incident)."""
    return (
        connect(root / "lake")
        .sql("SELECT * FROM incidents ORDER BY detected_at")
        .to_arrow_table()
        .to_pylist()
    )


def scan_events(start: str, count: int, day: dt.date = DAY) -> list[dict]:
    base = at(day, start)
    return [
        {
            "time": base + dt.timedelta(seconds=i),
            "event_class": "network_activity",
            "action": "deny",
            "src_ip": ATTACKER,
            "dst_ip": "198.51.100.2",
            "dst_port": 1000 + i,
        }
        for i in range(count)
    ]


def test_no_alerts_writes_an_empty_snapshot(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    result = build_incidents(config, ORG, DAY)
    assert result.incidents.num_rows == 0
    assert pq.read_table(org_day_path(tmp_path / "lake", "incidents", ORG, DAY)).num_rows == 0
    assert (
        tmp_path / "lake" / "manifests" / "incidents" / f"org={ORG}" / f"date={DAY}" / "manifest.json"
    ).exists()


def test_alerts_on_one_entity_within_the_gap_are_one_incident(tmp_path: Path) -> None:
    write_events(tmp_path, scan_events("10:00:00", 60) + scan_events("17:00:00", 5))
    write_alerts(
        tmp_path,
        DAY,
        [
            alert("fw-many-denies-from-source", "src_ip", ATTACKER, at(DAY, "10:00:00"), severity="low"),
            alert(
                "fw-port-scan-vertical",
                "src_ip",
                ATTACKER,
                at(DAY, "10:00:00"),
                at(DAY, "10:00:49"),
                at(DAY, "10:00:59"),
                evidence=list(range(1, 61)),
            ),
            # 7 h later: beyond the 4 h gap, a second incident
            alert("fw-many-denies-from-source", "src_ip", ATTACKER, at(DAY, "17:00:00"), severity="low"),
        ],
    )
    build_incidents(make_config(tmp_path), ORG, DAY)
    first, second = incidents(tmp_path)
    assert first["alert_count"] == 2 and second["alert_count"] == 1
    assert first["severity"] == "medium" and first["title"] == "fw-port-scan-vertical title"
    assert first["kind"] == "scan" and first["entities"] == [f"src_ip:{ATTACKER}"]
    assert first["assets"] == []  # 198.51.100.2 is in no inventory
    assert first["first_activity"] == at(DAY, "10:00:00") and first["detected_at"] == at(DAY, "10:00:00")
    # nothing blocked it: contained and resolved at its last activity once an hour passed quietly
    assert first["containment"] == "last activity"
    assert first["contained_at"] == first["resolved_at"] == at(DAY, "10:00:59")
    assert first["status"] == "resolved" and first["time_to_contain_s"] == 59.0
    assert len(first["timeline"]) == 2 + 40  # both alerts, the first 40 evidence events
    assert first["timeline"][0]["kind"] == "alert" or first["timeline"][0]["raw_line"] == 1


def test_a_host_alert_and_a_firewall_alert_on_its_ip_link_through_the_inventory(tmp_path: Path) -> None:
    write_events(
        tmp_path,
        [
            {
                "time": at(DAY, "09:00:00"),
                "event_class": "malware_detection",
                "action": "detected",
                "host": "PC1",
                "malware_name": "Win.Trojan.Agent",
                "file_path": "C:/x.exe",
            },
            {
                "time": at(DAY, "09:05:00"),
                "event_class": "network_activity",
                "action": "allow",
                "src_ip": "10.0.1.21",
                "dst_ip": ATTACKER,
                "dst_port": 443,
                "bytes_total": 5000,
            },
        ],
    )
    write_alerts(
        tmp_path,
        DAY,
        [
            alert("av-detection", "host", "pc1", at(DAY, "09:00:00"), evidence=[1]),
            alert(
                "fw-threat-intel-match",
                "src_ip",
                "10.0.1.21",
                at(DAY, "09:05:00"),
                severity="high",
                evidence=[2],
            ),
        ],
    )
    build_incidents(make_config(tmp_path), ORG, DAY)
    (incident,) = incidents(tmp_path)
    assert incident["alert_count"] == 2 and incident["kind"] == "malware"
    assert incident["assets"] == ["pc1"] and incident["asset_criticality"] == "low"
    assert incident["malware"] == ["Win.Trojan.Agent"]
    assert incident["severity"] == "high"
    # the infected host was never remediated: not resolved, still open
    assert incident["status"] == "open" and incident["resolved_at"] is None


def test_an_incident_across_midnight_is_one_incident_and_reruns_change_nothing(tmp_path: Path) -> None:
    write_events(tmp_path, scan_events("23:30:00", 60) + scan_events("00:30:00", 60, NEXT))
    write_alerts(tmp_path, DAY, [alert("fw-port-scan-vertical", "src_ip", ATTACKER, at(DAY, "23:30:00"))])
    write_alerts(tmp_path, NEXT, [alert("fw-port-scan-vertical", "src_ip", ATTACKER, at(NEXT, "00:30:00"))])
    config = make_config(tmp_path)
    day_one = build_incidents(config, ORG, DAY).incidents
    day_two = build_incidents(config, ORG, NEXT).incidents
    assert day_one["incident_id"].to_pylist() == day_two["incident_id"].to_pylist()
    (incident,) = incidents(tmp_path)
    assert incident["alert_count"] == 2 and incident["first_activity"] == at(DAY, "23:30:00")
    assert incident["date"] == NEXT  # the latest snapshot
    again = build_incidents(config, ORG, DAY).incidents
    assert again.drop(["reported_at"]).equals(day_one.drop(["reported_at"]))
    assert again["reported_at"].equals(day_one["reported_at"])  # carried over, not re-stamped
    assert incidents(tmp_path)[0]["alert_count"] == 2


def test_an_attack_still_going_at_the_end_of_the_day_is_open(tmp_path: Path) -> None:
    write_events(tmp_path, scan_events("23:40:00", 60))
    write_alerts(tmp_path, DAY, [alert("fw-port-scan-vertical", "src_ip", ATTACKER, at(DAY, "23:40:00"))])
    (incident,) = build_incidents(make_config(tmp_path), ORG, DAY).incidents.to_pylist()
    assert incident["status"] == "open"
    assert incident["contained_at"] is None and incident["time_to_contain_s"] is None


def test_containment_by_quarantine_and_by_blocking_a_logged_in_attacker(tmp_path: Path) -> None:
    write_events(
        tmp_path,
        [
            {
                "time": at(DAY, "09:00:00"),
                "event_class": "malware_detection",
                "action": "detected",
                "host": "pc1",
                "malware_name": "Eicar",
            },
            {
                "time": at(DAY, "09:00:20"),
                "event_class": "malware_detection",
                "action": "quarantined",
                "host": "pc1",
                "malware_name": "Eicar",
            },
            {
                "time": at(DAY, "12:00:00"),
                "event_class": "authentication",
                "action": "success",
                "src_ip": ATTACKER,
                "user": "bob",
                "device": "fw",
            },
            {
                "time": at(DAY, "12:30:00"),
                "event_class": "network_activity",
                "action": "deny",
                "src_ip": ATTACKER,
                "dst_ip": "198.51.100.1",
                "dst_port": 443,
            },
            {
                "time": at(DAY, "15:00:00"),
                "event_class": "system",
                "action": "config_change",
                "message": f"access-list outside_in deny ip host {ATTACKER} any",
                "device": "fw",
            },
        ],
    )
    write_alerts(
        tmp_path,
        DAY,
        [
            alert("av-detection", "host", "pc1", at(DAY, "09:00:00"), evidence=[1]),
            alert(
                "fw-vpn-bruteforce-success",
                "src_ip",
                ATTACKER,
                at(DAY, "11:50:00"),
                at(DAY, "12:00:00"),
                severity="critical",
                evidence=[3],
            ),
        ],
    )
    build_incidents(make_config(tmp_path), ORG, DAY)
    malware, intrusion = incidents(tmp_path)
    assert malware["containment"] == "quarantined" and malware["contained_at"] == at(DAY, "09:00:20")
    assert malware["resolved_at"] == at(DAY, "09:00:20") and malware["status"] == "resolved"
    assert intrusion["kind"] == "account_compromise" and intrusion["assets"] == ["fw"]
    assert intrusion["containment"] == "blocked" and intrusion["contained_at"] == at(DAY, "12:30:00")
    assert intrusion["time_to_detect_s"] == 600.0 and intrusion["time_to_contain_s"] == 1800.0
    # the permanent block (a config change naming the attacker) resolves it
    assert intrusion["resolved_at"] == at(DAY, "15:00:00") and intrusion["time_to_resolve_s"] == 3 * 3600.0


def test_an_interface_outage_is_an_availability_incident_resolved_when_back_up(tmp_path: Path) -> None:
    def link(clock: str, state: str, message_id: str, day: dt.date = DAY) -> dict:
        return {
            "time": at(day, clock),
            "event_class": "system",
            "action": state,
            "device": "fw",
            "rule_name": "servers",
            "message_id": message_id,
            "vendor_action": state,
        }

    write_events(tmp_path, [link("22:00:00", "down", "411002"), link("01:10:00", "up", "411001", NEXT)])
    write_alerts(
        tmp_path, DAY, [alert("fw-interface-down", "rule_name", "servers", at(DAY, "22:00:00"), evidence=[1])]
    )
    write_alerts(tmp_path, NEXT, [])
    config = make_config(tmp_path)
    (still_down,) = build_incidents(config, ORG, DAY).incidents.to_pylist()
    assert still_down["kind"] == "availability" and still_down["assets"] == ["srv1"]
    assert still_down["status"] == "open" and still_down["resolved_at"] is None
    (back_up,) = build_incidents(config, ORG, NEXT).incidents.to_pylist()
    assert back_up["incident_id"] == still_down["incident_id"]
    assert back_up["resolved_at"] == at(NEXT, "01:10:00") and back_up["contained_at"] is None


def test_rule_tags_give_the_incident_kind() -> None:
    assert rule_kind(["antivirus", "malware", "outbreak"]) == "outbreak"
    assert (
        rule_kind(["firewall", "vpn", "brute-force", "credential-access", "initial-access"])
        == "account_compromise"
    )
    assert rule_kind(["firewall", "noise"]) == "other"
