"""sql/downtime_explicit.sql: down/up pairs stated by the logs, on hand-made system events."""

from __future__ import annotations

import datetime as dt

from seclake.downtime import UP_BURST
from tests.downtime.helpers import DAY, asa, at, clamd, connect_with, make_config, params, rows, run

COLUMNS = "cause, device, subject, down_at, up_at, detail, evidence_line"


def explicit(events: list[dict], day: dt.date = DAY, **settings: str) -> list[dict]:
    config = make_config(**settings)
    con = connect_with(events, config)
    run(con, "downtime_explicit", params(config, day), up_burst_s=UP_BURST.total_seconds())
    return rows(con, f"SELECT {COLUMNS} FROM explicit_outages ORDER BY down_at, cause, subject")


def test_no_events_no_outage() -> None:
    assert explicit([]) == []


def test_admin_down_then_admin_and_line_up_is_one_outage_ending_at_the_line_protocol_up() -> None:
    found = explicit(
        [
            asa(at(DAY, "02:28:33"), "411004", "servers"),
            asa(at(DAY, "02:28:34"), "411002", "servers"),
            asa(at(DAY, "04:50:54"), "411003", "servers"),
            asa(at(DAY, "04:50:57"), "411001", "servers"),
        ]
    )
    assert found == [
        {
            "cause": "interface_down",
            "device": "fw",
            "subject": "servers",
            "down_at": at(DAY, "02:28:33"),
            "up_at": at(DAY, "04:50:57"),
            "detail": "interface servers administratively down",
            "evidence_line": 1,
        }
    ]


def test_an_outage_with_no_up_yet_is_open() -> None:
    (outage,) = explicit([asa(at(DAY, "15:20:42"), "411002", "outside")])
    assert outage["up_at"] is None and outage["detail"] == "interface outside line protocol down"


def test_a_link_flap_is_several_outages() -> None:
    flap = [("08:56:57", "08:57:25"), ("08:59:07", "08:59:51"), ("09:00:37", "09:00:47")]
    events = [asa(at(DAY, t), m, "dmz") for down, up in flap for t, m in ((down, "411002"), (up, "411001"))]
    found = explicit(events)
    assert [(o["down_at"], o["up_at"]) for o in found] == [(at(DAY, d), at(DAY, u)) for d, u in flap]


def test_an_up_long_after_the_first_up_is_not_part_of_the_recovery() -> None:
    found = explicit(
        [
            asa(at(DAY, "10:00:00"), "411002", "dmz"),
            asa(at(DAY, "10:05:00"), "411001", "dmz"),
            asa(at(DAY, "10:05:40"), "411003", "dmz"),
            asa(at(DAY, "12:00:00"), "411001", "dmz"),
        ]
    )
    assert [(o["down_at"], o["up_at"]) for o in found] == [(at(DAY, "10:00:00"), at(DAY, "10:05:40"))]


def test_interfaces_and_devices_pair_separately_and_device_case_does_not_matter() -> None:
    found = explicit(
        [
            asa(at(DAY, "10:00:00"), "411002", "dmz", device="FW"),
            asa(at(DAY, "10:01:00"), "411002", "servers"),
            asa(at(DAY, "10:02:00"), "411001", "dmz", device="fw"),
            asa(at(DAY, "10:03:00"), "411002", "dmz", device="fw2"),
        ]
    )
    assert [(o["device"], o["subject"], o["up_at"]) for o in found] == [
        ("FW", "dmz", at(DAY, "10:02:00")),
        ("fw", "servers", None),
        ("fw2", "dmz", None),
    ]


def test_a_down_before_the_day_is_found_within_the_history_and_not_beyond() -> None:
    yesterday, long_ago = DAY - dt.timedelta(days=1), DAY - dt.timedelta(days=20)
    found = explicit(
        [
            asa(at(long_ago, "09:00:00"), "411002", "dmz"),
            asa(at(yesterday, "22:00:00"), "411002", "outside"),
            asa(at(DAY, "01:30:00"), "411001", "outside"),
        ]
    )
    assert [(o["subject"], o["down_at"], o["up_at"]) for o in found] == [
        ("outside", at(yesterday, "22:00:00"), at(DAY, "01:30:00"))
    ]


def test_nothing_after_the_day_is_read() -> None:
    tomorrow = DAY + dt.timedelta(days=1)
    (outage,) = explicit(
        [asa(at(DAY, "23:00:00"), "411002", "dmz"), asa(at(tomorrow, "01:00:00"), "411001", "dmz")]
    )
    assert outage["up_at"] is None


def test_remote_access_vpn_session_ends_and_clamd_starts_are_not_outages() -> None:
    found = explicit(
        [
            asa(at(DAY, "10:00:00"), "113019", "GroupPolicy_AnyConnect", user="alice", src_ip="198.51.100.7"),
            asa(at(DAY, "10:00:00"), "722023", "GroupPolicy_AnyConnect", user="alice", src_ip="198.51.100.7"),
            asa(at(DAY, "10:00:01"), "716002", "GroupPolicy_AnyConnect", user="alice", src_ip="198.51.100.7"),
            asa(at(DAY, "10:05:00"), "713050", "198.51.100.8", user="bob"),
            clamd(at(DAY, "08:00:00"), "STARTED"),
        ]
    )
    assert found == []


def test_a_site_to_site_tunnel_is_down_from_termination_to_phase_2_completed() -> None:
    found = explicit(
        [
            asa(at(DAY, "11:00:00"), "713050", "203.0.113.9", rule_name="203.0.113.9"),
            asa(at(DAY, "11:20:00"), "713119", "203.0.113.9"),
            asa(at(DAY, "11:20:01"), "713120", "203.0.113.9", user="203.0.113.9"),
        ]
    )
    assert [(o["cause"], o["subject"], o["down_at"], o["up_at"], o["detail"]) for o in found] == [
        (
            "vpn_tunnel_down",
            "203.0.113.9",
            at(DAY, "11:00:00"),
            at(DAY, "11:20:01"),
            "site-to-site VPN tunnel to 203.0.113.9 down",
        )
    ]


def test_a_failover_is_an_outage_only_when_the_other_unit_takes_over() -> None:
    found = explicit(
        [
            asa(at(DAY, "09:00:00"), "104003", "Primary", message="(Primary) Switching to FAILED."),
            asa(at(DAY, "09:00:12"), "104001", "Secondary"),
            asa(at(DAY, "13:00:00"), "104003", "Secondary", message="(Secondary) Switching to FAILED."),
            asa(at(DAY, "14:00:00"), "104004", "Secondary"),
            asa(at(DAY, "16:00:00"), "105005", "Primary"),
        ]
    )
    assert [(o["cause"], o["down_at"], o["up_at"], o["detail"]) for o in found] == [
        ("failover", at(DAY, "09:00:00"), at(DAY, "09:00:12"), "failover: (Primary) Switching to FAILED.")
    ]


def test_a_clamd_stop_is_a_service_stop_until_it_starts_again() -> None:
    (outage,) = explicit([clamd(at(DAY, "12:00:00"), "STOPPED"), clamd(at(DAY, "12:03:00"), "STARTED")])
    assert (outage["cause"], outage["device"], outage["subject"], outage["up_at"], outage["detail"]) == (
        "service_stop",
        "srv1",
        "clamd",
        at(DAY, "12:03:00"),
        "clamd stopped",
    )
