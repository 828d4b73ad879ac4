"""Sophos endpoint anti-virus: Sophos Central SIEM JSON events and alerts, legacy SAV logs.

Reference: ``../shared/formats/sophos.md`` (sections 1 and 2). Three payloads, each optionally behind
a syslog header (``parsers.jsonlines.split_header``; the header host is ``device``):

- **Sophos Central SIEM JSON** (one object per line, as the Sophos-Central-SIEM-Integration script
  writes ``/siem/v1/events`` and ``/siem/v1/alerts`` items with ``format = json``). Decoded with an
  explicit schema over the whole frame (``jsonlines.decode_json``), never searched with regexes:
  a path or threat name holding ``"`` or ``key=value`` text sets no other field. The corpus has no
  Central line; the tests build them from the field list of the format notes. The script's CEF and
  key=value outputs are not read here (CEF is the ``cef`` format's).
- **SAV for Linux XML lines** (``savd``/``savscan``): ``<log><category>..</category><level>..</level>
  <domain>..</domain><msg>CODE %s ..</msg><time><epoch></time><arg>..</arg>..</log>``. ``message``
  is ``msg`` with each ``%s`` filled by the next ``<arg>`` (XML entities decoded).
- **SAV for Windows text log**: ``YYYYMMDD HHMMSS<TAB>text`` (local time, read in ``ctx.timezone``).

Time: Central ``when`` (UTC, when it happened on the endpoint; ``created_at`` when absent); the XML
``<time>`` epoch; the text log's local stamp; else the syslog header time. Null only for a Central
object with neither ``when`` nor ``created_at`` and no header.

Central columns: ``message_id`` = ``type``; ``vendor_action`` = its last ``::`` segment;
``severity`` = ``severity`` (low/medium/high/critical as such, anything else info), kept in
``vendor_severity``; ``host`` = ``location`` lower-cased; ``user`` = ``source`` (``n/a`` → null);
``src_ip`` = ``source_info.ip`` (alerts: ``data.source_info.ip``), the endpoint's address;
``malware_name`` = ``detection_identity_name`` (added by the script), else ``threat``, else the
quoted name in ``name`` (``Malware detected: '<threat>' at '<path>'``, read with an anchored
pattern on threat events only); ``file_path`` = ``filePath``, else the path of that same split;
``file_hash`` = ``appSha256`` lower-cased; ``message`` = ``name`` (alerts: ``description``).

Central ``type`` → class / action (first rule that holds; the types named in the notes were checked
in the script's handler table, the others follow the same naming and are matched by these rules):

| type | event_class | action |
|---|---|---|
| ``Event::Endpoint::Threat::*`` and ``Event::Endpoint::Core*`` with ``Failed`` (CleanupFailed, PuaCleanupFailed, HIPSCleanupFailed) | malware_detection | failed |
| same families with ``Clean`` (CleanedUp, PuaCleanedUp, CoreClean) | malware_detection | cleaned |
| same families with ``Dismissed`` (HIPSDismissed, CommandAndControlDismissed) | malware_detection | allowed |
| same families with ``Blocked`` | malware_detection | blocked |
| other ``Threat::*`` / ``Core*`` (Detected, PuaDetected, HIPSDetected, CoreDetection) | malware_detection | detected |
| ``WebControlViolation``, ``WebFilteringBlocked`` | network_activity | deny |
| ``UpdateFailure``, ``OutOfDate`` | system | update_failed |
| ``UpdateSuccess`` | system | update_success |
| ``SavDisabled`` (real-time scanning off), ``ServiceNotRunning`` (a Sophos service stopped), ``*Tamper*Disabled`` | system | protection_disabled |
| ``SavEnabled``, ``ServiceRestored``, ``*Tamper*Enabled`` | system | protection_enabled |
| ``SavScanComplete`` | system | scan_completed |
| anything else (Application::Allowed, Device::AlertedOnly, Registered, NonCompliant, ...) | system | other |

SAV XML codes (``message_id`` = the code, ``vendor_severity`` = ``<level>``; severity by code, SAV
writes INFO even for detections): ``NOTIFY_ONDEMANDTHREAT_INFECTED`` → malware_detection /
detected, ``file_path`` = its argument, high; ``SAVSCAN-DETAILS`` → system / scan_completed (the six
counters in ``message``); ``NO_UPDATED_FROM`` → system / update_failed (``extra.update_source``),
medium; ``SCANNER_DIED_KILLED`` → system / other, medium; any other code → system / other, info.

SAV text log (``message_id`` a stable token; the wording is the corpus'):

| message_id | text | class / action |
|---|---|---|
| SCAN_STARTED, SCAN_COMPLETED | ``Scan '<name>' started.`` / ``completed.`` | system / other, scan_completed (``extra.scan_name``) |
| ONACCESS_STOPPED, ONACCESS_STARTED | ``User (<user>) has stopped`` / ``started on-access scanning for this machine.`` | system / protection_disabled (medium), protection_enabled; ``user`` |
| DETECTION_DATA | ``Using detection data version <v> (detection engine <e>). This version can detect <n> items.`` | system / update_success (``extra.signature_version``, ``engine_version``, ``detectable_items``) |
| TEXT | any other text | system / other |

Legacy lines name no endpoint: ``host`` is the syslog header host, else the source option ``host``.

Quarantined lines: ``blank line``; ``not a Sophos endpoint line (no Central JSON, <log> XML or SAV
text log)``; ``payload is not a valid JSON object``; ``JSON object has no type (not a Sophos
Central event)``; ``<log> line does not match <log><category>…<msg>…<time>…</log>``.
"""

