"""Shared fixtures. Environment is set before cairn is imported.

- One in-process moto per session (per xdist worker), provisioned once from template.yaml: its table,
  bucket and state machines are shared by the tests, each of which works in a tenant of its own (the tenant
  is in every key and blob prefix, so tests cannot see each other's data). A test that needs storage nobody
  else wrote to (it counts or scans all items, reads the table's stream, uses a fixed tenant) is marked
  ``fresh_table``; a test that starts its own moto uses ``without_shared_emulator``.
- HTTP callers holding tokens for a tenant and roles.
- Seams: a fake clock (``clock``), predictable ids (``ids``) and in-memory fakes of the ports (tests/fakes.py).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from cairn_local.emulator import MOTO_CONFIG, install_patches, provision, reset_cairn_caches, use_emulator_environment
from cairn_local.resolve import REGION, LocalNames
from cairn_local.tokens import mint

if TYPE_CHECKING:
    from tests.fakes import (
        FakeAnswerer,
        FakeBlobStore,
        FakeClock,
        FakePurgeStarter,
        FakeRemote,
        FakeSecrets,
        SequentialIds,
    )

# The task engine's callers and the local Forge (tests/tasks_helpers.py), for every test module.
pytest_plugins = ["tests.tasks_helpers"]

TEST_SECRET = "test-secret-" + "x" * 32
use_emulator_environment(TEST_SECRET)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fresh_table: the test gets a table and a bucket no other test wrote to")


# --- the emulator ----------------------------------------------------------------------------------------------


class SharedEmulator:
    """moto started once and provisioned once, for every test of this process that needs AWS.

    Provisioning costs about half a second and the first boto3 client of each service as much again, so
    neither is repeated per test: AWS clients stay cached across tests (they are not tied to a table), and
    only the caches that depend on the table or on what an earlier test wrote are dropped per test."""

    def __init__(self) -> None:
        self._mock: Any = None
        self.environment: dict[str, str] = {}

    def running(self) -> dict[str, str]:
        """Starts moto and provisions the template's resources, unless this was done already."""
        if self._mock is None:
            from moto import mock_aws

            self._mock = mock_aws(config=MOTO_CONFIG)
            self._mock.start()
            install_patches()
            reset_cairn_caches()
            self.environment = _resource_names(provision(LocalNames()))
            reset_cairn_caches()
        os.environ.update(self.environment)  # again for each test: the environment is restored after each
        return self.environment

    def stop(self) -> None:
        """Stops moto (its data is gone): for tests that start a moto of their own, and at the end."""
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
            reset_cairn_caches()

    @contextmanager
    def fresh_storage(self) -> Iterator[dict[str, str]]:
        """A table and a bucket of their own (the state machines are shared: they name no table), then
        the shared ones again; the fresh ones are deleted."""
        import boto3

        suffix = uuid.uuid4().hex[:8]
        names = LocalNames(table=f"cairn-fresh-{suffix}", bucket=f"cairn-fresh-{suffix}-blobs")
        environment = _resource_names(provision(names))
        os.environ.update(environment)
        try:
            yield environment
        finally:
            os.environ.update(self.environment)
            boto3.client("dynamodb", region_name=REGION).delete_table(TableName=names.table)
            bucket = boto3.resource("s3", region_name=REGION).Bucket(names.bucket)
            bucket.objects.all().delete()
            bucket.delete()


def _resource_names(environment: dict[str, str]) -> dict[str, str]:
    """The provisioned environment without the token settings: those are the process's (set above), and a test
    that changes them while the emulator starts must not leave its values to the tests after it."""
    return {name: value for name, value in environment.items() if not name.startswith("CAIRN_JWT_")}


def _forget_per_test_state() -> None:
    """What an earlier test left in this process's caches: settings (tests change the environment) and the
    project generations seen (each test starts cold, as a fresh container would)."""
    from cairn.aws import partition
    from cairn.core.settings import get_settings

    get_settings.cache_clear()
    partition.forget_all()


@pytest.fixture(autouse=True)
def _environment_restored() -> Iterator[None]:
    """Whatever a test (or code it runs, such as ``cairn_local.contract.main``) changes in the process's
    environment is undone after it, and settings read from the changed one are forgotten: the emulator and
    the tests after it share this process."""
    before = dict(os.environ)
    yield
    if os.environ != before:
        from cairn.core.settings import get_settings

        for name in set(os.environ) - set(before):
            del os.environ[name]
        os.environ.update(before)
        get_settings.cache_clear()


