"""Positional CSV records (PAN-OS, pfSense ``filterlog``): split a record into a list of fields.

Shared by ``panos`` and ``pfsense_filterlog``; not a format (no ``NAME``). Vectorised Polars only.

Splitting follows RFC 4180 as firewalls write it: fields are separated by commas; a field that
starts and ends with a double quote is quoted, its commas are text (``"a,b"`` stays one field) and
``""`` inside it is one ``"``; empty fields are kept (``a,,b`` has three fields). A quote that is
never closed does not hide the commas after it (``a,"b,c`` has three fields; the quote is
dropped), so quoted text can never shift the positions of the fields after it. Cost: records
without any ``"`` (almost all traffic lines) are a plain split on ``,``, and a frame without any
quote is split without further checks; quoted records take one of three slower paths, on their
own rows only (``split_records``), and only they are examined to choose the path.

Also here, because both formats need them: IP address validation (``ip_text``) and slicing text
at byte offsets (``byte_slice``).
"""

from __future__ import annotations

import polars as pl

FIELDS = "_fields"
"""The list column of a record's fields."""

_QUOTED_FIELD = r',(?:"(?:[^"]|"")*"|[^,]*)'
"""One field with the comma in front of it (the record gets a leading comma, so no match is empty)."""

_COMMA_IN_QUOTES = r'^[^"]*(?:"[^",]*"[^"]*)*"[^",]*,[^"]*"'
"""A record where a closed quoted field holds a comma: skip quoted fields without one, then find it."""

_PLACEHOLDER = "\x1f"
"""Stands for a comma inside quotes while a record is split (ASCII unit separator)."""

_IP = (
    r"^(?:(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
    r"|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*[0-9A-Fa-f.])$"
)
"""IPv4 without leading zeros, or IPv6 (hex groups and colons, an IPv4 tail allowed)."""


def split_records(frame: pl.DataFrame, record: str) -> pl.LazyFrame:
    """Add the ``FIELDS`` list column: the CSV fields of column ``record`` (see the module docstring).

    A null record gives a null list. Records are split by kind, each kind on its own rows (rows
    come back grouped by kind, each kind in input order; a frame of one kind is not reordered
    nor copied, and its split stays lazy, fused with what reads the fields):

    - without quotes: a plain split;
    - with quoted fields that hold no comma: the quotes that open and close fields are removed
      and ``""`` read as ``"`` on the whole record, then a plain split;
    - with a comma inside quotes: those commas are first swapped for ``_PLACEHOLDER`` (split the
      record on ``"``: the odd pieces are inside quotes), then as above, then each field gets its
      commas back;
    - records that already hold the placeholder: the quote-aware ``extract_all`` (slow, exact).
    """
    text = pl.col(record)
    has_quote = text.str.contains('"', literal=True)
    if not frame.select(has_quote.any()).item():
        return frame.lazy().with_columns(text.str.split(",").alias(FIELDS))
    quoted = pl.when(has_quote).then(text)  # the slower checks run on the quoted records only
    kinds = frame.select(
        pl.when(~has_quote.fill_null(False))
        .then(pl.lit(0))
        .when(~quoted.str.contains(_COMMA_IN_QUOTES))
        .then(pl.lit(1))
        .when(~quoted.str.contains(_PLACEHOLDER, literal=True))
        .then(pl.lit(2))
        .otherwise(pl.lit(3))
        .alias("kind")
    ).to_series()
    inside_quotes = pl.int_range(pl.len()) % 2 == 1
    protected = (
        text.str.split('"')
        .list.eval(
            pl.when(inside_quotes)
            .then(pl.element().str.replace_all(",", _PLACEHOLDER, literal=True))
            .otherwise(pl.element())
        )
        .list.join('"')
    )
    splits = (
        text.str.split(","),
        _unquoted(text).str.split(","),
        _unquoted(protected)
        .str.split(",")
        .list.eval(pl.element().str.replace_all(_PLACEHOLDER, ",", literal=True)),
        pl.lit(",")
        .add(text)
        .str.extract_all(_QUOTED_FIELD)
        .list.eval(_unquoted_field(pl.element().str.slice(1))),
    )
    present = kinds.unique().sort().to_list()
    if len(present) <= 1:
        return frame.lazy().with_columns(splits[present[0] if present else 0].alias(FIELDS))
    return pl.concat(
        [frame.filter(kinds == kind).lazy().with_columns(splits[kind].alias(FIELDS)) for kind in present],
        how="vertical",
    )


def _unquoted(record: pl.Expr) -> pl.Expr:
    """Remove the quotes that open and close fields and read ``""`` as ``"``, on a whole record.

    Only for records where no quoted field holds a comma: then ``,"`` always opens a field and
    ``",`` (or a final ``"``) always closes one, so literal replacements suffice; an empty quoted
    field ``,"",`` becomes ``,",`` then ``,,``.
    """
    return (
        record.str.replace_all(',"', ",", literal=True)
        .str.replace_all('",', ",", literal=True)
        .str.strip_suffix('"')
        .str.replace_all('""', '"', literal=True)
    )


def _unquoted_field(text: pl.Expr) -> pl.Expr:
    """One field without its surrounding quotes and with ``""`` read as ``"`` (plain fields unchanged)."""
    is_quoted = text.str.starts_with('"') & text.str.ends_with('"') & (text.str.len_bytes() >= 2)
    inner = text.str.slice(1, text.str.len_chars() - 2).str.replace_all('""', '"', literal=True)
    return pl.when(is_quoted).then(inner).otherwise(text)


def field(position: int | pl.Expr) -> pl.Expr:
    """The field at a 0-based position, null when it is empty or the record is shorter."""
    value = pl.col(FIELDS).list.get(position, null_on_oob=True)
    return pl.when(value != "").then(value)


def ip_text(text: pl.Expr) -> pl.Expr:
    """A valid IPv4 (no leading zeros) or IPv6 address, lower-cased; anything else is null.

    Only text with a colon (IPv6) is lower-cased: IPv4 text has no letters.
    """
    lowered = pl.coalesce(pl.when(text.str.contains(":", literal=True)).then(text).str.to_lowercase(), text)
    return pl.when(text.str.contains(_IP)).then(lowered)


def byte_slice(text: pl.Expr, offset: pl.Expr | int, length: pl.Expr | int | None = None) -> pl.Expr:
    """``length`` bytes (all when None) of ``text`` from byte ``offset``: ``str.find`` counts bytes
    and ``str.slice`` characters, so offsets found with ``str.find`` are sliced with this. The
    offsets must fall between characters (they do at an ASCII character that was found)."""
    return text.cast(pl.Binary).bin.slice(offset, length).cast(pl.String)
