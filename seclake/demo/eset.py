"""ESET PROTECT syslog writer for the demo: neutral anti-virus events → ``ERAServer`` JSON lines.

Shapes follow ``../shared/formats/eset.md``: the organisation's ESET PROTECT server exports
detections to syslog with the JSON payload and an RFC 3164 header in the server's local time
(``<12>Nov 24 07:25:17 esmc-acme ERAServer[5032]: {"event_type":"Threat_Event",...}``, PRI 12 =
user.warning). The JSON ``occured`` time is UTC; ``hostname`` is the endpoint, ``ipv4`` its address.

Event kinds rendered (fields in ``Event.data``, all with ``host``), each as one ``Threat_Event``
from real-time file system protection:

| kind | fields | action_taken / action_error |
|---|---|---|
| ``av_found`` | path, signature | ``retained`` (the detection, before any remediation) |
| ``av_moved`` | path, dest | ``quarantined`` (threat name from the host's last detection of the path) |
| ``av_action_failed`` | path, signature, reason | ``unable to clean`` / the reason |

Not rendered (the ESET PROTECT syslog export has no event for them): ``av_update`` (module
updates), ``av_selfcheck``, ``av_started`` (service start) and ``av_protection_disabled``
(protection status is shown in the console only).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Iterable

from seclake.demo.events import MONTHS, Event, Line, LocalClock, day_fields, hms
from seclake.demo.orgs import Org

FORMAT = "eset"
KINDS = frozenset({"av_found", "av_moved", "av_action_failed"})
"""Neutral event kinds this writer renders (the generator routes events by kind)."""

PRI_WARNING = 12
SCANNER = "Real-time file system protection"
ENGINE_VERSION = "28344 (20231124)"

ACTIONS: dict[str, str] = {
    "av_found": "retained",
    "av_moved": "quarantined",
    "av_action_failed": "unable to clean",
}
"""Event kind → ``action_taken`` as ESET writes it."""


class _Server:
    """Renders the syslog lines of one organisation's ESET PROTECT server."""

    def __init__(self, org: Org, rng: random.Random) -> None:
        self.org = org
        self.clock = LocalClock(org.timezone)
        self.name = f"esmc-{org.id}"
        self.pid = rng.randrange(1000, 9000)
        self._signatures: dict[tuple[str, str], str] = {}

    def _endpoint(self, name: str) -> tuple[str | None, str | None]:
        host = next((h for h in self.org.hosts if h.name == name), None)
        return (host.ip, host.user) if host else (None, None)

    def render(self, event: Event) -> Line:
        data = event.data
        key = (data["host"], data["path"])
        if "signature" in data:
            self._signatures[key] = data["signature"]
        ip, user = self._endpoint(data["host"])
        payload: dict[str, object] = {
            "event_type": "Threat_Event",
            "ipv4": ip,
            "hostname": data["host"],
            "source_uuid": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{data['host']}.{self.org.domain}")),
            "occured": _occurred(event.time),
            "severity": "Warning",
            "threat_type": "trojan",
            "threat_name": self._signatures.get(key),
            "scanner_id": SCANNER,
            "scan_id": "virlog.dat",
            "engine_version": ENGINE_VERSION,
            "object_type": "file",
            "object_uri": "file://" + data["path"],
            "action_taken": ACTIONS[event.kind],
            "threat_handled": event.kind == "av_moved",
            "need_restart": False,
            "username": user,
            "processname": "/usr/lib/firefox/firefox" if event.kind == "av_found" else None,
            "circumstances": "Event occurred on a new file created by the application.",
        }
        if event.kind == "av_action_failed":
            payload["action_error"] = data["reason"]
        body = json.dumps({k: v for k, v in payload.items() if v is not None}, separators=(",", ":"))
        day, second = self.clock.split(event.time)
        f = day_fields(day)
        stamp = f"{MONTHS[f.tm_mon - 1]} {f.tm_mday:2d} {hms(second)}"
        return Line(
            event.time, f"<{PRI_WARNING}>{stamp} {self.name} ERAServer[{self.pid}]: {body}", event.tag
        )


def _occurred(t: float) -> str:
    """``06-May-2021 09:59:37``: ESET's UTC time, English month whatever the locale."""
    utc = dt.datetime.fromtimestamp(int(t), dt.UTC)
    return f"{utc.day:02d}-{MONTHS[utc.month - 1]}-{utc.year} {utc:%H:%M:%S}"


def render(events: Iterable[Event], org: Org, rng: random.Random) -> list[Line]:
    """Every line the org's ESET server sends for ``events`` (any order in; lines unsorted out)."""
    server = _Server(org, rng)
    return [server.render(event) for event in sorted(events, key=lambda e: e.time) if event.kind in KINDS]
