"""Vendor payloads behind an optional syslog header, and JSON payloads: helpers for the AV formats.

Used by ``sophos_av`` and ``eset`` (one JSON object per line, optionally behind a syslog header)
and by ``symantec_sep`` (the header split only). Not a format: it defines neither ``NAME`` nor
``parse``.

``split_header`` reads what stands before the vendor payload with ``parsers.envelope.ENVELOPE``
(RFC 3164, RFC 5424, an ISO relay header or nothing; an RFC 6587 octet count such as ``679 <12>1
...`` is dropped), once per distinct header text, joined back, then the program tag
(``prog[pid]: ``, ``prog: `` or RFC 5424 ``prog procid msgid SD ``). ``decode_json`` decodes the
payload with one ``str.json_decode`` over the frame with an explicit all-string schema; when that
fails (a line that is not valid JSON, or a key holding an object where a text was expected) it
falls back to one ``str.json_path_match`` per key, which yields null for invalid lines (about six
times slower, only for frames that hold such lines).
"""

from __future__ import annotations

import polars as pl

from seclake.parsers.contract import ParseContext
from seclake.parsers.envelope import ENVELOPE, any_time

_OCTET_COUNT = r"^\s*\d+ (<\d)"
"""RFC 6587 octet-counted framing: ``679 <12>1 ...`` (the count is dropped)."""

HEADER_COLUMNS = ("payload_at", "pri", "header_time", "header_host", "app", "pid")


def _tag_pattern(program: str) -> str:
    return (
        rf"^(?P<tag>(?P<app>{program})(?:\[(?P<pid>\d+)\]:|:| (?P<procid>[!-~]+) [!-~]+ (?:-|(?:\[[^\]]*\])+))"
        r"(?: |$)|)"
    )


def split_header(lines: pl.DataFrame, head: pl.Expr, program: str, ctx: ParseContext) -> pl.DataFrame:
    """Add ``HEADER_COLUMNS`` to ``lines``.

        ``head`` is the start of each line that holds any header (it may hold the start of the payload
        too: the payload starts where the envelope and the program tag end). ``payload_at`` is that
        position in characters (null when ``head`` is null); ``header_time`` is UTC (``ctx.timezone``
        for a header without offset, the year closest to ``ctx.date`` when it has none);
        ``header_host`` is lower-cased; ``app`` is the program tag (``program`` is its regex, e.g.
    ``ERAServer``) or null.
    """
    frame = lines.with_columns(head.alias("_head"))
    heads = frame.select(pl.col("_head").unique()).drop_nulls()
    env = (
        heads.with_columns(
            pl.col("_head").str.replace(_OCTET_COUNT, "${1}").str.extract_groups(ENVELOPE).alias("_e")
        )
        .unnest("_e")
        .with_columns(pl.col("body").str.extract_groups(_tag_pattern(program)).alias("_t"))
        .unnest("_t")
    )
    # ``Jan  1 00:00:00 SymantecServer: `` (no host name): ENVELOPE takes the program for the host.
    host_is_app = (
        (pl.col("tag") == "") & pl.col("host").str.contains(f"^(?:{program})$") & (pl.col("body") == "")
    )
    env = env.select(
        "_head",
        (pl.col("_head").str.len_chars() - pl.col("body").str.len_chars() + pl.col("tag").str.len_chars())
        .cast(pl.Int64)
        .alias("payload_at"),
        pl.col("pri").cast(pl.Int32, strict=False).alias("pri"),
        any_time(pl.col("time"), ctx.timezone, ctx.date).alias("header_time"),
        pl.when(~host_is_app).then(pl.col("host").str.to_lowercase()).alias("header_host"),
        pl.when(host_is_app).then(pl.col("host")).otherwise(pl.col("app")).alias("app"),
        pl.coalesce("pid", pl.when(pl.col("procid") != "-").then(pl.col("procid"))).alias("pid"),
    )
    return frame.join(env, on="_head", how="left", maintain_order="left").drop("_head")


def ip_address(text: pl.Expr) -> pl.Expr:
    """The text when it is an IPv4 or IPv6 address (lower-cased), else null (``n/a``, ``XXX.XXX...``)."""
    lower = text.str.strip_chars().str.to_lowercase()
    looks_like = lower.str.contains(
        r"^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?::\d{1,3}(?:\.\d{1,3}){3})?(?:%\w+)?)$"
    )
    return pl.when(looks_like).then(lower)


def _schema(fields: dict[str, str]) -> pl.Struct:
    """Nested all-string struct schema of dotted JSON paths (``source_info.ip``)."""
    tree: dict = {}
    for path in fields.values():
        node = tree
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = None

    def build(node: dict) -> pl.Struct:
        return pl.Struct({k: pl.String if v is None else build(v) for k, v in node.items()})

    return build(tree)


def _field(decoded: pl.Expr, path: str) -> pl.Expr:
    for part in path.split("."):
        decoded = decoded.struct.field(part)
    return decoded


def decode_json(payload: pl.Series, fields: dict[str, str]) -> pl.DataFrame:
    """One String column per field (column name → dotted JSON path) and ``json_ok``.

    ``payload`` holds the JSON text of each line (null where the line has none). ``json_ok`` is
    True where the payload is a JSON object. Values are the JSON scalars as text (``true``, ``5``);
    a key holding an array or object gives its JSON text (fallback path) or fails the fast path.
    """
    try:
        decoded = payload.str.json_decode(_schema(fields)).to_frame("_d")
        return decoded.select(
            *[_field(pl.col("_d"), path).alias(name) for name, path in fields.items()],
            pl.col("_d").is_not_null().alias("json_ok"),
        )
    except pl.exceptions.PolarsError:
        text = payload.to_frame("_p")
        return text.select(
            *[pl.col("_p").str.json_path_match(f"$.{path}").alias(name) for name, path in fields.items()],
            pl.col("_p").str.json_path_match("$").str.starts_with("{").fill_null(False).alias("json_ok"),
        )
