"""ClamAV logs: clamd, freshclam, clamscan/clamdscan reports and clamonacc, as files or syslog.

Versions: ClamAV 0.9x to 1.x wording (freshclam ``daily.cvd``/``daily.cld``, ``is up to date`` and
``database is up-to-date``). Reference: ``../shared/formats/clamav.md``. The corpus
(``../shared/corpus/clamav/cribl``) holds clamd.log, freshclam.log and a clamscan log; every other
wording here is from the format doc (ClamAV documentation and man pages), not from captured lines.

Framings (one per line, found in this order):

- ``ctime``: ``Wed Nov 24 07:25:17 2021 -> <text>`` (``LogTime yes``; day space-padded). The date is
  read as wall-clock time in ``ctx.timezone``.
- ``syslog``: an RFC 3164 or RFC 5424 header (``parsers.envelope``) and a ``clamd[pid]:``,
  ``freshclam[pid]:``, ``clamonacc[pid]:``, ``clamscan[pid]:`` or ``clamdscan[pid]:`` tag (RFC 5424:
  app-name and procid). ``host`` and ``device`` are the header's hostname, lower-cased. A
  ``<ctime> -> `` prefix after the tag (a log file forwarded by a syslog agent) is honoured.
- ``bare``: no time and no tag: clamscan/clamdscan/clamonacc output and clamd/freshclam without
  ``LogTime``. Only known ClamAV messages are accepted; anything else is quarantined
  (``not a ClamAV log line``), as are syslog lines of any other program.

Time: the ctime prefix, else a ctime inside the text (``+++ Started at``, ``--- Stopped at``,
``ClamAV update process started at``), else the syslog header time, else the clamscan report block
(below); null when none of these exists (e.g. clamd without ``LogTime``, or result lines after the
last SCAN SUMMARY of the file).

clamscan/clamdscan reports: the ``----------- SCAN SUMMARY -----------`` line opens a block of
``Key: value`` lines. Blocks are numbered per file by a cumulative sum over header lines; the
block's counters are gathered with one group_by and joined back:

- the header becomes ``system``/``scan_completed`` (message_id ``SCAN_SUMMARY``) carrying every
  counter in ``extra`` (snake_case keys: ``known_viruses``, ``engine_version``,
  ``scanned_directories``, ``scanned_files``, ``infected_files``, ``total_errors``,
  ``data_scanned``, ``data_read``, ``scan_time``, ``start_date``, ``end_date``, values as written),
  ``duration_s`` from ``Time``, and time = ``End Date`` (else ``Start Date``);
- each counter line is also an event (``system``/``other``, message_id ``SCAN_SUMMARY_FIELD``,
  its one counter in ``extra``, time = ``End Date``) so nothing is lost;
- time-less result lines and dash separator lines take ``Start Date`` of the next block of the
  same file (a backward fill: clamscan prints results before its summary, and its separator when
  it starts); after the last block of the file their time is null. Ingest reads a file's summary
  lines before parsing it (``file_index``, handed back as ``ctx.file_index``), so a report longer
  than the reader's chunk (a clamscan without ``-i`` lists every clean file) keeps its times; a
  frame parsed on its own uses its own blocks;
- the producer is ``clamscan`` when the block has ``Engine version`` (only clamscan loads the
  engine), else ``clamdscan``.

Message kinds (``_KINDS``; message_id is a stable token, ClamAV has no ids):

| message_id | text | class / action |
|---|---|---|
| FOUND | ``<path>: <Signature>[(<md5>:<size>)] FOUND`` | malware_detection / detected, ``blocked`` for clamonacc when ``on_access_prevention`` |
| MOVED | ``<path>: moved to '<dest>'`` | malware_detection / quarantined (dest in ``extra.quarantine_path``) |
| COPIED | ``<path>: copied to '<dest>'`` | malware_detection / detected: ``--copy`` leaves the file in place (``extra.copy_path``) |
| REMOVED | ``<path>: Removed.`` | malware_detection / deleted |
| SCAN_ERROR | ``<path>: <reason> ERROR`` | malware_detection / failed; ``message`` is the reason |
| OK, SKIPPED | ``<path>: OK`` (``LogClean``), ``: Empty file``, ``: Symbolic link``, ``: Excluded`` | system / other: a clean file is not a detection |
| UPDATE_STARTED | ``ClamAV update process started at <ctime>`` | system / other |
| DB_UPTODATE, DB_UPDATED | ``daily.cld database is up-to-date (version: N, sigs: N, f-level: N, builder: X)``, ``daily.cvd updated (...)`` | system / update_success |
| UPDATE_COMPLETED | ``Database updated (N signatures) from <mirror> (IP: <ip>)`` | system / update_success |
| UPDATE_FAILED | ``Update failed for database: X``, ``Database update process failed: ...``, ``Can't download ...`` (not as a WARNING), ``... error code 429``/``403``, any freshclam ``ERROR:`` line | system / update_failed |
| OUTDATED | ``Your ClamAV installation is OUTDATED!`` | system / update_failed |
| UPDATE_WARNING, UPDATE_RETRY | freshclam ``WARNING:`` lines (incl. ``WARNING: Can't download``), ``Incremental update failed, trying ...`` | system / other (the run may still succeed) |
| CLAMD_NOTIFIED, CLAMD_NOT_NOTIFIED, WAKE_UP | ``Clamd successfully notified ...``, ``Clamd was NOT notified: ...``, ``Received signal: wake up`` | system / other |
| SELFCHECK, DB_LOADING, DB_RELOADED, DB_ACTIVATED, DB_LOADED | clamd database checks and reloads (``extra.signatures``) | system / other |
| STARTED, STOPPED | ``+++ Started at <ctime>``, ``--- Stopped at <ctime>`` | system / up, down; rule_name ``clamd`` |
| VERSION | ``clamd daemon 0.103.3 (OS: ...)``, ``freshclam daemon ...`` | system / other (``extra.engine_version``) |
| DAEMON_INFO, ONACCESS_INFO | clamd start/stop chatter (``Limits:``, ``Received 0 file descriptor(s) ...``), clamonacc ``ClamInotif:``/``ClamFanotif:`` | system / other |
| DB_TOO_OLD | ``The virus database is older than 7 days!`` | system / other (medium) |
| ENGINE_ERROR, ENGINE_WARNING | ``LibClamAV Error: ...``, ``LibClamAV Warning: ...`` | system / other |
| ERROR, WARNING | other ``ERROR:``/``WARNING:`` lines not from freshclam | system / other |
| SCAN_SUMMARY, SCAN_SUMMARY_FIELD | see above | system / scan_completed, other |
| SEPARATOR | a line of dashes: closes a freshclam run, opens a clamscan run | system / other |
| OTHER | any other text under a ctime prefix or a ClamAV syslog tag | system / other |

Result lines are split on the last ``: `` before the result (paths may hold ``: `` and spaces),
except that an error reason of the form ``<call>() failed: <errno text>`` keeps its own ``: ``.
``stream(<ip>@<port>)``, ``instream(...)``, ``stream`` and ``fd[N]`` are not files: ``file_path`` is
null, the token goes to ``extra.stream`` and ``<ip>``/``<port>`` to ``src_ip``/``src_port``.
ExtendedDetectionInfo's ``(<md5>:<size>)`` gives ``file_hash`` (``extra.file_hash_algorithm`` md5)
and ``extra.file_size``. MOVED/COPIED/REMOVED lines take ``malware_name`` from the last FOUND line
of the same path, host and file before them (clamscan prints the remediation right after it), also
when a chunk boundary falls between the two: the targets whose latest line is a FOUND are carried
from chunk to chunk (``ctx.carry``, at most ``MAX_STILL_FOUND``).
Invalid UTF-8 bytes reach the parser as ``\\xNN`` text and are kept as written in paths.

Severity (ClamAV writes none; constant per kind): detections and remediations ``high``, ``medium``
when the signature is ``Heuristics.*`` or ``PUA.*``; SCAN_ERROR ``low``; UPDATE_FAILED, STOPPED,
DB_TOO_OLD, ENGINE_ERROR, ERROR ``medium``; OUTDATED, warnings, CLAMD_NOT_NOTIFIED ``low``; the rest
``info``. ``vendor_severity`` is the ``ERROR``/``WARNING``/``LibClamAV Error``/``LibClamAV Warning``
prefix, else the syslog severity number of the PRI.

Producer (``extra.program``): the syslog tag, else the source option ``program``, else the one
producer whose wording it is (freshclam and clamd kinds above; a ctime-prefixed result line is
clamd's), else the report block's (clamscan/clamdscan), else the single producer named by the other
untagged lines of the same file (so a generic ``ERROR:`` line of freshclam.log is a freshclam
update failure); null when still unknown.

Source options (``ctx.options``): ``on_access_prevention: "true"`` (clamonacc FOUND → blocked, as
``OnAccessPrevention yes`` denies the access), ``program`` (the producer of an untagged log file),
``host`` (the machine an untagged log file comes from: ``host`` and ``device``; a file has no host
name in its lines otherwise). Blank lines are quarantined (``blank line``), as are empty messages
after a ctime prefix or tag.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

import polars as pl

from seclake.parsers.contract import REASON, ParseContext, ParseResult, finish
from seclake.parsers.envelope import ENVELOPE, any_time, localize
from seclake.schema import extra_columns

NAME = "clamav"
VENDOR = "Cisco Talos"
PRODUCT = "ClamAV"
VERSION = "3"

PROGRAMS: tuple[str, ...] = ("clamd", "freshclam", "clamonacc", "clamscan", "clamdscan")

CTIME = (
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"[ 0-3]\d \d{2}:\d{2}:\d{2} \d{4}"
)
"""C ``ctime()`` without the newline: ``Wed Nov 24 07:25:17 2021``, ``Wed Nov  3 07:25:17 2021``."""

_CTIME_PREFIX = rf"^{CTIME} ->(?: |$)"
"""``LogTime yes`` framing: the 24-character ctime, `` -> ``, then the message (from character 28)."""

_SYSLOG_TAG = (
    rf"^(?P<tag_prefix>(?P<tag>{'|'.join(PROGRAMS)})"
    r"(?:\[(?P<pid>\d+)\]:|:| (?P<procid>\d+|-) [!-~]+ (?:-|(?:\[[^\]]*\])+))(?: \x{FEFF}?|$))"
)
"""``clamd[812]: `` (RFC 3164) or ``clamd 812 - - `` (RFC 5424 after the hostname) before the message."""

_LEVELS: tuple[str, ...] = ("LibClamAV Error", "LibClamAV Warning", "ERROR", "WARNING")
"""Prefixes ClamAV's logger writes before ``: `` for errors and warnings (kept in vendor_severity)."""

