"""Sophos Central writer for the demo: neutral anti-virus events → SIEM integration JSON lines.

Shapes follow ``../shared/formats/sophos.md`` (section 1): the Sophos Central SIEM integration
script polls ``/siem/v1/events`` and appends one JSON object per line to its output file, which
the organisation's collector ships as is (no syslog header). ``when`` is the UTC time on the
endpoint, ``created_at`` when Central stored it (a few seconds later); ``location`` is the
endpoint's name, ``source_info.ip`` its address, ``source`` the logged-on user (``n/a`` for
none).

Event kinds rendered (fields in ``Event.data``, all with ``host``):

| kind | fields | Central ``type`` |
|---|---|---|
| ``av_found`` | path, signature | ``Event::Endpoint::Threat::Detected`` |
| ``av_moved`` | path, dest | ``Event::Endpoint::Threat::CleanedUp`` (Sophos quarantines and cleans in one step) |
| ``av_action_failed`` | path, signature, reason | ``Event::Endpoint::Threat::CleanupFailed`` |
| ``av_update`` | result (``updated``/``uptodate``/``failed``) | ``Event::Endpoint::UpdateSuccess`` / ``UpdateFailure`` |
| ``av_protection_disabled`` / ``av_protection_enabled`` | user | ``Event::Endpoint::SavDisabled`` / ``SavEnabled`` |

Not rendered (Central reports no such event): ``av_selfcheck`` and ``av_started``. An endpoint
that is up therefore shows in this log through its hourly update results.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Iterable

from seclake.demo.events import Event, Line
from seclake.demo.orgs import Org

FORMAT = "sophos_av"
KINDS = frozenset(
    {
        "av_found",
        "av_moved",
        "av_action_failed",
        "av_update",
        "av_protection_disabled",
        "av_protection_enabled",
    }
)
"""Neutral event kinds this writer renders (the generator routes events by kind)."""

CUSTOMER_ID = "816f36ee-dd2e-4ccd-bb12-cea766c28ade"
STORED_AFTER_S = 0.053

TYPES: dict[str, tuple[str, str, str, str]] = {
    "av_found": ("Threat::Detected", "high", "MALWARE", "Malware detected: '{threat}' at '{path}'"),
    "av_moved": ("Threat::CleanedUp", "medium", "MALWARE", "Malware cleaned up: '{threat}' at '{path}'"),
    "av_action_failed": (
        "Threat::CleanupFailed",
        "high",
        "MALWARE",
        "Manual cleanup required: '{threat}' at '{path}' ({reason})",
    ),
    "av_update_ok": ("UpdateSuccess", "low", "UPDATING", "Update succeeded"),
    "av_update_failed": ("UpdateFailure", "medium", "UPDATING", "Failed to protect computer: update failed"),
    "av_protection_disabled": ("SavDisabled", "high", "PROTECTION", "Real time protection disabled"),
    "av_protection_enabled": ("SavEnabled", "low", "PROTECTION", "Real time protection re-enabled"),
}
"""Event kind (updates split by result) → Central type suffix, severity, group, ``name`` text."""


class _Central:
    """Renders the SIEM events of one organisation's Sophos Central account."""

    def __init__(self, org: Org, rng: random.Random) -> None:
        self.org = org
        self.rng = rng
        self._threats: dict[tuple[str, str], str] = {}

    def render(self, event: Event) -> Line:
        data = event.data
        key = event.kind
        if key == "av_update":
            key = "av_update_failed" if data["result"] == "failed" else "av_update_ok"
        suffix, severity, group, text = TYPES[key]
        path = data.get("path")
        if "signature" in data:
            self._threats[(data["host"], path)] = data["signature"]
        threat = self._threats.get((data["host"], path))
        host = next((h for h in self.org.hosts if h.name == data["host"]), None)
        user = data.get("user") or (host.user if host else None)
        payload: dict[str, object] = {
            "when": _iso(event.time),
            "id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            "customer_id": CUSTOMER_ID,
            "severity": severity,
            "created_at": _iso(event.time + STORED_AFTER_S),
            "source_info": {"ip": host.ip} if host else None,
            "endpoint_type": "server" if host and host.kind == "server" else "computer",
            "endpoint_id": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{data['host']}.{self.org.domain}")),
            "origin": None,
            "type": f"Event::Endpoint::{suffix}",
            "location": data["host"],
            "source": f"{self.org.domain.split('.')[0].upper()}\\{user}" if user else "n/a",
            "group": group,
            "name": text.format(threat=threat, path=path, reason=data.get("reason")),
            "datastream": "event",
        }
        if path is not None:
            payload |= {"detection_identity_name": threat, "filePath": path}
        return Line(event.time, json.dumps(payload, separators=(", ", ": ")), event.tag)


def _iso(t: float) -> str:
    """``2024-11-20T08:02:11.000Z``: Central's UTC time with milliseconds."""
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def render(events: Iterable[Event], org: Org, rng: random.Random) -> list[Line]:
    """Every line the org's Central SIEM export writes for ``events`` (lines unsorted out)."""
    central = _Central(org, rng)
    return [central.render(event) for event in sorted(events, key=lambda e: e.time) if event.kind in KINDS]
