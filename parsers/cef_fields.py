"""Key/value pairs of CEF and LEEF (and Check Point / Kaspersky records) → event columns.

Not a format (it defines neither ``NAME`` nor ``parse``): the shared half of ``parsers.cef``,
``parsers.leef``, ``parsers.checkpoint`` and ``parsers.kaspersky``. Reference:
``../shared/formats/cef.md``, ``leef.md``, ``checkpoint.md``, ``kaspersky.md``, ``trendmicro.md``.

A format module cuts its lines into a frame of header columns (``h:vendor``, ``h:product``,
``h:event_id``, ``h:name``, ``h:severity``, ``h:time``, ``h:host``) and a long frame of pairs
(``_row``, ``key``, ``value``, in line order); ``normalise`` does the rest, vectorised:

1. **Canonical keys.** Long CEF names (``sourceAddress``), LEEF names (``srcPort``) and a format's
   own names (Check Point ``s_port``) are renamed to the CEF short key by a join against
   ``ALIASES`` (plus the module's table); ``deviceCustomString3`` → ``cs3`` etc.
2. **Duplicate keys.** CEF (``keep_first=False``): a key written twice in one line is ambiguous —
   the spec forbids an unescaped ``=`` inside a value, so one of the two ``key=`` came from inside
   another value (possibly attacker text such as ``msg=... src=6.6.6.6``). No column takes either
   value; both go to ``extra`` (``src``, ``src#2``). Check Point repeats keys on purpose (one
   ``rule_name`` per policy layer; ``keep_first=True``): the first feeds the column, the next ones
   go to ``extra`` as ``rule_name#2``...
3. **Custom slots by label.** ``csN``/``cnN``/``cfpN``/``c6aN``/``flexStringN``/``flexNumberN``/
   ``flexDateN``/``deviceCustomDateN`` take the name of their ``...Label`` written snake_case
   (``cs1Label=VirusName`` → ``virus_name``; ``Virus name`` → ``virus_name``): vendors move
   labels between slots, so meaning is resolved by label, never by slot number. An unlabelled slot
   keeps its slot name.
4. **Columns.** ``GENERIC`` lists, per event column, the keys that can fill it, in order of
   preference; a vendor family overrides some. The first candidate whose value converts (an IP
   that is an IP, a port in range...) wins; every other candidate value, and every key no column
   reads, goes to ``extra`` under its key (nothing is dropped). ``extra.event_name`` keeps the
   header Name when ``msg`` took ``message``.
5. **Vendor families** (keyed by header vendor/product and event id, see ``_family``) decide
   ``event_class``/``action`` and the endpoint fields; unknown vendors get the generic rules.

Steps 4-5 run as one lazy plan per family; a value several rules read (a converted candidate,
the lower-cased ``act`` and severity, the event class) is a working column computed once.

Generic rules (any vendor without a family):

- ``vendor_action`` = ``act``; ``message`` = ``msg``, else the header Name; ``message_id`` = the
  header event id; ``user`` = ``suser``, else ``duser``; ``device`` = ``dvchost``, else ``dvc``,
  else the syslog header host; ``file_path`` = ``filePath``, else ``fname``; ``file_hash`` =
  ``fileHash`` lower-cased; ``malware_name`` = a slot labelled VirusName/ThreatName/MalwareName;
  ``rule_name`` = a slot labelled Rule Name/Rule/Policy Name/Policy, or LEEF ``policy``.
- Bytes: CEF ``in`` is what flowed from source to destination (→ ``bytes_out``, the initiator
  sent it), ``out`` the reverse (→ ``bytes_in``); LEEF ``srcBytes``/``dstBytes`` alike.
- ``severity``: CEF/LEEF 0-3 → low, 4-6 → medium, 7-8 → high, 9-10 → critical; words
  Low/Medium/High/Very-High (any case) → low/medium/high/critical, Informational → info,
  Unknown → null. The text as written is ``vendor_severity``.
- ``direction``: ``deviceDirection`` 0 → inbound, 1 → outbound; else zones (Check Point
  ``inzone``/``outzone``): External → Internal inbound, Internal → External outbound, Internal →
  Internal internal; else, for network and authentication events, address ranges (``unknown``
  when an address is missing or both are public); null for malware and system events.
- ``event_class``/``action`` (first that holds): a malware name → malware_detection with the AV
  action of ``act`` (``AV_ACTIONS``); ``act`` naming a remediation (quarantine, clean, delete,
  cure) → malware_detection; header Name or ``cat`` naming a log-in (logon, login, sign in,
  authentication) → authentication, failure when ``outcome``/``act``/Name says fail/deny/reject,
  success when they say success/signed in/logged in/allow, else null; ``act`` a network verb
  (``NETWORK_ACTIONS``) → network_activity; an address → network_activity (action null: no verb);
  else system with the health rule (``HEALTH``) on the Name, else ``other``.

Time: ``rt``, else ``start``, else ``end``, else the syslog header time. Shapes: epoch ms (13
digits), epoch s (9-10 digits, Check Point ``time``), ISO 8601, ``MMM dd [yyyy] HH:mm:ss[.SSS]
[zone]`` with zone ``UTC``/``GMT``/``Z``, ``GMT+hh:mm``, ``+hhmm`` or a common abbreviation
(``ZONE_ABBREVIATIONS``; an unknown one leaves the payload time null so the header time is used).
A zone-less value is read in ``dtz`` when it names an IANA zone, else in ``ctx.timezone``; LEEF
``devTime`` follows ``devTimeFormat`` (Java SimpleDateFormat, translated) when given.

Vendor families (AV events: ``host`` = the endpoint lower-cased, its address in ``src_ip``; health
events are ``system`` with the actions below and signature data in ``extra``):

- **Kaspersky** (header vendor KasperskyLab → ``vendor`` Kaspersky; ``product`` = the slot
  labelled ProductName, e.g. KES, the header product kept as ``extra.device_product``):
  ``KASPERSKY_EVENTS`` maps the GNRL_EV_* types (found/suspicious → detected, found-and-blocked and
  application launch denied → blocked, cured → cleaned, deleted, quarantined, not cured → failed,
  password archive → detected, network attack → network_activity deny with ``src``/``dst`` as
  written). ``KLPRCI_TaskState``: the task (``task_name`` label → ``rule_name``) is an update when
  its name says update: ``TaskNewState`` 3 → update_failed, 4 → update_success; a scan task in
  state 4 → scan_completed; else other. Any other event is system with the health rule on its
  (English) name ("Databases are outdated" → update_failed: no verified event id exists).
  ``host`` = ``dhost``, ``src_ip`` = ``dst`` (the endpoint), ``user`` = ``duser``, ``file_path`` =
  ``filePath``/ObjectName, ``file_hash`` = the ``SHA256:`` line of ``msg``; the message's
  "Database release date" (day first) → ``extra.signature_date`` (``YYYY-MM-DD HH:MM:SS``).
- **Trend Micro Deep Security** (product Deep Security Agent/Manager, Workload Security): by
  signature id — 4000000-4999999 anti-malware → malware_detection, ``malware_name`` = the header
  Name, action from ``act`` (``AV_ACTIONS``: Delete → deleted, Quarantine → quarantined, Clean →
  cleaned, Deny Access → blocked, Pass → allowed, "… Failed" → failed, none → detected);
  1000000-1999999 IPS → network_activity (``IDS:*``/Log → allow: detect-only; Reset → reset;
  Block/Deny/Drop → deny); 5000000-5999999 web reputation → network_activity deny; other Agent
  ids → firewall, network_activity with ``NETWORK_ACTIONS`` (Log/Allow → allow, Deny → deny);
  ≥ 6000000 with a block → malware_detection blocked; Manager events naming a sign-in or lock-out
  → authentication (failure when failed/locked), other Manager and integrity/log-inspection
  events → system with the health rule. ``host`` = ``dvchost``; ``src_ip`` = ``src``, else
  ``dvc``; ``in``/``out`` are packet sizes here, not session bytes: kept in extra; ``file_hash`` =
  ``TrendMicroDsFileSHA256`` > SHA1 > MD5; the header Name is ``rule_name`` outside anti-malware.
- **Trend Micro Apex Central** (other Trend products): the event id's prefix decides — ``AV:``,
  ``PML:``, ``FH:``, ``BM:``, ``Spyware…`` or a labelled virus/threat/spyware name →
  malware_detection with ``AV_ACTIONS`` on ``act`` (else the ActionResult label, else the id's
  text after ``:``); ``CnC:`` → network_activity (Block → deny); 800102 (engine update status:
  undocumented status codes) → system with the health rule on its name (``other`` for "Engine
  Update Status"), engine/pattern versions in extra. ``host`` = ``dhost``, else ``shost``;
  ``src_ip`` = ``dst`` (the endpoint), else ``src`` (C&C events keep ``src``/``dst``).
- **Panda Adaptive Defense** (LEEF): ``host`` = ``HostName``, hash/path/malware name from
  ``Hash``/``Path``/``MWName`` (else their ``Child…`` forms), ``vendor_action`` = ``Action``; a
  malware name or a Malware/PUP category → malware_detection (``AV_ACTIONS`` on ``Action``:
  Block → blocked, Allow → allowed), else telemetry (registry, exec, createdir…) → system other.
- **Check Point**: see ``parsers.checkpoint`` (the same table reads Log Exporter CEF lines).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import polars as pl

from seclake.parsers.contract import ParseContext
from seclake.parsers.envelope import bsd_time, localize, range_direction
from seclake.parsers.jsonlines import ip_address
from seclake.schema import EVENT_POLARS_SCHEMA, EXTRA_PREFIX

ROW = "_row"
KEY_PREFIX = "k:"
HEADER_COLUMNS = ("h:vendor", "h:product", "h:event_id", "h:name", "h:severity", "h:time", "h:host")
"""Columns a format module sets before ``normalise`` (null where its framing has none)."""

ALIASES: dict[str, str] = {
    "sourceAddress": "src",
    "destinationAddress": "dst",
    "sourcePort": "spt",
    "destinationPort": "dpt",
    "sourceHostName": "shost",
    "destinationHostName": "dhost",
    "sourceUserName": "suser",
    "destinationUserName": "duser",
    "sourceNtDomain": "sntdom",
    "destinationNtDomain": "dntdom",
    "sourceMacAddress": "smac",
    "destinationMacAddress": "dmac",
    "deviceAction": "act",
    "transportProtocol": "proto",
    "bytesIn": "in",
    "bytesOut": "out",
    "message": "msg",
    "fileName": "fname",
    "receiptTime": "rt",
    "startTime": "start",
    "endTime": "end",
    "deviceHostName": "dvchost",
    "deviceAddress": "dvc",
    "requestUrl": "request",
    "deviceEventCategory": "cat",
    "baseEventCount": "cnt",
    "deviceTimeZone": "dtz",
    "sourceAddressV6": "src",
    "destinationAddressV6": "dst",
    "applicationProtocol": "app",
}
"""CEF long key names (and CEF 1 IPv6 forms) → the CEF short key."""

LEEF_ALIASES: dict[str, str] = {
    "srcPort": "spt",
    "dstPort": "dpt",
    "usrName": "suser",
    "srcBytes": "in",
    "dstBytes": "out",
    "srcPostNAT": "sourceTranslatedAddress",
    "dstPostNAT": "destinationTranslatedAddress",
    "srcMAC": "smac",
    "dstMAC": "dmac",
    "url": "request",
    "devTime": "rt",
}
"""LEEF predefined attribute names → the CEF short key (``leef`` passes them to ``normalise``)."""


NETWORK_ACTIONS: tuple[tuple[str, str], ...] = (
    (r"(?i)reset|\brst\b", "reset"),
    (r"(?i)drop", "drop"),
    (r"(?i)den(?:y|ied)|block|reject|prevent|refus", "deny"),
    (r"(?i)allow|accept|permit|pass|forward|success|\blog\b|detect|monitor|bypass|encrypt|decrypt", "allow"),
)
"""``act`` word (first pattern that matches) → network action."""

AV_ACTIONS: tuple[tuple[str, str], ...] = (
    (r"(?i)fail|unable|could not|not ?cured|error", "failed"),
    (r"(?i)quarantin", "quarantined"),
    (r"(?i)delet|remov", "deleted"),
    (r"(?i)clean|cured|disinfect|repair", "cleaned"),
    (r"(?i)block|den(?:y|ied)|prevent|terminat|drop|reject", "blocked"),
    (r"(?i)pass|allow|accept|ignor|skip", "allowed"),
)
"""AV action word (first pattern that matches) → malware action; anything else → detected."""

HEALTH: tuple[tuple[str, str], ...] = (
    (
        r"(?i)(?:update|database|pattern|signature|definition)s?.*(?:fail|error)|out ?of ?date|outdated",
        "update_failed",
    ),
    (r"(?i)(?:update|database|pattern|signature|definition)s?.*(?:succe|complete|updated)", "update_success"),
    (
        r"(?i)(?:protection|real-?time|anti-?malware|anti-?virus|scan).*(?:disabled|turned off|\boff\b|offline|stopped)",
        "protection_disabled",
    ),
    (
        r"(?i)(?:protection|real-?time|anti-?malware|anti-?virus).*(?:enabled|turned on|\bon\b|online|started)",
        "protection_enabled",
    ),
    (r"(?i)scan.*(?:complete|finished)", "scan_completed"),
)
"""System event names (English) → health action; any other system event is ``other``."""

_AUTH_NAME = r"(?i)log ?on|log ?in\b|logged in|sign(?:ed)?[ -]?in|sign-in|authenticat"
_AUTH_FAIL = r"(?i)fail|den(?:y|ied)|reject|invalid|wrong|locked"
_AUTH_OK = r"(?i)succe|signed in|logged in|allow|accept|permit"

ZONE_ABBREVIATIONS: dict[str, int] = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0,
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360, "PST": -480, "PDT": -420,
    "CET": 60, "CEST": 120, "WET": 0, "WEST": 60, "BST": 60, "EET": 120, "EEST": 180, "MSK": 180,
    "JST": 540, "KST": 540, "HKT": 480, "SGT": 480, "ICT": 420, "AEST": 600, "AEDT": 660,
}  # fmt: skip
"""Zone abbreviations read in CEF/LEEF times (minutes east of UTC); ambiguous ones (IST) left out."""

PROTOCOL_NUMBERS: dict[str, str] = {
    "1": "icmp", "2": "igmp", "6": "tcp", "17": "udp", "41": "ipv6", "47": "gre", "50": "esp", "51": "ah",
    "58": "ipv6-icmp", "89": "ospf", "132": "sctp",
}  # fmt: skip

PATH_KEYS = (
    "filePath",
    "fname",
    "oldFilePath",
    "oldFileName",
    "file_name",
    "Path",
    "ChildPath",
    "ParentPath",
)
"""Keys holding file paths: ``\\n``/``\\r`` there are path characters, not escapes (``C:\\new``)."""

_ZONE = r"(?:[A-Za-z]{1,5}(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2})"
"""A zone at the end of a time value: ``UTC``, ``GMT+05:30``, ``CEST``, ``+0100``."""


# ---- pairs --------------------------------------------------------------------------------------


def pairs_from_segments(frame: pl.DataFrame, segments: str) -> pl.DataFrame:
    """Long frame ``_row, key, value`` (in line order) from a list column of ``key=value`` segments.

    A segment splits at its first ``=``. A segment without ``=`` (text before the first key) is
    kept under ``_text``. Then as ``kept_pairs``.
    """
    long = frame.select(ROW, pl.col(segments).alias("_seg")).explode("_seg").drop_nulls("_seg")
    split = pl.col("_seg").str.splitn("=", 2)
    long = long.with_columns(
        split.struct.field("field_0").alias("key"), split.struct.field("field_1").alias("value")
    )
    no_key = pl.col("value").is_null()
    return kept_pairs(
        long.select(
            ROW,
            pl.when(no_key).then(pl.lit("_text")).otherwise(pl.col("key")).alias("key"),
            pl.when(no_key).then(pl.col("_seg")).otherwise(pl.col("value")).alias("value"),
        )
    )


def kept_pairs(pairs: pl.DataFrame) -> pl.DataFrame:
    """``pairs`` (``_row, key, value``) with trailing spaces stripped from the values and the pairs
    of an empty value dropped (the line does not carry them). Values are still escaped: ``resolve``
    unescapes them."""
    stripped = pairs.with_columns(pl.col("value").str.strip_chars_end(" "))
    return stripped.filter(pl.col("value").str.strip_chars() != "")


def cef_unescape(value: pl.Expr, key: pl.Expr) -> pl.Expr:
    """CEF value escapes: ``\\\\`` → ``\\``, ``\\=`` → ``=``, ``\\n``/``\\r`` → newline/CR except
    in ``PATH_KEYS``. A backslash before anything else is kept (``NT AUTHORITY\\SYSTEM``)."""
    held = value.str.replace_all("\\\\", "\x00", literal=True).str.replace_all("\\=", "=", literal=True)
    text = held.str.replace_all("\\n", "\n", literal=True).str.replace_all("\\r", "\r", literal=True)
    return (
        pl.when(~value.str.contains("\\", literal=True))
        .then(value)
        .when(key.is_in(PATH_KEYS))
        .then(held.str.replace_all("\x00", "\\", literal=True))
        .otherwise(text.str.replace_all("\x00", "\\", literal=True))
    )


def leef_unescape(value: pl.Expr, key: pl.Expr) -> pl.Expr:
    """LEEF value escapes: ``\\=`` → ``=`` and ``\\\\`` → ``\\`` only (paths keep their backslashes)."""
    del key
    return (
        pl.when(value.str.contains("\\", literal=True))
        .then(value.str.replace_all(r"\\([=\\])", "${1}"))
        .otherwise(value)
    )


def structured_data_unescape(value: pl.Expr, key: pl.Expr) -> pl.Expr:
    """RFC 5424 structured-data value escapes (Check Point, Kaspersky): ``\\"``, ``\\]`` and
    ``\\\\`` stand for the character; any other backslash is kept."""
    del key
    return (
        pl.when(value.str.contains("\\", literal=True))
        .then(value.str.replace_all(r'\\(["\]\\])', "${1}"))
        .otherwise(value)
    )


def snake_label(label: pl.Expr) -> pl.Expr:
    """A slot label as a key: ``VirusName``/``Virus name`` → ``virus_name``, ``Host ID`` → ``host_id``."""
    return (
        label.str.replace_all(r"([a-z0-9])([A-Z])", "${1}_${2}")
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", "_")
        .str.strip_chars("_")
    )


def _slot_names() -> list[str]:
    return [f"{slot}{n}" for slot in ("cs", "cn", "cfp", "c6a", "flexString", "flexNumber", "flexDate",
                                      "deviceCustomDate") for n in range(1, 21)]  # fmt: skip


SLOTS: frozenset[str] = frozenset(_slot_names())
"""Custom slots resolved by their label (``cs1``..``cs20`` and the other families)."""

LABELS: frozenset[str] = frozenset(slot + "Label" for slot in SLOTS)

_LONG_SLOTS: dict[str, str] = {
    f"deviceCustom{long}{n}{label}": f"{short}{n}{label}"
    for long, short in (("String", "cs"), ("Number", "cn"), ("FloatingPoint", "cfp"), ("IPv6Address", "c6a"))
    for n in range(1, 21)
    for label in ("", "Label")
}
"""``deviceCustomString3`` → ``cs3`` (and their labels): the long slot names."""


def _mark_duplicates(pairs: pl.DataFrame, keep_first: bool) -> pl.DataFrame:
    """Rename repeated keys ``key#2``... and set ``_forced`` (goes to extra), see step 2.

    Only the pairs of a key that repeats in its line are ranked (hash of line and key)."""
    pairs = pairs.with_columns((pl.col("key").hash(7) ^ pl.col(ROW).hash(11)).alias("_h"))
    repeats = (
        pairs.group_by(ROW)
        .agg((pl.col("key").n_unique() < pl.len()).alias("_repeats"))
        .filter("_repeats")
        .get_column(ROW)
    )
    if repeats.is_empty():
        return pairs.select(ROW, "key", "value", pl.lit(False).alias("_forced"))
    in_repeats = pl.col(ROW).is_in(repeats.implode())
    pairs = pairs.with_columns((in_repeats & pl.col("_h").is_duplicated()).alias("_dup"))
    plain = pairs.filter(~pl.col("_dup")).select(ROW, "key", "value", pl.lit(False).alias("_forced"))
    ranked = pairs.filter("_dup").with_columns(pl.int_range(pl.len()).over("_h").alias("_n"))
    repeated = pl.col("_n") > 0
    ranked = ranked.select(
        ROW,
        pl.when(repeated)
        .then(pl.col("key") + "#" + (pl.col("_n") + 1).cast(pl.String))
        .otherwise("key")
        .alias("key"),
        "value",
        (repeated if keep_first else pl.lit(True)).alias("_forced"),
    )
    return pl.concat([plain, ranked])


def _labelled(pairs: pl.DataFrame) -> pl.DataFrame:
    """Custom slots named by their labels (step 3); ``pairs`` as they are when the lines have none."""
    key = pl.col("key")
    is_label = key.is_in(sorted(LABELS)) & ~pl.col("_forced")
    is_slot = key.is_in(sorted(SLOTS)) & ~pl.col("_forced")
    label_pairs, slot_pairs = pairs.filter(is_label), pairs.filter(is_slot)
    if label_pairs.is_empty() and slot_pairs.is_empty():
        return pairs
    names = label_pairs.select(pl.col("value").unique()).with_columns(
        snake_label(pl.col("value")).alias("_label")
    )
    labels = (
        label_pairs.join(names, on="value", how="left")
        .select(ROW, key.str.strip_suffix("Label").alias("key"), "_label")
        .filter(pl.col("_label") != "")
        .unique([ROW, "key"], keep="first")
    )
    slots = slot_pairs.join(labels, on=[ROW, "key"], how="left").select(
        ROW, pl.coalesce("_label", "key").alias("key"), "value", "_forced"
    )
    orphans = label_pairs.join(
        slot_pairs.select(ROW, (key + "Label").alias("key")), on=[ROW, "key"], how="anti"
    )
    return pl.concat(
        [pairs.filter(~is_label & ~is_slot), slots, orphans.select(ROW, "key", "value", "_forced")]
    )


def resolve(
    pairs: pl.DataFrame,
    *,
    keep_first: bool,
    unescaper: Callable[[pl.Expr, pl.Expr], pl.Expr],
    aliases: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """Canonical keys, duplicates, escapes and labelled slots (steps 1-3 of the module docstring).

    Returns ``_row, key, value, dest`` where ``dest`` is ``k:<key>`` for a key a column may read
    and ``extra.<key>`` for the others (order no longer follows the line)."""
    table = {**ALIASES, **_LONG_SLOTS, **(aliases or {})}
    alias_frame = pl.DataFrame({"key": list(table), "_canon": list(table.values())})
    key = pl.col("key")
    pairs = (
        pairs.join(alias_frame, on="key", how="left", maintain_order="left")
        .with_columns(pl.coalesce("_canon", key).alias("key"))
        .drop("_canon")
    )
    pairs = _mark_duplicates(pairs, keep_first)
    escaped = pl.col("value").str.contains("\\", literal=True)
    if pairs.select(escaped.any()).item():  # (no copies when no value has an escape)
        pairs = pl.concat(
            [
                pairs.filter(~escaped),
                pairs.filter(escaped).with_columns(unescaper(pl.col("value"), key).alias("value")),
            ]
        )
    out = _labelled(pairs)
    mapped = pl.col("key").is_in(sorted(MAPPED_KEYS)) & ~pl.col("_forced")
    dest = (
        pl.when(mapped)
        .then(pl.lit(KEY_PREFIX) + pl.col("key"))
        .otherwise(pl.lit(EXTRA_PREFIX) + pl.col("key"))
    )
    return out.select(ROW, "key", "value", dest.alias("dest"))


def widen(frame: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Add the resolved pairs to ``frame`` as one column per ``dest`` (first value if repeated).

    ``_row`` is the row number (0, 1, ...): each ``dest``'s values are scattered to their rows
    (cheaper than a pivot and a join back); columns in order of first appearance, as a pivot."""
    columns = []
    for (dest,), part in pairs.partition_by(
        "dest", as_dict=True, maintain_order=True, include_key=False
    ).items():
        if part.get_column(ROW).is_duplicated().any():
            part = part.unique(ROW, keep="first", maintain_order=True)
        empty = pl.Series(dest, dtype=pl.String).extend_constant(None, frame.height)
        columns.append(empty.scatter(part.get_column(ROW), part.get_column("value")))
    joined = frame.hstack(columns)
    missing = [KEY_PREFIX + k for k in sorted(MAPPED_KEYS) if KEY_PREFIX + k not in joined.columns]
    return joined.with_columns(pl.lit(None, dtype=pl.String).alias(name) for name in missing)