_SUMMARY_KEYS: tuple[str, ...] = (
    "Known viruses", "Engine version", "Scanned directories", "Scanned files", "Infected files",
    "Total errors", "Data scanned", "Data read", "Time", "Start Date", "End Date",
)  # fmt: skip
"""Counter lines of a clamscan/clamdscan SCAN SUMMARY block."""

_BODY = pl.col("body")
_LEVEL = pl.col("level")


def _starts(*prefixes: str) -> pl.Expr:
    return pl.any_horizontal(_BODY.str.starts_with(p) for p in prefixes)


def _ends(*suffixes: str) -> pl.Expr:
    return pl.any_horizontal(_BODY.str.ends_with(s) for s in suffixes)


def _has(*parts: str) -> pl.Expr:
    return pl.any_horizontal(_BODY.str.contains(p, literal=True) for p in parts)


class _Kind(NamedTuple):
    """A message kind: how to recognise it and what it means."""

    kind: str
    message_id: str
    test: pl.Expr
    """Test on the text after any level prefix; the first kind whose test holds wins."""
    family: str | None
    """Field family (``_FAMILIES``) whose pattern extracts its fields."""
    event_class: str
    action: str
    vendor_action: str | None
    severity: str
    program: str | None
    """The producer whose wording it is, when only one writes it."""


