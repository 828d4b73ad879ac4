"""Microsoft Defender Antivirus writer for the demo: neutral anti-virus events → NXLog JSON lines.

Shapes follow ``../shared/formats/microsoft_defender.md``: each Windows endpoint runs NXLog
(``im_msvistalog`` on the ``Microsoft-Windows-Windows Defender/Operational`` channel, ``to_json()``)
and sends one JSON object per line to the organisation's collector: ``EventTime`` in the endpoint's
local time without zone, ``Hostname``, ``EventID``, ``SourceName``, ``Channel``, ``Severity``,
``Message`` (CRLF and TAB as Windows renders it) and every EventData item under its own name
(``"Threat Name"``, ``"Action ID"``...).

Event kinds rendered (fields in ``Event.data``, all with ``host``):

| kind | fields | EventID |
|---|---|---|
| ``av_found`` | path, signature | 1116 (detected, action Not Applicable) |
| ``av_moved`` | path, dest | 1117 (Quarantine; threat name from the host's last detection of the path) |
| ``av_action_failed`` | path, signature, reason | 1118 (remediation failed, the reason as Error Description) |
| ``av_update`` | result (``updated``/``uptodate``/``failed``), daily_version | 2000 / nothing (Defender logs no "up to date") / 2001 |
| ``av_selfcheck`` | | 1150 (service healthy) |
| ``av_started``, ``av_protection_enabled`` | | 5000 (real-time protection enabled) |
| ``av_protection_disabled`` | user | 5001 (real-time protection disabled; Defender logs no user for it, so ``user`` is not written) |

The signature version is ``1.<daily_version // 1000>.<daily_version % 1000>.0`` so an update
changes it the way Defender's does.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Iterable

from seclake.demo.events import Event, Line, LocalClock, day_fields, hms
from seclake.demo.orgs import Org

FORMAT = "defender"
KINDS = frozenset(
    {
        "av_found",
        "av_moved",
        "av_action_failed",
        "av_update",
        "av_selfcheck",
        "av_started",
        "av_protection_disabled",
        "av_protection_enabled",
    }
)
"""Neutral event kinds this writer renders (the generator routes events by kind)."""

PRODUCT = "Microsoft Defender Antivirus"
PRODUCT_VERSION = "4.18.24090.11"
ENGINE = "AM: 1.1.24090.11, NIS: 1.1.24090.11"
CHANNEL = "Microsoft-Windows-Windows Defender/Operational"
PROVIDER = "Microsoft-Windows-Windows Defender"
DEFAULT_DAILY = 419_000

MESSAGES: dict[int, str] = {
    1116: "Microsoft Defender Antivirus has detected malware or other potentially unwanted software.",
    1117: "Microsoft Defender Antivirus has taken action to protect this machine from malware or other potentially unwanted software.",
    1118: "Microsoft Defender Antivirus has encountered a non-critical error when taking action on malware or other potentially unwanted software.",
    1150: "Endpoint Protection client is up and running in a healthy state.",
    2000: "Microsoft Defender Antivirus security intelligence version updated.",
    2001: "Microsoft Defender Antivirus has encountered an error trying to update security intelligence.",
    5000: "Microsoft Defender Antivirus Real-time Protection scanning for malware and other potentially unwanted software was enabled.",
    5001: "Microsoft Defender Antivirus Real-time Protection scanning for malware and other potentially unwanted software was disabled.",
}  # fmt: skip
"""First line of the rendered Message per EventID (en-US)."""

LEVELS = {1116: "WARNING", 1117: "INFO", 1118: "WARNING", 1150: "INFO", 2000: "INFO", 2001: "ERROR", 5000: "INFO", 5001: "WARNING"}  # fmt: skip
_SEVERITY_VALUE = {"INFO": 2, "WARNING": 3, "ERROR": 4}


def signature_version(daily_version: int) -> str:
    """Defender-style security intelligence version of a daily counter."""
    return f"1.{daily_version // 1000}.{daily_version % 1000}.0"


class _Endpoints:
    """Renders the NXLog lines of every Windows endpoint of one organisation."""

    def __init__(self, org: Org, rng: random.Random) -> None:
        self.org = org
        self.clock = LocalClock(org.timezone)
        self.rng = rng
        self._record: dict[str, int] = {}
        self._threats: dict[tuple[str, str], str] = {}
        self._detections: dict[tuple[str, str], str] = {}
        self._signature: dict[str, int] = {}

    def _user(self, host: str) -> str | None:
        found = next((h for h in self.org.hosts if h.name == host), None)
        return f"{host.upper()}\\{found.user}" if found and found.user else None

    def _detection_data(
        self, event: Event, threat: str, action_id: int, action: str, error: tuple[str, str]
    ) -> dict:
        host, path = event.data["host"], event.data["path"]
        detection_id = self._detections.setdefault(
            (host, path), "{" + str(uuid.UUID(int=self.rng.getrandbits(128))).upper() + "}"
        )
        return {
            "Product Name": PRODUCT,
            "Product Version": PRODUCT_VERSION,
            "Detection ID": detection_id,
            "Detection Time": _iso_utc(event.time - 2),
            "Threat ID": str(2147480000 + sum(map(ord, threat)) % 40000),
            "Threat Name": threat,
            "Severity ID": "5",
            "Severity Name": "Severe",
            "Category ID": "8",
            "Category Name": "Trojan",
            "Source Name": "Real-Time Protection",
            "Process Name": "C:\\Windows\\explorer.exe",
            "Detection User": self._user(host),
            "Path": "file:_" + path,
            "Origin Name": "Local machine",
            "Type Name": "Concrete",
            "Action ID": str(action_id),
            "Action Name": action,
            "Error Code": error[0],
            "Error Description": error[1],
            "Remediation User": "NT AUTHORITY\\SYSTEM" if event.kind != "av_found" else "",
            "Security intelligence Version": f"AV: {self._version(host)}, AS: {self._version(host)}, NIS: {self._version(host)}",
            "Engine Version": ENGINE,
        }

    def _version(self, host: str) -> str:
        return signature_version(self._signature.get(host, DEFAULT_DAILY))

    def render(self, event: Event) -> Line | None:
        host = event.data["host"]
        kind = event.kind
        ok = ("0x00000000", "The operation completed successfully.")
        if kind == "av_found":
            self._threats[host, event.data["path"]] = event.data["signature"]
            event_id, data = (
                1116,
                self._detection_data(event, event.data["signature"], 9, "Not Applicable", ok),
            )
        elif kind == "av_moved":
            threat = self._threats.get((host, event.data["path"]), "Trojan:Win32/Wacatac.B!ml")
            event_id, data = 1117, self._detection_data(event, threat, 2, "Quarantine", ok)
        elif kind == "av_action_failed":
            error = ("0x80508023", event.data["reason"])
            event_id, data = (
                1118,
                self._detection_data(event, event.data["signature"], 2, "Quarantine", error),
            )
        elif kind == "av_update":
            if event.data["result"] == "uptodate":
                return None
            previous = self._version(host)
            if event.data["result"] == "updated":
                self._signature[host] = event.data["daily_version"]
                event_id = 2000
            else:
                event_id = 2001
            data = {
                "Product Name": PRODUCT,
                "Product Version": PRODUCT_VERSION,
                "Current security intelligence Version": self._version(host),
                "Previous security intelligence Version": previous,
                "Security intelligence Type": "AntiVirus",
                "Update Type": "Delta",
                "User": "NT AUTHORITY\\SYSTEM",
                "Current Engine Version": ENGINE.split(",")[0].removeprefix("AM: "),
                "Update Source": "Microsoft Update Server",
            }
            if event_id == 2001:
                data |= {
                    "Error Code": "0x8024402c",
                    "Error Description": "The proxy server or target server name cannot be resolved.",
                }
        elif kind == "av_protection_disabled":
            event_id, data = 5001, {"Product Name": PRODUCT, "Product Version": PRODUCT_VERSION}
        else:
            event_id = 1150 if kind == "av_selfcheck" else 5000
            data = {
                "Product Name": PRODUCT,
                "Product Version": PRODUCT_VERSION,
                "Platform version": PRODUCT_VERSION,
            }
        return Line(event.time, self._line(event, event_id, data), event.tag)

    def _line(self, event: Event, event_id: int, data: dict) -> str:
        host = event.data["host"]
        self._record[host] = self._record.get(host, self.rng.randrange(1000, 9000)) + 1
        day, second = self.clock.split(event.time)
        f = day_fields(day)
        level = LEVELS[event_id]
        message = MESSAGES[event_id] + "".join(
            f"\r\n \t{name}: {value}" for name, value in data.items() if value and name != "Product Name"
        )
        payload = {
            "EventTime": f"{f.tm_year:04d}-{f.tm_mon:02d}-{f.tm_mday:02d} {hms(second)}",
            "Hostname": host,
            "Keywords": "0x8000000000000000",
            "EventType": level,
            "SeverityValue": _SEVERITY_VALUE[level],
            "Severity": level,
            "EventID": event_id,
            "SourceName": PROVIDER,
            "ProviderGuid": "{11CD958A-C507-4EF3-B3F2-5FD9DFBD2C78}",
            "Version": 0,
            "RecordNumber": self._record[host],
            "Channel": CHANNEL,
            "Domain": "NT AUTHORITY",
            "AccountName": "SYSTEM",
            "UserID": "S-1-5-18",
            "Message": message,
            **{k: v for k, v in data.items() if v is not None},
            "EventReceivedTime": f"{f.tm_year:04d}-{f.tm_mon:02d}-{f.tm_mday:02d} {hms(min(second + 1, 86399))}",
            "SourceModuleName": "defender",
            "SourceModuleType": "im_msvistalog",
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _iso_utc(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def render(events: Iterable[Event], org: Org, rng: random.Random) -> list[Line]:
    """Every line the org's endpoints send for ``events`` (any order in; lines unsorted out)."""
    endpoints = _Endpoints(org, rng)
    lines = (endpoints.render(event) for event in sorted(events, key=lambda e: e.time) if event.kind in KINDS)
    return [line for line in lines if line is not None]
