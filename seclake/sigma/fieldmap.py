"""The editable mapping from Sigma's log sources and fields to seclake's events (``sigma/fieldmap.yml``).

``load_fieldmap`` reads and validates the file; ``FieldMap.source_for`` picks the entry of a
rule's logsource (the first whose ``match`` keys all equal the rule's, lower-case). An entry says
which event classes the converted rule reads, its entity and window, the column values every
event of the source has (``require``), how each Sigma field maps (a column, ``extra.<key>``, or a
column with a value map), and what an unlisted field becomes (``extra`` or ``report``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from seclake.detection.attack import check_tactic, check_technique
from seclake.durations import parse_duration
from seclake.schema import EVENT_CLASSES, EVENT_COLUMN_NAMES

FIELDMAP_PATH = Path(__file__).resolve().parents[2] / "sigma" / "fieldmap.yml"
EXTRA_PREFIX = "extra."


def _check_target(value: str) -> str:
    """A field target: an event column or ``extra.<key>``."""
    if value in EVENT_COLUMN_NAMES or (value.startswith(EXTRA_PREFIX) and len(value) > len(EXTRA_PREFIX)):
        return value
    raise ValueError(f"{value!r} is neither an event column nor extra.<key>")


def _check_class(value: str) -> str:
    if value not in EVENT_CLASSES:
        raise ValueError(f"{value!r} is not an event class")
    return value


Target = Annotated[str, AfterValidator(_check_target)]
Scalar = str | int | float | bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldRule(_Strict):
    """A Sigma field compared with ``column``; plain values listed in ``values`` are translated first."""

    column: Target
    values: dict[str, Scalar | list[Scalar]] = {}
    otherwise: Target | None = Field(None, description="column for values not listed (default: column)")

    def translate(self, value: str) -> list[str] | None:
        """The seclake values of a Sigma value (matched case-insensitively), or None when not listed."""
        for key, mapped in self.values.items():
            if key.lower() == value.lower():
                return [str(v) for v in (mapped if isinstance(mapped, list) else [mapped])]
        return None


class LogSource(_Strict):
    match: dict[Literal["category", "product", "service"], str] = Field(min_length=1)
    reads: list[Annotated[str, AfterValidator(_check_class)]] = Field(min_length=1)
    entity: Annotated[str, AfterValidator(_check_target)]
    window: Annotated[str, AfterValidator(lambda v: (parse_duration(v), v)[1])]
    require: dict[str, Scalar | list[Scalar]] = {}
    unmapped: Literal["extra", "report"]
    fields: dict[str, Target | FieldRule] = {}

    def field_rule(self, name: str) -> FieldRule | None:
        """How a Sigma field maps here; None when it has no column (and ``unmapped`` is ``report``)."""
        target = self.fields.get(name)
        if isinstance(target, FieldRule):
            return target
        if target is not None:
            return FieldRule(column=target)
        return FieldRule(column=EXTRA_PREFIX + name) if self.unmapped == "extra" else None

    def label(self) -> str:
        return ", ".join(f"{key}: {value}" for key, value in self.match.items())


class Attack(_Strict):
    tactics: list[Annotated[str, AfterValidator(check_tactic)]] = []
    techniques: list[Annotated[str, AfterValidator(check_technique)]] = []


class FieldMap(_Strict):
    logsources: list[LogSource]
    tactics: dict[str, Annotated[str, AfterValidator(check_tactic)]]
    attack: dict[str, Attack] = {}

    def source_for(self, logsource: dict[str, str]) -> LogSource | None:
        """The entry for a rule's logsource (keys category/product/service), or None."""
        given = {key: str(value).lower() for key, value in logsource.items() if value}
        for source in self.logsources:
            if all(given.get(key) == value.lower() for key, value in source.match.items()):
                return source
        return None


def load_fieldmap(path: Path = FIELDMAP_PATH) -> FieldMap:
    """Read and validate the field mapping (pydantic's ValidationError names the bad key)."""
    return FieldMap.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
