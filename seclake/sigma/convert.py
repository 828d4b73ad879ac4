"""Convert Sigma rules (files or folders) into seclake rule files: ``seclake rules import-sigma``.

For each Sigma rule: the log source picks the entry of ``sigma/fieldmap.yml``; the detection is
converted by ``SeclakeBackend`` through the ``seclake_pipeline`` of that entry; the rule becomes
a normal seclake rule (``rules/schema.json``): id ``sigma-<file name>``, title, description,
severity from ``level``, ``mitre`` from the ``attack.*`` tags, ``author`` and ``references`` as
written, ``sigma: {id, file}`` as provenance. Bodies:

- a plain rule is a ``threshold:`` of one event (``count: '*' >= 1``) grouped by the log
  source's entity within its window: one alert per entity and episode, like
  ``rules/antivirus/av-detection.yml``;
- ``event_count``/``value_count`` with one comparison are ``threshold:`` rules (the engine's
  sliding-window compiler); ``temporal``, ``temporal_ordered``, ranges and ``neq`` are ``sql:``
  from ``seclake.sigma.correlation``. Referenced rules are not written on their own unless they
  say ``generate: true``.

Test cases come from ``seclake.sigma.cases`` or from ``seclake: {tests: [...]}`` in the Sigma
file. A rule that cannot be converted (a field we do not have, an unsupported modifier, the
pre-2.0 aggregation syntax, ...) is reported with the reason; nothing is dropped silently.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule, SigmaCorrelationType
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule, SigmaRuleBase
from sigma.types import SigmaRuleLocation

from seclake.detection.engine import RULES_DIR
from seclake.detection.rule import Rule
from seclake.schema import EVENT_COLUMN_NAMES
from seclake.sigma import cases
from seclake.sigma.backend import SeclakeBackend, column_sql, sql_string
from seclake.sigma.correlation import OPERATORS, Correlation, correlation_sql
from seclake.sigma.fieldmap import FieldMap, LogSource, load_fieldmap
from seclake.sigma.pipeline import seclake_pipeline

DEFAULT_OUT = RULES_DIR / "sigma"
LEVELS = {"informational": "info", "low": "low", "medium": "medium", "high": "high", "critical": "critical"}
STATUSES = {"stable": "stable", "test": "test", "experimental": "experimental", "deprecated": "deprecated"}
THRESHOLD_OPS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "eq": "="}
_TECHNIQUE_TAG = re.compile(r"^attack\.(t\d{4}(\.\d{3})?)$")


class NotConvertible(Exception):
    """A rule seclake cannot run; the message says why."""


@dataclass
class Converted:
    """A converted rule: its seclake id, the rule file's data and what the import noted."""

    source: str
    rule_id: str
    data: dict[str, Any]
    notes: list[str] = field(default_factory=list)


@dataclass
class Rejected:
    """A Sigma rule (or file) that was not converted, and why."""

    source: str
    title: str
    reason: str


@dataclass
class ImportReport:
    converted: list[Converted] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)


@dataclass
class _Search:
    """A referenced or plain rule, converted: its log source and full SQL condition."""

    rule: SigmaRule
    source: LogSource
    where: str
    witness: dict[str, Any] | None


def sigma_files(paths: list[Path]) -> list[Path]:
    """The Sigma files among ``paths`` (files, or folders searched recursively), sorted."""
    found: list[Path] = []
    for path in paths:
        found += [path] if path.is_file() else [p for p in path.rglob("*") if p.suffix in (".yml", ".yaml")]
    return sorted(set(found))


def rule_id(path: Path, taken: set[str]) -> str:
    """``sigma-<file name>`` in a-z 0-9 -, unique among ``taken``."""
    base = "sigma-" + re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    base = base[:72].rstrip("-")
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _ranges(doc: dict[str, Any]) -> list[tuple[str, Any]] | None:
    """A correlation condition with several comparisons (a range) as (op, value) pairs; pySigma takes one."""
    condition = (doc.get("correlation") or {}).get("condition")
    if not isinstance(condition, dict):
        return None
    ops = [(key, value) for key, value in condition.items() if key in OPERATORS]
    if len(ops) < 2:
        return None
    doc["correlation"]["condition"] = {k: v for k, v in condition.items() if k not in OPERATORS} | dict(
        ops[:1]
    )
    return ops


