"""ESET PROTECT / ESET Security Management Center / ESET Remote Administrator: syslog export, JSON payload.

Versions: ERA 6.x, ESMC 7.x (``occured``, misspelled) and ESET PROTECT 8-11 on-prem and Cloud
(``occurred``). Reference: ``../shared/formats/eset.md`` (help.eset.com "Events exported to JSON
format"). The corpus (``../shared/corpus/eset/wazuh/eset.ini``) holds RFC 3164 lines whose JSON
reuses Audit_Event keys under every ``event_type``; the other test lines are built from the field
lists of the format notes (see ``tests/parsers/test_eset.py``).

Framing: one JSON object per line, behind an RFC 3164 header (``May  6 10:59:37 HOST
ERAServer[5032]: {...}``), an RFC 5424 header (``<12>1 2022-04-11T10:41:05.300Z esmc ERAServer 11804
- - {...}``, optionally octet-counted), an ISO relay header or nothing (``parsers.jsonlines``). The
JSON is decoded with an explicit schema over the whole frame (``jsonlines.decode_json``); keys the
schema does not list are ignored, every listed key is optional. JSON text is never searched with
regexes, so a threat name, path or detail holding ``"`` or ``key=value`` text sets nothing else.

Time: ``occurred`` / ``occured`` (``06-May-2021 09:59:37``, UTC by definition, month matched
case-insensitively), else the syslog header time (the server's send time; ``ctx.timezone`` when it
has no offset); null when the line carries neither.

Columns (every event type): ``message_id`` = ``event_type``; ``host`` = ``hostname`` lower-cased;
``device`` = the syslog header host (the ESET server), lower-cased; ``src_ip`` = ``ipv4`` (else
``ipv6``) of the managed computer, except for network events where it is ``source_address``
(FilteredWebsites_Event: the computer's address when it has none; the computer's addresses also
go to ``extra.host_ipv4``/``host_ipv6``); a value that is not an
IP address (``XXX.XXX.XXX.XXX`` in sanitised samples) leaves the column null; ``severity`` from
``severity``: Information/Notice → info, Warning → low, Error → medium, Critical → high, Fatal →
critical (the syslog levels of the same names), kept as written in ``vendor_severity``.

| event_type | event_class | action | user | malware_name | file_path / message |
|---|---|---|---|---|---|
| Threat_Event | malware_detection | from ``action_taken`` (below) | ``username`` | ``threat_name`` | ``object_uri`` when ``file://`` / ``circumstances`` |
| BlockedFiles_Event | malware_detection | blocked | ``username`` | - | ``object_uri`` when ``file://`` / ``description`` |
| EnterpriseInspectorAlert_Event | malware_detection | detected (``rule_name`` = ``rulename``) | ``username`` | - | - / ``detail`` |
| HipsAggregated_Event | malware_detection | ``action``: Block… → blocked, Allow… → allowed, else null | ``user`` | - | ``target`` when it is a path / ``detail`` |
| FirewallAggregated_Event | network_activity | ``action``: Block…/Deny… → deny, Allow…/Permit… → allow, else null | ``account`` | ``threat_name`` | - / ``event`` |
| FilteredWebsites_Event | network_activity | same as firewall | ``username`` | - | - / ``event`` (URL in ``extra.url``) |
| Audit_Event, ``action`` a login/logon | authentication | ``result`` Success → success, Fail… → failure | ``user`` | - | - / ``detail`` |
| Audit_Event, ``action`` a logout | system | other | ``user`` | - | - / ``detail`` |
| Audit_Event, any other ``action`` | system | config_change (console objects created, edited, deleted) | ``user`` | - | - / ``detail`` |
| any other event_type | system | other | ``user``/``username`` | ``threat_name`` | - / ``detail`` |

``vendor_action`` is ``action_taken`` (Threat_Event) or ``action``. Threat_Event action, first that
holds (case-insensitive): ``action_error`` not empty → failed; ``action_taken`` contains "unable",
"fail" or "error" → failed; "quarant" → quarantined; "delet" → deleted (so "cleaned by deleting" is
deleted); "clean" → cleaned; "block", "terminat" or "denied" → blocked; anything else, or none
("retained", "no action", "contains infected files") → detected. ``action_taken`` is localised free
text when the console is not in English: then most events read as detected.

``object_uri``: ``file:///C:/x`` → ``C:/x``, ``file:///home/x`` → ``/home/x`` (``file_path``); any
other URI (``http://...``) goes to ``extra.url``. Direction (firewall): ``inbound`` true → inbound,
false → outbound, absent → unknown. ``protocol`` is lower-cased. ``file_hash`` is ``hash`` (SHA-1)
lower-cased. Other vendor keys go to ``extra`` (snake_case, as named by ESET).

The ESET PROTECT export has no event for module (signature) updates, protection status or service
start/stop: those AV health events exist only on the endpoint and in the console, not in this log.

Quarantined lines: ``blank line``; ``no JSON object in the line``; ``payload is not a valid JSON
object``; ``JSON object has no event_type (not an ESET PROTECT event)``.
"""

