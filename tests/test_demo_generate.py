"""The demo generator: determinism, config, and every labelled scenario's evidence in the logs.

The demo is generated once per module (its organisations x 2 days at a small background scale).
Every generated file is read back through the project's parser of its configured format (each
line must become an event, on the file's local day); the evidence tests then check each
scenario's events, in normalised form, against ground_truth.json.
"""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
import yaml

from seclake.demo import DemoSet, generate
from seclake.demo.orgs import ORGANISATIONS
from seclake.parsers import formats
from seclake.parsers.contract import HEADER_LINE, ParseContext

START = dt.date(2024, 11, 18)
DAYS = 2
SCALE = 0.1
SOURCES = sum(len(org.sources) for org in ORGANISATIONS)
"""Log sources over all demo organisations (one file each per day)."""

KINDS = {
    "port_scan",
    "vpn_bruteforce_success",
    "malware_quarantined",
    "malware_spreading",
    "malware_outbreak",
    "interface_outage",
    "link_flap",
    "av_update_failing",
    "av_protection_disabled",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSet:
    return generate(tmp_path_factory.mktemp("demo"), seed=7, start=START, days=DAYS, scale=SCALE)


@pytest.fixture(scope="module")
def truth(demo: DemoSet) -> dict:
    return json.loads(demo.ground_truth.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def config(demo: DemoSet) -> dict:
    return yaml.safe_load(demo.config.read_text(encoding="utf-8"))


def _lines(path: Path) -> list[str]:
    return gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()


def _iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def parsed(demo: DemoSet, config: dict) -> dict[tuple[str, str, dt.date], pl.DataFrame]:
    """Every generated file parsed by its configured format: (org, source, date) → events in file order."""
    by_org = {org["id"]: org for org in config["organisations"]}
    results = {}
    for file in demo.files:
        org = by_org[file.org]
        fmt = next(s["format"] for s in org["sources"] if s["id"] == file.source)
        lines = _lines(file.path)
        frame = pl.DataFrame({"raw": lines, "raw_file": str(file.path), "raw_line": range(1, len(lines) + 1)})
        result = formats()[fmt].parse(frame, ParseContext(file.org, file.source, file.date, org["timezone"]))
        not_events = result.quarantine.filter(pl.col("reason") != HEADER_LINE)  # a W3C log's header
        assert not_events.get_column("reason").to_list() == [], file.path
        assert result.events.height + result.quarantine.height == file.lines
        results[(file.org, file.source, file.date)] = result.events.sort("raw_line")
    return results


@pytest.fixture(scope="module")
def events(parsed: dict) -> dict[str, pl.DataFrame]:
    """Per org: every event of every source and day."""
    by_org: dict[str, list[pl.DataFrame]] = {}
    for (org, _, _), frame in parsed.items():
        by_org.setdefault(org, []).append(frame.select(EVENT_FIELDS))
    return {org: pl.concat(frames) for org, frames in by_org.items()}


EVENT_FIELDS = [
    "time", "source", "event_class", "action", "message_id", "message", "src_ip", "dst_ip", "dst_port",
    "src_zone", "dst_zone", "rule_name", "host", "user", "file_path", "malware_name",
]  # fmt: skip


def _times(frame: pl.DataFrame, *conditions: pl.Expr) -> list[dt.datetime]:
    return frame.filter(*conditions).sort("time").get_column("time").to_list()


def _one(truth: dict, kind: str, **match: object) -> dict:
    found = [
        s for s in truth["scenarios"] if s["kind"] == kind and all(s.get(k) == v for k, v in match.items())
    ]
    assert len(found) == 1, f"{kind} {match}: {len(found)} scenarios"
    return found[0]


# --- determinism -------------------------------------------------------------------------------


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_same_arguments_give_byte_identical_files_and_another_seed_differs(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", seed=11, start=START, days=DAYS, scale=0.02)
    second = generate(tmp_path / "b", seed=11, start=START, days=DAYS, scale=0.02)
    other = generate(tmp_path / "c", seed=12, start=START, days=DAYS, scale=0.02)
    a, b, c = _tree(first.root), _tree(second.root), _tree(other.root)
    assert len(a) == SOURCES * DAYS + 3  # logs, seclake.yaml, ground_truth.json, intel list
    assert a == b
    assert a.keys() == c.keys()
    assert a["ground_truth.json"] != c["ground_truth.json"]
    assert sum(a[name] != c[name] for name in a if name.startswith("logs/")) >= SOURCES * DAYS - 2


def test_fewer_than_two_days_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 2 days"):
        generate(tmp_path, start=START, days=1)


# --- config and demo set -----------------------------------------------------------------------


def test_config_has_the_documented_keys_and_points_at_the_files(demo: DemoSet, config: dict) -> None:
    assert config["lake"] == "lake"
    assert config["reports"] == "reports"
    assert {"ingest", "intel", "organisations"} <= config.keys()
    orgs = config["organisations"]
    assert [o["id"] for o in orgs] == list(demo.orgs)
    assert {o["timezone"] for o in orgs} >= {"Asia/Ho_Chi_Minh", "Asia/Singapore", "Europe/London"}
    formats_used = {s["format"] for o in orgs for s in o["sources"]}
    assert formats_used == {
        "cisco_asa", "fortigate", "panos", "pfsense_filterlog", "iptables", "windows_firewall",
        "clamav", "defender", "sophos_av",
    }  # fmt: skip
    for org, demo_org in zip(orgs, ORGANISATIONS, strict=True):
        assert re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,62}", org["id"])
        assert [(s["id"], s["format"]) for s in org["sources"]] == [
            (s.id, s.format) for s in demo_org.sources
        ]
        assert [s["id"] for s in org["sources"]][:2] == ["fw", "av"]
        for source in org["sources"]:
            assert source["format"] in formats()
            for day in demo.dates:
                path = source["path"].format(org=org["id"], date=day.isoformat())
                assert (demo.config.parent / path).is_file()
        kinds = [a["kind"] for a in org["assets"]]
        assert kinds.count("network") == 1 and kinds.count("server") == 4
        assert 10 <= kinds.count("workstation") <= 30
        for asset in org["assets"]:
            assert asset["criticality"] in {"low", "medium", "high", "critical"}
            assert asset["ips"] and asset["hostnames"]
        services = {(s["name"], s["port"]) for a in org["assets"] for s in a["services"]}
        assert {
            ("https", 443),
            ("smtp", 25),
            ("rdp", 3389),
            ("smb", 445),
            ("anyconnect-vpn", 443),
        } <= services


def test_config_loads_with_the_project_loader(demo: DemoSet) -> None:
    config_module = pytest.importorskip("seclake.config")
    loaded = config_module.load_config(demo.config)
    assert [o.id for o in loaded.organisations] == list(demo.orgs)
    assert loaded.lake_root == str(demo.root.resolve() / "lake")


def test_demo_set_lists_every_file_with_its_line_count(demo: DemoSet, truth: dict) -> None:
    assert demo.dates == (START, START + dt.timedelta(days=1))
    assert len(demo.files) == SOURCES * DAYS
    for file in demo.files:
        assert file.path == demo.root / "logs" / file.org / file.source / f"{file.date}.log.gz"
        assert len(_lines(file.path)) == file.lines > 0
        assert truth["background"][file.org]["lines"][file.source][file.date.isoformat()] == file.lines
    fw_lines = [f.lines for f in demo.files if f.source == "fw"]
    assert all(200 <= n <= 3000 for n in fw_lines), fw_lines
    assert all(50 <= f.lines <= 1000 for f in demo.files if f.source == "av")


# --- every line parses, on its local day, in time order ------------------------------------------


def test_every_generated_line_parses_into_an_event_of_the_files_local_day(
    demo: DemoSet, parsed: dict
) -> None:
    for file in demo.files:
        events = parsed[(file.org, file.source, file.date)]
        assert events.height >= file.lines - 4  # all but a W3C header
        assert events["time"].null_count() == 0
        zone = next(o.timezone for o in ORGANISATIONS if o.id == file.org)
        assert events["time"].dt.convert_time_zone(zone).dt.date().unique().to_list() == [file.date]


def test_lines_are_in_time_order_but_for_a_few_relay_delays(parsed: dict) -> None:
    for frame in parsed.values():
        times = frame["time"].to_list()
        late = sum(b < a for a, b in itertools.pairwise(times))
        assert late <= max(3, len(times) // 300)


# --- scenarios ---------------------------------------------------------------------------------


def test_ground_truth_lists_every_kind_with_ordered_times_inside_the_period(
    truth: dict, demo: DemoSet
) -> None:
    scenarios = truth["scenarios"]
    assert {s["kind"] for s in scenarios} == KINDS
    assert len({s["id"] for s in scenarios}) == len(scenarios)
    assert len({s["org"] for s in scenarios}) == len(ORGANISATIONS)
    begin = dt.datetime.combine(START, dt.time(), dt.UTC) - dt.timedelta(hours=14)
    end = begin + dt.timedelta(days=DAYS, hours=28)
    for s in scenarios:
        times = [_iso(s[k]) for k in ("first_activity", "detectable", "contained", "resolved") if s[k]]
        assert times == sorted(times), s["id"]
        assert all(begin <= t <= end for t in times), s["id"]
        assert s["entity"]["value"] and s["assets"]
        assert s["evidence"] or (s["kind"] == "interface_outage" and s.get("breach_caused") is False)
    assert set(truth["thresholds"]) == KINDS


DENIED = pl.col("action").is_in(["deny", "drop", "reset"])
NETWORK = pl.col("event_class") == "network_activity"


@pytest.mark.parametrize("org", ["thames-accounting", "harbour-dental"])
def test_port_scan_hits_100_ports_within_5_minutes_and_noise_does_not(
    org: str, truth: dict, events: dict
) -> None:
    scan = _one(truth, "port_scan", org=org)
    attacker = scan["entity"]["value"]
    scanners = [s["entity"]["value"] for s in truth["scenarios"] if s["kind"] == "port_scan"]
    fw = events[scan["org"]].filter(pl.col("source") == "fw")
    probes = fw.filter(NETWORK, DENIED, pl.col("src_ip") == attacker)
    ports = set(probes["dst_port"].to_list())
    assert len(ports) >= 100
    assert len(ports) + len(scan["open_ports"]) == scan["distinct_ports"]
    assert probes["time"].max() - probes["time"].min() <= dt.timedelta(minutes=5)
    mentions = _times(fw, (pl.col("src_ip") == attacker) | (pl.col("dst_ip") == attacker))
    assert min(mentions) == _iso(scan["first_activity"]) and max(mentions) == _iso(scan["contained"])
    assert sum(e["lines"] for e in scan["evidence"]) == len(mentions)
    noise = (
        pl.concat([frame.filter(pl.col("source") == "fw") for frame in events.values()])
        .filter(NETWORK, DENIED, ~pl.col("src_ip").is_in(scanners), ~pl.col("src_ip").str.starts_with("10."))
        .group_by("src_ip")
        .agg(pl.col("dst_port").n_unique().alias("ports"))
    )
    assert noise.height and noise["ports"].max() <= 3


def test_vpn_bruteforce_has_30_failures_then_a_success_from_the_same_ip(truth: dict, events: dict) -> None:
    attack = _one(truth, "vpn_bruteforce_success")
    attacker, user = attack["entity"]["value"], attack["user"]
    fw = events[attack["org"]].filter(pl.col("source") == "fw")
    logins = fw.filter(pl.col("event_class") == "authentication", pl.col("src_ip") == attacker)
    failures = logins.filter(pl.col("action") == "failure").sort("time")
    times = failures["time"].to_list()
    assert len(times) == attack["failed_logins"] >= 30
    assert max(times) - min(times) <= dt.timedelta(minutes=12)
    assert min(times) == _iso(attack["first_activity"])
    assert failures["user"].n_unique() >= 3
    assert _iso(attack["detectable"]) == times[19]  # the 20th failure: the brute force shows
    success = _iso(attack["success"])
    assert success > max(times)
    succeeded = fw.filter(pl.col("event_class") == "authentication", pl.col("action") == "success")
    assert success in _times(succeeded, pl.col("user") == user)  # the AAA success names no address
    assigned = attack["session"]["assigned_ip"]
    assert fw.filter(NETWORK, pl.col("src_ip") == assigned).height >= 5
    logoff = _times(fw, pl.col("message").str.contains(f"vpn-sessiondb logoff name {user}", literal=True))
    assert logoff == [_iso(attack["contained"])]


def test_malware_quarantined_is_moved_within_a_minute(truth: dict, events: dict) -> None:
    case = _one(truth, "malware_quarantined")
    host = case["entity"]["value"]
    org = events[case["org"]]
    detections = org.filter(pl.col("event_class") == "malware_detection", pl.col("host") == host)
    found = _times(detections, pl.col("action") == "detected", pl.col("malware_name") == case["signature"])
    moved = _times(detections, pl.col("action").is_in(["quarantined", "cleaned", "deleted"]))
    assert found == [_iso(case["detectable"])]
    assert moved == [_iso(case["contained"])]
    assert dt.timedelta(0) < moved[0] - found[0] <= dt.timedelta(minutes=1)
    download = _times(org, NETWORK, pl.col("dst_ip") == case["download_from"], pl.col("dst_port") == 443)
    assert download and _iso(case["first_activity"]) <= download[0] <= found[0]


def test_malware_outbreak_reaches_three_hosts_within_the_hour(truth: dict, events: dict) -> None:
    case = _one(truth, "malware_outbreak")
    detections = events[case["org"]].filter(
        pl.col("event_class") == "malware_detection", pl.col("malware_name") == case["signature"]
    )
    found = detections.filter(pl.col("action") == "detected").sort("time")
    assert found["host"].to_list() == list(case["assets"]) and found.height == 3
    assert found["time"][0] == _iso(case["detectable"]) == _iso(case["first_activity"])
    assert found["time"][-1] - found["time"][0] < dt.timedelta(hours=1)
    remediated = _times(detections, pl.col("action").is_in(["quarantined", "cleaned"]))
    assert len(remediated) == 3
    assert remediated[0] == _iso(case["contained"]) and remediated[-1] == _iso(case["resolved"])


def test_malware_spreading_reaches_the_file_server_over_smb(truth: dict, events: dict) -> None:
    case = _one(truth, "malware_spreading")
    first, second = case["hosts"]
    org = events[case["org"]]
    detections = org.filter(pl.col("event_class") == "malware_detection")

    def on(host: str, *actions: str) -> list[dt.datetime]:
        return _times(detections, pl.col("host") == host, pl.col("action").is_in(actions))

    found_a, found_b = on(first, "detected"), on(second, "detected")
    assert found_a[0] == _iso(case["detectable"])
    assert on(first, "failed")[0] > found_a[0]
    assert found_b[0] == _iso(case["spread_detected"])
    assert dt.timedelta(minutes=20) <= found_b[0] - found_a[0] <= dt.timedelta(minutes=60)
    assert on(second, "failed")
    remediated = on(first, "quarantined", "cleaned")
    assert len(remediated) == 1 and remediated[0] > _iso(case["contained"])
    ip = {h["name"]: h["ip"] for h in truth["background"][case["org"]]["hosts"]}
    smb = org.filter(
        NETWORK,
        pl.col("src_ip") == ip[first],
        pl.col("dst_ip") == ip[second],
        pl.col("dst_port") == 445,
        pl.col("time").is_between(found_a[0], found_b[0]),
    )
    assert smb.height >= 5


def _state_changes(frame: pl.DataFrame, interface: str) -> list[tuple[dt.datetime, str]]:
    changes = frame.filter(pl.col("event_class") == "system", pl.col("rule_name") == interface)
    return changes.filter(pl.col("action").is_in(["up", "down"])).sort("time").select("time", "action").rows()


def _silent(frame: pl.DataFrame, interface: str, down: dt.datetime, up: dt.datetime) -> int:
    """Connections through an interface strictly inside a down window."""
    through = (pl.col("src_zone") == interface) | (pl.col("dst_zone") == interface)
    return frame.filter(NETWORK, through, pl.col("time") > down, pl.col("time") < up).height


def test_outside_outage_crosses_midnight_and_nothing_passes_outside_meanwhile(
    truth: dict, events: dict
) -> None:
    outage = _one(truth, "interface_outage", breach_caused=False, org="saigon-trading")
    assert outage["entity"]["value"] == "outside"
    window = outage["outages"][0]
    down, up = _iso(window["down"]), _iso(window["up"])
    assert 120 <= window["minutes"] == round((up - down).total_seconds() / 60, 2) <= 300
    zone = ZoneInfo(outage["timezone"])
    assert down.astimezone(zone).date() < up.astimezone(zone).date()
    fw = events[outage["org"]].filter(pl.col("source") == "fw")
    assert _state_changes(fw, "outside") == [(down, "down"), (up, "up")]
    assert _silent(fw, "outside", down, up) == 0
    outside = fw.filter(NETWORK, (pl.col("src_zone") == "outside") | (pl.col("dst_zone") == "outside"))
    assert _times(outside, pl.col("time") < down) and _times(outside, pl.col("time") > up)


def test_pfsense_wan_outage_is_logged_under_the_port_name_the_inventory_uses(
    truth: dict, events: dict, config: dict
) -> None:
    """pfSense names interfaces by port (igb0): the scenario, the link-state lines, the traffic
    zones and the inventory all say igb0, so the outage maps to the assets behind it."""
    outage = _one(truth, "interface_outage", breach_caused=False, org="harbour-dental")
    assert outage["entity"]["value"] == "igb0"
    window = outage["outages"][0]
    down, up = _iso(window["down"]), _iso(window["up"])
    assert 120 <= window["minutes"] <= 300
    fw = events[outage["org"]].filter(pl.col("source") == "fw")
    assert _state_changes(fw, "igb0") == [(down, "down"), (up, "up")]
    assert _silent(fw, "igb0", down, up) == 0
    assert _times(fw.filter(NETWORK, pl.col("src_zone") == "igb0"), pl.col("time") > up)
    (org,) = [o for o in config["organisations"] if o["id"] == "harbour-dental"]
    (firewall,) = [a for a in org["assets"] if a["kind"] == "network"]
    assert "igb0" in {i["name"] for i in firewall["interfaces"]}
    assert {s["interface"] for s in firewall["services"]} == {"igb0"}


def test_breach_outage_isolates_the_server_network_during_the_spread(truth: dict, events: dict) -> None:
    outage = _one(truth, "interface_outage", breach_caused=True)
    spread = _one(truth, "malware_spreading")
    assert outage["caused_by"] == spread["id"] and spread["outage"] == outage["id"]
    assert outage["org"] == spread["org"] and outage["entity"]["value"] == "servers"
    window = outage["outages"][0]
    assert window["breach_caused"] is True
    down, up = _iso(window["down"]), _iso(window["up"])
    assert down == _iso(spread["contained"])
    fw = events[outage["org"]].filter(pl.col("source") == "fw")
    changes = _state_changes(fw, "servers")
    assert changes[0][1] == "down" and changes[-1][1] == "up"
    assert down <= changes[0][0] <= down + dt.timedelta(seconds=5)
    assert up - dt.timedelta(seconds=5) <= changes[-1][0] <= up
    assert _silent(fw, "servers", down, up) == 0
    assert sum(e["lines"] for e in outage["evidence"]) >= len(
        changes
    )  # admin commands too, on some firewalls


def test_link_flap_bounces_five_times_within_30_minutes(truth: dict, events: dict) -> None:
    flap = _one(truth, "link_flap")
    interface = flap["entity"]["value"]
    fw = events[flap["org"]].filter(pl.col("source") == "fw")
    changes = _state_changes(fw, interface)
    downs = [t for t, action in changes if action == "down"]
    ups = [t for t, action in changes if action == "up"]
    assert len(downs) == len(ups) == flap["flaps"] >= 5
    assert ups[-1] - downs[0] <= dt.timedelta(minutes=30)
    assert [(_iso(o["down"]), _iso(o["up"])) for o in flap["outages"]] == list(zip(downs, ups, strict=True))
    assert _iso(flap["detectable"]) == downs[0]
    for down, up in zip(downs, ups, strict=True):
        assert _silent(fw, interface, down, up) == 0


def test_av_update_fails_on_one_host_from_day_two_while_others_update(truth: dict, events: dict) -> None:
    case = _one(truth, "av_update_failing")
    host = case["entity"]["value"]
    zone = ZoneInfo(case["timezone"])
    av = events[case["org"]].filter(pl.col("source") == "av", pl.col("event_class") == "system")
    failed = _times(av, pl.col("host") == host, pl.col("action") == "update_failed")
    assert failed[0] == _iso(case["first_activity"])
    assert failed[0].astimezone(zone).date() == START + dt.timedelta(days=1)
    assert len(failed) == case["failed_runs"] >= 3
    assert _iso(case["detectable"]) == failed[2]
    good = av.filter(pl.col("action") == "update_success")
    assert not _times(good, pl.col("host") == host, pl.col("time") >= failed[0])
    day_two = good.filter(
        pl.col("time").dt.convert_time_zone(case["timezone"]).dt.date() == START + dt.timedelta(days=1)
    )
    assert day_two.filter(pl.col("host") != host)["host"].n_unique() >= 5


def test_protection_is_switched_off_then_back_on_hours_later(truth: dict, events: dict) -> None:
    case = _one(truth, "av_protection_disabled")
    av = events[case["org"]].filter(pl.col("source") == "av", pl.col("host") == case["entity"]["value"])
    off = _times(av, pl.col("action") == "protection_disabled")
    on = _times(av, pl.col("action") == "protection_enabled", pl.col("time") > off[0])
    assert off == [_iso(case["first_activity"])] and on[0] == _iso(case["resolved"])
    assert dt.timedelta(hours=2) <= on[0] - off[0] <= dt.timedelta(hours=5)