_KINDS: tuple[_Kind, ...] = tuple(_Kind(*kind) for kind in (
    ("separator", "SEPARATOR", _BODY.str.contains(r"^-{3,}$"), None, "system", "other", None, "info", None),
    ("summary", "SCAN_SUMMARY", _BODY.str.contains(r"^-+ SCAN SUMMARY -+$"), None, "system", "scan_completed", None, "info", None),
    ("summary_field", "SCAN_SUMMARY_FIELD", _BODY.str.contains(rf"^(?:{'|'.join(_SUMMARY_KEYS)}): "), "summary_field", "system", "other", None, "info", None),
    ("update_started", "UPDATE_STARTED", _starts("ClamAV update process started at "), "at", "system", "other", "started", "info", "freshclam"),
    ("db_uptodate", "DB_UPTODATE", _has(" is up-to-date", " is up to date"), "database", "system", "update_success", "up-to-date", "info", "freshclam"),
    ("db_updated", "DB_UPDATED", _has(" updated (version: "), "database", "system", "update_success", "updated", "info", "freshclam"),
    ("update_completed", "UPDATE_COMPLETED", _starts("Database updated ("), "update_completed", "system", "update_success", "updated", "info", "freshclam"),
    ("clamd_notified", "CLAMD_NOTIFIED", _starts("Clamd successfully notified"), None, "system", "other", None, "info", "freshclam"),
    ("clamd_not_notified", "CLAMD_NOT_NOTIFIED", _starts("Clamd was NOT notified"), None, "system", "other", None, "low", "freshclam"),
    ("wake_up", "WAKE_UP", _starts("Received signal: wake up"), None, "system", "other", None, "info", "freshclam"),
    ("outdated", "OUTDATED", _starts("Your ClamAV installation is OUTDATED"), None, "system", "update_failed", None, "low", "freshclam"),
    ("update_retry", "UPDATE_RETRY", _starts("Incremental update failed"), "update_failure", "system", "other", None, "low", "freshclam"),
    ("rate_limited", "UPDATE_FAILED", _has("error code 429", "error code 403"), "update_failure", "system", "update_failed", None, "medium", "freshclam"),
    ("db_update_failed", "UPDATE_FAILED", _starts("Update failed for database", "Database update process failed"), "update_failure", "system", "update_failed", None, "medium", "freshclam"),
    ("download_warning", "UPDATE_WARNING", _starts("Can't download ") & (_LEVEL == "WARNING"), "update_failure", "system", "other", None, "low", "freshclam"),
    ("download_failed", "UPDATE_FAILED", _starts("Can't download "), "update_failure", "system", "update_failed", None, "medium", "freshclam"),
    ("freshclam_version", "VERSION", _starts("freshclam daemon "), "version", "system", "other", None, "info", "freshclam"),
    ("selfcheck", "SELFCHECK", _starts("SelfCheck: "), None, "system", "other", None, "info", "clamd"),
    ("db_loading", "DB_LOADING", _starts("Reading databases from "), None, "system", "other", None, "info", "clamd"),
    ("db_reloaded", "DB_RELOADED", _starts("Database correctly reloaded ("), "signatures", "system", "other", None, "info", "clamd"),
    ("db_activated", "DB_ACTIVATED", _starts("Activating the newly loaded database"), None, "system", "other", None, "info", "clamd"),
    ("db_loaded", "DB_LOADED", _BODY.str.contains(r"^Loaded \d+ signatures"), "signatures", "system", "other", None, "info", "clamd"),
    ("started", "STARTED", _starts("+++ Started at "), "at", "system", "up", "Started", "info", "clamd"),
    ("stopped", "STOPPED", _starts("--- Stopped at "), "at", "system", "down", "Stopped", "medium", "clamd"),
    ("clamd_version", "VERSION", _starts("clamd daemon "), "version", "system", "other", None, "info", "clamd"),
    ("daemon_info", "DAEMON_INFO", _BODY.str.contains(
        r"^(?:Received \d+ file descriptor|Limits: |Self checking every |Running as user |(?:TCP|LOCAL): "
        r"|(?:Pid|Socket) file removed|Waiting for all threads|Shutting down the main socket|SIGHUP caught"
        r"|Not loading PUA|Bytecode: |Heuristic alerts |[A-Za-z0-9 ]+ support (?:enabled|disabled))"
    ), None, "system", "other", None, "info", "clamd"),
    ("onaccess_info", "ONACCESS_INFO", _starts("ClamInotif: ", "ClamFanotif: "), None, "system", "other", None, "info", "clamonacc"),
    ("db_too_old", "DB_TOO_OLD", _has("database is older than"), None, "system", "other", None, "medium", None),
    ("found", "FOUND", _ends(" FOUND") & _has(": "), "result", "malware_detection", "detected", "FOUND", "high", None),
    ("moved", "MOVED", _has(": moved to '") & _ends("'"), "result", "malware_detection", "quarantined", "moved", "high", None),
    ("copied", "COPIED", _has(": copied to '") & _ends("'"), "result", "malware_detection", "detected", "copied", "high", None),
    ("removed", "REMOVED", _ends(": Removed."), "result", "malware_detection", "deleted", "Removed", "high", None),
    ("scan_error", "SCAN_ERROR", _ends(" ERROR") & _has(": "), "result", "malware_detection", "failed", "ERROR", "low", None),
    ("clean", "OK", _ends(": OK"), "result", "system", "other", "OK", "info", None),
    ("skipped", "SKIPPED", _ends(": Empty file", ": Symbolic link", ": Excluded"), "result", "system", "other", None, "info", None),
    ("engine_error", "ENGINE_ERROR", _LEVEL == "LibClamAV Error", None, "system", "other", None, "medium", None),
    ("engine_warning", "ENGINE_WARNING", _LEVEL == "LibClamAV Warning", None, "system", "other", None, "low", None),
    ("error", "ERROR", _LEVEL == "ERROR", None, "system", "other", None, "medium", None),
    ("warning", "WARNING", _LEVEL == "WARNING", None, "system", "other", None, "low", None),
))  # fmt: skip
"""Every message kind ClamAV writes that seclake knows, in classification order."""

