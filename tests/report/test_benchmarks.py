"""The benchmarks file: the shipped figures, the config key, validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from seclake.benchmarks import DEFAULT_BENCHMARKS, BenchmarkError, benchmarks_path, load_benchmarks
from tests.report import lake


def test_shipped_benchmarks_state_their_published_figures() -> None:
    benchmarks = {b.id: b for b in load_benchmarks(DEFAULT_BENCHMARKS)}
    cisco = benchmarks["cisco-2019-apac-worst-breach-downtime"]
    assert [(v.scope, v.value) for v in cisco.values] == [
        ("Vietnam", 48),
        ("Asia-Pacific", 35),
        ("Global", 25),
    ]
    assert (cisco.unit, cisco.at_least_hours, cisco.source.year) == ("percent", 17, 2019)
    ibm = benchmarks["ibm-2025-identify-and-contain"]
    assert ([v.value for v in ibm.values], ibm.unit, ibm.source.year) == ([241], "days", 2025)
    mandiant = benchmarks["mandiant-2025-median-dwell-time"]
    assert ([v.value for v in mandiant.values], mandiant.compares_with) == ([11], "dwell_time")
    assert all(b.definition and b.source.publication for b in benchmarks.values())


def test_closest_figure_follows_the_organisation_region() -> None:
    cisco = load_benchmarks(DEFAULT_BENCHMARKS)[0]
    assert cisco.closest("VN").scope == "Vietnam"
    assert cisco.closest("sg").scope == "Asia-Pacific"
    assert cisco.closest("GB").scope == "Global"
    assert cisco.closest("global").scope == "Global"


def test_config_names_another_file_relative_to_its_folder(tmp_path: Path) -> None:
    config = lake.config(tmp_path).model_copy(update={"benchmarks": "mine/bench.yaml"})
    assert benchmarks_path(config) == tmp_path / "mine" / "bench.yaml"
    assert benchmarks_path(lake.config(tmp_path)) == DEFAULT_BENCHMARKS
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "bench.yaml").write_text(
        "benchmarks:\n"
        "  - id: own-dwell\n"
        "    title: Our sector's dwell time\n"
        "    source: {publication: Sector survey, year: 2024}\n"
        "    definition: Median days to detect.\n"
        "    unit: days\n"
        "    compares_with: dwell_time\n"
        "    values: [{scope: Sector, value: 20}]\n"
    )
    assert [b.id for b in load_benchmarks(benchmarks_path(config))] == ["own-dwell"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("benchmarks: [{id: x}]", "benchmarks.0.title"),
        (
            "benchmarks:\n  - {id: x, title: t, source: {publication: p, year: 2019}, definition: d, unit: percent,\n"
            "     compares_with: worst_breach_downtime, values: [{scope: g, value: 1}]}",
            "at_least_hours",
        ),
        (
            "benchmarks:\n  - &b {id: x, title: t, source: {publication: p, year: 2019}, definition: d, unit: days,\n"
            "     compares_with: dwell_time, values: [{scope: g, value: 1}]}\n  - *b",
            "duplicate benchmark ids",
        ),
        ("benchmarks: []\nextra: 1", "extra"),
        ("!!python/object/apply:os.system ['true']", "not valid YAML"),
        ("benchmarks: [", "not valid YAML"),
    ],
)
def test_bad_files_are_refused_with_the_key(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "bench.yaml"
    path.write_text(text)
    with pytest.raises(BenchmarkError, match=problem) as error:
        load_benchmarks(path)
    assert str(path) in str(error.value)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(BenchmarkError, match="cannot read"):
        load_benchmarks(tmp_path / "nope.yaml")
