"""Callers of the task engine: a permit holder for a test installation (``task_caller``), the local Forge
(``forge``: a JWKS server and invocation tokens) and the Jira App (``jira``: Forge token plus rotating request
keys). Import the fixtures a test module uses from here."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from cairn_local.forge import LocalForge


@dataclass
class PermitCaller:
    """An HTTP client holding a task permit of ``installation`` for ``project``/``task``."""

    client: Any
    installation: str
    project: str
    task: str
    permit: str

    def request(self, method: str, path: str, json: Any = None, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.permit}", **kwargs.pop("headers", {})}
        return self.client.request(method, path, json=json, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, json=json, **kwargs)


def register_installation(installation: str, credits: int | None = None) -> None:
    """Registers ``installation`` as its first Forge call would (with ``credits`` instead of the grant if given)."""
    from cairn.tasks.service import installations

    installations.register(installations.Installation(installation, f"cloud-{installation}", "user-1"))
    if credits is not None:
        _store_credits(installation, credits)


def available_credits(caller: PermitCaller) -> int:
    from cairn.tasks.service import credits

    return credits.available(caller.installation)


def set_credits(caller: PermitCaller, value: int) -> None:
    _store_credits(caller.installation, value)


def _store_credits(installation: str, value: int) -> None:
    from cairn.tasks.store import installations

    installations.update(installation, {"credits": value})


def mint_permit(installation: str, project: str, task: str) -> str:
    from cairn.tasks.service import permits

    return permits.mint(installation, f"cloud-{installation}", project, task).permit


@pytest.fixture
def task_caller(http: Any) -> Any:
    """``task_caller(project, task, installation)``: a permit holder; the installation (new unless given) is
    registered with the default credit grant."""

    def make(project: str = "AUTH", task: str = "AUTH-1", installation: str | None = None) -> PermitCaller:
        installation = installation or f"ari:cloud:ecosystem::installation/{uuid.uuid4()}"
        register_installation(installation)
        return PermitCaller(http, installation, project, task, mint_permit(installation, project, task))

    return make


# --- Forge and the Jira App ---------------------------------------------------------------------------------------

_FORGE: LocalForge | None = None


@pytest.fixture
def forge(aws: dict[str, str]) -> Iterator[LocalForge]:
    """The process's local Forge (started once), its JWKS URL and app id in the settings for this test."""
    from cairn.core.settings import get_settings
    from cairn.integrations import forge as verifier

    global _FORGE
    if _FORGE is None:
        _FORGE = LocalForge()
    os.environ["CAIRN_FORGE_JWKS_URL"] = _FORGE.jwks_url
    os.environ["CAIRN_FORGE_APP_ID"] = _FORGE.app_id
    get_settings.cache_clear()
    verifier.forget_keys()
    yield _FORGE
    verifier.forget_keys()


@dataclass
class JiraApp:
    """The Jira App of one installation and user: a Forge token and the current request key, rotated from each
    answer's ``X-SeeCodes-Next-Request-Key``."""

    client: Any
    forge: LocalForge
    installation: str
    principal: str = "user-1"
    key: str | None = None
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def token(self) -> str:
        return self.forge.token(self.installation, principal=self.principal, **self.claims)

    def request_key(self) -> str:
        response = self.client.post("/v1/jira/request-key", json={},
                                    headers={"Authorization": f"Bearer {self.token}"})
        assert response.status_code == 200, response.text
        self.key = response.json()["requestKey"]
        return self.key

    def call(self, method: str, path: str, json: Any = None, key: str | None = None, **kwargs: Any) -> Any:
        """The route with the current request key (``key`` overrides it), fetching one first if none is held."""
        presented = key if key is not None else (self.key or self.request_key())
        headers = {"Authorization": f"Bearer {self.token}", "X-SeeCodes-Jira-Request-Key": presented,
                   **kwargs.pop("headers", {})}
        response = self.client.request(method, path, json=json, headers=headers, **kwargs)
        rotated = response.headers.get("x-seecodes-next-request-key")
        if rotated:
            self.key = rotated
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.call("POST", path, json=json, **kwargs)


@pytest.fixture
def jira(http: Any, forge: LocalForge) -> Any:
    """``jira(installation=None, principal="user-1")``: the Jira App of a new (or the given) installation."""

    def make(installation: str | None = None, principal: str = "user-1") -> JiraApp:
        return JiraApp(http, forge, installation or f"ari:cloud:ecosystem::installation/{uuid.uuid4()}", principal)

    return make
