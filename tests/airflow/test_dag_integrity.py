"""The DAG folder imports cleanly and each DAG has the shape the README describes."""

from __future__ import annotations

import datetime as dt
import itertools

from tests.airflow.conftest import DEMO_START, AirflowDemo

CHAIN = ("wait_for_day_end", "ingest", "detect", "incidents", "downtime", "metrics", "report")
DUCKDB_STEPS = ("detect", "incidents", "downtime", "metrics")
OUTLETS = {
    "ingest": {"seclake.events", "seclake.quarantine"},
    "detect": {"seclake.alerts"},
    "incidents": {"seclake.incidents"},
    "downtime": {"seclake.downtime"},
    "metrics": {"seclake.metrics"},
    "report": {"seclake.reports"},
}


def test_the_dag_folder_imports_without_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert sorted(dagbag.dag_ids) == ["seclake_daily", "seclake_periodic"]


def test_daily_dag_schedule_catchup_and_params(dagbag, airflow_demo: AirflowDemo) -> None:
    dag = dagbag.get_dag("seclake_daily")
    assert type(dag.timetable).__name__ == "CronDataIntervalTimetable"
    assert (dag.timetable.expression, str(dag.timetable.timezone)) == ("0 0 * * *", "UTC")
    assert dag.start_date == dt.datetime.combine(DEMO_START, dt.time(), dt.UTC)
    assert dag.catchup is True and dag.max_active_runs == 1
    assert dag.params.dump() == {"date": None, "org": None, "source": None, "settle_minutes": 60}
    assert dag.params.get_param("org").schema["enum"] == [None, *airflow_demo.demo.orgs]


def test_daily_dag_one_group_per_organisation_with_ingest_mapped_over_sources(
    dagbag, airflow_demo: AirflowDemo
) -> None:
    dag = dagbag.get_dag("seclake_daily")
    orgs = airflow_demo.demo.orgs
    assert sorted(dag.task_group.children) == sorted(["run_day", "index", "every_org_succeeded", *orgs])
    for org in orgs:
        assert sorted(dag.task_group.children[org].children) == sorted(f"{org}.{step}" for step in CHAIN)
        ingest = dag.get_task(f"{org}.ingest")
        assert ingest.is_mapped
        assert list(ingest.op_kwargs_expand_input.value) == ["source_id"]
        assert ingest.op_kwargs_expand_input.value["source_id"].operator.task_id == f"{org}.wait_for_day_end"
        assert ingest.partial_kwargs["op_kwargs"]["org_id"] == org
        for before, after in itertools.pairwise(CHAIN):
            assert f"{org}.{before}" in dag.get_task(f"{org}.{after}").upstream_task_ids, (before, after)
        assert dag.get_task(f"{org}.wait_for_day_end").upstream_task_ids == {"run_day"}
    reports = {f"{org}.report" for org in orgs}
    assert dag.get_task("index").upstream_task_ids == reports
    assert dag.get_task("index").trigger_rule == "all_done"
    assert dag.get_task("every_org_succeeded").upstream_task_ids == {*reports, "index"}
    assert dag.get_task("every_org_succeeded").trigger_rule == "all_success"


def test_daily_dag_retries_timeouts_pool_and_assets(dagbag, airflow_demo: AirflowDemo) -> None:
    dag = dagbag.get_dag("seclake_daily")
    org = airflow_demo.demo.orgs[0]
    lake_uri = (airflow_demo.demo.root / "lake-airflow").as_uri()
    tables = ("events", "quarantine", "alerts", "incidents", "downtime", "metrics")
    uris = {f"seclake.{table}": f"{lake_uri}/{table}" for table in tables}
    uris["seclake.reports"] = (airflow_demo.demo.root / "reports-airflow").as_uri()
    for step in CHAIN[1:]:
        task = dag.get_task(f"{org}.{step}")
        assert task.retries == 2 and task.retry_exponential_backoff, step
        assert task.max_retry_delay == dt.timedelta(hours=1)
        assert task.execution_timeout <= dt.timedelta(hours=2), step
        assert task.pool == ("seclake_duckdb" if step in DUCKDB_STEPS else "default_pool"), step
        assert {asset.name for asset in task.outlets} == OUTLETS[step], step
        assert all(asset.uri == uris[asset.name] for asset in task.outlets), step
    sensor = dag.get_task(f"{org}.wait_for_day_end")
    assert sensor.mode == "reschedule" and sensor.timeout == 2 * 86400 and sensor.retries == 0


def test_periodic_dag_runs_on_metrics_and_maps_reports(dagbag, airflow_demo: AirflowDemo) -> None:
    dag = dagbag.get_dag("seclake_periodic")
    assert [asset.name for asset in dag.timetable.asset_condition.objects] == ["seclake.metrics"]
    assert dag.params.dump() == {"date": None, "org": None}
    assert dag.params.get_param("org").schema["enum"] == [None, *airflow_demo.demo.orgs]
    report = dag.get_task("report")
    assert report.is_mapped and report.op_kwargs_expand_input.value.operator.task_id == "period_reports"
    assert dag.get_task("index").upstream_task_ids == {"report"}
    assert {asset.name for asset in report.outlets} == {"seclake.reports"}
    assert report.retries == 2 and report.execution_timeout == dt.timedelta(minutes=30)
