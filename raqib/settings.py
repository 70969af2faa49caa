"""The one settings object: built here, from the sources TOML file and RAQIB_* variables."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.models import Source
from raqib import __version__

SOURCE_KINDS = ("rss", "sitemap", "wordpress", "directory", "page")
# ACLED's source_scale words for one outlet (ACLED Codebook 2024); v_acled and the ACLED export use them.
SOURCE_SCALES = ("Local partner", "Subnational", "National", "Regional", "International", "New media", "Other")
DEFAULT_SOURCES = Path("sources.toml")


def prefect_home(env: Mapping[str, str] | None = None) -> Path:
    """Where Prefect keeps its database: RAQIB_PREFECT_HOME, else PREFECT_HOME, else ~/.prefect.

    Kept across runs on purpose: the temporary API server of a one-off `raqib run` then finds its
    database migrated and its block types registered, instead of paying both on every run.
    """
    env = os.environ if env is None else env
    chosen = env.get("RAQIB_PREFECT_HOME") or env.get("PREFECT_HOME") or "~/.prefect"
    return Path(chosen).expanduser()


class SettingsError(ValueError):
    """A sources file or variable that cannot be used, with the reason."""


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know, in one place."""

    sources: tuple[Source, ...] = ()
    # a DuckDB file, or a DuckLake URI kept as text (ducklake:postgres:CONNINFO, ducklake:sqlite:PATH)
    db_path: Path | str = Path("raqib.duckdb")
    archive_dir: Path = Path("archive")
    state_dir: Path = Path(".raqib")
    rate_limit_per_host: float = 1.0
    allow_private_addresses: bool = False
    user_agent: str = f"raqib/{__version__} (+https://github.com/raqib-project/raqib; conflict-news research crawler)"
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    total_timeout: float = 60.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    max_retries: int = 3
    backoff_base: float = 0.5
    concurrency: int = 8
    batch_size: int = 200
    sources_in_parallel: int = 4
    max_items_per_source: int = 5000
    executor: str = "local"
    dask_address: str | None = None
    lake_data_path: str | None = None
    # the warehouse writer's DuckDB memory limit ("1GB"); None: warehouse.connection.WRITER_MEMORY_LIMIT
    writer_memory_limit: str | None = None
    prefect_home: Path = field(default_factory=prefect_home)


_SETTING_TYPES: dict[str, type] = {
    "rate_limit_per_host": float,
    "allow_private_addresses": bool,
    "user_agent": str,
    "connect_timeout": float,
    "read_timeout": float,
    "total_timeout": float,
    "max_body_bytes": int,
    "max_redirects": int,
    "max_retries": int,
    "backoff_base": float,
    "concurrency": int,
    "batch_size": int,
    "sources_in_parallel": int,
    "max_items_per_source": int,
    "executor": str,
    "dask_address": str,
    "lake_data_path": str,
    "writer_memory_limit": str,
}
_MEMORY_SIZE = re.compile(r"^\s*\d+(?:\.\d+)?\s*(?:KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


def _coerce(key: str, value: Any) -> Any:
    """Convert a TOML or environment value to the type of setting `key`."""
    kind = _SETTING_TYPES[key]
    if kind is bool:
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("1", "true", "yes", "on"):
            return True
        if str(value).lower() in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"setting {key} must be true or false, not {value!r}")
    try:
        return kind(value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"setting {key} must be {kind.__name__}, not {value!r}") from exc


