"""Whole-pipeline test helpers: `raqib` as a real subprocess, a site of generated pages, warehouse snapshots."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from corpus import Report, page_html, report, rss_feed
from testsite import Static, TestSite, _Handler

import warehouse

REPO = Path(__file__).resolve().parents[2]
RAQIB = [sys.executable, "-m", "raqib.cli"]
ARCHIVE_FILE = re.compile(r"^(\d{3,})_([0-9a-f]{16})\.txt$")
# Columns that name the run or the moment of a fetch differ between two runs by design; the rest must match.
COMPARED = {
    "articles": "content_hash, url, final_url, source, title, published, language, text, extractor_version",
    "article_urls": "url, content_hash, source",
    "events": "* EXCLUDE (run_id)",
    "event_actors": "* EXCLUDE (run_id)",
    "actors": "* EXCLUDE (run_id)",
    "locations": "* EXCLUDE (run_id)",
    "article_search": "*",
    "incidents": "* EXCLUDE (refreshed_at)",
    "incident_reports": "*",
}


@dataclass
class Delayed:
    """Answer like `then`, but only after `seconds` (a slow feed, to catch a run during discovery)."""

    seconds: float
    then: Static

    def respond(self, handler: _Handler, site: TestSite) -> None:
        """Wait, then answer."""
        site._stopping.wait(self.seconds)
        self.then.respond(handler, site)


def serve_reports(site: TestSite, numbers: range, duplicates: dict[str, int] | None = None,
                  feed_delay: float = 0.0) -> list[Report]:
    """Serve one page per report number and an RSS feed of them all at /feed.xml; return the reports.

    `duplicates` maps an extra path to a report number: the same page again under a second address.
    """
    reports = [report(n) for n in numbers]
    items = [(r.path, r.title) for r in reports]
    for item in reports:
        site.add(item.path, Static(page_html(item)))
    for path, number in (duplicates or {}).items():
        site.add(path, Static(page_html(report(number))))
        items.append((path, report(number).title))
    feed = Static(rss_feed(site.base_url, items), content_type="application/rss+xml; charset=utf-8")
    site.add("/feed.xml", Delayed(feed_delay, feed) if feed_delay else feed)
    site.add("/robots.txt", Static("User-agent: *\nAllow: /\n", content_type="text/plain"))
    return reports


def write_sources(path: Path, sources: list[tuple[str, str, str]], **settings: Any) -> Path:
    """Write a sources TOML file: (name, kind, url) triples and `[settings]` values for a site on 127.0.0.1."""
    values: dict[str, Any] = {"allow_private_addresses": True, "rate_limit_per_host": 50.0, "connect_timeout": 2.0,
                              "read_timeout": 2.0, "total_timeout": 4.0, "max_retries": 1, "backoff_base": 0.05,
                              "concurrency": 4, "batch_size": 10}
    values.update(settings)
    lines = ["[settings]"]
    for key, value in values.items():
        lines.append(f"{key} = {str(value).lower() if isinstance(value, bool) else repr(value)}")
    for name, kind, url in sources:
        lines += ["", "[[sources]]", f'name = "{name}"', f'kind = "{kind}"', f'url = "{url}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class PrefectServer:
    """A Prefect server process on 127.0.0.1: its API address and home folder."""

    api: str
    home: Path
    proc: subprocess.Popen[bytes]
    code: Path = REPO  # where `raqib` subprocesses import the project from

    def stop(self) -> None:
        """Stop the server and everything in its process group."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=8)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=5)

    def flow_run_state(self, flow_run_id: str) -> str:
        """The state type of one flow run (COMPLETED, FAILED, RUNNING, ...)."""
        return str(httpx.get(f"{self.api}/flow_runs/{flow_run_id}", timeout=10).json()["state_type"])


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_prefect_server(home: Path, timeout: float = 120) -> PrefectServer:
    """Start `prefect server start` on a free port of 127.0.0.1 and wait until it answers /health."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({"PREFECT_HOME": str(home), "PREFECT_API_URL": api, "PREFECT_UI_ENABLED": "false",
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    log = open(home / "server.log", "ab")  # noqa: SIM115 - the server writes to it for its whole life
    proc = subprocess.Popen([str(Path(sys.executable).with_name("prefect")), "server", "start", "--host",
                             "127.0.0.1", "--port", str(port)], env=env, cwd=home, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    server = PrefectServer(api, home, proc)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"prefect server did not start:\n{(home / 'server.log').read_text(errors='replace')[-3000:]}")


PACKAGES = ("raqib", "connectors", "extraction", "warehouse", "flows", "report")


def snapshot_code(target: Path) -> Path:
    """Copy the project's packages to `target` once, so every run of a test session runs the same code.

    While the project is developed, other packages change under a running suite; comparing two runs is
    only meaningful when both ran the same extractor. In CI the copy equals the checkout.
    """
    for name in PACKAGES:
        shutil.copytree(REPO / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def raqib_env(server: PrefectServer) -> dict[str, str]:
    """The environment of a `raqib` subprocess: the session's code, the test Prefect server, no analytics."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "RAQIB_"))}
    env.update({
        "PREFECT_HOME": str(server.home),
        "PREFECT_API_URL": server.api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PYTHONPATH": str(server.code),
    })
    return env


