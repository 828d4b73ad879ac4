"""Fixtures for the Airflow DAG tests: an Airflow home in a tmp dir, a small demo, the parsed DagBag.

Airflow reads its configuration when it is first imported, so ``airflow_home`` sets the
environment (AIRFLOW_HOME, the project's dags folder, examples off, SECLAKE_CONFIG) before
anything imports it, and creates the metadata database once per session
(``dag.test()`` needs it). The tests skip, saying why, when Airflow is not installed
(``pip install -e '.[airflow]'``).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from seclake.demo import DemoSet

DAGS = Path(__file__).resolve().parents[2] / "dags"
DEMO_START = dt.date(2026, 11, 10)
DEMO_DAYS = 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip this folder's tests, saying why, when Airflow is not installed."""
    if importlib.util.find_spec("airflow") is not None:
        return
    skip = pytest.mark.skip(reason="Airflow is not installed: pip install -e '.[airflow]'")
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(skip)


@dataclass
class AirflowDemo:
    """A small generated demo with a second config (``seclake-airflow.yaml``) whose lake and reports
    are separate folders, so the CLI and the DAG read the same raw files into two lakes; it starts
    the schedule on the demo's first day (``schedule.start_date``)."""

    demo: DemoSet
    cli_config: Path
    dag_config: Path


@pytest.fixture(scope="session")
def airflow_demo(tmp_path_factory: pytest.TempPathFactory) -> AirflowDemo:
    import yaml

    from seclake.demo import generate

    demo = generate(tmp_path_factory.mktemp("demo"), seed=7, start=DEMO_START, days=DEMO_DAYS, scale=0.1)
    document = yaml.safe_load(demo.config.read_text(encoding="utf-8"))
    dag_config = demo.root / "seclake-airflow.yaml"
    document.update(lake="lake-airflow", reports="reports-airflow", schedule={"start_date": DEMO_START})
    dag_config.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return AirflowDemo(demo, demo.config, dag_config)


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory, airflow_demo: AirflowDemo) -> Path:
    home = tmp_path_factory.mktemp("airflow-home")
    os.environ.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        SECLAKE_CONFIG=str(airflow_demo.dag_config),
    )
    os.environ.pop("SECLAKE_START_DATE", None)
    from airflow.utils import db

    db.resetdb()
    return home


def parse_dags():
    """The project's dags folder parsed as Airflow's DAG processor does (its folder on sys.path)."""
    from airflow.dag_processing.dagbag import BundleDagBag

    return BundleDagBag(str(DAGS), bundle_path=DAGS)


@pytest.fixture(scope="session")
def dagbag(airflow_home: Path):
    return parse_dags()


@pytest.fixture(scope="session")
def steps(dagbag):
    """The DAGs' helper module (importable once the dags folder is on sys.path)."""
    assert str(DAGS) in sys.path
    import seclake_steps

    return seclake_steps
