"""The detection rule model and rule files (``rules/<family>/<id>.yml``, one rule a file).

A rule has a header (id, title, description, severity, ATT&CK mapping, the event classes it
reads, the entity its alerts are about, window and lookback), a body — either ``sql`` (a DuckDB
SELECT over the view ``events``; exactly one SELECT statement, see ``one_select``) or ``threshold`` (a short form compiled to SQL by
``seclake.detection.threshold``) — and its own ``tests``. The model below is also exported as the
JSON Schema ``rules/schema.json`` for editors; a test keeps the two in step.

Rule SQL returns one row per alert with the columns ``entity``, ``first_seen``, ``last_seen``,
``count`` and ``summary``, and may add ``detected_at`` (when the condition was first met; default
``last_seen``) and ``evidence`` (a list of ``{raw_file, raw_line}``; by default the engine takes
the rule's events about the entity between first and last seen). ``params`` are bound as ``$name``.

Files are read with ``yaml.safe_load`` semantics; ``load_rule`` raises ``RuleError`` whose
message names the file, the line and the key of every problem.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import duckdb
import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from seclake.config import Asset
from seclake.detection.attack import check_tactic, check_technique
from seclake.durations import parse_duration
from seclake.schema import EVENT_CLASSES, EVENT_COLUMN_NAMES, SEVERITIES

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""``yaml.safe_load`` semantics, through libyaml when PyYAML has it (7 times faster; detect loads every rule)."""

RULE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,80}$")


def one_select(sql: str) -> str:
    """``sql`` when it is exactly one SELECT statement (a WITH … SELECT counts). Rule SQL is
    embedded in the engine's own query and run in the organisation's sandbox, whose file access
    cannot be made read-only: a second statement (``…); COPY … TO …; SELECT (…``), a COPY,
    ATTACH, SET or PRAGMA is refused here, before anything runs."""
    try:
        kinds = [statement.type for statement in duckdb.extract_statements(sql)]
    except duckdb.Error as exc:
        raise ValueError(f"not valid DuckDB SQL: {str(exc).splitlines()[0]}") from None
    if kinds != [duckdb.StatementType.SELECT]:
        raise ValueError(
            f"must be exactly one SELECT statement, found: {', '.join(k.name for k in kinds) or 'nothing'}"
        )
    return sql


def _check_condition(where: str) -> str:
    one_select(f"SELECT * FROM events WHERE {where}")
    return where


def _check_rule_id(value: str) -> str:
    if not RULE_ID.match(value):
        raise ValueError(f"rule id {value!r}: use 3-81 of a-z, 0-9 and '-'")
    return value


def _check_column(value: str) -> str:
    if value not in EVENT_COLUMN_NAMES:
        raise ValueError(f"{value!r} is not an event column")
    return value


def _check_class(value: str) -> str:
    if value not in EVENT_CLASSES:
        raise ValueError(f"{value!r} is not an event class ({', '.join(EVENT_CLASSES)})")
    return value


