"""The lake on an object store: a local S3-compatible server (moto, on loopback) started by the test.

One org-day of a small demo is run through every step (ingest, detect, incidents, downtime,
metrics, report) on ``s3://<bucket>/lake`` and on a local lake, then the two are compared: same
events, alerts, incidents, outages, metrics and report. Then what the object store must keep from
the local lake: a re-run replaces a partition, a failed run leaves the previous version, and a rule
reads its own organisation's prefixes and nothing else.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
import yaml

from seclake.config import Config, load_config
from seclake.detection.engine import detect
from seclake.detection.sandbox import open_sandbox
from seclake.downtime import build_downtime
from seclake.incidents import build_incidents
from seclake.ingest import ingest
from seclake.lake import Partition, partitions, read_manifest, verify_partition
from seclake.metrics import build_metrics
from seclake.report import write_report
from seclake.storage import Store, open_lake
from seclake.views import connect

moto_server = pytest.importorskip("moto.server", reason="moto[server] is not installed (test extra)")
pytestmark = pytest.mark.slow

START = dt.date(2026, 11, 10)
DAYS = 2
BUCKET = "seclake-test"
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
RUN_DEPENDENT = {"reported_at", "pipeline_latency_s", "pipeline_latency_median_s"}
"""Columns holding the wall-clock time of the run, which differs between the two lakes' runs."""


@dataclass
class TwoLakes:
    """The same demo org-day run on a local lake and on an object-store lake."""

    org: str
    day: dt.date
    local: Config
    remote: Config
    reports: dict[str, str]
    """The day's report (HTML), by lake ('local', 'remote')."""


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on a free loopback port, with one bucket; stopped after the module. The
    secret is read from the environment, as a deployment's config would do it."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    environment = pytest.MonkeyPatch()
    environment.setenv("SECLAKE_TEST_S3_SECRET", "test")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    Store(f"s3://{BUCKET}", _options(endpoint)).fs.mkdir(BUCKET)
    yield endpoint
    server.stop()
    environment.undo()


def _options(endpoint: str) -> dict[str, str]:
    return {
        "endpoint_url": endpoint,
        "key": "test",
        "secret": "${SECLAKE_TEST_S3_SECRET}",
        "region": "eu-west-1",
    }


def _config(demo_config: Path, name: str, **changes: object) -> Config:
    document = yaml.safe_load(demo_config.read_text(encoding="utf-8"))
    document.update(reports=f"reports-{name}", **changes)
    path = demo_config.with_name(f"seclake-{name}.yaml")
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return load_config(path)


def _run_day(config: Config, org: str, day: dt.date) -> None:
    assert not any(result.failed(config.ingest.quarantine_threshold) for result in ingest(config, org, day))
    failed = detect(config, org, day).failed_rules
    assert not failed, [(run.rule_id, run.error) for run in failed]
    build_incidents(config, org, day)
    build_downtime(config, org, day)
    build_metrics(config, org, day)


@pytest.fixture(scope="module")
def lakes(tmp_path_factory: pytest.TempPathFactory, s3_endpoint: str) -> TwoLakes:
    from seclake.demo import generate

    demo = generate(tmp_path_factory.mktemp("demo"), seed=7, start=START, days=DAYS, scale=0.3)
    local = _config(demo.config, "local")
    remote = _config(
        demo.config, "remote", lake=f"s3://{BUCKET}/lake", lake_storage_options=_options(s3_endpoint)
    )
    org, day = demo.orgs[0], demo.dates[-1]
    reports = {}
    for name, config in (("local", local), ("remote", remote)):
        _run_day(config, org, day)
        reports[name] = write_report(config, org, "day", day, now=NOW).html.read_text(encoding="utf-8")
    return TwoLakes(org, day, local, remote, reports)


def _table(config: Config, query: str) -> pa.Table:
    con = connect(open_lake(config))
    try:
        return con.sql(query).to_arrow_table()
    finally:
        con.close()


def _same(lakes: TwoLakes, query: str) -> pa.Table:
    local, remote = _table(lakes.local, query), _table(lakes.remote, query)
    assert remote.equals(local)
    return local


def _drop_run_dependent(table: pa.Table) -> pa.Table:
    return table.drop_columns([c for c in table.column_names if c in RUN_DEPENDENT])


def test_the_object_store_lake_is_really_in_the_bucket(lakes: TwoLakes) -> None:
    lake = open_lake(lakes.remote)
    assert lake.url == f"s3://{BUCKET}/lake" and not lake.local
    keys = lake.glob("**")
    assert f"events/org={lakes.org}/source=fw/date={lakes.day}/data.parquet" in keys
    assert {key.split("/")[0] for key in keys} == {
        "events", "quarantine", "alerts", "incidents", "downtime", "metrics", "manifests", "state",
    }  # fmt: skip
    assert not [key for key in keys if key.endswith(".tmp") or "/." in key]  # nothing written aside
    assert not (Path(lakes.remote.base_dir) / "s3:").exists()