_OTHER = _Kind("other", "OTHER", pl.lit(True), None, "system", "other", None, "info", None)
"""Any other text with a ClamAV framing (ctime prefix or syslog tag): kept as a system event."""

_KIND_TABLE = pl.DataFrame(
    [k._replace(test=None) for k in (*_KINDS, _OTHER)], schema=list(_Kind._fields), orient="row"
).drop("test")
"""The kinds as a frame joined on ``kind`` (``program`` is the kind's default producer)."""

_MALWARE = ("FOUND", "MOVED", "COPIED", "REMOVED")
"""Kinds about an infected file: their severity follows the signature name."""
STILL_FOUND = "clamav.still_found"
"""``ctx.carry`` key: targets whose latest line so far is a FOUND (``_still_found``)."""
MAX_STILL_FOUND = 10_000
"""Targets carried from chunk to chunk at most (the most recently found): clamd and on-access logs
print no remediation after FOUND, so their detections stay here until pushed out."""
_FOUND_KEY = ["raw_file", "host", "target"]
_NO_FOUND = pl.DataFrame(
    schema={"raw_file": pl.String, "host": pl.String, "target": pl.String, "_carried_name": pl.String}
)

_RESULTS = (*_MALWARE, "SCAN_ERROR", "OK", "SKIPPED")
"""Kinds of a per-file result line (time-less ones take their report block's Start Date)."""

_FAMILIES: dict[str, tuple[str, str | None, str | None]] = {
    "result": (
        r"^(?:(?P<stream>(?:in)?stream(?:\((?:(?P<stream_ip>[0-9A-Fa-f.:]+)@(?P<stream_port>\d+)|[^)]*)\))?"
        r"|fd\[\d+\])|(?P<path>.*?)): (?:"
        r"(?P<signature>\S+?)(?:\((?P<md5>[0-9a-f]{32}):(?P<file_size>\d+)\))? FOUND"
        r"|moved to '(?P<moved_to>.*)'|copied to '(?P<copied_to>.*)'|Removed\."
        r"|(?P<error>[A-Za-z_]\w*\(\) failed: [^:]*|[^:]*) ERROR"
        r"|(?P<status>OK|Empty file|Symbolic link|Excluded))$",
        "target",
        "result line does not match '<path>: <signature> FOUND|moved to '...'|Removed.|<reason> ERROR|OK'",
    ),
    "database": (
        r"^(?P<database_file>(?P<database>[A-Za-z0-9_-]+)\.c[lvu]d) (?:database )?"
        r"(?:is up[- ]to[- ]date|updated)(?: \(version: (?P<signature_version>\d+),? sigs: (?P<signatures>\d+),?"
        r" f-level: (?P<f_level>\d+),? builder: (?P<builder>[^)]*)\))?$",
        "database",
        "database status line does not match '<name>.cvd|cld (database is up-to-date|updated) (version: N, ...)'",
    ),
    "update_completed": (
        r"^Database updated \((?P<signatures>\d+) signatures\) from (?P<mirror>\S+?)"
        r"(?: \(IP: (?P<mirror_ip>[^)]*)\))?\.?$",
        "signatures",
        "update line does not match 'Database updated (N signatures) from <mirror>'",
    ),
    "update_failure": (
        r"^(?:Update failed for database: (?P<failed_database>[\w-]+)"
        r"|Can't download (?P<download_file>(?P<download_database>[A-Za-z_]+)\S*) from (?P<mirror>\S+?)\.?$"
        r"|.*?error code (?P<http_status>\d{3})\b)",
        None,
        None,
    ),
    "signatures": (r"^(?:Database correctly reloaded \(|Loaded )(?P<signatures>\d+) signatures", None, None),
    "at": (rf" at (?P<at>{CTIME})$", None, None),
    "version": (
        r"^(?:clamd|freshclam) daemon (?P<engine_version>\S+)(?: \((?P<platform>[^)]*)\))?",
        None,
        None,
    ),
    "summary_field": (r"^(?P<summary_key>[A-Za-z ]+): +(?P<summary_value>.*?) *$", None, None),
}
"""Field family → (pattern applied only to the rows of that family, group that must match, reason when not)."""