Duration = Annotated[str | int, AfterValidator(lambda v: (parse_duration(v), v)[1])]
Column = Annotated[str, AfterValidator(_check_column)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Mitre(_Strict):
    tactics: list[Annotated[str, AfterValidator(check_tactic)]] = Field(min_length=1)
    techniques: list[Annotated[str, AfterValidator(check_technique)]] = Field(min_length=1)


class Threshold(_Strict):
    """Alert when, within any ``within`` span, the events matching ``where`` of one group reach ``value``."""

    where: Annotated[str, AfterValidator(_check_condition)] = Field(
        description="SQL condition over event columns"
    )
    group_by: list[Column] = Field(min_length=1)
    count: Literal["*"] | None = Field(None, description="count events ('*')")
    distinct: Column | None = Field(None, description="count distinct values of this column")
    op: Literal[">", ">=", "=", "<=", "<"] = ">="
    value: int = Field(ge=1)
    within: Duration

    @model_validator(mode="after")
    def _one_measure(self) -> Threshold:
        if (self.count is None) == (self.distinct is None):
            raise ValueError("give exactly one of count: '*' or distinct: <column>")
        return self


class Expect(_Strict):
    alerts: int = Field(ge=0)
    entity: str | None = None
    first_seen: str | None = Field(
        None, description="relative (+5m) or ISO time of the first alert's first_seen"
    )
    count: int | None = None


class Case(_Strict):
    name: str
    assets: list[Asset] = Field(
        [], description="the organisation's inventory for this case (as in seclake.yaml)"
    )
    intel: list[str] = Field([], description="threat-intel entries (IPs, CIDRs) for this case")
    events: list[dict[str, Any]] = Field(
        description="rows; unspecified columns are null; time may be relative (+90s)"
    )
    expect: Expect


class SigmaOrigin(_Strict):
    """Where an imported rule came from (``seclake rules import-sigma``); author and references are the rule's own."""

    id: str = Field(description="the Sigma rule's id (a UUID)")
    file: str = Field(description="the Sigma file it was converted from")


class Rule(_Strict):
    id: Annotated[str, AfterValidator(_check_rule_id)]
    title: str = Field(min_length=5)
    description: str = Field(min_length=20)
    status: Literal["stable", "test", "experimental", "deprecated"] = "experimental"
    version: int = Field(1, ge=1)
    author: str | None = None
    severity: Literal[SEVERITIES]  # type: ignore[valid-type]
    mitre: Mitre
    reads: list[Annotated[str, AfterValidator(_check_class)]] = Field(min_length=1)
    entity: Column
    window: Duration
    lookback: Duration | None = None
    tags: list[str] = []
    false_positives: list[str] = []
    references: list[str] = []
    params: dict[str, int | float | str] = {}
    enabled: bool = True
    sql: Annotated[str, AfterValidator(one_select)] | None = None
    threshold: Threshold | None = None
    tests: list[Case] = []
    sigma: SigmaOrigin | None = None

    @model_validator(mode="after")
    def _one_body(self) -> Rule:
        if (self.sql is None) == (self.threshold is None):
            raise ValueError("give exactly one of sql or threshold")
        if self.threshold and self.entity not in self.threshold.group_by:
            raise ValueError(f"entity {self.entity!r} must be one of threshold.group_by")
        return self

    @property
    def window_delta(self) -> dt.timedelta:
        return parse_duration(self.window)

    @property
    def lookback_delta(self) -> dt.timedelta:
        """How far before the day the rule looks (default: its window)."""
        return parse_duration(self.lookback) if self.lookback is not None else self.window_delta


class RuleError(ValueError):
    """A rule file that cannot be used; the message names file, line and key."""


def _line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (the deepest one that exists)."""
    line = None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            node = next((value for key, value in node.value if key.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
    if node is not None:
        line = node.start_mark.line + 1
    return line


def _key_line(root: yaml.Node | None, loc: tuple) -> int | None:
    """Like ``_line_of`` but for a key that is present in the file (unknown keys)."""
    *parents, last = loc or ("",)
    node = root
    for part in parents:
        if isinstance(node, yaml.MappingNode):
            node = next((value for key, value in node.value if key.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            if key.value == last:
                return key.start_mark.line + 1
    return None


def _describe(path: Path, root: yaml.Node | None, error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        loc = item["loc"]
        where = ".".join(str(p) for p in loc) or "(top level)"
        line = _key_line(root, loc) if item["type"] == "extra_forbidden" else _line_of(root, loc)
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        problems.append(f"{path}:{line or 1}: {where}: {message}")
    return problems


def load_rule(path: Path) -> Rule:
    """Read and validate one rule file; RuleError listing every problem with file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}:1: cannot read: {exc}") from exc
    try:
        root = yaml.compose(text, Loader=LOADER)
        data = yaml.load(text, Loader=LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{mark.line + 1 if mark else 1}"
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise RuleError(
            f"{path}:{where}: not valid YAML: {problem}" + (f" (column {mark.column + 1})" if mark else "")
        ) from exc
    if not isinstance(data, dict):
        raise RuleError(f"{path}:1: a rule file must be a mapping (id, title, ...)")
    try:
        rule = Rule.model_validate(data)
    except ValidationError as exc:
        raise RuleError("\n".join(_describe(path, root, exc))) from exc
    if rule.id != path.stem:
        raise RuleError(
            f"{path}:{_line_of(root, ('id',)) or 1}: id: {rule.id!r} must match the file name {path.stem!r}"
        )
    return rule


def key_line(path: Path, key: str) -> int:
    """The line of a top-level key in a rule file (1 when it cannot be found)."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return 1
    return _key_line(root, (key,)) or 1


def rule_files(root: Path) -> list[Path]:
    """Every rule file below ``root`` (or ``root`` itself when it is a file), sorted."""
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*.yml") if p.is_file())
