"""Vendor-neutral events and the clock helpers every demo writer shares.

Background and scenarios describe what happens on a network (a connection, a denied packet, a VPN
login, a signature found on a host) as ``Event`` objects; one writer per log format
(``asa.py``, ``clamav.py``, ...) turns them into that vendor's lines. A new vendor is a new
writer over the same events.

Times are UTC epoch seconds (floats). Writers render them in the device's local time with
``LocalClock``, which caches the zone offset per UTC hour (every zone changes offset on a whole
or half hour boundary, so one offset per hour is exact for the zones the demo uses).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(slots=True)
class Event:
    """Something that happened, before any vendor wrote it down.

    ``kind`` names the neutral event (``conn``, ``deny``, ``vpn_auth``, ``av_found``, ...; each
    writer documents the kinds it renders); ``data`` holds its fields; ``tag`` is the id of the
    labelled scenario it belongs to (None for background).
    """

    time: float
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    tag: str | None = None


@dataclass(frozen=True, slots=True)
class Line:
    """One rendered log line with the UTC time it was written and its scenario tag."""

    time: float
    text: str
    tag: str | None


class Renderer(Protocol):
    """A writer's device: the lines it writes for one event (none for kinds it does not log)."""

    def render(self, event: Event) -> list[Line]: ...


def render_in_time_order(
    device: Renderer, events: Iterable[Event], kinds: frozenset[str] | None = None
) -> list[Line]:
    """Every line ``device`` writes for ``events`` (of ``kinds``, when given), fed to it in time
    order (devices keep state: sessions, counters); any order in, lines unsorted out."""
    return [
        line
        for event in sorted(events, key=lambda e: e.time)
        if kinds is None or event.kind in kinds
        for line in device.render(event)
    ]


class LocalClock:
    """Wall-clock views of UTC epoch seconds in one IANA zone (offset cached per UTC hour)."""

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)
        self._offsets: dict[int, int] = {}

    def offset(self, t: float) -> int:
        """The zone's UTC offset in seconds at instant ``t``."""
        hour = int(t // 3600)
        cached = self._offsets.get(hour)
        if cached is None:
            instant = dt.datetime.fromtimestamp(hour * 3600, dt.UTC).astimezone(self.zone)
            cached = int(instant.utcoffset().total_seconds())
            self._offsets[hour] = cached
        return cached

    def split(self, t: float) -> tuple[int, int]:
        """Local day number (days since 1970-01-01 on the wall clock) and second of that day."""
        return divmod(int(t) + self.offset(t), 86400)

    def wall(self, t: float) -> time.struct_time:
        """Local wall-clock fields of instant ``t`` (seconds truncated)."""
        return time.gmtime(int(t) + self.offset(t))

    def local_date(self, t: float) -> dt.date:
        """The local calendar day of instant ``t``."""
        wall = self.wall(t)
        return dt.date(wall.tm_year, wall.tm_mon, wall.tm_mday)

    def epoch(self, day: dt.date, hour: float = 0.0) -> float:
        """UTC epoch seconds of local ``hour`` (may be fractional) on ``day``."""
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=self.zone)
        return midnight.timestamp() + hour * 3600

    def day_bounds(self, day: dt.date) -> tuple[float, float]:
        """UTC epoch seconds of the local day's start and of the next day's start (23-25 h apart)."""
        return self.epoch(day), self.epoch(day + dt.timedelta(days=1))


def hms(second_of_day: int) -> str:
    """``HH:MM:SS`` of a second of the day."""
    return f"{second_of_day // 3600:02d}:{second_of_day % 3600 // 60:02d}:{second_of_day % 60:02d}"


def day_fields(day_number: int) -> time.struct_time:
    """Calendar fields (year, month, day, weekday) of a local day number from ``LocalClock.split``."""
    return time.gmtime(day_number * 86400)


def ctime(wall: time.struct_time) -> str:
    """C ``ctime()`` text of a wall-clock time: ``Wed Nov 24 07:25:17 2021`` (day space-padded)."""
    return (
        f"{WEEKDAYS[wall.tm_wday]} {MONTHS[wall.tm_mon - 1]} {wall.tm_mday:2d} "
        f"{wall.tm_hour:02d}:{wall.tm_min:02d}:{wall.tm_sec:02d} {wall.tm_year}"
    )


def iso_utc(t: float | None) -> str | None:
    """ISO 8601 UTC text of epoch seconds (``2024-11-20T02:15:24Z``), None stays None."""
    if t is None:
        return None
    return dt.datetime.fromtimestamp(int(t), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
