"""Recommended actions, each derived from one finding of the period by a written-down rule.

Rules, numbered as each action's ``rule`` (finding -> action):

high
 1. high or critical incidents (of the period or from before) still open at the period's end ->
    finish their response.
 2. ``account_compromise`` incidents -> reset the passwords of their ``user:`` entities and require
    multi-factor authentication for remote access.
 3. hosts re-infected (metrics ``hosts_reinfected``) -> patch or isolate them: the way in is still
    open or the cleaning missed something.
 4. real-time protection off (``av_protection_off_hosts``) -> re-enable it on those hosts.
 5. the worst breach's downtime at or above the downtime benchmark's threshold (17 h in the
    shipped Cisco benchmark) -> review the incident-response plan.
medium
 6. ``brute_force`` incidents -> block their ``src_ip:`` entities and check account lockout.
 7. hosts infected and not re-infected (``hosts_infected``) -> full scan and find the source.
 8. stale signatures (``av_stale_hosts``) -> fix anti-virus updates on those hosts.
 9. assets with no anti-virus events (``unprotected_assets``) -> install or reconnect it.
10. mean time to contain (``mttc_s``) over ``SLOW_CONTAINMENT_S`` (4 h, seclake's choice: half a
    working day) -> agree beforehand who may block an address or isolate a host.
11. the longest outage (``longest_outage_minutes``) of an hour or more while no downtime was
    breach-caused -> find its cause and add redundancy if it recurs.
low
12. remote-access, file-sharing or database services (RDP, SSH, Telnet, SMB, VNC, MySQL, ...)
    among the top targeted services (inbound connections the firewall denied) -> check that no
    firewall rule lets them in from the internet (VPN only).
13. a finished period with days without data (``days_with_data`` < its days) -> check log
    collection.

Actions come in rule order. An action names at most ``ITEMS_SHOWN`` hosts or incidents. Its text
holds names that came from logs: every renderer escapes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from seclake.report import format as fmt
from seclake.report.data import ReportData, Row

SLOW_CONTAINMENT_S = 4 * 3600.0
LONG_OUTAGE_MINUTES = 60.0
EXPOSED_SERVICES = {
    "rdp": "RDP", "ms-wbt-server": "RDP", "3389": "RDP",
    "ssh": "SSH", "22": "SSH",
    "telnet": "Telnet", "23": "Telnet",
    "smb": "SMB", "microsoft-ds": "SMB", "445": "SMB",
    "vnc": "VNC", "5900": "VNC",
    "mysql": "MySQL", "3306": "MySQL",
    "ms-sql-s": "SQL Server", "mssql": "SQL Server", "1433": "SQL Server",
    "postgresql": "PostgreSQL", "5432": "PostgreSQL",
    "redis": "Redis", "6379": "Redis",
    "mongodb": "MongoDB", "27017": "MongoDB",
}  # fmt: skip
"""Service names (or port numbers) of the top-targeted list: remote access, file sharing and
databases, which should never be reachable from the internet."""
ITEMS_SHOWN = 10
ITEM_CHARS = 120
"""An action names at most ``ITEMS_SHOWN`` hosts or incidents ('and N more'), each cut at ``ITEM_CHARS``."""


@dataclass(frozen=True)
class Recommendation:
    rule: int  # the rule's number in this module's docstring
    priority: str
    action: str
    reason: str
    items: list[str] = field(default_factory=list)


def _entities(incidents: list[Row], kind: str, prefix: str) -> list[str]:
    found = {
        entity.removeprefix(prefix)
        for incident in incidents
        if incident["kind"] == kind
        for entity in incident.get("entities") or []
        if entity.startswith(prefix)
    }
    return sorted(found)


def _exposed_services(metrics: Row) -> dict[str, int]:
    exposed: dict[str, int] = {}
    for item in metrics.get("top_targeted_services") or []:
        for token in re.split(r"[^a-z0-9-]+", str(item["name"]).lower()):
            if token in EXPOSED_SERVICES:
                label = EXPOSED_SERVICES[token]
                exposed[label] = exposed.get(label, 0) + item["count"]
                break
    return exposed


def _downtime_threshold_hours(data: ReportData) -> float | None:
    return next(
        (b.at_least_hours for b in data.benchmarks if b.compares_with == "worst_breach_downtime"), None
    )


def _incident_rules(data: ReportData) -> list[Recommendation]:
    found = []
    serious_open = data.open_serious()
    if serious_open:
        found.append(
            Recommendation(
                1,
                "high",
                f"Finish the response to {fmt.plural(len(serious_open), 'open serious incident')}",
                "High or critical incidents were still open at the end of the period: the attacker may still be active.",
                [f"{i['title']} ({i['severity']})" for i in serious_open],
            )
        )
    users = _entities(data.incidents, "account_compromise", "user:")
    if any(i["kind"] == "account_compromise" for i in data.incidents):
        found.append(
            Recommendation(
                2,
                "high",
                "Reset the passwords of the compromised accounts and require multi-factor authentication for remote access",
                "An account was used by an attacker (for example after a guessed VPN password).",
                users,
            )
        )
    attackers = _entities(data.incidents, "brute_force", "src_ip:")
    if any(i["kind"] == "brute_force" for i in data.incidents):
        found.append(
            Recommendation(
                6,
                "medium",
                "Block the addresses that tried to guess passwords and check that accounts lock after repeated failures",
                "Password-guessing attacks were seen.",
                attackers,
            )
        )
    return found


_HOST_LIST_RULES: tuple[tuple[int, str, str, str, str, str], ...] = (
    # rule, metrics list, priority, action ({} = how many), reason, what the list holds
    (
        3,
        "hosts_reinfected",
        "high",
        "Patch or isolate {} re-infected after cleaning",
        "Malware came back after it was removed: the way in is still open or the cleaning missed something.",
        "host",
    ),
    (
        4,
        "av_protection_off_hosts",
        "high",
        "Re-enable real-time anti-virus protection on {}",
        "With protection off, malware is not stopped when a file is opened.",
        "host",
    ),
    (
        7,
        "hosts_infected",
        "medium",
        "Run a full anti-virus scan on {} and find where the malware came from",
        "Malware was found on these hosts.",
        "infected host",
    ),
    (
        8,
        "av_stale_hosts",
        "medium",
        "Fix anti-virus signature updates on {}",
        "Out-of-date signatures miss recent malware.",
        "host",
    ),
    (
        9,
        "unprotected_assets",
        "medium",
        "Install or reconnect anti-virus on {}",
        "These servers and workstations sent no anti-virus events in the period.",
        "asset",
    ),
)
"""Rules whose finding is a list of hosts or assets in the metrics (rule 7 leaves out rule 3's)."""


def _metric_rules(data: ReportData, metrics: Row) -> list[Recommendation]:
    found = []
    reinfected = list(metrics.get("hosts_reinfected") or [])
    for rule, metric, priority, action, reason, noun in _HOST_LIST_RULES:
        items = [i for i in metrics.get(metric) or [] if rule != 7 or i not in reinfected]
        if items:
            found.append(
                Recommendation(rule, priority, action.format(fmt.plural(len(items), noun)), reason, items)
            )
    threshold = _downtime_threshold_hours(data)
    worst = metrics.get("worst_breach_downtime_minutes")
    if threshold is not None and worst is not None and worst >= threshold * 60:
        found.append(
            Recommendation(
                5,
                "high",
                "Review the incident-response plan and the recovery of the affected services",
                f"The worst breach kept services down {fmt.minutes(worst)}, at or above the {threshold:g} h "
                "that the downtime benchmark counts as severe.",
            )
        )
    exposed = _exposed_services(metrics)
    if exposed:
        found.append(
            Recommendation(
                12,
                "low",
                f"Check that no firewall rule lets {fmt.listing(list(exposed))} in from the internet "
                "(remote access only through the VPN)",
                "Attackers tried these services, which should never face the internet: the firewall refused "
                "the attempts counted here, and must keep doing so.",
                [f"{label}: {fmt.plural(n, 'attempt')}" for label, n in exposed.items()],
            )
        )
    return found


def _operations_rules(data: ReportData, metrics: Row) -> list[Recommendation]:
    found = []
    contain = metrics.get("mttc_s")
    if contain is not None and contain > SLOW_CONTAINMENT_S:
        found.append(
            Recommendation(
                10,
                "medium",
                "Agree beforehand who may block an address or isolate a host, so containment does not wait",
                f"Incidents took {fmt.duration(contain)} on average from detection to containment "
                f"(more than {fmt.duration(SLOW_CONTAINMENT_S)}).",
            )
        )
    longest = metrics.get("longest_outage_minutes")
    if longest is not None and longest >= LONG_OUTAGE_MINUTES and not metrics.get("downtime_breach_minutes"):
        asset = metrics.get("longest_outage_asset")
        found.append(
            Recommendation(
                11,
                "medium",
                "Find the cause of the longest outage and add redundancy if it happens again",
                f"The longest outage lasted {fmt.minutes(longest)} and no incident explains it.",
                [asset] if asset else [],
            )
        )
    covered, days = metrics.get("days_with_data"), len(data.period.days)
    if covered is not None and covered < days and data.end_utc <= data.generated_at:
        found.append(
            Recommendation(
                13,
                "low",
                "Check log collection: some days have no data",
                f"Only {covered} of {days} days had logs, so this report may miss incidents and outages.",
            )
        )
    return found


def recommend(data: ReportData) -> list[Recommendation]:
    """The period's recommended actions in rule order, worst first (none when there are no metrics)."""
    if data.metrics is None:
        return []
    found = _incident_rules(data) + _metric_rules(data, data.metrics) + _operations_rules(data, data.metrics)
    shortened = [
        replace(r, items=fmt.capped([fmt.cut(i, ITEM_CHARS) for i in r.items], ITEMS_SHOWN)) for r in found
    ]
    return sorted(shortened, key=lambda r: r.rule)
