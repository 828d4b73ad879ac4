"""Generate the demo data set: raw logs, a project config and the ground truth (``generate``).

Layout written under ``out_dir``:

- ``logs/{org}/{source}/{YYYY-MM-DD}.log.gz``: one gzip file per organisation, source and local
  day, lines in time order as the device or syslog collector wrote them, with now and then a line
  delivered a few lines late (``RELAY_DELAY_SHARE``), as syslog relays do;
- ``seclake.yaml``: the organisations, their sources (paths relative to the file), inventories,
  the threat-intel list ``intel/demo-bad-ips.txt``, lake at ``lake`` and reports at ``reports``;
- ``ground_truth.json``: every labelled scenario with its true UTC times, entity, assets and
  evidence line counts per file; outages with down/up times, minutes and whether a breach caused
  them; and the benign background (hosts, services, lines per file).

Deterministic: the same arguments give byte-identical files (seeded ``random.Random`` per
organisation/day/purpose, gzip ``mtime=0``, no wall-clock reads).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import gzip
import importlib
import json
import pkgutil
import random
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from seclake.demo.background import PROFILES, Downtime, antivirus, firewall_day
from seclake.demo.events import Event, Line, LocalClock
from seclake.demo.orgs import FIREWALL_SERVICES, ORGANISATIONS, LogSource, Org, Service
from seclake.demo.scenarios import THRESHOLDS, Scenario, complete_update_failure, plan


@functools.cache
def writers() -> dict[str, ModuleType]:
    """The demo writer of each format: a module of ``seclake.demo`` with ``FORMAT``, ``KINDS``
    and ``render(events, org, rng)`` (host firewall writers: ``render(events, org, rng, host)``)."""
    found = {}
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        module = importlib.import_module(f"{__package__}.{info.name}")
        if hasattr(module, "FORMAT") and hasattr(module, "render"):
            found[module.FORMAT] = module
    return found


def render_source(source: LogSource, events: list[Event], org: Org, rng: random.Random) -> list[Line]:
    """The source's lines: its writer over the events of the kinds it renders."""
    writer = writers()[source.format]
    mine = [e for e in events if e.kind in writer.KINDS]
    if source.host is not None:
        return writer.render(mine, org, rng, org.host(source.host))
    return writer.render(mine, org, rng)


DEMO_INTEL = Path(__file__).resolve().parents[2] / "rules" / "intel" / "demo-bad-ips.txt"
"""The demo's threat-intel list (documentation ranges only), copied next to the demo config."""

RELAY_DELAY_SHARE = 1 / 3000
"""Share of lines a relay delivers late (moved 1-8 lines further down the file)."""

DEFINITIONS = {
    "first_activity": "first hostile or faulty event of the scenario (UTC)",
    "detectable": "when the evidence first crosses the threshold in `thresholds` for its kind",
    "contained": "first of: attacker cut off, file quarantined, host or network isolated; else the "
    "last hostile activity; null when nothing contained it",
    "resolved": "service or state back to normal; null when still open at the end of the period",
    "outages": "interface down/up pairs; minutes = up - down; breach_caused when the outage was "
    "part of the response to an incident",
}


@dataclass(frozen=True)
class DemoFile:
    """One generated log file and its number of lines."""

    org: str
    source: str
    date: dt.date
    path: Path
    lines: int


@dataclass(frozen=True)
class DemoSet:
    """What ``generate`` wrote: the config, the ground truth, organisations, dates and files."""

    root: Path
    config: Path
    ground_truth: Path
    orgs: tuple[str, ...]
    dates: tuple[dt.date, ...]
    files: tuple[DemoFile, ...]


