"""The dev server as a subprocess (uvicorn + embedded moto), the way `make dev` runs it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class DevServer:
    def __init__(self, state_dir: Path) -> None:
        self.port = _free_port()
        self.state_dir = state_dir
        self.process: subprocess.Popen[str] | None = None
        self.token = ""
        # A file, not a pipe: the server logs a line per request, and a full pipe would block it.
        self.log_path = state_dir.parent / f"devserver-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> str:
        environment = {key: value for key, value in os.environ.items()
                       if not key.startswith(("AWS_", "CAIRN_", "POWERTOOLS_"))}
        environment.update({"PORT": str(self.port), "CAIRN_LOCAL_STATE_DIR": str(self.state_dir),
                            "PYTHONPATH": f"{ROOT / 'layers' / 'cairn'}:{ROOT / 'scripts'}"})
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "cairn_local.devserver"], cwd=ROOT,
                                            env=environment, stdout=log, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            output = self.output()
            if "export TOKEN=" in output:
                self.token = output.split("export TOKEN=", 1)[1].split()[0]
                break
            assert self.process.poll() is None, "dev server exited early:\n" + output
            time.sleep(0.05)
        self._wait_until_listening()
        return self.output()

    def output(self) -> str:
        """What the server printed since its last start."""
        with self.log_path.open() as log:
            log.seek(self._log_start)
            return log.read()

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/healthz", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("dev server never answered /healthz")

    def stop(self) -> str:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=60)
        return self.output()

    def crash(self) -> None:
        """``kill -9``: no shutdown code runs."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=30)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[DevServer]:
    dev = DevServer(tmp_path / "state")
    dev.start()
    yield dev
    if dev.process and dev.process.poll() is None:
        dev.process.kill()
        dev.process.wait()


