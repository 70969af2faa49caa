"""`raqib run` as an operator starts it: its own temporary Prefect server, and a process that ends cleanly."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

RAQIB = Path(sys.executable).parent / "raqib"


def test_a_one_off_run_stops_its_temporary_server_and_records_its_flow_run(tmp_path: Path) -> None:
    """The process ends early (no interpreter tear-down) yet leaves no server behind and its flow run COMPLETED."""
    home = tmp_path / "prefect-home"
    sources = tmp_path / "sources.toml"
    sources.write_text("[settings]\n", encoding="utf-8")  # no sources: the flow opens and closes the warehouse
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(RAQIB_PREFECT_HOME=str(home), PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_LOGGING_LEVEL="INFO")
    stdout, stderr = tmp_path / "out.txt", tmp_path / "err.txt"
    with stdout.open("w") as out_file, stderr.open("w") as err_file:  # files: a surviving server cannot hold a pipe
        proc = subprocess.Popen(
            [str(RAQIB), "run", "--sources", str(sources), "--db", str(tmp_path / "w.duckdb"),
             "--archive", str(tmp_path / "archive"), "--json"],
            env=env, cwd=tmp_path, stdout=out_file, stderr=err_file, start_new_session=True,
        )
        try:
            proc.wait(timeout=300)
        finally:
            survivors = _group_alive(proc.pid)
            if survivors:
                os.killpg(proc.pid, signal.SIGKILL)
    out, err = stdout.read_text(encoding="utf-8"), stderr.read_text(encoding="utf-8")
    assert proc.returncode == 0, err[-2000:]
    summary = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    assert summary["articles_new"] == 0
    assert not survivors, "the temporary Prefect server outlived raqib run"
    database = next(home.rglob("prefect.db"))
    with sqlite3.connect(database) as db:
        states = [row[0] for row in db.execute("SELECT state_type FROM flow_run")]
        logs = [row[0] for row in db.execute("SELECT message FROM log")]
    assert states == ["COMPLETED"]
    assert any("Finished in state Completed" in message for message in logs), logs  # the log queue was sent


def _group_alive(pgid: int) -> bool:
    """True while any process of the group is alive."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_temporary_server_that_does_not_answer_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    """A server that is not up within the startup timeout: the run stops with one line, the server is killed."""
    sources = tmp_path / "sources.toml"
    sources.write_text("[settings]\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(RAQIB_PREFECT_HOME=str(tmp_path / "home"), PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="0")
    proc = subprocess.Popen(
        [str(RAQIB), "run", "--sources", str(sources), "--db", str(tmp_path / "w.duckdb")],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        _, err = proc.communicate(timeout=120)
    finally:
        survivors = _group_alive(proc.pid)
        if survivors:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 3
    assert err.strip().splitlines() == ["raqib run: the temporary Prefect server did not answer within 0 s"]
    assert not survivors
