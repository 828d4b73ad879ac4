"""Importing Sigma: the SigmaHQ rules seclake reads, correlations with sliding windows, the CLI."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seclake.cli import app
from seclake.detection.casetest import run_case, run_cases
from seclake.detection.lint import lint
from seclake.detection.rule import Case, Rule, load_rule
from seclake.sigma.convert import convert, import_sigma

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "sigma"
OWN = ROOT / "sigma" / "seclake"


@pytest.fixture(scope="module")
def shared_import(tmp_path_factory):
    if not SHARED.exists():
        pytest.skip("../shared/sigma is not there")
    out = tmp_path_factory.mktemp("sigma") / "out"
    return import_sigma([SHARED], out, root=SHARED), out


@pytest.fixture(scope="module")
def shared_report(shared_import):
    return shared_import[0]


def test_sigmahq_rules_convert_except_the_legacy_aggregations(shared_report) -> None:
    converted = {c.source for c in shared_report.converted}
    rejected = {r.source: r.reason for r in shared_report.rejected}
    assert len(converted) == 35
    assert sorted(rejected) == [
        "unsupported/network/net_firewall_high_dns_bytes_out.yml",
        "unsupported/network/net_firewall_high_dns_requests_rate.yml",
        "unsupported/network/net_firewall_susp_network_scan_by_ip.yml",
        "unsupported/network/net_firewall_susp_network_scan_by_port.yml",
    ]
    assert all("pipe syntax" in reason and "correlation" in reason for reason in rejected.values())


def test_every_converted_rule_lints_clean_with_generated_cases_that_pass(shared_import) -> None:
    report, out = shared_import
    # conversion keeps only generated cases the rule passes; none was dropped, every rule has both kinds
    assert all(not converted.notes for converted in report.converted), [c.notes for c in report.converted]
    assert len(report.written) == 35
    assert lint(out) == []  # valid rule files whose SQL parses and binds in DuckDB
    assert all(load_rule(path).sigma is not None for path in report.written)


def test_metadata_is_kept(shared_report) -> None:
    (hacktool,) = [c.data for c in shared_report.converted if c.rule_id == "sigma-av-hacktool"]
    assert hacktool["sigma"] == {
        "id": "fa0c05b6-8ad3-468d-8231-c1cbccb64fba",
        "file": "rules/category/antivirus/av_hacktool.yml",
    }
    assert hacktool["author"] == "Florian Roth (Nextron Systems), Arnim Rupp"
    assert hacktool["severity"] == "high"
    assert hacktool["mitre"] == {"tactics": ["TA0002"], "techniques": ["T1204"]}
    assert hacktool["references"]
    assert hacktool["reads"] == ["malware_detection"] and hacktool["entity"] == "host"


def _rule(tmp_path: Path, text: str) -> Rule:
    (tmp_path / "rule.yml").write_text(textwrap.dedent(text))
    report = convert([tmp_path / "rule.yml"])
    assert not report.rejected, report.rejected
    (converted,) = report.converted
    return Rule.model_validate(converted.data)


BASE = """\
    title: Denied connection
    id: 6f1b1c1e-0000-4000-8000-000000000001
    name: denied
    logsource: {category: firewall}
    detection:
        selection: {action: denied}
        condition: selection
    ---
    title: Correlation under test
    id: 6f1b1c1e-0000-4000-8000-000000000002
    tags: [attack.discovery, attack.t1046]
    level: medium
    correlation:
