"""`make dev`'s server as a subprocess, the one way the benchmarks and the end-to-end tests start it: a free port,
its own state directory, the caller's AWS and Cairn settings left out, its output in a file (a pipe would fill
up and block it), ready when /healthz answers, stopped with SIGINT (as Ctrl-C: it checkpoints its data)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from cairn_local import ROOT

READY_SECONDS = 120.0
STOP_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(port: int, state_dir: Path) -> dict[str, str]:
    """The environment `make dev` gives the dev server, without the caller's AWS/Cairn settings."""
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("AWS_", "CAIRN_", "POWERTOOLS_", "MOTO_"))}
    environment.update({"PORT": str(port), "CAIRN_LOCAL_STATE_DIR": str(state_dir),
                        "PYTHONPATH": f"{ROOT / 'layers' / 'cairn'}:{ROOT / 'scripts'}"})
    return environment


class DevServer:
    """One dev server: its port and state directory stay the same across restarts (``start`` after ``stop`` or
    ``crash``), as a user's `make dev` does; each start appends to the same log file."""

    def __init__(self, state_dir: Path, log_path: Path, environment: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.state_dir = state_dir
        self.log_path = log_path
        self.environment = environment or {}  # added to `make dev`'s (e.g. a local Forge's CAIRN_FORGE_JWKS_URL)
        self.process: subprocess.Popen[bytes] | None = None
        self._log_start = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> float:
        """Starts the server; returns the seconds until /healthz answered 200 (raises with its output if it
        exits or never does)."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        environment = {**server_environment(self.port, self.state_dir), **self.environment}
        with self.log_path.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cairn_local.devserver"], cwd=ROOT, env=environment,
                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
        return self._wait_until_ready()

    def _wait_until_ready(self) -> float:
        assert self.process is not None
        started = time.monotonic()
        while time.monotonic() - started < READY_SECONDS:
            if self.process.poll() is not None:
                raise RuntimeError(f"dev server exited with {self.process.returncode}:\n{self.tail()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return round(time.monotonic() - started, 2)
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"dev server did not answer /healthz within {READY_SECONDS:.0f} s:\n{self.tail()}")

    def output(self) -> str:
        """What the server printed since its last start."""
        with self.log_path.open(errors="replace") as log:
            log.seek(self._log_start)
            return log.read()

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.output().splitlines()[-lines:]) if self.log_path.exists() else ""

    def stop(self) -> float:
        """SIGINT (as Ctrl-C on `make dev`: the server saves its snapshot), then SIGKILL if it hangs; returns
        the seconds it took."""
        started = time.monotonic()
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.crash()
        return round(time.monotonic() - started, 2)

    def crash(self) -> None:
        """``kill -9``: no shutdown code runs."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()

    @property
    def exit_code(self) -> int | None:
        return self.process.returncode if self.process else None
