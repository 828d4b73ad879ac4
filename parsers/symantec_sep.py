"""Symantec Endpoint Protection Manager (SEPM 12.1 / 14.x, Symantec Endpoint Security): syslog export.

Reference: ``../shared/formats/symantec_sep.md``. The corpus (``../shared/corpus/symantec/elastic``)
holds one agent risk line (with elastic's expected document); the other layouts are tested with
lines from the samples of the format notes (splunk-connect-for-syslog, Azure-Sentinel).

Framing: ``SymantecServer[pid]: `` (RFC 3164, RFC 5424 ``SymantecServer procid msgid SD``, an ISO
relay header, or the bare body), read with ``parsers.jsonlines.split_header`` on the first item of
the line. The header host is the manager (``device``), never the endpoint. The body is a list of
items separated by ``,``; SEPM wraps an item holding a comma in ``"`` (either the value or the
whole ``"Label: value"`` pair). ``Label: value`` items are read one label at a time: on lines with
no ``"`` with ``(?:^|,)Label: ([^,]*)``; on lines with a ``"`` with a pattern that steps over whole
items (quoted ones included) from the start of the body, so that ``,User: x`` inside a quoted file
path or description is never taken as a label. Each family's labels run on that family's rows
only. Positional items are read relative to their labelled neighbour.

Families (first test that holds, on the body):

| family | body starts | event_class / action | time |
|---|---|---|---|
| risk | ``<description>,IP Address: …,Computer name: `` | malware_detection / from the actual action (below) | ``Event time`` |
| scan | ``Scan ID: `` | system / scan_completed when the status item is ``Completed``, else other | ``Begin`` |
| admin | ``Site: …,Server Name: …,Domain Name: …,Admin: `` | authentication / success, failure (``log on``/``logon``/``login`` + ``succe``/``fail``); system / config_change (``edited``, ``added``, ``deleted``, ``created``, ``changed``, ``modified``, ``imported``); else system / other | header |
| server | ``Site: …,Server Name: `` (no Admin) | system / health action (below); items 4-7 are description, computer, user, domain (Azure-Sentinel sample) | header |
| security | ``<host>,Event Description: `` with ``Local Host IP`` | network_activity / deny when the description says ``blocked``, else null | ``Begin`` |
| traffic | ``<host>,Local Host IP: `` | network_activity / ``Action`` Allowed → allow, Blocked → deny, else null | ``Begin`` |
| system | ``<host>,Category: <n>,<source>,Event Description: `` | system / health action (below) | ``Event time`` |
| other | anything else after a ``SymantecServer`` tag | system / other, ``message`` = body | header |

Lines with no ``SymantecServer`` tag and no known layout are quarantined (``not a SEPM log line``).

Risk action (``vendor_action`` = ``Actual action``, ``extra.requested_action`` /
``secondary_action`` as written): the actual action decides. Lower-cased, first that holds:
contains ``fail``, ``pending`` or ``unable`` → failed (``All actions failed``, ``Clean failed``,
``Pending repair``); ``quarantin`` → quarantined; ``delet`` → deleted (``Cleaned by deletion``);
``clean`` → cleaned; ``block``, ``terminat``, ``restrict`` or ``denied`` → blocked (``Process
terminated``); ``Left alone`` → detected when the requested action is also ``Left alone`` (or
absent: the policy only logs), else failed (the requested remediation did not happen); any
other wording, or none → detected.

Health action of system and server descriptions (case-insensitive, first that holds): update words
(``liveupdate``, ``definition``, ``content``, ``update``) with ``fail``/``error``/``could not``/
``unable`` → update_failed; with ``success``/``up-to-date``/``up to date``/``installed``/
``downloaded`` → update_success; protection words (``auto-protect``, ``tamper``, ``real-time``/
``real time``, ``protection``) with ``disabled``/``stopped``/``turned off``/``shut down`` →
protection_disabled, with ``enabled``/``started``/``turned on`` → protection_enabled; ``scan`` with
``complete`` → scan_completed; else other. No captured failure or disable wording exists; these are
keyword rules. A definitions version (``2020-04-14 rev. 002``, ``20200414.002``) in the text goes
to ``extra.signature_version``.

Columns: ``message_id`` = the family's event text (risk description such as ``Security risk
found``, the admin/system ``Event Description``), else the family name (``scan``, ``traffic``,
``security``); ``host`` = ``Computer name`` (risk), ``Computer`` (scan), the first item
(security, traffic, system) or the server family's computer item, lower-cased; ``user`` = ``User``
(risk, traffic, security), ``User1`` (scan), ``Admin`` (admin); ``src_ip`` = ``IP Address`` of the
endpoint (risk, scan); traffic and security: ``Inbound`` → src = Remote, dst = Local;
``Outbound`` (and an unknown direction) → src = Local, dst = Remote; ``file_path`` = the item after
``Occurrences`` (risk) or ``Application`` (traffic, security); ``file_hash`` = ``Application hash``
(risk) or ``SHA-256``, else ``MD-5`` (traffic), lower-cased, only when it is hex (``SHA#123``,
GUIDs stay in ``extra.application_hash``); ``malware_name`` = ``Risk name``; ``rule_name`` =
``Rule`` (traffic) or ``CIDS Signature string`` (security); ``device`` = the header host, else
``Server``/``Server Name``, lower-cased.

Time: ``Event time``/``Begin`` are written without a zone and SEPM stores them in GMT; they are read
as UTC unless the source option ``event_timezone`` names another zone; else the header time (in
``ctx.timezone``). Null when the line has neither. Severity (SEPM writes none; constant per
outcome): malware detected/failed/allowed high, other malware medium; update_failed and
protection_disabled medium; authentication failure low; the rest info. ``vendor_severity`` is the
PRI's syslog severity when there is a PRI.
"""

