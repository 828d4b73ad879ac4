"""Shared helpers of the Sigma import tests: convert a detection, run a condition over rows."""

from __future__ import annotations

import textwrap

import pyarrow as pa
from sigma.rule import SigmaRule

from seclake.detection.sandbox import open_sandbox
from seclake.schema import EVENT_SCHEMA
from seclake.sigma.backend import SeclakeBackend
from seclake.sigma.fieldmap import load_fieldmap
from seclake.sigma.pipeline import seclake_pipeline

FIELDMAP = load_fieldmap()


def condition(detection: str, logsource: str = "category: firewall") -> str:
    """The SQL condition of a Sigma rule with this logsource and detection (YAML bodies)."""
    text = (
        "title: test rule\nlogsource:\n"
        + textwrap.indent(textwrap.dedent(logsource).strip(), "    ")
        + "\ndetection:\n"
        + textwrap.indent(textwrap.dedent(detection).strip(), "    ")
        + "\n"
    )
    rule = SigmaRule.from_yaml(text)
    source = FIELDMAP.source_for(
        {
            "category": rule.logsource.category,
            "product": rule.logsource.product,
            "service": rule.logsource.service,
        }
    )
    (query,) = SeclakeBackend(processing_pipeline=seclake_pipeline(source)).convert_rule(rule)
    return query


def matching(where: str, rows: list[dict]) -> list[int]:
    """The 1-based numbers of the rows (event columns; others null) that satisfy ``where``."""
    full = []
    for number, row in enumerate(rows, 1):
        event = dict.fromkeys(EVENT_SCHEMA.names)
        event.update(
            org="t",
            source="t",
            vendor="t",
            product="t",
            format="t",
            event_class="network_activity",
            raw="",
            raw_file="t",
            raw_line=number,
        )
        event.update(row)
        if isinstance(event["extra"], dict):
            event["extra"] = list(event["extra"].items())
        full.append(event)
    con = open_sandbox(None, None, pa.Table.from_pylist(full, schema=EVENT_SCHEMA))
    try:
        return [
            r[0] for r in con.execute(f"SELECT raw_line FROM org_events WHERE {where} ORDER BY 1").fetchall()
        ]
    finally:
        con.close()
