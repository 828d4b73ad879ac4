"""Palo Alto Networks PAN-OS syslog in the default CSV format (PAN-OS 8.x-11.x, Panorama forwarding).

Format reference: ``../shared/formats/panos.md`` ("Syslog Field Descriptions" per PAN-OS version).

How a line is read
------------------
1. The CSV record starts at ``<0|1>,<YYYY/MM/DD HH:MM:SS>,`` (FUTURE_USE, receive_time); the
   text before it is the envelope (RFC 3164, RFC 5424, an ISO relay header, or none), read with
   ``envelope.ENVELOPE`` once per distinct header text and joined back (header time, host). A line
   without such a record is quarantined (``NO_RECORD``). A record holding a line break (two
   records pasted into one line) is read up to the break; ``extra.parse_error`` says so.
2. The record is split into fields by ``csvfields.split_records`` (quoted fields with commas stay
   one field; ``""`` is a quote). Positions are 0-based and taken by log type (field 3) from the
   reference; records only grow between versions, so a field the record is too short to carry is
   null. Every record with a recognised start becomes an event, whatever its type or subtype:
   rows with an empty or unknown type (``USERID``, ``DECRYPTION``, sanitised ``OTHERS``...) are
   ``system``/``other`` events with ``message_id`` = the type.
3. Each log type is parsed on its own rows only (partition by type, one plan per type).
   Empty fields are null; IP fields that are not valid addresses (sanitised ``00.00.000.00``) are
   null; ``0.0.0.0`` in NAT fields means no NAT.

Types and columns
-----------------
- TRAFFIC: ``message_id`` = ``TRAFFIC/<subtype>``; src/dst 7/8, NAT 9/10 (``nat_src_ip``/
  ``nat_dst_ip`` only when they differ from the real address, as the ASA parser does; NAT ports
  26/27 to extra), rule 11 → ``rule_name``, srcuser 12 → ``user`` (``domain\\user`` kept), zones
  16/17, ports 24/25 (null for ICMP), protocol 29, action 30, bytes 31 → ``bytes_total``, 32 sent →
  ``bytes_out``, 33 received → ``bytes_in``, packets 34, elapsed 36 → ``duration_s``,
  device_name 52. No severity (the format has none) and no message.
- THREAT: fields 0-30 as TRAFFIC; ``message_id`` = ``THREAT/<subtype>``; threatid 32
  ``Name(12345)`` → ``message`` = the name, ``extra.threat_id`` = the number (URL logs: ``(9999)``,
  message null); severity 34 → ``vendor_severity`` and ``severity``; misc 31 → ``file_path``
  for file-carrying subtypes (virus, wildfire-virus, wildfire, file, data), else ``extra.url``;
  filedigest 43 → ``file_hash`` (lower-case, only a SHA-256); device_name 59. Subtypes ``virus`` and
  ``wildfire-virus`` are ``malware_detection`` with ``malware_name`` = the threat name; ``spyware``
  (C2 signatures) keeps ``network_activity`` but also sets ``malware_name``.
- SYSTEM: eventid 8, object 9, module 12, severity 13, description 14 → ``message``, device_name
  22. A record missing the vsys field (field 13 not a severity word but 12 is, as in the corpus)
  is read one position earlier from 7 on. ``message_id`` = the eventid (a record cut before it:
  ``SYSTEM[/<subtype>]``). Classification (first
  match wins; ``vendor_action`` = the state word when one is parsed, else the eventid):

  | event | how recognised | class / action | rule_name |
  |---|---|---|---|
  | admin/user login failure | eventid ``auth-fail``/``*-auth-fail``, "failed authentication for user", "User x failed" | authentication / failure | |
  | admin/user login success | eventid ``auth-success``/``*-auth-succ``, "authenticated for user", "User x logged in" | authentication / success | |
  | logout | "User x logged out" | authentication / null (no verdict) | |
  | GlobalProtect gateway (pre-9.1) | ``globalprotectgateway-regist-succ`` / ``-logout-succ`` | system / up / down | object |
  | port link | "Port ethernet1/3: Up/Down ..." | system / up / down | the port |
  | HA link | "HA1 link down", "HA2 peer link up" | system / up / down | the link |
  | HA state | "HA Group 1: Moved from state X to state Y" | system / failover (Y = Non-Functional or Suspended: down) | ``HA Group 1`` |
  | VPN tunnel | "tunnel X is up/down" | system / up / down | the tunnel |
  | content update | "... update/install ... fail" / "Installed ... content/antivirus/wildfire ..." | system / update_failed / update_success | |
  | anything else | | system / other | object 9 |

  ``user`` is the quoted or named user of the description (``for user 'x'``, ``User x``,
  ``User name: x``) and ``src_ip`` the address after ``From:``/``from``.
- CONFIG: host 7 → ``src_ip``, cmd 9 → ``vendor_action``, admin 10 → ``user``, client 11,
  result 12, path 13 (extra), device_name 21; ``message_id`` = ``CONFIG/<cmd>``; ``message`` =
  ``<cmd> <path>``; action ``config_change``, except read-only commands (``get``, ``show``) and
  result ``Failed`` and records without a command → ``other``.
- GLOBALPROTECT (9.1+): eventid 8, stage 9, auth method 10, user 12, machine 14 → ``host``,
  public IP 15 (IPv6 16) → ``src_ip``, private IP 17 → ``extra.private_ip``, status 28 →
  ``vendor_action``, description 27 → ``message``, portal 33 / gateway 41 → ``rule_name``,
  device_name 47; ``message_id`` = ``GLOBALPROTECT/<eventid>``. ``*-auth`` events are
  ``authentication`` (status success → success, anything else → failure); ``gateway-connected``
  / ``gateway-register`` with status success → ``system``/``up``, ``gateway-logout`` →
  ``system``/``down``; the rest ``system``/``other``.
- HIPMATCH: user 7, machine 9 → ``host``, OS 10, src 11, HIP name 12 → ``rule_name``, device_name
  24; ``system``/``other``.
- CORRELATION: src 7, user 8, category 10, severity 11, device_name 17, object name 19 →
  ``rule_name``, object id 20 (``message_id`` = ``CORRELATION/<id>``), evidence 21 → ``message``;
  correlation objects flag compromised hosts: ``malware_detection``/``detected``.

Action mapping (``vendor_action`` keeps field 30 as written)
-------------------------------------------------------------
network_activity: ``allow``, ``alert``, ``continue``, ``override`` → allow; ``deny``,
``block-*``, ``sinkhole``, ``override-lockout`` → deny; ``drop*`` (``drop ICMP``, ``drop-all-packets``)
→ drop; ``reset-*`` → reset; anything else null. malware_detection: ``alert`` → detected,
``allow``/``continue`` → allowed, deny/drop/reset/block/sinkhole → blocked.

Direction
---------
From the zones (from 16, to 17) when both are recognised: a zone named like ``untrust``,
``untrusted``, ``outside``, ``internet``, ``wan``, ``external``, ``public`` is external; one named
like ``trust``, ``trusted``, ``inside``, ``lan``, ``internal``, ``dmz``, ``server(s)``, ``corp`` is
internal (case-insensitive; ``ctx.options`` ``external_zones`` / ``internal_zones``, comma
lists, replace these defaults). External → internal inbound, internal → external outbound,
internal → internal internal, external → external unknown. Otherwise (a zone not recognised)
from the address ranges (``envelope.range_direction``). Other types have no direction.

Time
----
``high_res_timestamp`` (ISO 8601 with offset; TRAFFIC 102, THREAT 107, other types the last field
that is such a timestamp) is exact. Else ``time_generated`` (6), else ``receive_time`` (1),
``YYYY/MM/DD HH:MM:SS`` without zone, read in ``ctx.timezone``; else the envelope time (any form
``envelope.any_time`` reads, in ``ctx.timezone`` when it has no offset). ``time`` is null only
when none of these is a valid time (the sanitised ``2020/00/00 00:00:00`` of the corpus).

``device``: the record's device_name, else the envelope host, else the serial (2).

Cost (what keeps parsing cheap; the output is the same as the plain reading above)
----------------------------------------------------------------------------------
- The record start is one regex search; when the header holds no comma or quote and the line
  no break (the usual line), the record is the line itself, not a copy. The log type is the
  fourth comma-separated piece (``split_exact``), read before the full split so each type's rows
  are split on their own. The envelope is parsed only when a record lacks time or device.
- Fields by position from the list ``csvfields.split_records`` makes (a plain split for records
  without quotes). Splitting is the largest cost (~13 ns a field); the rest is column work.
- Each type's plan (``with_columns`` steps, then one ``select``) is built once per type and time
  zone. Polars does not share a regex or a time parse between the expressions that use it, so
  such values (the NAT fields masked where they mean no NAT, the high_res text) are computed
  in a step of their own and read as columns; a fallback is computed only on the rows that
  need it (``time_generated`` where high_res is missing, the IPv6 lower-casing, the address
  ranges where a zone is not recognised).
- The usual high_res_timestamp shape (``_HIGH_RES_SHAPE``) is read by position, other shapes
  with the general format.
- Actions by literal rules (words, prefixes) on the lower-cased text, not regexes; zones are
  classified once per distinct name, the rows then look their zone up.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import polars as pl

from seclake.parsers.contract import REASON, ParseContext, ParseResult, finish
from seclake.parsers.csvfields import FIELDS, byte_slice, field, ip_text, split_records
from seclake.parsers.envelope import ENVELOPE, any_time, localize, range_direction
from seclake.schema import EXTRA_PREFIX, extra_columns

NAME = "panos"
VENDOR = "Palo Alto Networks"
PRODUCT = "PAN-OS"
VERSION = "1"

NO_RECORD = "no PAN-OS CSV record (<0|1>,<receive_time>,<serial>,<type>,...)"

_NET, _AUTH, _SYS, _MAL = "network_activity", "authentication", "system", "malware_detection"

_RECORD_START = r"[01],[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},"
_SNIFF = r"(?:^|[\t >])" + _RECORD_START + r"[^,]*,[A-Z]*(?:,|$)"
_LOCAL_TIME = "%Y/%m/%d %H:%M:%S"
_HIGH_RES_FORMAT = "%Y-%m-%dT%H:%M:%S%.f%#z"
_HIGH_RES_SHAPE = (
    r"^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"\.[0-9]{3}[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]$"
)
"""The high_res_timestamp PAN-OS writes (``2026-03-02T00:00:08.455+07:00``): read by fixed positions."""
_ISO_FIELD = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:?[0-9]{2})$"
)
_SHA256 = r"^[0-9A-Fa-f]{64}$"

_FAMILIES = {
    "TRAFFIC": "traffic",
    "THREAT": "threat",
    "SYSTEM": "system",
    "CONFIG": "config",
    "GLOBALPROTECT": "globalprotect",
    "HIPMATCH": "hipmatch",
    "CORRELATION": "correlation",
}
"""Log type (field 3) → family; any other type is the ``other`` family."""

_SEVERITIES = {
    "informational": "info",
    "low": "low",
    "medium": "medium",
    "high": "high",
    "critical": "critical",
}
"""PAN-OS severity word → normalised severity."""

_HIGH_RES = {"traffic": 102, "threat": 107}
_DEVICE_NAME = {
    "traffic": 52,
    "threat": 59,
    "system": 22,
    "config": 21,
    "globalprotect": 47,
    "hipmatch": 24,
    "correlation": 17,
}

_NET_ACTIONS: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (("allow", "alert", "continue", "override"), (), "allow"),
    (("deny", "sinkhole", "override-lockout"), ("block",), "deny"),
    ((), ("drop",), "drop"),
    ((), ("reset",), "reset"),
)
"""``(words, prefixes, action)``: the first rule whose word equals, or prefix starts, the lower-cased action."""
_MAL_ACTIONS: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (("alert",), (), "detected"),
    (("allow", "continue"), (), "allowed"),
    (("deny", "sinkhole"), ("drop", "reset", "block"), "blocked"),
)
_FILE_SUBTYPES = ("virus", "wildfire-virus", "wildfire", "file", "data")
_MALWARE_SUBTYPES = ("virus", "wildfire-virus")
_MALWARE_NAMED_SUBTYPES = ("virus", "wildfire-virus", "spyware")
_THREAT_ID = r"^(?P<name>.*?)\s*\((?P<id>[0-9]+)\)$"

_EXTERNAL_ZONES = r"(?i)^(?:untrust(?:ed)?|outside|internet|wan|external|public)(?:[-_ ]?[0-9a-z]+)?$"
_INTERNAL_ZONES = r"(?i)^(?:trust(?:ed)?|inside|lan|internal|dmz|servers?|corp|office)(?:[-_ ]?[0-9a-z]+)?$"

# ---- SYSTEM classification: description/eventid patterns (applied to SYSTEM rows only) ---------

_SYS_DETAIL = (
    r"(?i)^(?:Port (?P<port>[^:\s]+)\s*:\s*(?P<port_state>Up|Down)\b"
    r"|(?P<ha_link>HA[0-9][\w -]*?link)\s+(?:is\s+|status\s+|changed to\s+)?(?P<ha_link_state>up|down)\b"
    r"|(?P<ha_group>HA Group [0-9]+): Moved from state (?P<ha_from>[A-Za-z-]+) to state (?P<ha_to>[A-Za-z-]+))"
)
_SYS_TUNNEL = r"(?i)\btunnel (?P<tunnel>[^\s,']+) is (?P<tunnel_state>up|down)\b"
_SYS_USER = (
    r"(?i)(?:for user '(?P<quoted>[^']*)'|^User '?(?P<named>[^\s']+)'? (?:logged|failed)"
    r"|User name: (?P<labelled>[^,]+))"
)
_SYS_FROM = r"(?i)\bfrom:? (?P<ip>[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9a-f]*:[0-9a-f:]+)"
_SYS_AUTH_FAIL = r"(?i)(?:failed authentication for user|^User '?[^\s']+'? failed)"
_SYS_AUTH_OK = r"(?i)(?:^authenticated for user|^User '?[^\s']+'? logged in)"
_SYS_LOGOUT = r"(?i)^User '?[^\s']+'? logged out"
_SYS_UPDATE_FAILED = (
    r"(?i)(?:\b(?:content|anti-?virus|wildfire|threats?|apps?|url)\b.*\b(?:update|upgrade|install|download)\w*\b.*\bfail"
    r"|\bfail\w* to (?:install|download|update|upgrade)\b)"
)
_SYS_UPDATE_OK = (
    r"(?i)(?:^(?:successfully )?installed .*\b(?:content|anti-?virus|wildfire|threats?|apps?)\b"
    r"|\b(?:content|anti-?virus|wildfire)\b.*\bupdated? (?:successfully|completed)\b)"
)

_SYS_KINDS: tuple[tuple[str, str, str | None], ...] = (
    ("auth_failure", _AUTH, "failure"),
    ("auth_success", _AUTH, "success"),
    ("logout", _AUTH, None),
    ("gp_up", _SYS, "up"),
    ("gp_down", _SYS, "down"),
    ("port_up", _SYS, "up"),
    ("port_down", _SYS, "down"),
    ("ha_link_up", _SYS, "up"),
    ("ha_link_down", _SYS, "down"),
    ("ha_failover", _SYS, "failover"),
    ("ha_down", _SYS, "down"),
    ("tunnel_up", _SYS, "up"),
    ("tunnel_down", _SYS, "down"),
    ("update_failed", _SYS, "update_failed"),
    ("update_success", _SYS, "update_success"),
    ("other", _SYS, "other"),
)
"""SYSTEM event kind → class and action (see the module docstring's table)."""
Step = tuple[pl.Expr, ...]
"""Expressions evaluated together; a family's plan is ``with_columns`` steps, then one ``select``."""


def sniff(lines: pl.Series) -> pl.Series:
    """True for lines holding a PAN-OS CSV record (``1,2024/01/02 03:04:05,<serial>,<TYPE>,``)."""
    return lines.str.contains(_SNIFF).fill_null(False).alias(NAME)


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse PAN-OS CSV syslog lines into events; see the module docstring."""
    frames = []
    for (family,), part in _split(lines).partition_by("_family", as_dict=True, include_key=False).items():
        fields = part.lazy() if family == "junk" else split_records(part, "_record")
        frame = _run(fields, _plan(family, ctx.timezone)).collect(engine="streaming")
        frames.append(_with_direction(frame, ctx) if family in _SESSION_FAMILIES else frame)
    frame = (
        pl.concat(frames, how="diagonal_relaxed")
        if frames
        else lines.with_columns(*_NO_EVENT_COLUMNS, pl.lit(None, dtype=pl.String).alias(REASON))
    )
    return finish(_with_envelope(frame, ctx), ctx, format_name=NAME, vendor=VENDOR, product=PRODUCT)


def _split(lines: pl.DataFrame) -> pl.DataFrame:
    """Find the record in each line: ``_start`` (its byte offset), ``_record``, ``_cut``, ``_family``.

    The record is the line itself when the text before it (the header) holds no comma or quote
    and the line no line break (field 0 then carries the header, and field 0 is never read): no
    copy of the line. The other lines (if any) are sliced, and come after the others.
    """
    raw, start, newline, needs_cut = pl.col("raw"), pl.col("_start"), pl.col("_newline"), pl.col("_needs_cut")
    header_mark = raw.str.find(r'[,"]') < start  # the first comma or quote comes before the record
    end = pl.coalesce(newline, raw.str.len_bytes())
    log_type = pl.col("_record").str.split_exact(",", 3).struct.field("field_3")
    family = pl.when(start.is_null()).then(pl.lit("junk"))
    for name, fam in _FAMILIES.items():
        family = family.when(log_type == name).then(pl.lit(fam))
    frame = (
        lines.lazy()
        .with_columns(
            raw.str.find(_RECORD_START).alias("_start"), raw.str.find("\n", literal=True).alias("_newline")
        )
        .with_columns((header_mark.fill_null(False) | newline.is_not_null()).alias("_needs_cut"))
        .with_columns(
            pl.when(needs_cut)
            .then(byte_slice(pl.when(needs_cut).then(raw), start, end - start))
            .when(start.is_not_null())
            .then(raw)
            .alias("_record")
        )
        .select(
            "raw",
            "raw_file",
            "raw_line",
            "_start",
            "_record",
            (newline.is_not_null() & start.is_not_null()).alias("_cut"),
            family.otherwise(pl.lit("other")).alias("_family"),
            needs_cut,
        )
        .collect(engine="streaming")
    )
    cut = frame.get_column("_needs_cut")
    if cut.any():
        frame = pl.concat([frame.filter(~cut), frame.filter(cut)])
    return frame.drop("_needs_cut")


def _run(frame: pl.LazyFrame, plan: tuple[Step, ...]) -> pl.LazyFrame:
    """Apply a plan: its steps as ``with_columns``, the last one as the ``select``."""
    for step in plan[:-1]:
        frame = frame.with_columns(*step)
    return frame.select(*plan[-1])


@functools.cache
def _plan(family: str, timezone: str) -> tuple[Step, ...]:
    """The steps that turn a family's split records into its columns (built once per family and zone)."""
    if family == "junk":
        return (_JUNK_COLUMNS,)
    return (*_time_steps(family, timezone), *_FAMILY_STEPS[family]())


def _with_envelope(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Read each distinct header once (time, host), fill ``time``/``device`` where the record has none.

    Records with both (the usual case: every PAN-OS 8+ record names its device) skip the join.
    """
    if frame.select((pl.col("time").is_null() | pl.col("device").is_null()).any()).item() is not True:
        return frame.drop("_start")
    frame = frame.with_columns(byte_slice(pl.col("raw"), 0, pl.col("_start")).alias("_header")).drop("_start")
    headers = (
        frame.select(pl.col("_header").unique())
        .with_columns(pl.col("_header").str.extract_groups(ENVELOPE).alias("_env"))
        .select(
            "_header",
            any_time(pl.col("_env").struct.field("time"), ctx.timezone, ctx.date).alias("_header_time"),
            pl.col("_env").struct.field("host").alias("_header_host"),
        )
    )
    frame = frame.join(headers, on="_header", how="left", maintain_order="left")
    return frame.with_columns(
        pl.coalesce("time", "_header_time").alias("time"),
        pl.coalesce("device", "_header_host", EXTRA_PREFIX + "serial").alias("device"),
    ).drop("_header", "_header_time", "_header_host")


def _with_direction(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Add ``direction``: from the zones when both are recognised, else from the address ranges.

    Each distinct zone name is classified once; the rows then only look their zones up.
    """
    external, internal = _zone_sides(
        pl.concat([frame.get_column("src_zone"), frame.get_column("dst_zone")]), ctx
    )
    src, dst = pl.col("src_zone"), pl.col("dst_zone")
    src_out, src_in, dst_out, dst_in = (
        src.is_in(external),
        src.is_in(internal),
        dst.is_in(external),
        dst.is_in(internal),
    )
    by_range = ~((src_out | src_in) & (dst_out | dst_in)).fill_null(False)
    in_range = [pl.when(by_range).then(pl.col(ip)) for ip in ("src_ip", "dst_ip")]  # only these rows are read
    return frame.with_columns(
        pl.when(by_range)
        .then(range_direction(*in_range))
        .when(src_out & dst_in)
        .then(pl.lit("inbound"))
        .when(src_in & dst_out)
        .then(pl.lit("outbound"))
        .when(src_in & dst_in)
        .then(pl.lit("internal"))
        .otherwise(pl.lit("unknown"))
        .alias("direction")
    )


def _zone_sides(zones: pl.Series, ctx: ParseContext) -> tuple[list[str], list[str]]:
    """The external and the internal names among ``zones`` (see the module docstring)."""
    names = zones.drop_nulls().unique()
    lowered = names.str.to_lowercase()
    external_list, internal_list = ctx.options.get("external_zones"), ctx.options.get("internal_zones")
    external = (
        lowered.is_in([z.strip().lower() for z in external_list.split(",")])
        if external_list is not None
        else names.str.contains(_EXTERNAL_ZONES)
    )
    internal = (
        lowered.is_in([z.strip().lower() for z in internal_list.split(",")])
        if internal_list is not None
        else names.str.contains(_INTERNAL_ZONES)
    )
    return names.filter(external).to_list(), names.filter(~external & internal).to_list()


# ---- column helpers -----------------------------------------------------------------------------


def _time_steps(family: str, timezone: str) -> tuple[Step, ...]:
    """``time``: high_res_timestamp (always with an offset), else time_generated, else receive_time,
    both read in ``timezone``. Each fallback is parsed only on the rows the ones before it left null
    (time parsing is not shared between expressions, hence the steps)."""
    position = _HIGH_RES.get(family)
    high_res = field(position) if position is not None else _last_iso_field()
    text, usual = pl.col("_high_res"), pl.col("_usual")
    time, generated = pl.col("time"), pl.col("_generated")
    received = _local_time(pl.when(time.is_null() & generated.is_null()).then(field(1)))
    other = pl.when(~usual).then(text).str.strptime(pl.Datetime("us", "UTC"), _HIGH_RES_FORMAT, strict=False)
    return (
        (high_res.alias("_high_res"),),
        (text.str.contains(_HIGH_RES_SHAPE).alias("_usual"),),
        (pl.coalesce(_usual_high_res(pl.when(usual).then(text)), other).alias("time"),),
        (_local_time(pl.when(time.is_null()).then(field(6))).alias("_generated"),),
        (pl.coalesce(time, localize(pl.coalesce(generated, received), timezone)).alias("time"),),
    )


def _usual_high_res(text: pl.Expr) -> pl.Expr:
    """A ``_HIGH_RES_SHAPE`` timestamp in UTC, read by position: the same instant ``_HIGH_RES_FORMAT``
    parses, at a third of its cost (the date and time without fraction and offset take the fast
    fixed-format parser; an impossible date such as 02-30 is null either way)."""
    naive = text.str.head(19).str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S", strict=False)
    minutes = text.str.slice(24, 2).cast(pl.Int64) * 60 + text.str.slice(27, 2).cast(pl.Int64)
    offset = pl.when(text.str.slice(23, 1) == "-").then(-minutes).otherwise(minutes)
    fraction = pl.duration(milliseconds=text.str.slice(20, 3).cast(pl.Int64))
    return (naive + fraction - pl.duration(minutes=offset)).dt.replace_time_zone("UTC")


def _local_time(text: pl.Expr) -> pl.Expr:
    return text.str.strptime(pl.Datetime("us"), _LOCAL_TIME, strict=False)


def _last_iso_field() -> pl.Expr:
    """The last field that is an ISO 8601 timestamp (high_res_timestamp of non-session logs)."""
    return pl.col(FIELDS).list.eval(pl.element().filter(pl.element().str.contains(_ISO_FIELD))).list.last()


def _base(family: str) -> Step:
    """Columns every type has: input columns, reason, record start, time, device, type/subtype extras."""
    device = _DEVICE_NAME.get(family)
    return (
        pl.col("raw"),
        pl.col("raw_file"),
        pl.col("raw_line"),
        pl.col("_start"),
        pl.lit(None, dtype=pl.String).alias(REASON),
        pl.col("time"),
        (field(device) if device is not None else pl.lit(None, dtype=pl.String)).alias("device"),
        *extra_columns(
            serial=field(2),
            log_type=field(3),
            subtype=field(4),
            parse_error=pl.when(pl.col("_cut")).then(pl.lit("text after a line break not read")),
        ),
    )


def _type_id() -> pl.Expr:
    return pl.concat_str(field(3), field(4), separator="/", ignore_nulls=True)


def _severity(word: pl.Expr) -> pl.Expr:
    lowered = word.str.to_lowercase()
    mapped = pl.lit(None, dtype=pl.String)
    for vendor, normal in _SEVERITIES.items():
        mapped = pl.when(lowered == vendor).then(pl.lit(normal)).otherwise(mapped)
    return mapped


def _mapped(text: pl.Expr, table: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...]) -> pl.Expr:
    """The action of the first ``(words, prefixes, action)`` rule the lower-cased text matches."""
    lowered = text.str.to_lowercase()
    chain = pl.when(pl.lit(False)).then(pl.lit(None, dtype=pl.String))
    for words, prefixes, value in table:
        matches = [lowered.is_in(words)] if words else []
        matches += [lowered.str.starts_with(prefix) for prefix in prefixes]
        chain = chain.when(pl.any_horizontal(matches)).then(pl.lit(value))
    return chain.otherwise(pl.lit(None, dtype=pl.String))


def _port(position: int, protocol: pl.Expr) -> pl.Expr:
    value = field(position).cast(pl.Int32, strict=False)
    return pl.when(~protocol.str.starts_with("icmp") & value.is_between(0, 65535)).then(value)


def _nat(position: int, real: int) -> pl.Expr:
    """The NAT address field, null when it means no NAT (``0.0.0.0``, ``::``, the real address)."""
    nat = field(position)
    return pl.when((nat != "0.0.0.0") & (nat != "::") & (nat != field(real))).then(nat)


# ---- families: each returns its plan's steps (after ``_time_steps``) ---------------------------------


def _session(family: str, columns: list[pl.Expr]) -> tuple[Step, ...]:
    """TRAFFIC and THREAT share fields 0-30: addresses, NAT, rule, users, zones, ports, action.

    The NAT fields are first masked where they mean no NAT, so the address check runs on the others.
    """
    protocol = pl.col("protocol")
    first = (
        field(29).str.to_lowercase().alias("protocol"),
        _nat(9, 7).alias("_nat_src"),
        _nat(10, 8).alias("_nat_dst"),
    )
    return first, (
        *_base(family),
        _type_id().alias("message_id"),
        ip_text(field(7)).alias("src_ip"),
        ip_text(field(8)).alias("dst_ip"),
        ip_text(pl.col("_nat_src")).alias("nat_src_ip"),
        ip_text(pl.col("_nat_dst")).alias("nat_dst_ip"),
        field(11).alias("rule_name"),
        field(12).alias("user"),
        field(16).alias("src_zone"),
        field(17).alias("dst_zone"),
        _port(24, protocol).alias("src_port"),
        _port(25, protocol).alias("dst_port"),
        protocol,
        field(30).alias("vendor_action"),
        *columns,
        *extra_columns(
            dst_user=field(13),
            app=field(14),
            vsys=field(15),
            inbound_if=field(18),
            outbound_if=field(19),
            session_id=field(22),
            repeat_count=field(23),
            nat_src_port=pl.when(field(26) != "0").then(field(26)),
            nat_dst_port=pl.when(field(27) != "0").then(field(27)),
        ),
    )


def _traffic() -> tuple[Step, ...]:
    return _session(
        "traffic",
        [
            pl.lit(_NET).alias("event_class"),
            _mapped(field(30), _NET_ACTIONS).alias("action"),
            field(31).cast(pl.Int64, strict=False).alias("bytes_total"),
            field(32).cast(pl.Int64, strict=False).alias("bytes_out"),
            field(33).cast(pl.Int64, strict=False).alias("bytes_in"),
            field(34).cast(pl.Int64, strict=False).alias("packets"),
            field(36).cast(pl.Float64, strict=False).alias("duration_s"),
            *extra_columns(
                start_time=field(35),
                url_category=field(37),
                src_location=field(41),
                dst_location=field(42),
                packets_sent=field(44),
                packets_received=field(45),
                session_end_reason=field(46),
                action_source=field(53),
            ),
        ],
    )


def _threat() -> tuple[Step, ...]:
    subtype = field(4)
    malware = subtype.is_in(_MALWARE_SUBTYPES)
    threat = pl.col("_threat")
    name = pl.when(threat.struct.field("name") != "").then(threat.struct.field("name"))
    misc = field(31)
    digest = field(43)
    return (field(32).str.extract_groups(_THREAT_ID).alias("_threat"),), *_session(
        "threat",
        [
            pl.when(malware).then(pl.lit(_MAL)).otherwise(pl.lit(_NET)).alias("event_class"),
            pl.when(malware)
            .then(_mapped(field(30), _MAL_ACTIONS))
            .otherwise(_mapped(field(30), _NET_ACTIONS))
            .alias("action"),
            field(34).alias("vendor_severity"),
            _severity(field(34)).alias("severity"),
            pl.coalesce(name, pl.when(threat.is_null()).then(field(32))).alias("message"),
            pl.when(subtype.is_in(_MALWARE_NAMED_SUBTYPES)).then(name).alias("malware_name"),
            pl.when(subtype.is_in(_FILE_SUBTYPES)).then(misc).alias("file_path"),
            pl.when(digest.str.contains(_SHA256)).then(digest.str.to_lowercase()).alias("file_hash"),
            *extra_columns(
                url=pl.when(~subtype.is_in(_FILE_SUBTYPES)).then(misc),
                threat_id=threat.struct.field("id"),
                threat_category=field(33),
                threat_direction=field(35),
                src_location=field(38),
                dst_location=field(39),
                content_type=field(41),
                file_type=field(47),
                user_agent=field(46),
                threat_class=field(69),
                content_version=field(70),
            ),
        ],
    )


def _system() -> tuple[Step, ...]:
    words = list(_SEVERITIES)
    shifted = ~field(13).str.to_lowercase().is_in(words) & field(12).str.to_lowercase().is_in(words)
    offset = shifted.cast(pl.Int64)

    def at(position: int) -> pl.Expr:
        return field(pl.lit(position, dtype=pl.Int64) - offset)

    eventid, description = pl.col("_eventid"), pl.col("_description")
    texts = (
        at(8).alias("_eventid"),
        at(14).alias("_description"),
        pl.when(~shifted).then(field(7)).alias("_vsys"),
    )
    details = (
        description.str.extract_groups(_SYS_DETAIL).alias("_detail"),
        description.str.extract_groups(_SYS_TUNNEL).alias("_tunnel"),
        description.str.extract_groups(_SYS_USER).alias("_user"),
        description.str.extract_groups(_SYS_FROM).struct.field("ip").alias("_from"),
    )
    detail, tunnel, user = pl.col("_detail"), pl.col("_tunnel"), pl.col("_user")
    port_state = detail.struct.field("port_state").str.to_lowercase()
    ha_link_state = detail.struct.field("ha_link_state").str.to_lowercase()
    ha_to = detail.struct.field("ha_to")
    tunnel_state = tunnel.struct.field("tunnel_state").str.to_lowercase()
    kind = (
        pl.when(
            eventid.str.contains(r"(?:^auth-fail|-auth-fail)$") | description.str.contains(_SYS_AUTH_FAIL)
        )
        .then(pl.lit("auth_failure"))
        .when(eventid.str.contains(r"(?:^auth-success|-auth-succ)$") | description.str.contains(_SYS_AUTH_OK))
        .then(pl.lit("auth_success"))
        .when(description.str.contains(_SYS_LOGOUT))
        .then(pl.lit("logout"))
        .when(eventid == "globalprotectgateway-regist-succ")
        .then(pl.lit("gp_up"))
        .when(eventid == "globalprotectgateway-logout-succ")
        .then(pl.lit("gp_down"))
        .when(port_state.is_not_null())
        .then(pl.lit("port_") + port_state)
        .when(ha_link_state.is_not_null())
        .then(pl.lit("ha_link_") + ha_link_state)
        .when(ha_to.str.to_lowercase().is_in(["non-functional", "suspended"]))
        .then(pl.lit("ha_down"))
        .when(ha_to.is_not_null())
        .then(pl.lit("ha_failover"))
        .when(tunnel_state.is_not_null())
        .then(pl.lit("tunnel_") + tunnel_state)
        .when(description.str.contains(_SYS_UPDATE_FAILED))
        .then(pl.lit("update_failed"))
        .when(description.str.contains(_SYS_UPDATE_OK))
        .then(pl.lit("update_success"))
        .otherwise(pl.lit("other"))
    )
    return (
        texts,
        details,
        (kind.alias("_kind"),),
        (
            *_base("system"),
            _by_kind(1).alias("event_class"),
            _by_kind(2).alias("action"),
            pl.coalesce(eventid, _type_id()).alias("message_id"),
            pl.coalesce(
                detail.struct.field("port"),
                pl.when(ha_link_state.is_not_null()).then(detail.struct.field("ha_link")),
                detail.struct.field("ha_group"),
                tunnel.struct.field("tunnel"),
                at(9),
            ).alias("rule_name"),
            pl.coalesce(
                detail.struct.field("port_state"),
                pl.when(ha_link_state.is_not_null()).then(detail.struct.field("ha_link_state")),
                ha_to,
                tunnel.struct.field("tunnel_state"),
                eventid,
            ).alias("vendor_action"),
            pl.coalesce(
                user.struct.field("quoted"), user.struct.field("named"), user.struct.field("labelled")
            ).alias("user"),
            ip_text(pl.col("_from")).alias("src_ip"),
            at(13).alias("vendor_severity"),
            _severity(at(13)).alias("severity"),
            description.alias("message"),
            *extra_columns(
                vsys=pl.col("_vsys"),
                module=at(12),
                seqno=at(15),
                ha_state_from=detail.struct.field("ha_from"),
            ),
        ),
    )


def _by_kind(index: int) -> pl.Expr:
    """The class (``index`` 1) or action (2) of the SYSTEM event kind in ``_kind``."""
    chain = pl.when(pl.lit(False)).then(pl.lit(None, dtype=pl.String))
    for entry in _SYS_KINDS:
        chain = chain.when(pl.col("_kind") == entry[0]).then(pl.lit(entry[index], dtype=pl.String))
    return chain.otherwise(pl.lit(None, dtype=pl.String))


def _config() -> tuple[Step, ...]:
    command, result = field(9), field(12)
    read_only = command.str.to_lowercase().is_in(["get", "show"]) | (result.str.to_lowercase() == "failed")
    read_only = read_only | command.is_null()
    return (
        (
            *_base("config"),
            pl.lit(_SYS).alias("event_class"),
            pl.when(read_only).then(pl.lit("other")).otherwise(pl.lit("config_change")).alias("action"),
            command.alias("vendor_action"),
            pl.concat_str(pl.lit("CONFIG"), command, separator="/", ignore_nulls=True).alias("message_id"),
            ip_text(field(7)).alias("src_ip"),
            field(10).alias("user"),
            pl.when(command.is_not_null())
            .then(pl.concat_str(command, field(13), separator=" ", ignore_nulls=True))
            .alias("message"),
            *extra_columns(
                vsys=field(8), client=field(11), result=result, config_path=field(13), seqno=field(14)
            ),
        ),
    )


def _globalprotect() -> tuple[Step, ...]:
    eventid, status = field(8), field(28)
    ok = status.str.to_lowercase() == "success"
    is_auth = eventid.str.ends_with("-auth")
    event_class = pl.when(is_auth).then(pl.lit(_AUTH)).otherwise(pl.lit(_SYS))
    action = (
        pl.when(is_auth & ok)
        .then(pl.lit("success"))
        .when(is_auth)
        .then(pl.lit("failure"))
        .when(eventid.is_in(["gateway-connected", "gateway-register"]) & ok)
        .then(pl.lit("up"))
        .when((eventid == "gateway-logout") & ok)
        .then(pl.lit("down"))
        .otherwise(pl.lit("other"))
    )
    return (
        (
            *_base("globalprotect"),
            event_class.alias("event_class"),
            action.alias("action"),
            status.alias("vendor_action"),
            pl.concat_str(pl.lit("GLOBALPROTECT"), eventid, separator="/", ignore_nulls=True).alias(
                "message_id"
            ),
            field(12).alias("user"),
            field(14).str.to_lowercase().alias("host"),
            pl.coalesce(ip_text(field(15)), ip_text(field(16))).alias("src_ip"),
            pl.coalesce(field(41), field(33)).alias("rule_name"),
            field(27).alias("message"),
            *extra_columns(
                vsys=field(7),
                stage=field(9),
                auth_method=field(10),
                tunnel_type=field(11),
                private_ip=pl.when(field(17) != "0.0.0.0").then(ip_text(field(17))),
                host_id=field(19),
                client_version=field(21),
                client_os=field(22),
                reason=field(25),
                error=field(26),
                login_duration=field(30),
                connect_method=field(31),
                error_code=field(32),
                portal=field(33),
            ),
        ),
    )


def _hipmatch() -> tuple[Step, ...]:
    return (
        (
            *_base("hipmatch"),
            pl.lit(_SYS).alias("event_class"),
            pl.lit("other").alias("action"),
            _type_id().alias("message_id"),
            field(7).alias("user"),
            field(9).str.to_lowercase().alias("host"),
            ip_text(field(11)).alias("src_ip"),
            field(12).alias("rule_name"),
            *extra_columns(vsys=field(8), os=field(10), repeat_count=field(13), hip_type=field(14)),
        ),
    )


def _correlation() -> tuple[Step, ...]:
    return (
        (
            *_base("correlation"),
            pl.lit(_MAL).alias("event_class"),
            pl.lit("detected").alias("action"),
            pl.concat_str(pl.lit("CORRELATION"), field(20), separator="/", ignore_nulls=True).alias(
                "message_id"
            ),
            ip_text(field(7)).alias("src_ip"),
            field(8).alias("user"),
            field(11).alias("vendor_severity"),
            _severity(field(11)).alias("severity"),
            field(19).alias("rule_name"),
            field(21).alias("message"),
            *extra_columns(vsys=field(9), category=field(10)),
        ),
    )


def _other() -> tuple[Step, ...]:
    return (
        (
            *_base("other"),
            pl.lit(_SYS).alias("event_class"),
            pl.lit("other").alias("action"),
            _type_id().alias("message_id"),
        ),
    )


_NO_EVENT_COLUMNS = (
    pl.lit(None, dtype=pl.UInt32).alias("_start"),
    pl.lit(None, dtype=pl.Datetime("us", "UTC")).alias("time"),
    pl.lit(None, dtype=pl.String).alias("device"),
    pl.lit(None, dtype=pl.String).alias(EXTRA_PREFIX + "serial"),
)
"""Columns ``_with_envelope`` reads, for frames without events (quarantined lines, empty input)."""

_JUNK_COLUMNS: Step = (
    pl.col("raw"),
    pl.col("raw_file"),
    pl.col("raw_line"),
    *_NO_EVENT_COLUMNS,
    pl.lit(NO_RECORD).alias(REASON),
)

_FAMILY_STEPS: dict[str, Callable[[], tuple[Step, ...]]] = {
    "traffic": _traffic,
    "threat": _threat,
    "system": _system,
    "config": _config,
    "globalprotect": _globalprotect,
    "hipmatch": _hipmatch,
    "correlation": _correlation,
    "other": _other,
}
_SESSION_FAMILIES = ("traffic", "threat")
