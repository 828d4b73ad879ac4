"""The event schema: one flat table every parser writes and every rule reads.

Names follow OCSF (the schema of Amazon Security Lake) where it has one, so an OCSF export is a
rename. Types are strict: ``time`` is a UTC timestamp in microseconds, IP addresses are canonical
strings, ports are integers. Every event keeps its provenance (``raw``, ``raw_file``, ``raw_line``)
so any alert can be traced back to the exact log line.

Normalisation rules every parser follows:

- A field the format does not carry is null, never invented. Vendor fields without a column go to
  ``extra`` (a string → string map).
- ``time`` is UTC. Precedence: a time inside the payload with a zone or as an epoch > a payload
  local time read in the source's configured timezone > the syslog envelope time (also read in the
  source's timezone unless it carries an offset). A header without a year takes the year that puts
  the event closest to the file's date (a ``Dec 31`` line in a 1 January file is last year's).
  ``time`` is null only when the line carries no time at all (documented per format).
- ``action`` is from the closed vocabulary of the event's class (``ACTIONS``); the device's own
  word is kept in ``vendor_action``. ``action`` is null only when the vendor verb has no meaning in
  the vocabulary (the parser documents which).
- Link, interface, tunnel, HA and service state changes are ``event_class = system`` with action
  ``up``/``down``/``failover``; the object (interface, tunnel, service) goes to ``rule_name`` and
  the box to ``device``. Admin and VPN logins are ``authentication`` with ``success``/``failure``.
- ``severity`` is the normalised ``info``/``low``/``medium``/``high``/``critical``; the vendor's
  value (syslog level, threat level, ...) is kept in ``vendor_severity``. For syslog levels:
  0-1 → critical, 2 → high, 3 → medium, 4 → low, 5-7 → info.
- ``direction`` is ``inbound``/``outbound``/``internal``/``unknown``: from the format's own
  direction or zones where it says, else from private/public address ranges.
- ``bytes_out`` is what the source (initiator) sent, ``bytes_in`` what it received;
  ``bytes_total`` is their sum, or the device's single total when it reports no split.
- ``host`` is the endpoint the event is about (lower-cased hostname as logged); ``device`` is the
  box that wrote the log (firewall, AV server).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import pyarrow as pa

EVENT_CLASSES: tuple[str, ...] = (
    "network_activity",
    "malware_detection",
    "authentication",
    "system",
)

ACTIONS: dict[str, tuple[str, ...]] = {
    "network_activity": ("allow", "deny", "drop", "reset"),
    "malware_detection": (
        "detected",
        "quarantined",
        "cleaned",
        "deleted",
        "blocked",
        "allowed",
        "failed",
    ),
    "authentication": ("success", "failure"),
    "system": (
        "up",
        "down",
        "failover",
        "config_change",
        "update_success",
        "update_failed",
        "protection_disabled",
        "protection_enabled",
        "scan_completed",
        "other",
    ),
}

SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")
DIRECTIONS: tuple[str, ...] = ("inbound", "outbound", "internal", "unknown")

EXTRA_TYPE = pa.map_(pa.string(), pa.string())
EXTRA_POLARS = pl.Map(pl.String, pl.String)


@dataclass(frozen=True)
class Column:
    """One column of the event table: its name, Arrow type, nullability and meaning."""

    name: str
    type: pa.DataType
    nullable: bool
    doc: str


_TS = pa.timestamp("us", tz="UTC")

EVENT_COLUMNS: tuple[Column, ...] = (
    Column("time", _TS, True, "When the event happened, UTC (null only if the line has no time)."),
    Column("org", pa.string(), False, "Organisation id from seclake.yaml."),
    Column("source", pa.string(), False, "Log source id of the organisation."),
    Column("vendor", pa.string(), False, "Vendor of the logging product, e.g. 'Cisco'."),
    Column("product", pa.string(), False, "Product, e.g. 'ASA', 'FTD', 'ClamAV'."),
    Column("format", pa.string(), False, "Parser (log format) that read the line."),
    Column("event_class", pa.string(), False, f"One of {', '.join(EVENT_CLASSES)}."),
    Column("action", pa.string(), True, "Normalised action, from ACTIONS[event_class]."),
    Column("vendor_action", pa.string(), True, "The action word as the device wrote it."),
    Column("severity", pa.string(), True, f"Normalised severity: {', '.join(SEVERITIES)}."),
    Column("vendor_severity", pa.string(), True, "Severity as the device wrote it."),
    Column("message_id", pa.string(), True, "Vendor message or log id (e.g. ASA '302013')."),
    Column("src_ip", pa.string(), True, "Source (initiator) IP, canonical text form."),
    Column("src_port", pa.int32(), True, "Source port."),
    Column("dst_ip", pa.string(), True, "Destination (responder) IP."),
    Column("dst_port", pa.int32(), True, "Destination port."),
    Column("nat_src_ip", pa.string(), True, "Source IP after NAT (as seen outside)."),
    Column("nat_dst_ip", pa.string(), True, "Destination IP after NAT."),
    Column("protocol", pa.string(), True, "Transport protocol, lower-case (tcp, udp, icmp, ...)."),
    Column("direction", pa.string(), True, f"One of {', '.join(DIRECTIONS)}."),
    Column("src_zone", pa.string(), True, "Source zone or interface name."),
    Column("dst_zone", pa.string(), True, "Destination zone or interface name."),
    Column("bytes_in", pa.int64(), True, "Bytes received by the source (responder → initiator)."),
    Column("bytes_out", pa.int64(), True, "Bytes sent by the source (initiator → responder)."),
    Column("bytes_total", pa.int64(), True, "bytes_in + bytes_out, or the device's single total."),
    Column("packets", pa.int64(), True, "Packets in both directions."),
    Column("duration_s", pa.float64(), True, "Session duration in seconds."),
    Column("rule_name", pa.string(), True, "Policy/ACL/signature name, or the object of a state change."),
    Column("device", pa.string(), True, "The firewall or AV server that wrote the log."),
    Column("host", pa.string(), True, "The endpoint the event is about (lower-case hostname)."),
    Column("user", pa.string(), True, "User name as logged (domain\\user kept as written)."),
    Column("file_path", pa.string(), True, "File path (malware and file events)."),
    Column("file_hash", pa.string(), True, "File hash, lower-case hex (sha256 preferred)."),
    Column("malware_name", pa.string(), True, "Threat/signature name of a detection."),
    Column("message", pa.string(), True, "Human-readable message text of the event."),
    Column("raw", pa.string(), False, "The raw log line, as read (invalid UTF-8 bytes escaped)."),
    Column("raw_file", pa.string(), False, "Path of the file the line came from."),
    Column("raw_line", pa.int64(), False, "1-based line number in raw_file."),
    Column("extra", EXTRA_TYPE, True, "Vendor fields without a column (string → string)."),
)

EVENT_SCHEMA: pa.Schema = pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in EVENT_COLUMNS])
EVENT_COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in EVENT_COLUMNS)

QUARANTINE_COLUMNS: tuple[Column, ...] = (
    Column("org", pa.string(), False, "Organisation id."),
    Column("source", pa.string(), False, "Log source id."),
    Column("format", pa.string(), True, "Parser that rejected the line (null: none applied)."),
    Column("reason", pa.string(), False, "Why the line is not an event."),
    Column("raw", pa.string(), False, "The raw line, as read (invalid UTF-8 bytes escaped)."),
    Column("raw_file", pa.string(), False, "Path of the file the line came from."),
    Column("raw_line", pa.int64(), False, "1-based line number in raw_file."),
)
QUARANTINE_SCHEMA: pa.Schema = pa.schema(
    [pa.field(c.name, c.type, nullable=c.nullable) for c in QUARANTINE_COLUMNS]
)

INPUT_SCHEMA: dict[str, pl.DataType] = {
    "raw": pl.String(),
    "raw_file": pl.String(),
    "raw_line": pl.Int64(),
}
"""Columns of the frame a parser receives: one row per input line."""


def _polars_type(arrow_type: pa.DataType) -> pl.DataType:
    if arrow_type == EXTRA_TYPE:
        return EXTRA_POLARS
    if arrow_type == _TS:
        return pl.Datetime("us", "UTC")
    return pl.from_arrow(pa.array([], type=arrow_type)).dtype


EVENT_POLARS_SCHEMA: dict[str, pl.DataType] = {c.name: _polars_type(c.type) for c in EVENT_COLUMNS}
QUARANTINE_POLARS_SCHEMA: dict[str, pl.DataType] = {c.name: _polars_type(c.type) for c in QUARANTINE_COLUMNS}


EXTRA_PREFIX = "extra."
"""Parsers put each vendor field into a flat string column ``extra.<key>``; ``events_frame`` and
``events_to_arrow`` fold them into the ``extra`` map (null values left out). Flat columns are cheap
in Polars, where building maps row by row is not."""


def extra_columns(**values: pl.Expr) -> list[pl.Expr]:
    """Expressions for ``extra.<key>`` columns: ``frame.with_columns(*extra_columns(rule_id=...))``."""
    return [expr.cast(pl.String).alias(EXTRA_PREFIX + key) for key, expr in values.items()]


def conform(frame: pl.DataFrame, polars_schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Add the schema's missing columns as typed nulls, cast, and order them as the schema does.

    Columns not in the schema are an error (a parser puts vendor fields into ``extra.<key>``
    columns, which are kept, as strings, after the schema's columns).
    """
    extras = sorted(c for c in frame.columns if c.startswith(EXTRA_PREFIX) and "extra" in polars_schema)
    unknown = set(frame.columns) - set(polars_schema) - set(extras)
    if unknown:
        raise ValueError(f"columns not in the schema: {sorted(unknown)}")
    return frame.select(
        *[
            (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in polars_schema.items()
        ],
        *[pl.col(name).cast(pl.String) for name in extras],
    )


def conform_events(frame: pl.DataFrame) -> pl.DataFrame:
    """``conform`` for the event table."""
    return conform(frame, EVENT_POLARS_SCHEMA)


def conform_quarantine(frame: pl.DataFrame) -> pl.DataFrame:
    """``conform`` for the quarantine table."""
    return conform(frame, QUARANTINE_POLARS_SCHEMA)


def _extra_map(frame: pl.DataFrame) -> pa.Array:
    """Fold the ``extra.<key>`` columns into one Arrow map array, without a per-row Python loop."""
    names = [c for c in frame.columns if c.startswith(EXTRA_PREFIX)]
    if not names:
        return pa.nulls(frame.height, EXTRA_TYPE)
    counts = frame.select(pl.sum_horizontal(pl.col(names).is_not_null()).cast(pl.Int32)).to_series()
    offsets = pl.concat([pl.Series([0], dtype=pl.Int32), counts.cum_sum()])
    entries = (
        frame.select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"),
            *[pl.col(name).alias(name.removeprefix(EXTRA_PREFIX)) for name in names],
        )
        .unpivot(index="_row", variable_name="key", value_name="value")
        .drop_nulls("value")
        .sort("_row", maintain_order=True)
    )
    return pa.MapArray.from_arrays(
        offsets.to_arrow(),
        entries["key"].to_arrow().cast(pa.string()),
        entries["value"].to_arrow().cast(pa.string()),
        mask=(counts == 0).to_arrow(),
    )


