"""Microsoft Defender Antivirus: Operational-channel events from EVTX, exports and forwarders.

Channel ``Microsoft-Windows-Windows Defender/Operational`` (Windows 8.1/Server 2012 R2 to Windows
11/Server 2025, platform 4.18; older ``Signature`` and newer ``security intelligence`` field names
both read). Reference: ``../shared/formats/microsoft_defender.md``.

Inputs (one format; ``parsers.defender_records`` frames the files that are not one event per line):

| shape | raw | fields from |
|---|---|---|
| EVTX record | ``{"Event":{"System":{...},"EventData":{...}}}`` (``evtx`` crate JSON, compact) | ``System`` elements, ``EventData`` by name (see "EVTX records" below) |
| XML event | ``<Event xmlns=...><System>...</System><EventData><Data Name='...'>`` | same, the EventData turned into JSON with string expressions, XML entities decoded |
| Get-WinEvent ``ConvertTo-Json`` item | ``{"Id":1116,"TimeCreated":...,"MachineName":...,"Properties":[{"Value":...}],"Message":...}`` | ``Properties`` by position, for 1116-1119 only (the 42-item layout verified on the corpus); other ids keep their System fields and Message, their positional values are left out rather than guessed |
| NXLog ``im_msvistalog`` + ``to_json()`` | ``{"EventTime":"2024-06-20 20:21:15","Hostname":...,"EventID":1116,"Channel":...,"Threat Name":...}`` | top-level keys, EventData names as written (spaces kept) |
| Winlogbeat / Elastic Agent | ``{"@timestamp":...,"winlog":{"event_id":...,"computer_name":...,"event_data":{...}}}`` | ``winlog.*`` |

EVTX records (the usual input, so the fast path): the EventID of every record is extracted, then
the records of each (EventID, member count) are read together. Records of one event id come from
one template (the provider manifest's), so they hold the same members in the same order: the first
record, decoded once in Python, gives the layout (member i = the value of key path p); every
record is split at ``,"`` (which starts each object member and cannot occur inside a JSON string)
and its values are taken by position, after the keys the layout has there, and decoded as JSON
scalars. A group whose first record has no such layout (an array or an empty object in it, JSON
spaced by another tool), or in which a record has other keys at those positions, is searched key
by key instead (one extract per System key and per EventData name; same values, slower). A record
is taken as complete JSON when it ends with ``}`` (the crate writes it; a cut line does not).

NXLog and Winlogbeat lines may stand behind an RFC 3164/5424 or relay header
(``parsers.jsonlines.split_header``); the header host, when it is an IP address, is the endpoint's
``src_ip`` (Winlogbeat: the first ``host.ip``). Nothing else in these events carries an address.

Time (UTC): ``System/TimeCreated/@SystemTime`` (EVTX, XML; UTC with ``Z``); Get-WinEvent
``TimeCreated`` (ISO with offset, or Windows PowerShell 5.1 ``/Date(ms)/`` epoch milliseconds);
Winlogbeat ``@timestamp``; NXLog ``EventTime`` (agent local time: read in ``ctx.timezone`` unless
it carries an offset), else the syslog header time. ``Detection Time`` goes to ``extra``. ``time``
is null only when none of these is present.

Columns: ``message_id`` = EventID; ``host`` = ``System/Computer`` (``MachineName``, ``Hostname``,
``computer_name``) lower-cased, as logged (short or FQDN); ``device`` = the same endpoint (Defender
logs on the endpoint itself; there is no AV server); ``malware_name`` = Threat Name; ``file_path`` =
the first ``file:_`` item of ``Path`` (else ``containerfile:_``, else ``webfile:_`` up to its
``|``), the type prefix removed, the full ``Path`` in ``extra.path``; ``file_hash`` = the SHA-256
(else SHA-1) of 1120's ``Hashes``, lower-case; ``user`` = Detection User (else Remediation User,
else the ``User`` of update and scan events); ``rule_name`` = the protection feature a state event
is about; ``message`` = the first line of the rendered Message (localised; CRLF and TAB trimmed),
else the event's description from the table below.

``severity``: detections by ``Severity ID`` (1 Low → low, 2 Moderate → medium, 4 High → high,
5 Severe → critical; ``vendor_severity`` = Severity Name, localised), other events by the Windows
Level (1 Critical → high, 2 Error → medium, 3 Warning → low, 0/4/5 → info; ``vendor_severity`` =
the level number).

| EventID | event_class | action | vendor_action |
|---|---|---|---|
| 1006, 1015, 1116, 1120 | malware_detection | detected | symbolic name |
| 1007, 1117 | malware_detection | by ``Action ID``: 1 cleaned, 2 quarantined, 3 deleted, 6 allowed, 10 blocked, 8/9/other detected; no ID: the English ``Action Name`` (quarantine, clean, remove/delete, allow, block), else detected | Action Name |
| 1008, 1118, 1119 | malware_detection | failed | Action Name |
| 2000, 2002 | system | update_success | symbolic name |
| 2001, 2003, 2004, 2006 | system | update_failed | symbolic name |
| 3002, 5001, 5010, 5012 | system | protection_disabled | symbolic name |
| 3007, 5000, 5009, 5011 | system | protection_enabled | symbolic name |
| 5004, 5007 | system | config_change | symbolic name |
| 1001 | system | scan_completed | symbolic name |
| 5008 | system | down (engine terminated) | symbolic name |
| any other Defender id (1000, 1002, 1005, 1150, 1151, 5013, ...) | system | other | symbolic name when known |

An 1117 with a non-zero ``Error Code`` keeps its action (Defender logs it as taken); the code is
in ``extra.error_code``. Signature and engine versions of every event go to ``extra``
(``signature_version`` as written, e.g. ``AV: 1.413.419.0, AS: ...``; ``previous_signature_version``,
``engine_version``, ``update_source``, ``signature_type``...). Defender events carry no signature
date, so none is recorded.

Quarantined: ``blank line``; ``no JSON object or XML event in the line``; ``payload is not a valid
JSON object``; ``no Windows event id in the record``; ``not a Microsoft Defender Antivirus event
(other provider or channel)`` (an EVTX file of another channel is read, then rejected here).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache

import polars as pl

from seclake.parsers.contract import REASON, ParseContext, ParseResult, finish
from seclake.parsers.defender_records import DEFENDER_MARK, open_records, sniff_head
from seclake.parsers.envelope import iso_time
from seclake.parsers.jsonlines import ip_address, split_header
from seclake.schema import extra_columns

__all__ = ["NAME", "open_records", "parse", "sniff", "sniff_head"]

NAME = "defender"
VENDOR = "Microsoft"
PRODUCT = "Defender Antivirus"
VERSION = "1"

EVENTS: tuple[tuple[int, str, str, str, str | None, str], ...] = (
    (1000, "system", "other", "MALWAREPROTECTION_SCAN_STARTED", None, "An antimalware scan started."),
    (1001, "system", "scan_completed", "MALWAREPROTECTION_SCAN_COMPLETED", None, "An antimalware scan finished."),
    (1002, "system", "other", "MALWAREPROTECTION_SCAN_CANCELLED", None, "An antimalware scan was stopped before it finished."),
    (1005, "system", "other", "MALWAREPROTECTION_SCAN_FAILED", None, "An antimalware scan failed."),
    (1006, "malware_detection", "detected", "MALWAREPROTECTION_MALWARE_DETECTED", None, "The antimalware engine found malware or other potentially unwanted software."),
    (1007, "malware_detection", "by_action", "MALWAREPROTECTION_MALWARE_ACTION_TAKEN", None, "The antimalware platform performed an action to protect the system."),
    (1008, "malware_detection", "failed", "MALWAREPROTECTION_MALWARE_ACTION_FAILED", None, "The antimalware platform attempted an action and failed."),
    (1015, "malware_detection", "detected", "MALWAREPROTECTION_BEHAVIOR_DETECTED", None, "The antimalware platform detected suspicious behavior."),
    (1116, "malware_detection", "detected", "MALWAREPROTECTION_STATE_MALWARE_DETECTED", None, "Malware or other potentially unwanted software was detected."),
    (1117, "malware_detection", "by_action", "MALWAREPROTECTION_STATE_MALWARE_ACTION_TAKEN", None, "An action was taken against malware or other potentially unwanted software."),
    (1118, "malware_detection", "failed", "MALWAREPROTECTION_STATE_MALWARE_ACTION_FAILED", None, "An action against malware failed (non-critical)."),
    (1119, "malware_detection", "failed", "MALWAREPROTECTION_STATE_MALWARE_ACTION_CRITICALLY_FAILED", None, "An action against malware failed critically."),
    (1120, "malware_detection", "detected", "MALWAREPROTECTION_THREAT_HASH", None, "The hashes of a threat resource were deduced."),
    (1150, "system", "other", "MALWAREPROTECTION_SERVICE_HEALTHY", None, "The antimalware platform is running and healthy."),
    (1151, "system", "other", "MALWAREPROTECTION_SERVICE_HEALTH_REPORT", None, "Endpoint protection client health report."),
    (2000, "system", "update_success", "MALWAREPROTECTION_SIGNATURE_UPDATED", None, "The security intelligence version was updated."),
    (2001, "system", "update_failed", "MALWAREPROTECTION_SIGNATURE_UPDATE_FAILED", None, "The security intelligence update failed."),
    (2002, "system", "update_success", "MALWAREPROTECTION_ENGINE_UPDATED", None, "The antimalware engine was updated."),
    (2003, "system", "update_failed", "MALWAREPROTECTION_ENGINE_UPDATE_FAILED", None, "The antimalware engine update failed."),
    (2004, "system", "update_failed", "MALWAREPROTECTION_SIGNATURE_REVERSION", None, "Security intelligence failed to load; reverted to a known-good version."),
    (2006, "system", "update_failed", "MALWAREPROTECTION_PLATFORM_UPDATE_FAILED", None, "The platform update failed."),
    (3002, "system", "protection_disabled", "MALWAREPROTECTION_RTP_FEATURE_FAILURE", None, "A real-time protection feature encountered an error and failed."),
    (3007, "system", "protection_enabled", "MALWAREPROTECTION_RTP_FEATURE_RECOVERED", None, "A real-time protection feature restarted."),
    (5000, "system", "protection_enabled", "MALWAREPROTECTION_RTP_ENABLED", "Real-time protection", "Real-time protection is enabled."),
    (5001, "system", "protection_disabled", "MALWAREPROTECTION_RTP_DISABLED", "Real-time protection", "Real-time protection is disabled."),
    (5004, "system", "config_change", "MALWAREPROTECTION_RTP_FEATURE_CONFIGURED", None, "The real-time protection configuration changed."),
    (5007, "system", "config_change", "MALWAREPROTECTION_CONFIG_CHANGED", None, "The antimalware platform configuration changed."),
    (5008, "system", "down", "MALWAREPROTECTION_ENGINE_FAILURE", "Antimalware engine", "The antimalware engine encountered an error and terminated."),
    (5009, "system", "protection_enabled", "MALWAREPROTECTION_ANTISPYWARE_ENABLED", "Antispyware", "Scanning for malware and other potentially unwanted software is enabled."),
    (5010, "system", "protection_disabled", "MALWAREPROTECTION_ANTISPYWARE_DISABLED", "Antispyware", "Scanning for malware and other potentially unwanted software is disabled."),
    (5011, "system", "protection_enabled", "MALWAREPROTECTION_ANTIVIRUS_ENABLED", "Antivirus", "Scanning for viruses is enabled."),
    (5012, "system", "protection_disabled", "MALWAREPROTECTION_ANTIVIRUS_DISABLED", "Antivirus", "Scanning for viruses is disabled."),
    (5013, "system", "other", "MALWAREPROTECTION_TAMPER_PROTECTION_BLOCKED_CHANGE", None, "Tamper protection blocked a change to Microsoft Defender Antivirus."),
)  # fmt: skip
"""EventID → event_class, action (``by_action``: from the Action ID), symbolic name, the object of
a protection state change (``rule_name``), and the description used when no Message is rendered."""

DETECTION_PROPERTIES: tuple[str, ...] = (
    "Product Name", "Product Version", "Detection ID", "Detection Time", "Unused", "Unused2", "Threat ID",
    "Threat Name", "Severity ID", "Severity Name", "Category ID", "Category Name", "FWLink", "Status Code",
    "Status Description", "State", "Source ID", "Source Name", "Process Name", "Detection User", "Unused3",
    "Path", "Origin ID", "Origin Name", "Execution ID", "Execution Name", "Type ID", "Type Name",
    "Pre Execution Status", "Action ID", "Action Name", "Unused4", "Error Code", "Error Description",
    "Unused5", "Post Clean Status", "Additional Actions ID", "Additional Actions String", "Remediation User",
    "Unused6", "Security intelligence Version", "Engine Version",
)  # fmt: skip
"""EventData of 1116/1117/1118/1119 in order: the positions of Get-WinEvent ``Properties``."""

POSITIONAL_IDS = ("1116", "1117", "1118", "1119")

PROGRAMS = r"(?:Microsoft-Windows-)?Windows Defender|nxlog|winlogbeat|MSWinEventLog"
"""Syslog program tags of forwarded lines (a header host is the endpoint, never one of these)."""

FIELDS: dict[str, tuple[str, ...]] = {
    "product_name": ("Product Name",),
    "product_version": ("Product Version",),
    "detection_id": ("Detection ID",),
    "detection_time": ("Detection Time",),
    "threat_id": ("Threat ID",),
    "threat_name": ("Threat Name",),
    "severity_id": ("Severity ID",),
    "severity_name": ("Severity Name",),
    "category_name": ("Category Name",),
    "source_name": ("Source Name",),
    "process_name": ("Process Name",),
    "detection_user": ("Detection User",),
    "path": ("Path",),
    "origin_name": ("Origin Name",),
    "type_name": ("Type Name",),
    "action_id": ("Action ID",),
    "action_name": ("Action Name",),
    "error_code": ("Error Code",),
    "error_description": ("Error Description",),
    "remediation_user": ("Remediation User",),
    "signature_version": (
        "Security intelligence Version", "Signature Version",
        "Current security intelligence Version", "Current Signature Version",
    ),
    "previous_signature_version": ("Previous security intelligence Version", "Previous Signature Version"),
    "engine_version": ("Engine Version", "Current Engine Version"),
    "previous_engine_version": ("Previous Engine Version",),
    "platform_version": ("Current Platform Version", "Platform Version"),
    "update_source": ("Update Source",),
    "update_stage": ("Update Stage",),
    "source_path": ("Source Path",),
    "signature_type": ("Security intelligence Type", "Signature Type"),
    "update_type": ("Update Type",),
    "user": ("User",),
    "feature_name": ("Feature Name",),
    "configuration": ("Configuration",),
    "old_value": ("Old Value",),
    "new_value": ("New Value",),
    "scan_id": ("Scan ID",),
    "scan_type": ("Scan Type",),
    "hashes": ("Hashes",),
    "threat_resource_path": ("Threat Resource Path",),
}  # fmt: skip
"""Column → EventData names that hold it (first non-empty wins)."""

_EXTRA_FIELDS: tuple[str, ...] = (
    "product_version", "detection_id", "detection_time", "threat_id", "category_name", "source_name",
    "process_name", "origin_name", "type_name", "action_id", "error_code", "error_description",
    "remediation_user", "signature_version", "previous_signature_version", "engine_version",
    "previous_engine_version", "platform_version", "update_source", "update_stage", "source_path",
    "signature_type", "update_type", "feature_name", "configuration", "old_value", "new_value", "scan_id",
    "scan_type", "path", "threat_resource_path",
)  # fmt: skip

SYSTEM = (
    "event_id",
    "system_time",
    "computer",
    "level",
    "record_id",
    "channel",
    "provider",
    "user_sid",
    "message_text",
)

_XML_SYSTEM = (
    r"(?s)<System>"
    r"(?:.*?<Provider\s+Name=['\"]([^'\"]*)['\"])?"
    r"(?:.*?<EventID(?:\s[^>]*)?>\s*(\d+)\s*</EventID>)?"
    r"(?:.*?<Level>\s*(\d+)\s*</Level>)?"
    r"(?:.*?<TimeCreated\s+SystemTime=['\"]([^'\"]*)['\"])?"
    r"(?:.*?<EventRecordID>\s*(\d+)\s*</EventRecordID>)?"
    r"(?:.*?<Channel>([^<]*)</Channel>)?"
    r"(?:.*?<Computer>([^<]*)</Computer>)?"
    r"(?:.*?<Security\s+UserID=['\"]([^'\"]*)['\"])?"
)
"""One pass over an XML event's System block, elements in the order Windows writes them."""

