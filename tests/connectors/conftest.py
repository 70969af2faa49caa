"""Fixtures for the connector tests: the test site on 127.0.0.1 and fast, polite-enough settings."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # makes tests/testsite.py importable

from testsite import test_site  # noqa: F401  (the fixture)

from raqib.settings import Settings


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings with short timeouts, a high rate limit, private addresses allowed (the site is on 127.0.0.1)."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "state_dir": tmp_path / "state",
            "rate_limit_per_host": 1000.0,
            "allow_private_addresses": True,
            "connect_timeout": 1.0,
            "read_timeout": 1.0,
            "total_timeout": 3.0,
            "max_body_bytes": 2 * 1024 * 1024,
            "max_redirects": 5,
            "max_retries": 2,
            "backoff_base": 0.01,
            "concurrency": 8,
        }
        values.update(overrides)
        return Settings(**values)

    return build
