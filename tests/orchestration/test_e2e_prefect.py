"""End to end on a real Prefect server on 127.0.0.1: deploy, trigger, wait for COMPLETED, check `runs`.

Two ways an operator runs raqib are covered: `raqib serve` (one long process serving prefect.yaml's
deployments), and `prefect deploy` from prefect.yaml with a process work pool and a worker.
Every subprocess runs in its own process group and is killed when its test ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from orchestration_pages import REPORTS, write_text_site

import warehouse
from flows.deployments import PREFECT_YAML, PROJECT_DIR
from tests.backend import db_in

pytestmark = pytest.mark.slow

PREFECT = str(Path(sys.executable).with_name("prefect"))
FINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@dataclass
class Server:
    """A running Prefect server: its API address and the environment clients need to reach it."""

    api: str
    env: dict[str, str]
    logs: Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(args: list[str], env: dict[str, str], log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    """Start a subprocess in its own process group, its output going to `log`."""
    with open(log, "ab") as out:
        return subprocess.Popen(args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a subprocess and everything it started: TERM, a short grace, then KILL for the whole group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=8)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # whatever is left in the group, flow-run processes included
    proc.wait(timeout=5)


def tail(path: Path, lines: int = 40) -> str:
    """The end of a log file, for assertion messages."""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A throwaway Prefect server on a free port of 127.0.0.1, with its own PREFECT_HOME."""
    home = tmp_path_factory.mktemp("prefect-server")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_API_URL": api, "PREFECT_UI_ENABLED": "false",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "INFO",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_DIR), os.environ.get("PYTHONPATH")]))}
    env.pop("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", None)
    logs = home / "server.log"
    proc = start([PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)], env, logs, home)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"prefect server exited:\n{tail(logs)}"
            assert time.monotonic() < deadline, f"prefect server not healthy in 60 s:\n{tail(logs)}"
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        yield Server(api, env, home)
    finally:
        stop(proc)


@pytest.fixture
def site_sources(tmp_path: Path) -> tuple[Path, Path | str]:
    """A sources file with one `directory` source of three reports, and the warehouse path to use."""
    site = tmp_path / "site"
    write_text_site(site)
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[sources]]\nname = "test-site"\nkind = "directory"\nurl = "{site}"\nlanguage = "ar"\n',
                       encoding="utf-8")
    return sources, db_in(tmp_path, "warehouse.duckdb")


