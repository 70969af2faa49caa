"""What some tests need beyond the repository: ../shared and Chromium. Skip without them, fail under CI=true."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
INSTALL_CHROMIUM = "apt-get update -qq && apt-get install -y -qq chromium"
# what each part of ../shared holds, for the skip message
SHARED_PARTS = {
    "seeds": "the five sample articles (third-party text, not shipped)",
    "gold": "the hand-coded events of the sample articles",
    "tools": "the shared scorer",
    "data": "the raw gazetteer and boundary sources (see README, 'Data sources')",
}


def required() -> bool:
    """Whether missing resources fail the test instead of skipping it (CI=true)."""
    return os.environ.get("CI", "").lower() == "true"


def missing(reason: str) -> NoReturn:
    """Skip with the reason, or fail with it when CI=true."""
    if required():
        pytest.fail(f"{reason} (required because CI=true)", pytrace=False)
    pytest.skip(reason)


def needs_shared(*parts: str) -> Path:
    """The path ../shared/<parts...>; skip (or fail under CI=true) saying what is missing and where it goes."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        what = SHARED_PARTS.get(parts[0], "") if parts else ""
        missing(f"needs {path}{f' ({what})' if what else ''}: put the project's shared folder at {SHARED}, "
                f"beside the repository")
    return path


def find_chromium() -> str | None:
    """The chromium executable on PATH, if any."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def needs_chromium(can_install: bool | None = None) -> str:
    """Chromium, installed with apt when running as root; else skip (or fail under CI=true) with the command."""
    found = find_chromium()
    if found:
        return found
    if can_install is None:
        can_install = os.geteuid() == 0 and shutil.which("apt-get") is not None
    detail = "installing needs root and apt-get"
    if can_install:
        done = subprocess.run(["bash", str(REPO / ".ci" / "install-browser")], capture_output=True, text=True,
                              timeout=900)
        found = find_chromium()
        if found:
            return found
        detail = f"apt-get failed (exit {done.returncode}): {(done.stderr or done.stdout).strip()[-300:]}"
    missing(f"needs Debian's chromium, which could not be installed here ({detail}); "
            f"install it as root with: {INSTALL_CHROMIUM}")
