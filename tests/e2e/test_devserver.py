"""End to end: the README's walkthrough against the real dev server (uvicorn + embedded moto),
then a restart that must keep the data."""

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
pytestmark = pytest.mark.e2e


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


def _milestone(contribution: str) -> dict[str, str]:
    return {"branchPurpose": "Core cache implementation", "cumulativeProgress": "L1 cache done",
            "thisContribution": contribution, "agentId": "claude-code-e2e", "agentType": "claude-code"}


def test_walkthrough_then_restart_keeps_data(server: DevServer) -> None:
    base = "/api/v1/memory/projects"
    with server.client() as api:
        assert api.post(base, json={"projectId": "synapse", "name": "Synapse", "roadmap": "Cache"}).status_code == 200
        first = api.post(f"{base}/synapse/store", json=_milestone("metrics")).json()
        second = api.post(f"{base}/synapse/store", json=_milestone("tracing")).json()
        assert (first["sequenceNumber"], second["sequenceNumber"]) == (1, 2)
        branch = api.post(f"{base}/synapse/branches", json={"branchName": "feature-auth", "purpose": "JWT auth",
                                                          "agentId": "claude-code-e2e"})
        assert branch.json()["status"] == "active"
        on_branch = api.post(f"{base}/synapse/store", json={**_milestone("jwt middleware"),
                                                             "branchName": "feature-auth"})
        assert on_branch.json()["sequenceNumber"] == 1
        merged = api.post(f"{base}/synapse/merge", json={"sourceBranch": "feature-auth", "mergeSummary": "JWT done",
                                                         "agentId": "claude-code-e2e"}).json()
        assert merged["milestonesMerged"] == 1
        assert merged["sourceBranchStatus"] == "merged"
        recall = api.get(f"{base}/synapse/recall", params={"view": "branch", "limit": 5}).json()
        assert [m["sequenceNumber"] for m in recall["milestones"]] == [3, 2, 1]
        assert recall["milestones"][0]["milestoneId"] == merged["mergeMilestoneId"]

        assert api.post(base, json={"projectId": "doomed", "name": "Doomed", "roadmap": ""}).status_code == 200
        assert api.post(f"{base}/doomed/store", json=_milestone("x")).status_code == 200
        assert api.delete(f"{base}/doomed").status_code == 200
        deadline = time.monotonic() + 30
        while api.post(base, json={"projectId": "doomed", "name": "Again", "roadmap": ""}).status_code != 200:
            assert time.monotonic() < deadline, "the purge state machine never finished"
            time.sleep(0.2)

    output = server.stop()
    assert "Saved" in output
    server.start()
    with server.client() as api:
        overview = api.get(f"{base}/synapse/recall").json()
        assert overview["project"]["milestoneCount"] == 4
        assert overview["project"]["activeBranches"] == ["main"]
        again = api.get(f"{base}/doomed").json()
        assert again["name"] == "Again"
        assert again["milestoneCount"] == 0