def wait_for_deployment(api: str, name: str, proc: subprocess.Popen[bytes], log: Path,
                        timeout: float = 45) -> dict[str, Any]:
    """Poll until the deployment `flow/deployment` exists on the server."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{proc.args!r} exited:\n{tail(log)}"
        response = httpx.get(f"{api}/deployments/name/{name}", timeout=5)
        if response.status_code == 200:
            return dict(response.json())
        time.sleep(0.5)
    raise AssertionError(f"deployment {name} never appeared:\n{tail(log)}")


def run_deployment(api: str, deployment_id: str, parameters: dict[str, Any] | None = None) -> str:
    """Create a flow run of a deployment through the API, as `prefect deployment run` does.

    Prefect's server answers 503 while its database is busy (a worker polling on a loaded 2-core machine); its own
    client retries those, so this does too, a few times.
    """
    for attempt in range(5):
        response = httpx.post(f"{api}/deployments/{deployment_id}/create_flow_run",
                              json={"parameters": parameters or {}}, timeout=10)
        if response.status_code != 503:
            break
        time.sleep(1 + attempt)
    response.raise_for_status()
    return str(response.json()["id"])


def wait_for_final_state(api: str, flow_run_id: str, timeout: float = 90) -> str:
    """Poll a flow run until it ends (or the time is up); return its state type."""
    deadline = time.monotonic() + timeout
    state = "UNKNOWN"
    while time.monotonic() < deadline:
        state = httpx.get(f"{api}/flow_runs/{flow_run_id}", timeout=5).json()["state_type"]
        if state in FINAL_STATES:
            break
        time.sleep(0.5)
    return str(state)


def run_logs(api: str, flow_run_id: str, log: Path) -> str:
    """A flow run's logs from the server and the end of the serving process's log, for failure messages."""
    found = httpx.post(f"{api}/logs/filter", timeout=5,
                       json={"logs": {"flow_run_id": {"any_": [flow_run_id]}}, "limit": 50}).json()
    return "\n".join(entry["message"][:2000] for entry in found) + f"\n--- process log:\n{tail(log)}"


def assert_completes(api: str, flow_run_id: str, log: Path) -> None:
    """Wait for a flow run and fail the test, with its logs, unless it ends COMPLETED."""
    state = wait_for_final_state(api, flow_run_id)
    assert state == "COMPLETED", f"flow run {flow_run_id} ended {state}:\n{run_logs(api, flow_run_id, log)}"


def warehouse_run(db: Path | str, flow_run_id: str) -> tuple[Any, ...] | None:
    """The `runs` row of a flow run, with the number of articles in the warehouse."""
    con = warehouse.connect_reader(db)
    try:
        row = con.execute("SELECT status, (SELECT count(*) FROM articles) FROM runs WHERE flow_run_id = ?",
                          [flow_run_id]).fetchone()
    finally:
        con.close()
    return row


def test_raqib_serve_runs_the_daily_deployment(server: Server, site_sources: tuple[Path, Path | str],
                                               tmp_path: Path) -> None:
    sources, db = site_sources
    log = tmp_path / "serve.log"
    env = {**server.env, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    serve = start([sys.executable, "-m", "raqib.cli", "serve", "--sources", str(sources), "--db", str(db)],
                  env, log, tmp_path)
    try:
        deployment = wait_for_deployment(server.api, "raqib-ingest/daily", serve, log)
        expected = yaml.safe_load(PREFECT_YAML.read_text())["deployments"][0]["schedules"][0]
        schedule = deployment["schedules"][0]["schedule"]
        assert (schedule["cron"], schedule["timezone"]) == (expected["cron"], expected["timezone"])
        assert deployment["parameters"]["sources_file"] == str(sources.resolve())
        wait_for_deployment(server.api, "raqib-reextract/reextract", serve, log)
        flow_run_id = run_deployment(server.api, deployment["id"])
        assert_completes(server.api, flow_run_id, log)
        artifacts = httpx.post(f"{server.api}/artifacts/filter", timeout=5,
                               json={"artifacts": {"flow_run_id": {"any_": [flow_run_id]}}}).json()
    finally:
        stop(serve)
    assert warehouse_run(db, flow_run_id) == ("completed", len(REPORTS))
    summary = next(a for a in artifacts if a["key"] == "ingest-summary")
    assert "| test-site | 3 | 3 | 3 |" in summary["data"], summary["data"]


def test_prefect_deploy_and_a_process_worker_run_both_deployments(server: Server, site_sources: tuple[Path, Path | str],
                                                                  tmp_path: Path) -> None:
    sources, db = site_sources
    log = tmp_path / "worker.log"
    created = subprocess.run([PREFECT, "work-pool", "create", "raqib-process", "--type", "process", "--overwrite"],
                             env=server.env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert created.returncode == 0, created.stdout + created.stderr
    # deploy from the project folder, as an operator does; the build step records that folder
    deployed = subprocess.run([PREFECT, "--no-prompt", "deploy", "--all"], env=server.env, cwd=PROJECT_DIR,
                              capture_output=True, text=True, timeout=90)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    daily = httpx.get(f"{server.api}/deployments/name/raqib-ingest/daily", timeout=5).json()
    assert daily["work_pool_name"] == "raqib-process"
    assert daily["pull_steps"] == [{"prefect.deployments.steps.set_working_directory": {"directory": str(PROJECT_DIR)}}]
    reextract = httpx.get(f"{server.api}/deployments/name/raqib-reextract/reextract", timeout=5).json()
    assert reextract["schedules"] == []

    env = {**server.env, "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_WORKER_PREFETCH_SECONDS": "5"}
    worker = start([PREFECT, "worker", "start", "--pool", "raqib-process", "--type", "process"], env, log, tmp_path)
    try:
        ingest_run = run_deployment(server.api, daily["id"], {"sources_file": str(sources), "db": str(db)})
        assert_completes(server.api, ingest_run, log)
        assert warehouse_run(db, ingest_run) == ("completed", len(REPORTS))
        reextract_run = run_deployment(server.api, reextract["id"], {"db": str(db), "everything": True})
        assert_completes(server.api, reextract_run, log)
    finally:
        stop(worker)
    assert warehouse_run(db, reextract_run) == ("completed", len(REPORTS))


class _HookHandler(BaseHTTPRequestHandler):
    """Keeps the body of every POST, like a chat webhook would."""

    received: list[str]

    def do_POST(self) -> None:
        """Store the body and answer 200."""
        length = int(self.headers.get("Content-Length", 0))
        self.received.append(self.rfile.read(length).decode("utf-8", errors="replace"))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        """Stay quiet."""


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[str]]]:
    """A webhook receiver on 127.0.0.1: its URL and the bodies it received."""
    received: list[str] = []
    handler = type("Hook", (_HookHandler,), {"received": received})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/hook", received
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_failed_run_sends_the_failure_alert(server: Server, site_sources: tuple[Path, Path | str], tmp_path: Path,
                                             webhook: tuple[str, list[str]]) -> None:
    url, received = webhook
    sources, db = site_sources
    install = (
        "from prefect.blocks.notifications import CustomWebhookNotificationBlock\n"
        "from flows.deployments import install_failure_alert\n"
        f"install_failure_alert(CustomWebhookNotificationBlock(name='test hook', url={url!r}, "
        "allow_private_urls=True, json_data={'text': '{{subject}}: {{body}}'}))\n")
    for _ in range(2):  # installing twice replaces the automation instead of doubling the alerts
        done = subprocess.run([sys.executable, "-c", install], env=server.env, cwd=tmp_path, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
    log = tmp_path / "serve.log"
    serve = start([sys.executable, "-m", "raqib.cli", "serve", "--sources", str(sources), "--db", str(db)],
                  {**server.env, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}, log, tmp_path)
    try:
        deployment = wait_for_deployment(server.api, "raqib-ingest/daily", serve, log)
        failing = run_deployment(server.api, deployment["id"], {"sources_file": str(tmp_path / "missing.toml")})
        state = wait_for_final_state(server.api, failing)
        assert state == "FAILED", f"ended {state}:\n{run_logs(server.api, failing, log)}"
        deadline = time.monotonic() + 30
        while not received and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        stop(serve)
    time.sleep(2)  # a second alert for the same failure would arrive within this
    assert len(received) == 1, received
    assert "raqib-ingest" in received[0] and "Failed" in received[0] and failing in received[0]