def string_views(schema: pa.Schema) -> pa.Schema:
    """``schema`` with its top-level string columns as ``string_view``: Polars' own layout, handed
    to the Parquet writer without a copy (the file stores plain UTF-8 strings either way)."""
    return pa.schema([f.with_type(pa.string_view()) if f.type == pa.string() else f for f in schema])


EVENT_WRITE_SCHEMA: pa.Schema = string_views(EVENT_SCHEMA)
"""What ``events_to_arrow(..., views=True)`` returns and the lake's pyarrow writers take."""


def _conformed(frame: pl.DataFrame) -> pl.DataFrame:
    conformed = conform_events(frame)
    if conformed["extra"].null_count() != conformed.height:
        raise ValueError("set vendor fields as extra.<key> columns, not the extra column itself")
    return conformed


def events_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """An event frame conformed to ``EVENT_POLARS_SCHEMA``, the ``extra.<key>`` columns folded into
    the ``extra`` map: what the lake writer takes."""
    conformed = _conformed(frame)
    return conformed.select(EVENT_COLUMN_NAMES).with_columns(pl.Series("extra", _extra_map(conformed)))


def events_to_arrow(frame: pl.DataFrame, *, views: bool = False) -> pa.Table:
    """Convert an event frame to an Arrow table of exactly ``EVENT_SCHEMA`` (extras folded), or of
    ``EVENT_WRITE_SCHEMA`` with ``views`` (strings left as views: no copy, for writing)."""
    conformed = _conformed(frame)
    table = conformed.select(EVENT_COLUMN_NAMES).to_arrow(compat_level=pl.CompatLevel.newest())
    table = table.set_column(table.schema.get_field_index("extra"), "extra", _extra_map(conformed))
    return table.cast(EVENT_WRITE_SCHEMA if views else EVENT_SCHEMA)


def quarantine_to_arrow(frame: pl.DataFrame) -> pa.Table:
    """Convert a conformed quarantine frame to an Arrow table of exactly ``QUARANTINE_SCHEMA``."""
    return conform_quarantine(frame).to_arrow().cast(QUARANTINE_SCHEMA)
