"""The client's fixtures: a temporary HOME (user config, state, agent configs), a git repository with a remote and
a branch, recorded hook payloads, and the SDK routed to the in-process gateway (the real API over moto)."""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "CAIRN_API_URL", "CAIRN_TOKEN", "CAIRN_PROJECT",
                 "CAIRN_AGENT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CAIRN_HOOK_NO_BACKGROUND", "1")  # the tests flush in process, when they choose
    return home


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,  # noqa: S603, S607
                          text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, home: Path) -> Path:
    repo = tmp_path / "shop"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "remote", "add", "origin", "git@github.com:Acme/Shop.git")
    (repo / "README.md").write_text("shop\n")
    git(repo, "-c", "user.email=a@b.c", "-c", "user.name=a", "add", "README.md")
    git(repo, "-c", "user.email=a@b.c", "-c", "user.name=a", "commit", "-q", "-m", "init")
    return repo


class TestClientTransport(httpx.BaseTransport):
    """httpx requests answered by the in-process gateway's TestClient (which speaks its own httpx)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.client.request(request.method, str(request.url), headers=dict(request.headers),
                                     content=request.read())
        return httpx.Response(answer.status_code, headers=list(answer.headers.items()), content=answer.content)


@pytest.fixture
def api(http: Any, agent: Any, project: str, repo: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The SDK and the hooks talk to the gateway in process, as ``agent`` in ``project`` (set by the env)."""
    from cairn_client import sdk

    monkeypatch.setattr(sdk, "DEFAULT_TRANSPORT", TestClientTransport(http))
    monkeypatch.setenv("CAIRN_API_URL", "http://testserver")
    monkeypatch.setenv("CAIRN_TOKEN", agent.token)
    monkeypatch.setenv("CAIRN_PROJECT", project)
    return agent


def payload(agent: str, name: str, cwd: Path) -> str:
    text = (FIXTURES / agent / f"{name}.json").read_text()
    transcript = FIXTURES / "claude-code" / "transcript.jsonl"
    return text.replace("$CWD", str(cwd)).replace("$TRANSCRIPT", str(transcript))


@pytest.fixture
def hook(repo: Path) -> Callable[..., str]:
    """Runs ``cairn hook <event>`` in process with a recorded payload; returns what it printed."""
    from cairn_client import hooks

    def run(event: str, agent: str, name: str, cwd: Path | None = None) -> str:
        out = io.StringIO()
        assert hooks.run(event, agent, io.StringIO(payload(agent, name, cwd or repo)), out) == 0
        return out.getvalue()

    return run


def session_id(agent: str) -> str:
    return str(json.loads((FIXTURES / agent / "SessionStart.json").read_text())["session_id"])
