"""Space-separated ``key=value`` payloads (FortiGate, SonicWall, Sophos XG): one reader for all.

Syntax read
-----------
A payload is a run of tokens separated by spaces. A token is ``key=value`` or a bare word
(``Unknown (0x0000)`` after ``ether_type=`` in Sophos XG: the words after the first belong to no
key and are skipped). A key is ASCII letters, digits, ``_``, ``.`` and ``-``. A value is:

- ``"..."`` (a double quote opens a quoted value only at the start of a value; inside, ``\\"`` and
  ``\\\\`` are escapes), or ``'...'`` for formats that quote with single quotes too (SonicWall);
- otherwise anything up to the next space (may be empty: ``src_country_code= dst_ip=...``).

Values come out unquoted and unescaped; an empty value is null (the line does not carry it).
A key written twice keeps its **first** value (SonicWall repeats ``msg``).

Quoted text is never a field
----------------------------
Log content is attacker-controlled: ``msg="... srcip=6.6.6.6 ..."`` must not set ``srcip``. Each
key is read with one regex per key; a key is only taken at a token boundary outside quotes:

1. Every line is first checked by one anchored pattern without capture groups (the regex
   engine's DFA, one scan of the line): does the line read as tokens from start to end, with no
   quoted value holding text shaped like a field (`` word=``)? Such a line is *plain*: on it
   the first `` key=`` (or ``key=`` at the start) is at a token boundary, and the fast pattern
   ``[ ]key=(value)``, run on the payload with a space put in front, is exact.
2. Other lines (a quoted value holding `` word=``, an unterminated quote, a stray quote glued to a
   value) are cut once into a *plain head*, the longest start that reads as such tokens
   (``Syntax.plain_head``), and the *rest*. The fast pattern on the head is exact for the same
   reason. Only where the head lacks the key and the rest holds ``key=`` is the key read with an
   anchored pattern that walks the tokens from the start of the payload (the definition: text
   inside a quoted value can never be a key there). Where the walk cannot go on (malformed
   tokens), the keys after that point are null: a field is lost, never invented. A line whose
   only flaw is near its end (the truncated ``appresolvedby="Signature"th=...`` of Sophos
   samples) thus costs about what a plain line does.
3. A *fixed start* (``Syntax.fixed_start``): a format that begins its usual lines with the same
   keys in the same order (FortiOS 6.4/7.x: ``date= time= devname= ... vd=``) gives that run once;
   on the rows whose payload begins exactly with it (one space apart, each value bare or
   ``"..."`` without a backslash as the format writes it), one anchored pattern with a group per
   key reads them all, and the per-key patterns above run only on the other rows (masked). The
   pattern walks whole tokens from the start of the payload, so it takes no text inside a quoted
   value, and where it matches its values are those the per-key patterns read (the first
   occurrence of each key; a quoted ``""`` is null; an empty bare value, an escape, two spaces,
   another order or quoting make the line miss it and go the per-key way): the output does not
   depend on which way a line is read.

Cost (measured, 2 cores, per 100 MB of FortiGate traffic lines, ~43 keys a line): each key's
regex is ~40-55 ms per 215 k lines when the line holds it (~14 ms when it does not) and the
reading is ~70 % of a parse; the plain check ~0.2 s. A fixed start of 11 keys costs 0.2 s instead
of 0.64 s key by key; a pattern stays on the regex engine's fast one-pass path up to 16 groups
(23 groups: 1.3 s), and a second run further on must walk the start again (8 keys: 0.36 s
instead of 0.44 s).
Things that did not pay here: one group with the quotes kept and unquoting after (the
unquoting costs more than the second group), ``str.find`` + slicing (string slices of long
lines cost as much as the regex), tokenising with ``split``/``extract_all``.

The payload is the text after the syslog envelope: ``split_payload`` cuts the line before the
first key the format always writes first (``date=``, ``id=``, ``device=``), and
``read_envelopes`` reads the text before it (RFC 3164 / RFC 5424 / relay header) with
envelope.ENVELOPE once per distinct text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from seclake.parsers.contract import ParseContext
from seclake.parsers.envelope import ENVELOPE, any_time
from seclake.schema import EXTRA_PREFIX

KEY_CHARS = r"A-Za-z0-9_.\-"
_DOUBLE_QUOTED = r'"(?:[^"\\]|\\.)*"'
_SINGLE_QUOTED = r"'[^']*'"
_IPV4 = r"^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$"
_IPV6 = r"^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$"
_IP = f"{_IPV4}|{_IPV6}"
_UNSPECIFIED_IPS = ("0.0.0.0", "::")
PLAIN = "_kv_plain"
"""Column ``read_keys`` leaves on the frame: is the line plain (see the module docstring). Later
calls on the same rows reuse it; drop it with the other working columns."""
_SPACED = "_kv_spaced"
_TAIL = "_kv_tail"
_START = "_kv_start"


@dataclass(frozen=True)
class Syntax:
    """The quoting of one key=value dialect (``single_quotes``: ``'...'`` quotes a value too)."""

    single_quotes: bool = False

    @property
    def _quotes(self) -> str:
        return "\"'" if self.single_quotes else '"'

    @property
    def value(self) -> str:
        """A value: quoted, or bare up to the next space (a quote opens a value only at its start)."""
        quoted = f"{_DOUBLE_QUOTED}|{_SINGLE_QUOTED}" if self.single_quotes else _DOUBLE_QUOTED
        return rf"(?:{quoted}|(?:[^ {self._quotes}][^ ]*)?)"

    @property
    def _token(self) -> str:
        return rf"(?:[{KEY_CHARS}]+={self.value}|[^ {self._quotes}=][^ =]*)"

    @property
    def _tokens_before(self) -> str:
        """Whole tokens from the start of the payload, as few as possible, then a key's boundary."""
        return rf"^[ ]*(?:{self._token}[ ]+)*?"

    @property
    def plain_head(self) -> str:
        """The longest start of a payload that reads as whole tokens none of which is a quoted
        value holding `` word=`` (the whole payload on a plain line, see ``plain_line``).

        One pattern without groups (one DFA pass). A quoted value is read as runs of non-space
        characters and runs that start with a space: after a space and key characters comes a
        space, the closing quote, or a character that is neither ``=`` nor a key character.
        Escapes count only before a non-space (an escaped space could hide `` key=``). The
        tokens of this pattern are read one way only, so the match is the longest such start."""
        body = r'(?:[^"\\ ]|\\[^ ])'
        double = rf'"{body}*(?:[ ][{KEY_CHARS}]*(?:[^"\\ ={KEY_CHARS}]|\\[^ ]){body}*|[ ][{KEY_CHARS}]*)*"'
        quoted = double
        if self.single_quotes:
            single = rf"'[^' ]*(?:[ ][{KEY_CHARS}]*[^' ={KEY_CHARS}][^' ]*|[ ][{KEY_CHARS}]*)*'"
            quoted = f"{double}|{single}"
        value = rf"(?:{quoted}|(?:[^ {self._quotes}][^ ]*)?)"
        token = rf"(?:[{KEY_CHARS}]+={value}|[^ {self._quotes}=][^ =]*)"
        return rf"^[ ]*(?:{token}(?:[ ]+|$))*"

    @property
    def plain_line(self) -> str:
        """The payload reads as tokens from start to end and no quoted value holds `` word=``
        (``plain_head`` to the end)."""
        return self.plain_head + "$"

    @property
    def groups(self) -> tuple[str, ...]:
        """Names of the fields of ``str.extract_groups`` with ``_value_groups``."""
        return ("1", "2", "3") if self.single_quotes else ("1", "2")

    @property
    def _value_groups(self) -> str:
        """A value as groups: the inside of ``"..."``, of ``'...'`` (single-quote dialects), or bare."""
        single = r"|'([^']*)'" if self.single_quotes else ""
        return rf'(?:"((?:[^"\\]|\\.)*)"{single}|([^ {self._quotes}][^ ]*))'

    def fast(self, key: str) -> str:
        """The key's value (groups: ``_value_groups``) in a plain text with a space put in front:
        its first occurrence after a space (the pattern starts with the literal `` key=``, which
        the regex engine finds by a fast substring search)."""
        return rf"[ ]{_escape(key)}={self._value_groups}"

    def fixed_start(self, start: Sequence[tuple[str, bool]], read: Collection[str]) -> str:
        """The payload begins with the keys of ``start`` in this order, one space apart, each value
        bare or ``"..."`` without a backslash as given (``True``: quoted). One group per key of
        ``read``, in order, holding its value; the other keys are walked without a group.

        Anchored at the start and reading whole tokens, it never takes text inside a quoted value
        as a key; where it matches, its groups are the values the per-key patterns read (a bare
        value is never empty here: an empty one sends the line to the per-key patterns). Up to 16
        groups keep the regex engine on its fast one-pass path (see the cost note above)."""
        keys = [k for k, _ in start]
        if len(set(keys)) != len(keys):
            raise ValueError(f"a fixed start names a key twice: {keys}")
        tokens = []
        for key, quoted in start:
            value = r'"([^"\\]*)"' if quoted else rf"([^ {self._quotes}][^ ]*)"
            tokens.append(f"{_escape(key)}={value if key in read else value.replace('(', '(?:', 1)}")
        return "^" + "[ ]".join(tokens) + "(?:[ ]|$)"

    def anchored(self, key: str) -> str:
        """The key's value found by walking whole tokens from the start of the payload (groups:
        ``_value_groups``)."""
        return rf"{self._tokens_before}{_escape(key)}={self._value_groups}"


