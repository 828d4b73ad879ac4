"""Rule files: validation names file, line and key; the JSON Schema matches the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from seclake.detection.lint import lint
from seclake.detection.rule import RuleError, load_rule
from seclake.detection.schema_export import SCHEMA_FILE, rule_json_schema

GOOD = """\
id: test-deny-burst
title: Many denies from one source
description: One address was refused many times in a short span; it is probing the network.
severity: low
mitre: {tactics: [TA0043], techniques: [T1595]}
reads: [network_activity]
entity: src_ip
window: 10m
threshold:
  where: "action = 'deny'"
  group_by: [src_ip]
  count: "*"
  value: 5
  within: 1m
tests:
  - name: five denies alert
    events:
      - {src_ip: 203.0.113.9, action: deny, repeat: 5, every: 5s}
    expect: {alerts: 1, entity: 203.0.113.9, count: 5, first_seen: "+0s"}
  - name: four denies do not
    events:
      - {src_ip: 203.0.113.9, action: deny, repeat: 4, every: 5s}
    expect: {alerts: 0}
"""


def _write(tmp_path: Path, text: str, name: str = "test-deny-burst.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_good_rule_loads_and_lints_clean(tmp_path: Path) -> None:
    rule = load_rule(_write(tmp_path, GOOD))
    assert rule.threshold.count == "*" and rule.window_delta.total_seconds() == 600
    assert rule.lookback_delta == rule.window_delta
    assert lint(tmp_path) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("severity: low", "severity: urgent"), ":4: severity: Input should be"),
        (("reads: [network_activity]", "reads: [network_activity]\ncolour: red"), ":7: colour: unknown key"),
        (("entity: src_ip", "entity: source_address"), ":7: entity: 'source_address' is not an event column"),
        (("TA0043", "TA0099"), ":5: mitre.tactics.0: 'TA0099' is not an ATT&CK Enterprise tactic id"),
        (("T1595]", "X1595]"), ":5: mitre.techniques.0: 'X1595' is not an ATT&CK technique id"),
        (("within: 1m", "within: soon"), ":14: threshold.within: 'soon' is not a duration"),
        (('  count: "*"\n', ""), ":10: threshold: give exactly one of count"),
        (("id: test-deny-burst", "id: other-name"), ":1: id: 'other-name' must match the file name"),
        (("group_by: [src_ip]", "group_by: [dst_ip]"), "entity 'src_ip' must be one of threshold.group_by"),
        # a condition cannot end the engine's query and start a statement of its own
        (
            ("where: \"action = 'deny'\"", "where: \"true); COPY (SELECT 1) TO 'x.csv'; SELECT (1\""),
            ":10: threshold.where: not valid DuckDB SQL",
        ),
    ],
)
def test_bad_rule_names_file_line_and_key(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(RuleError) as caught:
        load_rule(path)
    assert str(path) in str(caught.value)
    assert expected in str(caught.value)


def test_broken_yaml_reports_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("window: 10m", "window: [10m"))
    with pytest.raises(RuleError, match=r"test-deny-burst.yml:\d+: not valid YAML"):
        load_rule(path)


def test_yaml_tags_are_not_executed(tmp_path: Path) -> None:
    path = _write(tmp_path, "!!python/object/apply:os.system ['touch /tmp/seclake-pwned']\n")
    with pytest.raises(RuleError, match="not valid YAML"):
        load_rule(path)
    assert not Path("/tmp/seclake-pwned").exists()


def test_lint_checks_sql_against_the_schema_and_tests(tmp_path: Path) -> None:
    sql_rule = GOOD.replace(
        'threshold:\n  where: "action = \'deny\'"\n  group_by: [src_ip]\n  count: "*"\n  value: 5\n  within: 1m\n',
        "sql: |\n  select src_ip as entity, min(time) as first_seen, max(time) as last_seen, count(*) as count,\n"
        "         'x' as summary from events where acton = 'deny' group by src_ip\n",
    )
    _write(tmp_path, sql_rule)
    no_negative = GOOD.replace("id: test-deny-burst", "id: test-only-positive").split("  - name: four")[0]
    _write(tmp_path, no_negative, "test-only-positive.yml")
    problems = lint(tmp_path)
    assert any("test-deny-burst.yml:9: sql: Binder Error" in p and "acton" in p for p in problems), problems
    assert any(
        "test-only-positive.yml:15: tests: needs at least one case that expects no alert" in p
        for p in problems
    ), problems


def test_shipped_json_schema_matches_the_model() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == rule_json_schema(), (
        "run python -m seclake.detection.schema_export"
    )


SQL_HEADER = GOOD.split("threshold:")[0]


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ("COPY (SELECT * FROM events) TO 'events.csv'", "found: COPY"),
        ("SELECT 1 AS entity; COPY (SELECT 1) TO 'x.csv'", "found: SELECT, COPY"),
        ("ATTACH 'other.duckdb'", "found: ATTACH"),
        ("SET enable_external_access = true", "found: SET"),
        ("SELECT 1) ; COPY (SELECT 1) TO 'x.csv'; SELECT * FROM (SELECT 1", "not valid DuckDB SQL"),
    ],
)
def test_rule_sql_is_one_select_and_nothing_else(tmp_path: Path, body: str, found: str) -> None:
    """Rule SQL runs inside the engine's query in the sandbox, which may write in the org's own
    folders: only a single SELECT is accepted, refused at load with the file, line and key."""
    path = _write(tmp_path, SQL_HEADER + f"sql: |\n  {body}\n")
    with pytest.raises(RuleError) as caught:
        load_rule(path)
    assert f"{path}:9: sql: " in str(caught.value)
    assert found in str(caught.value)