# ---- conversions --------------------------------------------------------------------------------


def k(key: str) -> pl.Expr:
    """The value of a mapped key (``k:<key>`` column)."""
    return pl.col(KEY_PREFIX + key)


def _text(value: pl.Expr) -> pl.Expr:
    return pl.when(value.str.strip_chars() != "").then(value)


def _lower(value: pl.Expr) -> pl.Expr:
    return _text(value.str.strip_chars().str.to_lowercase())


def _nat_ip(value: pl.Expr) -> pl.Expr:
    """A translated address; the unspecified ``0.0.0.0``/``::`` means no translation (null)."""
    address = ip_address(value)
    return pl.when(~address.is_in(["0.0.0.0", "::"])).then(address)


def _port(value: pl.Expr) -> pl.Expr:
    number = value.str.strip_chars().cast(pl.Int64, strict=False)
    return pl.when((number >= 0) & (number <= 65535)).then(number).cast(pl.Int32)


def _count(value: pl.Expr) -> pl.Expr:
    number = value.str.strip_chars().cast(pl.Int64, strict=False)
    return pl.when(number >= 0).then(number)


def _hash(value: pl.Expr) -> pl.Expr:
    hexed = value.str.strip_chars().str.strip_chars_start(";").str.to_lowercase()
    return pl.when(hexed.str.contains(r"^[0-9a-f]{32,128}$")).then(hexed)


