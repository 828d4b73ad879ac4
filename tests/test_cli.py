"""The command line: exit codes, summaries, lake status and SQL, as a user sees them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from typer.testing import CliRunner

from seclake.cli import _last_sunday, app
from seclake.config import load_config
from tests.test_ingest import FIXTURES, make_project, put

runner = CliRunner()


def test_ingest_then_status_and_sql(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    put(tmp_path, "2026-03-02.log", (FIXTURES / "asa_day.log").read_bytes())
    ingest = runner.invoke(app, ["ingest", "--org", "acme", "--date", "2026-03-02", "--config", str(config)])
    assert ingest.exit_code == 1, ingest.output  # 1 of 7 non-blank lines quarantined: over the 5 % threshold
    quarantined = "org=acme/source=fw/date=2026-03-02: quarantined 1 lines: blank line"
    assert quarantined in ingest.output  # quarantined, not counted in the share
    assert "14.3% of lines quarantined (threshold 5%)" in ingest.output
    status = runner.invoke(app, ["lake", "status", "--config", str(config)])
    assert status.exit_code == 0 and "acme" in status.output and "1 partition(s)" in status.output
    sql = runner.invoke(
        app,
        ["sql", "--config", str(config), "select action, count(*) as n from events group by 1 order by 1"],
    )
    assert sql.exit_code == 0
    assert "allow" in sql.output and "down" in sql.output
    times = runner.invoke(app, ["sql", "--config", str(config), "select min(time) as first from events"])
    assert times.exit_code == 0 and "2026-03-02" in times.output and "+00:00" in times.output, times.output
    bad = runner.invoke(app, ["sql", "--config", str(config), "select nope from events"])
    assert "BinderException" in bad.output or "Binder Error" in bad.output


def test_bad_requests_exit_2_with_a_clear_message(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    wrong_date = runner.invoke(
        app, ["ingest", "--org", "acme", "--date", "02/03/2026", "--config", str(config)]
    )
    assert wrong_date.exit_code == 2 and "is not a date" in wrong_date.output
    wrong_org = runner.invoke(
        app, ["ingest", "--org", "nobody", "--date", "2026-03-02", "--config", str(config)]
    )
    assert wrong_org.exit_code == 2 and "no organisation 'nobody'" in wrong_org.output
    hostile = runner.invoke(
        app, ["ingest", "--org", "../etc", "--date", "2026-03-02", "--config", str(config)]
    )
    assert hostile.exit_code == 2 and "not allowed" in hostile.output
    missing = runner.invoke(
        app, ["ingest", "--org", "acme", "--date", "2026-03-02", "--config", str(tmp_path / "none.yaml")]
    )
    assert missing.exit_code == 2 and "cannot read the config" in missing.output


def test_missing_day_is_an_error_exit_1(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    result = runner.invoke(app, ["ingest", "--org", "acme", "--date", "2026-03-09", "--config", str(config)])
    assert result.exit_code == 1
    assert "no input files match" in result.output and "partition left unchanged" in result.output


def test_run_does_every_step_for_the_day(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    put(tmp_path, "2026-03-02.log", (FIXTURES / "asa_day.log").read_bytes())
    run = runner.invoke(app, ["run", "--org", "acme", "--date", "2026-03-02", "--config", str(config)])
    assert "detect summary" in run.output and "incidents and metrics" in run.output, run.output
    lake = tmp_path / "lake"
    for table in ("events", "alerts", "incidents"):
        assert list((lake / table).glob("org=acme/**/date=2026-03-02/data.parquet")), table
    assert (lake / "metrics" / "org=acme" / "period=week" / "start=2026-03-02" / "data.parquet").exists()
    assert list((lake / "downtime").glob("org=acme/date=2026-03-02/data.parquet"))
    index = Path(load_config(config).reports_root) / "index.html"
    assert "reports: " in run.output and index.exists()
    assert (index.parent / "acme" / "week-2026-03-02.html").exists()


def test_the_demo_ends_on_the_last_whole_week() -> None:
    assert _last_sunday(dt.date(2026, 11, 24)) == dt.date(2026, 11, 22)  # a Tuesday
    assert _last_sunday(dt.date(2026, 11, 23)) == dt.date(2026, 11, 22)  # a Monday
    assert _last_sunday(dt.date(2026, 11, 22)) == dt.date(2026, 11, 15)  # a Sunday is not over yet
