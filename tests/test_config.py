"""Config loading: a good config loads, every kind of mistake names its key and problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from seclake.config import ConfigError, check_id, load_config
from seclake.storage import filesystem_options


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "seclake.yaml"
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


GOOD = {
    "lake": "lake",
    "organisations": [
        {
            "id": "acme",
            "name": "ACME",
            "timezone": "Asia/Ho_Chi_Minh",
            "sources": [{"id": "fw", "format": "cisco_asa", "path": "logs/{org}/fw/{date}.log"}],
            "assets": [{"name": "web01", "ips": ["10.0.0.5"], "services": [{"name": "https", "port": 443}]}],
        }
    ],
}


def test_good_config_loads_with_paths_relative_to_the_file(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, GOOD))
    org = config.organisation("acme")
    assert config.lake_root == str((tmp_path / "lake").resolve())
    assert org.source("fw").format == "cisco_asa"
    assert org.source_timezone(org.source("fw")) == "Asia/Ho_Chi_Minh"
    assert org.assets[0].services[0].protocol == "tcp"
    assert config.ingest.quarantine_threshold == 0.05


def test_config_from_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECLAKE_CONFIG", str(_write(tmp_path, GOOD)))
    assert load_config().organisations[0].id == "acme"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda c: c["organisations"][0].update(id="../x"),
            "organisations[0].id: organisation id '../x' is not allowed",
        ),
        (
            lambda c: c["organisations"][0].update(id="ACME"),
            "organisations[0].id: organisation id 'ACME' is not allowed",
        ),
        (lambda c: c["organisations"][0]["sources"][0].update(id="fw/../../etc"), "sources[0].id: source id"),
        (
            lambda c: c["organisations"][0].update(timezone="Mars/Olympus"),
            "organisations[0].timezone: unknown timezone",
        ),
        (
            lambda c: c["organisations"][0]["sources"][0].update(path="x.log"),
            "path must contain the {date} placeholder",
        ),
        (lambda c: c["organisations"][0]["assets"][0]["services"][0].update(port=70000), "services[0].port"),
        (
            lambda c: c["organisations"][0].update(colour="blue"),
            "organisations[0].colour: Extra inputs are not permitted",
        ),
        (
            lambda c: c["organisations"].append(dict(c["organisations"][0])),
            "duplicate organisation ids: ['acme']",
        ),
        (lambda c: c.update(ingest={"quarantine_threshold": 2}), "ingest.quarantine_threshold"),
        (
            lambda c: c.update(lake="nosuch://bucket/lake"),
            "lake: 'nosuch://bucket/lake': unknown storage protocol",
        ),
        (
            lambda c: c.update(lake_storage_options={"endpoint_url": "http://127.0.0.1:9000"}),
            "lake_storage_options apply to an object-store lake",
        ),
        (
            lambda c: c.update(reports="s3://bucket/reports"),
            "reports: 's3://bucket/reports': reports are written",
        ),
        (lambda c: c.update(schedule={"start_date": "1 March 2026"}), "schedule.start_date: Input should be"),
        (lambda c: c.update(schedule={"start": "2026-03-01"}), "schedule.start: Extra inputs"),
    ],
)
def test_bad_config_names_key_and_problem(tmp_path: Path, change, message: str) -> None:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    change(data)
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, data))
    assert message in str(caught.value)
    assert str(tmp_path / "seclake.yaml") in str(caught.value)


def test_object_store_lake_schedule_and_secrets_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = {"endpoint_url": "http://127.0.0.1:9000", "secret": "${LAKE_SECRET}", "region": "eu-west-1"}
    data = {**GOOD, "lake": "s3://bucket/lake/", "lake_storage_options": options}
    config = load_config(_write(tmp_path, {**data, "schedule": {"start_date": "2026-03-01"}}))
    assert config.lake_root == "s3://bucket/lake/"
    assert config.schedule.start_date == dt.date(2026, 3, 1)
    assert config.lake_storage_options["secret"] == "${LAKE_SECRET}"  # kept as written, never expanded
    with pytest.raises(ConfigError, match=r"\$\{LAKE_SECRET\} is not set"):
        filesystem_options(config.lake_root, config.lake_storage_options)
    monkeypatch.setenv("LAKE_SECRET", "s3cr3t")
    assert filesystem_options(config.lake_root, config.lake_storage_options) == {
        "endpoint_url": "http://127.0.0.1:9000",
        "secret": "s3cr3t",
        "client_kwargs": {"region_name": "eu-west-1"},
        "use_listings_cache": False,
    }
    assert load_config(_write(tmp_path, GOOD)).schedule.start_date is None


def test_missing_and_non_yaml_config(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the config"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(_write(tmp_path, "organisations: [unclosed"))
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config(_write(tmp_path, "- just a list"))


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(_write(tmp_path, "organisations: !!python/object/apply:os.system ['echo pwned']"))


def test_unknown_org_and_ids_used_as_paths(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, GOOD))
    with pytest.raises(KeyError, match="no organisation 'other'"):
        config.organisation("other")
    with pytest.raises(ValueError, match="not allowed"):
        config.organisation("../acme")
    for bad in ("", "..", "a/b", "a b", "-x", "x" * 64, "é"):
        with pytest.raises(ValueError):
            check_id(bad)


def test_the_example_config_in_the_repository_is_valid() -> None:
    config = load_config(Path(__file__).parents[1] / "seclake.yaml")
    assert [o.id for o in config.organisations] == ["acme"]
    assert config.organisation("acme").source("fw").format == "cisco_asa"