from __future__ import annotations

import polars as pl

from seclake.parsers.contract import REASON, ParseContext, ParseResult, finish
from seclake.parsers.envelope import iso_time, localize
from seclake.parsers.jsonlines import decode_json, ip_address, split_header
from seclake.schema import extra_columns

NAME = "sophos_av"
VENDOR = "Sophos"
PRODUCT = "Sophos Endpoint"
VERSION = "1"

PROGRAM = r"[A-Za-z][\w.\-/]*"
"""Any syslog program tag (the Central script and SAV relays use no fixed name)."""

PAYLOAD_START = r"\{|<log>|\d{8} \d{6}\t"
"""Where a payload starts: a JSON object, a SAV XML record or a SAV text-log stamp."""

CENTRAL_FIELDS: dict[str, str] = {
    "id": "id",
    "type": "type",
    "name": "name",
    "severity": "severity",
    "created_at": "created_at",
    "when": "when",
    "customer_id": "customer_id",
    "endpoint_id": "endpoint_id",
    "endpoint_type": "endpoint_type",
    "user_id": "user_id",
    "source": "source",
    "location": "location",
    "group": "group",
    "source_ip": "source_info.ip",
    "origin": "origin",
    "threat": "threat",
    "app_sha256": "appSha256",
    "datastream": "datastream",
    "detection_identity_name": "detection_identity_name",
    "file_path": "filePath",
    "description": "description",
    "threat_cleanable": "threat_cleanable",
    "data_source_ip": "data.source_info.ip",
    "data_endpoint_id": "data.endpoint_id",
    "data_endpoint_type": "data.endpoint_type",
    "threat_id": "data.threat_id",
}
"""Central JSON keys read (column → dotted path); all optional, others ignored."""

_NAME_SPLIT = r"^[^']*'(?P<name_threat>[^']*)' at '(?P<name_path>.*)'$"
"""``Malware detected: 'Eicar-AV-Test' at 'C:\\x\\eicar.com'``: the path is last, so quotes in it are kept."""

_XML = (
    r"^<log><category>(?P<category>[^<]*)</category><level>(?P<level>[^<]*)</level>"
    r"<domain>(?P<domain>[^<]*)</domain><msg>(?P<msg>[^<]*)</msg><time>(?P<epoch>\d+)</time>"
    r"(?P<args>(?:<arg>[^<]*</arg>)*)</log>\s*$"
)
_XML_ARGS = 6
"""Arguments filled into ``%s`` placeholders (SAVSCAN-DETAILS has six)."""

_XML_CODES: dict[str, tuple[str, str, str]] = {
    "NOTIFY_ONDEMANDTHREAT_INFECTED": ("malware_detection", "detected", "high"),
    "SAVSCAN-DETAILS": ("system", "scan_completed", "info"),
    "NO_UPDATED_FROM": ("system", "update_failed", "medium"),
    "SCANNER_DIED_KILLED": ("system", "other", "medium"),
}
"""SAV XML message code → (event_class, action, severity); other codes are system / other / info."""

