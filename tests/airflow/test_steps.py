"""The DAGs' helper: which day a run processes, when an organisation's day is over, what it ingests,
which week and month reports a metrics update asks for, and how a step's problems fail the task."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

UTC = dt.UTC


@pytest.fixture
def two_zones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config with an organisation east of UTC (UTC+7) and one west of it (UTC-5 in November)."""
    config = tmp_path / "seclake.yaml"
    config.write_text(
        textwrap.dedent(
            """
            lake: lake
            organisations:
              - id: hanoi
                name: Hanoi
                timezone: Asia/Ho_Chi_Minh
                sources:
                  - {id: fw, format: cisco_asa, path: "logs/{org}/fw/{date}.log"}
                  - {id: av, format: clamav, path: "logs/{org}/av/{date}.log"}
              - id: boston
                name: Boston
                timezone: America/New_York
                sources:
                  - {id: fw, format: cisco_asa, path: "logs/{org}/fw/{date}.log"}
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("SECLAKE_CONFIG", str(config))
    return tmp_path


def test_run_day_is_the_date_param_else_the_utc_day_the_interval_starts(steps) -> None:
    start = dt.datetime(2026, 3, 2, tzinfo=UTC)
    assert steps.run_day({"date": None}, start) == "2026-03-02"
    assert steps.run_day({"date": "2026-02-27"}, start) == "2026-02-27"
    assert (
        steps.run_day(
            {"date": None}, dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
        )
        == "2026-03-01"
    )
    with pytest.raises(steps.AirflowFailException, match="trigger it with the 'date' param"):
        steps.run_day({"date": None}, None)


def test_each_organisation_waits_for_its_own_day_to_end(steps, two_zones: Path) -> None:
    # 2026-11-10 ends at 17:00 UTC in Hanoi (UTC+7) and at 05:00 UTC on the 11th in Boston (UTC-5)
    at = lambda day, hour, minute=0: dt.datetime(2026, 11, day, hour, minute, tzinfo=UTC)  # noqa: E731
    assert not steps.day_over("hanoi", "2026-11-10", 60, now=at(10, 17, 59))
    assert steps.day_over("hanoi", "2026-11-10", 60, now=at(10, 18))
    assert steps.day_over("hanoi", "2026-11-10", 0, now=at(10, 17))
    assert not steps.day_over("boston", "2026-11-10", 60, now=at(11, 0))  # the run starts: Boston waits
    assert not steps.day_over("boston", "2026-11-10", 60, now=at(11, 5, 59))
    assert steps.day_over("boston", "2026-11-10", 60, now=at(11, 6))


def test_sources_to_ingest_follow_the_org_and_source_params(steps, two_zones: Path) -> None:
    params = {"org": None, "source": None}
    assert steps.sources_to_ingest("hanoi", params) == ["fw", "av"]
    assert steps.sources_to_ingest("boston", params) == ["fw"]
    assert steps.sources_to_ingest("boston", {**params, "org": "hanoi"}) == []
    assert steps.sources_to_ingest("hanoi", {**params, "source": "av"}) == ["av"]
    assert steps.sources_to_ingest("boston", {**params, "source": "av"}) == []  # all orgs: those that have it
    with pytest.raises(steps.AirflowFailException, match="organisation 'boston' has no source 'av'"):
        steps.sources_to_ingest("boston", {"org": "boston", "source": "av"})


def test_ready_sources_is_none_until_the_day_is_over_and_empty_when_not_selected(
    steps, two_zones: Path
) -> None:
    params = {"org": None, "source": None, "settle_minutes": 0}
    assert steps.ready_sources("hanoi", "2026-11-10", params) == ["fw", "av"]  # long over
    tomorrow = (dt.datetime.now(UTC) + dt.timedelta(days=1)).date().isoformat()
    assert steps.ready_sources("hanoi", tomorrow, params) is None
    assert steps.ready_sources("hanoi", tomorrow, {**params, "org": "boston"}) == []  # nothing to wait for


def test_period_reports_one_per_org_and_period_as_of_the_latest_day(steps, two_zones: Path) -> None:
    updates = [
        {"org": "hanoi", "date": "2026-11-28"},  # Saturday
        {"org": "hanoi", "date": "2026-11-29"},  # Sunday: same week and month, a later day
        {"org": "hanoi", "date": "2026-11-29"},  # the same update twice
        {"org": "hanoi", "date": "2026-11-30"},  # Monday: a new week, still November
        {"org": "boston", "date": "2026-12-01"},
    ]
    none = {"date": None, "org": None}
    assert steps.period_reports(none, updates) == [
        {"org_id": "boston", "period": "month", "day": "2026-12-01"},
        {"org_id": "boston", "period": "week", "day": "2026-12-01"},
        {"org_id": "hanoi", "period": "month", "day": "2026-11-30"},
        {"org_id": "hanoi", "period": "week", "day": "2026-11-29"},
        {"org_id": "hanoi", "period": "week", "day": "2026-11-30"},
    ]
    assert steps.period_reports({**none, "org": "boston"}, updates) == [
        {"org_id": "boston", "period": "month", "day": "2026-12-01"},
        {"org_id": "boston", "period": "week", "day": "2026-12-01"},
    ]
    assert steps.period_reports({"date": "2026-11-10", "org": None}, []) == [
        {"org_id": org, "period": period, "day": "2026-11-10"}
        for org in ("boston", "hanoi")
        for period in ("month", "week")
    ]
    assert steps.period_reports(none, []) == []


def test_ingest_fails_with_the_reason_retried_only_when_files_may_still_arrive(
    steps, two_zones: Path
) -> None:
    with pytest.raises(
        RuntimeError, match=r"no input files match .*/logs/hanoi/fw/2026-11-10\.log"
    ) as missing:
        steps.ingest("hanoi", "fw", "2026-11-10")
    assert not isinstance(missing.value, steps.AirflowFailException)  # retried
    (two_zones / "logs" / "hanoi" / "fw").mkdir(parents=True)
    (two_zones / "logs" / "hanoi" / "fw" / "2026-11-10.log").write_text("junk\n" * 20, encoding="utf-8")
    with pytest.raises(steps.AirflowFailException, match=r"100.0% of lines quarantined \(threshold 5%\)"):
        steps.ingest("hanoi", "fw", "2026-11-10")


def test_ingest_logs_what_went_wrong_without_failing(
    steps, two_zones: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (two_zones / "logs" / "hanoi" / "av").mkdir(parents=True)
    (two_zones / "logs" / "hanoi" / "av" / "2026-11-10.log").write_bytes(b"")
    with caplog.at_level("WARNING"):
        steps.ingest("hanoi", "av", "2026-11-10")
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        f"{two_zones / 'logs' / 'hanoi' / 'av' / '2026-11-10.log'}: empty file (0 lines)"
    ]


def test_start_date_comes_from_the_config_and_the_environment_overrides_it(
    steps, two_zones: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = two_zones / "seclake.yaml"
    monkeypatch.delenv("SECLAKE_START_DATE", raising=False)
    with pytest.raises(ValueError, match=r"set schedule.start_date in seclake.yaml"):
        steps.start_date()
    config.write_text(config.read_text(encoding="utf-8") + "schedule: {start_date: 2026-03-01}\n")
    assert steps.start_date() == dt.datetime(2026, 3, 1, tzinfo=UTC)
    monkeypatch.setenv("SECLAKE_START_DATE", "2026-02-15")
    assert steps.start_date() == dt.datetime(2026, 2, 15, tzinfo=UTC)
