"""ClamAV syslog writer for the demo: neutral anti-virus events → clamd/freshclam/clamonacc lines.

Shapes follow ``../shared/formats/clamav.md``: each endpoint runs clamd (``LogSyslog yes``),
freshclam in daemon mode and clamonacc (on-access, ``--move=/var/quarantine``) and forwards
syslog to the organisation's collector, which writes RFC 3164 lines without PRI and with the
endpoint's hostname, in local time: ``Nov 24 07:25:17 fin-pc-07 clamd[812]: <text>``
(day space-padded, no year).

Event kinds rendered (fields in ``Event.data``, all with ``host``):

| kind | fields | lines |
|---|---|---|
| ``av_found`` | path, signature | clamd ``<path>: <sig> FOUND`` |
| ``av_moved`` | path, dest | clamonacc ``<path>: moved to '<dest>'`` |
| ``av_action_failed`` | path, signature, reason | clamonacc ``<path>: <reason> ERROR`` |
| ``av_update`` | result (``updated``/``uptodate``/``failed``), daily_version, daily_sigs | freshclam run (+ clamd reload after an update) |
| ``av_selfcheck`` | | clamd ``SelfCheck: Database status OK.`` |
| ``av_started`` | | clamd ``+++ Started at <ctime>`` (new clamd pid) |
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from seclake.demo.events import MONTHS, Event, Line, LocalClock, ctime, day_fields, hms, render_in_time_order
from seclake.demo.orgs import Org

FORMAT = "clamav"
KINDS = frozenset({"av_found", "av_moved", "av_action_failed", "av_update", "av_selfcheck", "av_started"})
"""Neutral event kinds this writer renders (the generator routes events by kind)."""

MIRROR = "https://database.clamav.net/daily.cvd"
MAIN = {"version": 62, "sigs": 6647427, "builder": "sigmgr"}
BYTECODE = {"version": 335, "sigs": 86, "builder": "awillia2"}

TEMPLATES: dict[str, tuple[str, str]] = {
    "FOUND": ("clamd", "{path}: {signature} FOUND"),
    "MOVED": ("clamonacc", "{path}: moved to '{dest}'"),
    "ERROR": ("clamonacc", "{path}: {reason} ERROR"),
    "SELFCHECK": ("clamd", "SelfCheck: Database status OK."),
    "STARTED": ("clamd", "+++ Started at {ctime}"),
    "UPDATE_STARTED": ("freshclam", "ClamAV update process started at {ctime}"),
    "DAILY_UPDATED": (
        "freshclam",
        "daily.cld updated (version: {daily_version}, sigs: {daily_sigs}, f-level: 90, builder: raynman)",
    ),
    "DAILY_UPTODATE": (
        "freshclam",
        "daily.cld database is up-to-date (version: {daily_version}, sigs: {daily_sigs}, f-level: 90, builder: raynman)",
    ),
    "MAIN_UPTODATE": (
        "freshclam",
        "main.cvd database is up-to-date (version: {main_version}, sigs: {main_sigs}, f-level: 90, builder: {main_builder})",
    ),
    "BYTECODE_UPTODATE": (
        "freshclam",
        "bytecode.cvd database is up-to-date (version: {bytecode_version}, sigs: {bytecode_sigs}, "
        "f-level: 90, builder: {bytecode_builder})",
    ),
    "NOTIFIED": ("freshclam", "Clamd successfully notified about the update."),
    "DOWNLOAD_FAILED": ("freshclam", "ERROR: Can't download daily.cvd from {mirror}"),
    "DB_FAILED": ("freshclam", "ERROR: Update failed for database: daily"),
    "UPDATE_FAILED": ("freshclam", "ERROR: Database update process failed: Connection failed"),
    "RELOAD_READING": ("clamd", "Reading databases from /var/lib/clamav"),
    "RELOADED": ("clamd", "Database correctly reloaded ({total_sigs} signatures)"),
    "ACTIVATING": ("clamd", "Activating the newly loaded database..."),
}
"""Message token → (program, text template filled from the event's fields)."""

MESSAGES: dict[str, tuple[tuple[float, str], ...]] = {
    "av_found": ((0, "FOUND"),),
    "av_moved": ((0, "MOVED"),),
    "av_action_failed": ((0, "ERROR"),),
    "av_selfcheck": ((0, "SELFCHECK"),),
    "av_started": ((0, "STARTED"),),
    "updated": (
        (0, "UPDATE_STARTED"),
        (4, "DAILY_UPDATED"),
        (4, "MAIN_UPTODATE"),
        (4, "BYTECODE_UPTODATE"),
        (5, "NOTIFIED"),
        (5, "RELOAD_READING"),
        (18, "RELOADED"),
        (18, "ACTIVATING"),
    ),
    "uptodate": (
        (0, "UPDATE_STARTED"),
        (1, "DAILY_UPTODATE"),
        (1, "MAIN_UPTODATE"),
        (1, "BYTECODE_UPTODATE"),
    ),
    "failed": ((-31, "UPDATE_STARTED"), (0, "DOWNLOAD_FAILED"), (0, "DB_FAILED"), (0, "UPDATE_FAILED")),
}
"""Event kind (or ``av_update`` result) → (seconds after the event, message token) in order.
A failed run's event time is when it fails (its start is logged 31 s earlier, the download timeout)."""


class _Collector:
    """Renders the syslog lines of every endpoint of one organisation."""

    def __init__(self, org: Org, rng: random.Random) -> None:
        self.clock = LocalClock(org.timezone)
        self.rng = rng
        self._pids: dict[tuple[str, str], int] = {}

    def pid(self, host: str, program: str) -> int:
        key = (host, program)
        if key not in self._pids:
            self._pids[key] = self.rng.randrange(400, 4000)
        return self._pids[key]

    def line(self, t: float, token: str, fields: dict, tag: str | None) -> Line:
        program, template = TEMPLATES[token]
        day, second = self.clock.split(t)
        f = day_fields(day)
        stamp = f"{MONTHS[f.tm_mon - 1]} {f.tm_mday:2d} {hms(second)}"
        host = fields["host"]
        text = template.format_map(fields | {"ctime": ctime(self.clock.wall(t))})
        return Line(t, f"{stamp} {host} {program}[{self.pid(host, program)}]: {text}", tag)

    def render(self, event: Event) -> list[Line]:
        if event.kind == "av_started":
            self._pids[event.data["host"], "clamd"] = self.rng.randrange(400, 4000)
        sequence = MESSAGES[event.data["result"] if event.kind == "av_update" else event.kind]
        fields = event.data
        if event.kind == "av_update":
            fields = fields | {
                "mirror": MIRROR,
                "main_version": MAIN["version"],
                "main_sigs": MAIN["sigs"],
                "main_builder": MAIN["builder"],
                "bytecode_version": BYTECODE["version"],
                "bytecode_sigs": BYTECODE["sigs"],
                "bytecode_builder": BYTECODE["builder"],
                "total_sigs": MAIN["sigs"] + BYTECODE["sigs"] + fields["daily_sigs"],
            }
        return [self.line(event.time + offset, token, fields, event.tag) for offset, token in sequence]


def render(events: Iterable[Event], org: Org, rng: random.Random) -> list[Line]:
    """Every line the org's endpoints send for ``events`` (any order in; lines unsorted out)."""
    return render_in_time_order(_Collector(org, rng), events)
