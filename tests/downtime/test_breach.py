"""sql/downtime_breach.sql: day clipping, bands, outage ids and breach attribution."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from seclake.tables import DOWNTIME_BANDS, INCIDENT_KINDS, NOT_ATTACK_KINDS
from tests.downtime.helpers import (
    DAY,
    ORG,
    at,
    connect_with,
    create,
    explicit_rows,
    incidents_table,
    make_config,
    params,
    run,
)

YESTERDAY, TOMORROW = DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1)


def outages(
    explicit: list[dict],
    incidents: list[dict] = (),
    day: dt.date = DAY,
    silence: list[dict] = (),
    data_end: dt.datetime | None = None,
) -> list[dict]:
    config = make_config()
    con = connect_with([], config)
    create(con, "explicit_rows", explicit_rows(explicit))
    create(con, "silence_rows", explicit_rows(list(silence)))
    create(con, "incident_snapshots", incidents_table(list(incidents)))
    return run(con, "downtime_breach", params(config, day, data_end), not_breach_kinds=list(NOT_ATTACK_KINDS))


def test_an_outage_across_midnight_has_one_id_and_each_day_its_own_minutes() -> None:
    down = at(YESTERDAY, "22:00")
    (before,) = outages([{"asset": "srv1", "down_at": down}], day=YESTERDAY)
    (after,) = outages([{"asset": "srv1", "down_at": down, "up_at": at(DAY, "02:00")}])
    key = f"{ORG}|srv1||interface_down|{YESTERDAY.isoformat()}T22:00:00.000000Z"
    assert before["outage_id"] == after["outage_id"] == hashlib.sha256(key.encode()).hexdigest()[:16]
    assert (before["up_at"], before["minutes"], before["day_minutes"]) == (None, 120.0, 120.0)
    assert (after["up_at"], after["minutes"], after["day_minutes"]) == (at(DAY, "02:00"), 240.0, 120.0)
    assert (after["criticality"], after["org"], after["device"], after["evidence_line"]) == (
        "high",
        ORG,
        "fw",
        1,
    )


def test_an_open_outage_counts_to_the_end_of_the_data() -> None:
    (row,) = outages([{"asset": "web", "down_at": at(DAY, "15:00")}], data_end=at(DAY, "16:30"))
    assert (row["minutes"], row["day_minutes"], row["band"]) == (90.0, 90.0, "1-4 h")


def test_outages_that_do_not_touch_the_day_are_not_its_rows() -> None:
    assert outages([]) == []
    found = outages(
        [
            {"asset": "srv1", "down_at": at(YESTERDAY, "10:00"), "up_at": at(YESTERDAY, "11:00")},
            {"asset": "web", "down_at": at(DAY, "23:59:59"), "up_at": at(TOMORROW, "01:00")},
        ]
    )
    assert [(r["asset"], r["minutes"], r["day_minutes"]) for r in found] == [
        ("web", pytest.approx(60 + 1 / 60), pytest.approx(1 / 60))
    ]


def test_bands_are_whole_hours_rounded_down() -> None:
    cases = {59.99: "under 1 h", 60: "1-4 h", 299.99: "1-4 h", 300: "5-8 h", 539.99: "5-8 h", 540: "9-16 h",
             1019.99: "9-16 h", 1020: "17-24 h", 1499.99: "17-24 h", 1500: "over 24 h"}  # fmt: skip
    up = at(DAY, "12:00")
    found = outages(
        [
            {"asset": "srv1", "subject": str(m), "down_at": up - dt.timedelta(minutes=m), "up_at": up}
            for m in cases
        ]
    )
    assert {round(r["minutes"], 2): r["band"] for r in found} == cases
    assert set(cases.values()) == set(DOWNTIME_BANDS)


def test_overlapping_outages_on_one_asset_are_separate_rows() -> None:
    found = outages(
        [
            {"asset": "srv1", "down_at": at(DAY, "10:00"), "up_at": at(DAY, "12:00")},
            {"asset": "srv1", "cause": "failover", "subject": "", "down_at": at(DAY, "11:00"), "up_at": at(DAY, "11:05")},
        ]
    )  # fmt: skip
    assert [(r["cause"], r["minutes"]) for r in found] == [("interface_down", 120.0), ("failover", 5.0)]
    assert len({r["outage_id"] for r in found}) == 2


FAILOVER = [
    {
        "asset": asset,
        "cause": "failover",
        "subject": "",
        "down_at": at(DAY, "10:00"),
        "up_at": at(DAY, "12:00"),
    }
    for asset in ("srv1", "web")
]
"""One outage taking down two assets."""


def incident(**columns: object) -> dict:
    return {"incident_id": "inc-1", "assets": ["web"], "first_activity": at(DAY, "09:00"),
            "last_activity": at(DAY, "10:20"), "resolved_at": at(DAY, "10:30"), "date": DAY} | columns  # fmt: skip


def test_every_asset_of_an_outage_overlapping_an_incident_on_one_of_them_is_breach_caused() -> None:
    found = outages(FAILOVER, [incident()])
    assert [(r["asset"], r["breach_caused"], r["incident_id"], r["breach_minutes"]) for r in found] == [
        ("srv1", True, "inc-1", 45.0),
        ("web", True, "inc-1", 45.0),
    ]


def test_the_margin_reaches_an_incident_that_ended_just_before() -> None:
    (row, _) = outages(FAILOVER, [incident(resolved_at=at(DAY, "09:50"))])
    assert (row["breach_caused"], row["breach_minutes"]) == (True, 5.0)
    (row, _) = outages(FAILOVER, [incident(resolved_at=at(DAY, "09:40"))])
    assert (row["breach_caused"], row["breach_minutes"], row["incident_id"]) == (False, 0.0, None)


def test_incidents_on_other_assets_or_of_non_attack_kinds_cause_nothing() -> None:
    found = outages(
        FAILOVER,
        [
            incident(incident_id="a", assets=["pc1"]),
            incident(incident_id="b", kind="availability", assets=["srv1", "web"]),
            incident(incident_id="c", kind="policy"),
            incident(incident_id="d", kind="av_health"),
        ],
    )
    assert [r["breach_caused"] for r in found] == [False, False]


def test_the_latest_snapshot_up_to_the_day_counts_and_later_ones_are_not_read() -> None:
    snapshots = [
        incident(date=YESTERDAY, kind="policy"),
        incident(date=DAY, resolved_at=None, last_activity=at(DAY, "11:00")),
        incident(date=TOMORROW, kind="availability"),
    ]
    (row, _) = outages(FAILOVER, snapshots)
    assert (row["incident_id"], row["breach_minutes"]) == ("inc-1", 75.0)


def test_an_open_incident_lasts_to_the_end_of_the_data() -> None:
    (row, _) = outages(FAILOVER, [incident(resolved_at=None, last_activity=None)])
    assert row["breach_minutes"] == 120.0


def test_of_several_incidents_the_one_overlapping_longest_is_the_cause() -> None:
    found = outages(
        FAILOVER,
        [
            incident(incident_id="short", assets=["srv1"]),
            incident(incident_id="long", first_activity=at(DAY, "10:30"), resolved_at=at(DAY, "13:00")),
        ],
    )
    assert [(r["incident_id"], r["breach_minutes"]) for r in found] == [("long", 105.0), ("long", 105.0)]


def test_a_silence_is_its_own_outage() -> None:
    silence = {"asset": "srv1", "service": "smb", "cause": "silence", "device": None, "subject": "srv1 smb",
               "down_at": at(DAY, "10:00"), "up_at": at(DAY, "11:00")}  # fmt: skip
    (row,) = outages([], [incident(assets=["srv1"])], silence=[silence])
    assert (row["cause"], row["service"], row["breach_caused"], row["breach_minutes"]) == (
        "silence",
        "smb",
        True,
        45.0,
    )


def test_the_kinds_that_are_not_attacks_are_incident_kinds() -> None:
    assert set(NOT_ATTACK_KINDS) < set(INCIDENT_KINDS)