def start_raqib(args: list[str], server: PrefectServer) -> subprocess.Popen[str]:
    """Start `raqib ARGS` in its own process group, so that a kill reaches everything it started."""
    return subprocess.Popen(RAQIB + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=raqib_env(server), cwd=server.code, start_new_session=True)


def run_raqib(args: list[str], server: PrefectServer, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `raqib ARGS` to its end and return its exit code and output."""
    proc = start_raqib(args, server)
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        kill_group(proc)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def run_args(sources: Path, db: Path | str, archive: Path) -> list[str]:
    """The arguments of `raqib run` with JSON output."""
    return ["run", "--sources", str(sources), "--db", str(db), "--archive", str(archive), "--json"]


def kill_group(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the process and every process of its group (the group id is its pid), then reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    if proc.stdout:
        proc.stdout.close()
    if proc.stderr:
        proc.stderr.close()


def wait_until(condition: Callable[[], bool], proc: subprocess.Popen[str], timeout: float = 90) -> bool:
    """Poll `condition` every few milliseconds; False if the process ended first or time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.005)
    return False


def archive_files(archive: Path) -> dict[str, tuple[int, Path]]:
    """Map content hash to (number, path) for every archive file; fails on odd names and on two files of one hash."""
    found: dict[str, tuple[int, Path]] = {}
    for path in archive.iterdir() if archive.is_dir() else []:
        if path.name.startswith(".") and path.name.endswith(".tmp"):
            continue  # a write cut short by a kill; the next run removes it
        match = ARCHIVE_FILE.match(path.name)
        assert match, f"unexpected file in the archive: {path.name}"
        assert match.group(2) not in found, f"two archive files for {match.group(2)}"
        found[match.group(2)] = (int(match.group(1)), path)
    return found


def snapshot(db: Path | str) -> dict[str, list[tuple[Any, ...]]]:
    """The compared rows of every content table, sorted."""
    con = warehouse.connect_reader(db)
    try:
        return {t: con.execute(f"SELECT {cols} FROM {t} ORDER BY ALL").fetchall() for t, cols in COMPARED.items()}
    finally:
        con.close()


def query(db: Path | str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of one query on a read-only connection."""
    con = warehouse.connect_reader(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def assert_archive_agrees(db: Path | str, archive: Path) -> None:
    """One archive file per stored article, named by its hash and number, text equal, numbers 0..n-1."""
    rows = query(db, "SELECT content_hash, text, archive_path FROM articles")
    files = archive_files(archive)
    assert set(files) == {r[0] for r in rows}
    for digest, text, archive_path in rows:
        _, path = files[digest]
        assert Path(archive_path).name == path.name
        assert path.read_text(encoding="utf-8") == text
    assert sorted(n for n, _ in files.values()) == list(range(len(rows)))
    assert not [p for p in archive.iterdir() if p.name.startswith(".")], "temp files left in the archive"


def assert_same_warehouse(db: Path | str, expected_db: Path | str) -> None:
    """Every compared table of `db` equals that of `expected_db`; the message names the table and the fields."""
    got, expected = snapshot(db), snapshot(expected_db)
    for table, rows in expected.items():
        if got[table] == rows:
            continue
        missing = [r for r in rows if r not in got[table]]
        extra = [r for r in got[table] if r not in rows]
        detail = ""
        if missing and extra:  # show the fields that differ between two rows of the same key
            twin = next((r for r in extra if r[0] == missing[0][0]), extra[0])
            detail = "; differing fields " + repr([(i, str(a)[:80], str(b)[:80])
                                                   for i, (a, b) in enumerate(zip(twin, missing[0], strict=False))
                                                   if a != b])
        raise AssertionError(f"{table}: {len(got[table])} rows, expected {len(rows)}; {len(missing)} missing, "
                             f"{len(extra)} extra{detail}; first missing {str(missing[:1])[:300]}; "
                             f"first extra {str(extra[:1])[:300]}")