_XML_SYSTEM_GROUPS = (
    "provider",
    "event_id",
    "level",
    "system_time",
    "record_id",
    "channel",
    "computer",
    "user_sid",
)
_XML_DATA_TAG = r"(?:</Data>)?\s*<Data\s+Name=(?:'([^']*)'|\"([^\"]*)\")\s*/?>"
_XML_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '\\"'), ("&apos;", "'"), ("&#13;", "\\r"), ("&#xD;", "\\r"), ("&#10;", "\\n"), ("&#xA;", "\\n"), ("&amp;", "&"))  # fmt: skip

_SEVERITY_IDS = (("1", "low"), ("2", "medium"), ("4", "high"), ("5", "critical"))
_LEVELS = (("1", "high"), ("2", "medium"), ("3", "low"), ("0", "info"), ("4", "info"), ("5", "info"))
_ACTION_IDS = (("1", "cleaned"), ("2", "quarantined"), ("3", "deleted"), ("6", "allowed"), ("10", "blocked"))
_ACTION_WORDS = (("quarantin", "quarantined"), ("clean", "cleaned"), ("remov", "deleted"), ("delet", "deleted"), ("allow", "allowed"), ("block", "blocked"))  # fmt: skip

_EVTX_START = '{"Event":'
"""How every record the ``evtx`` crate renders as compact JSON begins."""
_EVTX_MEMBER = ',"'
"""What starts every member of a JSON object but the first. It cannot occur inside a JSON string
(a quote there is escaped), so a compact record split at it gives one piece per member."""
_JSON_SCALAR = (
    r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"'
    r"|-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null"
)
"""A JSON scalar as written: a string with its quotes and escapes, a number, true, false, null."""
_JSON_END = r"\}\s*$"
"""How a complete record ends (a cut line does not)."""
_EVTX_PIECE = re.compile(r'(?s)(.*?":)(' + _JSON_SCALAR + r")(\}*)")
"""A piece of a split record: the keys before its value, the value, the objects it closes."""
_EVTX_EVENT_ID = r'"EventID"\s*:\s*(?:\{\s*"#attributes"\s*:\s*\{[^{}]*\}\s*,\s*"#text"\s*:\s*)?"?([0-9]+)'
"""Windows types EventID (the crate writes a number; with ``Qualifiers`` an object with ``#text``);
a file written by other tools may hold it as text, or spaced JSON."""
_EVTX_SYSTEM = {
    ("Provider", "#attributes", "Name"): "provider",
    ("Level",): "level",
    ("TimeCreated", "#attributes", "SystemTime"): "system_time",
    ("EventRecordID",): "record_id",
    ("Channel",): "channel",
    ("Computer",): "computer",
    ("Security", "#attributes", "UserID"): "user_sid",
}
"""Path under ``Event/System`` → column. The last key of each path is unique in ``System``, which
comes before ``EventData``: a record searched key by key takes the first match of that key."""
_DATA_NAMES = tuple(dict.fromkeys(name for names in FIELDS.values() for name in names))

