"""Deployments of the flows, read from prefect.yaml; `serve_all` behind `raqib serve`; the failure alert."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROJECT_DIR = Path(__file__).resolve().parents[1]
PREFECT_YAML = PROJECT_DIR / "prefect.yaml"
ALERT_NAME = "raqib run failed"
ALERT_BLOCK_NAME = "raqib-alerts"
FAILURE_EVENTS = frozenset({"prefect.flow-run.Failed", "prefect.flow-run.Crashed", "prefect.flow-run.TimedOut"})


class DeploymentConfigError(ValueError):
    """prefect.yaml lacks something a deployment needs, with the reason."""


@dataclass(frozen=True)
class ScheduleSpec:
    """One cron schedule of a deployment, as prefect.yaml states it."""

    cron: str
    timezone: str
    active: bool = True


@dataclass(frozen=True)
class DeploymentSpec:
    """One deployment of prefect.yaml: what runs, with which parameters, when and where."""

    name: str
    entrypoint: str
    parameters: dict[str, Any] = field(default_factory=dict)
    schedules: tuple[ScheduleSpec, ...] = ()
    tags: tuple[str, ...] = ()
    description: str | None = None
    work_pool: str | None = None
    concurrency_limit: int | None = None
    collision_strategy: str | None = None

    @property
    def module_and_attribute(self) -> tuple[str, str]:
        """Turn `flows/ingest.py:ingest_flow` into (`flows.ingest`, `ingest_flow`)."""
        path, _, attribute = self.entrypoint.partition(":")
        if not attribute or not path.endswith(".py"):
            raise DeploymentConfigError(f"deployment {self.name!r}: entrypoint must be path.py:flow, "
                                        f"not {self.entrypoint!r}")
        return path[: -len(".py")].replace("/", "."), attribute


def _schedule(name: str, item: Any) -> ScheduleSpec:
    """Read one schedule table; only cron schedules with an explicit time zone are accepted."""
    if not isinstance(item, dict) or not item.get("cron"):
        raise DeploymentConfigError(f"deployment {name!r}: every schedule needs a cron string")
    if not item.get("timezone"):
        # without a zone Prefect assumes UTC, and a "05:00" run would silently move by hours
        raise DeploymentConfigError(f"deployment {name!r}: schedule {item['cron']!r} needs a timezone")
    return ScheduleSpec(cron=str(item["cron"]), timezone=str(item["timezone"]), active=bool(item.get("active", True)))


def _deployment(item: dict[str, Any]) -> DeploymentSpec:
    """Read one entry of the `deployments` list."""
    name = item.get("name")
    if not name or not item.get("entrypoint"):
        raise DeploymentConfigError(f"every deployment needs a name and an entrypoint: {item!r}")
    limit = item.get("concurrency_limit")
    limit_value = limit.get("limit") if isinstance(limit, dict) else limit
    strategy = limit.get("collision_strategy") if isinstance(limit, dict) else None
    pool = item.get("work_pool") or {}
    return DeploymentSpec(
        name=str(name),
        entrypoint=str(item["entrypoint"]),
        parameters=dict(item.get("parameters") or {}),
        schedules=tuple(_schedule(name, s) for s in item.get("schedules") or []),
        tags=tuple(item.get("tags") or ()),
        description=item.get("description"),
        work_pool=pool.get("name") if isinstance(pool, dict) else None,
        concurrency_limit=int(limit_value) if limit_value is not None else None,
        collision_strategy=str(strategy) if strategy else None,
    )


def load_project_deployments(path: Path = PREFECT_YAML) -> dict[str, DeploymentSpec]:
    """Load the deployments declared in prefect.yaml, keyed by deployment name."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    specs = [_deployment(item) for item in data.get("deployments") or []]
    by_name = {spec.name: spec for spec in specs}
    if len(by_name) != len(specs):
        raise DeploymentConfigError(f"{path}: two deployments share a name")
    return by_name


def load_flow(spec: DeploymentSpec) -> Any:
    """Import the flow object a deployment's entrypoint names."""
    module_name, attribute = spec.module_and_attribute
    return getattr(importlib.import_module(module_name), attribute)


def _flow_parameter_names(flow_obj: Any) -> set[str]:
    """The parameter names a flow function accepts."""
    return set(inspect.signature(flow_obj.fn).parameters)