class _Importer:
    def __init__(self, fieldmap: FieldMap, root: Path | None) -> None:
        self.fieldmap = fieldmap
        self.root = root
        self.report = ImportReport()
        self.docs: dict[int, dict[str, Any]] = {}
        self.paths: dict[int, Path] = {}
        self.ranges: dict[int, list[tuple[str, Any]]] = {}
        self.taken: set[str] = set()

    # --- loading -----------------------------------------------------------------------------
    def load(self, files: list[Path]) -> SigmaCollection:
        collections = []
        for path in files:
            try:
                docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
                self.report.rejected.append(Rejected(str(path), path.name, f"not readable YAML: {exc}"))
                continue
            if not all(isinstance(d, dict) for d in docs):
                self.report.rejected.append(Rejected(str(path), path.name, "not a Sigma rule (a mapping)"))
                continue
            ranges = [_ranges(d) for d in docs]
            collection = SigmaCollection.from_dicts(
                docs, collect_errors=True, source=SigmaRuleLocation(path), resolve_references=False
            )
            for rule, doc, found in zip(collection.rules, docs, ranges, strict=False):
                self.docs[id(rule)], self.paths[id(rule)] = doc, path
                if found:
                    self.ranges[id(rule)] = found
            collections.append(collection)
        merged = SigmaCollection.merge(collections) if collections else SigmaCollection([])
        try:
            merged.resolve_rule_references()
        except SigmaError as exc:
            self.report.rejected.append(Rejected("(collection)", "rule references", str(exc)))
        return merged

    def shown(self, rule: SigmaRuleBase) -> str:
        path = self.paths.get(id(rule))
        if path is None:
            return "?"
        if self.root is not None and path.is_relative_to(self.root):
            return path.relative_to(self.root).as_posix()
        return str(path)

    # --- conversion --------------------------------------------------------------------------
    def search(self, rule: SigmaRule) -> _Search:
        if rule.errors:
            raise NotConvertible("; ".join(str(e) for e in rule.errors))
        logsource = {
            "category": rule.logsource.category,
            "product": rule.logsource.product,
            "service": rule.logsource.service,
        }
        source = self.fieldmap.source_for(logsource)
        if source is None:
            shown = ", ".join(f"{k}: {v}" for k, v in logsource.items() if v)
            raise NotConvertible(
                f"no seclake log source for logsource ({shown}); add one to sigma/fieldmap.yml"
            )
        backend = SeclakeBackend(processing_pipeline=seclake_pipeline(source), collect_errors=True)
        output, rule._output = (
            rule._output,
            True,
        )  # a correlation's referenced rule is converted as part of it
        try:
            queries = backend.convert_rule(rule)
        finally:
            rule._output = output
        if backend.errors:
            raise NotConvertible("; ".join(str(error) for _, error in backend.errors))
        if not queries:
            raise NotConvertible("the detection converts to no condition")
        detection = queries[0] if len(queries) == 1 else " OR ".join(f"({q})" for q in queries)
        require = [
            f"{column_sql(column)} IN ({', '.join(sql_string(str(v)) for v in values)})"
            if isinstance(values, list)
            else f"{column_sql(column)} = {sql_string(str(values))}"
            for column, values in source.require.items()
        ]
        where = " AND ".join([*require, f"({detection})"]) if require else detection
        try:
            found = cases.witness(rule.detection.parsed_condition[0].parse()) if len(queries) == 1 else None
        except (cases.NoWitness, SigmaError, IndexError, KeyError):
            found = None
        return _Search(rule, source, where, found)

    def header(self, rule: SigmaRuleBase, reads: list[str], entity: str, window: str) -> dict[str, Any]:
        tactics, techniques = [], []
        for tag in rule.tags:
            text = f"{tag.namespace}.{tag.name}".lower()
            if (match := _TECHNIQUE_TAG.match(text)) is not None:
                techniques.append(match.group(1).upper())
            elif tag.namespace == "attack" and tag.name.lower().replace("_", "-") in self.fieldmap.tactics:
                tactics.append(self.fieldmap.tactics[tag.name.lower().replace("_", "-")])
        fill = self.fieldmap.attack.get(str(rule.id))
        tactics = list(dict.fromkeys(tactics or (fill.tactics if fill else [])))
        techniques = list(dict.fromkeys(techniques or (fill.techniques if fill else [])))
        if not tactics or not techniques:
            raise NotConvertible(
                "no ATT&CK "
                + ("tactic" if not tactics else "technique")
                + " tag (seclake rules need both; add the rule's id under attack: in sigma/fieldmap.yml)"
            )
        description = " ".join((rule.description or "").split()) or rule.title
        if len(description) < 20:
            description = f"{rule.title}. {description}"
        data = {
            "id": rule_id(self.paths[id(rule)], self.taken),
            "title": rule.title,
            "status": STATUSES.get(str(rule.status).lower() if rule.status else "", "experimental"),
            "description": description,
            "author": rule.author,
            "severity": LEVELS[str(rule.level).lower()] if rule.level else "medium",
            "mitre": {"tactics": tactics, "techniques": techniques},
            "reads": reads,
            "entity": entity,
            "window": window,
            "tags": [
                "sigma",
                *[
                    t
                    for t in (
                        getattr(rule, "logsource", None)
                        and [rule.logsource.category, rule.logsource.product, rule.logsource.service]
                    )
                    or []
                    if t
                ],
            ],
            "false_positives": [
                str(f) for f in rule.falsepositives or [] if str(f).lower() not in ("unknown", "unlikely")
            ],
            "references": [str(r) for r in rule.references or []],
            "sigma": {"id": str(rule.id), "file": self.shown(rule)},
        }
        return {k: v for k, v in data.items() if v not in (None, [])}

    def plain(self, rule: SigmaRule) -> Converted:
        found = self.search(rule)
        source = found.source
        data = self.header(rule, list(source.reads), source.entity, source.window)
        data["threshold"] = {
            "where": found.where,
            "group_by": [source.entity],
            "count": "*",
            "op": ">=",
            "value": 1,
            "within": source.window,
        }
        generated = (
            cases.plain_cases(found.witness, cases.base_event(source.require, source.entity), source.entity)
            if found.witness is not None
            else []
        )
        return self.finish(rule, data, generated)

    def correlation(self, rule: SigmaCorrelationRule) -> Converted:
        if rule.errors:
            raise NotConvertible("; ".join(str(e) for e in rule.errors))
        kinds = {
            SigmaCorrelationType.EVENT_COUNT: "count",
            SigmaCorrelationType.VALUE_COUNT: "distinct",
            SigmaCorrelationType.TEMPORAL: "temporal",
            SigmaCorrelationType.TEMPORAL_ORDERED: "ordered",
        }
        if rule.type not in kinds:
            raise NotConvertible(f"correlation type {rule.type} is not supported")
        if len(rule.aliases):
            raise NotConvertible("correlation field aliases are not supported")
        referenced = [ref.rule for ref in rule.rules]
        if any(isinstance(r, SigmaCorrelationRule) for r in referenced):
            raise NotConvertible("a correlation of correlations is not supported")
        searches = [self.search(r) for r in referenced]
        group_by = [self.column(field_name, searches) for field_name in rule.group_by or []] or ["org"]
        conditions = self.ranges.get(id(rule)) or [(rule.condition.op.name.lower(), rule.condition.count)]
        distinct = None
        if rule.type is SigmaCorrelationType.VALUE_COUNT:
            distinct = self.column(rule.condition.fieldref, searches)
        reads = list(dict.fromkeys(c for s in searches for c in s.source.reads))
        timespan = rule.timespan.spec if rule.timespan.unit in "smhd" else f"{rule.timespan.seconds}s"
        data = self.header(rule, reads, group_by[0], timespan)
        kind = kinds[rule.type]
        (op, value), *more = conditions
        if (
            kind in ("count", "distinct")
            and not more
            and op in THRESHOLD_OPS
            and isinstance(value, int)
            and value >= 1
        ):
            data["threshold"] = {
                "where": " OR ".join(f"({s.where})" for s in searches)
                if len(searches) > 1
                else searches[0].where,
                "group_by": group_by,
                **({"count": "*"} if kind == "count" else {"distinct": distinct}),
                "op": THRESHOLD_OPS[op],
                "value": value,
                "within": timespan,
            }
        else:
            spec = Correlation(
                searches=[(s.rule.title, s.where) for s in searches],
                group_by=group_by,
                within_s=rule.timespan.seconds,
                timespan=timespan,
                measure=kind,
                conditions=conditions,
                distinct=distinct,
            )
            data["sql"] = correlation_sql(spec, group_by[0]).strip() + "\n"
        generated = []
        if (
            kind == "count"
            and not more
            and op in ("gte", "gt")
            and len(searches) == 1
            and searches[0].witness is not None
        ):
            source = searches[0].source
            base = cases.base_event(source.require, group_by[0])
            generated = cases.count_cases(
                searches[0].witness, base, group_by[0], value + (op == "gt"), rule.timespan.seconds
            )
        return self.finish(rule, data, generated)

    def column(self, name: str | None, searches: list[_Search]) -> str:
        """A correlation field as an event column (it must map to the same column in every search)."""
        targets = set()
        for search in searches:
            mapped = search.source.field_rule(name) if name else None
            if mapped is None or mapped.column not in EVENT_COLUMN_NAMES:
                raise NotConvertible(f"correlation field {name!r} has no seclake column")
            targets.add(mapped.column)
        if len(targets) != 1:
            raise NotConvertible(f"correlation field {name!r} maps to different columns {sorted(targets)}")
        return targets.pop()

    def finish(self, rule: SigmaRuleBase, data: dict[str, Any], generated: list[dict[str, Any]]) -> Converted:
        extra = (self.docs.get(id(rule)) or {}).get("seclake") or {}
        own = extra.get("tests") or []
        if "enabled" in extra:
            data["enabled"] = bool(extra["enabled"])
        notes: list[str] = []
        kept, notes = cases.passing(data, generated) if generated else ([], [])
        data["tests"] = own + kept
        if not any(c["expect"]["alerts"] > 0 for c in data["tests"]) or not any(
            c["expect"]["alerts"] == 0 for c in data["tests"]
        ):
            notes.append(
                "no positive and negative test case could be generated: write them under seclake: tests:"
            )
        Rule.model_validate(data)
        self.taken.add(data["id"])
        return Converted(self.shown(rule), data["id"], data, notes)

    def run(self, collection: SigmaCollection) -> ImportReport:
        correlations = [rule for rule in collection.rules if isinstance(rule, SigmaCorrelationRule)]
        silent = {  # referenced rules are parts of their correlation, unless it says generate: true
            id(ref.rule)
            for rule in correlations
            if not rule.generate
            for ref in rule.rules or []
            if hasattr(ref, "rule")
        }
        for rule in collection.rules:
            if id(rule) in silent:
                continue
            try:
                if isinstance(rule, SigmaCorrelationRule):
                    converted = self.correlation(rule)
                else:
                    converted = self.plain(rule)
            except (NotConvertible, SigmaError, ValueError) as exc:
                reason = " ".join(str(exc).split())
                if "pipe syntax" in reason:
                    reason += " (rewrite it as a Sigma 2 correlation rule, as sigma/seclake/ does for SigmaHQ's unsupported/)"
                self.report.rejected.append(Rejected(self.shown(rule), rule.title, reason))
                continue
            self.report.converted.append(converted)
        return self.report