_DEFENDER_KEY = r'"(?:Channel|SourceName|ProviderName|LogName|channel|provider_name)"\s*:\s*"(?:Microsoft-Windows-)?Windows Defender'


def sniff(lines: pl.Series) -> pl.Series:
    """Per line: a JSON key (channel/provider/source name) whose value names Windows Defender."""
    return lines.cast(pl.String).str.contains(_DEFENDER_KEY).fill_null(False)


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse Defender records or lines into events; see the module docstring."""
    raw = pl.col("raw")
    frame = lines.with_row_index("_row").with_columns(raw.str.starts_with(_EVTX_START).alias("_evtx"))
    evtx = frame.filter(pl.col("_evtx"))  # the usual input: records of an EVTX file, nothing else
    others = frame.filter(~pl.col("_evtx")) if evtx.height < frame.height else frame.clear()
    brace = raw.str.find("{", literal=True)
    others = others.with_columns(
        pl.when(raw.str.contains(r"^\s*<Event[\s>]"))
        .then(pl.lit("xml"))
        .when(brace.is_null())
        .then(pl.lit("none"))
        .when(raw.str.contains(r'^\s*\{\s*"Event"\s*:'))
        .then(pl.lit("evtx"))
        .when(raw.str.contains(r'"winlog"\s*:\s*\{'))
        .then(pl.lit("winlogbeat"))
        .when(raw.str.contains(r'^\s*\{\s*"Id"\s*:'))
        .then(pl.lit("getwinevent"))
        .otherwise(pl.lit("nxlog"))
        .alias("_shape"),
        brace.alias("_brace"),
    )
    decoders = {
        "xml": _from_xml,
        "evtx": lambda part, _ctx: _from_evtx(part),
        "getwinevent": _from_getwinevent,
        "winlogbeat": _from_winlogbeat,
        "nxlog": _from_nxlog,
        "none": lambda part, _ctx: part,
    }
    parts = others.partition_by("_shape", as_dict=True, maintain_order=True)
    decoded = [_from_evtx(evtx)] if evtx.height else []
    decoded += [decoders[shape](part, ctx) for (shape,), part in parts.items()]
    frame = (
        pl.concat(decoded, how="diagonal_relaxed") if decoded else frame.with_columns(_shape=pl.lit("none"))
    )
    missing = [
        c
        for c in (*SYSTEM, *FIELDS, "json_ok", "header_host", "host_ip", "vendor_level")
        if c not in frame.columns
    ]
    frame = frame.lazy().with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing)
    if "time" not in frame.collect_schema():
        frame = frame.with_columns(pl.lit(None, dtype=pl.Datetime("us", "UTC")).alias("time"))
    if len(decoded) > 1:
        frame = frame.sort("_row")
    events = (
        frame.with_columns(_cleaned())
        .join(_event_table().lazy(), on="event_id", how="left", maintain_order="left")
        .select(_event_columns())
        .collect()
    )
    return finish(events, ctx, format_name=NAME, vendor=VENDOR, product=PRODUCT)


@cache
def _cleaned() -> list[pl.Expr]:
    """``_clean`` of every System and ``FIELDS`` column (built once: parse runs once per chunk)."""
    return [_clean(name) for name in (*SYSTEM, *FIELDS)]


def _clean(name: str) -> pl.Expr:
    """Trimmed text, null when empty (pretty-printed exports pad empty values with white space)."""
    text = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(text != "").then(text).alias(name)


@cache
def _event_table() -> pl.DataFrame:
    return pl.DataFrame(
        [(str(i), c, a, s, o, d) for i, c, a, s, o, d in EVENTS],
        schema=["event_id", "_class", "_action", "_symbol", "_object", "_description"],
        orient="row",
    )


def _json_schema(paths: dict[str, tuple]) -> pl.DataType:
    """The all-string nested schema of JSON paths (keys, and ints for list positions)."""
    tree: dict = {}
    for path in paths.values():
        node = tree
        for step in path[:-1]:
            node = node.setdefault(0 if isinstance(step, int) else step, {})
        node[0 if isinstance(path[-1], int) else path[-1]] = None

    def build(node: dict | None) -> pl.DataType:
        if node is None:
            return pl.String
        if 0 in node:
            return pl.List(build(node[0]))
        return pl.Struct({key: build(child) for key, child in node.items()})

    return build(tree)


def _decode(payload: pl.Series, paths: dict[str, tuple]) -> pl.DataFrame:
    """One String column per path, plus ``json_ok``: one ``json_decode`` with an explicit schema;
    when a value has an unexpected type or a payload is not JSON, one ``json_path_match`` per path."""
    try:
        decoded = payload.str.json_decode(_json_schema(paths)).to_frame("_d")
    except pl.exceptions.PolarsError:
        text = payload.to_frame("_p")
        return text.select(
            *[
                pl.col("_p")
                .str.json_path_match(
                    "$" + "".join(f"[{s}]" if isinstance(s, int) else f"['{s}']" for s in path)
                )
                .alias(name)
                for name, path in paths.items()
            ],
            pl.col("_p")
            .str.json_path_match("$")
            .str.starts_with("{")
            .fill_null(False)
            .cast(pl.String)
            .alias("json_ok"),
        )

    def walk(path: tuple) -> pl.Expr:
        expr = pl.col("_d")
        for step in path:
            expr = expr.list.get(step, null_on_oob=True) if isinstance(step, int) else expr.struct.field(step)
        return expr

    return decoded.select(
        *[walk(path).alias(name) for name, path in paths.items()],
        pl.col("_d").is_not_null().cast(pl.String).alias("json_ok"),
    )


def _data_paths(prefix: tuple) -> dict[str, tuple]:
    """Paths of every EventData name of ``FIELDS`` under ``prefix`` (columns ``_d:<name>``)."""
    return {f"_d:{name}": (*prefix, name) for names in FIELDS.values() for name in names}


def _coalesce_fields(frame: pl.DataFrame) -> pl.DataFrame:
    """Fold the ``_d:<name>`` columns into the ``FIELDS`` columns."""
    present = [c for c in frame.columns if c.startswith("_d:")]

    def first(names: tuple[str, ...]) -> pl.Expr:
        exprs = [_clean(f"_d:{n}") for n in names if f"_d:{n}" in present]
        return pl.coalesce(exprs) if exprs else pl.lit(None, dtype=pl.String)

    return frame.with_columns(*[first(names).alias(column) for column, names in FIELDS.items()]).drop(present)


def _with_json(part: pl.DataFrame, paths: dict[str, tuple]) -> pl.DataFrame:
    payload = part.select(pl.col("raw").str.slice(pl.col("_brace"))).to_series()
    return _coalesce_fields(pl.concat([part, _decode(payload, paths)], how="horizontal"))


def _from_evtx(part: pl.DataFrame) -> pl.DataFrame:
    """Records of the ``evtx`` crate (compact JSON): the event id of every record, then the values
    of the records of each event id and layout (``_evtx_values``), in the order of the records."""
    raw = pl.col("raw")
    frame = part.with_columns(  # one step: the split runs beside the extract
        raw.str.extract(_EVTX_EVENT_ID).alias("event_id"),
        raw.str.contains(_JSON_END).cast(pl.String).alias("json_ok"),
        raw.str.split(_EVTX_MEMBER).alias("_pieces"),
        _shape=pl.lit("evtx"),
    )
    split = frame.select("_row", "raw", "event_id", "_pieces", pl.col("_pieces").list.len().alias("_count"))
    frame = frame.drop("_pieces")
    groups = split.partition_by("event_id", "_count")
    plans = [_evtx_values(group) for group in groups]
    try:
        values = pl.concat(plans, how="diagonal_relaxed").sort("_row").collect()
    except pl.exceptions.ComputeError:  # a value that is not a JSON scalar: not the crate's writing
        values = pl.concat(
            [_collect_or_search(plan, group) for plan, group in zip(plans, groups, strict=True)],
            how="diagonal_relaxed",
        ).sort("_row")
    frame = pl.concat([frame, values.drop("_row")], how="horizontal")
    missing = [c for c in _EVTX_SYSTEM.values() if c not in frame.columns]  # none of their keys
    frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing)
    return frame.with_columns(
        *[_first_value(column, names, frame.columns) for column, names in FIELDS.items()],
        iso_time(pl.col("system_time"), "UTC").alias("time"),
    ).drop([c for c in frame.columns if c.startswith("_d:")])


def _evtx_values(group: pl.DataFrame) -> pl.LazyFrame:
    """System values and EventData of records with one event id and one piece count (``_row`` kept).

    Records of one event id come from one template: the same members in the same order. The
    pieces of the first record give the layout (``_evtx_layout``); the values of every record are
    taken by position, each after the keys the layout has there (``str.strip_prefix``: a record
    with other keys there leaves them, and decoding the value then fails, see ``_from_evtx``).
    A group whose first record has no such layout is searched key by key."""
    rows = group.lazy()
    if group.get_column("event_id")[0] is None:
        return rows.select("_row")  # quarantined: no values needed
    layout = _evtx_layout(group.get_column("raw")[0])
    if layout is None:
        return _evtx_searched(rows)
    pieces = pl.col("_pieces")
    return rows.select(
        "_row",
        *[
            _json_text(_piece_value(pieces.list.get(position), keys, closes)).alias(column)
            for position, (keys, column, closes) in enumerate(layout)
            if column is not None
        ],
    )


def _collect_or_search(plan: pl.LazyFrame, group: pl.DataFrame) -> pl.DataFrame:
    try:
        return plan.collect()
    except pl.exceptions.ComputeError:
        return _evtx_searched(group.lazy()).collect()


def _evtx_layout(record: str) -> list[tuple[str, str | None, bool]] | None:
    """Per piece of ``record`` split at ``_EVTX_MEMBER``: the keys before its value, the column
    the value goes to (None: not used), whether objects close after it. None when a piece is not
    one key path and one scalar (arrays, empty objects) or the record is not JSON."""
    try:
        leaves = list(_leaves(json.loads(record), ()))
    except (ValueError, TypeError):
        return None
    pieces = record.split(_EVTX_MEMBER)
    if len(pieces) != len(leaves):
        return None
    layout = []
    for piece, (path, value) in zip(pieces, leaves, strict=True):
        found = _EVTX_PIECE.fullmatch(piece)
        if found is None or json.loads(found[2]) != value:
            return None
        layout.append((found[1], _evtx_column(path), bool(found[3])))
    return layout


def _leaves(node: object, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], object]]:
    """The scalar values of a decoded JSON document with their key paths, in document order."""
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _leaves(child, (*path, key))
    elif isinstance(node, list):
        raise TypeError("arrays have no layout")
    else:
        yield path, node


def _evtx_column(path: tuple[str, ...]) -> str | None:
    if path[:2] == ("Event", "System"):
        return _EVTX_SYSTEM.get(path[2:])
    if len(path) == 3 and path[:2] == ("Event", "EventData") and path[2] in _DATA_NAMES:
        return f"_d:{path[2]}"
    return None


def _piece_value(piece: pl.Expr, keys: str, closes: bool) -> pl.Expr:
    value = piece.str.strip_prefix(keys)
    return value.str.strip_chars_end("}") if closes else value


def _evtx_searched(rows: pl.LazyFrame) -> pl.LazyFrame:
    """System values and every EventData name of ``FIELDS``, one extract per key (``_row`` kept)."""
    return rows.select("_row", *_searched_values())


@cache
def _searched_values() -> list[pl.Expr]:
    raw = pl.col("raw")

    def value(key: str) -> pl.Expr:
        return _json_text(raw.str.extract(rf'"{re.escape(key)}"\s*:\s*({_JSON_SCALAR})'))

    return [
        *[value(path[-1]).alias(column) for path, column in _EVTX_SYSTEM.items()],
        *[value(name).alias(f"_d:{name}") for name in _DATA_NAMES],
    ]


def _first_value(column: str, names: tuple[str, ...], present: list[str]) -> pl.Expr:
    """``column`` from the first non-empty of its EventData ``names`` among the ``present`` columns."""
    exprs = [pl.col(f"_d:{name}") for name in names if f"_d:{name}" in present]
    if len(exprs) > 1:
        exprs = [_clean(f"_d:{name}") for name in names if f"_d:{name}" in present]
    return (pl.coalesce(exprs) if exprs else pl.lit(None, dtype=pl.String)).alias(column)


def _json_text(token: pl.Expr) -> pl.Expr:
    """A JSON scalar as written (quoted and escaped string, number, ``null``) → its text."""
    return token.str.json_decode(pl.String)


def _from_xml(part: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    raw = pl.col("raw")
    frame = part.with_columns(raw.str.extract_groups(_XML_SYSTEM).alias("_s")).with_columns(
        *[pl.col("_s").struct.field(str(i + 1)).alias(name) for i, name in enumerate(_XML_SYSTEM_GROUPS)],
        _xml_text(
            raw.str.extract(r"(?s)<RenderingInfo[^>]*>.*?<Message>([^<]*)</Message>"), json=False
        ).alias("message_text"),
    )
    frame = frame.with_columns(
        *[_xml_text(pl.col(c), json=False) for c in ("computer", "channel", "provider")]
    )
    data = raw.str.extract(r"(?s)<EventData(?:\s[^>]*)?>(.*)</EventData>")
    as_json = (
        data.str.replace_all("\\", "\\\\", literal=True)
        .str.replace_all(_XML_DATA_TAG, "\x01${1}${2}\x02")
        .str.replace(r"</Data>\s*$", "")
        .str.replace_all('"', '\\"', literal=True)
        .str.replace_all("\x01", '","', literal=True)
        .str.replace_all("\x02", '":"', literal=True)
    )
    as_json = pl.lit('{"_":"') + _xml_text(as_json, json=True) + pl.lit('"}')
    payload = frame.select(as_json.fill_null("{}")).to_series()
    decoded = _decode(payload, _data_paths(())).drop("json_ok")
    frame = _coalesce_fields(pl.concat([frame.drop("_s"), decoded], how="horizontal"))
    return frame.with_columns(
        iso_time(pl.col("system_time"), "UTC").alias("time"), pl.lit("true").alias("json_ok")
    )


def _xml_text(text: pl.Expr, *, json: bool) -> pl.Expr:
    """Decode XML entities; with ``json`` the result goes inside a JSON string (controls escaped)."""
    if json:
        for char, escape in (("\r", "\\r"), ("\n", "\\n"), ("\t", "\\t")):
            text = text.str.replace_all(char, escape, literal=True)
        text = text.str.replace_all(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "")
    for entity, char in _XML_ENTITIES:
        plain = {'\\"': '"', "\\r": "\r", "\\n": "\n"}.get(char, char)
        text = text.str.replace_all(entity, char if json else plain, literal=True)
    return text


def _from_getwinevent(part: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    paths = {
        "event_id": ("Id",),
        "created": ("TimeCreated",),
        "computer": ("MachineName",),
        "level": ("Level",),
        "record_id": ("RecordId",),
        "channel": ("LogName",),
        "provider": ("ProviderName",),
        "user_sid": ("UserId", "Value"),
        "message_text": ("Message",),
        **{f"_p:{name}": ("Properties", i, "Value") for i, name in enumerate(DETECTION_PROPERTIES)},
    }
    payload = part.select(pl.col("raw").str.slice(pl.col("_brace"))).to_series()
    frame = pl.concat([part, _decode(payload, paths)], how="horizontal")
    positional = pl.col("event_id").is_in(POSITIONAL_IDS)
    frame = frame.with_columns(
        *[
            pl.when(positional).then(pl.col(f"_p:{name}")).alias(f"_d:{name}")
            for name in DETECTION_PROPERTIES
            if any(name in names for names in FIELDS.values())
        ]
    ).drop([f"_p:{name}" for name in DETECTION_PROPERTIES])
    created = pl.col("created")
    epoch_ms = created.str.extract(r"^/Date\((-?\d+)\)/$").cast(pl.Int64, strict=False)
    frame = _coalesce_fields(frame).with_columns(
        pl.coalesce(
            pl.from_epoch(epoch_ms, time_unit="ms")
            .dt.replace_time_zone("UTC")
            .cast(pl.Datetime("us", "UTC")),
            iso_time(created, ctx.timezone),
        ).alias("time")
    )
    return frame.drop("created")


def _with_header(part: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Split an optional syslog header in front of the JSON (forwarded lines)."""
    head = pl.col("raw").str.slice(0, pl.col("_brace"))
    return split_header(part, head, PROGRAMS, ctx)


