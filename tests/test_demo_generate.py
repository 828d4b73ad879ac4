"""The demo generator: determinism, config, line shapes, and every labelled scenario's evidence.

The demo is generated once per module (3 organisations x 2 days at a small background scale);
the evidence tests read the gzip files back with their own regexes, convert the local header
times to UTC and compare them with ground_truth.json.
"""

from __future__ import annotations

import datetime as dt
import gzip
import importlib
import itertools
import json
import re
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
import yaml

from seclake.demo import DemoSet, generate

START = dt.date(2024, 11, 18)
DAYS = 2
SCALE = 0.1

ASA_LINE = re.compile(
    r"^<(?P<pri>\d+)>(?P<time>[A-Z][a-z]{2} \d{2} \d{4} \d{2}:\d{2}:\d{2}) (?P<device>\S+) : "
    r"%ASA-(?P<level>\d)-(?P<msgid>\d{6}): (?P<body>.+)$"
)
CLAMAV_LINE = re.compile(
    r"^(?P<time>[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}) (?P<host>[a-z0-9-]+) "
    r"(?P<program>clamd|freshclam|clamonacc)\[\d+\]: (?P<text>.+)$"
)
KINDS = {
    "port_scan",
    "vpn_bruteforce_success",
    "malware_quarantined",
    "malware_spreading",
    "malware_outbreak",
    "interface_outage",
    "link_flap",
    "av_update_failing",
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


def _utc(text: str, fmt: str, zone: str) -> dt.datetime:
    return dt.datetime.strptime(text, fmt).replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def _iso(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def fw(demo: DemoSet, truth: dict) -> dict[str, list[tuple[dt.datetime, str, str]]]:
    """Per org: (UTC time, message id, body) of every firewall line, in file order."""
    records = defaultdict(list)
    for file in demo.files:
        if file.source != "fw":
            continue
        zone = truth["background"][file.org]["timezone"]
        for line in _lines(file.path):
            m = ASA_LINE.match(line)
            records[file.org].append((_utc(m["time"], "%b %d %Y %H:%M:%S", zone), m["msgid"], m["body"]))
    return records


@pytest.fixture(scope="module")
def av(demo: DemoSet, truth: dict) -> dict[str, list[tuple[dt.datetime, str, str, str]]]:
    """Per org: (UTC time, host, program, text) of every ClamAV line, in file order."""
    records = defaultdict(list)
    for file in demo.files:
        if file.source != "av":
            continue
        zone = truth["background"][file.org]["timezone"]
        for line in _lines(file.path):
            m = CLAMAV_LINE.match(line)
            stamp = f"{file.date.year} {m['time']}"
            records[file.org].append(
                (_utc(stamp, "%Y %b %d %H:%M:%S", zone), m["host"], m["program"], m["text"])
            )
    return records


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
    assert len(a) == 3 * 2 * DAYS + 3  # logs, seclake.yaml, ground_truth.json, intel list
    assert a == b
    assert a.keys() == c.keys()
    assert a["ground_truth.json"] != c["ground_truth.json"]
    assert sum(a[name] != c[name] for name in a if name.startswith("logs/")) == 3 * 2 * DAYS


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
    assert {o["timezone"] for o in orgs} == {"Asia/Ho_Chi_Minh", "Asia/Singapore", "Europe/London"}
    assert {o["region"] for o in orgs} == {"VN", "SG", "GB"}
    for org in orgs:
        assert re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,62}", org["id"])
        assert [(s["id"], s["format"]) for s in org["sources"]] == [("fw", "cisco_asa"), ("av", "clamav")]
        for source in org["sources"]:
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
    assert len(demo.files) == 3 * 2 * DAYS
    for file in demo.files:
        assert file.path == demo.root / "logs" / file.org / file.source / f"{file.date}.log.gz"
        assert len(_lines(file.path)) == file.lines > 0
        assert truth["background"][file.org]["lines"][file.source][file.date.isoformat()] == file.lines
    fw_lines = [f.lines for f in demo.files if f.source == "fw"]
    assert all(200 <= n <= 3000 for n in fw_lines), fw_lines
    assert all(300 <= f.lines <= 1000 for f in demo.files if f.source == "av")


# --- line shapes, time order, local days -------------------------------------------------------


def test_every_firewall_line_has_a_cisco_header_and_asa_tag(demo: DemoSet) -> None:
    for file in demo.files:
        if file.source == "fw":
            for line in _lines(file.path):
                m = ASA_LINE.match(line)
                assert m, line
                assert int(m["pri"]) == 160 + int(m["level"])
                assert m["time"].startswith(f"{file.date:%b %d %Y}"), (file.path, line)


def test_every_av_line_has_a_syslog_header_and_clamav_program(demo: DemoSet) -> None:
    for file in demo.files:
        if file.source == "av":
            for line in _lines(file.path):
                m = CLAMAV_LINE.match(line)
                assert m, line
                assert m["time"].startswith(f"{file.date:%b} {file.date.day:2d} "), (file.path, line)


def test_lines_are_in_time_order_but_for_a_few_relay_delays(fw: dict, av: dict) -> None:
    for records in (*fw.values(), *av.values()):
        times = [r[0] for r in records]
        late = sum(b < a for a, b in itertools.pairwise(times))
        assert late <= max(3, len(times) // 300)


# --- scenarios ---------------------------------------------------------------------------------


def test_ground_truth_lists_every_kind_with_ordered_times_inside_the_period(
    truth: dict, demo: DemoSet
) -> None:
    scenarios = truth["scenarios"]
    assert {s["kind"] for s in scenarios} == KINDS
    assert len({s["id"] for s in scenarios}) == len(scenarios) == len(KINDS) + 1  # two interface outages
    assert len({s["org"] for s in scenarios}) == 3
    begin = dt.datetime.combine(START, dt.time(), dt.UTC) - dt.timedelta(hours=14)
    end = begin + dt.timedelta(days=DAYS, hours=28)
    for s in scenarios:
        times = [_iso(s[k]) for k in ("first_activity", "detectable", "contained", "resolved") if s[k]]
        assert times == sorted(times), s["id"]
        assert all(begin <= t <= end for t in times), s["id"]
        assert s["entity"]["value"] and s["assets"]
        assert s["evidence"] or (s["kind"] == "interface_outage" and s.get("breach_caused") is False)
    assert set(truth["thresholds"]) == KINDS


def test_port_scan_hits_100_ports_within_5_minutes_and_noise_does_not(truth: dict, fw: dict) -> None:
    scan = _one(truth, "port_scan")
    attacker = scan["entity"]["value"]
    port = re.compile(r"(?:dst outside:|to )[\d.]+/(\d+)")
    source = re.compile(rf"(?:src outside:|from ){re.escape(attacker)}/")
    probes = [
        (t, int(port.search(body)[1]))
        for t, msgid, body in fw[scan["org"]]
        if msgid in ("106023", "106001") and source.search(body)
    ]
    ports = {p for _, p in probes}
    times = [t for t, _ in probes]
    assert len(ports) >= 100
    assert len(ports) + len(scan["open_ports"]) == scan["distinct_ports"]
    assert max(times) - min(times) <= dt.timedelta(minutes=5)
    mentions = [t for t, _, body in fw[scan["org"]] if re.search(rf"[ :]{re.escape(attacker)}/", body)]
    assert min(mentions) == _iso(scan["first_activity"]) and max(mentions) == _iso(scan["contained"])
    assert sum(e["lines"] for e in scan["evidence"]) == len(mentions)
    noise = defaultdict(set)
    for _, msgid, body in (r for records in fw.values() for r in records):
        if msgid == "106023" and "src outside:" in body and attacker not in body:
            noise[body.split("src outside:")[1].split("/")[0]].add(port.search(body)[1])
    assert noise and max(len(p) for p in noise.values()) <= 3


def test_vpn_bruteforce_has_30_failures_then_a_success_from_the_same_ip(truth: dict, fw: dict) -> None:
    attack = _one(truth, "vpn_bruteforce_success")
    attacker, user = attack["entity"]["value"], attack["user"]
    records = fw[attack["org"]]
    failures = [
        (t, body)
        for t, msgid, body in records
        if msgid == "113005" and body.endswith(f"user IP = {attacker}")
    ]
    times = [t for t, _ in failures]
    assert len(failures) == attack["failed_logins"] >= 30
    assert max(times) - min(times) <= dt.timedelta(minutes=12)
    assert min(times) == _iso(attack["first_activity"])
    assert len({body.split("user = ")[1].split(" :")[0] for _, body in failures}) >= 3
    assert _iso(attack["detectable"]) == sorted(times)[19]  # the 20th failure: the brute force shows
    success = _iso(attack["success"])
    assert success > max(times)
    assert any(
        t == success and msgid == "113004" and body.endswith(f"user = {user}") for t, msgid, body in records
    )
    who = f"User <{user}> IP <{attacker}>"
    started = [t for t, msgid, body in records if msgid in ("113039", "722022") and who in body]
    ended = [t for t, msgid, body in records if msgid == "722023" and who in body]
    assert started and success <= min(started) <= success + dt.timedelta(seconds=5)
    assert ended == [_iso(attack["session"]["end"])]
    inside = [
        body
        for t, msgid, body in records
        if msgid == "302013"
        and f"(LOCAL\\{user})" in body
        and f"outside:{attack['session']['assigned_ip']}/" in body
    ]
    assert len(inside) >= 5
    logoff = [
        t for t, msgid, body in records if msgid == "111008" and f"vpn-sessiondb logoff name {user}" in body
    ]
    assert logoff == [_iso(attack["contained"])]


def test_malware_quarantined_is_moved_within_a_minute(truth: dict, av: dict, fw: dict) -> None:
    case = _one(truth, "malware_quarantined")
    host, path = case["entity"]["value"], case["path"]
    records = av[case["org"]]
    found = [
        t
        for t, h, prog, text in records
        if h == host and prog == "clamd" and text == f"{path}: {case['signature']} FOUND"
    ]
    moved = [
        t
        for t, h, prog, text in records
        if h == host and text == f"{path}: moved to '{case['quarantine_path']}'"
    ]
    assert found == [_iso(case["detectable"])]
    assert moved == [_iso(case["contained"])]
    assert dt.timedelta(0) < moved[0] - found[0] <= dt.timedelta(minutes=1)
    download = [
        t
        for t, msgid, body in fw[case["org"]]
        if msgid == "302013" and f"outside:{case['download_from']}/443" in body
    ]
    assert download == [_iso(case["first_activity"])]


def test_malware_spreading_reaches_the_file_server_over_smb(truth: dict, av: dict, fw: dict) -> None:
    case = _one(truth, "malware_spreading")
    first, second = case["hosts"]
    signature = case["signature"]
    records = av[case["org"]]

    def lines(host: str, suffix: str) -> list[dt.datetime]:
        return [t for t, h, _, text in records if h == host and text == f"{case['paths'][host]}: {suffix}"]

    found_a, found_b = lines(first, f"{signature} FOUND"), lines(second, f"{signature} FOUND")
    assert found_a[0] == _iso(case["detectable"])
    assert lines(first, "Access denied. ERROR")[0] > found_a[0]
    assert found_b[0] == _iso(case["spread_detected"])
    assert dt.timedelta(minutes=20) <= found_b[0] - found_a[0] <= dt.timedelta(minutes=60)
    assert lines(second, "Access denied. ERROR")
    moved = lines(first, f"moved to '/var/quarantine/{case['paths'][first].rsplit('/', 1)[1]}'")
    assert len(moved) == 1 and moved[0] > _iso(case["contained"])
    background = truth["background"][case["org"]]
    ip = {h["name"]: h["ip"] for h in background["hosts"]}
    smb = [
        t
        for t, msgid, body in fw[case["org"]]
        if msgid == "302013"
        and f"servers:{ip[second]}/445" in body
        and f"inside:{ip[first]}/" in body
        and found_a[0] < t < found_b[0]
    ]
    assert len(smb) >= 5


def _state_changes(records: list, interface: str) -> list[tuple[dt.datetime, str]]:
    return [
        (t, msgid)
        for t, msgid, body in records
        if msgid.startswith("4110") and f"Interface {interface}," in body
    ]


def _silent(records: list, marker: str, down: dt.datetime, up: dt.datetime) -> list[str]:
    """Lines about traffic through an interface strictly inside a down window."""
    return [
        body
        for t, msgid, body in records
        if down < t < up and marker in body and not msgid.startswith("4110")
    ]


def test_outside_outage_crosses_midnight_and_nothing_passes_outside_meanwhile(truth: dict, fw: dict) -> None:
    outage = _one(truth, "interface_outage", breach_caused=False)
    assert outage["entity"]["value"] == "outside"
    window = outage["outages"][0]
    down, up = _iso(window["down"]), _iso(window["up"])
    assert 120 <= window["minutes"] == round((up - down).total_seconds() / 60, 2) <= 300
    zone = ZoneInfo(outage["timezone"])
    assert down.astimezone(zone).date() < up.astimezone(zone).date()
    records = fw[outage["org"]]
    assert _state_changes(records, "outside") == [(down, "411002"), (up, "411001")]
    assert _silent(records, "outside", down, up) == []
    before = [t for t, msgid, body in records if msgid == "302013" and "outside:" in body and t < down]
    after = [t for t, msgid, body in records if msgid == "302013" and "outside:" in body and t > up]
    assert before and after


def test_breach_outage_isolates_the_server_network_during_the_spread(truth: dict, fw: dict) -> None:
    outage = _one(truth, "interface_outage", breach_caused=True)
    spread = _one(truth, "malware_spreading")
    assert outage["caused_by"] == spread["id"] and spread["outage"] == outage["id"]
    assert outage["org"] == spread["org"] and outage["entity"]["value"] == "servers"
    window = outage["outages"][0]
    assert window["breach_caused"] is True
    down, up = _iso(window["down"]), _iso(window["up"])
    assert down == _iso(spread["contained"])
    records = fw[outage["org"]]
    changes = _state_changes(records, "servers")
    assert [m for _, m in changes] == ["411004", "411002", "411003", "411001"]
    assert changes[0][0] == down and changes[-1][0] == up
    assert _silent(records, "servers", down, up) == []
    assert sum(e["lines"] for e in outage["evidence"]) == 4


def test_link_flap_bounces_five_times_within_30_minutes(truth: dict, fw: dict) -> None:
    flap = _one(truth, "link_flap")
    interface = flap["entity"]["value"]
    records = fw[flap["org"]]
    changes = _state_changes(records, interface)
    downs = [t for t, m in changes if m == "411002"]
    ups = [t for t, m in changes if m == "411001"]
    assert len(downs) == len(ups) == flap["flaps"] >= 5
    assert ups[-1] - downs[0] <= dt.timedelta(minutes=30)
    assert [(_iso(o["down"]), _iso(o["up"])) for o in flap["outages"]] == list(zip(downs, ups, strict=True))
    assert _iso(flap["detectable"]) == downs[0]
    for down, up in zip(downs, ups, strict=True):
        assert _silent(records, f"{interface}:", down, up) == []


def test_av_update_fails_on_one_host_from_day_two_while_others_update(truth: dict, av: dict) -> None:
    case = _one(truth, "av_update_failing")
    host = case["entity"]["value"]
    zone = ZoneInfo(case["timezone"])
    records = av[case["org"]]
    failed = [
        t for t, h, prog, text in records if h == host and text == "ERROR: Update failed for database: daily"
    ]
    assert failed[0] == _iso(case["first_activity"])
    assert failed[0].astimezone(zone).date() == START + dt.timedelta(days=1)
    assert len(failed) == case["failed_runs"] >= 3
    assert _iso(case["detectable"]) == failed[2]
    good = [(t, h) for t, h, prog, text in records if prog == "freshclam" and text.startswith("daily.cld ")]
    assert not [t for t, h in good if h == host and t >= failed[0]]
    assert [t for t, h in good if h == host and t < failed[0]]
    others_day_two = {
        h for t, h in good if h != host and t.astimezone(zone).date() == START + dt.timedelta(days=1)
    }
    assert len(others_day_two) >= 10


# --- the project's parsers read every generated line ----------------------------------------------


@pytest.mark.parametrize("source, fmt", [("fw", "cisco_asa"), ("av", "clamav")])
def test_every_generated_line_parses_without_quarantine(
    demo: DemoSet, truth: dict, source: str, fmt: str
) -> None:
    try:
        parser = importlib.import_module(f"seclake.parsers.{fmt}")
    except ImportError as exc:
        pytest.skip(f"parser {fmt} not importable yet: {exc}")
    contract = importlib.import_module("seclake.parsers.contract")
    for file in demo.files:
        if file.source != source:
            continue
        lines = _lines(file.path)
        frame = pl.DataFrame({"raw": lines, "raw_file": str(file.path), "raw_line": range(1, len(lines) + 1)})
        ctx = contract.ParseContext(file.org, source, file.date, truth["background"][file.org]["timezone"])
        result = parser.parse(frame, ctx)
        reasons = result.quarantine.group_by("reason").len().rows() if result.quarantine.height else []
        assert reasons == [], file.path
        assert result.events.height == file.lines
        assert result.events["time"].null_count() == 0
        dates = result.events["time"].dt.convert_time_zone(ctx.timezone).dt.date().unique().to_list()
        assert dates == [file.date]