from __future__ import annotations

import re

import polars as pl

from seclake.parsers.contract import REASON, ParseContext, ParseResult, finish
from seclake.parsers.envelope import localize
from seclake.parsers.jsonlines import ip_address, split_header
from seclake.schema import extra_columns

NAME = "symantec_sep"
VENDOR = "Broadcom"
PRODUCT = "Symantec Endpoint Protection"
VERSION = "1"

PROGRAM = "SymantecServer"

_ITEM = r'(?:"[^"]*"|[^,"])*'
"""One item of a body: quoted parts and characters other than ``,`` and ``"``."""

_FAMILIES: tuple[tuple[str, str], ...] = (
    ("risk", r"^[^,]*,IP Address: [^,]*,Computer name: "),
    ("scan", r"^Scan ID: "),
    ("admin", r"^Site: [^,]*,Server Name: [^,]*,Domain Name: [^,]*,Admin: "),
    ("server", r"^Site: [^,]*,Server Name: "),
    ("security", r'^[^,]*,"?Event Description: .*,Local Host IP: '),
    ("traffic", r"^[^,]*,Local Host IP: "),
    ("system", r'^[^,]*,Category: \d+,[^,]*,"?Event Description: '),
)
"""Family → anchored test on the body, in classification order."""

_NETWORK = ("traffic", "security")