def protocol(value: pl.Expr) -> pl.Expr:
    """A protocol name lower-cased; IANA numbers named (6 → tcp)."""
    lower = value.str.strip_chars().str.to_lowercase()
    named = pl.lit(None, dtype=pl.String)
    for number, name in PROTOCOL_NUMBERS.items():
        named = pl.when(lower == number).then(pl.lit(name)).otherwise(named)
    return _text(pl.when(lower.str.contains(r"^\d+$")).then(pl.coalesce(named, lower)).otherwise(lower))


CONVERT: dict[str, Callable[[pl.Expr], pl.Expr]] = {
    "src_ip": ip_address,
    "dst_ip": ip_address,
    "nat_src_ip": _nat_ip,
    "nat_dst_ip": _nat_ip,
    "src_port": _port,
    "dst_port": _port,
    "bytes_in": _count,
    "bytes_out": _count,
    "bytes_total": _count,
    "packets": _count,
    "protocol": protocol,
    "host": _lower,
    "file_hash": _hash,
}
"""Converter per column (others: the text, blank → null). A value that does not convert is not
taken: it stays in ``extra``."""


def first_match(text: pl.Expr, table: tuple[tuple[str, str], ...], default: str | None) -> pl.Expr:
    """The result of the first pattern of ``table`` that ``text`` contains (``default`` otherwise)."""
    chain = pl.lit(default, dtype=pl.String)
    for pattern, result in reversed(table):
        chain = pl.when(text.str.contains(pattern)).then(pl.lit(result)).otherwise(chain)
    return chain