def generate(out_dir: Path, *, seed: int = 7, start: dt.date, days: int = 7, scale: float = 1.0) -> DemoSet:
    """Write demo logs for the demo organisations over ``days`` local days from ``start``, with
    their config and ground truth, under ``out_dir``; ``scale`` multiplies the firewall
    background volume (1.0 ≈ 10-18k lines per organisation and weekday). Needs ``days >= 2``."""
    root = Path(out_dir)
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    scenarios = plan(ORGANISATIONS, dates, seed)
    files: list[DemoFile] = []
    evidence: dict[str, list[dict[str, Any]]] = {s.id: [] for s in scenarios}
    for org in ORGANISATIONS:
        mine = [s for s in scenarios if s.org.id == org.id]
        for written, tags in _write_org(root, org, mine, dates, seed=seed, scale=scale):
            files.append(written)
            relative = written.path.relative_to(root).as_posix()
            for tag, count in sorted(tags.items()):
                evidence[tag].append({"source": written.source, "file": relative, "lines": count})
    (root / "intel").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DEMO_INTEL, root / "intel" / DEMO_INTEL.name)
    config = root / "seclake.yaml"
    config.write_text(yaml.safe_dump(_config(start), sort_keys=False, allow_unicode=True), encoding="utf-8")
    truth = root / "ground_truth.json"
    record = _ground_truth(scenarios, evidence, files, seed=seed, start=start, days=days, scale=scale)
    truth.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return DemoSet(root, config, truth, tuple(o.id for o in ORGANISATIONS), tuple(dates), tuple(files))


def _write_org(
    root: Path, org: Org, scenarios: list[Scenario], dates: list[dt.date], *, seed: int, scale: float
) -> list[tuple[DemoFile, Counter[str]]]:
    """Build the org's events, render them with every writer, write one file per source and day."""
    down = Downtime()
    for scenario in scenarios:
        for interface, begin, end in scenario.downtime:
            down.add(interface, begin, end)
    events: list[Event] = [e for s in scenarios for e in s.events]
    for day in dates:
        events += firewall_day(org, day, seed=seed, scale=scale, down=down)
    failing = {
        s.entity["value"]: (s.first_activity, s.id) for s in scenarios if s.kind == "av_update_failing"
    }
    events += antivirus(org, dates, seed=seed, failing=failing)
    for scenario in scenarios:
        if scenario.kind == "av_update_failing":
            complete_update_failure(scenario, events)
    clock = LocalClock(org.timezone)
    starts = [clock.epoch(day) for day in dates] + [clock.epoch(dates[-1] + dt.timedelta(days=1))]
    written = []
    for source in org.sources:
        rng = random.Random(f"{seed}:{org.id}:{source.id}:writer")
        lines = render_source(source, events, org, rng)
        per_day: list[list[Line]] = [[] for _ in dates]
        for line in lines:
            index = bisect.bisect_right(starts, line.time) - 1
            if 0 <= index < len(dates):
                per_day[index].append(line)
        relay = random.Random(f"{seed}:{org.id}:{source.id}:relay")
        for day, day_lines in zip(dates, per_day, strict=True):
            day_lines.sort(key=lambda line: line.time)
            _delay_some(day_lines, relay)
            path = root / "logs" / org.id / source.id / f"{day.isoformat()}.log.gz"
            _write_gzip(path, [line.text for line in day_lines])
            tags = Counter(line.tag for line in day_lines if line.tag)
            written.append((DemoFile(org.id, source.id, day, path, len(day_lines)), tags))
    return written


def _delay_some(lines: list[Line], rng: random.Random) -> None:
    """Move a few lines 1-8 places later, as a syslog relay delivering them late does."""
    count = int(len(lines) * RELAY_DELAY_SHARE + rng.random())
    for index in sorted(rng.sample(range(len(lines)), min(count, len(lines)))):
        target = min(len(lines) - 1, index + rng.randint(1, 8))
        lines.insert(target, lines.pop(index))


def _write_gzip(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz,
    ):
        gz.write(data)


def _services(services: tuple[Service, ...]) -> list[dict[str, Any]]:
    return [{"name": s.name, "port": s.port, "protocol": s.protocol} for s in services]