_LABELS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ip_address": ("IP Address", ("risk", "scan")),
    "computer_name": ("Computer name", ("risk",)),
    "scan_source": ("Source", ("risk",)),
    "risk_name": ("Risk name", ("risk",)),
    "occurrences": ("Occurrences", ("risk", *_NETWORK)),
    "actual_action": ("Actual action", ("risk",)),
    "requested_action": ("Requested action", ("risk",)),
    "secondary_action": ("Secondary action", ("risk",)),
    "event_time": ("Event time", ("risk", "system")),
    "inserted": ("Inserted", ("risk",)),
    "domain": ("Domain", ("risk", *_NETWORK)),
    "group": ("Group", ("risk",)),
    "server": ("Server", ("risk",)),
    "user": ("User", ("risk", *_NETWORK)),
    "source_computer": ("Source computer", ("risk",)),
    "source_ip": ("Source IP", ("risk",)),
    "disposition": ("Disposition", ("risk",)),
    "downloaded_by": ("Downloaded by", ("risk",)),
    "application_hash": ("Application hash", ("risk",)),
    "hash_type": ("Hash type", ("risk",)),
    "application_name": ("Application name", ("risk",)),
    "company_name": ("Company name", ("risk",)),
    "file_size": ("File size (bytes)", ("risk",)),
    "category_set": ("Category set", ("risk",)),
    "category_type": ("Category type", ("risk",)),
    "location": ("Location", ("risk", *_NETWORK)),
    "scan_id": ("Scan ID", ("scan",)),
    "begin": ("Begin", ("scan", *_NETWORK)),
    "duration": ("Duration (seconds)", ("scan",)),
    "user1": ("User1", ("scan",)),
    "command": ("Command", ("scan",)),
    "threats": ("Threats", ("scan",)),
    "infected": ("Infected", ("scan",)),
    "total_files": ("Total files", ("scan",)),
    "omitted": ("Omitted", ("scan",)),
    "computer": ("Computer", ("scan",)),
    "group_name": ("Group Name", ("scan", "system")),
    "server_name": ("Server Name", ("scan", "admin", "server")),
    "site": ("Site", ("admin", "server")),
    "domain_name": ("Domain Name", ("scan", "admin", "server")),
    "admin": ("Admin", ("admin",)),
    "event_description": ("Event Description", ("admin", "system", "security")),
    "local_ip": ("Local Host IP", _NETWORK),
    "local_port": ("Local Port", _NETWORK),
    "local_mac": ("Local Host MAC", _NETWORK),
    "remote_ip": ("Remote Host IP", _NETWORK),
    "remote_name": ("Remote Host Name", _NETWORK),
    "remote_port": ("Remote Port", _NETWORK),
    "remote_mac": ("Remote Host MAC", _NETWORK),
    "end": ("End", _NETWORK),
    "end_time": ("End Time", ("scan", *_NETWORK)),
    "application": ("Application", _NETWORK),
    "rule": ("Rule", ("traffic",)),
    "traffic_action": ("Action", ("traffic",)),
    "sha256": ("SHA-256", _NETWORK),
    "md5": ("MD-5", _NETWORK),
    "intrusion_id": ("Intrusion ID", ("security",)),
    "signature_id": ("CIDS Signature ID", ("security",)),
    "signature_string": ("CIDS Signature string", ("security",)),
}
"""Column → (label, families whose rows it is read on)."""

_POSITIONAL: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "risk": ("Occurrences", ("file", "risk_description"), ("risk",)),
    "scan_status": ("End Time", ("scan_status",), ("scan",)),
    "scan_text": ("User2", ("scan_description", "scan_summary"), ("scan",)),
    "net": ("Remote Host MAC", ("net_a", "net_b"), _NETWORK),
    "system_source": ("Category", ("system_source",), ("system",)),
    "server_items": (
        "Domain Name",
        ("server_description", "server_computer", "server_user", "server_domain"),
        ("server",),
    ),
}
"""Name → (label, columns of the items that follow it, families)."""