def av_action(word: pl.Expr) -> pl.Expr:
    """Malware action of an AV verb (``AV_ACTIONS``), ``detected`` when none matches or no verb."""
    return first_match(word.fill_null(""), AV_ACTIONS, "detected")


def health_action(name: pl.Expr) -> pl.Expr:
    """System action from an (English) event name (``HEALTH``), else ``other``."""
    return first_match(name.fill_null(""), HEALTH, "other")


def severity(lower: pl.Expr) -> pl.Expr:
    """Normalised severity of a CEF/LEEF severity (0-10 or a word, see the module docstring), given
    blank-stripped and lower-cased (a working column: the rules read it several times)."""
    number = lower.cast(pl.Int32, strict=False)
    return (
        pl.when(number.is_between(0, 3))
        .then(pl.lit("low"))
        .when(number.is_between(4, 6))
        .then(pl.lit("medium"))
        .when(number.is_between(7, 8))
        .then(pl.lit("high"))
        .when(number.is_between(9, 10))
        .then(pl.lit("critical"))
        .when(lower.str.contains(r"^very[- _]?high$|^critical$|^emergency$"))
        .then(pl.lit("critical"))
        .when(lower.is_in(["high", "medium", "low"]))
        .then(lower)
        .when(lower.is_in(["informational", "info", "information"]))
        .then(pl.lit("info"))
    )


# ---- time ---------------------------------------------------------------------------------------

TIME_KEYS = ("rt", "start", "end")
"""Keys holding the event time, in order of preference (LEEF ``devTime`` is renamed ``rt``)."""


def java_format(pattern: str) -> str:
    """A Java SimpleDateFormat pattern as a chrono format (a trailing zone letter is cut: the zone
    is read from the end of the value)."""
    body = re.sub(r"\s*[zZX]+\s*$", "", pattern)
    tokens = {
        "yyyy": "%Y", "yy": "%y", "MMMM": "%B", "MMM": "%b", "MM": "%m", "M": "%m", "dd": "%d", "d": "%d",
        "HH": "%H", "H": "%H", "hh": "%I", "h": "%I", "mm": "%M", "m": "%M", "ss": "%S", "s": "%S",
        "a": "%p", "EEE": "%a", "EEEE": "%A",
    }  # fmt: skip
    body = re.sub(r"\.S+", "%.f", body)
    return re.sub(r"y+|M+|d+|H+|h+|m+|s+|a+|E+", lambda m: tokens.get(m.group(0), m.group(0)), body)


def _in_zones(build: Callable[[str], pl.Expr], zones: list[str], default: str) -> pl.Expr:
    """``build(zone)`` for each row's ``dtz`` when it is one of ``zones``, else ``build(default)``."""
    chain = build(default)
    for zone in zones:
        chain = pl.when(k("dtz") == zone).then(build(zone)).otherwise(chain)
    return chain


def _valid_zones(names: list[str]) -> list[str]:
    zones = []
    for name in names:
        try:
            zoneinfo.ZoneInfo(name)
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            continue
        zones.append(name)
    return zones


_ABBREVIATIONS = pl.DataFrame(
    {"_tabbr": list(ZONE_ABBREVIATIONS), "_tabbr_minutes": list(ZONE_ABBREVIATIONS.values())},
    schema={"_tabbr": pl.String, "_tabbr_minutes": pl.Int32},
)