def _from_nxlog(part: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    paths = {
        "event_id": ("EventID",),
        "event_time": ("EventTime",),
        "computer": ("Hostname",),
        "level": ("SeverityValue",),
        "record_id": ("RecordNumber",),
        "channel": ("Channel",),
        "provider": ("SourceName",),
        "user_sid": ("UserID",),
        "message_text": ("Message",),
        "nxlog_severity": ("Severity",),
        **_data_paths(()),
    }
    frame = _with_json(_with_header(part, ctx), paths)
    # NXLog's SeverityValue is its own scale (1 debug .. 5 critical): keep the Windows level out.
    nx_level = pl.col("level").cast(pl.Int32, strict=False)
    return frame.with_columns(
        pl.coalesce(iso_time(pl.col("event_time"), ctx.timezone), pl.col("header_time")).alias("time"),
        pl.when(nx_level >= 5)
        .then(pl.lit("1"))
        .when(nx_level == 4)
        .then(pl.lit("2"))
        .when(nx_level == 3)
        .then(pl.lit("3"))
        .when(nx_level.is_not_null())
        .then(pl.lit("4"))
        .alias("level"),
        pl.col("nxlog_severity").alias("vendor_level"),
    ).drop("event_time", "nxlog_severity")


def _from_winlogbeat(part: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    winlog = ("winlog",)
    paths = {
        "event_id": (*winlog, "event_id"),
        "timestamp": ("@timestamp",),
        "computer": (*winlog, "computer_name"),
        "record_id": (*winlog, "record_id"),
        "channel": (*winlog, "channel"),
        "provider": (*winlog, "provider_name"),
        "user_sid": (*winlog, "user", "identifier"),
        "message_text": ("message",),
        "log_level": ("log", "level"),
        "host_ip": ("host", "ip", 0),
        **_data_paths((*winlog, "event_data")),
    }
    frame = _with_json(_with_header(part, ctx), paths)
    word = pl.col("log_level").str.to_lowercase()
    return frame.with_columns(
        pl.coalesce(iso_time(pl.col("timestamp"), ctx.timezone), pl.col("header_time")).alias("time"),
        pl.when(word == "critical")
        .then(pl.lit("1"))
        .when(word == "error")
        .then(pl.lit("2"))
        .when(word == "warning")
        .then(pl.lit("3"))
        .when(word.is_in(["information", "info", "verbose"]))
        .then(pl.lit("4"))
        .alias("level"),
        pl.col("log_level").alias("vendor_level"),
    ).drop("timestamp", "log_level")


def _lookup(value: pl.Expr, table: tuple[tuple[str, str], ...]) -> pl.Expr:
    chain = pl.when(value == table[0][0]).then(pl.lit(table[0][1]))
    for key, result in table[1:]:
        chain = chain.when(value == key).then(pl.lit(result))
    return chain


def _taken_action() -> pl.Expr:
    """Action of 1007/1117: by Action ID, else by the English Action Name, else detected."""
    name = pl.col("action_name").str.to_lowercase()
    by_word = pl.when(name.str.contains(_ACTION_WORDS[0][0], literal=True)).then(pl.lit(_ACTION_WORDS[0][1]))
    for word, action in _ACTION_WORDS[1:]:
        by_word = by_word.when(name.str.contains(word, literal=True)).then(pl.lit(action))
    return pl.coalesce(_lookup(pl.col("action_id"), _ACTION_IDS), by_word, pl.lit("detected"))


def _file_path() -> pl.Expr:
    items = pl.col("path").str.split("; ")

    def first(prefix: str) -> pl.Expr:
        return items.list.eval(
            pl.element().filter(pl.element().str.starts_with(prefix)).str.strip_prefix(prefix)
        ).list.first()

    webfile = first("webfile:_").str.extract(r"^([^|]*)")
    return pl.coalesce(first("file:_"), first("containerfile:_"), webfile)


@cache
def _event_columns() -> list[pl.Expr]:
    """The event columns (and ``reason``) of the decoded frame."""
    detection = pl.col("_class") == "malware_detection"
    is_defender = pl.any_horizontal(
        pl.col(c).str.contains(DEFENDER_MARK, literal=True).fill_null(False) for c in ("provider", "channel")
    )
    reason = (
        pl.when(~pl.col("raw").str.contains(r"\S"))
        .then(pl.lit("blank line"))
        .when(pl.col("_shape") == "none")
        .then(pl.lit("no JSON object or XML event in the line"))
        .when(pl.col("json_ok") != "true")
        .then(pl.lit("payload is not a valid JSON object"))
        .when(pl.col("event_id").cast(pl.Int32, strict=False).is_null())
        .then(pl.lit("no Windows event id in the record"))
        .when(~is_defender)
        .then(pl.lit("not a Microsoft Defender Antivirus event (other provider or channel)"))
    )
    hashes = pl.col("hashes")
    first_line = pl.col("message_text").str.extract(r"^\s*([^\r\n]*)").str.strip_chars()
    level_severity = _lookup(pl.col("level"), _LEVELS)
    return [
        pl.col("raw"),
        pl.col("raw_file"),
        pl.col("raw_line"),
        reason.alias(REASON),
        pl.col("time"),
        pl.col("_class").fill_null("system").alias("event_class"),
        pl.when(pl.col("_action") == "by_action")
        .then(_taken_action())
        .otherwise(pl.col("_action").fill_null("other"))
        .alias("action"),
        pl.when(pl.col("event_id").is_in(["1007", "1008", "1117", "1118", "1119"]))
        .then(pl.coalesce("action_name", "_symbol"))
        .otherwise(pl.col("_symbol"))
        .alias("vendor_action"),
        pl.when(detection & pl.col("severity_id").is_not_null())
        .then(_lookup(pl.col("severity_id"), _SEVERITY_IDS))
        .otherwise(level_severity)
        .alias("severity"),
        pl.when(detection & pl.col("severity_id").is_not_null())
        .then(pl.col("severity_name"))
        .otherwise(pl.coalesce("vendor_level", "level"))
        .alias("vendor_severity"),
        pl.col("event_id").alias("message_id"),
        pl.coalesce(ip_address(pl.col("header_host")), ip_address(pl.col("host_ip"))).alias("src_ip"),
        pl.coalesce("feature_name", "_object").alias("rule_name"),
        pl.col("computer").str.to_lowercase().alias("host"),
        pl.col("computer").str.to_lowercase().alias("device"),
        pl.coalesce("detection_user", "remediation_user", "user").alias("user"),
        _file_path().alias("file_path"),
        pl.coalesce(
            hashes.str.extract(r"(?i)sha-?2(?:56)?\s*[:=]\s*([0-9a-f]{64})"),
            hashes.str.extract(r"(?i)sha-?1\s*[:=]\s*([0-9a-f]{40})"),
        )
        .str.to_lowercase()
        .alias("file_hash"),
        pl.col("threat_name").alias("malware_name"),
        pl.coalesce(pl.when(first_line != "").then(first_line), "_description").alias("message"),
        *extra_columns(
            record_id=pl.col("record_id"),
            user_sid=pl.col("user_sid"),
            channel=pl.col("channel"),
            product=pl.col("product_name"),
            **{name: pl.col(name) for name in _EXTRA_FIELDS},
        ),
    ]