def _assets(org: Org) -> list[dict[str, Any]]:
    firewall = {
        "name": org.firewall,
        "ips": [i.ip for i in org.interfaces],
        "hostnames": [org.firewall, f"{org.firewall}.{org.domain}"],
        "services": [s | {"interface": org.link_name("outside")} for s in _services(FIREWALL_SERVICES)],
        "criticality": "critical",
        "kind": "network",
        "interfaces": [{"name": org.link_name(i.name), "network": i.network} for i in org.interfaces],
    }
    hosts = [
        {
            "name": h.name,
            "ips": [h.ip] + ([h.public_ip] if h.public_ip else []),
            "hostnames": [h.name, f"{h.name}.{org.domain}"],
            "services": _services(h.services),
            "criticality": h.criticality,
            "kind": h.kind,
        }
        for h in org.hosts
    ]
    return [firewall, *hosts]


def source_options(source: LogSource) -> dict[str, str]:
    """What the source's parser needs to know: its writer's ``SOURCE_OPTIONS``, and for a host
    firewall the host (its log does not name the machine)."""
    options = dict(getattr(writers()[source.format], "SOURCE_OPTIONS", {}))
    if source.host is not None:
        options["host"] = source.host
    return options


def _config(start: dt.date) -> dict[str, Any]:
    return {
        "lake": "lake",
        "reports": "reports",
        "schedule": {"start_date": start.isoformat()},
        "ingest": {"quarantine_threshold": 0.05, "chunk_mb": 8},
        "intel": {"bad_ips": [f"intel/{DEMO_INTEL.name}"]},
        "organisations": [
            {
                "id": org.id,
                "name": org.name,
                "region": org.region,
                "timezone": org.timezone,
                "sources": [
                    {
                        "id": source.id,
                        "format": source.format,
                        "path": f"logs/{{org}}/{source.id}/{{date}}.log.gz",
                    }
                    | ({"options": options} if (options := source_options(source)) else {})
                    for source in org.sources
                ],
                "assets": _assets(org),
            }
            for org in ORGANISATIONS
        ],
    }


def _background(org: Org, files: list[DemoFile]) -> dict[str, Any]:
    return {
        "name": org.name,
        "timezone": org.timezone,
        "firewall": {
            "device": org.firewall,
            "interfaces": [
                {
                    "name": i.name,
                    "hardware": i.hardware,
                    "security": i.security,
                    "ip": i.ip,
                    "network": i.network,
                }
                for i in org.interfaces
            ],
            "vpn_pool": f"{org.vpn_pool}.0/24",
        },
        "hosts": [
            {
                "name": h.name,
                "ip": h.ip,
                "public_ip": h.public_ip,
                "interface": h.interface,
                "kind": h.kind,
                "user": h.user,
                "services": _services(h.services),
            }
            for h in org.hosts
        ],
        "vpn_users": list(org.vpn_users),
        "admin": {"user": org.admin, "host": org.admin_host},
        "normal_services": [
            {"name": p.name, "from": p.src, "to": p.dst, "protocol": p.proto, "ports": sorted(set(p.ports))}
            for p in PROFILES
        ],
        "noise": "denied internet probes (106023/106001) from fresh addresses, 1-3 ports each",
        "lines": {
            source: {f.date.isoformat(): f.lines for f in files if f.org == org.id and f.source == source}
            for source in (s.id for s in org.sources)
        },
    }


def _ground_truth(
    scenarios: list[Scenario],
    evidence: dict[str, list[dict[str, Any]]],
    files: list[DemoFile],
    *,
    seed: int,
    start: dt.date,
    days: int,
    scale: float,
) -> dict[str, Any]:
    return {
        "generator": {"seed": seed, "start": start.isoformat(), "days": days, "scale": scale},
        "definitions": DEFINITIONS,
        "thresholds": THRESHOLDS,
        "scenarios": [s.truth() | {"evidence": evidence[s.id]} for s in scenarios],
        "background": {org.id: _background(org, files) for org in ORGANISATIONS},
    }