def with_time(
    part: pl.LazyFrame, ctx: ParseContext, zones: list[str], time_formats: list[str]
) -> pl.LazyFrame:
    """Add ``time`` (UTC) and ``_tkey`` (the key it came from) from ``TIME_KEYS``, else ``h:time``.

    Staged over the frame: the zone suffix is cut once and its offset joined from
    ``ZONE_ABBREVIATIONS``; ``zones`` are the distinct ``dtz`` values (valid IANA names) and
    ``time_formats`` the distinct ``devTimeFormat`` values of the frame."""
    key = pl.lit(None, dtype=pl.String)
    for name in reversed(TIME_KEYS):
        key = pl.when(k(name).is_not_null()).then(pl.lit(name)).otherwise(key)
    part = part.with_columns(
        pl.coalesce([k(n) for n in TIME_KEYS]).str.strip_chars().alias("_tv"), key.alias("_tkey")
    )
    part = part.with_columns(pl.col("_tv").str.extract(rf"[ \d]({_ZONE})$", 1).alias("_tzone"))
    zone = pl.col("_tzone")
    offset = zone.str.extract_groups(r"(?P<sign>[+-])(?P<h>\d{1,2}):?(?P<m>\d{2})?$")
    part = part.with_columns(
        pl.when(zone.is_not_null())
        .then(pl.col("_tv").str.replace(rf" ?{_ZONE}$", ""))
        .otherwise("_tv")
        .alias("_tbody"),
        zone.str.extract(r"^([A-Za-z]+)", 1).str.to_uppercase().alias("_tabbr"),
        offset.alias("_toffset"),
    ).join(_ABBREVIATIONS.lazy(), on="_tabbr", how="left", maintain_order="left")
    hours = pl.col("_toffset").struct.field("h").cast(pl.Int32, strict=False)
    mins = hours * 60 + pl.col("_toffset").struct.field("m").cast(pl.Int32, strict=False).fill_null(0)
    signed = pl.when(pl.col("_toffset").struct.field("sign") == "-").then(-mins).otherwise(mins)
    base = (
        pl.when(pl.col("_tabbr").is_null())
        .then(pl.lit(0, dtype=pl.Int32))
        .otherwise(pl.col("_tabbr_minutes"))
    )
    part = part.with_columns((base + signed.fill_null(0)).alias("_tminutes"))

    body, value = pl.col("_tbody"), pl.col("_tv")
    bsd_naive = bsd_time(body, "UTC", ctx.date).dt.replace_time_zone(None)
    iso_naive = body.str.replace(" ", "T", literal=True).str.strptime(
        pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S%.f", strict=False
    )
    naive = pl.when(body.str.contains(r"^\d{4}-\d{2}-\d{2}[T ]\d")).then(iso_naive).otherwise(bsd_naive)
    for pattern in time_formats:
        formatted = body.str.strptime(pl.Datetime("us"), java_format(pattern), strict=False)
        naive = pl.when(k("devTimeFormat") == pattern).then(pl.coalesce(formatted, naive)).otherwise(naive)
    part = part.with_columns(naive.alias("_tnaive"))
    local = _in_zones(lambda z: localize(pl.col("_tnaive"), z), zones, ctx.timezone)
    zoned = pl.col("_tnaive").dt.replace_time_zone("UTC") - pl.duration(minutes=pl.col("_tminutes"))
    epoch_ms = pl.from_epoch(value.cast(pl.Int64, strict=False), time_unit="ms").dt.replace_time_zone("UTC")
    epoch_s = pl.from_epoch((value.cast(pl.Float64, strict=False) * 1_000_000).cast(pl.Int64), time_unit="us")
    payload = (
        pl.when(value.str.contains(r"^\d{13}$"))
        .then(epoch_ms)
        .when(value.str.contains(r"^\d{9,10}(?:\.\d+)?$"))
        .then(epoch_s.dt.replace_time_zone("UTC"))
        .when(zone.is_not_null())
        .then(pl.when(pl.col("_tminutes").is_not_null()).then(zoned))
        .otherwise(local)
    )
    part = part.with_columns(payload.alias("_ptime"))
    return part.with_columns(
        pl.coalesce("_ptime", _h("time")).alias("time"),
        pl.when(pl.col("_ptime").is_not_null()).then(pl.col("_tkey")).alias("_tkey"),
    ).drop(
        "_tv", "_tzone", "_tbody", "_tabbr", "_toffset", "_tabbr_minutes", "_tminutes", "_tnaive", "_ptime"
    )


# ---- vendor families ----------------------------------------------------------------------------

Candidate = str | pl.Expr
"""A key (its ``k:`` column, converted) or a ready expression."""


CLASS = pl.col("event_class")
"""The event class as computed: a classification's action reads it (a step after the class)."""
ACT = "_act"
"""Working column: ``vendor_action`` blank-stripped and lower-cased ("" when none)."""
SEVERITY = "_severity"
"""Working column: ``vendor_severity`` blank-stripped and lower-cased (what ``severity`` reads)."""


@dataclass(frozen=True)
class Family:
    """How one vendor's lines fill the columns: candidate overrides and the classification
    (``classify`` returns the class and the action; the action may read ``CLASS`` and ``ACT``)."""

    name: str
    columns: Mapping[str, tuple[Candidate, ...]] = field(default_factory=dict)
    classify: Callable[[], tuple[pl.Expr, pl.Expr]] | None = None
    reads: tuple[str, ...] = ()
    """Keys ``classify`` reads (they still go to ``extra``: no column holds them)."""


def _h(name: str) -> pl.Expr:
    return pl.col("h:" + name)


def _auth_action() -> pl.Expr:
    said = pl.concat_str(
        [k("outcome"), pl.col("vendor_action"), _h("name")], separator=" ", ignore_nulls=True
    )
    return (
        pl.when(said.str.contains(_AUTH_FAIL))
        .then(pl.lit("failure"))
        .when(said.str.contains(_AUTH_OK))
        .then(pl.lit("success"))
    )


def _generic_classify() -> tuple[pl.Expr, pl.Expr]:
    act = pl.col("vendor_action").fill_null("")
    remediation = act.str.contains(r"(?i)quarantin|clean|cured|delet|disinfect")
    login = _h("name").fill_null("").str.contains(_AUTH_NAME) | k("cat").fill_null("").str.contains(
        _AUTH_NAME
    )
    network = first_match(act, NETWORK_ACTIONS, None)
    has_address = pl.col("src_ip").is_not_null() | pl.col("dst_ip").is_not_null()
    event_class = (
        pl.when(pl.col("malware_name").is_not_null() | remediation)
        .then(pl.lit("malware_detection"))
        .when(login)
        .then(pl.lit("authentication"))
        .when(network.is_not_null() | has_address)
        .then(pl.lit("network_activity"))
        .otherwise(pl.lit("system"))
    )
    action = (
        pl.when(CLASS == "malware_detection")
        .then(av_action(act))
        .when(CLASS == "authentication")
        .then(_auth_action())
        .when(CLASS == "network_activity")
        .then(network)
        .otherwise(health_action(_h("name")))
    )
    return event_class, action


GENERIC = Family(
    "generic",
    columns={
        "message_id": (_h("event_id"),),
        "vendor_action": ("act",),
        "vendor_severity": (_h("severity"), "sev"),
        "src_ip": ("src",),
        "dst_ip": ("dst",),
        "src_port": ("spt",),
        "dst_port": ("dpt",),
        "nat_src_ip": ("sourceTranslatedAddress",),
        "nat_dst_ip": ("destinationTranslatedAddress",),
        "protocol": ("proto",),
        "src_zone": ("inzone", "source_zone"),
        "dst_zone": ("outzone", "destination_zone"),
        "bytes_out": ("in",),
        "bytes_in": ("out",),
        "bytes_total": (),
        "packets": ("totalPackets",),
        "rule_name": ("rule_name", "rule", "policy_name", "policy"),
        "device": ("dvchost", "dvc", _h("host")),
        "host": (),
        "user": ("suser", "duser"),
        "file_path": ("filePath", "fname"),
        "file_hash": ("fileHash",),
        "malware_name": ("virus_name", "threat_name", "malware_name"),
        "message": ("msg", _h("name")),
    },
    classify=_generic_classify,
    reads=("outcome", "cat", "deviceDirection", "dtz", "devTimeFormat", *TIME_KEYS),
)


# Kaspersky Security Center (CEF/LEEF header vendor KasperskyLab; kaspersky.py's SD records) ---------

