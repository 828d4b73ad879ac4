"""The report's charts as inline SVG: no script, no fetch, every text escaped.

Charts are built from the report's content (``seclake.report.content``), never from raw rows:

- ``per_day``: alerts or incidents per day, stacked by severity (a grey band marks a day with no data);
- ``outage_timeline``: one lane per asset (and service), a bar per outage clipped to the period,
  red when breach-caused, amber otherwise, a dashed end when the outage had not ended;
- ``downtime_benchmark``: the benchmark's shares of organisations at or above its threshold per
  scope, and the six downtime bands with the period's worst breach marked;
- ``response_trend``: mean time to detect, contain and resolve per period, in one unit;
- ``top_bars``: a ranked list (attackers, targeted services, malware) as horizontal bars.

Every element is assembled with ``markupsafe.Markup.format``, which escapes each argument that is
not itself markup: a hostname or malware name can never become markup in the SVG. Charts scale to
their container (``viewBox``, 100 % width), so they read on a phone.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo

from markupsafe import Markup

from seclake.report import format as fmt
from seclake.report.content import Comparison, DayCounts, NameCount, Outage, TrendPoint
from seclake.tables import DOWNTIME_BANDS, SEVERITIES

WIDTH = 400
FONT = 12
SEVERITY_COLOURS = {
    "info": "#98a2b3",
    "low": "#4a90d9",
    "medium": "#e9b000",
    "high": "#e8590c",
    "critical": "#b42318",
}
BREACH_COLOUR = "#b42318"
OUTAGE_COLOUR = "#e9b000"
TREND_COLOURS = {"mttd_s": "#1f6feb", "mttc_s": "#8250df", "mttr_s": "#1a7f37"}
TREND_LABELS = {"mttd_s": "detect", "mttc_s": "contain", "mttr_s": "resolve"}
GRID = "#d0d7de"
NO_DATA = "#eaeef2"
INK = "#24292f"
MUTED = "#57606a"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _element(tag: str, content: str | Markup = "", **attributes: object) -> Markup:
    """``<tag a="v">content</tag>``: attribute values and text content escaped."""
    rendered = Markup("").join(
        Markup(' {}="{}"').format(
            Markup(name.rstrip("_").replace("_", "-")),
            _number(value) if isinstance(value, float) else value,
        )
        for name, value in attributes.items()
        if value is not None
    )
    return Markup("<{0}{1}>{2}</{0}>").format(Markup(tag), rendered, content)


def _text(x: float, y: float, content: str, **attributes: object) -> Markup:
    attributes.setdefault("font_size", FONT)
    attributes.setdefault("fill", INK)
    return _element("text", content, x=float(x), y=float(y), **attributes)


def _rect(
    x: float, y: float, width: float, height: float, fill: str, tooltip: str = "", **attributes: object
) -> Markup:
    title = _element("title", tooltip) if tooltip else ""
    return _element(
        "rect", title, x=float(x), y=float(y), width=float(max(width, 0)), height=float(max(height, 0)),
        fill=fill, **attributes,
    )  # fmt: skip


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str = GRID, **attributes: object) -> Markup:
    return _element(
        "line", "", x1=float(x1), y1=float(y1), x2=float(x2), y2=float(y2), stroke=stroke, **attributes
    )


def _svg(height: float, label: str, parts: list[Markup], width: float = WIDTH) -> Markup:
    return Markup(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">{}</svg>'
    ).format(_number(width), _number(height), label, Markup("").join(parts))


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^n that is >= value (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def _y_axis(
    parts: list[Markup], top: float, bottom: float, left: float, right: float, ceiling: float, show
) -> None:
    for fraction in (0.0, 0.5, 1.0):
        y = bottom - (bottom - top) * fraction
        parts.append(_line(left, y, right, y))
        parts.append(
            _text(left - 4, y + 4, show(ceiling * fraction), text_anchor="end", fill=MUTED, font_size=10)
        )


def per_day(days: list[DayCounts], which: str, label: str) -> Markup:
    """Stacked bars per day by severity; ``which`` is 'alerts' or 'incidents'."""
    height, top, bottom, left, right = 190.0, 12.0, 164.0, 34.0, WIDTH - 6.0
    totals = [sum(getattr(day, which).values()) for day in days]
    ceiling = _nice_ceiling(max(totals, default=0))
    if ceiling < 4:
        ceiling = float(max(1, math.ceil(ceiling)))
    parts: list[Markup] = []
    _y_axis(parts, top, bottom, left, right, ceiling, lambda v: _number(v) if v == int(v) else "")
    slot = (right - left) / max(len(days), 1)
    bar = min(slot * 0.62, 44.0)
    every = math.ceil(len(days) / 10)
    for index, (day, total) in enumerate(zip(days, totals, strict=True)):
        x = left + index * slot + (slot - bar) / 2
        centre = x + bar / 2
        if not day.has_data:
            parts.append(_rect(x, top, bar, bottom - top, NO_DATA, f"{day.label}: no data"))
        else:
            y = bottom
            counts = getattr(day, which)
            for severity in SEVERITIES:
                n = counts.get(severity, 0)
                if n:
                    size = (bottom - top) * n / ceiling
                    y -= size
                    parts.append(
                        _rect(x, y, bar, size, SEVERITY_COLOURS[severity], f"{day.label}: {n} {severity}")
                    )
            parts.append(_text(centre, y - 3, f"{total:,}", text_anchor="middle", font_size=11))
        if index % every == 0:
            parts.append(
                _text(centre, bottom + 16, day.label, text_anchor="middle", fill=MUTED, font_size=11)
            )
    return _svg(height, label, parts)


def _ticks(
    start: dt.datetime, end: dt.datetime, kind: str, timezone: str
) -> list[tuple[dt.datetime, str, str]]:
    """Axis ticks of a period in local time, each with two short label lines."""
    zone = zoneinfo.ZoneInfo(timezone)
    if kind == "day":
        step, lines = dt.timedelta(hours=6), ("%H:%M", "")
    elif kind == "week":
        step, lines = dt.timedelta(days=1), ("%a", "%-d")
    else:
        step, lines = dt.timedelta(days=7), ("%-d", "%b")
    ticks, moment = [], start.astimezone(zone)
    while moment < end:
        ticks.append((moment, moment.strftime(lines[0]), moment.strftime(lines[1]) if lines[1] else ""))
        moment = (moment.replace(tzinfo=None) + step).replace(tzinfo=zone)
    return ticks


def outage_timeline(
    outages: list[Outage], start: dt.datetime, end: dt.datetime, kind: str, timezone: str
) -> Markup | None:
    """One lane per asset/service with the period's outages on a time axis; None without outages.

    An outage still running is drawn (dashed) to the end of the data it was measured on
    (``down_at + minutes``), never to the wall clock, so the same lake gives the same chart."""
    if not outages:
        return None
    lanes = list(dict.fromkeys((o.asset, o.service) for o in outages))
    lane_height, top, label_width = 26.0, 6.0, 172.0  # 24 characters of a lane name fit
    left, right = label_width + 4, WIDTH - 6.0
    bottom = top + lane_height * len(lanes)
    span = (end - start).total_seconds()

    def x_of(moment: dt.datetime) -> float:
        seconds = min(max((moment - start).total_seconds(), 0.0), span)
        return left + (right - left) * seconds / span

    parts: list[Markup] = []
    for moment, first, second in _ticks(start, end, kind, timezone):
        x = x_of(moment)
        parts.append(_line(x, top, x, bottom))
        parts.append(_text(x + 2, bottom + 13, first, fill=MUTED, font_size=10))
        parts.append(_text(x + 2, bottom + 25, second, fill=MUTED, font_size=10))
    for index, (asset, service) in enumerate(lanes):
        y = top + index * lane_height
        name = f"{asset} \u00b7 {service}" if service else asset
        parts.append(_line(left, y + lane_height, right, y + lane_height, stroke="#eaeef2"))
        parts.append(_text(label_width, y + lane_height / 2 + 4, _short(name, 24), text_anchor="end"))
    for outage in outages:
        y = top + lanes.index((outage.asset, outage.service)) * lane_height + 5
        x0 = x_of(outage.down_at)
        x1 = x_of(outage.up_at or min(end, outage.down_at + dt.timedelta(minutes=outage.minutes or 0)))
        colour = BREACH_COLOUR if outage.breach_caused else OUTAGE_COLOUR
        cause = "caused by an incident" if outage.breach_caused else "not caused by an incident"
        tooltip = f"{outage.asset} {outage.service or ''}: down {outage.down} \u2013 {outage.up} ({outage.duration}), {outage.cause}, {cause}"
        dashed = "4 2" if outage.up_at is None else None
        parts.append(
            _rect(x0, y, max(x1 - x0, 6.0), lane_height - 10, colour, tooltip, stroke=INK if dashed else None,
                  stroke_dasharray=dashed, rx=2)
        )  # fmt: skip
    return _svg(bottom + 30, "downtime per asset", parts)


def _band_floor(band: str) -> float:
    """The lower bound in hours of a band name: 'under 1 h' 0, '5-8 h' 5, 'over 24 h' 24."""
    if band.startswith("under"):
        return 0.0
    digits = band.removeprefix("over ").split("-")[0].split(" ")[0]
    return float(digits)


def downtime_benchmark(comparison: Comparison) -> Markup:
    """Shares of organisations at or above the threshold, then the bands with our worst breach."""
    threshold = comparison.at_least_hours or 0
    parts: list[Markup] = []
    label_width, left, right = 110.0, 116.0, WIDTH - 50.0
    y = 4.0
    for figure in comparison.figures:
        width = (right - left) * min(figure.value, 100) / 100
        weight = "bold" if figure.closest else None
        parts.append(_text(label_width, y + 15, figure.scope, text_anchor="end", font_weight=weight))
        parts.append(_rect(left, y + 3, right - left, 16, "#eaeef2"))
        parts.append(
            _rect(left, y + 3, width, 16, BREACH_COLOUR if figure.closest else "#e8a29b", figure.display)
        )
        parts.append(_text(left + width + 4, y + 15, figure.display, font_weight=weight))
        y += 24
    y += 14
    parts.append(_text(4, y, "Downtime bands (worst breach of the period):", fill=MUTED, font_size=11))
    y += 8
    band_width = (WIDTH - 8) / len(DOWNTIME_BANDS)
    for index, band in enumerate(DOWNTIME_BANDS):
        x = 4 + index * band_width
        severe = _band_floor(band) >= threshold
        ours = band == comparison.ours_band and bool(comparison.ours)
        fill = BREACH_COLOUR if ours else ("#f6d5d1" if severe else "#eaeef2")
        parts.append(_rect(x + 1, y + 14, band_width - 2, 22, fill, band))
        parts.append(
            _text(
                x + band_width / 2,
                y + 29,
                band,
                text_anchor="middle",
                font_size=10,
                fill="#ffffff" if ours else INK,
            )
        )
        if ours:
            parts.append(
                _text(
                    x + band_width / 2,
                    y + 9,
                    "\u25bc you",
                    text_anchor="middle",
                    font_size=11,
                    font_weight="bold",
                )
            )
    y += 52
    note = f"shaded: {threshold:g} h or more" if threshold else ""
    if not comparison.ours:
        note = (note + "; " if note else "") + "no breach downtime in this period"
    parts.append(_text(4, y, note, fill=MUTED, font_size=11))
    return _svg(y + 6, comparison.title, parts)


def _duration_unit(longest: float) -> tuple[float, str]:
    if longest < 2 * 3600:
        return 60.0, "min"
    if longest < 2 * fmt.DAY_S:
        return 3600.0, "h"
    return fmt.DAY_S, "d"


def response_trend(points: list[TrendPoint]) -> Markup | None:
    """Grouped bars of mean time to detect, contain, resolve per period; None when no value at all."""
    values = [getattr(p, key) for p in points for key in TREND_COLOURS if getattr(p, key) is not None]
    if not values:
        return None
    divisor, unit = _duration_unit(max(values))
    height, top, bottom, left, right = 190.0, 12.0, 164.0, 44.0, WIDTH - 6.0
    ceiling = _nice_ceiling(max(values) / divisor)
    parts: list[Markup] = []
    _y_axis(parts, top, bottom, left, right, ceiling, lambda v: f"{_number(v)} {unit}")
    slot = (right - left) / len(points)
    bar = min(slot * 0.8 / len(TREND_COLOURS), 16.0)
    for index, point in enumerate(points):
        if not point.has_data:
            parts.append(
                _rect(
                    left + index * slot + slot * 0.1,
                    top,
                    slot * 0.8,
                    bottom - top,
                    NO_DATA,
                    f"{point.label}: no data",
                )
            )
        x = left + index * slot + (slot - bar * len(TREND_COLOURS)) / 2
        for key, colour in TREND_COLOURS.items():
            value = getattr(point, key)
            if value is not None:
                size = (bottom - top) * (value / divisor) / ceiling
                tooltip = f"{point.label}: time to {TREND_LABELS[key]} {fmt.duration(value)}"
                parts.append(_rect(x, bottom - max(size, 1.0), bar, max(size, 1.0), colour, tooltip))
            x += bar
        centre = left + index * slot + slot / 2
        parts.append(_text(centre, bottom + 16, point.label, text_anchor="middle", fill=MUTED, font_size=10))
    return _svg(height, "response times per period", parts)


def top_bars(items: list[NameCount], label: str) -> Markup | None:
    """A ranked list as horizontal bars with counts; None when empty."""
    if not items:
        return None
    width, row, label_width = 360.0, 22.0, 150.0
    left, right = label_width + 6, width - 50.0
    most = max(item.count for item in items) or 1
    parts: list[Markup] = []
    for index, item in enumerate(items):
        y = 4 + index * row
        length = (right - left) * item.count / most
        parts.append(_text(label_width, y + 14, _short(item.name, 22), text_anchor="end"))
        parts.append(_rect(left, y + 3, max(length, 2.0), 15, "#4a90d9", f"{item.name}: {item.count:,}"))
        parts.append(_text(left + length + 4, y + 14, f"{item.count:,}", fill=MUTED, font_size=11))
    return _svg(8 + row * len(items), label, parts, width)