_TEXT = (
    r"^(?P<stamp>\d{8} \d{6})\t(?P<text>(?:Scan '(?P<scan_name>.*)' (?P<scan_state>started|completed)\."
    r"|User \((?P<onaccess_user>.*)\) has (?P<onaccess>stopped|started) on-access scanning for this machine\."
    r"|Using detection data version (?P<signature_version>\S+) \(detection engine (?P<engine_version>[^)]*)\)\."
    r" This version can detect (?P<detectable_items>\d+) items\.|.*))$"
)

_TEXT_KINDS: tuple[tuple[str, pl.Expr, str, str, str], ...] = (
    ("SCAN_STARTED", pl.col("scan_state") == "started", "system", "other", "info"),
    ("SCAN_COMPLETED", pl.col("scan_state") == "completed", "system", "scan_completed", "info"),
    ("ONACCESS_STOPPED", pl.col("onaccess") == "stopped", "system", "protection_disabled", "medium"),
    ("ONACCESS_STARTED", pl.col("onaccess") == "started", "system", "protection_enabled", "info"),
    ("DETECTION_DATA", pl.col("signature_version").is_not_null(), "system", "update_success", "info"),
    ("TEXT", pl.lit(True), "system", "other", "info"),
)
"""SAV text-log kinds: (message_id, test, event_class, action, severity), first that holds."""


def sniff(lines: pl.Series) -> pl.Series:
    """Per line: a Central ``"type":"Event::`` JSON key, a ``<log><category>`` record or a SAV text stamp."""
    pattern = r'"type": ?"Event::|<log><category>|(?:^|\s)\d{8} \d{6}\t'
    return lines.cast(pl.String).str.contains(pattern).fill_null(False)


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse Sophos Central JSON and SAV lines into events; see the module docstring."""
    raw = pl.col("raw")
    start = raw.str.find(PAYLOAD_START)
    frame = split_header(lines, raw.str.slice(0, start), PROGRAM, ctx).with_columns(
        raw.str.slice(start).alias("payload")
    )
    payload = pl.col("payload")
    frame = frame.with_columns(
        pl.when(payload.str.starts_with("{"))
        .then(pl.lit("central"))
        .when(payload.str.starts_with("<"))
        .then(pl.lit("xml"))
        .when(payload.is_not_null())
        .then(pl.lit("text"))
        .alias("payload_kind")
    )
    kind = pl.col("payload_kind")
    central = decode_json(frame.select(pl.when(kind == "central").then(payload)).to_series(), CENTRAL_FIELDS)
    frame = pl.concat([frame, central], how="horizontal").with_columns(
        pl.when(kind == "xml").then(payload).str.extract_groups(_XML).alias("_xml"),
        pl.when(kind == "text").then(payload).str.extract_groups(_TEXT).alias("_text"),
    )
    frame = frame.unnest("_xml", "_text")
    frame = _with_central(frame, ctx)
    frame = _with_xml(frame)
    frame = _with_text(frame, ctx)
    reason = (
        pl.when(raw.str.strip_chars() == "")
        .then(pl.lit("blank line"))
        .when(kind.is_null())
        .then(pl.lit("not a Sophos endpoint line (no Central JSON, <log> XML or SAV text log)"))
        .when((kind == "central") & ~pl.col("json_ok"))
        .then(pl.lit("payload is not a valid JSON object"))
        .when((kind == "central") & pl.col("type").is_null())
        .then(pl.lit("JSON object has no type (not a Sophos Central event)"))
        .when((kind == "xml") & pl.col("msg").is_null())
        .then(pl.lit("<log> line does not match <log><category>…<msg>…<time>…</log>"))
    )
    frame = frame.with_columns(reason.alias(REASON))
    return finish(_events(frame, ctx), ctx, format_name=NAME, vendor=VENDOR, product=PRODUCT)


def _central_types(types: pl.DataFrame) -> pl.DataFrame:
    """Class and action of each distinct Central ``type`` (module docstring table)."""
    t = pl.col("type")
    has = t.str.contains
    malware = has(r"^Event::Endpoint::(?:Threat::|Core)")
    web = has(r"::Web\w*(?:Violation|Blocked)$")
    rules: tuple[tuple[pl.Expr, str, str], ...] = (
        (malware & has("Failed"), "malware_detection", "failed"),
        (malware & has("Clean"), "malware_detection", "cleaned"),
        (malware & has("Dismissed"), "malware_detection", "allowed"),
        (malware & has("Blocked"), "malware_detection", "blocked"),
        (malware, "malware_detection", "detected"),
        (web, "network_activity", "deny"),
        (has(r"::(?:UpdateFailure|OutOfDate)$"), "system", "update_failed"),
        (has(r"::UpdateSuccess$"), "system", "update_success"),
        (has(r"::(?:SavDisabled|ServiceNotRunning|\w*Tamper\w*Disabled)$"), "system", "protection_disabled"),
        (has(r"::(?:SavEnabled|ServiceRestored|\w*Tamper\w*Enabled)$"), "system", "protection_enabled"),
        (has(r"::SavScanComplete$"), "system", "scan_completed"),
    )
    event_class = pl.when(rules[0][0]).then(pl.lit(rules[0][1]))
    action = pl.when(rules[0][0]).then(pl.lit(rules[0][2]))
    for test, cls, act in rules[1:]:
        event_class = event_class.when(test).then(pl.lit(cls))
        action = action.when(test).then(pl.lit(act))
    return types.with_columns(
        event_class.otherwise(pl.lit("system")).alias("_central_class"),
        action.otherwise(pl.lit("other")).alias("_central_action"),
    )


def _with_central(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Central class/action (joined per distinct type), time and the split of ``name``."""
    types = _central_types(frame.select(pl.col("type").unique()).drop_nulls())
    frame = frame.join(types, on="type", how="left", maintain_order="left")
    threat = pl.col("_central_class") == "malware_detection"
    frame = frame.with_columns(
        pl.when(threat).then(pl.col("name")).str.extract_groups(_NAME_SPLIT).alias("_split")
    ).unnest("_split")
    return frame.with_columns(
        pl.coalesce(iso_time(pl.col("when"), "UTC"), iso_time(pl.col("created_at"), "UTC")).alias(
            "_central_time"
        )
    )


