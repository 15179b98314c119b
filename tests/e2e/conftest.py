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

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> str:
        environment = {key: value for key, value in os.environ.items()
                       if not key.startswith(("AWS_", "CAIRN_", "POWERTOOLS_"))}
        environment.update({"PORT": str(self.port), "CAIRN_LOCAL_STATE_DIR": str(self.state_dir),
                            "PYTHONPATH": f"{ROOT / 'layers' / 'cairn'}:{ROOT / 'scripts'}"})
        self.process = subprocess.Popen([sys.executable, "-m", "cairn_local.devserver"], cwd=ROOT, env=environment,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        banner = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            assert line, "dev server exited early:\n" + "".join(banner)
            banner.append(line)
            if "export TOKEN=" in line:
                self.token = line.split("export TOKEN=", 1)[1].strip()
                break
        self._wait_until_listening()
        return "".join(banner)

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
        output, _ = self.process.communicate(timeout=60)
        return output

    def crash(self) -> None:
        """``kill -9``: no shutdown code runs."""
        assert self.process is not None
        self.process.kill()
        self.process.communicate(timeout=30)

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


