"""Threshold rules: the early skip of groups that cannot reach the threshold keeps every alert."""

from __future__ import annotations

import pytest
import yaml

from seclake.detection.casetest import run_cases
from seclake.detection.rule import Rule
from tests.detection.test_rule_file import GOOD


def _rule(threshold: dict, tests: list[dict]) -> Rule:
    rule = yaml.safe_load(GOOD)
    rule["threshold"] = {"within": "1m", "group_by": ["src_ip"], **threshold}
    rule["tests"] = tests
    return Rule.model_validate(rule)


def _failures(rule: Rule) -> list[tuple[str, str]]:
    return [(result.case, result.detail) for result in run_cases(rule) if not result.passed]


def test_events_of_a_busy_group_that_do_not_match_are_not_counted() -> None:
    # 203.0.113.9 has 5 denies (enough to be looked at), 20 s apart: at most 4 in any minute;
    # its allowed connections in between must not be counted with them
    rule = _rule(
        {"where": "action = 'deny'", "count": "*", "value": 5},
        [
            {
                "name": "five denies over 80 s with allows in between do not alert",
                "events": [
                    {"src_ip": "203.0.113.9", "action": "deny", "repeat": 5, "every": "20s"},
                    {"time": "+10s", "src_ip": "203.0.113.9", "action": "allow", "repeat": 4, "every": "20s"},
                ],
                "expect": {"alerts": 0},
            },
            {
                "name": "five denies alert next to a quiet source",
                "events": [
                    {"src_ip": "203.0.113.9", "action": "deny", "repeat": 5, "every": "5s"},
                    {"src_ip": "198.51.100.7", "action": "deny", "repeat": 2, "every": "5s"},
                ],
                "expect": {"alerts": 1, "entity": "203.0.113.9", "count": 5, "first_seen": "+0s"},
            },
        ],
    )
    assert _failures(rule) == []


@pytest.mark.parametrize(
    ("op", "value", "events", "alerts"),
    [
        (">", 1, 2, 1),  # more than one: two events alert
        (">", 1, 1, 0),
        (">=", 1, 1, 1),  # every matching group can reach one: no early skip
        ("=", 3, 3, 1),
        ("<", 2, 1, 1),  # below: no early skip either
    ],
)
def test_every_operator_keeps_its_alerts(op: str, value: int, events: int, alerts: int) -> None:
    rule = _rule(
        {"where": "action = 'deny'", "distinct": "dst_port", "op": op, "value": value},
        [
            {
                "name": f"{events} ports {op} {value}",
                "events": [
                    {
                        "src_ip": "203.0.113.9",
                        "dst_port": 1000,
                        "action": "deny",
                        "repeat": events,
                        "every": "5s",
                        "step": {"dst_port": 1},
                    }
                ],
                "expect": {"alerts": alerts},
            }
        ],
    )
    assert _failures(rule) == []
