"""The pySigma processing pipeline: Sigma field names and values → seclake event columns.

One transformation, driven by the log source's entry of ``sigma/fieldmap.yml``: each detection
item's field becomes its column (or ``extra.<key>``); a field with a value map is split into the
translated values compared with ``column`` (OR-linked) and the other values compared with
``otherwise`` as written. A field the entry cannot map stops the conversion with a
``SigmaTransformationError`` naming the field: a field is never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from sigma.conditions import ConditionOR
from sigma.exceptions import SigmaTransformationError
from sigma.processing.pipeline import ProcessingItem, ProcessingPipeline
from sigma.processing.transformations.base import DetectionItemTransformation
from sigma.rule import SigmaDetection, SigmaDetectionItem
from sigma.types import SigmaBool, SigmaNumber, SigmaString, SigmaType

from seclake.sigma.fieldmap import FieldRule, LogSource


def _plain(value: SigmaType) -> str | None:
    """The text of a value a value map can translate (no wildcards, no modifier type), else None."""
    if isinstance(value, SigmaString) and type(value) is SigmaString and not value.contains_special():
        return str(value)
    if isinstance(value, SigmaNumber | SigmaBool):
        return str(value.number if isinstance(value, SigmaNumber) else value.boolean).lower()
    return None


def _item(field: str, values: list[SigmaType], like: SigmaDetectionItem) -> SigmaDetectionItem:
    return SigmaDetectionItem(
        field, [], values, value_linking=like.value_linking, source=like.source, auto_modifiers=False
    )


@dataclass
class SeclakeFieldMapping(DetectionItemTransformation):
    """Map each detection item's field (and value, where the field has a value map) to seclake."""

    source: LogSource

    def _rule(self, field: str) -> FieldRule:
        rule = self.source.field_rule(field)
        if rule is None:
            raise SigmaTransformationError(
                f"field {field!r} has no seclake column for logsource ({self.source.label()})"
            )
        return rule

    def apply_detection_item(self, detection_item: SigmaDetectionItem) -> SigmaDetection | SigmaDetectionItem:
        if detection_item.field is None:  # a keyword: the backend searches message and raw
            return detection_item
        rule = self._rule(detection_item.field)
        if not rule.values or detection_item.value_linking is not ConditionOR:
            return _item(rule.column, detection_item.value, detection_item)
        translated: list[SigmaType] = []
        untranslated: list[SigmaType] = []
        for value in detection_item.value:
            text = _plain(value)
            mapped = rule.translate(text) if text is not None else None
            if mapped is None:
                untranslated.append(value)
            else:
                translated += [SigmaString(v) for v in mapped if SigmaString(v) not in translated]
        parts = [_item(rule.column, translated, detection_item)] if translated else []
        if untranslated:
            parts.append(_item(rule.otherwise or rule.column, untranslated, detection_item))
        return parts[0] if len(parts) == 1 else SigmaDetection(parts, item_linking=ConditionOR)


def seclake_pipeline(source: LogSource) -> ProcessingPipeline:
    """The pipeline that maps a rule of ``source``'s log source onto seclake's columns."""
    return ProcessingPipeline(
        name=f"seclake ({source.label()})",
        priority=20,
        items=[ProcessingItem(identifier="seclake_fields", transformation=SeclakeFieldMapping(source))],
    )