"""


def test_event_count_range_is_sql_with_a_sliding_window(tmp_path) -> None:
    rule = _rule(
        tmp_path,
        BASE
        + """\
            type: event_count
            rules: [denied]
            group-by: [src_ip]
            timespan: 1m
            condition: {gte: 3, lte: 4}
    """,
    )
    assert rule.sql is not None and rule.threshold is None
    three = [{"time": f"+{s}s", "src_ip": "192.0.2.1", "action": "deny"} for s in (50, 70, 100)]
    case = Case(
        name="3 within a minute across the clock minute",
        events=three,
        expect={"alerts": 1, "entity": "192.0.2.1", "first_seen": "+50s", "count": 3},
    )
    assert run_case(rule, case).passed, run_case(rule, case).detail
    spread = [{"time": f"+{s}s", "src_ip": "192.0.2.1", "action": "deny"} for s in (0, 61, 122)]
    assert run_case(rule, Case(name="never 3 in a minute", events=spread, expect={"alerts": 0})).passed
    edge = [{"time": f"+{s}s", "src_ip": "192.0.2.1", "action": "deny"} for s in (0, 30, 60)]
    assert run_case(rule, Case(name="60 s apart is within 1m", events=edge, expect={"alerts": 1})).passed


def test_value_count_is_a_threshold_rule(tmp_path) -> None:
    rule = _rule(
        tmp_path,
        BASE
        + """\
            type: value_count
            rules: [denied]
            group-by: [src_ip]
            timespan: 5m
            condition: {gt: 2, field: dst_port}
    """,
    )
    assert rule.threshold is not None
    assert (rule.threshold.distinct, rule.threshold.op, rule.threshold.value, rule.threshold.within) == (
        "dst_port",
        ">",
        2,
        "5m",
    )
    assert rule.threshold.where.startswith("action = 'deny' COLLATE NOCASE")


def test_temporal_needs_every_rule_within_the_span(tmp_path) -> None:
    rule = _rule(
        tmp_path,
        BASE.replace(
            "    ---",
            """\
    ---
    title: Allowed connection
    id: 6f1b1c1e-0000-4000-8000-000000000003
    name: allowed
    logsource: {category: firewall}
    detection:
        selection: {action: allowed}
        condition: selection
    ---""",
        )
        + """\
            type: temporal
            rules: [denied, allowed]
            group-by: [src_ip]
            timespan: 10m
    """,
    )
    both = [
        {"time": "+0s", "src_ip": "192.0.2.1", "action": "allow"},
        {"time": "+9m", "src_ip": "192.0.2.1", "action": "drop"},
    ]
    assert run_case(
        rule, Case(name="both", events=both, expect={"alerts": 1, "count": 2, "first_seen": "+0s"})
    ).passed
    late = [{**both[0]}, {**both[1], "time": "+11m"}]
    assert run_case(rule, Case(name="too far apart", events=late, expect={"alerts": 0})).passed
    one = [{**both[1]}, {**both[1], "time": "+1m"}]
    assert run_case(rule, Case(name="one rule only", events=one, expect={"alerts": 0})).passed


def test_own_correlation_rules_convert_and_pass_their_cases() -> None:
    report = convert([OWN], root=OWN.parent)
    assert [r.source for r in report.rejected] == ["seclake/net_firewall_high_dns_bytes_out.yml"]
    assert "value_sum" in report.rejected[0].reason
    ids = {c.rule_id: c.data for c in report.converted}
    assert set(ids) == {
        "sigma-net-firewall-high-dns-requests-rate",
        "sigma-net-firewall-susp-network-scan-by-ip",
        "sigma-net-firewall-susp-network-scan-by-port",
        "sigma-seclake-av-outbreak",
        "sigma-seclake-bruteforce-then-success",
        "sigma-seclake-port-scan-vertical",
        "sigma-seclake-vpn-bruteforce",
    }
    assert "sql" in ids["sigma-seclake-bruteforce-then-success"]  # temporal_ordered
    for data in ids.values():
        rule = Rule.model_validate(data)
        results = run_cases(rule)
        assert len(results) >= 2 and all(r.passed for r in results), (rule.id, [r.detail for r in results])


def test_shipped_rules_are_the_current_conversion() -> None:
    shipped = {p.stem for p in (ROOT / "rules" / "sigma").glob("*.yml")}
    report = convert([OWN])
    assert {c.rule_id for c in report.converted} <= shipped
    assert lint(ROOT / "rules" / "sigma") == []


def test_cli_writes_rules_and_reports_the_rest(tmp_path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "good.yml").write_text(
        BASE.replace("    ", "", 1)
        .split("---")[0]
        .replace("\n    ", "\n")
        .replace("name: denied", "tags: [attack.discovery, attack.t1046]")
    )
    (tmp_path / "in" / "bad.yml").write_text(
        "title: Bad rule\nid: 6f1b1c1e-0000-4000-8000-000000000009\nlogsource: {category: antivirus}\n"
        "detection:\n  s: {Nonsense: 1}\n  condition: s\ntags: [attack.execution, attack.t1204]\n"
    )
    result = CliRunner().invoke(
        app, ["rules", "import-sigma", str(tmp_path / "in"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "1 converted" in output and "1 not converted" in output
    assert "'Nonsense' has no seclake column" in output
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["sigma-good.yml"]
