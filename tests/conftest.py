"""Shared pytest options and fixtures.

``--update-golden`` rewrites parser golden files (review the diff). ``demo_lake`` is a small
generated demo (3 organisations, 3 days) run through every step (ingest, detect, incidents,
downtime, metrics) once per test session.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest

from seclake.config import Config, load_config
from seclake.demo import DemoSet


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/parsers/golden/* from the current parsers (review the diff before committing)",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


DEMO_START = dt.date(2026, 11, 10)
DEMO_DAYS = 3


@dataclass
class DemoLake:
    """A generated demo and what each step returned on it."""

    demo: DemoSet
    config: Config
    ingested: list
    detected: list
    incidents: list
    downtime: list
    metrics: list
    truth: dict


@pytest.fixture(scope="session")
def demo_lake(tmp_path_factory: pytest.TempPathFactory) -> DemoLake:
    from seclake.demo import generate
    from seclake.detection.engine import detect
    from seclake.downtime import build_downtime
    from seclake.incidents import build_incidents
    from seclake.ingest import ingest
    from seclake.metrics import build_metrics

    demo = generate(tmp_path_factory.mktemp("demo"), seed=7, start=DEMO_START, days=DEMO_DAYS, scale=0.3)
    config = load_config(demo.config)
    jobs = [(org, date) for org in demo.orgs for date in demo.dates]
    ingested = [r for org, date in jobs for r in ingest(config, org, date)]
    detected = [detect(config, org, date) for org, date in jobs]
    incidents, downtime, metrics = [], [], []
    for org, date in sorted(jobs, key=lambda job: (job[1], job[0])):
        incidents.append(build_incidents(config, org, date))
        downtime.append(build_downtime(config, org, date))
        metrics.append(build_metrics(config, org, date))
    truth = json.loads(demo.ground_truth.read_text())
    return DemoLake(demo, config, ingested, detected, incidents, downtime, metrics, truth)
