"""Bad input fails fast: one line on stderr, exit code 2, no traceback, before Prefect or any work starts."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

import warehouse
from raqib.cli import main
from tests.backend import ON_LAKE, catalog_file, db_at, db_exists, db_in

SOURCES = '[[sources]]\nname = "one"\nkind = "rss"\nurl = "http://127.0.0.1:9/feed/"\n'
NOT_A_WAREHOUSE = "is not a SQLite catalog of a DuckLake" if ON_LAKE else "is not a DuckDB warehouse file"


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run the command line in this process; check exit code 2, one stderr line and nothing on stdout."""
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(f"raqib {argv[0]}: ")
    return err


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A valid sources file."""
    path = tmp_path / "sources.toml"
    path.write_text(SOURCES, encoding="utf-8")
    return path


@pytest.fixture
def not_a_warehouse(tmp_path: Path) -> Path | str:
    """A file that is not a DuckDB database (on the lake: a catalog file that is not SQLite)."""
    db = db_in(tmp_path, "notes.duckdb")
    catalog_file(db).write_text("these are notes, not a warehouse\n" * 10, encoding="utf-8")
    return db


def test_missing_sources_file_exits_fast_without_traceback(tmp_path: Path) -> None:
    """The issue's case, as a user runs it: a separate process, timed."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "raqib.cli", "run", "--sources", str(tmp_path / "missing.toml"),
                           "--db", str(db_in(tmp_path))], capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - started
    assert done.returncode == 2
    assert done.stderr == f"raqib run: sources file not found: {tmp_path / 'missing.toml'}\n"
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert elapsed < 5, elapsed
    assert not db_exists(db_in(tmp_path))  # nothing was started


def test_malformed_toml_names_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text('[settings]\nrate_limit_per_host = 1.0\n\n[[sources]\nname = "x"\n', encoding="utf-8")
    err = one_line_error(capsys, ["run", "--sources", str(bad), "--db", str(tmp_path / "w.duckdb")])
    assert "is not valid TOML" in err and "line 4" in err


@pytest.mark.parametrize(("text", "message"), [
    ('[settings]\nspeed = 3\n', "unknown setting 'speed'"),
    ('[[sources]]\nname = "x"\nkind = "ftp"\nurl = "ftp://x/"\n', "kind must be one of"),
    ('sources = ["x"]\n', "source #1 is not a [[sources]] table"),
    ('settings = 3\n', "must be a [settings] table"),
])
def test_unusable_sources_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    assert message in one_line_error(capsys, ["run", "--sources", str(path), "--db", str(tmp_path / "w.duckdb")])


def test_sources_file_that_is_a_folder_or_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "is a folder" in one_line_error(capsys, ["run", "--sources", str(tmp_path)])
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'# caf\xe9\n')
    assert "not UTF-8" in one_line_error(capsys, ["serve", "--sources", str(latin)])


def test_bad_setting_variable(sources: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAQIB_RATE_LIMIT_PER_HOST", "fast")
    err = one_line_error(capsys, ["run", "--sources", str(sources), "--db", str(tmp_path / "w.duckdb")])
    assert "rate_limit_per_host must be float, not 'fast'" in err


def test_bad_memory_limit_variable(sources: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAQIB_WRITER_MEMORY_LIMIT", "half")
    err = one_line_error(capsys, ["run", "--sources", str(sources), "--db", str(tmp_path / "w.duckdb")])
    assert "writer_memory_limit must be a size such as 160MB or 1GB, not 'half'" in err


def test_bad_db_for_run(sources: Path, tmp_path: Path, not_a_warehouse: Path | str,
                        capsys: pytest.CaptureFixture[str]) -> None:
    """A folder, a file that is not DuckDB, and a path under a file are refused before the flow starts."""
    assert "is a folder" in one_line_error(capsys, ["run", "--sources", str(sources), "--db", str(db_at(tmp_path))])
    assert NOT_A_WAREHOUSE in one_line_error(capsys, ["run", "--sources", str(sources), "--db", str(not_a_warehouse)])
    err = one_line_error(capsys, ["run", "--sources", str(sources), "--db", str(db_in(sources / "sub", "w.duckdb"))])
    assert f"{sources} is not a folder" in err
    err = one_line_error(capsys, ["run", "--sources", str(sources), "--db", str(db_in(tmp_path, "w.duckdb")),
                                  "--archive", str(sources)])
    assert "archive folder" in err and "is not a folder" in err
    assert not db_exists(db_in(tmp_path, "w.duckdb"))


@pytest.mark.parametrize("command", [["sql", "SELECT 1"], ["search", "قصف"], ["status"], ["reextract"],
                                     ["export", "--out", "OUT"], ["report", "--out", "OUT/r.html"]])
def test_bad_db_for_reading_commands(command: list[str], tmp_path: Path, not_a_warehouse: Path | str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Every command that reads a warehouse refuses a missing one, a non-DuckDB file and a folder."""
    argv = [a.replace("OUT", str(tmp_path / "out")) for a in command]
    missing = db_in(tmp_path, "missing.duckdb")
    assert "no warehouse at" in one_line_error(capsys, [*argv, "--db", str(missing)])
    assert not db_exists(missing)  # reextract must not create an empty warehouse
    assert NOT_A_WAREHOUSE in one_line_error(capsys, [*argv, "--db", str(not_a_warehouse)])
    assert "is a folder" in one_line_error(capsys, [*argv, "--db", str(db_at(tmp_path))])


def test_bad_outputs(tmp_path: Path, sources: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A report written onto a folder, an export into a file."""
    db = db_in(tmp_path, "real.duckdb")
    warehouse.connect_writer(db).close()
    assert "is a folder, not a file" in one_line_error(capsys, ["report", "--db", str(db), "--out", str(tmp_path)])
    assert "output folder" in one_line_error(capsys, ["export", "--db", str(db), "--out", str(sources)])


def test_unreadable_file_for_extract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every path is checked before the first is extracted."""
    good = tmp_path / "good.txt"
    good.write_text("قتل شخصان في قصف على مدينة الميادين.\n", encoding="utf-8")
    err = one_line_error(capsys, ["extract", str(good), str(tmp_path / "nothere.txt")])
    assert err == f"raqib extract: cannot read {tmp_path / 'nothere.txt'}: No such file or directory\n"
    assert "it is a folder" in one_line_error(capsys, ["extract", str(tmp_path)])


def test_bad_demo_site_and_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`raqib demo` writes a DuckDB file on either backend."""
    assert "no demo site at" in one_line_error(capsys, ["demo", "--site", str(tmp_path), "--db",
                                                        str(tmp_path / "w.duckdb")])
    notes = tmp_path / "notes.duckdb"
    notes.write_text("these are notes, not a warehouse\n" * 10, encoding="utf-8")
    assert "is not a DuckDB warehouse file" in one_line_error(capsys, ["demo", "--db", str(notes)])


def test_bad_numbers_are_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["status", "--runs", "0"])
    assert stopped.value.code == 2
    assert "must be 1 or more" in capsys.readouterr().err
