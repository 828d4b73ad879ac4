"""What the seclake DAGs call: each seclake step for one org and day, failing the task with the reason.

The DAG files only wire these together; every function takes identifiers (org, source, day as
``YYYY-MM-DD``), reads the config, runs the step (which reads and writes the lake) and returns
identifiers, never data. Steps are imported inside the functions, so parsing a DAG stays fast.

Definitions (also in the README's Airflow section):

- **config**: ``$SECLAKE_CONFIG``, else the repository's ``seclake.yaml``; read when a DAG is parsed
  (organisations, lake location) and again by every task (so a task sees the config as it is then).
- **start date**: ``schedule.start_date`` in ``seclake.yaml`` (``YYYY-MM-DD``), the first day the
  daily DAG processes and catches up from; ``$SECLAKE_START_DATE``, when set, overrides it (e.g.
  ``make airflow`` on the demo); one of the two is required.
- **run day**: the day a daily run processes: its ``date`` param when given, else the UTC date its
  data interval starts (the run for ``[D 00:00, D+1 00:00) UTC`` processes day D).
- **day over**: day D is each organisation's own local day D (as for ``seclake run --date D``);
  an organisation's tasks start once that local day has ended plus ``settle_minutes`` for the last
  logs to arrive. The run starts at D+1 00:00 UTC; an organisation west of UTC waits.
- **period reports**: the week (ISO, Monday to Sunday) and month reports of an organisation,
  "to date" as of the latest day whose metrics were written (as ``seclake run`` writes them); the
  periodic DAG rewrites them whenever the daily DAG updates that organisation's metrics.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from airflow.sdk import Asset
from airflow.sdk.exceptions import AirflowFailException

from seclake.config import Config, load_config

log = logging.getLogger(__name__)

REPOSITORY = Path(__file__).resolve().parents[1]
DUCKDB_POOL = "seclake_duckdb"
DEFAULT_ARGS: dict[str, Any] = {
    "retries": 2,
    "retry_delay": dt.timedelta(minutes=5),
    "retry_exponential_backoff": True,
    "max_retry_delay": dt.timedelta(hours=1),
    "execution_timeout": dt.timedelta(minutes=30),
}
"""Retries with backoff and the default time limit of every seclake task (both DAGs)."""
"""The Airflow pool of the DuckDB-heavy steps (detect, incidents, downtime, metrics); ``make airflow``
creates it with one slot for every two cores."""
LAKE_TABLES: tuple[str, ...] = ("events", "quarantine", "alerts", "incidents", "downtime", "metrics")
PERIOD_REPORTS: tuple[str, ...] = ("week", "month")


def config() -> Config:
    """The seclake config: ``$SECLAKE_CONFIG``, else the repository's ``seclake.yaml``."""
    return load_config(os.environ.get("SECLAKE_CONFIG") or REPOSITORY / "seclake.yaml")


def start_date() -> dt.datetime:
    """Midnight UTC of the start date (see the module doc): the first day the daily DAG processes."""
    override = os.environ.get("SECLAKE_START_DATE")
    day = dt.date.fromisoformat(override) if override else config().schedule.start_date
    if day is None:
        raise ValueError(
            "set schedule.start_date in seclake.yaml (or $SECLAKE_START_DATE) to the first day to process"
        )
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def _uri(location: str) -> str:
    """A config location as a URI: object-store URLs as they are, local paths as ``file://``."""
    return location if "://" in location else Path(location).as_uri()


def assets(cfg: Config) -> dict[str, Asset]:
    """One Airflow asset per lake table the steps update, plus the reports folder."""
    found = {
        table: Asset(name=f"seclake.{table}", uri=f"{_uri(cfg.lake_root)}/{table}") for table in LAKE_TABLES
    }
    found["reports"] = Asset(name="seclake.reports", uri=_uri(cfg.reports_root))
    return found


def run_day(params: Mapping[str, Any], data_interval_start: dt.datetime | None) -> str:
    """The day a daily run processes (see the module doc), as ``YYYY-MM-DD``."""
    if params.get("date"):
        return dt.date.fromisoformat(params["date"]).isoformat()
    if data_interval_start is None:
        raise AirflowFailException("this run has no data interval: trigger it with the 'date' param")
    return data_interval_start.astimezone(dt.UTC).date().isoformat()


def sources_to_ingest(org_id: str, params: Mapping[str, Any]) -> list[str]:
    """The organisation's source ids this run ingests: none when the run is for another org."""
    org = config().organisation(org_id)
    if params.get("org") not in (None, org.id):
        return []
    wanted = params.get("source")
    if wanted is None:
        return [source.id for source in org.sources]
    if wanted in {source.id for source in org.sources}:
        return [wanted]
    if params.get("org") == org.id:
        raise AirflowFailException(
            f"organisation {org.id!r} has no source {wanted!r} (has: {[s.id for s in org.sources]})"
        )
    return []