def _unescape_xml(text: pl.Expr) -> pl.Expr:
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.str.replace_all(entity, char, literal=True)
    return text


def _with_xml(frame: pl.DataFrame) -> pl.DataFrame:
    """SAV XML: code, arguments, filled message, class/action/severity of the code."""
    args = (
        pl.col("args")
        .str.extract_all(r"<arg>[^<]*</arg>")
        .list.eval(_unescape_xml(pl.element().str.slice(5, pl.element().str.len_chars() - 11)))
    )
    frame = frame.with_columns(pl.col("msg").str.extract(r"^(\S+)").alias("code"), args.alias("_args"))
    message = _unescape_xml(pl.col("msg"))
    for i in range(_XML_ARGS):
        arg = pl.col("_args").list.get(i, null_on_oob=True)
        message = (
            pl.when(arg.is_not_null())
            .then(message.str.replace("%s", arg, literal=True, n=1))
            .otherwise(message)
        )
    code = pl.col("code")
    event_class, action, severity = (pl.lit(default) for default in ("system", "other", "info"))
    for name, (cls, act, sev) in _XML_CODES.items():
        event_class = pl.when(code == name).then(pl.lit(cls)).otherwise(event_class)
        action = pl.when(code == name).then(pl.lit(act)).otherwise(action)
        severity = pl.when(code == name).then(pl.lit(sev)).otherwise(severity)
    return frame.with_columns(
        pl.when(code.is_not_null()).then(message).alias("_xml_message"),
        pl.when(code.is_not_null()).then(event_class).alias("_xml_class"),
        pl.when(code.is_not_null()).then(action).alias("_xml_action"),
        pl.when(code.is_not_null()).then(severity).alias("_xml_severity"),
        pl.col("_args").list.first().alias("_arg1"),
        pl.from_epoch(pl.col("epoch").cast(pl.Int64, strict=False), time_unit="s")
        .dt.replace_time_zone("UTC")
        .alias("_xml_time"),
    )


