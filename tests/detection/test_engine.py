"""The detect step on a small lake: alerts, evidence, ids, suppression, isolation of bad rules."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from seclake.config import load_config
from seclake.detection.engine import alerts_path, detect
from seclake.detection.sandbox import open_sandbox
from seclake.ingest import ingest_source
from tests.detection.test_rule_file import GOOD
from tests.test_ingest import make_project, put

DAY = dt.date(2026, 3, 2)


def _deny_lines(day: dt.date, hour: int, count: int, source: str = "198.51.100.23") -> str:
    stamp = day.strftime("%b %d %Y")
    return "".join(
        f"<164>{stamp} {hour:02d}:00:{i:02d} fw-acme : %ASA-4-106023: Deny tcp src outside:{source}/{40000 + i} "
        f'dst inside:203.0.113.5/{1000 + i} by access-group "outside_access_in" [0x0, 0x0]\n'
        for i in range(count)
    )


@pytest.fixture
def project(tmp_path: Path):
    config_path = make_project(tmp_path)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "test-deny-burst.yml").write_text(GOOD, encoding="utf-8")
    return config_path, rules


def _ingest(config_path: Path, tmp_path: Path, day: dt.date, text: str) -> None:
    put(tmp_path, f"{day.isoformat()}.log", text.encode())
    ingest_source(load_config(config_path), "acme", "fw", day)


def test_alert_with_evidence_and_deterministic_id(project, tmp_path: Path) -> None:
    config_path, rules = project
    _ingest(config_path, tmp_path, DAY, _deny_lines(DAY, 9, 8))
    config = load_config(config_path)
    first = detect(config, "acme", DAY, rules)
    (alert,) = first.alerts.to_pylist()
    assert alert["rule_id"] == "test-deny-burst" and alert["entity"] == "198.51.100.23"
    assert alert["first_seen"] == dt.datetime(2026, 3, 2, 2, 0, 0, tzinfo=dt.UTC)  # 09:00 Ho Chi Minh
    assert alert["detected_at"] == dt.datetime(2026, 3, 2, 2, 0, 4, tzinfo=dt.UTC)  # the 5th deny
    assert alert["count"] == 8 and alert["mitre_tactics"] == ["TA0043"]
    assert [e["raw_line"] for e in alert["evidence"]] == list(range(1, 9))
    second = detect(config, "acme", DAY, rules)
    assert second.alerts.column("alert_id").to_pylist() == [alert["alert_id"]]
    assert pq.read_table(alerts_path(Path(config.lake_root), "acme", DAY)).num_rows == 1


def test_same_entity_does_not_alert_again_within_the_window_across_days(project, tmp_path: Path) -> None:
    config_path, rules = project
    config = load_config(config_path)
    next_day = DAY + dt.timedelta(days=1)
    # 23:59 local on day 1, then again 00:02 local on day 2: one episode's continuation, suppressed
    late = _deny_lines(DAY, 23, 6).replace(" 23:00:", " 23:59:")
    _ingest(config_path, tmp_path, DAY, late)
    _ingest(config_path, tmp_path, next_day, _deny_lines(next_day, 0, 6).replace(" 00:00:", " 00:02:"))
    assert detect(config, "acme", DAY, rules).alerts.num_rows == 1
    day_two = detect(config, "acme", next_day, rules)
    assert day_two.alerts.num_rows == 0 and day_two.suppressed == 1
    # hours later the same source alerts again
    _ingest(
        config_path,
        tmp_path,
        next_day,
        _deny_lines(next_day, 0, 6).replace(" 00:00:", " 00:02:") + _deny_lines(next_day, 5, 6),
    )
    assert detect(config, "acme", next_day, rules).alerts.num_rows == 1


def test_a_broken_rule_is_reported_and_the_others_run(project, tmp_path: Path) -> None:
    config_path, rules = project
    (rules / "test-bad-sql.yml").write_text(
        GOOD.replace("id: test-deny-burst", "id: test-bad-sql").replace(
            "action = 'deny'", "no_such_column = 1"
        ),
        encoding="utf-8",
    )
    (rules / "test-broken-yaml.yml").write_text("id: [unclosed\n", encoding="utf-8")
    _ingest(config_path, tmp_path, DAY, _deny_lines(DAY, 9, 8))
    result = detect(load_config(config_path), "acme", DAY, rules)
    assert result.alerts.column("rule_id").to_pylist() == ["test-deny-burst"]
    (failed,) = result.failed_rules
    assert failed.rule_id == "test-bad-sql" and "no_such_column" in failed.error
    assert len(result.rule_errors) == 1 and "test-broken-yaml.yml:2: not valid YAML" in result.rule_errors[0]


def test_rules_cannot_read_outside_the_organisation(project, tmp_path: Path) -> None:
    config_path, _ = project
    _ingest(config_path, tmp_path, DAY, _deny_lines(DAY, 9, 3))
    config = load_config(config_path)
    con = open_sandbox(config, config.organisation("acme"))
    assert con.execute("SELECT count(*) FROM org_events").fetchone() == (3,)
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    other_org = Path(config.lake_root) / "events" / "org=other"
    shutil.copytree(Path(config.lake_root) / "events" / "org=acme", other_org)
    for query in (
        f"SELECT * FROM read_csv('{secret}')",
        f"SELECT * FROM read_parquet('{other_org}/**/*.parquet')",
        "SELECT * FROM read_text('/etc/passwd')",
        "COPY (SELECT 1) TO '/tmp/seclake-escape.csv'",
        "SET enable_external_access = true",
        "ATTACH '/tmp/seclake-escape.db'",
    ):
        with pytest.raises(Exception, match=r"disabled|locked|Permission|not allowed|Cannot"):
            con.execute(query)
    assert not Path("/tmp/seclake-escape.csv").exists()


def test_a_rule_past_its_time_limit_is_stopped(
    project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import seclake.detection.engine as engine

    config_path, rules = project
    slow = yaml.safe_load(GOOD)
    slow.pop("threshold")
    slow["id"] = "test-slow"
    slow["sql"] = (
        "select 'x' as entity, now() as first_seen, now() as last_seen, count(*) as count, 'slow' as summary "
        "from range(1000000000) a, range(1000) b"
    )
    (rules / "test-slow.yml").write_text(yaml.safe_dump(slow), encoding="utf-8")
    _ingest(config_path, tmp_path, DAY, _deny_lines(DAY, 9, 8))
    monkeypatch.setattr(engine, "RULE_TIME_LIMIT_S", 0.5)
    monkeypatch.setattr(engine.run_rule, "__defaults__", (0.5,))
    result = detect(load_config(config_path), "acme", DAY, rules)
    (failed,) = result.failed_rules
    assert failed.rule_id == "test-slow" and "limit" in failed.error
    assert result.alerts.column("rule_id").to_pylist() == ["test-deny-burst"]


def test_a_rule_that_finds_nothing_runs_without_error(project, tmp_path: Path) -> None:
    config_path, rules = project
    _ingest(config_path, tmp_path, DAY, _deny_lines(DAY, 9, 3))  # below the rule's 5 denies
    result = detect(load_config(config_path), "acme", DAY, rules)
    assert result.alerts.num_rows == 0 and not result.failed_rules and result.runs[0].alerts == 0


def test_alert_ids_take_the_utc_isoformat_of_first_seen() -> None:
    from seclake.detection.engine import _utc_isoformat, alert_id

    starts = [
        dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 2, 2, 0, 4, 250, tzinfo=dt.UTC),
    ]
    local = pa.chunked_array([pa.array(starts, pa.timestamp("us", tz="Asia/Ho_Chi_Minh"))])
    assert _utc_isoformat(local) == ["2026-03-02T02:00:00+00:00", "2026-03-02T02:00:04.000250+00:00"]
    assert _utc_isoformat(local) == [start.isoformat() for start in starts]
    # sha256 of "r|acme|198.51.100.23|2026-03-02T02:00:00+00:00", first 24 hex digits
    assert alert_id("r", "acme", "198.51.100.23", starts[0].isoformat()) == "5fee94e56f14ae37caa2b342"
