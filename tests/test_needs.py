"""The helper for tests that need ../shared or Chromium: skip with the reason, fail under CI=true."""

from __future__ import annotations

from pathlib import Path

import needs
import pytest


def test_present_shared_part_is_returned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "seeds").mkdir()
    monkeypatch.setattr(needs, "SHARED", tmp_path)
    monkeypatch.setenv("CI", "true")
    assert needs.needs_shared("seeds") == tmp_path / "seeds"


def test_missing_shared_part_skips_saying_what_and_where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(needs, "SHARED", tmp_path / "shared")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        needs.needs_shared("seeds")
    message = str(skipped.value)
    assert str(tmp_path / "shared" / "seeds") in message and "sample articles" in message
    assert "beside the repository" in message


def test_missing_shared_part_fails_under_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(needs, "SHARED", tmp_path / "shared")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required because CI=true"):
        needs.needs_shared("data", "boundaries")


def test_missing_chromium_skips_with_the_install_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no chromium on it
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        needs.needs_chromium(can_install=False)
    assert needs.INSTALL_CHROMIUM in str(skipped.value)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required because CI=true"):
        needs.needs_chromium(can_install=False)
