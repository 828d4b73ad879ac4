"""The backend's SQL: golden conditions for representative detections, and their results on small tables."""

from __future__ import annotations

import pytest
from sigma.exceptions import SigmaError

from tests.sigma.helpers import condition, matching

GOLDEN = [
    ("selection: {dst_port: 80}\ncondition: selection", "dst_port = 80"),
    ("selection: {dst_port: '443'}\ncondition: selection", "dst_port = 443"),
    (
        "selection: {dst_port: '44*'}\ncondition: selection",
        "CAST(dst_port AS VARCHAR) LIKE '44%' ESCAPE '\\'",
    ),
    ("selection: {src_ip|cidr: 10.0.0.0/8}\ncondition: selection", "in_cidr(src_ip, '10.0.0.0/8')"),
    ("selection: {dst_port|gte: 1024}\ncondition: selection", "dst_port >= 1024"),
    ('selection: {username: "o\'brien"}\ncondition: selection', "user = 'o''brien' COLLATE NOCASE"),
    ("selection: {username|cased: Admin}\ncondition: selection", "user = 'Admin'"),
    (
        "selection: {username|contains: '100%_a\\b'}\ncondition: selection",
        "user ILIKE '%100\\%\\_a\\\\b%' ESCAPE '\\'",
    ),
    ("selection: {username|startswith|cased: adm}\ncondition: selection", "user LIKE 'adm%' ESCAPE '\\'"),
    ("selection: {username|re: '^ad.*n$'}\ncondition: selection", "regexp_matches(user, '^ad.*n$')"),
    ("selection: {username|re|i: '^ad'}\ncondition: selection", "regexp_matches(user, '(?i)^ad')"),
    ("selection: {username: null}\ncondition: selection", "user IS NULL"),
    ("selection: {username|exists: true}\ncondition: selection", "user IS NOT NULL"),
    (
        "selection: {action: denied}\ncondition: selection",
        "action = 'deny' COLLATE NOCASE OR action = 'drop' COLLATE NOCASE OR action = 'reset' COLLATE NOCASE",
    ),
    ("selection: {action: 2}\ncondition: selection", "vendor_action = '2' COLLATE NOCASE"),
    (
        "selection: {username|contains|all: [a, b]}\ncondition: selection",
        "user ILIKE '%a%' ESCAPE '\\' AND user ILIKE '%b%' ESCAPE '\\'",
    ),
    (
        "selection: {username: x}\nfilter: {dst_port: 22}\ncondition: selection and not filter",
        "user = 'x' COLLATE NOCASE AND NOT coalesce(dst_port = 22, false)",
    ),
    (
        "keywords: ['it''s']\ncondition: keywords",
        "(message ILIKE '%it''s%' ESCAPE '\\' OR raw ILIKE '%it''s%' ESCAPE '\\')",
    ),
]


@pytest.mark.parametrize(("detection", "expected"), GOLDEN)
def test_golden_sql(detection: str, expected: str) -> None:
    assert condition(detection) == expected


def test_product_logsource_reads_extra_for_fields_it_has_no_column_for() -> None:
    where = condition(
        "selection: {action: Add, cfgpath: system.admin}\ncondition: selection", "product: fortigate"
    )
    assert (
        where == "vendor_action = 'Add' COLLATE NOCASE AND extra['cfgpath'] = 'system.admin' COLLATE NOCASE"
    )


@pytest.mark.parametrize(
    ("detection", "message"),
    [
        ("selection: {Signature: x, Nonsense: y}\ncondition: selection", "'Nonsense' has no seclake column"),
        ("selection: {dst_port: http}\ncondition: selection", "dst_port holds numbers"),
        ("selection: {dst_ip|cidr: '2001:db8::/32'}\ncondition: selection", "only IPv4"),
    ],
)
def test_what_cannot_be_converted_is_an_error_naming_it(detection: str, message: str) -> None:
    logsource = "category: antivirus" if "Signature" in detection else "category: firewall"
    with pytest.raises(SigmaError, match=message):
        condition(detection, logsource)


def test_strings_compare_case_insensitively_unless_cased() -> None:
    rows = [{"user": "ADMIN"}, {"user": "admin"}, {"user": None}]
    assert matching(condition("s: {username: Admin}\ncondition: s"), rows) == [1, 2]
    assert matching(condition("s: {username|cased: admin}\ncondition: s"), rows) == [2]


def test_wildcards_and_like_characters_are_told_apart() -> None:
    rows = [{"user": "100%_x"}, {"user": "100ab"}, {"user": "a\\b"}, {"user": "ab"}]
    assert matching(condition("s: {username|contains: '%_'}\ncondition: s"), rows) == [1]
    assert matching(condition("s: {username: '100*'}\ncondition: s"), rows) == [1, 2]
    assert matching(condition("s: {username: 'a\\b'}\ncondition: s"), rows) == [3]
    assert matching(condition("s: {username: 'a?'}\ncondition: s"), rows) == [4]


def test_not_treats_a_missing_field_as_not_matching() -> None:
    rows = [{"user": "x", "dst_port": 22}, {"user": "x", "dst_port": None}, {"user": "x", "dst_port": 80}]
    where = condition("s: {username: x}\nf: {dst_port: 22}\ncondition: s and not f")
    assert matching(where, rows) == [2, 3]
    contains = condition("s: {username|exists: true}\nf: {rule_name|contains: test}\ncondition: s and not f")
    assert matching(contains, [{"user": "x", "rule_name": None}, {"user": "x", "rule_name": "a test"}]) == [1]


def test_numbers_compare_as_numbers_and_ranges_cidr_null() -> None:
    rows = [
        {"dst_port": 9},
        {"dst_port": 10},
        {"dst_port": 100},
        {"src_ip": "10.1.2.3"},
        {"src_ip": "11.0.0.1"},
    ]
    assert matching(condition("s: {dst_port|gt: 9}\ncondition: s"), rows) == [2, 3]
    assert matching(condition("s: {dst_port|lt: 10}\ncondition: s"), rows) == [1]
    assert matching(condition("s: {src_ip|cidr: 10.0.0.0/8}\ncondition: s"), rows) == [4]
    assert matching(condition("s: {dst_port: null}\ncondition: s"), rows) == [4, 5]


def test_keywords_search_message_and_raw() -> None:
    rows = [
        {"message": "BGP_AUTH_FAILED from 1.2.3.4:179"},
        {"raw": "x bgp_auth_failed :179"},
        {"message": "BGPxAUTHxFAILED :179"},
    ]
    where = condition("k:\n  '|all': [':179', 'BGP_AUTH_FAILED']\ncondition: k")
    assert matching(where, rows) == [1, 2]


def test_extra_values_compare_as_text_and_numbers() -> None:
    rows = [
        {"extra": {"cfgpath": "System.Admin", "count": "12"}},
        {"extra": {"cfgpath": "user.local", "count": "x"}},
        {},
    ]
    assert matching(condition("s: {cfgpath: system.admin}\ncondition: s", "product: fortigate"), rows) == [1]
    assert matching(condition("s: {count|gte: 5}\ncondition: s", "product: fortigate"), rows) == [1]