def _escape(key: str) -> str:
    return key.replace(".", r"\.").replace("-", r"\-")


def column(key: str) -> str:
    """Name of the column ``read_keys`` fills with the value of ``key``."""
    return f"kv.{key}"


def value(key: str) -> pl.Expr:
    """The value of ``key`` read by ``read_keys`` (a column expression)."""
    return pl.col(column(key))


def read_keys(
    frame: pl.DataFrame,
    payload: str,
    keys: Iterable[str],
    syntax: Syntax,
    start: Sequence[tuple[str, bool]] = (),
) -> pl.DataFrame:
    """Add a column ``kv.<key>`` per key: its unquoted value in the payload column, null if absent.

    Rows keep their order. Each key is read with one literal-led pattern on the plain head of the
    payload, and with the anchored walk only on the rows whose rest holds ``key=`` and whose head
    does not (see the module docstring). ``start`` is the fixed start of the dialect's usual lines
    (``Syntax.fixed_start``): on the rows whose payload begins with it, its keys are read from that
    one pattern and the per-key patterns skip those rows. Leaves ``PLAIN`` on the frame for later
    calls.
    """
    keys = [k for k in dict.fromkeys(keys) if column(k) not in frame.columns]
    text = pl.col(payload)
    if PLAIN not in frame.columns:
        frame = frame.with_columns(text.str.contains(syntax.plain_line).fill_null(True).alias(PLAIN))
    if not keys or frame.is_empty():
        return frame.with_columns(pl.lit(None, dtype=pl.String).alias(column(k)) for k in keys)
    frame, started, unread = _with_fixed_start(frame, text, start, keys, syntax)
    frame = _with_plain_head(frame, text, syntax)
    spaced, tail = pl.col(_SPACED), pl.col(_TAIL)

    def rest(k: str, searched: pl.Expr) -> pl.Expr:
        """What the per-key patterns search for ``k``: every row, or the rows the start left."""
        return pl.when(unread).then(searched) if k in started else searched

    read = [k for k in keys if k not in started or unread is not None]  # not read by the start on every row
    frame = frame.with_columns(
        rest(k, spaced).str.extract_groups(syntax.fast(k)).alias(column(k)) for k in read
    )
    if not frame.get_column(PLAIN).all():
        frame = frame.with_columns(
            pl.when(pl.any_horizontal(value(k).struct.field(g).is_not_null() for g in syntax.groups))
            .then(value(k))
            .when(tail.str.contains(f"{k}=", literal=True))
            .then(rest(k, text).str.extract_groups(syntax.anchored(k)))
            .alias(column(k))
            for k in read
        )
    escaped = _escaped_keys(frame, text, read)
    values = {k: _value(value(k), syntax, k in escaped) for k in read}
    for k, field in started.items():
        fixed = pl.col(_START).struct.field(field)
        from_start = pl.when(fixed != "").then(fixed)
        values[k] = pl.coalesce(from_start, values[k]) if k in values else from_start
    return frame.with_columns(values[k].alias(column(k)) for k in keys).drop(
        _SPACED, _TAIL, _START, strict=False
    )


