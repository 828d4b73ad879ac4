"""The project config (``seclake.yaml``): organisations, their log sources and assets, the lake.

Loaded with ``yaml.safe_load`` and validated on load; a bad config raises ``ConfigError`` naming
the key and the problem (``organisations[1].sources[0].id: ...``). Organisation and source ids
become lake path components, so they are restricted to ``[a-z0-9][a-z0-9_-]{0,62}``. Relative
paths (lake, reports, source paths) are relative to the config file's folder.

``lake`` is a local folder or an object-store URL (``s3://bucket/prefix``, any protocol fsspec
knows), opened with ``lake_storage_options`` (see ``seclake.storage``; ``${NAME}`` values are read
from the environment when the lake is opened, never stored); ``reports`` is a local folder.
``schedule.start_date`` is the first day the daily Airflow DAG processes.

The config path is ``--config``, else ``$SECLAKE_CONFIG``, else ``./seclake.yaml``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import zoneinfo
from pathlib import Path
from typing import Annotated, Any, Literal

import fsspec
import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from seclake.durations import parse_duration

SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
DEFAULT_CONFIG = "seclake.yaml"


class ConfigError(ValueError):
    """The config file is missing, not YAML, or not valid; the message says where and why."""


def check_id(value: str, what: str = "id") -> str:
    """Return ``value`` if it is a safe id (usable as a path component), else raise ValueError."""
    if not isinstance(value, str) or not SAFE_ID.match(value):
        raise ValueError(
            f"{what} {value!r} is not allowed: use 1-63 of a-z, 0-9, '_' and '-', starting with a letter or digit"
        )
    return value


def _check_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {value!r} (use an IANA name such as Asia/Ho_Chi_Minh)") from exc
    return value


def _check_duration(value: str) -> str:
    parse_duration(value)
    return value


def _check_path_pattern(value: str) -> str:
    if "{date}" not in value:
        raise ValueError("path must contain the {date} placeholder (e.g. logs/{org}/fw/{date}.log.gz)")
    return value


OrgId = Annotated[str, AfterValidator(lambda v: check_id(v, "organisation id"))]
SourceId = Annotated[str, AfterValidator(lambda v: check_id(v, "source id"))]
Timezone = Annotated[str, AfterValidator(_check_timezone)]
PathPattern = Annotated[str, AfterValidator(_check_path_pattern)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _refuse_duplicates(what: str, ids: list[str]) -> None:
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"duplicate {what} ids: {duplicated}")


class Service(_Strict):
    name: str
    port: int = Field(ge=0, le=65535)
    protocol: Literal["tcp", "udp", "icmp", "any"] = "tcp"
    interface: str | None = None
    """On a network device: the interface the service is offered on (its outage takes the service down)."""


class Interface(_Strict):
    """A network device's interface (the ``nameif`` its logs use) and the network behind it."""

    name: str
    network: str

    @field_validator("network")
    @classmethod
    def _cidr(cls, value: str) -> str:
        return str(ipaddress.ip_network(value, strict=False))


class Asset(_Strict):
    name: str
    ips: list[str] = []
    hostnames: list[str] = []
    services: list[Service] = []
    criticality: Literal["low", "medium", "high", "critical"] = "medium"
    kind: Literal["server", "workstation", "network", "service"] = "server"
    interfaces: list[Interface] = []
    """Network devices only: an interface outage takes down the assets whose IPs are in its network."""


class Source(_Strict):
    id: SourceId
    format: str
    path: PathPattern
    timezone: Timezone | None = None
    options: dict[str, str] = {}


class Organisation(_Strict):
    id: OrgId
    name: str
    region: str = "global"
    timezone: Timezone = "UTC"
    sources: list[Source] = []
    assets: list[Asset] = []

    @model_validator(mode="after")
    def _unique_sources(self) -> Organisation:
        _refuse_duplicates("source", [s.id for s in self.sources])
        return self

    def source(self, source_id: str) -> Source:
        """The source with this id; KeyError naming the known ones otherwise."""
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(
            f"organisation {self.id!r} has no source {source_id!r} (has: {[s.id for s in self.sources]})"
        )

    def source_timezone(self, source: Source) -> str:
        """The timezone a source's local times are read in."""
        return source.timezone or self.timezone


class IngestSettings(_Strict):
    quarantine_threshold: float = Field(0.05, ge=0, le=1)
    chunk_mb: int = Field(8, ge=1, le=1024)


