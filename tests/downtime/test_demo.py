"""Downtime on a generated demo against its ground truth: every labelled outage, its assets, its
minutes (within a minute) and whether a breach caused it.

The demo's firewall logs are ingested; the incidents partitions are built here from the ground
truth (the attacks as security incidents, the outages as availability incidents, as the incidents
step reports them), so this test depends on ingest and on nothing after it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

import pytest

from seclake.config import Config, load_config
from seclake.demo import generate
from seclake.detection.engine import day_bounds
from seclake.downtime import build_downtime
from seclake.ingest import ingest
from tests.downtime.helpers import write_incidents

START, DAYS = dt.date(2026, 11, 10), 3
ORGS = ("saigon-trading", "merlion-clinic", "harbour-dental")
KINDS = {"malware_spreading": "outbreak", "vpn_bruteforce_success": "account_compromise"}
TOLERANCE_MIN = 1.0


def utc(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def truth_incidents(scenario: dict) -> dict:
    """The incident the incidents step makes of a scenario (its times from the ground truth); its
    snapshots are written on every day from its start."""
    return {
        "incident_id": scenario["id"],
        "org": scenario["org"],
        "kind": KINDS.get(scenario["kind"], "availability"),
        "assets": scenario["assets"],
        "first_activity": utc(scenario["first_activity"]),
        "last_activity": utc(scenario["contained"] or scenario["first_activity"]),
        "resolved_at": utc(scenario["resolved"]),
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, dict, list]:
    root = tmp_path_factory.mktemp("downtime-demo")
    demo_set = generate(root, seed=7, start=START, days=DAYS, scale=0.3)
    config = load_config(demo_set.config)
    truth = json.loads(demo_set.ground_truth.read_text())
    for org in ORGS:
        incidents = [truth_incidents(s) for s in truth["scenarios"] if s["org"] == org]
        for day in demo_set.dates:
            ingest(config, org, day, source_id="fw")
            day_end = day_bounds(day, config.organisation(org).timezone)[1]
            write_incidents(root, day, [i for i in incidents if i["first_activity"] < day_end], org=org)
    results = [build_downtime(config, org, day) for org in ORGS for day in demo_set.dates]
    return config, truth, results


def latest_rows(results: list) -> dict[str, dict]:
    """Each outage row as its latest partition has it (the day it ended), by outage_id, with the
    sum of its day_minutes over the partitions."""
    latest, day_minutes = {}, defaultdict(float)
    for result in results:
        for row in result.outages.to_pylist():
            latest[row["outage_id"]] = row | {"org": result.org}
            day_minutes[row["outage_id"]] += row["day_minutes"]
    return {key: row | {"all_day_minutes": day_minutes[key]} for key, row in latest.items()}


def test_every_labelled_outage_is_found_with_its_assets_minutes_and_breach(demo) -> None:
    _, truth, results = demo
    rows = latest_rows(results)
    labelled = [(s, o) for s in truth["scenarios"] if s["org"] in ORGS for o in s.get("outages") or []]
    assert len(labelled) >= 7
    matched = set()
    for scenario, outage in labelled:
        down = utc(outage["down"])
        found = [
            r for r in rows.values()
            if r["org"] == scenario["org"] and abs((r["down_at"] - down).total_seconds()) <= 60
        ]  # fmt: skip
        assert sorted({r["asset"] for r in found}) == sorted(scenario["assets"]), scenario["id"]
        for row in found:
            assert abs(row["minutes"] - outage["minutes"]) <= TOLERANCE_MIN, (scenario["id"], row)
            assert abs(row["all_day_minutes"] - row["minutes"]) < 1e-6, (scenario["id"], row)
            assert row["breach_caused"] is outage["breach_caused"], (scenario["id"], row)
            assert row["cause"] == "interface_down" and row["up_at"] is not None
        matched |= {r["outage_id"] for r in found}
    assert matched == set(rows), "outages the truth does not label"


def test_breach_caused_minutes_are_the_malware_outage_and_nothing_else(demo) -> None:
    _, truth, results = demo
    (malware,) = [s for s in truth["scenarios"] if s["kind"] == "malware_spreading"]
    (servers,) = [s for s in truth["scenarios"] if s["id"] == "merlion-clinic/outage-servers"]
    breach = [r for result in results for r in result.outages.to_pylist() if r["breach_caused"]]
    assert sorted(r["asset"] for r in breach) == ["dc01", "fs01"]
    for row in breach:
        assert row["incident_id"] == malware["id"]
        assert abs(row["breach_minutes"] - servers["outages"][0]["minutes"]) <= TOLERANCE_MIN
    others = [r for result in results for r in result.outages.to_pylist() if not r["breach_caused"]]
    assert others and all(r["breach_minutes"] == 0.0 and r["incident_id"] is None for r in others)


def test_the_saigon_outage_crossing_local_midnight_is_in_both_days(demo) -> None:
    _, truth, results = demo
    (scenario,) = [s for s in truth["scenarios"] if s["id"] == "saigon-trading/outage-outside"]
    days = {r.date: r.outages.to_pylist() for r in results if r.org == "saigon-trading"}
    first, second = START + dt.timedelta(days=1), START + dt.timedelta(days=2)
    assert {r["asset"] for r in days[first]} == {r["asset"] for r in days[second]} == set(scenario["assets"])
    assert all(r["up_at"] is None for r in days[first]) and all(r["up_at"] for r in days[second])
    assert {r["outage_id"] for r in days[first]} == {r["outage_id"] for r in days[second]}
    assert {r["service"] for r in days[first] if r["asset"] == "fw-sgt"} == {
        "anyconnect-vpn",
        "anyconnect-dtls",
    }