def _capture_groups() -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for name, (pattern, _, _) in _FAMILIES.items():
        for group in re.compile(pattern).groupindex:
            groups.setdefault(group, []).append(name)
    return groups


_FAMILY_GROUPS = _capture_groups()
"""Capture group → the families whose pattern has it (coalesced into one column)."""

_CTIME_FORMAT = "%a %b %e %H:%M:%S %Y"
_REPORT_DATE_FORMAT = "%Y:%m:%d %H:%M:%S"
_SNIFF_CONTEXT = ParseContext(org="sniff", source="sniff", date=dt.date(2000, 1, 1))


def sniff(lines: pl.Series) -> pl.Series:
    """Per line: is it ClamAV — a known message (with or without a ctime prefix or syslog header)
    or any text under a clamd/freshclam/clamonacc/clamscan syslog tag. Blank lines are not."""
    frame = pl.DataFrame({"raw": lines.cast(pl.String)}).with_columns(
        raw_file=pl.lit(""), raw_line=pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
    )
    kinds = _classified(_framed(frame, _SNIFF_CONTEXT))
    looks_like = (pl.col("framing") == "syslog") | (
        (pl.col("framing") != "foreign") & pl.col("kind").is_not_null() & (pl.col("kind") != "other")
    )
    blank = pl.col("raw").fill_null("").str.strip_chars() == ""
    return kinds.select((looks_like & ~blank).fill_null(False)).to_series().alias("sniff")


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse ClamAV lines (any mix of framings and producers) into events; see the module docstring."""
    frame = _with_reports(_read(lines, ctx), ctx)
    frame = _with_malware_names(_with_program(frame, ctx), ctx)
    return finish(_events(frame, ctx), ctx, format_name=NAME, vendor=VENDOR, product=PRODUCT)


def file_index(lines: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """The SCAN SUMMARY lines among ``lines`` (``_summary_lines``). Ingest collects them from a whole
    file before parsing it (``ctx.file_index``), so the result lines of a report take its Start Date
    when its summary lies in a later chunk of the file."""
    candidates = lines.filter(pl.col("raw").str.contains(_SUMMARY_CANDIDATE))
    return _NO_SUMMARY_LINES if candidates.is_empty() else _summary_lines(_read(candidates, ctx))


def _read(lines: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Framing, kind and fields of each line (row order kept, ``_row`` its index)."""
    frame = _classified(_framed(lines.with_row_index("_row"), ctx))
    return _with_fields(frame.join(_KIND_TABLE, on="kind", how="left", maintain_order="left"), ctx)


def _ctime(text: pl.Expr, timezone: str) -> pl.Expr:
    return localize(text.str.strptime(pl.Datetime("us"), _CTIME_FORMAT, strict=False), timezone)


