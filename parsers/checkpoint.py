"""Check Point Log Exporter, syslog format (``[key:"value"; ...]`` structured data), R77-R81.

Reference: ``../shared/formats/checkpoint.md``. Corpus: ``checkpoint/elastic/test-packet-drop.log``
and ``checkpoint/wazuh/checkpoint_smart1.ini`` (several of whose lines are cut short upstream:
``[action:"Monitored";...``; they become events with what they carry). Check Point's CEF and LEEF
exports are read by the ``cef``/``leef`` formats, with the same Check Point table
(``parsers.cef_fields.CHECKPOINT``); the ``splunk`` (``key=value|``) export is not read here.

Framing: ``[<PRI>]1 <ISO time> <log server> CheckPoint <pid> - [key:"value"; key:"value"; ...]``
(the ``1`` version may come without ``<PRI>``; RFC 3164 and relay headers are accepted too). The
header time is the export time and the header host the log server: fallbacks only.

Pairs: one ``str.extract_all`` walks the structured data left to right, each match a whole
``key:"value"`` with ``\\"``-escaped quotes, so text inside a value (``ike::"...; Reason: ..."``,
``__policy_id_tag:"product=...;policy_name=Standard\\]"``, an attacker's ``x; src:"6.6.6.6"``
written ``x; src:\\"6.6.6.6\\"`` by the exporter) is never read as a key: the scan resumes after
the closing quote. Each match is then cut without a pattern: the key ends at its first ``:``, the
value runs from its first ``"`` to the last. ``key::"..."`` keys lose their extra colon;
``\\"``, ``\\]`` and ``\\\\`` are unescaped; empty values are null. Repeated keys (one
``layer_name``/``rule_name``/``match_id`` per policy layer) keep the **first** (the network access
layer) in the column; the next ones go to ``extra`` as ``rule_name#2``...

Columns (``cef_fields.CHECKPOINT`` plus the renames below): ``time`` = ``time`` (epoch seconds,
UTC), else the header time; ``vendor`` = ``Check Point``; ``product`` = ``product`` (the blade),
else ``fw_subproduct``, else ``Check Point``; ``device`` = ``origin`` (the gateway); ``src_ip``/
``dst_ip`` = ``src``/``dst``; ``src_port`` = ``s_port``; ``dst_port`` = ``service`` (a port
number; ``service_id`` names it, in extra); ``protocol`` = ``proto`` (IANA number named);
``nat_src_ip``/``nat_dst_ip`` = ``xlatesrc``/``xlatedst`` (``0.0.0.0`` = no NAT → extra);
``src_zone``/``dst_zone`` = ``inzone``/``outzone``; ``direction`` from the zones (External →
Internal inbound, Internal → External outbound, Internal → Internal internal), else address
ranges (``ifdir`` is the gateway interface's view of one packet, kept in extra); ``rule_name`` =
the first ``rule_name``; ``bytes_out``/``bytes_in`` = ``client_outbound_bytes``/
``server_outbound_bytes``, ``bytes_total`` = ``bytes``; ``packets`` = ``packet_amount``;
``user`` = ``src_user_name``, else ``user``, else ``administrator``; ``malware_name`` =
``malware_family``, else ``protection_name``; ``file_hash`` = ``file_sha256`` > ``file_sha1`` >
``file_md5``; ``file_path`` = ``file_name``; ``message`` = ``additional_info``, else
``attack_info``, else ``reject_category``; ``message_id`` = ``operation`` (audit), else
``<product>:<action>``, else ``action``; ``severity`` = ``severity`` (Low/Medium/High/Critical;
Informational → info). Aggregated drops list their packets in ``packets:" <src,sport,dst,dport,
proto;if> ..."`` with no top-level address: the record stays one event, ``src_ip`` is the tuples'
source when they all share it, the list is kept in ``extra.packets``.

Class and action (``cef_fields._checkpoint_classify``):

| product / action | event_class | action |
|---|---|---|
| action Login/Logout/Authorize/Deauthorize, or ``operation`` Log In/Log Out | authentication | failure when ``audit_status`` Failure or ``operation_number`` 11, else success |
| SmartConsole, WEB_API, Expert Shell, SmartDashboard, Endpoint Management, Identity Awareness, Gaia, or any ``operation`` | system | config_change when an ``operation`` is named, else other |
| Anti-Virus, Anti-Bot, Threat Emulation/Extraction, Anti-Malware, Anti-Spam, Zero Phishing | malware_detection | Block/Prevent/Drop/Reject → blocked; Detect/Flag/Monitored/Inspect/Ask/Inform → detected; Quarantine → quarantined; Replace Malicious code → cleaned; Accept/Allow/Bypass → allowed; else detected |
| action Key Install (IKE SA created or deleted) | system | other |
| anything else (Firewall, VPN, IPS, URL Filtering, Application Control, no product) | network_activity | Accept/Allow/Bypass/Encrypt/Decrypt/Inspect/Detect/Flag/Monitored/Redirect/Ask/Inform → allow; Drop → drop; Reject → reset for TCP, else deny; Block/Prevent/Quarantine → deny; an empty or unknown action → null |

Quarantined lines: ``no Check Point [key:"value" ...] structured data in the line``.
"""