def parse_sources(items: Any, base_dir: Path) -> tuple[Source, ...]:
    """Validate `[[sources]]` tables; relative directory paths are taken from `base_dir`."""
    sources: list[Source] = []
    seen: set[str] = set()
    if not isinstance(items, list):
        raise SettingsError("sources must be [[sources]] tables")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise SettingsError(f"source #{i + 1} is not a [[sources]] table")
        name, kind, url = item.get("name"), item.get("kind"), item.get("url")
        if not name or not isinstance(name, str):
            raise SettingsError(f"source #{i + 1} has no name")
        if name in seen:
            raise SettingsError(f"source name {name!r} is used twice")
        if kind not in SOURCE_KINDS:
            raise SettingsError(f"source {name!r}: kind must be one of {', '.join(SOURCE_KINDS)}, not {kind!r}")
        if not url or not isinstance(url, str):
            raise SettingsError(f"source {name!r} has no url")
        if kind == "directory" and "://" not in url and not Path(url).is_absolute():
            url = str((base_dir / url).resolve())
        scale = item.get("scale")
        if scale is not None and scale not in SOURCE_SCALES:
            raise SettingsError(f"source {name!r}: scale must be one of {', '.join(SOURCE_SCALES)}, not {scale!r}")
        known = {"name", "kind", "url", "language", "enabled", "scale"}
        options = {k: v for k, v in item.items() if k not in known}
        sources.append(Source(name, kind, url, item.get("language"), bool(item.get("enabled", True)), options, scale))
        seen.add(name)
    return tuple(sources)


def load_settings(
    sources_file: Path | None = None,
    *,
    db_path: Path | str | None = None,
    archive_dir: Path | None = None,
    env: dict[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build the settings: file values, then RAQIB_* variables, then explicit arguments."""
    env = dict(os.environ) if env is None else env
    values: dict[str, Any] = {}
    sources: tuple[Source, ...] = ()
    if sources_file is not None:
        try:
            data = tomllib.loads(Path(sources_file).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise SettingsError(f"sources file not found: {sources_file}") from exc
        except IsADirectoryError as exc:
            raise SettingsError(f"sources file {sources_file} is a folder") from exc
        except OSError as exc:
            raise SettingsError(f"cannot read sources file {sources_file}: {exc.strerror or exc}") from exc
        except UnicodeDecodeError as exc:
            raise SettingsError(f"sources file {sources_file} is not UTF-8 text: {exc.reason}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"sources file {sources_file} is not valid TOML: {exc}") from exc
        table = data.get("settings") or {}
        if not isinstance(table, dict):
            raise SettingsError(f"settings in {sources_file} must be a [settings] table")
        for key, value in table.items():
            if key not in _SETTING_TYPES:
                raise SettingsError(f"unknown setting {key!r} in {sources_file}")
            values[key] = _coerce(key, value)
        sources = parse_sources(data.get("sources") or [], Path(sources_file).resolve().parent)
    for key in _SETTING_TYPES:
        env_value = env.get(f"RAQIB_{key.upper()}")
        if env_value is not None:
            values[key] = _coerce(key, env_value)
    for key, value in overrides.items():
        if key not in _SETTING_TYPES:
            raise SettingsError(f"unknown setting {key!r}")
        values[key] = value
    db: Path | str = db_path or env.get("RAQIB_DB", "raqib.duckdb")
    if not str(db).startswith("ducklake:"):
        db = Path(db)
    # a lake has no folder of its own: the archive and state then go in the current folder
    home = db.parent if isinstance(db, Path) else Path(".")
    archive = archive_dir or Path(env.get("RAQIB_ARCHIVE", str(home / "archive")))
    state = Path(env.get("RAQIB_STATE_DIR", str(home / ".raqib")))
    if values.get("rate_limit_per_host", 1.0) <= 0:
        raise SettingsError("rate_limit_per_host must be above zero")
    if values.get("executor", "local") not in ("local", "dask"):
        raise SettingsError("executor must be 'local' or 'dask'")
    if "writer_memory_limit" in values and not _MEMORY_SIZE.match(values["writer_memory_limit"]):
        size = values["writer_memory_limit"]
        raise SettingsError(f"writer_memory_limit must be a size such as 160MB or 1GB, not {size!r}")
    return Settings(sources=sources, db_path=db, archive_dir=archive, state_dir=state, prefect_home=prefect_home(env),
                    **values)
