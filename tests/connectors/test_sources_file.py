"""The registry of real sources loads and names only well-formed, public web addresses."""

from __future__ import annotations

from pathlib import Path

from connectors.discovery import DISCOVERERS
from connectors.urls import canonicalise_url
from raqib.settings import SOURCE_SCALES, load_settings

SOURCES = Path(__file__).resolve().parents[2] / "sources.toml"
OUTLETS = ("7al.net", "sy-24.com", "orient-news.net", "jesrpress.com", "enabbaladi.net", "syria.tv", "syriahr.com",
           "deirezzor24.net", "npasyria.com")


def test_sources_file_is_valid() -> None:
    """Every source has a known kind and an https address; every outlet has an enabled source; no private sites."""
    settings = load_settings(SOURCES, env={})
    assert not settings.allow_private_addresses
    assert settings.sources
    for source in settings.sources:
        assert source.kind in DISCOVERERS, source.name
        assert source.url.startswith("https://") and canonicalise_url(source.url) == source.url, source.url
        assert source.scale in SOURCE_SCALES, source.name  # every outlet's ACLED source_scale is set
    enabled_hosts = {canonicalise_url(s.url).split("/")[2].removeprefix("www.") for s in settings.sources if s.enabled}
    assert set(OUTLETS) <= enabled_hosts
    assert {"ar", "en"} == {s.language for s in settings.sources if s.url.split("/")[2].endswith("syriahr.com")}
    assert "unverified" in SOURCES.read_text(encoding="utf-8")