def convert(paths: list[Path], fieldmap: FieldMap | None = None, root: Path | None = None) -> ImportReport:
    """Convert every Sigma rule in ``paths``; nothing is written. ``root`` shortens the recorded file names."""
    importer = _Importer(fieldmap or load_fieldmap(), root)
    return importer.run(importer.load(sigma_files(paths)))


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line strings as ``|`` blocks, keys in the order given."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def rule_yaml(data: dict[str, Any]) -> str:
    """A converted rule as the text of a rule file."""
    head = f"# Converted from Sigma by `seclake rules import-sigma` ({data['sigma']['file']}); edit the Sigma rule and re-import.\n"
    return head + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110)


def import_sigma(paths: list[Path], out_dir: Path = DEFAULT_OUT, root: Path | None = None) -> ImportReport:
    """Convert the Sigma rules in ``paths`` and write one rule file per converted rule into ``out_dir``.

    Each rule records its Sigma file relative to ``root`` (default: the folder holding the paths).
    """
    if root is None and paths:
        root = Path(os.path.commonpath([p.resolve().parent for p in paths]))
    report = convert([p.resolve() for p in paths], root=root.resolve() if root else None)
    out_dir.mkdir(parents=True, exist_ok=True)
    for converted in report.converted:
        target = out_dir / f"{converted.rule_id}.yml"
        target.write_text(rule_yaml(converted.data), encoding="utf-8")
        report.written.append(target)
    return report
