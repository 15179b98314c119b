"""The dev server as a subprocess (uvicorn + embedded moto), the way `make dev` runs it, started the benchmarks'
way (cairn_local.bench.server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cairn_local.bench import server as dev_server


class DevServer(dev_server.DevServer):
    """Holds the dev token the server prints at each start (tenant dev-tenant, roles agent and admin)."""

    token = ""

    def start(self) -> str:
        """Starts the server; returns what it printed (its banner)."""
        super().start()
        output = self.output()
        self.token = output.split("export TOKEN=", 1)[1].split()[0]
        return output

    def stop(self) -> str:  # type: ignore[override]  # the tests read the output, not the duration
        super().stop()
        return self.output()

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[DevServer]:
    dev = DevServer(tmp_path / "state", tmp_path / "devserver.log")
    dev.start()
    yield dev
    dev.crash()