def _framed(lines: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Split each line's framing off: ``framing``, ``msg``, ``_prefix_time`` (a ctime prefix, before or
    after a syslog tag), ``_header_time``, ``host``, ``tag``, ``pid``, ``pri``.

    Patterns capture only the short framing parts; messages are sliced off by length. Lines without
    a ctime prefix are split with ``ENVELOPE`` once and the header time parsed with ``any_time``.
    """
    raw = pl.col("raw")
    starts_with_ctime = raw.str.contains(_CTIME_PREFIX)
    frame = (
        lines.with_columns(pl.when(~starts_with_ctime).then(raw).str.extract_groups(ENVELOPE).alias("_env"))
        .unnest("_env")
        .rename({"time": "header_time"})
        .with_columns(pl.col("body").str.extract_groups(_SYSLOG_TAG).alias("_tag"))
        .unnest("_tag")
    )
    tagged = pl.col("tag").is_not_null()
    payload = (
        pl.when(tagged).then(pl.col("body").str.slice(pl.col("tag_prefix").str.len_chars())).otherwise(raw)
    )
    has_ctime = payload.str.contains(_CTIME_PREFIX)
    # lazy, so that the payload and has_ctime expressions are computed once
    return (
        frame.lazy()
        .select(
            *lines.columns,
            pl.when(has_ctime & ~tagged)
            .then(pl.lit("ctime"))
            .when(tagged)
            .then(pl.lit("syslog"))
            .when(pl.col("header_time").is_not_null())
            .then(pl.lit("foreign"))
            .otherwise(pl.lit("bare"))
            .alias("framing"),
            pl.when(has_ctime).then(payload.str.slice(28)).otherwise(payload).alias("msg"),
            _ctime(pl.when(has_ctime).then(payload.str.slice(0, 24)), ctx.timezone).alias("_prefix_time"),
            pl.when(tagged)
            .then(any_time(pl.col("header_time"), ctx.timezone, ctx.date))
            .alias("_header_time"),
            pl.when(tagged).then(pl.col("host").str.to_lowercase()).alias("host"),
            "tag",
            pl.coalesce("pid", pl.when(pl.col("procid") != "-").then(pl.col("procid"))).alias("pid"),
            pl.col("pri").cast(pl.Int32, strict=False),
        )
        .collect()
    )


def _classified(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``level``, ``body`` (text after the level prefix), ``kind`` and the rejection ``reason``."""
    msg = pl.col("msg")
    level = pl.coalesce(pl.when(msg.str.starts_with(f"{name}: ")).then(pl.lit(name)) for name in _LEVELS)
    frame = frame.with_columns(level.alias("level")).with_columns(
        pl.when(_LEVEL.is_not_null())
        .then(msg.str.slice(_LEVEL.str.len_chars() + 2))
        .otherwise(msg)
        .alias("body")
    )
    chain = pl.when(_KINDS[0].test).then(pl.lit(_KINDS[0].kind))
    for kind in _KINDS[1:]:
        chain = chain.when(kind.test).then(pl.lit(kind.kind))
    framing = pl.col("framing")
    known = chain.when(framing != "bare").then(pl.lit(_OTHER.kind))
    reason = (
        pl.when(pl.col("raw").str.strip_chars() == "")
        .then(pl.lit("blank line"))
        .when(framing == "foreign")
        .then(pl.lit("not a ClamAV log line"))
        .when((framing != "bare") & (msg.str.strip_chars() == ""))
        .then(pl.lit("empty ClamAV message"))
        .when(pl.col("kind").is_null())
        .then(pl.lit("not a ClamAV log line"))
    )
    return frame.with_columns(known.alias("kind")).with_columns(reason.alias(REASON))


def _with_fields(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Apply each field family's pattern to the rows of that family only; quarantine mismatches.

    Each pattern runs on the message masked to its family's rows (null elsewhere, which the regex
    skips), so the frame keeps its order and is never split and gathered back. A group that several
    families capture (``signatures``, ``mirror``) is the first non-null. ``time`` is the ctime prefix,
    else a ctime inside the text (``+++ Started at <ctime>``), else the syslog header time.
    """
    family = pl.col("family")
    frame = frame.with_columns(
        pl.when(family == name).then(_BODY).str.extract_groups(pattern).alias(f"_{name}")
        for name, (pattern, _, _) in _FAMILIES.items()
    )
    frame = frame.with_columns(
        pl.coalesce(pl.col(f"_{name}").struct.field(group) for name in names).alias(group)
        for group, names in _FAMILY_GROUPS.items()
    ).with_columns(pl.coalesce("stream", "path").alias("target"))
    mismatch = pl.coalesce(
        pl.when((family == name) & pl.col(required).is_null()).then(pl.lit(reason))
        for name, (_, required, reason) in _FAMILIES.items()
        if required is not None
    )
    return frame.with_columns(
        pl.coalesce(REASON, mismatch).alias(REASON),
        pl.coalesce("_prefix_time", _ctime(pl.col("at"), ctx.timezone), "_header_time").alias("time"),
    )


def _with_reports(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Number clamscan report blocks, gather each block's counters and join them back (module
    docstring). The blocks are those of ``ctx.file_index`` (every summary line of the file) when
    ingest gives it, else those of the frame."""
    message_id = pl.col("message_id")
    summaries = _summary_lines(frame) if ctx.file_index is None else ctx.file_index
    frame = frame.with_columns(_SUMMARY_KEY)
    headers = summaries.filter(message_id == "SCAN_SUMMARY").select("raw_file", "raw_line")
    seen = pl.col("_seen")
    in_summary = message_id.is_in(["SCAN_SUMMARY", "SCAN_SUMMARY_FIELD"])
    awaits_summary = (
        message_id.is_in([*_RESULTS, "SEPARATOR"]) & pl.col("time").is_null() & pl.col(REASON).is_null()
    )
    frame = _with_seen(frame, headers).with_columns(
        pl.when(in_summary).then(seen).when(awaits_summary).then(seen + 1).alias("_report")
    )
    key, value = pl.col("summary_key"), pl.col("summary_value")
    reports = (
        _with_seen(summaries.with_row_index("_row"), headers)
        .filter((message_id == "SCAN_SUMMARY_FIELD") & (seen > 0))
        .group_by("raw_file", pl.col("_seen").alias("_report"))
        .agg(
            *[value.filter(key == name).first().alias(f"_counter_{name}") for name in SUMMARY_COUNTERS],
            value.filter(key == "start_date").first().alias("_start"),
            value.filter(key == "end_date").first().alias("_end"),
            value.filter(key == "scan_time").first().alias("_scan_time"),
            (key == "engine_version").any().alias("_has_engine"),
        )
    )
    frame = frame.join(reports, on=["raw_file", "_report"], how="left", maintain_order="left")
    start, end = (
        localize(pl.col(c).str.strptime(pl.Datetime("us"), _REPORT_DATE_FORMAT, strict=False), ctx.timezone)
        for c in ("_start", "_end")
    )
    return frame.with_columns(
        pl.when(in_summary)
        .then(pl.coalesce(end, start))
        .when(awaits_summary)
        .then(start)
        .otherwise(pl.col("time"))
        .alias("time"),
        pl.when(pl.col("_has_engine"))
        .then(pl.lit("clamscan"))
        .when(pl.col("_has_engine").is_not_null())
        .then(pl.lit("clamdscan"))
        .alias("_report_program"),
    )


