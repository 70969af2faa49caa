"""The one settings object: sources TOML, environment and explicit arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

from raqib.settings import SettingsError, load_settings, prefect_home

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_sources_file_settings_and_sources(tmp_path: Path) -> None:
    path = write(tmp_path, """
[settings]
rate_limit_per_host = 2.5
allow_private_addresses = true

[[sources]]
name = "sy24"
kind = "rss"
url = "https://www.sy-24.com/feed/"

[[sources]]
name = "local"
kind = "directory"
url = "articles"
language = "ar"
scale = "Subnational"
""")
    settings = load_settings(path, env={})
    assert settings.rate_limit_per_host == 2.5
    assert settings.allow_private_addresses is True
    assert [s.name for s in settings.sources] == ["sy24", "local"]
    assert settings.sources[1].url == str((tmp_path / "articles").resolve())
    assert settings.sources[1].language == "ar"
    assert (settings.sources[0].scale, settings.sources[1].scale) == (None, "Subnational")
    assert "scale" not in settings.sources[1].options


def test_environment_overrides_file_and_arguments_override_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "[settings]\nrate_limit_per_host = 2.0\n")
    assert load_settings(path, env={"RAQIB_RATE_LIMIT_PER_HOST": "4"}).rate_limit_per_host == 4.0
    assert load_settings(path, env={"RAQIB_RATE_LIMIT_PER_HOST": "4"}, rate_limit_per_host=8.0).rate_limit_per_host == 8


@pytest.mark.parametrize(("text", "message"), [
    ("[[sources]]\nname='a'\nkind='ftp'\nurl='x'\n", "kind must be one of"),
    ("[[sources]]\nname='a'\nkind='rss'\nurl='x'\n[[sources]]\nname='a'\nkind='rss'\nurl='y'\n", "used twice"),
    ("[settings]\nrate_limit_per_hots = 1\n", "unknown setting"),
    ("[settings]\nallow_private_addresses = 'maybe'\n", "true or false"),
    ("[settings]\nrate_limit_per_host = 0\n", "above zero"),
    ("this is = not toml [", "not valid TOML"),
    ("[[sources]]\nname='a'\nkind='rss'\nurl='x'\nscale='Worldwide'\n", "scale must be one of"),
])
def test_bad_sources_files_get_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(write(tmp_path, text), env={})


def test_missing_sources_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="not found"):
        load_settings(tmp_path / "nope.toml", env={})


def test_shipped_sources_file_loads_and_refuses_private_addresses() -> None:
    settings = load_settings(ROOT / "sources.toml", env={})
    assert len(settings.sources) >= 9
    assert settings.allow_private_addresses is False
    assert all(s.url.startswith("https://") for s in settings.sources)


def test_prefect_home_lasts_across_runs_unless_chosen() -> None:
    """Prefect's home defaults to ~/.prefect (kept, so a temporary server migrates once); raqib's variable wins."""
    assert prefect_home({}) == Path("~/.prefect").expanduser()
    assert prefect_home({"PREFECT_HOME": "/srv/prefect"}) == Path("/srv/prefect")
    assert prefect_home({"PREFECT_HOME": "/srv/prefect", "RAQIB_PREFECT_HOME": "/srv/raqib-prefect"}) == Path(
        "/srv/raqib-prefect")
    assert load_settings(env={"RAQIB_PREFECT_HOME": "/srv/p"}).prefect_home == Path("/srv/p")


def test_writer_memory_limit_from_file_or_environment_and_checked(tmp_path: Path) -> None:
    path = write(tmp_path, '[settings]\nwriter_memory_limit = "512MB"\n')
    assert load_settings(path, env={}).writer_memory_limit == "512MB"
    assert load_settings(path, env={"RAQIB_WRITER_MEMORY_LIMIT": "1GB"}).writer_memory_limit == "1GB"
    assert load_settings(None, env={}).writer_memory_limit is None  # the warehouse's own default
    with pytest.raises(SettingsError, match="writer_memory_limit must be a size such as 160MB or 1GB, not 'lots'"):
        load_settings(None, env={"RAQIB_WRITER_MEMORY_LIMIT": "lots"})


def test_a_foreground_run_has_no_heartbeat_thread() -> None:
    """`raqib run` turns Prefect's flow heartbeats off for its own flow only, and gives the setting back after."""
    from prefect.settings import get_current_settings

    from raqib.cli import foreground_flow

    before = get_current_settings().flows.heartbeat_frequency
    with foreground_flow():
        assert get_current_settings().flows.heartbeat_frequency is None
    assert get_current_settings().flows.heartbeat_frequency == before
    assert before is not None  # Prefect's default keeps heartbeats: the test shows a change, not a default
