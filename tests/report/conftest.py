"""Fixtures for the report tests: a warehouse built through the real warehouse API."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_fixture import STORIES, load_stories

from tests.backend import db_in


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Path | str:
    """The invented stories loaded into a fresh warehouse."""
    path = db_in(tmp_path_factory.mktemp("report-wh"))
    load_stories(path, STORIES)
    return path
