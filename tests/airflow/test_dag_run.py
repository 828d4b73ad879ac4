"""The DAGs run in-process (``dag.test()``) over a small demo, compared with ``seclake run``.

The CLI and the DAGs read the same raw files into two lakes (``AirflowDemo``). The daily DAG and
then the periodic DAG for a day write the same files as ``seclake run`` for that day (lake tables,
manifests, day, week and month reports, the index) with the same content, apart from what records
when or by which run it was written. A second run (its day taken from the
data interval) with one organisation's anti-virus file turned to junk checks that the failure
stays in that organisation: the others complete, the run ends failed.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from seclake.cli import app
from seclake.demo.orgs import ORGANISATIONS
from tests.airflow.conftest import DEMO_START, AirflowDemo, parse_dags

pytestmark = pytest.mark.slow

DAY = DEMO_START
NEXT_DAY = DEMO_START + dt.timedelta(days=1)
STEPS = ("wait_for_day_end", "ingest", "detect", "incidents", "downtime", "metrics", "report")

VOLATILE_KEYS = frozenset({"run_id", "started_at", "finished_at", "seconds", "generated_at", "generated"})
"""Manifest and report keys that say when or by which run a file was written."""
VOLATILE_COLUMNS = frozenset({"reported_at", "pipeline_latency_s", "pipeline_latency_median_s"})
"""Columns derived from the time seclake first wrote an incident (the pipeline's own latency)."""


def _files(root: Path) -> dict[str, Path]:
    return {
        p.relative_to(root).as_posix(): p
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def _stable(document: Any) -> Any:
    """A JSON document without its volatile keys, at any depth."""
    if isinstance(document, dict):
        return {k: _stable(v) for k, v in document.items() if k not in VOLATILE_KEYS | VOLATILE_COLUMNS}
    if isinstance(document, list):
        return [_stable(v) for v in document]
    return document


def _content(path: Path) -> Any:
    """What a lake or report file says, less when and by which run it was written."""
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        return table.drop_columns([c for c in table.column_names if c in VOLATILE_COLUMNS]).to_pylist()
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return _stable(json.loads(text))
    report_json = path.with_suffix(".json")
    if report_json.exists():  # an HTML or Markdown report: its generation stamp is the volatile part
        stamp = json.loads(report_json.read_text(encoding="utf-8")).get("generated")
        text = text.replace(stamp, "<generated>") if stamp else text
    return re.sub(r"\d{1,2} \w+ \d{4}, \d{2}:\d{2} UTC", "<generated>", text)  # the index's stamp


@pytest.fixture(scope="module")
def cli_run(airflow_demo: AirflowDemo) -> Path:
    result = CliRunner().invoke(
        app, ["run", "--date", DAY.isoformat(), "--config", str(airflow_demo.cli_config)]
    )
    assert result.exit_code == 0, result.output
    return airflow_demo.demo.root


@pytest.fixture(scope="module")
def dag_run(dagbag, cli_run: Path):
    """The daily DAG for the day, then the periodic DAG for it (week and month reports), as the
    metrics update would trigger it."""
    daily = dagbag.get_dag("seclake_daily").test(run_conf={"date": DAY.isoformat()}, logical_date=None)
    periodic = dagbag.get_dag("seclake_periodic").test(run_conf={"date": DAY.isoformat()}, logical_date=None)
    assert periodic.state == "success"
    assert sorted(ti.map_index for ti in periodic.get_task_instances() if ti.task_id == "report") == list(
        range(2 * len(ORGANISATIONS))  # every organisation x week, month
    )
    return daily


def _states(run) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for ti in run.get_task_instances():
        found.setdefault(ti.task_id, []).append(ti.state)
    return found


def test_the_dag_runs_every_step_for_every_organisation(dag_run, airflow_demo: AirflowDemo) -> None:
    assert dag_run.state == "success"
    states = _states(dag_run)
    for org in ORGANISATIONS:
        for step in STEPS:
            expected = ["success"] * (len(org.sources) if step == "ingest" else 1)  # ingest: one per source
            assert states[f"{org.id}.{step}"] == expected, (org.id, step)
    assert states["index"] == ["success"] and states["every_org_succeeded"] == ["success"]


def _prefixed(root: Path, prefix: str) -> dict[str, Path]:
    return {f"{prefix}/{name}": path for name, path in _files(root).items()}


def test_the_dag_writes_what_seclake_run_writes(dag_run, cli_run: Path) -> None:
    cli = {**_prefixed(cli_run / "lake", "lake"), **_prefixed(cli_run / "reports", "reports")}
    dag = {**_prefixed(cli_run / "lake-airflow", "lake"), **_prefixed(cli_run / "reports-airflow", "reports")}
    tables = {name.split("/")[1] for name in cli if name.startswith("lake/")}
    assert tables == {"events", "quarantine", "alerts", "incidents", "downtime", "metrics", "manifests"}
    assert sum(n.startswith("lake/events/") for n in cli) == sum(len(o.sources) for o in ORGANISATIONS)
    reports = sum(n.startswith("reports/") and n.endswith(".html") for n in cli)
    assert reports == 3 * len(ORGANISATIONS) + 1  # day, week, month each + index
    assert sorted(dag) == sorted(cli)
    for name, path in cli.items():
        assert _content(dag[name]) == _content(path), name


def test_a_failing_organisation_does_not_stop_the_others(dag_run, airflow_demo: AirflowDemo) -> None:
    broken_org, *other_orgs = airflow_demo.demo.orgs
    junk = "".join(f"not a log line {i}\n" for i in range(100)).encode()
    (airflow_demo.demo.root / "logs" / broken_org / "av" / f"{NEXT_DAY}.log.gz").write_bytes(
        gzip.compress(junk)
    )
    # a manual run for logical date D+1 has the data interval [D, D+1): it processes day D
    run = (
        parse_dags()
        .get_dag("seclake_daily")
        .test(  # parsed anew: dag.test() keeps the last run's params
            logical_date=dt.datetime.combine(NEXT_DAY + dt.timedelta(days=1), dt.time(), dt.UTC)
        )
    )
    states = _states(run)
    assert run.state == "failed"
    sources = {org.id: len(org.sources) for org in ORGANISATIONS}
    assert sorted(states[f"{broken_org}.ingest"]) == ["failed"] + ["success"] * (sources[broken_org] - 1)
    for step in STEPS[2:]:
        assert states[f"{broken_org}.{step}"] == ["upstream_failed"], step
    for org in other_orgs:
        assert all(
            states[f"{org}.{step}"] == ["success"] * (sources[org] if step == "ingest" else 1)
            for step in STEPS
        )
        lake = airflow_demo.demo.root / "lake-airflow"
        assert (lake / "downtime" / f"org={org}" / f"date={NEXT_DAY}" / "data.parquet").exists()
        assert (airflow_demo.demo.root / "reports-airflow" / org / f"day-{NEXT_DAY}.html").exists()
    assert states["index"] == ["success"] and states["every_org_succeeded"] == ["upstream_failed"]
    assert (airflow_demo.demo.root / "reports-airflow" / "index.html").exists()
    alerts = airflow_demo.demo.root / "lake-airflow" / "alerts" / f"org={broken_org}" / f"date={NEXT_DAY}"
    assert not alerts.exists()