def _with_fixed_start(
    frame: pl.DataFrame, text: pl.Expr, start: Sequence[tuple[str, bool]], keys: list[str], syntax: Syntax
) -> tuple[pl.DataFrame, dict[str, str], pl.Expr | None]:
    """Add ``_kv_start``, the groups of ``Syntax.fixed_start`` (all null where the payload does not
    begin with it). Returns the frame, the group holding each key of ``keys`` it has, and the
    condition of the rows it left (None when it read every row)."""
    captured = [k for k, _ in start if k in keys]
    if not captured:
        return frame, {}, None
    frame = frame.with_columns(text.str.extract_groups(syntax.fixed_start(start, captured)).alias(_START))
    started = {k: str(i) for i, k in enumerate(captured, start=1)}
    unread = frame.get_column(_START).struct.field("1").is_null()
    if unread.all():
        return frame.drop(_START), {}, None
    return frame, started, pl.col(_START).struct.field("1").is_null() if unread.any() else None


def _with_plain_head(frame: pl.DataFrame, text: pl.Expr, syntax: Syntax) -> pl.DataFrame:
    """Add ``_kv_spaced`` (a space, then the payload's plain head) and ``_kv_tail`` (the rest; null
    on plain rows)."""
    if frame.get_column(PLAIN).all():
        return frame.with_columns((pl.lit(" ") + text).alias(_SPACED), pl.lit(None, pl.String).alias(_TAIL))
    other = pl.when(~pl.col(PLAIN)).then(text)
    frame = frame.with_columns(other.str.replace(syntax.plain_head, "").alias(_TAIL))
    head = other.str.head(other.str.len_chars() - pl.col(_TAIL).str.len_chars())
    return frame.with_columns((pl.lit(" ") + pl.coalesce(head, text)).alias(_SPACED))