KASPERSKY_EVENTS: dict[str, tuple[str, str]] = {
    "GNRL_EV_VIRUS_FOUND": ("malware_detection", "detected"),
    "GNRL_EV_SUSPICIOUS_OBJECT_FOUND": ("malware_detection", "detected"),
    "GNRL_EV_VIRUS_FOUND_AND_BLOCKED": ("malware_detection", "blocked"),
    "GNRL_EV_OBJECT_CURED": ("malware_detection", "cleaned"),
    "GNRL_EV_OBJECT_DELETED": ("malware_detection", "deleted"),
    "GNRL_EV_OBJECT_QUARANTINED": ("malware_detection", "quarantined"),
    "GNRL_EV_OBJECT_NOTCURED": ("malware_detection", "failed"),
    "GNRL_EV_PASSWD_ARCHIVE_FOUND": ("malware_detection", "detected"),
    "GNRL_EV_APPLICATION_LAUNCH_DENIED": ("malware_detection", "blocked"),
    "GNRL_EV_ATTACK_DETECTED": ("network_activity", "deny"),
}
"""KSC event type → (event_class, action). ``KLPRCI_TaskState``: see ``_kaspersky_classify``."""

TASK_FAILED, TASK_COMPLETED = "3", "4"
"""``TaskNewState`` values the mapping uses (1 running and 2 suspended are ``other``)."""


def _kaspersky_classify() -> tuple[pl.Expr, pl.Expr]:
    event_id = _h("event_id")
    classes = pl.lit(None, dtype=pl.String)
    actions = pl.lit(None, dtype=pl.String)
    for name, (event_class, action) in KASPERSKY_EVENTS.items():
        classes = pl.when(event_id == name).then(pl.lit(event_class)).otherwise(classes)
        actions = pl.when(event_id == name).then(pl.lit(action)).otherwise(actions)
    task = pl.col("rule_name").fill_null("")
    state = k("task_new_state")
    update = task.str.contains(r"(?i)update|updating")
    task_action = (
        pl.when(update & (state == TASK_FAILED))
        .then(pl.lit("update_failed"))
        .when(update & (state == TASK_COMPLETED))
        .then(pl.lit("update_success"))
        .when(task.str.contains(r"(?i)scan") & (state == TASK_COMPLETED))
        .then(pl.lit("scan_completed"))
        .otherwise(pl.lit("other"))
    )
    event_class = pl.coalesce(classes, pl.lit("system"))
    action = (
        pl.when(classes.is_not_null())
        .then(actions)
        .when(event_id == "KLPRCI_TaskState")
        .then(task_action)
        .otherwise(health_action(_h("name")))
    )
    return event_class, action


def _msg_field(label: str) -> pl.Expr:
    """A ``Label: value`` line of a KSC message (``\\r\\n``-separated)."""
    return k("msg").str.extract(rf"(?:^|[\r\n]){label}:[ \t]*([^\r\n]+)", 1).str.strip_chars()


_KSC_RELEASE = _msg_field(r"(?:Database|Databases) release date")

KASPERSKY = Family(
    "kaspersky",
    columns={
        "vendor_action": ("act", _h("name")),
        "host": ("dhost", "shost"),
        "src_ip": ("dst", "src"),
        "dst_ip": (),
        "user": ("duser", "suser"),
        "malware_name": ("virus_name",),
        "file_path": ("filePath", "object_name", "fname"),
        "file_hash": ("fileHash", _msg_field("SHA256")),
        "rule_name": ("task_name",),
        "product": ("product_name",),
    },
    classify=_kaspersky_classify,
    reads=("task_new_state",),
)
KASPERSKY_NET = Family(
    "kaspersky_net",
    columns={**KASPERSKY.columns, "src_ip": ("src",), "dst_ip": ("dst",)},
    classify=_kaspersky_classify,
)
KASPERSKY_EXTRA = {"signature_date": pl.coalesce(
    _KSC_RELEASE.str.strptime(pl.Datetime("us"), "%d/%m/%Y %H:%M:%S", strict=False).dt.strftime("%Y-%m-%d %H:%M:%S"),
    _KSC_RELEASE,
)}  # fmt: skip
"""KSC messages name the signature (database) release date, day first: kept ISO-like in extra."""


# Trend Micro Deep Security (Agent/Manager) and Apex Central ------------------------------------------


def _sig_number() -> pl.Expr:
    return _h("event_id").str.strip_chars().cast(pl.Int64, strict=False)


def _trend_ds_classify() -> tuple[pl.Expr, pl.Expr]:
    sig = _sig_number()
    act = pl.col("vendor_action").fill_null("")
    manager = _h("product").fill_null("").str.contains(r"(?i)manager")
    login = _h("name").fill_null("").str.contains(_AUTH_NAME + "|locked out")
    malware = sig.is_between(4_000_000, 4_999_999) | ((sig >= 6_000_000) & act.str.contains(r"(?i)block"))
    ips = sig.is_between(1_000_000, 1_999_999)
    web = sig.is_between(5_000_000, 5_999_999)
    firewall = ~manager & sig.is_between(0, 999_999)
    ips_action = (
        pl.when(act.str.contains(r"(?i)^IDS:|^log$|detect"))
        .then(pl.lit("allow"))
        .when(act.str.contains(r"(?i)reset"))
        .then(pl.lit("reset"))
        .when(act.str.contains(r"(?i)block|deny|drop"))
        .then(pl.lit("deny"))
    )
    event_class = (
        pl.when(malware)
        .then(pl.lit("malware_detection"))
        .when(ips | web | firewall)
        .then(pl.lit("network_activity"))
        .when(manager & login)
        .then(pl.lit("authentication"))
        .otherwise(pl.lit("system"))
    )
    action = (
        pl.when(malware)
        .then(av_action(act))
        .when(web)
        .then(pl.lit("deny"))
        .when(ips)
        .then(ips_action)
        .when(firewall)
        .then(first_match(act, NETWORK_ACTIONS, None))
        .when(manager & login)
        .then(_auth_action())
        .otherwise(health_action(_h("name")))
    )
    return event_class, action


_DS_AM = _sig_number().is_between(4_000_000, 4_999_999)

TREND_DS = Family(
    "trend_ds",
    columns={
        "host": ("dvchost",),
        "src_ip": ("src", "dvc"),
        "bytes_in": (),
        "bytes_out": (),
        "device": (_h("host"),),
        "malware_name": (pl.when(_DS_AM).then(_h("name")), pl.when(_DS_AM).then(k("name"))),
        "rule_name": (pl.when(~_DS_AM).then(_h("name")),),
        "file_hash": ("TrendMicroDsFileSHA256", "TrendMicroDsFileSHA1", "TrendMicroDsFileMD5", "fileHash"),
    },
    classify=_trend_ds_classify,
    reads=("name",),
)


def _apex_kind() -> pl.Expr:
    return _h("event_id").fill_null("").str.extract(r"^([A-Za-z]+)", 1).str.to_lowercase()


def _trend_apex_classify() -> tuple[pl.Expr, pl.Expr]:
    event_id = _h("event_id").fill_null("")
    kind = _apex_kind()
    malware = (
        kind.is_in(["av", "pml", "fh", "bm", "spyware", "virus", "ransomware"])
        | pl.col("malware_name").is_not_null()
    )
    cnc = kind == "cnc"
    verb = pl.col("vendor_action").fill_null("")
    # generic_action reads CLASS: on the rows it decides (the otherwise branches) CLASS is generic_class
    generic_class, generic_action = _generic_classify()
    event_class = (
        pl.when(malware)
        .then(pl.lit("malware_detection"))
        .when(cnc)
        .then(pl.lit("network_activity"))
        .when(event_id == "800102")
        .then(pl.lit("system"))
        .otherwise(generic_class)
    )
    action = (
        pl.when(malware)
        .then(av_action(verb))
        .when(cnc)
        .then(pl.coalesce(first_match(verb, NETWORK_ACTIONS, None), pl.lit("deny")))
        .when(event_id == "800102")
        .then(health_action(_h("name")))
        .otherwise(generic_action)
    )
    return event_class, action


_APEX_SUFFIX = _h("event_id").str.extract(r":\s*(.+)$", 1)

