"""The event schema: every column documented, frames convert to exactly the Arrow schema."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pyarrow as pa
import pytest

from seclake.schema import (
    ACTIONS,
    EVENT_CLASSES,
    EVENT_COLUMN_NAMES,
    EVENT_COLUMNS,
    EVENT_SCHEMA,
    conform_events,
    events_to_arrow,
    extra_columns,
)

DESIGN_COLUMNS = [
    "time",
    "org",
    "source",
    "vendor",
    "product",
    "format",
    "event_class",
    "action",
    "vendor_action",
    "severity",
    "message_id",
    "src_ip",
    "src_port",
    "dst_ip",
    "dst_port",
    "nat_src_ip",
    "nat_dst_ip",
    "protocol",
    "direction",
    "src_zone",
    "dst_zone",
    "bytes_in",
    "bytes_out",
    "bytes_total",
    "packets",
    "duration_s",
    "rule_name",
    "device",
    "host",
    "user",
    "file_path",
    "file_hash",
    "malware_name",
    "message",
    "raw",
    "raw_file",
    "raw_line",
    "extra",
]


def test_schema_has_every_design_column_documented() -> None:
    assert set(DESIGN_COLUMNS) <= set(EVENT_COLUMN_NAMES)
    assert all(len(c.doc) > 10 for c in EVENT_COLUMNS)
    assert EVENT_SCHEMA.field("time").type == pa.timestamp("us", tz="UTC")
    assert EVENT_SCHEMA.field("src_port").type == pa.int32()
    assert set(ACTIONS) == set(EVENT_CLASSES)
    assert "protection_disabled" in ACTIONS["system"] and "quarantined" in ACTIONS["malware_detection"]


def test_frame_converts_to_the_exact_arrow_schema_with_a_map_extra() -> None:
    frame = pl.DataFrame(
        {
            "time": [dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), None],
            "src_port": [443, None],
            "raw": ["a", "b"],
            "raw_file": ["f.log", "f.log"],
            "raw_line": [1, 2],
            **{name: ["x", "y"] for name in ("org", "source", "vendor", "product", "format", "event_class")},
            "reason": ["x", None],
            "sig": [None, "27100"],
        }
    ).with_columns(*extra_columns(teardown_reason=pl.col("reason"), signature_version=pl.col("sig")))
    table = events_to_arrow(frame.drop("reason", "sig"))
    assert table.schema == EVENT_SCHEMA
    assert table.column("extra").to_pylist() == [[("teardown_reason", "x")], [("signature_version", "27100")]]
    assert table.column("dst_ip").null_count == 2  # columns the frame lacks are typed nulls


def test_required_columns_cannot_be_null() -> None:
    with pytest.raises(ValueError, match="non-nullable"):
        events_to_arrow(pl.DataFrame({"raw": ["a"]}))


def test_extra_columns_survive_slices_and_empty_rows() -> None:
    frame = pl.DataFrame({"a": ["1", None, "3", "4"], "b": [None, None, "y", None]}).with_columns(
        *extra_columns(k=pl.col("a"), other=pl.col("b"))
    )
    conformed = conform_events(pl.concat([frame, frame]).slice(2, 4).drop("a", "b"))
    assert conformed.columns[-2:] == ["extra.k", "extra.other"]
    from seclake.schema import _extra_map

    assert _extra_map(conformed).to_pylist() == [
        [("k", "3"), ("other", "y")],
        [("k", "4")],
        [("k", "1")],
        None,
    ]


def test_conform_refuses_columns_outside_the_schema() -> None:
    with pytest.raises(ValueError, match="columns not in the schema: \\['vendor_field'\\]"):
        conform_events(pl.DataFrame({"vendor_field": [1]}))