def _escaped_keys(frame: pl.DataFrame, text: pl.Expr, keys: list[str]) -> set[str]:
    """The keys with a ``"..."`` value holding a backslash (checked only when a payload holds one)."""
    if not frame.select(text.str.contains("\\", literal=True).any()).item():
        return set()
    found = frame.select(
        value(k).struct.field("1").str.contains("\\", literal=True).any().alias(k) for k in keys
    ).row(0)
    return {k for k, has in zip(keys, found, strict=True) if has}


def _value(groups: pl.Expr, syntax: Syntax, unescape: bool) -> pl.Expr:
    """The value from a key's groups (see ``Syntax._value_groups``); empty is null."""
    double = groups.struct.field("1")
    if unescape:
        double = double.str.replace_all(r"\\(.)", "$1")
    fields = [double, groups.struct.field("2")]
    if syntax.single_quotes:
        fields.append(groups.struct.field("3"))
    text = pl.coalesce(fields)
    return pl.when(text != "").then(text)


def extras(keys: Iterable[str]) -> list[pl.Expr]:
    """``extra.<key>`` columns from the values of keys the format does not map to a column."""
    return [value(k).alias(EXTRA_PREFIX + k) for k in keys]


def split_payload(frame: pl.DataFrame, first_keys: Iterable[str]) -> pl.DataFrame:
    """Add ``_envelope`` and ``_payload``: ``raw`` cut before the first of ``first_keys`` at a
    word start. A line without any of them is all envelope (payload null); a line that starts
    with one has an empty envelope (the payload is then ``raw`` itself, not a copy)."""
    raw = pl.col("raw")
    pattern = r"(?:^|[ >])(?:" + "|".join(_escape(k) for k in first_keys) + r")="
    start = frame.select(raw.str.find(pattern)).to_series()
    if (start.fill_null(-1) == 0).all():
        return frame.with_columns(pl.lit("").alias("_envelope"), raw.alias("_payload"))
    found = pl.lit(start)
    at = found + pl.when(raw.str.slice(found, 1).is_in([" ", ">"])).then(1).otherwise(0)
    return frame.with_columns(
        raw.str.slice(0, at).fill_null(raw).alias("_envelope"),
        pl.when(found.is_not_null()).then(raw.str.slice(at)).alias("_payload"),
    )