from __future__ import annotations

import polars as pl

from seclake.parsers import cef_fields as cf
from seclake.parsers.contract import REASON, ParseContext, ParseResult, finish
from seclake.parsers.jsonlines import split_header

NAME = "checkpoint"
VENDOR = "Check Point"
PRODUCT = "Log Exporter"
VERSION = "1"

PROGRAM = "CheckPoint"

KEY = r"[A-Za-z_][A-Za-z0-9_\-.]*"
PAIR = rf'{KEY}:+"(?:[^"\\]|\\.)*"'
"""One ``key:"value"`` pair (``key::"value"`` too) with backslash escapes inside the quotes."""

_START = rf'\[{KEY}:+"'
_SNIFF = rf'(?:^|\s)CheckPoint(?:\[\d+\]:?| \S+ \S+) {_START}|{_START}(?:[^"\\]|\\.)*"; ?{KEY}:+"'

ALIASES: dict[str, str] = {
    "s_port": "spt",
    "service": "dpt",
    "xlatesrc": "sourceTranslatedAddress",
    "xlatedst": "destinationTranslatedAddress",
    "action": "act",
    "time": "rt",
    "client_outbound_bytes": "in",
    "server_outbound_bytes": "out",
    "additional_info": "msg",
}
"""Log Exporter field names read under the CEF key the shared table maps."""

NO_DATA = 'no Check Point [key:"value" ...] structured data in the line'


def sniff(lines: pl.Series) -> pl.Series:
    """Per line: a ``CheckPoint <pid> - [key:"`` header, or ``[key:"v"; key:"`` structured data."""
    return lines.cast(pl.String).str.contains(_SNIFF).fill_null(False)


def _pairs(matches: pl.DataFrame) -> pl.DataFrame:
    """``_row, key, value`` from the ``PAIR`` matches of each line (``_seg``, in line order): the key
    ends at the first ``:`` and the value runs from the first ``"`` to the closing one (the key,
    ASCII, holds neither, so the character offsets are the byte offsets ``str.find`` gives)."""
    long = matches.explode("_seg").drop_nulls("_seg")
    match = pl.col("_seg")
    return long.select(
        cf.ROW,
        match.str.slice(0, match.str.find(":", literal=True)).alias("key"),
        match.str.slice(match.str.find('"', literal=True) + 1).str.strip_suffix('"').alias("value"),
    )


def parse(lines: pl.DataFrame, ctx: ParseContext) -> ParseResult:
    """Parse Log Exporter syslog lines into events (see the module docstring)."""
    raw = pl.col("raw")
    start = raw.str.find(_START)
    # RFC 5424 without <PRI> ("1 2019-05-15T...") is read as if the version were absent
    head = raw.str.slice(0, start).str.replace(r"^\s*1 (\d{4}-\d{2}-\d{2}[T ])", "${1}")
    frame = split_header(lines, head, PROGRAM, ctx).with_columns(
        pl.int_range(pl.len(), dtype=pl.Int64).alias(cf.ROW),
        pl.when(start.is_null()).then(pl.lit(NO_DATA)).alias(REASON),
        pl.lit("Check Point").alias("h:vendor"),
        *[
            pl.lit(None, dtype=pl.String).alias(f"h:{name}")
            for name in ("product", "event_id", "name", "severity")
        ],
        pl.col("header_time").alias("h:time"),
        pl.col("header_host").alias("h:host"),
    )
    pairs = cf.kept_pairs(
        _pairs(frame.select(cf.ROW, raw.str.slice(start).str.extract_all(PAIR).alias("_seg")))
    )
    kept = frame.select("raw", "raw_file", "raw_line", REASON, cf.ROW, *cf.HEADER_COLUMNS)
    events = cf.normalise(
        kept, pairs, ctx, keep_first=True, unescaper=cf.structured_data_unescape, aliases=ALIASES
    )
    return finish(events, ctx, format_name=NAME, vendor=pl.col("vendor"), product=pl.col("product"))
