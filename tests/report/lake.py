"""A small hand-made lake for the report tests: one organisation, one ISO week, built from the schemas.

Week 47 of 2026 (Mon 16 - Sun 22 November), Asia/Ho_Chi_Minh (UTC+7). Three incidents (critical
VPN account compromise, high ransomware on fin-pc-07, medium port scan), four outages (one caused
by the ransomware incident, one crossing into the next week, one not over), metrics rows for the week, the three
weeks before and six of its seven days (Saturday has no data). ``hostile=True`` puts markup,
``javascript:`` URLs and Markdown links into every field that comes from logs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from seclake.config import Config
from seclake.tables import INCIDENT_SCHEMA, METRICS_SCHEMA, OUTAGE_SCHEMA, metrics_path, org_day_path

ORG = "acme"
WEEK = dt.date(2026, 11, 16)
UTC = dt.UTC

HOSTILE = {
    "script": "<script>alert('x')</script>",
    "img": '"><img src=x onerror=alert(1)>',
    "js_url": "javascript:alert(document.cookie)",
    "md_link": "[click me](javascript:alert(1))",
    "svg": "<svg onload=alert(2)>",
    "attr": "' onmouseover='alert(3)",
}


def utc(day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


def _complete(schema: pa.Schema, values: dict) -> dict:
    unknown = set(values) - set(schema.names)
    assert not unknown, f"not in the schema: {unknown}"
    return {name: values.get(name) for name in schema.names}


def _write(path: Path, schema: pa.Schema, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist([_complete(schema, r) for r in rows], schema=schema), path)


def names(*pairs: tuple[str, int]) -> list[dict]:
    return [{"name": n, "count": c} for n, c in pairs]


def config(root: Path) -> Config:
    return Config.model_validate(
        {
            "lake": "lake",
            "reports": "reports",
            "organisations": [
                {
                    "id": ORG,
                    "name": "ACME Trading Co.",
                    "region": "VN",
                    "timezone": "Asia/Ho_Chi_Minh",
                    "assets": [
                        {"name": "fw-acme", "kind": "network", "criticality": "critical"},
                        {
                            "name": "web01",
                            "criticality": "high",
                            "services": [{"name": "https", "port": 443}],
                        },
                        {"name": "fs01", "criticality": "high", "services": [{"name": "smb", "port": 445}]},
                        {"name": "dc01", "criticality": "critical"},
                        {"name": "fin-pc-07", "kind": "workstation"},
                    ],
                },
                {"id": "empty-org", "name": "Empty Org", "timezone": "Europe/London"},
            ],
            "base_dir": root,
        }
    )


def _timeline_entry(
    time: dt.datetime, kind: str, title: str, detail: str, line: int, raw: str, severity=None
):
    return {
        "time": time,
        "kind": kind,
        "severity": severity,
        "title": title,
        "detail": detail,
        "rule_id": "rule" if kind == "alert" else None,
        "alert_id": f"a{line}" if kind == "alert" else None,
        "source": "fw",
        "raw_file": "logs/acme/fw/2026-11-17.log.gz",
        "raw_line": line,
        "raw": raw,
    }


def incidents(hostile: bool) -> list[tuple[dt.date, dict]]:
    user = HOSTILE["script"] if hostile else "pham.dung"
    host = HOSTILE["img"] if hostile else "fin-pc-07"
    malware = HOSTILE["svg"] if hostile else "Win.Ransomware.Locky"
    path = f"C:\\Users\\{HOSTILE['attr']}\\evil.exe" if hostile else "C:\\Users\\lan\\Downloads\\invoice.exe"
    url = HOSTILE["js_url"] if hostile else "http://203.0.113.99/payload.bin"
    failures = [
        _timeline_entry(
            utc(17, 8, 10, 10 + i), "event", "authentication/failure", f"VPN login failed for {user}", 100 + i,
            f"<113>Nov 17 15:10:{10 + i:02d} fw-acme : %ASA-6-113015: AAA user authentication Rejected : "
            f"reason = AAA failure : server = 10.10.2.10 : user = {user}",
        )
        for i in range(30)
    ]  # fmt: skip
    vpn_timeline = [
        *failures[:20],
        _timeline_entry(
            utc(17, 8, 18, 5), "alert", "VPN brute force followed by a successful login",
            f"45 failures then a success for {user} from 89.48.4.85", 140,
            f"%ASA-6-113004: AAA user authentication Successful : user = {user}", "critical",
        ),
        *failures[20:],
        _timeline_entry(
            utc(17, 9, 26, 47), "event", "network_activity/deny", "89.48.4.85 denied after containment", 170,
            f"%ASA-4-106023: Deny tcp src outside:89.48.4.85/51000 dst inside:10.10.2.10/445 {HOSTILE['md_link'] if hostile else ''}",
        ),
    ]  # fmt: skip
    ransomware_timeline = [
        _timeline_entry(
            utc(18, 3, 0), "event", "malware_detection/detected", f"{malware} in {path}", 12,
            f"{path}: {malware} FOUND (downloaded from {url})",
        ),
        _timeline_entry(
            utc(18, 3, 1), "alert", "Malware found on a computer", f"{malware} on {host}", 12,
            f"{path}: {malware} FOUND", "high",
        ),
        _timeline_entry(utc(18, 3, 43), "event", "malware_detection/quarantined", f"{path} moved to quarantine", 31, f"{path}: moved to '/quarantine/{malware}'"),
    ]  # fmt: skip
    common = {"org": ORG, "reported_at": None, "pipeline_latency_s": 30.0}
    return [
        (
            dt.date(2026, 11, 17),
            {
                **common,
                "incident_id": "inc-vpn",
                "title": "VPN brute force followed by a successful login",
                "severity": "critical",
                "kind": "account_compromise",
                "status": "resolved",
                "entities": ["src_ip:89.48.4.85", f"user:{user}"],
                "assets": ["fw-acme", "dc01"],
                "asset_criticality": "critical",
                "first_activity": utc(17, 8, 10, 10),
                "detected_at": utc(17, 8, 18, 5),
                "contained_at": utc(17, 9, 26, 47),
                "containment": "blocked",
                "resolved_at": utc(17, 13, 19, 38),
                "last_activity": utc(17, 9, 26, 47),
                "time_to_detect_s": 475.0,
                "time_to_contain_s": 4122.0,
                "time_to_resolve_s": 18093.0,
                "alert_count": 2,
                "alert_ids": ["a140", "a141"],
                "rule_ids": ["fw-vpn-bruteforce-success"],
                "mitre_techniques": ["T1110.001", "T1133"],
                "malware": [],
                "timeline": vpn_timeline,
            },
        ),
        (
            dt.date(2026, 11, 18),
            {
                **common,
                "incident_id": "inc-ransomware",
                "title": HOSTILE["script"] if hostile else "Ransomware found on a computer",
                "severity": "high",
                "kind": "malware",
                "status": "contained",
                "entities": [f"host:{host}"],
                "assets": [host],
                "asset_criticality": "medium",
                "first_activity": utc(18, 3, 0),
                "detected_at": utc(18, 3, 1),
                "contained_at": utc(18, 3, 43),
                "containment": "quarantined",
                "last_activity": utc(18, 3, 43),
                "time_to_detect_s": 60.0,
                "time_to_contain_s": 2520.0,
                "alert_count": 1,
                "alert_ids": ["a12"],
                "rule_ids": ["av-detection"],
                "malware": [malware],
                "timeline": ransomware_timeline,
            },
        ),
        (
            dt.date(2026, 11, 20),
            {
                **common,
                "incident_id": "inc-scan",
                "title": "Port scan from the internet",
                "severity": "medium",
                "kind": "scan",
                "status": "resolved",
                "entities": ["src_ip:203.0.113.7"],
                "assets": ["web01"],
                "asset_criticality": "high",
                "first_activity": utc(20, 10, 0),
                "detected_at": utc(20, 10, 2),
                "contained_at": utc(20, 10, 10),
                "containment": "last activity",
                "resolved_at": utc(20, 11, 10),
                "last_activity": utc(20, 10, 10),
                "time_to_detect_s": 120.0,
                "time_to_contain_s": 480.0,
                "time_to_resolve_s": 4080.0,
                "alert_count": 1,
                "alert_ids": ["a300"],
                "rule_ids": ["fw-port-scan"],
                "malware": [],
                "timeline": [],
            },
        ),
        (  # last week: must not appear in this week's report
            dt.date(2026, 11, 10),
            {
                **common,
                "incident_id": "inc-old",
                "title": "Old scan",
                "severity": "medium",
                "kind": "scan",
                "status": "resolved",
                "entities": ["src_ip:198.51.100.1"],
                "assets": [],
                "first_activity": utc(10, 1, 0),
                "detected_at": utc(10, 1, 5),
                "contained_at": utc(10, 1, 30),
                "resolved_at": utc(10, 2, 30),
                "last_activity": utc(10, 1, 30),
                "time_to_detect_s": 300.0,
                "alert_count": 1,
            },
        ),
    ]


def outages(hostile: bool) -> list[tuple[dt.date, dict]]:
    host = HOSTILE["img"] if hostile else "fin-pc-07"
    detail = HOSTILE["md_link"] if hostile else "interface outside down"
    base = {"org": ORG, "evidence_file": "logs/acme/fw/2026-11-18.log.gz"}
    isolated = {
        **base, "outage_id": "o-isolated", "asset": host, "service": None, "criticality": "medium",
        "cause": "host_isolated", "device": "av01", "detail": f"{host} isolated by anti-virus",
        "down_at": utc(18, 3, 43), "up_at": utc(18, 5, 37), "minutes": 114.0, "day_minutes": 114.0,
        "breach_caused": True, "breach_minutes": 114.0, "incident_id": "inc-ransomware", "band": "1-4 h",
        "evidence_line": 31,
    }  # fmt: skip
    link = {
        **base, "outage_id": "o-link", "asset": "web01", "service": "https", "criticality": "high",
        "cause": "interface_down", "device": "fw-acme", "detail": detail,
        "down_at": utc(19, 8, 20), "up_at": utc(19, 8, 56), "minutes": 36.0, "day_minutes": 36.0,
        "breach_caused": False, "breach_minutes": 0.0, "band": "under 1 h", "evidence_line": 2040,
    }  # fmt: skip
    tunnel = {  # Sun 22 22:00 local -> Mon 23 01:00 local: 120 minutes in this week, 60 in the next
        **base, "outage_id": "o-tunnel", "asset": "fw-acme", "service": "site-vpn", "criticality": "critical",
        "cause": "vpn_tunnel_down", "device": "fw-acme", "detail": "tunnel to branch down",
        "down_at": utc(22, 15, 0), "up_at": utc(22, 18, 0), "minutes": 180.0,
        "breach_caused": False, "breach_minutes": 0.0, "band": "1-4 h", "evidence_line": 9,
    }  # fmt: skip
    still_down = {  # Sun 22 23:00 local, no end yet
        **base, "outage_id": "o-silence", "asset": "fs01", "service": "smb", "criticality": "high",
        "cause": "silence", "device": None, "detail": "no traffic",
        "down_at": utc(22, 16, 0), "up_at": None, "minutes": 60.0, "day_minutes": 60.0,
        "breach_caused": False, "breach_minutes": 0.0, "band": "1-4 h", "evidence_line": None,
        "evidence_file": None,
    }  # fmt: skip
    return [
        (dt.date(2026, 11, 18), isolated),
        (dt.date(2026, 11, 19), link),
        (dt.date(2026, 11, 22), {**tunnel, "day_minutes": 120.0}),
        (dt.date(2026, 11, 23), {**tunnel, "day_minutes": 60.0}),
        (dt.date(2026, 11, 22), still_down),
    ]


def week_metrics(hostile: bool) -> dict:
    """The metrics row of week 47 (figures the report must show as they are)."""
    return {
        "org": ORG, "period": "week", "start": WEEK, "end": WEEK + dt.timedelta(days=6), "days_with_data": 6,
        "events": 98_765, "quarantined": 12, "alerts": 9,
        "events_by_class": names(("network_activity", 90_000), ("malware_detection", 8_765)),
        "events_by_source": names(("fw", 90_000), ("av", 8_765)),
        "alerts_by_severity": names(("critical", 1), ("high", 2), ("medium", 3), ("low", 3)),
        "incidents": 3, "incidents_by_severity": names(("critical", 1), ("high", 1), ("medium", 1)),
        "incidents_by_kind": names(("account_compromise", 1), ("malware", 1), ("scan", 1)), "incidents_open": 0,
        "mttd_s": 218.0, "mttd_median_s": 120.0, "mttc_s": 2374.0, "mttc_median_s": 2520.0,
        "mttr_s": 11086.5, "mttr_median_s": 11086.5, "dwell_median_days": 120 / 86400,
        "pipeline_latency_median_s": 30.0,
        "downtime_minutes": 330.0, "downtime_breach_minutes": 114.0, "availability_pct": 99.3452,
        "longest_outage_minutes": 180.0, "longest_outage_asset": "fw-acme", "longest_outage_band": "1-4 h",
        "worst_breach_downtime_minutes": 114.0, "worst_breach_band": "1-4 h",
        "hosts_infected": [HOSTILE["img"] if hostile else "fin-pc-07"],
        "hosts_reinfected": [], "unprotected_assets": ["dc01"],
        "av_stale_hosts": [HOSTILE["attr"]] if hostile else ["fs01"], "av_protection_off_hosts": [],
        "top_attackers": names((HOSTILE["js_url"] if hostile else "89.48.4.85", 45), ("203.0.113.7", 1024)),
        "top_targeted_services": names(("rdp", 300), ("https", 120), (HOSTILE["svg"] if hostile else "ssh", 40)),
        "top_malware": names((HOSTILE["svg"] if hostile else "Win.Ransomware.Locky", 1)),
    }  # fmt: skip


def previous_metrics() -> dict:
    return {
        "org": ORG, "period": "week", "start": WEEK - dt.timedelta(days=7), "end": WEEK - dt.timedelta(days=1),
        "days_with_data": 7, "events": 90_000, "alerts": 2, "alerts_by_severity": names(("medium", 2)),
        "incidents": 1, "incidents_by_severity": names(("medium", 1)), "incidents_open": 0,
        "mttd_s": 300.0, "mttc_s": 1500.0, "mttr_s": 5400.0, "downtime_minutes": 0.0,
        "downtime_breach_minutes": 0.0, "availability_pct": 100.0, "unprotected_assets": ["dc01", "fs01"],
        "hosts_infected": [], "hosts_reinfected": [], "av_stale_hosts": [], "av_protection_off_hosts": [],
    }  # fmt: skip


DAY_ALERTS = {
    16: (),
    17: (("critical", 1), ("low", 2)),
    18: (("high", 2), ("medium", 1)),
    19: (("medium", 1),),
    20: (("medium", 1), ("low", 1)),
    22: (),
}
DAY_INCIDENTS = {17: (("critical", 1),), 18: (("high", 1),), 20: (("medium", 1),)}


def build(root: Path, *, hostile: bool = False) -> Config:
    """Write the lake under ``root/lake`` and return a config pointing at it."""
    cfg = config(root)
    lake = Path(cfg.lake_root)
    for day, row in incidents(hostile):
        _write(org_day_path(lake, "incidents", ORG, day), INCIDENT_SCHEMA, [row])
    by_day: dict[dt.date, list[dict]] = {}
    for day, row in outages(hostile):
        by_day.setdefault(day, []).append(row)
    for day, rows in by_day.items():
        _write(org_day_path(lake, "downtime", ORG, day), OUTAGE_SCHEMA, rows)
    rows = [week_metrics(hostile), previous_metrics()]
    rows.append({"org": ORG, "period": "week", "start": WEEK - dt.timedelta(days=21), "end": WEEK - dt.timedelta(days=15),
                 "incidents": 2, "mttd_s": 5400.0, "mttc_s": 20_000.0, "mttr_s": 60_000.0})  # fmt: skip
    for day, alerts in DAY_ALERTS.items():
        start = dt.date(2026, 11, day)
        rows.append(
            {
                "org": ORG, "period": "day", "start": start, "end": start, "days_with_data": 1,
                "alerts": sum(n for _, n in alerts), "alerts_by_severity": names(*alerts),
                "incidents": sum(n for _, n in DAY_INCIDENTS.get(day, ())),
                "incidents_by_severity": names(*DAY_INCIDENTS.get(day, ())),
            }
        )  # fmt: skip
    for row in rows:
        _write(metrics_path(lake, ORG, row["period"], row["start"]), METRICS_SCHEMA, [row])
    return cfg
