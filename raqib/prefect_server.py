"""Prefect's temporary API server for a one-off command, started before the flow's imports so the two overlap.

Without a configured server (PREFECT_API_URL), Prefect starts the same server when the flow is first called: it
imports its whole server stack into this process (about 1.4 s here), then waits for the server process to import it
again and answer (about 3 s). Started here first, the server process boots on the other core while this process
imports the flow (docs/PERFORMANCE.md, "Issue 14, seventh pass"). The command line is Prefect's own
(`SubprocessASGIServer`): uvicorn serving `prefect.server.api.server:create_app` on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

PORT_IN_USE = 3  # uvicorn's exit code when its port was taken between choosing it and binding it (rare)
POLL_SECONDS = 0.05


class ServerStartError(RuntimeError):
    """The temporary server did not answer in time, or exited."""


class TemporaryServer:
    """One uvicorn process serving Prefect's API on a free loopback port, for the life of one command."""

    def __init__(self) -> None:
        """Start the server process now; `wait_ready` before the first flow call, `stop` at the end."""
        self.port = _free_port()
        self.process = self._launch()

    @property
    def api_url(self) -> str:
        """The API address a Prefect client is given (PREFECT_API_URL)."""
        return f"http://127.0.0.1:{self.port}/api"

    def _launch(self) -> subprocess.Popen[bytes]:
        """Start uvicorn as Prefect's own temporary server does (no UI, the server's ephemeral mode)."""
        spec = importlib.util.find_spec("prefect")
        if spec is None or spec.origin is None:
            raise ServerStartError("Prefect is not installed")
        app_dir = Path(spec.origin).parent.parent
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
        env.pop("PREFECT_API_URL", None)
        command = [sys.executable, "-m", "uvicorn", "--app-dir", str(app_dir), "--factory",
                   "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(self.port),
                   "--log-level", "error", "--lifespan", "on"]
        return subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)

    def wait_ready(self, timeout: float) -> None:
        """Block until the server answers its health check."""
        import httpx  # here: every raqib command imports this module, few start a server

        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                code = self.process.poll()
                if code == PORT_IN_USE:
                    raise ServerStartError(f"port {self.port} was taken before the temporary Prefect server bound it")
                if code is not None:
                    raise ServerStartError(f"the temporary Prefect server exited with code {code}")
                with contextlib.suppress(httpx.TransportError):
                    if client.get(f"{self.api_url}/health").status_code == 200:
                        return
                time.sleep(POLL_SECONDS)
        self.stop()
        raise ServerStartError(f"the temporary Prefect server did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        """Terminate the server process (a short grace, then kill)."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def needs_temporary_server() -> bool:
    """True when no Prefect API server is configured, so a flow would start a temporary one."""
    return not os.environ.get("PREFECT_API_URL")


def _free_port() -> int:
    """A loopback port the system has just left free."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
