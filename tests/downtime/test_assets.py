"""sql/downtime_assets.sql: which inventory assets and services each explicit outage takes down."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from seclake.tables import UTC_TIME
from tests.downtime.helpers import DAY, at, connect_with, create, make_config, params, rows, run

YESTERDAY = DAY - dt.timedelta(days=1)
OUTAGE = pa.schema(
    [("cause", pa.string()), ("device", pa.string()), ("subject", pa.string()), ("down_at", UTC_TIME),
     ("up_at", UTC_TIME), ("detail", pa.string()), ("evidence_file", pa.string()), ("evidence_line", pa.int64())]
)  # fmt: skip


def taken_down(outages: list[dict]) -> tuple[list[tuple], list[dict]]:
    """(cause, subject, asset, service) of every explicit row; the unattributed outages of the day."""
    config = make_config()
    con = connect_with([], config)
    defaults = {"down_at": at(DAY, "10:00"), "up_at": at(DAY, "11:00"), "detail": "d", "evidence_file": "fw.log",
                "evidence_line": 1}  # fmt: skip
    create(con, "explicit_outages", pa.Table.from_pylist([defaults | o for o in outages], schema=OUTAGE))
    unattributed = run(con, "downtime_assets", params(config))
    found = rows(con, "SELECT cause, subject, asset, service FROM explicit_rows ORDER BY ALL")
    return [tuple(r.values()) for r in found], unattributed


def test_an_interface_takes_down_the_assets_in_its_network_and_the_device_services_on_it() -> None:
    found, unattributed = taken_down(
        [
            {"cause": "interface_down", "device": "FW", "subject": "Outside"},
            {"cause": "interface_down", "device": "fw.acme.local", "subject": "servers"},
        ]
    )
    assert found == [
        ("interface_down", "Outside", "fw", "vpn"),
        ("interface_down", "Outside", "web", None),
        ("interface_down", "servers", "srv1", None),
    ]
    assert unattributed == []


def test_a_failover_takes_down_the_device_and_everything_behind_it() -> None:
    found, _ = taken_down([{"cause": "failover", "device": "fw", "subject": ""}])
    assert [asset for _, _, asset, _ in found] == ["fw", "srv1", "web"]
    assert all(service is None for *_, service in found)


def test_a_tunnel_takes_down_its_peer_and_a_clamd_stop_only_the_anti_virus_of_its_host() -> None:
    found, unattributed = taken_down(
        [
            {"cause": "vpn_tunnel_down", "device": "fw", "subject": "203.0.113.9"},
            {"cause": "service_stop", "device": "SRV1", "subject": "clamd"},
            {"cause": "service_stop", "device": "pc1", "subject": "clamd"},
        ]
    )
    assert found == [
        ("service_stop", "clamd", "srv1", "clamd"),
        ("vpn_tunnel_down", "203.0.113.9", "branch-gw", None),
    ]
    assert [(o["device"], o["subject"]) for o in unattributed] == [("pc1", "clamd")]  # not in pc1's inventory


def test_outages_of_the_day_with_unknown_devices_interfaces_or_peers_are_listed_unattributed() -> None:
    found, unattributed = taken_down(
        [
            {"cause": "interface_down", "device": "fw2", "subject": "outside"},
            {"cause": "interface_down", "device": "fw", "subject": "guest"},
            {"cause": "vpn_tunnel_down", "device": "fw", "subject": "192.0.2.77"},
            {
                "cause": "interface_down",
                "device": "fw",
                "subject": "guest",
                "down_at": at(YESTERDAY, "10:00"),
                "up_at": at(YESTERDAY, "11:00"),
            },
            {"cause": "interface_down", "device": "fw", "subject": "dmz"},
        ]
    )
    assert found == [("interface_down", "dmz", "web", None)]
    assert [(o["cause"], o["device"], o["subject"]) for o in unattributed] == [
        ("interface_down", "fw", "guest"),
        ("interface_down", "fw2", "outside"),
        ("vpn_tunnel_down", "fw", "192.0.2.77"),
    ]