class Intel(_Strict):
    bad_ips: list[str] = []


Duration = Annotated[str, AfterValidator(_check_duration)]


class IncidentSettings(_Strict):
    gap: Duration = "4h"
    """Alerts about the same or linked entities less than this apart join one incident."""
    lookback: Duration = "7d"
    """How far back alerts are re-read, so incidents crossing midnight are extended, not duplicated."""
    quiet_period: Duration = "1h"
    """No hostile activity for this long after containment means resolved."""


class DowntimeSettings(_Strict):
    breach_margin: Duration = "15m"
    """An outage this close to an incident on the same asset counts as caused by it."""
    history: Duration = "14d"
    """How much of its own history a service's normal silence is learned from."""
    min_silence: Duration = "30m"
    """A silence shorter than this is never an outage."""


class Schedule(_Strict):
    start_date: dt.date | None = None
    """The first day the daily DAG processes and catches up from (YYYY-MM-DD)."""


def _known_protocol(location: str) -> str:
    """A local path, or a URL whose protocol fsspec knows (its package may still need installing)."""
    if "://" in location and location.split("://", 1)[0] not in fsspec.available_protocols():
        raise ValueError(f"{location!r}: unknown storage protocol (fsspec knows no such protocol)")
    return location


def _local_folder(location: str) -> str:
    if "://" in location:
        raise ValueError(
            f"{location!r}: reports are written to a local folder (a shared one for many workers)"
        )
    return location


class Config(_Strict):
    lake: Annotated[str, AfterValidator(_known_protocol)] = "var/lake"
    lake_storage_options: dict[str, Any] = {}
    """Options of the lake's object store (s3fs: endpoint_url, key, secret, region, ...); ``${NAME}``
    values come from the environment when the lake is opened."""
    reports: Annotated[str, AfterValidator(_local_folder)] = "var/reports"
    schedule: Schedule = Schedule()
    ingest: IngestSettings = IngestSettings()
    intel: Intel = Intel()
    incidents: IncidentSettings = IncidentSettings()
    downtime: DowntimeSettings = DowntimeSettings()
    organisations: list[Organisation]
    benchmarks: str | None = None
    """A benchmarks YAML file; None uses the one shipped with seclake (``benchmarks.yaml``)."""
    base_dir: Path = Path(".")

    @model_validator(mode="after")
    def _unique_orgs(self) -> Config:
        _refuse_duplicates("organisation", [o.id for o in self.organisations])
        return self

    @model_validator(mode="after")
    def _options_need_a_url(self) -> Config:
        if self.lake_storage_options and "://" not in self.lake:
            raise ValueError("lake_storage_options apply to an object-store lake (lake: s3://bucket/prefix)")
        return self

    def organisation(self, org_id: str) -> Organisation:
        """The organisation with this id; KeyError naming the known ones otherwise."""
        check_id(org_id, "organisation id")
        for org in self.organisations:
            if org.id == org_id:
                return org
        raise KeyError(
            f"no organisation {org_id!r} in the config (known: {[o.id for o in self.organisations]})"
        )

    def resolve(self, location: str) -> str:
        """A config location made absolute: URLs stay as they are, paths are relative to the config."""
        if "://" in location:
            return location
        return str((self.base_dir / location).resolve())

    @property
    def lake_root(self) -> str:
        """The lake's root: an absolute local path or an object-store URL."""
        return self.resolve(self.lake)

    @property
    def reports_root(self) -> str:
        """Where reports are written."""
        return self.resolve(self.reports)


def _format_errors(path: Path, error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        where = ""
        for part in item["loc"]:
            where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
        message = item["msg"].removeprefix("Value error, ")
        lines.append(f"{path}: {where or '(top level)'}: {message}")
    return "\n".join(lines)


def config_path(explicit: str | os.PathLike | None = None) -> Path:
    """Where the config is: the explicit path, else $SECLAKE_CONFIG, else ./seclake.yaml."""
    return Path(explicit or os.environ.get("SECLAKE_CONFIG") or DEFAULT_CONFIG)


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read and validate the config; ConfigError with file, key and problem when it is not right."""
    file = config_path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read the config: {exc.strerror or exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{file}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: the config must be a mapping with an 'organisations' list")
    try:
        return Config.model_validate({**data, "base_dir": file.resolve().parent})
    except ValidationError as exc:
        raise ConfigError(_format_errors(file, exc)) from exc