_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def sniff(lines: pl.Series) -> pl.Series:
    """Per line: a ``SymantecServer`` tag or the opening items of a known SEPM layout."""
    pattern = (
        r"SymantecServer(?:\[\d+\])?[: ]|,IP Address: [^,]*,Computer name: |(?:^|\s)Scan ID: \d+,Begin: "
        r"|,Local Host IP: [^,]*,Local Port: |(?:^|\s)Site: [^,]*,Server Name: [^,]*,Domain Name: "
        r"|,Category: \d+,[^,]*,Event Description: "
    )
    return lines.cast(pl.String).str.contains(pattern).fill_null(False)


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse SEPM syslog lines into events; see the module docstring."""
    raw = pl.col("raw")
    frame = split_header(lines, raw.str.extract(r"^([^,]*)"), PROGRAM, ctx)
    frame = frame.with_columns(raw.str.slice(pl.col("payload_at")).alias("body"))
    body = pl.col("body")
    family = pl.when(body.str.contains(_FAMILIES[0][1])).then(pl.lit(_FAMILIES[0][0]))
    for name, test in _FAMILIES[1:]:
        family = family.when(body.str.contains(test)).then(pl.lit(name))
    tagged = pl.col("app").is_not_null()
    frame = frame.with_columns(
        family.when(tagged).then(pl.lit("other")).alias("family"),
        body.str.contains('"', literal=True).fill_null(False).alias("_quoted"),
        body.str.extract(rf"^({_ITEM})").alias("first_item"),
    )
    frame = _with_items(frame)
    reason = (
        pl.when(raw.str.strip_chars() == "")
        .then(pl.lit("blank line"))
        .when(pl.col("family").is_null())
        .then(pl.lit("not a SEPM log line (no SymantecServer tag and no known layout)"))
    )
    frame = frame.with_columns(reason.alias(REASON))
    return finish(_events(frame, ctx), ctx, format_name=NAME, vendor=VENDOR, product=PRODUCT)


def _unquoted(value: pl.Expr) -> pl.Expr:
    """An item without its surrounding quotes and blanks; empty → null."""
    quoted = value.str.starts_with('"') & value.str.ends_with('"') & (value.str.len_chars() >= 2)
    text = (
        pl.when(quoted).then(value.str.slice(1, value.str.len_chars() - 2)).otherwise(value).str.strip_chars()
    )
    return pl.when(text != "").then(text)


def _with_items(frame: pl.DataFrame) -> pl.DataFrame:
    """Read every label and positional item on the rows of its families (module docstring)."""
    body, quoted, family = pl.col("body"), pl.col("_quoted"), pl.col("family")
    first_pass = []
    for column, (label, families) in _LABELS.items():
        rows = family.is_in(families)
        key = re.escape(label)
        simple = pl.when(rows & ~quoted).then(body).str.extract(rf"(?:^|,){key}: ([^,]*)")
        stepped = (
            pl.when(rows & quoted)
            .then(body)
            .str.extract_groups(rf'^(?:{_ITEM},)*?(?:"{key}: (?P<pair>[^"]*)"|{key}: (?P<value>{_ITEM}))')
        )
        first_pass += [simple.alias(f"_s_{column}"), stepped.alias(f"_q_{column}")]
    for name, (label, columns, families) in _POSITIONAL.items():
        rows = family.is_in(families)
        key = re.escape(label)
        groups = "".join(f",(?P<{c}>{_ITEM})" for c in columns)
        simple_groups = "".join(f",(?P<{c}>[^,]*)" for c in columns)
        first_pass += [
            pl.when(rows & ~quoted)
            .then(body)
            .str.extract_groups(rf"(?:^|,){key}: [^,]*{simple_groups}")
            .alias(f"_s_{name}"),
            pl.when(rows & quoted)
            .then(body)
            .str.extract_groups(rf"^(?:{_ITEM},)*?{key}: {_ITEM}{groups}")
            .alias(f"_q_{name}"),
        ]
    frame = frame.with_columns(first_pass)
    values = [
        _unquoted(
            pl.coalesce(
                pl.col(f"_s_{column}"),
                pl.col(f"_q_{column}").struct.field("pair"),
                pl.col(f"_q_{column}").struct.field("value"),
            )
        ).alias(column)
        for column in _LABELS
    ]
    values += [
        _unquoted(
            pl.coalesce(pl.col(f"_s_{name}").struct.field(c), pl.col(f"_q_{name}").struct.field(c))
        ).alias(c)
        for name, (_, columns, _) in _POSITIONAL.items()
        for c in columns
    ]
    temporary = [f"_{p}_{n}" for n in (*_LABELS, *_POSITIONAL) for p in ("s", "q")]
    return frame.with_columns(values).drop(temporary)


def _has(text: pl.Expr, pattern: str) -> pl.Expr:
    return text.str.contains(f"(?i){pattern}").fill_null(False)


def _risk_action() -> pl.Expr:
    actual = pl.col("actual_action").str.to_lowercase()
    requested = pl.col("requested_action").str.to_lowercase()
    return (
        pl.when(_has(actual, "fail|pending|unable"))
        .then(pl.lit("failed"))
        .when(_has(actual, "quarantin"))
        .then(pl.lit("quarantined"))
        .when(_has(actual, "delet"))
        .then(pl.lit("deleted"))
        .when(_has(actual, "clean"))
        .then(pl.lit("cleaned"))
        .when(_has(actual, "block|terminat|restrict|denied"))
        .then(pl.lit("blocked"))
        .when((actual == "left alone") & requested.is_not_null() & (requested != "left alone"))
        .then(pl.lit("failed"))
        .otherwise(pl.lit("detected"))
    )


def _health_action(text: pl.Expr) -> pl.Expr:
    update = _has(text, "liveupdate|definition|content|update")
    protection = _has(text, "auto-protect|tamper|real[- ]time|protection")
    return (
        pl.when(update & _has(text, "fail|error|could not|unable"))
        .then(pl.lit("update_failed"))
        .when(update & _has(text, "success|up-to-date|up to date|installed|downloaded"))
        .then(pl.lit("update_success"))
        .when(protection & _has(text, "disabled|stopped|turned off|shut ?down"))
        .then(pl.lit("protection_disabled"))
        .when(protection & _has(text, "enabled|started|turned on"))
        .then(pl.lit("protection_enabled"))
        .when(_has(text, "scan") & _has(text, "complete"))
        .then(pl.lit("scan_completed"))
        .otherwise(pl.lit("other"))
    )


def _admin_action(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    login = _has(text, "log ?on|login")
    event_class = pl.when(login).then(pl.lit("authentication")).otherwise(pl.lit("system"))
    action = (
        pl.when(login & _has(text, "succe"))
        .then(pl.lit("success"))
        .when(login & _has(text, "fail"))
        .then(pl.lit("failure"))
        .when(login)
        .then(pl.lit(None, dtype=pl.String))
        .when(_has(text, "edited|added|deleted|created|changed|modified|imported"))
        .then(pl.lit("config_change"))
        .otherwise(pl.lit("other"))
    )
    return event_class, action


def _hex(value: pl.Expr) -> pl.Expr:
    return pl.when(value.str.contains(r"^[0-9A-Fa-f]{32,128}$")).then(value.str.to_lowercase())


def _events(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Select the event columns (and ``reason``) from the parsed frame."""
    family = pl.col("family")
    is_ = family.__eq__
    network = family.is_in(_NETWORK)
    description = pl.coalesce("event_description", "server_description")
    admin_class, admin_action = _admin_action(description)
    event_class = (
        pl.when(is_("risk"))
        .then(pl.lit("malware_detection"))
        .when(network)
        .then(pl.lit("network_activity"))
        .when(is_("admin"))
        .then(admin_class)
        .otherwise(pl.lit("system"))
    )
    net_a, net_b = pl.col("net_a"), pl.col("net_b")
    direction_word = (
        pl.when(net_a.str.contains(r"^(?:Inbound|Outbound|Unknown)$"))
        .then(net_a)
        .otherwise(net_b)
        .str.to_lowercase()
    )
    protocol = pl.when(net_a.str.contains(r"^(?:Inbound|Outbound|Unknown)$")).then(net_b).otherwise(net_a)
    inbound = direction_word == "inbound"
    security_action = pl.when(_has(description, "blocked")).then(pl.lit("deny"))
    traffic_word = pl.col("traffic_action").str.to_lowercase()
    traffic_action = (
        pl.when(traffic_word == "allowed")
        .then(pl.lit("allow"))
        .when(traffic_word == "blocked")
        .then(pl.lit("deny"))
    )
    action = (
        pl.when(is_("risk"))
        .then(_risk_action())
        .when(is_("scan"))
        .then(
            pl.when(pl.col("scan_status") == "Completed")
            .then(pl.lit("scan_completed"))
            .otherwise(pl.lit("other"))
        )
        .when(is_("admin"))
        .then(admin_action)
        .when(family.is_in(["server", "system"]))
        .then(_health_action(description))
        .when(is_("traffic"))
        .then(traffic_action)
        .when(is_("security"))
        .then(security_action)
        .otherwise(pl.lit("other"))
    )
    zone = ctx.options.get("event_timezone", "UTC")
    payload_time = localize(
        pl.coalesce("event_time", "begin").str.strptime(pl.Datetime("us"), _TIME_FORMAT, strict=False), zone
    )
    frame = frame.with_columns(event_class.alias("event_class"), action.alias("action"))
    act, cls = pl.col("action"), pl.col("event_class")
    severity = (
        pl.when((cls == "malware_detection") & act.is_in(["detected", "failed", "allowed"]))
        .then(pl.lit("high"))
        .when(cls == "malware_detection")
        .then(pl.lit("medium"))
        .when(act.is_in(["update_failed", "protection_disabled"]))
        .then(pl.lit("medium"))
        .when(act == "failure")
        .then(pl.lit("low"))
        .otherwise(pl.lit("info"))
    )
    local_ip, remote_ip = ip_address(pl.col("local_ip")), ip_address(pl.col("remote_ip"))
    local_port, remote_port = (pl.col(c).cast(pl.Int32, strict=False) for c in ("local_port", "remote_port"))
    system_text = pl.when(family.is_in(["server", "system"])).then(description)
    return frame.select(
        "raw",
        "raw_file",
        "raw_line",
        REASON,
        pl.coalesce(payload_time, "header_time").alias("time"),
        "event_class",
        "action",
        pl.when(is_("risk"))
        .then(pl.col("actual_action"))
        .when(is_("traffic"))
        .then(pl.col("traffic_action"))
        .when(is_("scan"))
        .then(pl.col("scan_status"))
        .alias("vendor_action"),
        severity.alias("severity"),
        (pl.col("pri") % 8).cast(pl.String).alias("vendor_severity"),
        pl.when(is_("risk"))
        .then(pl.col("first_item"))
        .when(family.is_in(["admin", "system", "server"]))
        .then(description)
        .otherwise(family)
        .alias("message_id"),
        pl.when(network)
        .then(pl.when(inbound).then(remote_ip).otherwise(local_ip))
        .otherwise(ip_address(pl.col("ip_address")))
        .alias("src_ip"),
        pl.when(network).then(pl.when(inbound).then(remote_port).otherwise(local_port)).alias("src_port"),
        pl.when(network).then(pl.when(inbound).then(local_ip).otherwise(remote_ip)).alias("dst_ip"),
        pl.when(network).then(pl.when(inbound).then(local_port).otherwise(remote_port)).alias("dst_port"),
        pl.when(network).then(protocol.str.to_lowercase()).alias("protocol"),
        pl.when(network)
        .then(
            pl.when(direction_word.is_in(["inbound", "outbound"]))
            .then(direction_word)
            .otherwise(pl.lit("unknown"))
        )
        .alias("direction"),
        pl.when(is_("traffic")).then(pl.col("rule")).otherwise(pl.col("signature_string")).alias("rule_name"),
        pl.coalesce("header_host", pl.coalesce("server", "server_name").str.to_lowercase()).alias("device"),
        pl.when(is_("risk"))
        .then(pl.col("computer_name"))
        .when(is_("scan"))
        .then(pl.col("computer"))
        .when(is_("server"))
        .then(pl.col("server_computer"))
        .when(family.is_in([*_NETWORK, "system"]))
        .then(_unquoted(pl.col("first_item")))
        .str.to_lowercase()
        .alias("host"),
        pl.coalesce("user", "user1", "admin", "server_user").alias("user"),
        pl.coalesce("file", "application").alias("file_path"),
        pl.coalesce(_hex(pl.col("application_hash")), _hex(pl.col("sha256")), _hex(pl.col("md5"))).alias(
            "file_hash"
        ),
        pl.col("risk_name").alias("malware_name"),
        pl.when(is_("risk"))
        .then(pl.col("first_item"))
        .when(is_("scan"))
        .then(pl.coalesce("scan_summary", "scan_description"))
        .when(is_("other"))
        .then(pl.col("body"))
        .otherwise(description)
        .alias("message"),
        pl.when(is_("scan")).then(pl.col("duration").cast(pl.Float64, strict=False)).alias("duration_s"),
        *extra_columns(
            requested_action=pl.col("requested_action"),
            secondary_action=pl.col("secondary_action"),
            scan_source=pl.col("scan_source"),
            risk_description=pl.col("risk_description"),
            occurrences=pl.col("occurrences"),
            inserted=pl.col("inserted"),
            domain=pl.coalesce("domain", "domain_name", "server_domain"),
            group=pl.coalesce("group", "group_name"),
            site=pl.col("site"),
            source_computer=pl.col("source_computer"),
            source_ip=pl.col("source_ip"),
            disposition=pl.col("disposition"),
            downloaded_by=pl.col("downloaded_by"),
            application_hash=pl.col("application_hash"),
            hash_type=pl.col("hash_type"),
            application_name=pl.col("application_name"),
            company_name=pl.col("company_name"),
            file_size=pl.col("file_size"),
            category_set=pl.col("category_set"),
            category_type=pl.col("category_type"),
            location=pl.col("location"),
            scan_id=pl.col("scan_id"),
            scan_description=pl.when(is_("scan")).then(pl.col("scan_description")),
            threats=pl.col("threats"),
            infected=pl.col("infected"),
            total_files=pl.col("total_files"),
            omitted=pl.col("omitted"),
            command=pl.col("command"),
            end_time=pl.coalesce("end_time", "end"),
            local_mac=pl.col("local_mac"),
            remote_mac=pl.col("remote_mac"),
            remote_host_name=pl.col("remote_name"),
            intrusion_id=pl.col("intrusion_id"),
            signature_id=pl.col("signature_id"),
            system_source=pl.col("system_source"),
            signature_version=system_text.str.extract(r"(?i)\b(\d{4}-\d{2}-\d{2} rev\. ?\d+|\d{8}\.\d{3})\b"),
            program=pl.col("app"),
            pid=pl.col("pid"),
        ),
    )
