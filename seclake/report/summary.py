"""The report's plain-language summary: three to five sentences generated from the period's figures.

In order, each only when it has something to say:

1. incidents: how many, by severity, against the previous period;
2. the most serious incident (the first of the period's incidents, worst first): what, where, and
   how it ended (contained, else resolved, how long after detection; or still open at the end);
3. response times: mean time to detect and to contain, and how many incidents are still open;
4. downtime: total and breach-caused, against the previous period;
5. protection: hosts re-infected, protection off, stale signatures, assets with no anti-virus;
   when every list is empty, that anti-virus reported healthy everywhere.

A figure the metrics do not have is said to be missing ("no data for last week"), never zero.
Sentences are plain text: every renderer escapes them.
"""

from __future__ import annotations

from seclake.report import format as fmt
from seclake.report.data import ReportData, Row

CONTAINMENT_WORDS = {
    "blocked": "attacker blocked",
    "quarantined": "file quarantined",
    "isolated": "host isolated",
    "last activity": "activity stopped",
}
"""How each containment of the incidents table reads in a sentence."""

PROTECTION_FINDINGS = (
    ("hosts_reinfected", "malware came back after cleaning on {}"),
    ("av_protection_off_hosts", "real-time protection is off on {}"),
    ("av_stale_hosts", "anti-virus signatures are out of date on {}"),
    ("unprotected_assets", "no anti-virus reports came from {}"),
)
"""Metrics lists that need a manager's attention, and how each reads."""


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "."


def _incidents(data: ReportData, metrics: Row) -> str:
    period = data.period
    count, alerts = metrics.get("incidents"), metrics.get("alerts")
    if count is None:
        return f"Incidents {period.this}: no data"
    if count == 0:
        raised = "no alerts" if not alerts else f"{fmt.plural(alerts, 'alert')} raised"
        text = f"no security incidents {period.this} ({raised})"
    else:
        text = f"{fmt.plural(count, 'incident')} {period.this} ({fmt.by_severity(metrics.get('incidents_by_severity'))})"
    if data.previous is None:
        return f"{text}; no data for {period.last}"
    return f"{text}, against {fmt.count(data.previous.get('incidents'))} {period.last}"


def where(incident: Row) -> str:
    """The assets an incident touched, else its entities: 'dc01, fs01, fw-sgt and 2 more'."""
    names = list(incident.get("assets") or []) or [fmt.entity(e) for e in incident.get("entities") or []]
    return fmt.listing([fmt.cut(name, 120) for name in names])


def _worst(data: ReportData) -> str | None:
    if not data.incidents:
        return None
    worst = data.incidents[0]
    place = where(worst)
    text = f"the most serious ({worst['severity']}): {worst['title']}" + (f" on {place}" if place else "")
    status = data.status_at_end(worst)
    if status == "open":
        return f"{text}, still open at the end of the {data.period.kind}"
    if worst.get("contained_at") is not None and worst.get("contained_at") < data.end_utc:
        how = CONTAINMENT_WORDS.get(worst.get("containment") or "", worst.get("containment") or "contained")
        return f"{text}, contained {fmt.relative(worst.get('time_to_contain_s'), 'detection')} ({how})"
    return f"{text}, resolved {fmt.relative(worst.get('time_to_resolve_s'), 'detection')}"


def _response(data: ReportData, metrics: Row) -> str | None:
    if not metrics.get("incidents"):
        return None
    detect, contain = metrics.get("mttd_s"), metrics.get("mttc_s")
    parts = []
    if detect is not None:
        parts.append(f"detected {fmt.duration(detect)} after they began")
    if contain is not None:
        parts.append(f"contained {fmt.duration(contain)} after detection")
    text = (
        f"on average, threats were {' and '.join(parts)}" if parts else "no response times could be measured"
    )
    still_open = metrics.get("incidents_open") or 0
    if still_open:
        text += f"; {fmt.plural(still_open, 'incident')} {'is' if still_open == 1 else 'are'} still open"
    return text


def _downtime(data: ReportData, metrics: Row) -> str:
    period = data.period
    total, breach = metrics.get("downtime_minutes"), metrics.get("downtime_breach_minutes")
    if total is None:
        return f"downtime {period.this}: no data"
    if total == 0:
        text = f"no service downtime was recorded {period.this}"
    elif breach:
        text = f"services were down {fmt.minutes(total)} in total, {fmt.minutes(breach)} of it caused by incidents"
    else:
        text = f"services were down {fmt.minutes(total)} in total, none of it caused by incidents"
    if data.previous is None:
        return f"{text}; no data for {period.last}"
    return f"{text}; {period.last} {fmt.minutes(data.previous.get('downtime_minutes'))}"


def _protection(metrics: Row) -> str | None:
    if all(metrics.get(key) is None for key, _ in PROTECTION_FINDINGS):
        return None
    findings = [
        text.format(fmt.listing(metrics[key])) for key, text in PROTECTION_FINDINGS if metrics.get(key)
    ]
    if not findings:
        return "anti-virus reported healthy on every protected host"
    return "needs attention: " + "; ".join(findings)


def summarise(data: ReportData) -> list[str]:
    """Three to five sentences on the period (one when there are no metrics for it)."""
    metrics = data.metrics
    if metrics is None:
        return [
            _sentence(
                f"There are no figures for {data.period.label} yet: seclake has not computed the metrics of "
                "this period, or no logs arrived for it"
            )
        ]
    parts = [
        _incidents(data, metrics),
        _worst(data),
        _response(data, metrics),
        _downtime(data, metrics),
        _protection(metrics),
    ]
    return [_sentence(part) for part in parts if part]
