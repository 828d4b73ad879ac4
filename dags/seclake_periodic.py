"""seclake_periodic: the week and month reports, rewritten whenever the daily DAG updates the metrics.

Scheduled on the ``seclake.metrics`` Asset: each metrics update of ``seclake_daily`` names its
organisation and day, and this DAG writes that organisation's week and month reports "to date" as
of that day (``seclake_steps.period_reports``: the ones ``seclake run`` writes besides the day's),
mapped over organisation and period, then the index. Together with ``seclake_daily`` it writes
what ``seclake run`` writes. Triggered by hand, ``date`` (and ``org``) say which reports to write.
"""

from __future__ import annotations

import seclake_steps as steps
from airflow.sdk import Param, dag, task

CONFIG = steps.config()
ASSETS = steps.assets(CONFIG)


@dag(
    schedule=[ASSETS["metrics"]],
    catchup=False,
    max_active_runs=1,
    default_args=steps.DEFAULT_ARGS,
    params={
        "date": Param(None, type=["null", "string"], format="date", description="Reports of this day"),
        "org": Param(
            None,
            type=["null", "string"],
            enum=[None, *(org.id for org in CONFIG.organisations)],
            description="Only this organisation",
        ),
    },
    tags=["seclake"],
    doc_md=__doc__,
)
def seclake_periodic() -> None:
    @task(retries=0)
    def period_reports(params=None, triggering_asset_events=None) -> list[dict[str, str]]:
        updates = triggering_asset_events.get(ASSETS["metrics"], []) if triggering_asset_events else []
        return steps.period_reports(params, [event.extra for event in updates])

    @task(
        outlets=[ASSETS["reports"]],
        map_index_template="{{ task.op_kwargs['org_id'] }} {{ task.op_kwargs['period'] }}",
    )
    def report(org_id: str, period: str, day: str) -> None:
        steps.report(org_id, period, day)

    @task(outlets=[ASSETS["reports"]])
    def index() -> None:
        steps.index()

    report.expand_kwargs(period_reports()) >> index()


seclake_periodic()
