"""Shared fixtures: a fresh moto account per test, provisioned from template.yaml, and HTTP
callers holding tokens for a tenant and roles. Environment is set before cairn is imported."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from cairn_local.emulator import MOTO_CONFIG, install_patches, provision, reset_cairn_caches, use_emulator_environment
from cairn_local.resolve import LocalNames
from cairn_local.tokens import mint

TEST_SECRET = "test-secret-" + "x" * 32
use_emulator_environment(TEST_SECRET)


@pytest.fixture
def aws() -> Iterator[dict[str, str]]:
    """A fresh in-process moto with the template's table, bucket and state machines."""
    from moto import mock_aws

    with mock_aws(config=MOTO_CONFIG):
        install_patches()
        reset_cairn_caches()
        environment = provision(LocalNames())
        previous = {name: os.environ.get(name) for name in environment}
        os.environ.update(environment)
        os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
        reset_cairn_caches()
        yield environment
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        reset_cairn_caches()


@dataclass
class Caller:
    """An HTTP client acting as one principal."""

    client: Any
    tenant: str
    token: str

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def request(self, method: str, path: str, json: Any = None, headers: dict[str, str] | None = None,
                **kwargs: Any) -> Any:
        return self.client.request(method, path, json=json, headers=self.headers(headers), **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def http(aws: dict[str, str]) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from cairn_local.gateway import Gateway

    with TestClient(Gateway(), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def caller(http: Any) -> Callable[..., Caller]:
    def make(tenant: str | None = None, roles: tuple[str, ...] = ("agent",), **claims: Any) -> Caller:
        tenant = tenant or f"tenant-{uuid.uuid4().hex[:8]}"
        return Caller(http, tenant, mint(tenant, f"user-{tenant}", list(roles), secret=TEST_SECRET, **claims))

    return make


@pytest.fixture
def agent(caller: Callable[..., Caller]) -> Caller:
    return caller(roles=("agent", "admin"))


@pytest.fixture
def project(agent: Caller) -> str:
    response = agent.post("/api/v1/memory/projects",
                          json={"projectId": "synapse-backend", "name": "Synapse Backend", "roadmap": "Build it"})
    assert response.status_code == 200, response.text
    return "synapse-backend"