TREND_APEX = Family(
    "trend_apex",
    columns={
        "vendor_action": ("act", "action_result", _APEX_SUFFIX),
        "host": ("dhost", "shost"),
        "src_ip": ("dst", "src", "product_endpoint_ip"),
        "dst_ip": (),
        "malware_name": (
            "virus_name",
            "threat_name",
            "malware_name",
            "spyware_name",
            "spyware_grayware_name",
        ),
    },
    classify=_trend_apex_classify,
)
TREND_APEX_NET = Family(
    "trend_apex_net",
    columns={**TREND_APEX.columns, "host": ("shost", "dhost"), "src_ip": ("src",), "dst_ip": ("dst",)},
    classify=_trend_apex_classify,
)


# Panda Adaptive Defense (LEEF) -----------------------------------------------------------------------


def _panda_classify() -> tuple[pl.Expr, pl.Expr]:
    category = pl.concat_str([k("Cat"), k("ChildCat")], separator=" ", ignore_nulls=True).fill_null("")
    malware = pl.col("malware_name").is_not_null() | category.str.contains(r"(?i)malware|pup")
    event_class = pl.when(malware).then(pl.lit("malware_detection")).otherwise(pl.lit("system"))
    action = pl.when(malware).then(av_action(pl.col("vendor_action"))).otherwise(pl.lit("other"))
    return event_class, action


PANDA = Family(
    "panda",
    columns={
        "vendor_action": ("Action",),
        "host": ("HostName", "identHostName"),
        "file_hash": ("Hash", "ChildHash"),
        "file_path": ("Path", "ChildPath"),
        "malware_name": ("MWName", "ChildMWName"),
    },
    classify=_panda_classify,
    reads=("Cat", "ChildCat"),
)


# Check Point (CEF from Log Exporter; checkpoint.py's syslog records) ---------------------------------

CHECKPOINT_MALWARE_BLADES = r"(?i)anti-?virus|anti-?bot|threat emulation|threat extraction|anti-?malware|anti-?spam|zero phishing|threat prevention"
CHECKPOINT_AUDIT_BLADES = r"(?i)smartconsole|smartdashboard|web_api|expert shell|endpoint management|identity awareness|smartview|gaia"

CHECKPOINT_NETWORK_ACTIONS: dict[str, str] = {
    "accept": "allow", "allow": "allow", "bypass": "allow", "encrypt": "allow", "decrypt": "allow",
    "inspect": "allow", "detect": "allow", "flag": "allow", "monitored": "allow", "redirect": "allow",
    "ask": "allow", "inform": "allow", "drop": "drop", "block": "deny", "prevent": "deny", "quarantine": "deny",
}  # fmt: skip
"""Check Point action (lower-case) → network action; ``Reject`` is reset for TCP, deny otherwise."""

CHECKPOINT_MALWARE_ACTIONS: dict[str, str] = {
    "block": "blocked", "prevent": "blocked", "drop": "blocked", "reject": "blocked", "detect": "detected",
    "flag": "detected", "monitored": "detected", "inspect": "detected", "ask": "detected", "inform": "detected",
    "quarantine": "quarantined", "replace malicious code": "cleaned", "accept": "allowed", "allow": "allowed",
    "bypass": "allowed",
}  # fmt: skip
"""Check Point action (lower-case) → malware action (a threat-prevention blade logged it)."""

CHECKPOINT_AUTH_ACTIONS = ("login", "logout", "log in", "log out", "authorize", "deauthorize")


def _lookup(key: pl.Expr, table: Mapping[str, str]) -> pl.Expr:
    chain = pl.lit(None, dtype=pl.String)
    for word, result in table.items():
        chain = pl.when(key == word).then(pl.lit(result)).otherwise(chain)
    return chain


def _checkpoint_classify() -> tuple[pl.Expr, pl.Expr]:
    product = pl.col("product").fill_null("")
    act = pl.col(ACT)
    operation = k("operation").fill_null("")
    failed = (k("audit_status").str.to_lowercase() == "failure") | (k("operation_number") == "11")
    login = operation.str.contains(r"(?i)^log ?(?:in|out)$") | act.is_in(CHECKPOINT_AUTH_ACTIONS)
    audit = product.str.contains(CHECKPOINT_AUDIT_BLADES) | (operation != "")
    malware = product.str.contains(CHECKPOINT_MALWARE_BLADES)
    event_class = (
        pl.when(login)
        .then(pl.lit("authentication"))
        .when(audit)
        .then(pl.lit("system"))
        .when(malware)
        .then(pl.lit("malware_detection"))
        .when(act == "key install")
        .then(pl.lit("system"))
        .otherwise(pl.lit("network_activity"))
    )
    reject = pl.when(pl.col("protocol") == "tcp").then(pl.lit("reset")).otherwise(pl.lit("deny"))
    action = (
        pl.when(CLASS == "authentication")
        .then(pl.when(failed.fill_null(False)).then(pl.lit("failure")).otherwise(pl.lit("success")))
        .when(CLASS == "system")
        .then(pl.when(operation != "").then(pl.lit("config_change")).otherwise(pl.lit("other")))
        .when(CLASS == "malware_detection")
        .then(pl.coalesce(_lookup(act, CHECKPOINT_MALWARE_ACTIONS), pl.lit("detected")))
        .when(act == "reject")
        .then(reject)
        .otherwise(_lookup(act, CHECKPOINT_NETWORK_ACTIONS))
    )
    return event_class, action


_CP_TUPLE_SOURCES = (
    k("packets").str.extract_all(r"<([0-9a-fA-F.:]+),").list.eval(pl.element().str.extract(r"<(.+),", 1))
)
_CP_COMMON_SOURCE = pl.when(_CP_TUPLE_SOURCES.list.n_unique() == 1).then(_CP_TUPLE_SOURCES.list.first())
"""Aggregated drops list ``<src,sport,dst,dport,proto;if>`` tuples: their source when all share it."""

CHECKPOINT = Family(
    "checkpoint",
    columns={
        "message_id": (
            _h("event_id"),
            "operation",
            pl.concat_str([k("product"), k("act")], separator=":"),
            k("act"),
        ),
        "product": (_h("product"), "product", "fw_subproduct", pl.lit("Check Point")),
        "message": ("msg", "attack_info", "reject_category", _h("name")),
        "src_ip": ("src", _CP_COMMON_SOURCE),
        "device": ("origin", "dvchost", "dvc", _h("host")),
        "user": ("src_user_name", "suser", "user", "administrator", "duser"),
        "malware_name": ("malware_family", "protection_name", "virus_name"),
        "file_hash": ("file_sha256", "file_sha1", "file_md5", "fileHash"),
        "file_path": ("file_name", "filePath", "fname"),
        "packets": ("packet_amount",),
        "bytes_total": ("bytes",),
        "vendor_severity": (_h("severity"), "severity"),
        "rule_name": ("rule_name", "rule"),
    },
    classify=_checkpoint_classify,
    reads=("operation", "audit_status", "operation_number"),
)

FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (GENERIC, KASPERSKY, KASPERSKY_NET, TREND_DS, TREND_APEX, TREND_APEX_NET, PANDA, CHECKPOINT)
}

VENDOR_NAMES: dict[str, str] = {"kasperskylab": "Kaspersky", "kaspersky lab": "Kaspersky"}
"""Header vendor (lower-case) → the vendor name written to ``vendor`` (others as written)."""


def _family() -> pl.Expr:
    vendor = _h("vendor").fill_null("").str.to_lowercase()
    product = _h("product").fill_null("").str.to_lowercase()
    event_id = _h("event_id").fill_null("")
    return (
        pl.when(vendor.str.contains(r"^kaspersky"))
        .then(
            pl.when(event_id == "GNRL_EV_ATTACK_DETECTED")
            .then(pl.lit("kaspersky_net"))
            .otherwise(pl.lit("kaspersky"))
        )
        .when(
            vendor.str.contains(r"^trend ?micro") & product.str.contains(r"deep security|workload|cloud one")
        )
        .then(pl.lit("trend_ds"))
        .when(vendor.str.contains(r"^trend ?micro"))
        .then(
            pl.when(event_id.str.contains(r"(?i)^cnc:"))
            .then(pl.lit("trend_apex_net"))
            .otherwise(pl.lit("trend_apex"))
        )
        .when(vendor.str.contains(r"^check ?point"))
        .then(pl.lit("checkpoint"))
        .when(vendor.str.contains(r"^panda"))
        .then(pl.lit("panda"))
        .otherwise(pl.lit("generic"))
    )