def read_lines(
    lines: pl.DataFrame,
    first_keys: Iterable[str],
    keys: Iterable[str],
    syntax: Syntax,
    ctx: ParseContext,
    start: Sequence[tuple[str, bool]] = (),
) -> pl.DataFrame:
    """The common start of a key=value parser: cut each line into envelope and payload
    (``split_payload``), read ``keys`` from the payload (``read_keys``, with the fixed ``start``)
    and the envelope's ``_env_pri``/``_env_time``/``_env_host`` (``read_envelopes``)."""
    frame = read_keys(split_payload(lines, first_keys), "_payload", keys, syntax, start)
    envelopes = read_envelopes(frame.get_column("_envelope"), ctx.timezone, ctx.date)
    return pl.concat([frame, envelopes], how="horizontal")


def read_envelopes(envelopes: pl.Series, timezone: str, file_date: dt.date) -> pl.DataFrame:
    """``_env_pri``, ``_env_time`` (UTC) and ``_env_host`` of envelope texts, read once per distinct text.

    Returns one row per input text, in order (nulls for an empty text; no join when all are empty,
    as for lines that start with their payload)."""
    frame = envelopes.to_frame("env")
    distinct = frame.filter(pl.col("env").str.strip_chars() != "").unique()
    if distinct.is_empty():
        return frame.with_columns(
            pl.lit(None, pl.Int32).alias("_env_pri"),
            pl.lit(None, pl.Datetime("us", "UTC")).alias("_env_time"),
            pl.lit(None, pl.String).alias("_env_host"),
        ).drop("env")
    read = distinct.with_columns(pl.col("env").str.extract_groups(ENVELOPE).alias("_e")).unnest("_e")
    read = read.select(
        "env",
        pl.col("pri").cast(pl.Int32, strict=False).alias("_env_pri"),
        any_time(pl.col("time"), timezone, file_date).alias("_env_time"),
        pl.col("host").alias("_env_host"),
    )
    return frame.join(read, on="env", how="left", maintain_order="left").drop("env")


def ip(text: pl.Expr) -> pl.Expr:
    """A canonical IP (IPv4, or IPv6 lower-cased) from a value; null for anything else.

    Sanitised (``x.x.x.x``), impossible (``21.259.351.45``) and unspecified (``0.0.0.0``, ``::``)
    addresses are null."""
    return pl.when(text.str.contains(_IP) & ~text.is_in(_UNSPECIFIED_IPS)).then(text.str.to_lowercase())


def not_ip(text: pl.Expr) -> pl.Expr:
    """The value when ``ip`` rejects it (kept in extra so nothing is lost), else null."""
    return pl.when(ip(text).is_null() & ~text.is_in(_UNSPECIFIED_IPS)).then(text)


def integer(text: pl.Expr) -> pl.Expr:
    """A whole number from a value (null when it is not one)."""
    return text.cast(pl.Int64, strict=False)


def port(text: pl.Expr) -> pl.Expr:
    """A port number 0-65535 from a value."""
    number = integer(text)
    return pl.when((number >= 0) & (number <= 65535)).then(number).cast(pl.Int32)


def lookup(key: pl.Expr, table: Mapping[str, str | None], default: pl.Expr | None = None) -> pl.Expr:
    """A when/then chain over a small table (``replace`` would break streaming): one ``is_in`` per
    distinct result."""
    words_by_result: dict[str | None, list[str]] = {}
    for word, result in table.items():
        words_by_result.setdefault(result, []).append(word)
    otherwise = default if default is not None else pl.lit(None, dtype=pl.String)
    chain = None
    for result, words in words_by_result.items():
        condition = key.is_in(words) if len(words) > 1 else key == words[0]
        then = pl.lit(result, dtype=pl.String)
        chain = pl.when(condition).then(then) if chain is None else chain.when(condition).then(then)
    return otherwise if chain is None else chain.otherwise(otherwise)
