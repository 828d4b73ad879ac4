"""Durations as written in rules and config (``90s``, ``5m``, ``2h``, ``7d``)."""

from __future__ import annotations

import datetime as dt
import re

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}


def parse_duration(text: str | int) -> dt.timedelta:
    """``'5m'`` → 5 minutes; a bare integer is seconds. ValueError naming the text otherwise."""
    if isinstance(text, int) and not isinstance(text, bool):
        return dt.timedelta(seconds=text)
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"{text!r} is not a duration (use a number and s, m, h or d, e.g. 5m)")
    return dt.timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