_SUMMARY_KEY = (
    pl.when(pl.col("summary_key") == "Time")
    .then(pl.lit("scan_time"))
    .otherwise(pl.col("summary_key").str.to_lowercase().str.replace_all(" ", "_", literal=True))
    .alias("summary_key")
)
"""A summary line's key in snake_case (``Time`` is ``scan_time``)."""
_SUMMARY_CANDIDATE = "|".join(["SCAN SUMMARY", *(f"{key}: " for key in _SUMMARY_KEYS)])
"""Text every SCAN SUMMARY line holds (a cheap test before reading a line's framing)."""
_NO_SUMMARY_LINES = pl.DataFrame(
    schema={
        "raw_file": pl.String,
        "raw_line": pl.Int64,
        "message_id": pl.String,
        "summary_key": pl.String,
        "summary_value": pl.String,
    }
)


def _summary_lines(frame: pl.DataFrame) -> pl.DataFrame:
    """The good SCAN SUMMARY header and field lines of a read frame: ``raw_file``, ``raw_line``,
    ``message_id``, ``summary_key`` (snake_case), ``summary_value``."""
    return frame.filter(
        pl.col("message_id").is_in(["SCAN_SUMMARY", "SCAN_SUMMARY_FIELD"]) & pl.col(REASON).is_null()
    ).select("raw_file", "raw_line", "message_id", _SUMMARY_KEY, "summary_value")


def _with_seen(rows: pl.DataFrame, headers: pl.DataFrame) -> pl.DataFrame:
    """Add ``_seen`` to ``rows`` (which have ``_row``, their order): how many of ``headers`` (SCAN
    SUMMARY lines) of the same file are at or before each row's line."""
    marks = pl.concat(
        [
            headers.select("raw_file", "raw_line", pl.lit(None, dtype=pl.UInt32).alias("_row")),
            rows.select("raw_file", "raw_line", "_row"),
        ]
    ).sort("raw_file", "raw_line", pl.col("_row").is_not_null())  # a header before the row of its line
    seen = (
        marks.with_columns(pl.col("_row").is_null().cum_sum().over("raw_file").alias("_seen"))
        .filter(pl.col("_row").is_not_null())
        .sort("_row")
    )
    return rows.with_columns(seen.get_column("_seen"))