def absolute_db(db: str) -> str:
    """The warehouse made absolute: a DuckDB file's path, or a SQLite catalog's path inside its lake URI.

    A PostgreSQL lake's CONNINFO is kept as given (Path would fold a lake URI into a file name).
    """
    sqlite = "ducklake:sqlite:"
    if db.startswith(sqlite):
        return sqlite + str(Path(db[len(sqlite):]).resolve())
    if db.startswith("ducklake:"):
        return db
    return str(Path(db).resolve())


def build_deployments(sources_file: str, db: str, archive_dir: str | None = None,
                      path: Path = PREFECT_YAML) -> list[Any]:
    """Turn prefect.yaml's deployments into runner deployments for `prefect.serve`.

    The schedules, tags and concurrency limits come from the file; the paths given here replace
    its relative defaults, made absolute because served runs may start in another folder.
    """
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.flows import EntrypointType
    from prefect.schedules import Cron

    overrides: dict[str, Any] = {"sources_file": str(Path(sources_file).resolve()), "db": absolute_db(db),
                                 "archive_dir": str(Path(archive_dir).resolve()) if archive_dir else None}
    deployments = []
    for spec in load_project_deployments(path).values():
        flow_obj = load_flow(spec)
        accepted = _flow_parameter_names(flow_obj)
        parameters = {**spec.parameters, **{k: v for k, v in overrides.items() if k in accepted}}
        limit: int | ConcurrencyLimitConfig | None = spec.concurrency_limit
        if spec.concurrency_limit is not None and spec.collision_strategy:
            limit = ConcurrencyLimitConfig(limit=spec.concurrency_limit,
                                           collision_strategy=ConcurrencyLimitStrategy(spec.collision_strategy))
        deployments.append(flow_obj.to_deployment(
            name=spec.name,
            schedules=[Cron(s.cron, timezone=s.timezone, active=s.active) for s in spec.schedules],
            parameters=parameters,
            tags=list(spec.tags),
            description=spec.description,
            concurrency_limit=limit,
            # a module path, not a file path: served runs then import the same package the server did
            entrypoint_type=EntrypointType.MODULE_PATH,
        ))
    return deployments


def _make_project_importable() -> None:
    """Put the project folder on PYTHONPATH, so flow-run subprocesses import `flows` from any folder."""
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if str(PROJECT_DIR) not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([str(PROJECT_DIR), *paths])


def serve_all(sources_file: str, db: str, archive_dir: str | None = None, path: Path = PREFECT_YAML) -> None:
    """Serve every deployment of prefect.yaml on its schedule in this process, until interrupted."""
    from prefect import serve

    _make_project_importable()
    serve(*build_deployments(sources_file, db, archive_dir, path))


def failure_alert(block_document_id: Any, tag: str = "raqib") -> Any:
    """An automation that sends a notification when a flow run tagged `tag` fails, crashes or times out."""
    from prefect.automations import Automation, EventTrigger, Posture, SendNotification

    return Automation(
        name=ALERT_NAME,
        description="Tell the operator when a raqib flow run does not complete.",
        trigger=EventTrigger(
            match={"prefect.resource.id": "prefect.flow-run.*"},
            # both deployments in prefect.yaml carry this tag, and their runs inherit it
            match_related={"prefect.resource.id": f"prefect.tag.{tag}"},
            expect=set(FAILURE_EVENTS),
            posture=Posture.Reactive,
            threshold=1,
        ),
        actions=[SendNotification(
            block_document_id=block_document_id,
            subject="raqib: {{ flow.name }} run {{ flow_run.name }} is {{ flow_run.state.name }}",
            body="{{ flow_run.state.message }} Open: {{ flow_run|ui_url }}",
        )],
    )


def install_failure_alert(block: Any, tag: str = "raqib") -> Any:
    """Save a notification block as `raqib-alerts` and (re)create the failure automation; return its id.

    The block carries the secret (a webhook URL, a mail password): build it from an environment
    variable at the call, so the secret lives only in Prefect's database, never in the repository.
    """
    from prefect.automations import Automation

    block_document_id = block.save(ALERT_BLOCK_NAME, overwrite=True)
    with contextlib.suppress(ValueError):  # ValueError: first installation, nothing to replace
        existing: Any = Automation.read(name=ALERT_NAME)  # synchronous here: no event loop is running
        existing.delete()
    return failure_alert(block_document_id, tag).create().id
