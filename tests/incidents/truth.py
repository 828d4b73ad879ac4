"""Matching demo ground-truth scenarios to the incidents seclake found, for the truth tests."""

from __future__ import annotations

import datetime as dt

import duckdb

ENTITY_COLUMN = {"interface": "rule_name", "src_ip": "src_ip", "host": "host"}


def scenario_key(scenario: dict) -> str:
    """The incident entity a scenario's entity becomes (``'src_ip:198.51.100.7'``)."""
    entity = scenario["entity"]
    return f"{ENTITY_COLUMN[entity['type']]}:{entity['value']}"


def incidents_of(con: duckdb.DuckDBPyConnection, scenario: dict) -> list[dict]:
    """The incidents (latest snapshots) of the scenario's org that carry its entity."""
    relation = con.sql(
        "SELECT * FROM incidents WHERE org = $org AND list_contains(entities, $key) ORDER BY detected_at",
        params={"org": scenario["org"], "key": scenario_key(scenario)},
    )
    return relation.to_arrow_table().to_pylist()


def seconds_apart(found: dt.datetime | None, truth: str | None) -> float | None:
    """|found - truth| in seconds; 0 when both are null; None when only one is."""
    if found is None and truth is None:
        return 0.0
    if found is None or truth is None:
        return None
    return abs((found - dt.datetime.fromisoformat(truth.replace("Z", "+00:00"))).total_seconds())
