"""Fixtures for the whole-pipeline tests: the shared test site and importable helpers."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]  # tests/testsite.py and this folder's helpers

from testsite import test_site  # noqa: E402, F401  (the fixture)
