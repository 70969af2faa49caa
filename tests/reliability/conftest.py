"""Fixtures for the whole-pipeline tests: one Prefect server for every `raqib` subprocess, the test site."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # tests/testsite.py and this folder's helpers

from harness import PrefectServer, snapshot_code, start_prefect_server  # noqa: E402
from testsite import test_site  # noqa: E402, F401  (the fixture)


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """A throwaway Prefect server on 127.0.0.1 with its own PREFECT_HOME, shared by this folder's runs.

    Started once: a temporary server per `raqib` process would cost tens of seconds each on this machine.
    Its `code` is a copy of the project taken now, so every run of the session runs the same code.
    """
    server = start_prefect_server(tmp_path_factory.mktemp("prefect-home"))
    server.code = snapshot_code(tmp_path_factory.mktemp("code"))
    try:
        yield server
    finally:
        server.stop()
