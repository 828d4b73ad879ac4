"""How the report writes numbers, durations and times for a reader (one place, used by every format).

- durations: '0 min', 'under 1 min', '42 min', '2 h 30 m', '3.4 days' (two days and more), and
  relative to a moment: '42 min after detection', '2 min before detection';
- counts with thousands separators; availability with two decimals ('99.87 %');
- times in the organisation's own timezone: 'Tue 17 Nov 15:18'.

A missing figure is written as the caller's ``none`` text ('no data', 'no incidents'), never as 0.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from seclake.tables import SEVERITIES

WORST_FIRST: tuple[str, ...] = tuple(reversed(SEVERITIES))
DAY_S = 86_400.0


def duration(seconds: float | None, none: str = "no data") -> str:
    """A duration in the largest unit that still reads naturally; negative ones with a minus sign."""
    if seconds is None:
        return none
    size = abs(seconds)
    sign = "\u2212" if seconds < 0 else ""
    if size == 0:
        return "0 min"
    if size < 60:
        return "under 1 min"
    minutes = round(size / 60)
    if minutes < 60:
        return f"{sign}{minutes} min"
    if size < 2 * DAY_S:
        hours, rest = divmod(minutes, 60)
        return f"{sign}{hours} h {rest} m" if rest else f"{sign}{hours} h"
    return f"{sign}{size / DAY_S:.1f} days"


def relative(seconds: float | None, moment: str, none: str = "unknown") -> str:
    """'42 min after detection', '2 min before detection' (times can precede what they follow)."""
    if seconds is None:
        return none
    return f"{duration(abs(seconds))} {'before' if seconds < 0 else 'after'} {moment}"


def minutes(value: float | None, none: str = "no data") -> str:
    """A duration given in minutes."""
    return duration(None if value is None else value * 60, none)


def count(value: int | None, none: str = "no data") -> str:
    """A whole number with thousands separators."""
    return none if value is None else f"{value:,}"


def percent(value: float | None, none: str = "no data", digits: int = 2) -> str:
    """A percentage: '99.87 %'."""
    return none if value is None else f"{value:.{digits}f} %"


def plural(number: int, word: str, many: str | None = None) -> str:
    """'1 incident', '3 incidents'."""
    return f"{number:,} {word if number == 1 else (many or word + 's')}"


def cut(text: str | None, limit: int) -> str:
    """A text cut at ``limit`` characters, saying so."""
    text = text or ""
    return text if len(text) <= limit else text[:limit] + " \u2026 (cut)"


def capped(items: list[str] | None, limit: int) -> list[str]:
    """At most ``limit`` items, then 'and N more'."""
    items = list(items or [])
    return items if len(items) <= limit else [*items[:limit], f"and {len(items) - limit} more"]


ENTITY_WORDS = {"src_ip": "address", "dst_ip": "address", "host": "host", "user": "user"}
"""How an incident entity ('src_ip:203.0.113.7') reads: 'address 203.0.113.7'."""


def entity(text: str) -> str:
    """An incident entity in words; an unknown kind stays as it is."""
    kind, _, value = text.partition(":")
    return f"{ENTITY_WORDS[kind]} {value}" if kind in ENTITY_WORDS and value else text


def listing(items: list[str], limit: int = 3) -> str:
    """'a, b and c'; beyond ``limit``: 'a, b, c and 2 more'."""
    shown = items[:limit]
    rest = len(items) - len(shown)
    if rest:
        return ", ".join(shown) + f" and {rest} more"
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def severity_counts(items: list[dict] | None) -> dict[str, int]:
    """A NAME_COUNT list of severities as {severity: count}, worst first, zeros left out."""
    counts = {item["name"]: item["count"] for item in items or [] if item["count"]}
    ordered = {severity: counts.pop(severity) for severity in WORST_FIRST if severity in counts}
    return ordered | counts


def by_severity(items: list[dict] | None) -> str:
    """'1 critical, 2 medium' from a NAME_COUNT list of severities."""
    return ", ".join(f"{n:,} {severity}" for severity, n in severity_counts(items).items())


def total_by_severity(counts: dict[str, int]) -> str:
    """'3 (1 critical, 2 low)' from {severity: count}; '0' when empty."""
    total = sum(counts.values())
    return f"{total:,} ({', '.join(f'{n:,} {severity}' for severity, n in counts.items())})" if total else "0"


def local_time(moment: dt.datetime | None, timezone: str, none: str = "not yet") -> str:
    """A UTC time in the organisation's timezone: 'Tue 17 Nov 15:18'."""
    if moment is None:
        return none
    return moment.astimezone(zoneinfo.ZoneInfo(timezone)).strftime("%a %d %b %H:%M")


def local_stamp(moment: dt.datetime, timezone: str) -> str:
    """A UTC time in the organisation's timezone with its year: '23 November 2026, 10:55'."""
    return moment.astimezone(zoneinfo.ZoneInfo(timezone)).strftime("%-d %B %Y, %H:%M")


def utc_offset(timezone: str, on: dt.date) -> str:
    """'UTC+07:00' for a timezone on a day."""
    moment = dt.datetime.combine(on, dt.time(12), zoneinfo.ZoneInfo(timezone))
    offset = moment.utcoffset() or dt.timedelta(0)
    sign = "-" if offset < dt.timedelta(0) else "+"
    hours, rest = divmod(abs(int(offset.total_seconds())) // 60, 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"
