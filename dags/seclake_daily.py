"""seclake_daily: every seclake step for every organisation, once a day, caught up and backfillable.

One run processes one day (``seclake_steps.run_day``): the scheduled run for the data interval
``[D 00:00, D+1 00:00) UTC`` processes day D, each organisation's own local day D. Per
organisation (a task group named after it): wait until its day is over, ingest each source
(mapped over the sources), then detect → incidents → downtime → metrics → the day's report; then
the reports index. Organisations are separate task groups, built from the config when the DAG
is parsed (Airflow 3.3 cannot map a task inside a mapped task group, and a plain mapped task
downstream of all organisations' ingests would let one failing organisation stop the others): one
organisation failing leaves the others running, the run ends failed (``every_org_succeeded``) and
the failed tasks show in the grid.
Runs go one at a time (a day's detection and incidents read the days before it). Each step
declares the lake table it updates as an Asset; ``seclake_periodic`` runs on ``seclake.metrics``.
Params: ``date`` (re-run a day), ``org`` / ``source`` (one organisation / one source only),
``settle_minutes``.
"""

from __future__ import annotations

import datetime as dt

import seclake_steps as steps
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import (
    CronDataIntervalTimetable,
    Param,
    PokeReturnValue,
    TaskGroup,
    TriggerRule,
    chain,
    dag,
    task,
)

CONFIG = steps.config()
ASSETS = steps.assets(CONFIG)
ORG_IDS = [org.id for org in CONFIG.organisations]


@dag(
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=steps.start_date(),
    catchup=True,
    max_active_runs=1,
    default_args=steps.DEFAULT_ARGS,
    params={
        "date": Param(
            None, type=["null", "string"], format="date", description="Day to process (YYYY-MM-DD)"
        ),
        "org": Param(
            None, type=["null", "string"], enum=[None, *ORG_IDS], description="Only this organisation"
        ),
        "source": Param(None, type=["null", "string"], description="Only this source id"),
        "settle_minutes": Param(
            60, type="integer", minimum=0, description="Wait after a day ends for late logs"
        ),
    },
    tags=["seclake"],
    doc_md=__doc__,
)
def seclake_daily() -> None:
    @task(retries=0)
    def run_day(params=None, data_interval_start=None) -> str:
        return steps.run_day(params, data_interval_start)

    @task.sensor(poke_interval=600, timeout=2 * 86400, mode="reschedule", retries=0)
    def wait_for_day_end(org_id: str, day: str, params=None) -> PokeReturnValue:
        ready = steps.ready_sources(org_id, day, params)
        return PokeReturnValue(is_done=ready is not None, xcom_value=ready)

    @task(
        outlets=[ASSETS["events"], ASSETS["quarantine"]],
        execution_timeout=dt.timedelta(hours=2),
        map_index_template="{{ task.op_kwargs['source_id'] }}",
    )
    def ingest(org_id: str, source_id: str, day: str, outlet_events=None) -> None:
        steps.ingest(org_id, source_id, day)
        for table in ("events", "quarantine"):
            outlet_events[ASSETS[table]].extra = {"org": org_id, "source": source_id, "date": day}

    @task(outlets=[ASSETS["alerts"]], pool=steps.DUCKDB_POOL, execution_timeout=dt.timedelta(hours=1))
    def detect(org_id: str, day: str, outlet_events=None) -> None:
        steps.detect(org_id, day)
        outlet_events[ASSETS["alerts"]].extra = {"org": org_id, "date": day}

    @task(outlets=[ASSETS["incidents"]], pool=steps.DUCKDB_POOL)
    def incidents(org_id: str, day: str, outlet_events=None) -> None:
        steps.incidents(org_id, day)
        outlet_events[ASSETS["incidents"]].extra = {"org": org_id, "date": day}

    @task(outlets=[ASSETS["downtime"]], pool=steps.DUCKDB_POOL)
    def downtime(org_id: str, day: str, outlet_events=None) -> None:
        steps.downtime(org_id, day)
        outlet_events[ASSETS["downtime"]].extra = {"org": org_id, "date": day}

    @task(outlets=[ASSETS["metrics"]], pool=steps.DUCKDB_POOL)
    def metrics(org_id: str, day: str, outlet_events=None) -> None:
        steps.metrics(org_id, day)
        outlet_events[ASSETS["metrics"]].extra = {"org": org_id, "date": day}

    @task(outlets=[ASSETS["reports"]])
    def report(org_id: str, day: str) -> None:
        steps.report(org_id, "day", day)

    @task(outlets=[ASSETS["reports"]], trigger_rule=TriggerRule.ALL_DONE)
    def index() -> None:
        steps.index()

    day = run_day()
    written_index = index()
    reports = []
    for org_id in ORG_IDS:
        with TaskGroup(org_id):
            sources = wait_for_day_end(org_id, day)
            reports.append(report(org_id, day))
            chain(
                ingest.partial(org_id=org_id, day=day).expand(source_id=sources),
                detect(org_id, day),
                incidents(org_id, day),
                downtime(org_id, day),
                metrics(org_id, day),
                reports[-1],
            )
    chain(reports, written_index)
    [*reports, written_index] >> EmptyOperator(task_id="every_org_succeeded")


seclake_daily()
