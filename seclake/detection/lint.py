"""``seclake rules lint``: every problem of every rule file, each with file and line.

Checks: the file loads and validates (unknown keys, types, ATT&CK ids, event columns), the id
matches the file name and is unique, the SQL parses and binds in DuckDB against the event schema
(so a column that does not exist is named), it returns the columns alerts need, and the rule has
at least one positive and one negative test case.
"""

from __future__ import annotations

from pathlib import Path

from seclake.detection.casetest import CASE_EPOCH
from seclake.detection.engine import rule_sql
from seclake.detection.rule import Rule, RuleError, key_line, load_rule, rule_files
from seclake.detection.sandbox import cache_small_classes, empty_events, open_sandbox, window_events

REQUIRED_COLUMNS = {"entity", "first_seen", "last_seen", "count", "summary"}
_EMPTY_WINDOW = (CASE_EPOCH, CASE_EPOCH)


def _sql_problems(path: Path, rule: Rule) -> list[str]:
    con = open_sandbox(None, None, empty_events())
    try:
        cache_small_classes(con, *_EMPTY_WINDOW)
        window_events(con, *_EMPTY_WINDOW, rule.reads)
        body = rule_sql(rule)
        columns = {
            row[0] for row in con.execute(f"DESCRIBE SELECT * FROM ({body})", rule.params or None).fetchall()
        }
    except Exception as exc:  # DuckDB's parser and binder say what is wrong
        line = key_line(path, "sql" if rule.sql is not None else "threshold")
        return [
            f"{path}:{line}: {'sql' if rule.sql is not None else 'threshold'}: {str(exc).splitlines()[0]}"
        ]
    finally:
        con.close()
    missing = REQUIRED_COLUMNS - columns
    if missing:
        return [f"{path}:{key_line(path, 'sql')}: sql: must return the columns {sorted(missing)}"]
    return []


def _test_problems(path: Path, rule: Rule) -> list[str]:
    line = key_line(path, "tests")
    problems = []
    if not any(case.expect.alerts > 0 for case in rule.tests):
        problems.append(f"{path}:{line}: tests: needs at least one case that expects an alert")
    if not any(case.expect.alerts == 0 for case in rule.tests):
        problems.append(f"{path}:{line}: tests: needs at least one case that expects no alert")
    return problems


def lint(root: Path) -> list[str]:
    """Every problem found below ``root`` (a folder of rules or one file); empty when clean."""
    problems: list[str] = []
    seen: dict[str, Path] = {}
    for path in rule_files(root):
        try:
            rule = load_rule(path)
        except RuleError as exc:
            problems += str(exc).splitlines()
            continue
        if rule.id in seen:
            problems.append(f"{path}:{key_line(path, 'id')}: id: {rule.id!r} is also used by {seen[rule.id]}")
        seen[rule.id] = path
        problems += _sql_problems(path, rule) + _test_problems(path, rule)
    return problems
