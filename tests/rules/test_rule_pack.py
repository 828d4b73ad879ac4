"""The whole rule pack at once (as elastic/detection-rules does): schema, ids, ATT&CK, tests pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from seclake.detection.casetest import run_case
from seclake.detection.engine import RULES_DIR, load_rules
from seclake.detection.lint import lint

RULES, PROBLEMS = load_rules(RULES_DIR)
CASES = [(rule, case) for _, rule in RULES for case in rule.tests]


def test_every_rule_file_loads() -> None:
    assert PROBLEMS == []


def test_pack_is_broad_and_ids_are_unique() -> None:
    ids = [rule.id for _, rule in RULES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 25, f"only {len(ids)} rules"
    families = {path.parent.name for path, _ in RULES}
    assert {"firewall", "antivirus", "cross"} <= families


def test_rules_sit_in_their_family_folder_named_after_their_id() -> None:
    prefixes = {"firewall": "fw-", "antivirus": "av-", "cross": "x-"}
    for path, rule in RULES:
        assert path.stem == rule.id
        family = path.relative_to(RULES_DIR).parts[0]
        if family in prefixes:
            assert rule.id.startswith(prefixes[family]), path


def test_every_rule_has_positive_and_negative_cases() -> None:
    for _, rule in RULES:
        assert any(c.expect.alerts > 0 for c in rule.tests), rule.id
        assert any(c.expect.alerts == 0 for c in rule.tests), rule.id


def test_lint_is_clean() -> None:
    assert lint(RULES_DIR) == []


@pytest.mark.parametrize(("rule", "case"), CASES, ids=[f"{r.id}: {c.name}" for r, c in CASES])
def test_rule_case(rule, case) -> None:
    result = run_case(rule, case)
    assert result.passed, result.detail


def test_rules_readme_documents_the_format() -> None:
    text = (RULES_DIR / "README.md").read_text(encoding="utf-8")
    for word in ("threshold:", "sql:", "tests:", "intel_bad_ips", "in_cidr"):
        assert word in text
    assert Path(RULES_DIR / "schema.json").exists()