from __future__ import annotations

import polars as pl

from seclake.parsers.contract import REASON, ParseContext, ParseResult, finish
from seclake.parsers.jsonlines import decode_json, ip_address, split_header
from seclake.schema import extra_columns

NAME = "eset"
VENDOR = "ESET"
PRODUCT = "ESET PROTECT"
VERSION = "1"

PROGRAM = "ERAServer"
"""Syslog app name of the ESET server in every version seen."""

FIELDS: dict[str, str] = {
    name: name
    for name in (
        "event_type", "ipv4", "ipv6", "hostname", "source_uuid", "occured", "occurred", "severity",
        "group_name", "group_description", "os_name",
        # Threat_Event
        "threat_type", "threat_name", "threat_flags", "scanner_id", "scan_id", "engine_version",
        "object_type", "object_uri", "action_taken", "action_error", "threat_handled", "need_restart",
        "username", "processname", "circumstances", "hash", "firstseen",
        # FirewallAggregated_Event / HipsAggregated_Event / FilteredWebsites_Event
        "event", "source_address", "source_port", "target_address", "target_port", "protocol", "action",
        "handled", "account", "process_name", "inbound", "rule_name", "rule_id", "aggregate_count",
        "application", "operation", "target", "action_type",
        # Audit_Event
        "domain", "detail", "user", "result",
        # EnterpriseInspectorAlert_Event / BlockedFiles_Event
        "rulename", "count", "eiconsolelink", "eialarmid", "computer_severity_score", "severity_score",
        "command_line", "cause", "description",
    )
}  # fmt: skip
"""JSON keys read (all optional); the column has the key's name."""

_EXTRA_KEYS: tuple[str, ...] = (
    "source_uuid", "group_name", "group_description", "os_name", "threat_type", "threat_flags",
    "scanner_id", "scan_id", "engine_version", "object_type", "action_error", "threat_handled",
    "need_restart", "firstseen", "handled", "rule_id", "aggregate_count", "application", "operation",
    "action_type", "domain", "target", "result", "eiconsolelink", "eialarmid", "computer_severity_score",
    "severity_score", "command_line", "cause", "count",
)  # fmt: skip
"""Keys kept as written in ``extra`` (besides the derived ``url``, ``process``, ``host_ipv4/6``)."""

_SEVERITIES = (
    ("information", "info"),
    ("notice", "info"),
    ("warning", "low"),
    ("error", "medium"),
    ("critical", "high"),
    ("fatal", "critical"),
)


