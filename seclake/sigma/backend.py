"""The pySigma backend that turns a Sigma detection into a DuckDB condition over seclake's events.

Built on pySigma's ``TextQueryBackend`` (boolean structure, precedence, grouping); every leaf is
written here, typed by the event schema. The fields it sees are already seclake columns or
``extra.<key>`` (the ``seclake.sigma.pipeline`` mapping). Semantics:

- strings compare case-insensitively (``= 'v' COLLATE NOCASE``; with wildcards ``ILIKE … ESCAPE
  '\\'``); ``|cased`` compares exactly (``=``/``LIKE``). Sigma ``*``/``?`` become ``%``/``_`` and
  a literal ``%``, ``_`` or ``\\`` is escaped; quotes are doubled in every literal;
- integer and float columns compare with numbers (``dst_port = 80``, never ``'80'``); a value
  with wildcards matches the number's text; a value that is not a number is an error;
  ``extra`` values are text (``extra['cfgpath']``), compared as numbers only by ``|gt`` & co
  (``TRY_CAST … AS DOUBLE``);
- ``|re`` is ``regexp_matches`` (RE2; Sigma's ``i``/``m``/``s`` flags as ``(?i)`` prefixes),
  ``|cidr`` the ``in_cidr`` macro (IPv4), ``|exists`` and ``null`` are ``IS [NOT] NULL``;
- keywords (values without a field) search ``message`` and ``raw`` (contains, case-insensitive);
- ``not X`` is ``NOT coalesce(X, false)``: a missing field makes ``X`` false, so ``not X`` true
  (Sigma's meaning), where plain SQL would make both unknown.
"""

from __future__ import annotations

import ipaddress
import re
from typing import ClassVar

import pyarrow as pa
from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionItem,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.conversion.base import TextQueryBackend
from sigma.conversion.state import ConversionState
from sigma.exceptions import SigmaFeatureNotSupportedByBackendError, SigmaValueError
from sigma.types import (
    CompareOperators,
    SigmaCasedString,
    SigmaCompareExpression,
    SigmaNumber,
    SigmaRegularExpressionFlag,
    SigmaString,
    SpecialChars,
)

from seclake.schema import EVENT_SCHEMA
from seclake.sigma.fieldmap import EXTRA_PREFIX

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_COMPARE = {
    CompareOperators.LT: "<",
    CompareOperators.LTE: "<=",
    CompareOperators.GT: ">",
    CompareOperators.GTE: ">=",
    CompareOperators.NEQ: "<>",
}
_RE_FLAGS = {
    SigmaRegularExpressionFlag.IGNORECASE: "i",
    SigmaRegularExpressionFlag.MULTILINE: "m",
    SigmaRegularExpressionFlag.DOTALL: "s",
}
KEYWORD_COLUMNS = ("message", "raw")


def sql_string(text: str) -> str:
    """A SQL string literal (quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def _kind(target: str) -> str:
    """``text``, ``integer``, ``float`` or ``time``: how a field's values compare."""
    if target.startswith(EXTRA_PREFIX):
        return "text"
    kind = EVENT_SCHEMA.field(target).type
    if pa.types.is_integer(kind):
        return "integer"
    if pa.types.is_floating(kind):
        return "float"
    return "time" if pa.types.is_timestamp(kind) else "text"


def column_sql(target: str) -> str:
    """The SQL expression of a field target: the column, or ``extra['key']``."""
    if target.startswith(EXTRA_PREFIX):
        return f"extra[{sql_string(target.removeprefix(EXTRA_PREFIX))}]"
    return target


def _plain_text(value: SigmaString) -> str:
    """The value's text without wildcards (placeholders are not supported)."""
    parts = []
    for part in value.s:
        if isinstance(part, str):
            parts.append(part)
        elif part is SpecialChars.WILDCARD_MULTI:
            parts.append("*")
        elif part is SpecialChars.WILDCARD_SINGLE:
            parts.append("?")
        else:
            raise SigmaFeatureNotSupportedByBackendError(f"placeholder {part} is not supported")
    return "".join(parts)


def like_pattern(value: SigmaString) -> str:
    """A LIKE pattern (for ``ESCAPE '\\'``): Sigma wildcards → % and _, literal %, _ and \\ escaped."""
    pattern = []
    for part in value.s:
        if part is SpecialChars.WILDCARD_MULTI:
            pattern.append("%")
        elif part is SpecialChars.WILDCARD_SINGLE:
            pattern.append("_")
        elif isinstance(part, str):
            pattern.append(re.sub(r"([\\%_])", r"\\\1", part))
        else:
            raise SigmaFeatureNotSupportedByBackendError(f"placeholder {part} is not supported")
    return "".join(pattern)


def _string_match(column: str, value: SigmaString, cased: bool) -> str:
    if value.contains_special():
        return f"{column} {'LIKE' if cased else 'ILIKE'} {sql_string(like_pattern(value))} ESCAPE '\\'"
    literal = sql_string(_plain_text(value))
    return f"{column} = {literal}" if cased else f"{column} = {literal} COLLATE NOCASE"


