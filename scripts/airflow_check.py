"""Airflow through its REST API: wait until it is healthy, or check a whole demo run end to end.

``python scripts/airflow_check.py health --home H --port P`` waits until every component of the
Airflow at ``localhost:P`` reports healthy (``/api/v2/monitor/health``), then prints its URL and
the admin login; ``make airflow`` ends with it. It starts nothing.

``python scripts/airflow_check.py demo-run`` is the end-to-end check of issue 7. It generates a
two-day demo ending yesterday in a temporary folder, runs ``make airflow`` with its own Airflow
home, a free port, that demo's config and ``SECLAKE_START_DATE`` = yesterday, and then, through
the REST API only: checks both DAGs are listed, unpauses them (the scheduler catches up
yesterday), triggers ``seclake_daily`` for the day before (``conf: {"date": ...}``), waits for
every run, and asserts that each succeeded, that the lake and reports hold both days for every
organisation, and that ``seclake_periodic`` ran on the metrics updates and wrote the week and
month reports. Whatever happens, it then runs ``make airflow-stop`` and asserts that no process
of the group it started is left. Exit 0 when all holds (the temporary
folder is removed), 1 otherwise (the folder is kept for its logs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
PASSWORD_FILE = "simple_auth_manager_passwords.json.generated"
DAGS = ("seclake_daily", "seclake_periodic")
FINISHED = ("success", "failed")


class CheckFailed(Exception):
    """What the check found wrong."""


def _request(url: str, method: str = "GET", body: Any = None, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(
        urllib.request.Request(url, data, headers, method=method), timeout=30
    ) as reply:
        return json.load(reply)


def _healthy(base: str) -> bool:
    try:
        health = _request(f"{base}/api/v2/monitor/health")
    except OSError:
        return False
    components = {name: part.get("status") for name, part in health.items() if isinstance(part, dict)}
    return len(components) >= 4 and all(status == "healthy" for status in components.values())


def wait_healthy(home: Path, port: int, timeout_s: float = 300) -> tuple[str, str]:
    """Wait until every Airflow component is healthy; return the admin user and password."""
    base = f"http://localhost:{port}"
    deadline = time.monotonic() + timeout_s
    while not _healthy(base):
        if time.monotonic() > deadline:
            raise CheckFailed(
                f"Airflow at {base} not healthy after {timeout_s:.0f} s: see {home}/standalone.log"
            )
        time.sleep(2)
    user, password = next(iter(json.loads((home / PASSWORD_FILE).read_text(encoding="utf-8")).items()))
    return user, password


class Api:
    """The Airflow REST API (v2) with a token for the admin user."""

    def __init__(self, port: int, user: str, password: str) -> None:
        self.base = f"http://localhost:{port}"
        reply = _request(f"{self.base}/auth/token", "POST", {"username": user, "password": password})
        self.token = reply["access_token"]

    def __call__(self, path: str, method: str = "GET", body: Any = None) -> Any:
        return _request(f"{self.base}/api/v2{path}", method, body, self.token)

    def runs(self, dag_id: str) -> list[dict]:
        return self(f"/dags/{dag_id}/dagRuns?limit=100")["dag_runs"]

    def failed_tasks(self, dag_id: str, run_id: str) -> list[str]:
        instances = self(f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=500")["task_instances"]
        return [
            f"{ti['task_id']}[{ti['map_index']}]: {ti['state']}"
            for ti in instances
            if ti["state"] != "success"
        ]


def _wait(what: str, ready, timeout_s: float) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        found = ready()
        if found:
            return found
        if time.monotonic() > deadline:
            raise CheckFailed(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(5)


def _report_runs(api: Api, dag_id: str, runs: list[dict]) -> None:
    """Print each run with its duration; CheckFailed naming the tasks of a run that did not succeed."""
    for run in runs:
        took = dt.datetime.fromisoformat(run["end_date"]) - dt.datetime.fromisoformat(run["start_date"])
        print(f"{dag_id} {run['dag_run_id']}: {run['state']} in {took.total_seconds():.0f} s", flush=True)
        if run["state"] != "success":
            raise CheckFailed(f"{run['dag_run_id']} failed: {api.failed_tasks(dag_id, run['dag_run_id'])}")


def _finished_runs(api: Api, dag_id: str, count: int) -> list[dict] | None:
    runs = api.runs(dag_id)
    return runs if len(runs) >= count and all(run["state"] in FINISHED for run in runs) else None


def _expected_files(config: Any, days: list[dt.date]) -> list[Path]:
    """Files the two demo days must leave, for every organisation."""
    lake, reports = Path(config.lake_root), Path(config.reports_root)
    found = [reports / "index.html"]
    for org in config.organisations:
        for day in days:
            for source in org.sources:
                found.append(
                    lake / "manifests/ingest" / f"org={org.id}/source={source.id}/date={day}/manifest.json"
                )
            for table in ("alerts", "incidents", "downtime"):
                found.append(lake / table / f"org={org.id}/date={day}/data.parquet")
            found.append(lake / "metrics" / f"org={org.id}/period=day/start={day}/data.parquet")
            found.append(reports / org.id / f"day-{day}.html")
    return found


def _period_reports(config: Any, days: list[dt.date]) -> list[Path]:
    """The week and month reports the periodic DAG writes for the demo days."""
    sys.path.insert(0, str(REPOSITORY / "dags"))
    import seclake_steps

    from seclake.metrics import period_range

    updates = [{"org": org.id, "date": day.isoformat()} for org in config.organisations for day in days]
    return [
        Path(config.reports_root)
        / item["org_id"]
        / f"{item['period']}-{period_range(item['period'], dt.date.fromisoformat(item['day']))[0]}.html"
        for item in seclake_steps.period_reports({}, updates)
    ]


def _free_ports(count: int) -> list[int]:
    """Ports free on loopback now (the API server's and the two log servers')."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def _group_alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