def day_over(org_id: str, day: str, settle_minutes: int, now: dt.datetime | None = None) -> bool:
    """True once the organisation's local ``day`` has ended plus the settle time (see the module doc)."""
    from seclake.detection.engine import day_bounds

    end = day_bounds(dt.date.fromisoformat(day), config().organisation(org_id).timezone)[1]
    ready_at = end + dt.timedelta(minutes=settle_minutes)
    now = now or dt.datetime.now(dt.UTC)
    if now < ready_at:
        log.info("%s: day %s is complete at %s UTC; waiting", org_id, day, ready_at.isoformat())
    return now >= ready_at


def ready_sources(org_id: str, day: str, params: Mapping[str, Any]) -> list[str] | None:
    """The sources to ingest once the organisation's day is over; None while it is not (yet)."""
    sources = sources_to_ingest(org_id, params)
    if sources and not day_over(org_id, day, params["settle_minutes"]):
        return None
    return sources


def ingest(org_id: str, source_id: str, day: str) -> None:
    """Ingest one org/source/day. Fails: files missing or unreadable (retried: logs may still be
    arriving); more than the quarantine threshold of lines quarantined (not retried: same input, same result)."""
    from seclake.ingest import ingest_source

    cfg = config()
    result = ingest_source(cfg, org_id, source_id, dt.date.fromisoformat(day))
    log.info(
        "%s: %d files, %d lines, %d events, %d quarantined (%.1f%%) in %.1f s",
        result.partition.key,
        len(result.inputs),
        result.lines_read,
        result.events,
        result.quarantined,
        100 * result.quarantine_share,
        result.seconds,
    )
    for reason, count in result.reasons.most_common(5):
        log.info("quarantined %d lines: %s", count, reason)
    for warning in result.warnings:
        log.warning("%s", warning)
    if result.errors:
        raise RuntimeError(f"{result.partition.key}: " + "; ".join(result.errors))
    threshold = cfg.ingest.quarantine_threshold
    if result.failed(threshold):
        raise AirflowFailException(
            f"{result.partition.key}: {result.quarantine_share:.1%} of lines quarantined "
            f"(threshold {threshold:.0%}); top reasons: {dict(result.reasons.most_common(3))}"
        )


def detect(org_id: str, day: str) -> None:
    """Run the rules over one org-day. Fails (not retried) when a rule failed; the other rules' alerts are written."""
    from seclake.detection.engine import detect as run_rules

    result = run_rules(config(), org_id, dt.date.fromisoformat(day))
    log.info(
        "%s %s: %d rules, %d alerts, %d suppressed",
        org_id,
        day,
        len(result.runs),
        result.alerts.num_rows,
        result.suppressed,
    )
    for problem in result.rule_errors:
        log.warning("rule file error: %s", problem)
    if result.failed_rules:
        raise AirflowFailException(
            "rules failed: "
            + "; ".join(f"{run.rule_id} ({run.path}): {run.error}" for run in result.failed_rules)
        )


def incidents(org_id: str, day: str) -> None:
    """Build the org-day's incidents snapshot."""
    from seclake.incidents import build_incidents

    result = build_incidents(config(), org_id, dt.date.fromisoformat(day))
    log.info("%s %s: %d incidents", org_id, day, result.incidents.num_rows)


def downtime(org_id: str, day: str) -> None:
    """Build the org-day's outages."""
    from seclake.downtime import build_downtime

    build_downtime(config(), org_id, dt.date.fromisoformat(day))


def metrics(org_id: str, day: str) -> None:
    """Write the day, week-to-date and month-to-date metrics rows of the org-day."""
    from seclake.metrics import build_metrics

    build_metrics(config(), org_id, dt.date.fromisoformat(day))


def report(org_id: str, period: str, day: str) -> None:
    """Write the organisation's report for the period containing ``day``."""
    from seclake.report import write_report

    files = write_report(config(), org_id, period, dt.date.fromisoformat(day))
    log.info("%s %s report: %s", org_id, period, files.html)


def index() -> None:
    """Write the reports index over every organisation."""
    from seclake.report import write_index

    log.info("index: %s", write_index(config()))


def period_reports(params: Mapping[str, Any], updates: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The week and month reports to write (see the module doc): one per organisation and period,
    as of the latest day given for it, for the ``date`` param's day when given, else for the metrics
    updates (``{"org", "date"}`` extras); only the ``org`` param's organisation when it is given."""
    from seclake.metrics import periods_of

    if params.get("date"):
        updates = [{"org": org.id, "date": params["date"]} for org in config().organisations]
    days = [
        (update["org"], dt.date.fromisoformat(update["date"]))
        for update in updates
        if params.get("org") in (None, update["org"])
    ]
    return [
        {"org_id": org, "period": period, "day": day.isoformat()}
        for org, period, day in periods_of(days, PERIOD_REPORTS)
    ]