@pytest.fixture(scope="session")
def emulator() -> Iterator[SharedEmulator]:
    shared = SharedEmulator()
    yield shared
    shared.stop()


@pytest.fixture
def aws(emulator: SharedEmulator, request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The emulator's environment (table, bucket, state machines); storage of the test's own when it is
    marked ``fresh_table``."""
    environment = emulator.running()
    _forget_per_test_state()
    if request.node.get_closest_marker("fresh_table") is None:
        yield environment
    else:
        with emulator.fresh_storage() as fresh:
            _forget_per_test_state()
            yield fresh
    _forget_per_test_state()


@pytest.fixture
def event_bus(aws: dict[str, str]) -> Iterator[Any]:
    """The local EventBridge (cairn_local.eventbus) for this test: events put on the template's buses are queued
    for the template's rules; ``event_bus.drain()`` delivers them to the real handlers."""
    from cairn_local import eventbus

    bus = eventbus.LocalEventBus()
    previous = eventbus.install(bus)
    yield bus
    eventbus.install(previous)


@pytest.fixture
def without_shared_emulator(emulator: SharedEmulator) -> None:
    """For tests that start (and stop, which wipes) a moto of their own: moto does not nest, so the shared
    one is stopped first; the next test that needs it starts and provisions it again."""
    emulator.stop()


@pytest.fixture
def tenant() -> str:
    """A tenant no other test uses."""
    return f"tenant-{uuid.uuid4().hex[:8]}"


# --- HTTP callers ----------------------------------------------------------------------------------------------


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


# --- seams: clock, ids and fakes of the ports ------------------------------------------------------------------


@pytest.fixture
def clock() -> Iterator[FakeClock]:
    """The process's clock, standing still at the current second until the test advances it (``step`` makes
    every reading advance it)."""
    from cairn.core.clock import use_clock
    from tests.fakes import FakeClock

    fake = FakeClock(datetime.now(UTC).replace(microsecond=0))
    previous = use_clock(fake)
    yield fake
    use_clock(previous)


@pytest.fixture
def ids() -> Iterator[SequentialIds]:
    """The process's id source, numbering ids in creation order."""
    from cairn.core.ids import use_ids
    from tests.fakes import SequentialIds

    fake = SequentialIds()
    previous = use_ids(fake)
    yield fake
    use_ids(previous)


@pytest.fixture
def fake_blobs(monkeypatch: pytest.MonkeyPatch) -> FakeBlobStore:
    from cairn.aws import blobs
    from tests.fakes import FakeBlobStore

    fake = FakeBlobStore()
    for name in ("offload", "hydrate", "discard", "delete_prefix_page"):
        monkeypatch.setattr(blobs, name, getattr(fake, name))
    return fake


@pytest.fixture
def fake_secrets(monkeypatch: pytest.MonkeyPatch) -> FakeSecrets:
    from cairn.aws import secrets
    from tests.fakes import FakeSecrets

    fake = FakeSecrets()
    monkeypatch.setattr(secrets, "load", fake.load)
    return fake


@pytest.fixture
def fake_remote(monkeypatch: pytest.MonkeyPatch) -> FakeRemote:
    from cairn.integrations import remote, ssrf
    from tests.fakes import FakeRemote

    fake = FakeRemote()
    monkeypatch.setattr(remote, "post_json", fake.post_json)
    # No network: every host the SSRF guard resolves is a public address (the guard's own tests use others).
    monkeypatch.setattr(ssrf, "_resolver", lambda host, port: ["93.184.215.14"])
    return fake


@pytest.fixture
def fake_answerer(monkeypatch: pytest.MonkeyPatch) -> FakeAnswerer:
    from cairn.insights.service import intelligence
    from tests.fakes import FakeAnswerer

    fake = FakeAnswerer()
    monkeypatch.setattr(intelligence, "answerer", lambda: fake)
    return fake


@pytest.fixture
def purge_starter(monkeypatch: pytest.MonkeyPatch) -> FakePurgeStarter:
    from cairn.memory.store import purge
    from tests.fakes import FakePurgeStarter

    fake = FakePurgeStarter()
    monkeypatch.setattr(purge, "start_purge", fake.start_purge)
    return fake