def sniff(lines: pl.Series) -> pl.Series:
    """Per line: does it hold an ESET ``"event_type":"<Name>_Event"`` JSON key (case-insensitive)."""
    return lines.cast(pl.String).str.contains(r'(?i)"event_type": ?"[a-z]+_event"').fill_null(False)


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse ESET PROTECT syslog JSON lines into events; see the module docstring."""
    raw = pl.col("raw")
    brace = raw.str.find("{", literal=True)
    frame = split_header(lines, raw.str.slice(0, brace), PROGRAM, ctx)
    payload = frame.select(pl.when(brace.is_not_null()).then(raw.str.slice(brace)).alias("p")).to_series()
    frame = pl.concat([frame, decode_json(payload, FIELDS)], how="horizontal")
    kind = pl.col("event_type").str.to_lowercase().str.strip_suffix("_event")
    frame = frame.with_columns(kind.alias("kind"))
    reason = (
        pl.when(raw.str.strip_chars() == "")
        .then(pl.lit("blank line"))
        .when(brace.is_null())
        .then(pl.lit("no JSON object in the line"))
        .when(~pl.col("json_ok"))
        .then(pl.lit("payload is not a valid JSON object"))
        .when(pl.col("event_type").is_null())
        .then(pl.lit("JSON object has no event_type (not an ESET PROTECT event)"))
    )
    frame = frame.with_columns(reason.alias(REASON))
    return finish(_events(frame, ctx), ctx, format_name=NAME, vendor=VENDOR, product=PRODUCT)


def _contains(text: pl.Expr, *parts: str) -> pl.Expr:
    lower = text.str.to_lowercase()
    return pl.any_horizontal(lower.str.contains(p, literal=True) for p in parts).fill_null(False)


def _classified() -> tuple[pl.Expr, pl.Expr]:
    """``event_class`` and ``action`` (module docstring table)."""
    kind, action, taken = pl.col("kind"), pl.col("action"), pl.col("action_taken")
    threat_action = (
        pl.when(pl.col("action_error").str.strip_chars() != "")
        .then(pl.lit("failed"))
        .when(_contains(taken, "unable", "fail", "error"))
        .then(pl.lit("failed"))
        .when(_contains(taken, "quarant"))
        .then(pl.lit("quarantined"))
        .when(_contains(taken, "delet"))
        .then(pl.lit("deleted"))
        .when(_contains(taken, "clean"))
        .then(pl.lit("cleaned"))
        .when(_contains(taken, "block", "terminat", "denied"))
        .then(pl.lit("blocked"))
        .otherwise(pl.lit("detected"))
    )
    network_action = (
        pl.when(_contains(action, "block", "deny", "denied", "drop"))
        .then(pl.lit("deny"))
        .when(_contains(action, "allow", "permit"))
        .then(pl.lit("allow"))
    )
    login = _contains(action, "login", "logon", "log in", "log on")
    logout = _contains(action, "logout", "logoff", "log out", "log off")
    result = pl.col("result").str.to_lowercase()
    event_class = (
        pl.when(kind.is_in(["threat", "blockedfiles", "enterpriseinspectoralert", "hipsaggregated"]))
        .then(pl.lit("malware_detection"))
        .when(kind.is_in(["firewallaggregated", "filteredwebsites"]))
        .then(pl.lit("network_activity"))
        .when((kind == "audit") & login)
        .then(pl.lit("authentication"))
        .otherwise(pl.lit("system"))
    )
    normalised = (
        pl.when(kind == "threat")
        .then(threat_action)
        .when(kind == "blockedfiles")
        .then(pl.lit("blocked"))
        .when(kind == "enterpriseinspectoralert")
        .then(pl.lit("detected"))
        .when(kind == "hipsaggregated")
        .then(
            pl.when(_contains(action, "block", "deny", "denied"))
            .then(pl.lit("blocked"))
            .when(_contains(action, "allow", "permit"))
            .then(pl.lit("allowed"))
        )
        .when(kind.is_in(["firewallaggregated", "filteredwebsites"]))
        .then(network_action)
        .when((kind == "audit") & login)
        .then(
            pl.when(result.str.starts_with("success"))
            .then(pl.lit("success"))
            .when(result.str.starts_with("fail"))
            .then(pl.lit("failure"))
        )
        .when((kind == "audit") & ~logout)
        .then(pl.lit("config_change"))
        .otherwise(pl.lit("other"))
    )
    return event_class, normalised


def _severity(vendor: pl.Expr) -> pl.Expr:
    lower = vendor.str.to_lowercase()
    chain = pl.when(lower == _SEVERITIES[0][0]).then(pl.lit(_SEVERITIES[0][1]))
    for word, level in _SEVERITIES[1:]:
        chain = chain.when(lower == word).then(pl.lit(level))
    return chain


def _empty_to_null(name: str) -> pl.Expr:
    return pl.when(pl.col(name).str.strip_chars() != "").then(pl.col(name))


def _events(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Select the event columns (and ``reason``) from the decoded frame."""
    kind = pl.col("kind")
    network = kind.is_in(["firewallaggregated", "filteredwebsites"])
    event_class, action = _classified()
    occurred = pl.coalesce("occurred", "occured").str.strptime(
        pl.Datetime("us", "UTC"), "%d-%b-%Y %H:%M:%S", strict=False
    )
    uri = pl.col("object_uri")
    is_file_uri = uri.str.starts_with("file://")
    file_uri_path = (
        pl.when(uri.str.contains(r"^file:///[A-Za-z]:")).then(uri.str.slice(8)).otherwise(uri.str.slice(7))
    )
    target = pl.col("target")
    target_is_path = target.str.contains(r"^(?:[A-Za-z]:[\\/]|/|\\\\)").fill_null(False)
    host_ip = pl.coalesce(_empty_to_null("ipv4"), _empty_to_null("ipv6"))
    inbound = pl.col("inbound").str.to_lowercase()
    return frame.select(
        "raw",
        "raw_file",
        "raw_line",
        REASON,
        pl.coalesce(occurred, "header_time").alias("time"),
        event_class.alias("event_class"),
        action.alias("action"),
        pl.when(kind == "threat")
        .then(pl.col("action_taken"))
        .otherwise(pl.col("action"))
        .alias("vendor_action"),
        _severity(pl.col("severity")).alias("severity"),
        pl.col("severity").alias("vendor_severity"),
        pl.col("event_type").alias("message_id"),
        ip_address(
            pl.when(kind == "filteredwebsites")
            .then(pl.coalesce(_empty_to_null("source_address"), host_ip))
            .when(network)
            .then(pl.col("source_address"))
            .otherwise(host_ip)
        ).alias("src_ip"),
        pl.when(network).then(pl.col("source_port")).cast(pl.Int32, strict=False).alias("src_port"),
        ip_address(pl.when(network).then(pl.col("target_address"))).alias("dst_ip"),
        pl.when(network).then(pl.col("target_port")).cast(pl.Int32, strict=False).alias("dst_port"),
        pl.when(network).then(pl.col("protocol")).str.to_lowercase().alias("protocol"),
        pl.when(kind == "firewallaggregated")
        .then(
            pl.when(inbound == "true")
            .then(pl.lit("inbound"))
            .when(inbound == "false")
            .then(pl.lit("outbound"))
            .otherwise(pl.lit("unknown"))
        )
        .alias("direction"),
        pl.coalesce("rule_name", "rulename").alias("rule_name"),
        pl.col("header_host").alias("device"),
        _empty_to_null("hostname").str.to_lowercase().alias("host"),
        pl.coalesce(_empty_to_null("username"), _empty_to_null("account"), _empty_to_null("user")).alias(
            "user"
        ),
        pl.when(is_file_uri)
        .then(file_uri_path)
        .when((kind == "hipsaggregated") & target_is_path)
        .then(target)
        .alias("file_path"),
        pl.col("hash").str.to_lowercase().alias("file_hash"),
        _empty_to_null("threat_name").alias("malware_name"),
        pl.coalesce(
            _empty_to_null("circumstances"),
            _empty_to_null("event"),
            _empty_to_null("detail"),
            _empty_to_null("description"),
        ).alias("message"),
        *extra_columns(
            url=pl.when(~is_file_uri).then(uri),
            process=pl.coalesce("processname", "process_name"),
            host_ipv4=pl.when(network).then(pl.col("ipv4")),
            host_ipv6=pl.when(network).then(pl.col("ipv6")),
            pid=pl.col("pid"),
            **{key: _empty_to_null(key) for key in _EXTRA_KEYS},
        ),
    )