def _keys_of(candidates: tuple[Candidate, ...]) -> list[str]:
    return [c for c in candidates if isinstance(c, str)]


MAPPED_KEYS: frozenset[str] = (
    frozenset(
        key
        for family in FAMILIES.values()
        for candidates in [*family.columns.values()]
        for key in _keys_of(candidates)
    )
    | frozenset(key for family in FAMILIES.values() for key in family.reads)
    | {"packets", "msg", "act", "product"}
)
"""Every key a family may read: pivoted to ``k:`` columns (the others go straight to ``extra``)."""


def _columns_of(part: pl.LazyFrame, filled: list[str], names: set[str], family: Family) -> pl.LazyFrame:
    """The event columns of ``family`` and the ``extra.<key>`` columns; ``filled`` are the ``k:``
    columns holding a value on some row, ``names`` every column of the frame.

    Each candidate is converted once into a working column (``_c:<column>:<n>``): the column is
    their coalesce, and a key goes to ``extra`` on the rows where no column took it."""
    columns = {**GENERIC.columns, **family.columns}
    converted: list[pl.Expr] = []
    exprs: list[pl.Expr] = []
    taken: dict[str, list[pl.Expr]] = {}
    for column, candidates in columns.items():
        convert = CONVERT.get(column, _text)
        held = [f"_c:{column}:{n}" for n in range(len(candidates))]
        converted += [
            convert(k(c) if isinstance(c, str) else c).alias(h) for c, h in zip(candidates, held, strict=True)
        ]
        none_before = pl.lit(True)
        for candidate, value in zip(candidates, held, strict=True):
            if isinstance(candidate, str):
                taken.setdefault(candidate, []).append(none_before & pl.col(value).is_not_null())
            none_before = none_before & pl.col(value).is_null()
        chosen = pl.coalesce(held) if held else pl.lit(None, dtype=EVENT_POLARS_SCHEMA[column])
        exprs.append(chosen.alias(column))
    read = set(_keys_of(tuple(c for cs in columns.values() for c in cs)))
    extras = []
    for name in filled:
        key = name[len(KEY_PREFIX) :]
        left = pl.when(~pl.any_horizontal(taken[key])).then(k(key)) if key in read else k(key)
        if key in TIME_KEYS:
            left = pl.when(pl.col("_tkey").fill_null("") != key).then(k(key))
        if EXTRA_PREFIX + key in names:  # the same key forced to extra on other rows
            left = pl.coalesce(pl.col(EXTRA_PREFIX + key), left)
        extras.append(left.alias(EXTRA_PREFIX + key))
    working = [c.meta.output_name() for c in converted]
    return part.with_columns(converted).with_columns(*exprs, *extras).drop(working)


def _direction() -> pl.Expr:
    stated = k("deviceDirection").str.strip_chars()
    src_zone = pl.col("src_zone").fill_null("").str.to_lowercase()
    dst_zone = pl.col("dst_zone").fill_null("").str.to_lowercase()
    return (
        pl.when(stated == "0")
        .then(pl.lit("inbound"))
        .when(stated == "1")
        .then(pl.lit("outbound"))
        .when((src_zone == "external") & (dst_zone == "internal"))
        .then(pl.lit("inbound"))
        .when((src_zone == "internal") & (dst_zone == "external"))
        .then(pl.lit("outbound"))
        .when((src_zone == "internal") & (dst_zone == "internal"))
        .then(pl.lit("internal"))
        .when(pl.col("event_class").is_in(["network_activity", "authentication"]))
        .then(range_direction(pl.col("src_ip"), pl.col("dst_ip")))
    )


def _distinct(part: pl.DataFrame, key: str) -> list[str]:
    return part.get_column(KEY_PREFIX + key).drop_nulls().unique().sort().to_list()


def _normalise_family(part: pl.DataFrame, family: Family, ctx: ParseContext) -> pl.DataFrame:
    """One lazy plan (shared sub-expressions computed once) over the rows of one family."""
    names = part.columns
    filled = [n for n in names if n.startswith(KEY_PREFIX) and part.get_column(n).null_count() < part.height]
    timed = with_time(
        part.lazy(), ctx, _valid_zones(_distinct(part, "dtz")), _distinct(part, "devTimeFormat")
    )
    plan = _columns_of(timed, filled, set(names), family)
    classify = family.classify or _generic_classify
    event_class, action = classify()
    vendor = _h("vendor").fill_null("").str.to_lowercase()
    vendor_name = _lookup(vendor, VENDOR_NAMES)
    extra_name = pl.when(k("msg").is_not_null() & (pl.col("message") != _h("name"))).then(_h("name"))
    extra_exprs = [extra_name.alias(EXTRA_PREFIX + "event_name")]
    if family.name.startswith("kaspersky"):
        extra_exprs += [expr.alias(EXTRA_PREFIX + name) for name, expr in KASPERSKY_EXTRA.items()]
    if "product" in family.columns:
        extra_exprs.append(
            pl.when(pl.col("product") != _h("product"))
            .then(_h("product"))
            .alias(EXTRA_PREFIX + "device_product")
        )
    plan = plan.with_columns(
        pl.col("vendor_action").fill_null("").str.strip_chars().str.to_lowercase().alias(ACT),
        pl.col("vendor_severity").str.strip_chars().str.to_lowercase().alias(SEVERITY),
    )
    plan = plan.with_columns(event_class.alias("event_class")).with_columns(
        action.alias("action"),
        severity(pl.col(SEVERITY)).alias("severity"),
        pl.coalesce(
            "bytes_total",
            pl.when(pl.col("bytes_in").is_not_null() | pl.col("bytes_out").is_not_null()).then(
                pl.col("bytes_in").fill_null(0) + pl.col("bytes_out").fill_null(0)
            ),
        ).alias("bytes_total"),
        pl.coalesce(vendor_name, _h("vendor"), pl.lit("unknown")).alias("vendor"),
        pl.coalesce(pl.col("product"), _h("product"), pl.lit("unknown")).alias("product")
        if "product" in family.columns or "product" in names
        else pl.coalesce(_h("product"), pl.lit("unknown")).alias("product"),
        *extra_exprs,
    )
    # in memory: a streaming collect hands back many small chunks, which slow the steps after it
    return plan.with_columns(_direction().alias("direction")).drop(ACT, SEVERITY).collect(engine="in-memory")


def normalise(
    frame: pl.DataFrame,
    pairs: pl.DataFrame,
    ctx: ParseContext,
    *,
    keep_first: bool,
    unescaper: Callable[[pl.Expr, pl.Expr], pl.Expr],
    aliases: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """Event columns (and ``extra.<key>``) for ``frame`` (``_row``, the input columns, ``reason``
    and ``HEADER_COLUMNS``) from its ``pairs`` (``_row, key, value``); the working columns are dropped."""
    resolved = resolve(pairs, keep_first=keep_first, unescaper=unescaper, aliases=aliases)
    wide = widen(frame, resolved).with_columns(_family().alias("_family"))
    parts = wide.partition_by("_family", as_dict=True, maintain_order=True)
    done = [_normalise_family(part, FAMILIES[name], ctx) for (name,), part in parts.items()]
    out = pl.concat(done, how="diagonal_relaxed").sort(ROW) if done else wide
    working = [c for c in out.columns if c.startswith((KEY_PREFIX, "h:")) or c in ("_family", ROW, "_tkey")]
    # extras keep the name the line wrote: a format's own key renamed to a CEF key is renamed back
    written = {EXTRA_PREFIX + canon: EXTRA_PREFIX + name for name, canon in (aliases or {}).items()}
    renames = {c: written[c] for c in out.columns if c in written and written[c] not in out.columns}
    return out.drop(working).rename(renames)
