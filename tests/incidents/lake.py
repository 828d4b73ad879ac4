"""A tiny hand-made lake for the incidents, downtime and metrics tests: events and alerts rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from seclake.config import Config
from seclake.detection.engine import ALERT_SCHEMA
from seclake.schema import EVENT_SCHEMA

ORG = "acme"
DAY = dt.date(2026, 3, 2)


def at(day: dt.date, clock: str) -> dt.datetime:
    """A UTC time on ``day`` (the test org's timezone is UTC)."""
    return dt.datetime.combine(day, dt.time.fromisoformat(clock), tzinfo=dt.UTC)


def make_config(root: Path, **settings: object) -> Config:
    """One organisation (UTC) with a firewall, a server behind its 'servers' interface, a workstation."""
    return Config.model_validate(
        {
            "lake": str(root / "lake"),
            "organisations": [
                {
                    "id": ORG,
                    "name": "Acme",
                    "timezone": "UTC",
                    "assets": [
                        {
                            "name": "fw",
                            "ips": ["198.51.100.1", "10.0.2.1"],
                            "hostnames": ["fw"],
                            "kind": "network",
                            "criticality": "critical",
                            "interfaces": [
                                {"name": "outside", "network": "198.51.100.0/29"},
                                {"name": "servers", "network": "10.0.2.0/24"},
                            ],
                            "services": [{"name": "vpn", "port": 443, "interface": "outside"}],
                        },
                        {"name": "srv1", "ips": ["10.0.2.10"], "hostnames": ["srv1"], "criticality": "high"},
                        {
                            "name": "pc1",
                            "ips": ["10.0.1.21"],
                            "hostnames": ["pc1"],
                            "kind": "workstation",
                            "criticality": "low",
                        },
                    ],
                }
            ],
            **settings,
        }
    )


def write_events(root: Path, rows: list[dict]) -> None:
    """Events (compact rows: time + the columns that matter) into their day partitions, source 'fw'."""
    by_day: dict[dt.date, list[dict]] = defaultdict(list)
    for number, row in enumerate(rows, 1):
        full = {name: None for name in EVENT_SCHEMA.names}
        full.update(
            org=ORG, source="fw", vendor="t", product="t", format="t", raw_file="fw.log", raw_line=number
        )
        full.update(row)
        full["raw"] = json.dumps(row, default=str, sort_keys=True)
        full["extra"] = list(full["extra"].items()) if full["extra"] else None
        by_day[full["time"].date()].append(full)
    for day, day_rows in by_day.items():
        path = root / "lake" / "events" / f"org={ORG}" / "source=fw" / f"date={day}" / "data.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(day_rows, schema=EVENT_SCHEMA), path)


def alert(
    rule_id: str,
    entity_type: str,
    entity: str,
    first_seen: dt.datetime,
    detected_at: dt.datetime | None = None,
    last_seen: dt.datetime | None = None,
    severity: str = "medium",
    evidence: list[int] = (),
) -> dict:
    """One alert row; ``evidence`` = raw_line numbers of events written by ``write_events``."""
    alert_id = hashlib.sha256(f"{rule_id}|{entity}|{first_seen}".encode()).hexdigest()[:24]
    return {
        "alert_id": alert_id,
        "org": ORG,
        "rule_id": rule_id,
        "rule_version": 1,
        "title": f"{rule_id} title",
        "severity": severity,
        "mitre_tactics": [],
        "mitre_techniques": [],
        "entity_type": entity_type,
        "entity": entity,
        "first_seen": first_seen,
        "detected_at": detected_at or first_seen,
        "last_seen": last_seen or detected_at or first_seen,
        "count": 1,
        "summary": f"{rule_id} on {entity}",
        "evidence": [{"raw_file": "fw.log", "raw_line": n} for n in evidence],
    }


def write_alerts(root: Path, day: dt.date, rows: list[dict]) -> None:
    """The alerts partition of one day (detect's output)."""
    path = root / "lake" / "alerts" / f"org={ORG}" / f"date={day}" / "data.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=ALERT_SCHEMA), path)