def _with_text(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """SAV text log: kind, class/action/severity, local time."""
    has_text = pl.col("stamp").is_not_null()
    columns = {"_text_id": 0, "_text_class": 2, "_text_action": 3, "_text_severity": 4}
    exprs = []
    for name, index in columns.items():
        chain = pl.when(_TEXT_KINDS[0][1]).then(pl.lit(_TEXT_KINDS[0][index]))
        for kind in _TEXT_KINDS[1:]:
            chain = chain.when(kind[1]).then(pl.lit(kind[index]))
        exprs.append(pl.when(has_text).then(chain).alias(name))
    stamp = pl.col("stamp").str.strptime(pl.Datetime("us"), "%Y%m%d %H%M%S", strict=False)
    return frame.with_columns(*exprs, localize(stamp, ctx.timezone).alias("_text_time"))


def _events(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Select the event columns (and ``reason``) from the parsed frame."""
    kind = pl.col("payload_kind")
    central = kind == "central"
    malware = pl.col("_central_class") == "malware_detection"
    severity = pl.col("severity").str.to_lowercase()
    central_severity = (
        pl.when(severity.is_in(["low", "medium", "high", "critical"]))
        .then(severity)
        .otherwise(pl.lit("info"))
    )
    source = pl.col("source")
    legacy_host = pl.coalesce(
        pl.col("header_host"), pl.lit(ctx.options.get("host"), dtype=pl.String).str.to_lowercase()
    )
    infected = pl.col("code") == "NOTIFY_ONDEMANDTHREAT_INFECTED"
    return frame.select(
        "raw",
        "raw_file",
        "raw_line",
        REASON,
        pl.coalesce("_central_time", "_xml_time", "_text_time", "header_time").alias("time"),
        pl.coalesce("_central_class", "_xml_class", "_text_class").alias("event_class"),
        pl.coalesce("_central_action", "_xml_action", "_text_action").alias("action"),
        pl.coalesce(pl.col("type").str.extract(r"::(\w+)$"), "code", "scan_state", "onaccess").alias(
            "vendor_action"
        ),
        pl.when(central)
        .then(central_severity)
        .otherwise(pl.coalesce("_xml_severity", "_text_severity"))
        .alias("severity"),
        pl.when(central).then(pl.col("severity")).otherwise(pl.col("level")).alias("vendor_severity"),
        pl.coalesce("type", "code", "_text_id").alias("message_id"),
        ip_address(pl.coalesce("source_ip", "data_source_ip")).alias("src_ip"),
        pl.col("header_host").alias("device"),
        pl.when(central).then(pl.col("location").str.to_lowercase()).otherwise(legacy_host).alias("host"),
        pl.coalesce(
            pl.when(central & (source.str.to_lowercase() != "n/a") & (source != "")).then(source),
            "onaccess_user",
        ).alias("user"),
        pl.coalesce("file_path", "name_path", pl.when(infected).then(pl.col("_arg1"))).alias("file_path"),
        pl.col("app_sha256").str.to_lowercase().alias("file_hash"),
        pl.when(malware)
        .then(pl.coalesce("detection_identity_name", "threat", "name_threat"))
        .alias("malware_name"),
        pl.coalesce(pl.when(central).then(pl.coalesce("name", "description")), "_xml_message", "text").alias(
            "message"
        ),
        *extra_columns(
            id=pl.col("id"),
            customer_id=pl.col("customer_id"),
            endpoint_id=pl.coalesce("endpoint_id", "data_endpoint_id"),
            endpoint_type=pl.coalesce("endpoint_type", "data_endpoint_type"),
            user_id=pl.col("user_id"),
            group=pl.col("group"),
            origin=pl.col("origin"),
            datastream=pl.col("datastream"),
            threat_id=pl.col("threat_id"),
            threat_cleanable=pl.col("threat_cleanable"),
            created_at=pl.col("created_at"),
            description=pl.when(pl.col("name").is_not_null()).then(pl.col("description")),
            category=pl.col("category"),
            domain=pl.col("domain"),
            update_source=pl.when(pl.col("code") == "NO_UPDATED_FROM").then(pl.col("_arg1")),
            scan_name=pl.col("scan_name"),
            signature_version=pl.col("signature_version"),
            engine_version=pl.col("engine_version"),
            detectable_items=pl.col("detectable_items"),
            program=pl.col("app"),
            pid=pl.col("pid"),
        ),
    )
