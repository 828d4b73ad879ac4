"""Syslog envelopes and timestamps shared by every format: Polars expressions, no per-line Python.

Envelopes accepted in front of a vendor payload (all optional, in this order):
``<PRI>``, the RFC 5424 version ``1``, a timestamp, a host name, then the body.

Timestamps:
- ISO 8601 (RFC 5424, rsyslog/syslog-ng relays): ``2021-08-25T14:55:13Z``, ``...13.5+07:00``,
  ``2021-08-25 14:55:13``. With an offset it is exact; without, it is read in the source's
  configured timezone.
- BSD (RFC 3164): ``Nov 20 02:15:24``, ``Nov  3 02:15:24.123``, ``Nov 20 2022 02:15:24`` (Cisco
  adds the year). Read in the source's timezone. Without a year the event takes the year that
  puts it closest to the file's date: a ``Dec 31`` line in a file of 1 January is last year's.

Times a device writes without a zone and that do not exist in the zone (the hour skipped when
daylight saving starts) become null; ambiguous ones (the hour repeated when it ends) take the
earlier instant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl

ISO_TIME = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
BSD_TIME = r"[A-Z][a-z]{2} {1,2}\d{1,2}(?: \d{4})? \d{2}:\d{2}:\d{2}(?:\.\d+)?"

ENVELOPE = (
    r"^\s*(?:<(?P<pri>\d{1,3})>(?:1 )?)?\s*"
    rf"(?:(?P<time>{ISO_TIME}|{BSD_TIME}):?\s*"
    r"(?:(?P<host>[A-Za-z0-9][\w.\-]*)\s*:?\s+)?)?"
    r"(?P<body>(?s:.*))$"
)
"""Splits a line into pri, time, host and body. ``host`` is only taken after a time.

Use it once per frame (``str.extract_groups(ENVELOPE)`` into a column, then its fields): Polars
does not share one ``extract_groups`` between several struct-field expressions. Parsers run it
on the distinct header texts only and join the result back."""

_HALF_YEAR = dt.timedelta(days=183)

PRIVATE_IP = (
    r"^(?:10\.|192\.168\.|172\.(?:1[6-9]|2[0-9]|3[01])\.|127\.|169\.254\.|100\.(?:6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\."
    r"|22[4-9]\.|23[0-9]\.|255\.255\.255\.255$|0\."
    r"|[fF][cdCD]|[fF][eE][89abAB]|[fF][fF][0-9a-fA-F]{0,2}:|::1?$)"
)
"""Private, loopback, link-local and carrier-grade NAT addresses (IPv4), unique-local, link-local
and loopback (IPv6), plus what never leaves the local network: multicast (224.0.0.0/4, ff00::/8),
the limited broadcast 255.255.255.255 and "this network" (0.0.0.0/8, ::). This is what the
normalisation rules call a private address range: mDNS to ff02::fb or DHCP to 255.255.255.255 is
internal traffic, not outbound."""


def localize(naive: pl.Expr, timezone: str) -> pl.Expr:
    """Read a naive datetime as wall-clock time in ``timezone`` and convert it to UTC."""
    return naive.dt.replace_time_zone(
        timezone, ambiguous="earliest", non_existent="null"
    ).dt.convert_time_zone("UTC")


def iso_time(text: pl.Expr, timezone: str) -> pl.Expr:
    """Parse an ISO 8601 timestamp to UTC; one without an offset is read in ``timezone``."""
    normalised = text.str.replace(" ", "T", literal=True)
    with_zone = normalised.str.strptime(pl.Datetime("us", "UTC"), "%Y-%m-%dT%H:%M:%S%.f%#z", strict=False)
    naive = normalised.str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S%.f", strict=False)
    return (
        pl.when(normalised.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$"))
        .then(with_zone)
        .otherwise(localize(naive, timezone))
    )


def closest_year(naive_with_file_year: pl.Expr, file_date: dt.date) -> pl.Expr:
    """Move a datetime parsed with the file's year by one year when that brings it nearer the file date."""
    anchor = dt.datetime.combine(file_date, dt.time(12))
    delta = naive_with_file_year - pl.lit(anchor)
    return (
        pl.when(delta > _HALF_YEAR)
        .then(naive_with_file_year.dt.offset_by("-1y"))
        .when(delta < -_HALF_YEAR)
        .then(naive_with_file_year.dt.offset_by("1y"))
        .otherwise(naive_with_file_year)
    )


