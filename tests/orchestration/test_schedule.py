"""prefect.yaml's schedules and entrypoints, checked by computing from the file itself."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from prefect.server.schemas.schedules import CronSchedule

from flows.deployments import (
    PREFECT_YAML,
    DeploymentConfigError,
    absolute_db,
    build_deployments,
    load_flow,
    load_project_deployments,
)
from tests.backend import db_in

RAW = yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))


def _raw_deployment(name: str) -> dict[str, Any]:
    """The deployment called `name`, straight from the YAML."""
    return next(d for d in RAW["deployments"] if d["name"] == name)


def _next_runs(cron: str, timezone: str, start: datetime, n: int) -> list[datetime]:
    """The next `n` run times the Prefect server would create for this schedule."""
    dates = asyncio.run(CronSchedule(cron=cron, timezone=timezone).get_dates(n=n, start=start))
    return [datetime.fromtimestamp(d.timestamp(), tz=ZoneInfo(timezone)) for d in dates]


def test_daily_deployment_runs_once_a_day_at_the_stated_local_time() -> None:
    schedules = _raw_deployment("daily")["schedules"]
    assert len(schedules) == 1
    cron, zone = schedules[0]["cron"], schedules[0]["timezone"]
    minute, hour, *rest = cron.split()
    assert rest == ["*", "*", "*"], "the ingestion schedule must be daily"
    start = datetime(2026, 1, 1, tzinfo=UTC)
    runs = _next_runs(cron, zone, start, 10)
    assert len(runs) == 10
    assert all((r.hour, r.minute) == (int(hour), int(minute)) for r in runs)
    # one run per calendar day, with no day skipped
    days = [r.date() for r in runs]
    assert days == [days[0] + timedelta(days=i) for i in range(10)]
    assert runs[0] >= start


def test_daily_schedule_is_in_syrian_time_not_utc() -> None:
    schedule = _raw_deployment("daily")["schedules"][0]
    assert schedule["timezone"] == "Asia/Damascus"
    ZoneInfo(schedule["timezone"])  # a real IANA zone, or this raises
    first = _next_runs(schedule["cron"], schedule["timezone"], datetime(2026, 6, 1, tzinfo=UTC), 1)[0]
    # Syria keeps UTC+3 all year, so 05:00 in Damascus is 02:00 UTC
    assert first.astimezone(UTC).hour == (first.hour - 3) % 24
    assert first.utcoffset() == timedelta(hours=3)


def test_reextract_deployment_has_no_schedule() -> None:
    assert not _raw_deployment("reextract").get("schedules")
    assert load_project_deployments()["reextract"].schedules == ()


def test_deployments_name_entrypoints_pool_and_parameters() -> None:
    specs = load_project_deployments()
    assert set(specs) == {"daily", "reextract"}
    assert specs["daily"].entrypoint == "flows/ingest.py:ingest_flow"
    assert specs["reextract"].entrypoint == "flows/reextract.py:reextract_flow"
    assert specs["daily"].parameters.keys() >= {"sources_file", "db"}
    assert specs["daily"].work_pool == specs["reextract"].work_pool == "raqib-process"
    assert specs["daily"].concurrency_limit == 1
    pull = RAW["pull"][0]
    assert "prefect.deployments.steps.set_working_directory" in pull
    # every entrypoint file exists relative to the project folder the pull step returns to
    for spec in specs.values():
        assert (PREFECT_YAML.parent / spec.entrypoint.partition(":")[0]).is_file()


def test_entrypoints_import_the_named_flows() -> None:
    specs = load_project_deployments()
    assert load_flow(specs["daily"]).name == "raqib-ingest"
    assert load_flow(specs["reextract"]).name == "raqib-reextract"
    # the YAML parameters are ones the flows accept
    for spec in specs.values():
        flow_parameters = load_flow(spec).parameters.properties
        assert set(spec.parameters) <= set(flow_parameters)


def test_served_deployments_take_schedule_from_prefect_yaml(tmp_path: Path) -> None:
    db = str(db_in(tmp_path, "w.duckdb"))
    deployments = {d.name: d for d in build_deployments(str(tmp_path / "s.toml"), db)}
    daily_yaml = _raw_deployment("daily")["schedules"][0]
    daily = deployments["daily"]
    assert [(s.schedule.cron, s.schedule.timezone) for s in daily.schedules] == [
        (daily_yaml["cron"], daily_yaml["timezone"])]
    assert daily.parameters["sources_file"] == str(tmp_path / "s.toml")
    assert daily.parameters["db"] == db
    assert "sources_file" not in deployments["reextract"].parameters
    assert deployments["reextract"].parameters["db"] == db
    assert not deployments["reextract"].schedules
    assert daily.entrypoint == "flows.ingest.ingest_flow"


def test_served_runs_get_an_absolute_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Served runs may start in another folder: relative paths become absolute, inside a lake URI too."""
    monkeypatch.chdir(tmp_path)
    assert absolute_db("w.duckdb") == str(tmp_path / "w.duckdb")
    assert absolute_db("ducklake:sqlite:lake.sqlite") == f"ducklake:sqlite:{tmp_path / 'lake.sqlite'}"
    assert absolute_db("ducklake:postgres:dbname=raqib host=db") == "ducklake:postgres:dbname=raqib host=db"


def test_schedule_without_timezone_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "prefect.yaml"
    broken.write_text(yaml.safe_dump({"deployments": [
        {"name": "daily", "entrypoint": "flows/ingest.py:ingest_flow", "schedules": [{"cron": "0 5 * * *"}]}]}))
    with pytest.raises(DeploymentConfigError, match="timezone"):
        load_project_deployments(broken)