def _with_program(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Name the producer (module docstring order) and settle the kinds that depend on it."""
    untagged = pl.col("framing") != "syslog"
    clamd_result = (pl.col("framing") == "ctime") & (pl.col("family") == "result")
    program = pl.coalesce(
        pl.col("tag"),
        pl.lit(ctx.options.get("program"), dtype=pl.String),
        pl.col("program"),
        pl.when(clamd_result).then(pl.lit("clamd")),
        pl.col("_report_program"),
    )
    frame = frame.with_columns(program.alias("program"))
    named = pl.col("program").filter(untagged & pl.col(REASON).is_null()).drop_nulls()
    single = pl.when(named.n_unique() == 1).then(named.first()).over("raw_file")
    frame = frame.with_columns(pl.coalesce("program", pl.when(untagged).then(single)).alias("program"))
    freshclam = pl.col("program") == "freshclam"
    prevention = ctx.options.get("on_access_prevention", "").lower() == "true"
    kind = pl.col("kind")
    return frame.with_columns(
        pl.when((kind == "error") & freshclam)
        .then(pl.lit("UPDATE_FAILED"))
        .when((kind == "warning") & freshclam)
        .then(pl.lit("UPDATE_WARNING"))
        .otherwise(pl.col("message_id"))
        .alias("message_id"),
        pl.when((kind == "error") & freshclam)
        .then(pl.lit("update_failed"))
        .when((kind == "found") & (pl.col("program") == "clamonacc") & pl.lit(prevention))
        .then(pl.lit("blocked"))
        .otherwise(pl.col("action"))
        .alias("action"),
    )


SUMMARY_COUNTERS: tuple[str, ...] = (
    "known_viruses",
    "engine_version",
    "scanned_directories",
    "scanned_files",
    "infected_files",
    "total_errors",
    "data_scanned",
    "data_read",
    "scan_time",
    "start_date",
    "end_date",
)
"""SCAN SUMMARY counters (snake_case) kept in ``extra``; a line with another key keeps it in
``extra.summary_field`` / ``extra.summary_value`` of its own event."""


def _extra_columns() -> list[pl.Expr]:
    """The ``extra.<key>`` columns: the named vendor fields, then a summary's counters."""
    message_id, key, value = pl.col("message_id"), pl.col("summary_key"), pl.col("summary_value")
    is_field = message_id == "SCAN_SUMMARY_FIELD"
    counters = {
        name: pl.when(message_id == "SCAN_SUMMARY")
        .then(pl.col(f"_counter_{name}"))
        .when(is_field & (key == name))
        .then(value)
        for name in SUMMARY_COUNTERS
    }
    unknown_field = is_field & ~key.is_in(SUMMARY_COUNTERS)
    return extra_columns(
        program=pl.col("program"),
        pid=pl.col("pid"),
        quarantine_path=pl.col("moved_to"),
        copy_path=pl.col("copied_to"),
        stream=pl.col("stream"),
        file_size=pl.col("file_size"),
        file_hash_algorithm=pl.when(pl.col("md5").is_not_null()).then(pl.lit("md5")),
        database=pl.coalesce("database", "failed_database", "download_database"),
        database_file=pl.coalesce("database_file", "download_file"),
        signature_version=pl.col("signature_version"),
        signatures=pl.col("signatures"),
        f_level=pl.col("f_level"),
        builder=pl.col("builder"),
        mirror=pl.col("mirror"),
        mirror_ip=pl.col("mirror_ip"),
        http_status=pl.col("http_status"),
        engine_version=pl.coalesce(pl.col("engine_version"), counters.pop("engine_version")),
        platform=pl.col("platform"),
        **counters,
        summary_field=pl.when(unknown_field).then(key),
        summary_value=pl.when(unknown_field).then(value),
    )


def _with_malware_names(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """``_malware_name``: a FOUND line's signature; a MOVED/COPIED/REMOVED line's is the last FOUND
    of its file, host and target before it — in this frame, else in the earlier chunks of the day
    (``ctx.carry``, ``_still_found``), so a chunk boundary between the two costs no name."""
    message_id = pl.col("message_id")
    found_name = pl.when(message_id == "FOUND").then(pl.col("signature"))
    remediation = message_id.is_in(_MALWARE) & (message_id != "FOUND")
    frame = frame.with_columns(
        pl.coalesce(found_name, pl.when(remediation).then(found_name.forward_fill().over(_FOUND_KEY))).alias(
            "_malware_name"
        )
    )
    if ctx.carry is None:
        return frame
    carried = ctx.carry.get(STILL_FOUND, _NO_FOUND)
    ctx.carry[STILL_FOUND] = _still_found(carried, frame)
    if carried.is_empty() or not frame.select((remediation & pl.col("_malware_name").is_null()).any()).item():
        return frame
    return (
        frame.join(carried, on=_FOUND_KEY, how="left", nulls_equal=True, maintain_order="left")
        .with_columns(
            pl.coalesce("_malware_name", pl.when(remediation).then("_carried_name")).alias("_malware_name")
        )
        .drop("_carried_name")
    )


def _still_found(carried: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    """The targets whose latest line so far is a FOUND, with its signature: ``carried`` without
    the targets this frame has lines of, then this frame's, most recent last, at most
    ``MAX_STILL_FOUND``."""
    targets = frame.filter(pl.col("target").is_not_null()).select(*_FOUND_KEY, "message_id", "signature")
    latest = (
        targets.group_by(_FOUND_KEY, maintain_order=True)
        .last()
        .filter(pl.col("message_id") == "FOUND")
        .select(*_FOUND_KEY, pl.col("signature").alias("_carried_name"))
    )
    untouched = carried.join(
        targets.select(_FOUND_KEY), on=_FOUND_KEY, how="anti", nulls_equal=True, maintain_order="left"
    )
    return pl.concat([untouched, latest]).tail(MAX_STILL_FOUND)


def _events(frame: pl.DataFrame, ctx: ParseContext) -> pl.DataFrame:
    """Select the event columns (and ``reason``) from the parsed frame."""
    message_id = pl.col("message_id")
    is_malware = message_id.is_in(_MALWARE)
    malware_name = pl.col("_malware_name")
    lesser = malware_name.str.starts_with("Heuristics.") | malware_name.str.starts_with("PUA.")
    host = pl.coalesce(pl.col("host"), pl.lit(ctx.options.get("host"), dtype=pl.String).str.to_lowercase())
    return frame.select(
        "raw",
        "raw_file",
        "raw_line",
        REASON,
        "time",
        "event_class",
        "action",
        pl.coalesce("vendor_action", "status").alias("vendor_action"),
        pl.when(is_malware & lesser).then(pl.lit("medium")).otherwise(pl.col("severity")).alias("severity"),
        pl.coalesce(_LEVEL, (pl.col("pri") % 8).cast(pl.String)).alias("vendor_severity"),
        "message_id",
        pl.col("stream_ip").str.to_lowercase().alias("src_ip"),
        pl.col("stream_port").cast(pl.Int32, strict=False).alias("src_port"),
        pl.when(message_id.is_in(["STARTED", "STOPPED"])).then(pl.lit("clamd")).alias("rule_name"),
        host.alias("device"),
        host.alias("host"),
        pl.col("path").alias("file_path"),
        pl.col("md5").alias("file_hash"),
        malware_name.alias("malware_name"),
        pl.when(message_id == "SCAN_ERROR").then(pl.col("error")).otherwise(pl.col("msg")).alias("message"),
        pl.when(message_id == "SCAN_SUMMARY")
        .then(pl.col("_scan_time").str.extract(r"^(\d+(?:\.\d+)?) sec").cast(pl.Float64, strict=False))
        .alias("duration_s"),
        *_extra_columns(),
    )