def demo_run(make: str, makefile: str, timeout_s: float) -> None:
    """The end-to-end check described in the module docstring."""
    from seclake.config import load_config
    from seclake.demo import generate

    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    days = [yesterday - dt.timedelta(days=1), yesterday]
    work = Path(tempfile.mkdtemp(prefix="seclake-airflow-check-"))
    demo = generate(work / "demo", start=days[0], days=2, scale=0.1)
    config = load_config(demo.config)
    home = work / "airflow"
    port, *log_ports = _free_ports(3)
    variables = [
        f"AIRFLOW_HOME={home}",
        f"AIRFLOW_PORT={port}",
        f"AIRFLOW_LOG_PORTS={log_ports[0]} {log_ports[1]}",
        f"SECLAKE_CONFIG={demo.config}",
        f"SECLAKE_START_DATE={yesterday}",
    ]
    print(f"demo {days[0]}..{days[1]} in {work}; Airflow home {home}, port {port}", flush=True)
    started = time.monotonic()
    try:
        subprocess.run([make, "-f", makefile, "airflow", *variables], cwd=REPOSITORY, check=True)
        api = Api(port, *wait_healthy(home, port))
        listed = _wait(
            "both DAGs to be parsed",
            lambda: {d["dag_id"] for d in api("/dags?dag_id_pattern=seclake")["dags"]} >= set(DAGS),
            120,
        )
        print(f"listed: {sorted(DAGS)} ({listed})", flush=True)
        for dag_id in DAGS:
            api(f"/dags/{dag_id}", "PATCH", {"is_paused": False})
        api(
            "/dags/seclake_daily/dagRuns",
            "POST",
            {"logical_date": None, "conf": {"date": days[0].isoformat()}},
        )
        remaining = lambda: timeout_s - (time.monotonic() - started)  # noqa: E731
        daily = _wait("the two daily runs", lambda: _finished_runs(api, "seclake_daily", 2), remaining())
        _report_runs(api, "seclake_daily", daily)
        shown = api(f"/dags/seclake_daily/dagRuns/{daily[0]['dag_run_id']}/taskInstances?limit=500")
        labels = {
            ti["rendered_map_index"] for ti in shown["task_instances"] if ti["task_id"].endswith(".ingest")
        }
        if labels != {source.id for org in config.organisations for source in org.sources}:
            raise CheckFailed(f"ingest tasks are labelled {labels} in the UI, not by their source ids")
        reports = _period_reports(config, days)
        periodic = _wait(
            "the periodic DAG's runs and reports",
            lambda: all(p.exists() for p in reports) and _finished_runs(api, "seclake_periodic", 1),
            remaining(),
        )
        _report_runs(api, "seclake_periodic", periodic)
        missing = [str(p) for p in _expected_files(config, days) if not p.exists()]
        if missing:
            raise CheckFailed(f"{len(missing)} expected files missing, e.g. {missing[:5]}")
        print(f"lake and reports hold both days for {len(config.organisations)} organisations", flush=True)
    finally:
        pid_file = home / "standalone.pid"
        pid = int(pid_file.read_text()) if pid_file.exists() else None
        subprocess.run([make, "-f", makefile, "airflow-stop", *variables], cwd=REPOSITORY, check=False)
        if pid is not None and _group_alive(pid):
            os.killpg(pid, signal.SIGKILL)
            raise CheckFailed(f"make airflow-stop left processes of group {pid} running (killed now)")
    shutil.rmtree(work)
    print(f"demo-run: all checks passed in {time.monotonic() - started:.0f} s", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    health = commands.add_parser("health", help="wait until Airflow is healthy; print its URL and login")
    health.add_argument("--home", type=Path, required=True, help="AIRFLOW_HOME")
    health.add_argument("--port", type=int, default=8080)
    health.add_argument("--timeout", type=float, default=300, help="seconds")
    run = commands.add_parser(
        "demo-run", help="start Airflow on a demo, run it through the REST API, stop it"
    )
    run.add_argument("--make", default="make")
    run.add_argument("--makefile", default="Makefile", help="the Makefile with the airflow targets")
    run.add_argument("--timeout", type=float, default=1200, help="seconds for the whole check")
    args = parser.parse_args()
    try:
        if args.command == "health":
            user, password = wait_healthy(args.home, args.port, args.timeout)
            print(f"Airflow is up: http://localhost:{args.port}  (login: {user} / {password})")
        else:
            demo_run(args.make, args.makefile, args.timeout)
    except (CheckFailed, subprocess.CalledProcessError, urllib.error.URLError) as exc:
        print(f"{args.command}: FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
