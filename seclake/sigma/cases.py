"""Test cases for converted Sigma rules, generated from the rule's own detection.

A plain rule gets a positive case — one event built to satisfy the detection (first branch of
every ``or``, all parts of every ``and``, nothing for a ``not``; a string value with its
wildcards removed, ``|gt 5`` as 6, ``|cidr`` as the network's first address; keywords as the
``message``; the log source's ``require`` values and an entity value) — and a negative case: the
same source and entity with none of the detection's fields. A value no event can be built from
(a regular expression, a field reference) makes the generator try the next ``or`` branch.
An ``event_count`` correlation gets the witness repeated as often as the condition needs,
spread evenly inside the timespan (positive), and once less (negative). Every generated case is run against the converted rule and
kept only when it passes, so a kept case says what the rule does; a rule for which no case can be
generated keeps the cases written in its Sigma file under ``seclake: {tests: [...]}``.
"""

from __future__ import annotations

from typing import Any

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.types import (
    CompareOperators,
    SigmaBool,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaNull,
    SigmaNumber,
    SigmaString,
    SpecialChars,
)

from seclake.detection.casetest import run_case
from seclake.detection.rule import Case, Rule
from seclake.schema import EVENT_SCHEMA
from seclake.sigma.fieldmap import EXTRA_PREFIX

ENTITY_VALUES = {"host": "pc-07", "device": "fw-01", "src_ip": "198.51.100.23", "dst_ip": "203.0.113.5"}


class NoWitness(Exception):
    """No event can be built for this part of the condition."""


def _text(value: SigmaString) -> str:
    return "".join(
        p if isinstance(p, str) else ("x" if p is SpecialChars.WILDCARD_SINGLE else "") for p in value.s
    )


def _sample(field: str, value: object) -> Any:
    integer = not field.startswith(EXTRA_PREFIX) and str(EVENT_SCHEMA.field(field).type).startswith(
        ("int", "uint")
    )
    if isinstance(value, SigmaString):
        text = _text(value)
        return int(text) if integer and text.isdigit() else text
    if isinstance(value, SigmaNumber):
        return value.number if integer else str(value.number)
    if isinstance(value, SigmaBool):
        return str(value.boolean).lower()
    if isinstance(value, SigmaCompareExpression):
        shift = {CompareOperators.GT: 1, CompareOperators.LT: -1, CompareOperators.NEQ: 1}.get(value.op, 0)
        number = value.number.number + shift
        return number if integer else str(number)
    if isinstance(value, SigmaCIDRExpression):
        return str(next(value.network.hosts(), value.network.network_address))
    if isinstance(value, SigmaExists) and value.exists:
        return "x"
    raise NoWitness(type(value).__name__)


def _merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if key == "message" and key in merged:
                merged[key] = f"{merged[key]} {value}"
            elif key == "extra":
                merged.setdefault("extra", {}).update(value)
            elif key in merged and merged[key] != value:
                raise NoWitness(f"{key} needs two values")
            else:
                merged[key] = value
    return merged


def witness(node: object) -> dict[str, Any]:
    """Column values of an event that satisfies the (mapped) condition tree; NoWitness when none is found."""
    if isinstance(node, ConditionOR):
        for arg in node.args:
            try:
                return witness(arg)
            except NoWitness:
                continue
        raise NoWitness("no branch")
    if isinstance(node, ConditionAND):
        return _merge([witness(arg) for arg in node.args])
    if isinstance(node, ConditionNOT):
        return {}
    if isinstance(node, ConditionValueExpression):
        if not isinstance(node.value, SigmaString | SigmaNumber):
            raise NoWitness("keyword")
        return {
            "message": _text(node.value) if isinstance(node.value, SigmaString) else str(node.value.number)
        }
    if isinstance(node, ConditionFieldEqualsValueExpression):
        if isinstance(node.value, SigmaNull) or (
            isinstance(node.value, SigmaExists) and not node.value.exists
        ):
            return {}
        value = _sample(node.field, node.value)
        if node.field.startswith(EXTRA_PREFIX):
            return {"extra": {node.field.removeprefix(EXTRA_PREFIX): str(value)}}
        return {node.field: value}
    raise NoWitness(type(node).__name__)


def base_event(require: dict[str, Any], entity: str) -> dict[str, Any]:
    """The log source's required values and an entity value: every case event starts from these."""
    event = {key: value[0] if isinstance(value, list) else value for key, value in require.items()}
    event.setdefault(entity, ENTITY_VALUES.get(entity, "test-entity"))
    return event


def plain_cases(found: dict[str, Any], base: dict[str, Any], entity: str) -> list[dict[str, Any]]:
    """A positive and a negative case for a plain rule from the witness ``found``."""
    event = {"time": "+0s", **base, **found}
    other = {"time": "+0s", **base, "message": "an ordinary event"}
    return [
        {
            "name": "an event built from the Sigma detection alerts",
            "events": [event],
            "expect": {"alerts": 1, "entity": str(event[entity])},
        },
        {
            "name": "an event of the same source without the detected values does not alert",
            "events": [other],
            "expect": {"alerts": 0},
        },
    ]


def count_cases(
    found: dict[str, Any], base: dict[str, Any], entity: str, needed: int, within_s: int
) -> list[dict[str, Any]]:
    """An event_count correlation: ``needed`` events spread over the timespan alert, one fewer does not."""
    event = {"time": "+0s", **base, **found, "every": f"{within_s // needed}s"}
    return [
        {
            "name": f"{needed} matching events within the timespan alert",
            "events": [{**event, "repeat": needed}],
            "expect": {"alerts": 1, "entity": str(event[entity]), "count": needed},
        },
        {
            "name": f"{needed - 1} matching events do not alert",
            "events": [{**event, "repeat": needed - 1}],
            "expect": {"alerts": 0},
        },
    ]


def passing(rule_data: dict[str, Any], cases: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The cases the converted rule passes, and a note for each it does not."""
    rule = Rule.model_validate({**rule_data, "tests": []})
    kept, notes = [], []
    for case in cases:
        result = run_case(rule, Case.model_validate(case))
        if result.passed:
            kept.append(case)
        else:
            notes.append(f"generated case {case['name']!r} dropped: {result.detail}")
    return kept, notes