class SeclakeBackend(TextQueryBackend):
    """Sigma detection → a DuckDB boolean expression over the columns of the view ``events``."""

    name: ClassVar[str] = "seclake"
    formats: ClassVar[dict[str, str]] = {"default": "DuckDB condition over seclake events"}
    requires_pipeline: ClassVar[bool] = True

    precedence: ClassVar[tuple[type[ConditionItem], type[ConditionItem], type[ConditionItem]]] = (
        ConditionNOT,
        ConditionAND,
        ConditionOR,
    )
    group_expression: ClassVar[str] = "({expr})"
    token_separator: str = " "
    or_token: ClassVar[str] = "OR"
    and_token: ClassVar[str] = "AND"
    not_token: ClassVar[str] = "NOT"
    eq_token: ClassVar[str] = " = "

    # --- boolean structure -------------------------------------------------------------------
    def convert_condition_not(self, cond: ConditionNOT, state: ConversionState) -> str:
        return f"NOT coalesce({self.convert_condition(cond.args[0], state)}, false)"

    # --- field = value -----------------------------------------------------------------------
    def _field_value(self, cond: ConditionFieldEqualsValueExpression, cased: bool) -> str:
        column, kind, value = column_sql(cond.field), _kind(cond.field), cond.value
        if kind == "time":
            raise SigmaFeatureNotSupportedByBackendError("comparing the event time with a value")
        if kind == "text":
            if isinstance(value, SigmaString):
                return _string_match(column, value, cased)
            text = str(value.number) if isinstance(value, SigmaNumber) else str(value.boolean).lower()
            return _string_match(column, SigmaString(text), cased)
        if isinstance(value, SigmaNumber):
            return f"{column} = {value.number}"
        if isinstance(value, SigmaString):
            if value.contains_special():
                return f"CAST({column} AS VARCHAR) LIKE {sql_string(like_pattern(value))} ESCAPE '\\'"
            text = _plain_text(value).strip()
            if _NUMBER.match(text) and (kind == "float" or "." not in text):
                return f"{column} = {text}"
        raise SigmaValueError(f"{cond.field} holds numbers; {value} is not one")

    def convert_condition_field_eq_val_str(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        return self._field_value(cond, cased=False)

    def convert_condition_field_eq_val_str_case_sensitive(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        return self._field_value(cond, cased=True)

    def convert_condition_field_eq_val_num(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        return self._field_value(cond, cased=False)

    def convert_condition_field_eq_val_bool(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        return self._field_value(cond, cased=False)

    def convert_condition_field_eq_val_re(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        column = column_sql(cond.field)
        text = column if _kind(cond.field) == "text" else f"CAST({column} AS VARCHAR)"
        return f"regexp_matches({text}, {sql_string(self._regex(cond.value))})"

    @staticmethod
    def _regex(value: object) -> str:
        flags = "".join(sorted(_RE_FLAGS[flag] for flag in value.flags))
        return (f"(?{flags})" if flags else "") + value.regexp.to_plain()

    def convert_condition_field_eq_val_cidr(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        network = cond.value.network
        if not isinstance(network, ipaddress.IPv4Network) or _kind(cond.field) != "text":
            raise SigmaFeatureNotSupportedByBackendError(
                f"|cidr {network} (only IPv4 ranges on address columns)"
            )
        return f"in_cidr({column_sql(cond.field)}, {sql_string(str(network))})"

    def convert_condition_field_compare_op_val(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        value: SigmaCompareExpression = cond.value
        column, kind = column_sql(cond.field), _kind(cond.field)
        if kind == "time":
            raise SigmaFeatureNotSupportedByBackendError("comparing the event time with a number")
        operand = f"TRY_CAST({column} AS DOUBLE)" if kind == "text" else column
        return f"{operand} {_COMPARE[value.op]} {value.number.number}"

    def convert_condition_field_eq_field(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        other = cond.value
        if other.starts_with or other.ends_with:
            raise SigmaFeatureNotSupportedByBackendError("|fieldref with |startswith or |endswith")
        left, right = column_sql(cond.field), column_sql(other.field)
        both_text = _kind(cond.field) == _kind(other.field) == "text"
        return f"{left} = {right}" + (" COLLATE NOCASE" if both_text else "")

    def convert_condition_field_eq_val_null(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        return f"{column_sql(cond.field)} IS NULL"

    def convert_condition_field_exists(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        return f"{column_sql(cond.field)} IS NOT NULL"

    def convert_condition_field_not_exists(
        self, cond: ConditionFieldEqualsValueExpression, state: ConversionState
    ) -> str:
        return f"{column_sql(cond.field)} IS NULL"

    def _unsupported(self, cond: object, state: ConversionState) -> str:
        raise SigmaFeatureNotSupportedByBackendError(f"{type(cond.value).__name__} values")

    convert_condition_field_eq_val_timestamp_part = _unsupported
    convert_condition_field_eq_query_expr = _unsupported
    convert_condition_field_eq_expansion = _unsupported
    convert_condition_query_expr = _unsupported

    # --- keywords ----------------------------------------------------------------------------
    def _keyword(self, value: SigmaString) -> str:
        parts = list(value.s)
        if not parts or parts[0] is not SpecialChars.WILDCARD_MULTI:
            parts.insert(0, SpecialChars.WILDCARD_MULTI)
        if parts[-1] is not SpecialChars.WILDCARD_MULTI:
            parts.append(SpecialChars.WILDCARD_MULTI)
        pattern = SigmaString.from_str("")
        pattern.s = tuple(parts)
        cased = isinstance(value, SigmaCasedString)
        return "(" + " OR ".join(_string_match(c, pattern, cased) for c in KEYWORD_COLUMNS) + ")"

    def convert_condition_val_str(self, cond: ConditionValueExpression, state: ConversionState) -> str:
        return self._keyword(cond.value)

    def convert_condition_val_num(self, cond: ConditionValueExpression, state: ConversionState) -> str:
        return self._keyword(SigmaString(str(cond.value.number)))

    def convert_condition_val_re(self, cond: ConditionValueExpression, state: ConversionState) -> str:
        pattern = sql_string(self._regex(cond.value))
        return "(" + " OR ".join(f"regexp_matches({c}, {pattern})" for c in KEYWORD_COLUMNS) + ")"