def bsd_time(text: pl.Expr, timezone: str, file_date: dt.date) -> pl.Expr:
    """Parse ``Mmm dd [yyyy] HH:MM:SS[.fff]`` to UTC (year inferred when absent, see module doc)."""
    squeezed = text.str.replace_all(r"\s+", " ")
    has_year = squeezed.str.contains(r"^\w{3} \d{1,2} \d{4} ")
    with_year = squeezed.str.strptime(pl.Datetime("us"), "%b %d %Y %H:%M:%S%.f", strict=False)
    without_year = (
        pl.lit(f"{file_date.year} ")
        .add(squeezed)
        .str.strptime(pl.Datetime("us"), "%Y %b %d %H:%M:%S%.f", strict=False)
    )
    naive = pl.when(has_year).then(with_year).otherwise(closest_year(without_year, file_date))
    return localize(naive, timezone)


def any_time(text: pl.Expr, timezone: str, file_date: dt.date) -> pl.Expr:
    """Parse a timestamp that is either ISO 8601 or BSD syslog form (null when neither)."""
    return (
        pl.when(text.str.contains(r"^\d{4}-"))
        .then(iso_time(text, timezone))
        .otherwise(bsd_time(text, timezone, file_date))
    )


def syslog_severity(level: pl.Expr) -> pl.Expr:
    """Map a syslog severity number (0-7) to the normalised severity (see seclake.schema)."""
    return (
        pl.when(level <= 1)
        .then(pl.lit("critical"))
        .when(level == 2)
        .then(pl.lit("high"))
        .when(level == 3)
        .then(pl.lit("medium"))
        .when(level == 4)
        .then(pl.lit("low"))
        .when(level <= 7)
        .then(pl.lit("info"))
    )


def is_private_ip(ip: pl.Expr) -> pl.Expr:
    """True for an address in a private range (``PRIVATE_IP``), null for a null address."""
    return ip.str.contains(PRIVATE_IP)


def range_direction(src_ip: pl.Expr, dst_ip: pl.Expr) -> pl.Expr:
    """``direction`` from address ranges alone: private → private internal, private → public
    outbound, public → private inbound, else (public → public, an address missing) unknown."""
    src, dst = is_private_ip(src_ip), is_private_ip(dst_ip)
    return (
        pl.when(src & dst)
        .then(pl.lit("internal"))
        .when(src & ~dst)
        .then(pl.lit("outbound"))
        .when(~src & dst)
        .then(pl.lit("inbound"))
        .otherwise(pl.lit("unknown"))
    )


def zone_direction(
    src_zone: pl.Expr, dst_zone: pl.Expr, inside: Iterable[str], outside: str = "WAN"
) -> pl.Expr:
    """``direction`` from zone names (compared upper-case) where they tell: an ``inside`` zone to
    ``outside`` outbound, the reverse inbound, inside to inside internal; else from the address
    ranges (``range_direction`` of ``src_ip`` and ``dst_ip``)."""
    src, dst = src_zone.str.to_uppercase(), dst_zone.str.to_uppercase()
    src_in, dst_in = src.is_in(list(inside)), dst.is_in(list(inside))
    by_zone = (
        pl.when(src_in & (dst == outside))
        .then(pl.lit("outbound"))
        .when((src == outside) & dst_in)
        .then(pl.lit("inbound"))
        .when(src_in & dst_in)
        .then(pl.lit("internal"))
    )
    return pl.coalesce(by_zone, range_direction(pl.col("src_ip"), pl.col("dst_ip")))
