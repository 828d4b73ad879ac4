"""Published benchmarks a report compares an organisation with, read from a YAML file.

The default file is ``benchmarks.yaml`` at the project root; the config key ``benchmarks:`` names
another one (relative to the config's folder). Each benchmark states its source (publication and
year), its definition, its unit and one value per scope (a country, a region, global), and which
of the organisation's own figures it compares with:

- ``worst_breach_downtime``: the downtime caused by the period's worst breach; the benchmark gives
  the share of organisations (percent) at or above ``at_least_hours``;
- ``identify_and_contain``: the mean time from first malicious activity to containment (days);
- ``dwell_time``: the median dwell time, first malicious activity to detection (days).

Only figures the publication states belong in the file: no distribution is filled in around a
single published share. The file is read with ``yaml.safe_load`` and validated with pydantic; a
problem raises ``BenchmarkError`` naming the file, the entry and the key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from seclake.config import Config

DEFAULT_BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks.yaml"


class BenchmarkError(ValueError):
    """The benchmarks file is missing, not YAML, or not valid; the message says where and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    publication: str = Field(min_length=1)
    year: int = Field(ge=1990, le=2100)
    url: str | None = None


class ScopeValue(_Strict):
    scope: str = Field(min_length=1)
    """Who the figure is about: 'Vietnam', 'Asia-Pacific', 'Global'."""
    value: float
    regions: list[str] = []
    """Organisation ``region`` codes this figure is the closest one for (empty: everyone)."""


class Benchmark(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: str = Field(min_length=1)
    source: Source
    definition: str = Field(min_length=1)
    unit: Literal["percent", "days", "hours"]
    compares_with: Literal["worst_breach_downtime", "identify_and_contain", "dwell_time"]
    at_least_hours: float | None = Field(default=None, gt=0)
    values: list[ScopeValue] = Field(min_length=1)

    @model_validator(mode="after")
    def _threshold_for_shares(self) -> Benchmark:
        if self.compares_with == "worst_breach_downtime" and (
            self.unit != "percent" or self.at_least_hours is None
        ):
            raise ValueError("a worst_breach_downtime benchmark is a percent share with at_least_hours")
        return self

    @property
    def citation(self) -> str:
        """'Cisco Asia Pacific CISO Benchmark Study, 2019'."""
        return f"{self.source.publication}, {self.source.year}"

    def closest(self, region: str) -> ScopeValue:
        """The value whose regions name ``region``, else the first one for everyone."""
        for value in self.values:
            if region.upper() in (r.upper() for r in value.regions):
                return value
        return next((v for v in self.values if not v.regions), self.values[-1])


class BenchmarkFile(_Strict):
    benchmarks: list[Benchmark]

    @model_validator(mode="after")
    def _unique_ids(self) -> BenchmarkFile:
        ids = [b.id for b in self.benchmarks]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"duplicate benchmark ids: {duplicated}")
        return self


def benchmarks_path(config: Config) -> Path:
    """The benchmarks file a config uses: its ``benchmarks:`` key, else the shipped default."""
    return Path(config.resolve(config.benchmarks)) if config.benchmarks else DEFAULT_BENCHMARKS


def load_benchmarks(path: Path) -> list[Benchmark]:
    """Read and validate a benchmarks file; BenchmarkError with file, entry and key when it is not right."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BenchmarkError(f"{path}: cannot read the benchmarks: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise BenchmarkError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return BenchmarkFile.model_validate(data).benchmarks
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top level)'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        raise BenchmarkError(f"{path}: {problems}") from exc
