"""Parser state carried from one day to the next (seclake.carry): an ASA connection built before
midnight and torn down after it is oriented by its Built line of the day before."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from seclake import carry
from seclake.config import load_config
from seclake.ingest import ingest_source
from seclake.lake import Partition, read_manifest
from seclake.parsers import cisco_asa
from tests.lake_files import read_events
from tests.test_ingest import make_project, put

DAY_1, DAY_2 = dt.date(2026, 3, 1), dt.date(2026, 3, 2)
KEY = cisco_asa.OPEN_CONNECTIONS
BUILT = (
    "<166>Mar 01 2026 23:50:00 asa1 : %ASA-6-302013: Built inbound TCP connection 7 for "
    "outside:198.51.100.7/50123 (198.51.100.7/50123) to dmz:10.0.0.10/3389 (203.0.113.10/3389)\n"
    "<166>Mar 01 2026 23:51:00 asa1 : %ASA-6-302013: Built outbound TCP connection 8 for "
    "outside:192.0.2.80/443 (192.0.2.80/443) to inside:10.0.0.20/51000 (203.0.113.10/51000)\n"
)
TEARDOWN = (
    "<166>Mar 02 2026 00:40:00 asa1 : %ASA-6-302014: Teardown TCP connection 7 for "
    "outside:198.51.100.7/50123 to dmz:10.0.0.10/3389 duration 0:50:00 bytes 9000000 TCP FINs\n"
)


def _teardown(config, day: dt.date = DAY_2) -> tuple:
    events = pl.from_arrow(
        read_events(Partition("acme", "fw", day).data_path(Path(config.lake_root), "events"))
    )
    row = events.filter(pl.col("vendor_action") == "Teardown").row(0, named=True)
    return row["src_ip"], row["src_port"], row["dst_ip"], row["dst_port"], row["direction"]


@pytest.fixture
def two_days(tmp_path: Path):
    config = load_config(make_project(tmp_path))
    put(tmp_path, "2026-03-01.log", BUILT.encode())
    put(tmp_path, "2026-03-02.log", TEARDOWN.encode())
    return config


def test_a_teardown_after_midnight_takes_the_direction_of_yesterdays_built(two_days) -> None:
    first = ingest_source(two_days, "acme", "fw", DAY_1)
    second = ingest_source(two_days, "acme", "fw", DAY_2)

    assert _teardown(two_days) == ("198.51.100.7", 50123, "10.0.0.10", 3389, "inbound")
    lake = Path(two_days.lake_root)
    (saved,) = read_manifest(lake, Partition("acme", "fw", DAY_1))["carry_out"]
    assert (saved["name"], saved["rows"], saved["parser_version"]) == (KEY, 2, cisco_asa.VERSION)
    assert (lake / saved["path"]).is_file()
    assert (
        saved["path"] == "state/ingest/org=acme/source=fw/date=2026-03-01/cisco_asa.open_connections.parquet"
    )
    state = pl.read_parquet(lake / saved["path"]).sort("_conn_id")
    assert state.rows() == [("asa1", 7, "inbound"), ("asa1", 8, "outbound")]
    manifest = read_manifest(lake, Partition("acme", "fw", DAY_2))
    assert manifest["carry_in"] == {
        "date": "2026-03-01",
        "run_id": first.run_id,
        "taken": {KEY: {"rows": 2, "sha256": first.carry_out[0]["sha256"]}},
        "left": {},
    }
    assert second.carry_in == manifest["carry_in"]
    # connection 8 is still open at the end of the second day: it is carried on
    (saved,) = manifest["carry_out"]
    assert saved["rows"] == 1
    assert pl.read_parquet(lake / saved["path"]).rows() == [("asa1", 8, "outbound")]


def test_without_yesterday_the_teardown_is_oriented_by_the_fallback(two_days) -> None:
    result = ingest_source(two_days, "acme", "fw", DAY_2)
    # both ports >= 1024 and the 'for' side public: the fallback takes the local side as source
    assert _teardown(two_days) == ("10.0.0.10", 3389, "198.51.100.7", 50123, "outbound")
    assert result.carry_in is None and result.carry_warnings == []
    assert read_manifest(Path(two_days.lake_root), Partition("acme", "fw", DAY_2))["carry_out"] == []


def test_a_state_file_changed_after_its_manifest_is_left(two_days) -> None:
    ingest_source(two_days, "acme", "fw", DAY_1)
    lake = Path(two_days.lake_root)
    path = lake / carry.state_key(Partition("acme", "fw", DAY_1), KEY)
    pl.read_parquet(path).with_columns(pl.lit("outbound").alias("_carried_dir")).write_parquet(path)

    result = ingest_source(two_days, "acme", "fw", DAY_2)
    assert result.carry_in["taken"] == {}
    assert result.carry_in["left"] == {KEY: f"{path} is missing or differs from its manifest"}
    assert result.carry_warnings == [
        f"org=acme/source=fw/date=2026-03-02: {KEY} of 2026-03-01 not taken: {path} is missing or differs "
        "from its manifest"
    ]
    assert _teardown(two_days)[4] == "outbound"  # the fallback, not the tampered state


def test_a_state_written_by_another_parser_version_is_left(two_days, monkeypatch) -> None:
    ingest_source(two_days, "acme", "fw", DAY_1)
    monkeypatch.setattr(cisco_asa, "VERSION", "999")
    result = ingest_source(two_days, "acme", "fw", DAY_2)
    assert result.carry_in["left"] == {KEY: "written by parser version 2, now 999"}
    assert result.carry_in["taken"] == {}


def test_a_damaged_manifest_of_yesterday_costs_the_carry_not_the_day(two_days) -> None:
    ingest_source(two_days, "acme", "fw", DAY_1)
    lake = Path(two_days.lake_root)
    Partition("acme", "fw", DAY_1).manifest_path(lake).write_text("{ not json", encoding="utf-8")
    result = ingest_source(two_days, "acme", "fw", DAY_2)
    assert result.written and result.events == 1
    assert "manifest.json" in result.carry_in["error"]
    (warning,) = result.carry_warnings
    assert warning.startswith("org=acme/source=fw/date=2026-03-02: state of 2026-03-01 not read: ")


def test_a_hostile_name_in_yesterdays_manifest_is_left_and_the_day_ingested(two_days) -> None:
    ingest_source(two_days, "acme", "fw", DAY_1)
    path = Partition("acme", "fw", DAY_1).manifest_path(Path(two_days.lake_root))
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["carry_out"][0]["name"] = "../../etc.passwd"
    path.write_text(json.dumps(manifest), encoding="utf-8")

    result = ingest_source(two_days, "acme", "fw", DAY_2)
    assert result.written and result.lines_read == result.events == 1
    ((entry, why),) = result.carry_in["left"].items()
    assert "../../etc.passwd" in entry and why.startswith("not a saved state: carry format '' is not allowed")
    assert result.carry_in["taken"] == {} and _teardown(two_days)[4] == "outbound"  # the fallback


def test_rerunning_the_day_gives_the_same_events(two_days) -> None:
    ingest_source(two_days, "acme", "fw", DAY_1)
    ingest_source(two_days, "acme", "fw", DAY_2)
    first = _teardown(two_days)
    ingest_source(two_days, "acme", "fw", DAY_2)
    assert _teardown(two_days) == first == ("198.51.100.7", 50123, "10.0.0.10", 3389, "inbound")


def test_rerunning_a_day_with_other_input_names_the_next_day_to_rerun(two_days, tmp_path: Path) -> None:
    ingest_source(two_days, "acme", "fw", DAY_1)
    ingest_source(two_days, "acme", "fw", DAY_2)
    same = ingest_source(two_days, "acme", "fw", DAY_1)  # same input, same state: nothing to do
    assert same.next_day_stale is None and same.warnings == []
    put(tmp_path, "2026-03-01.log", BUILT.replace("connection 8 ", "connection 9 ").encode())
    other = ingest_source(two_days, "acme", "fw", DAY_1)
    expected = (
        "org=acme/source=fw/date=2026-03-02 was ingested from another state of 2026-03-01 (that of run "
        f"{read_manifest(Path(two_days.lake_root), Partition('acme', 'fw', DAY_2))['carry_in']['run_id']}): "
        "re-run it, and the days after it, so they start from this run's"
    )
    assert other.next_day_stale == expected and other.warnings == [expected]
    assert (
        read_manifest(Path(two_days.lake_root), Partition("acme", "fw", DAY_1))["next_day_stale"] == expected
    )
    rerun = ingest_source(two_days, "acme", "fw", DAY_2)
    assert rerun.carry_in["run_id"] == other.run_id
    assert ingest_source(two_days, "acme", "fw", DAY_1).next_day_stale is None  # in step again


def test_a_next_day_that_took_nothing_is_named_when_the_day_now_saves_state(two_days, tmp_path: Path) -> None:
    put(
        tmp_path, "2026-03-01.log", b"<166>Mar 01 2026 23:00:00 asa1 : %ASA-5-111008: User 'x' executed 'y'\n"
    )
    ingest_source(two_days, "acme", "fw", DAY_1)
    assert ingest_source(two_days, "acme", "fw", DAY_2).carry_in is None
    put(tmp_path, "2026-03-01.log", BUILT.encode())
    stale = ingest_source(two_days, "acme", "fw", DAY_1).next_day_stale
    assert stale is not None and stale.startswith("org=acme/source=fw/date=2026-03-02 was ingested")
    assert "of 2026-03-01 (none): re-run it" in stale


@pytest.mark.parametrize("name", ["../x.y", "cisco_asa.../evil", "cisco_asa", "Cisco.x"])
def test_a_carry_name_never_becomes_a_path(name: str) -> None:
    with pytest.raises(ValueError):
        carry.state_key(Partition("acme", "fw", DAY_1), name)


def test_the_command_line_warns_when_yesterdays_state_is_left(two_days, monkeypatch) -> None:
    from typer.testing import CliRunner

    from seclake.cli import app

    config = str(Path(two_days.lake_root).parent / "seclake.yaml")
    ingest = ["ingest", "--org", "acme", "--config", config, "--date"]
    assert CliRunner().invoke(app, [*ingest, "2026-03-01"]).exit_code == 0
    monkeypatch.setattr(cisco_asa, "VERSION", "999")
    second = CliRunner().invoke(app, [*ingest, "2026-03-02"])
    assert second.exit_code == 0, second.output
    assert (
        f"warning org=acme/source=fw/date=2026-03-02: {KEY} of 2026-03-01 not taken: written by"
        in " ".join(second.output.split())
    )