def test_same_events_and_quarantine_on_both_lakes(lakes: TwoLakes) -> None:
    order = "ORDER BY source, date, time, raw_file, raw_line"
    events = _same(lakes, f"SELECT * EXCLUDE (extra) FROM events {order}")
    assert events.num_rows > 5_000
    _same(lakes, "SELECT * FROM quarantine ORDER BY source, date, raw_file, raw_line")
    manifests = {}
    for name, config in (("local", lakes.local), ("remote", lakes.remote)):
        lake = open_lake(config)
        found = list(partitions(lake))
        assert len(found) == len(config.organisation(lakes.org).sources)
        assert all(verify_partition(lake, partition) == [] for partition in found)
        manifests[name] = {
            (p.source, p.date, table): (output["rows"], output["sha256"])
            for p in found
            for table, output in read_manifest(lake, p)["outputs"].items()
        }
    assert manifests["remote"] == manifests["local"]  # same row counts, same file content hashes
    assert sum(rows for (_, _, table), (rows, _) in manifests["local"].items() if table == "events") == (
        events.num_rows
    )


def test_same_alerts_incidents_outages_and_metrics_on_both_lakes(lakes: TwoLakes) -> None:
    alerts = _same(lakes, "SELECT * FROM alerts ORDER BY alert_id")
    assert alerts.num_rows > 0
    assert len(set(alerts.column("alert_id").to_pylist())) == alerts.num_rows
    local = _drop_run_dependent(_table(lakes.local, "SELECT * FROM incidents ORDER BY incident_id"))
    remote = _drop_run_dependent(_table(lakes.remote, "SELECT * FROM incidents ORDER BY incident_id"))
    assert local.num_rows > 0 and remote.equals(local)
    _same(lakes, "SELECT * FROM downtime ORDER BY date, outage_id, asset, service")
    local = _drop_run_dependent(_table(lakes.local, "SELECT * FROM metrics ORDER BY period, start"))
    remote = _drop_run_dependent(_table(lakes.remote, "SELECT * FROM metrics ORDER BY period, start"))
    assert local.column("period").to_pylist() == ["day", "month", "week"]
    assert remote.equals(local)


def test_same_report_on_both_lakes(lakes: TwoLakes) -> None:
    assert "<html" in lakes.reports["local"]
    assert lakes.reports["remote"] == lakes.reports["local"]


def test_rerun_replaces_the_partition_in_place(lakes: TwoLakes) -> None:
    lake = open_lake(lakes.remote)
    partition = Partition(lakes.org, "fw", lakes.day)
    before = read_manifest(lake, partition)
    [result] = ingest(lakes.remote, lakes.org, lakes.day, "fw")
    after = read_manifest(lake, partition)
    assert after["run_id"] == result.run_id != before["run_id"]
    assert after["outputs"] == before["outputs"]  # same input, same file
    assert verify_partition(lake, partition) == []
    folder = f"events/{partition.key}/"
    assert [key for key in lake.glob("events/**") if key.startswith(folder)] == [folder + "data.parquet"]
    assert not lake.staging.joinpath(result.run_id).exists()  # local scratch files removed


def test_a_failed_run_leaves_the_previous_version(lakes: TwoLakes, monkeypatch: pytest.MonkeyPatch) -> None:
    lake = open_lake(lakes.remote)
    partition = Partition(lakes.org, "fw", lakes.day)
    key = partition.data_key("events")
    before, manifest = lake.read_bytes(key), read_manifest(lake, partition)

    def crash(self: Store, scratch: Path, key: str) -> None:
        raise OSError("connection reset while uploading")

    monkeypatch.setattr(Store, "publish", crash)
    with pytest.raises(OSError, match="connection reset"):
        ingest(lakes.remote, lakes.org, lakes.day, "fw")
    assert lake.read_bytes(key) == before
    assert read_manifest(lake, partition) == manifest
    assert verify_partition(lake, partition) == []
    monkeypatch.undo()

    def die_before_manifest(self: Store, key: str, document: dict, run_id: str) -> None:
        raise KeyboardInterrupt  # killed between the data and the manifest

    monkeypatch.setattr(Store, "write_json", die_before_manifest)
    with pytest.raises(KeyboardInterrupt):
        ingest(lakes.remote, lakes.org, lakes.day, "fw")
    monkeypatch.undo()
    assert read_manifest(lake, partition) == manifest
    assert verify_partition(lake, partition) == []  # the same input wrote the same bytes
    assert (
        _table(
            lakes.remote, f"SELECT count(*) AS n FROM events WHERE date = '{lakes.day}' AND source = 'fw'"
        )["n"][0].as_py()
        == manifest["events_written"]
    )


def test_rules_read_only_their_organisations_prefixes(lakes: TwoLakes) -> None:
    org = lakes.remote.organisation(lakes.org)
    lake = open_lake(lakes.remote)
    con = open_sandbox(lakes.remote, org)
    try:
        own = con.execute("SELECT count(*) FROM org_events").fetchone()[0]
        assert own > 0
        alerts = lake.location(f"alerts/org={org.id}/**/*.parquet")
        assert con.execute(f"SELECT count(*) FROM read_parquet('{alerts}')").fetchone()[0] > 0
        for elsewhere in (
            lake.location("events/org=someone-else/**/*.parquet"),
            lake.location(f"events/org={org.id}/../org=someone-else/x.parquet"),
            lake.location("manifests/**/*.json"),
            str(Path(lakes.local.lake_root) / "events" / "**" / "*.parquet"),
        ):
            with pytest.raises(duckdb.PermissionException):
                con.execute(f"SELECT count(*) FROM read_parquet('{elsewhere}')").fetchone()
        with pytest.raises(duckdb.Error):
            con.execute("SET enable_external_access = true")
    finally:
        con.close()
