"""POST /api/v1/integrations/github/webhook through the gateway: a signed delivery starts a sync of the tenant's
GitHub sources of its repository; a bad signature, another tenant's hook, a repeated delivery or webhooks
turned off start nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator

import pytest

from cairn.sources.service.sync_webhook import signature_of, webhook_url
from cairn_local.fake_remote import FakeRemoteServer, Reply, fake_remote_server
from tests.conftest import Caller
from tests.http.helpers import create_project, ok
from tests.http.sync_helpers import executions, wait_for_syncs

WEBHOOK = "/api/v1/integrations/github/webhook"
SECRET = "whsec-0123456789abcdef"
COMMIT = {"sha": "a" * 40, "html_url": "https://github.com/acme/api/commit/aaa", "author": {"login": "octo"},
          "commit": {"message": "Fix the deploy", "committer": {"date": "2026-02-10T10:00:00Z"}}}


@pytest.fixture
def github(aws: dict[str, str]) -> Iterator[FakeRemoteServer]:
    with fake_remote_server() as server:
        server.route("/repos/acme/api/commits", lambda _: Reply(200, [COMMIT]))
        server.route("/repos/acme/api/issues", lambda _: Reply(200, []))
        yield server


def connected(caller: Caller, github: FakeRemoteServer, secret: str = SECRET) -> str:
    """A tenant with a project, a GitHub connection and a source of acme/api; answers its webhook URL's query."""
    create_project(caller, "synapse-backend")
    ok(caller.put("/api/v1/memory/connections/github",
                  json={"token": "ghp-good", "baseUrl": github.url, "webhookSecret": secret}))
    ok(caller.post("/api/v1/memory/sources", json={"sourceId": "gh-api", "projectId": "synapse-backend",
                                                   "sourceType": "github", "config": {"repository": "acme/api"}}))
    url = webhook_url(caller.tenant, "http://testserver")
    assert url is not None
    assert url.startswith(f"http://testserver{WEBHOOK}?hook=")
    return url.split("?", 1)[1]


def deliver(http: object, query: str, payload: dict[str, object], *, secret: str = SECRET,
            delivery: str | None = None, event: str = "push") -> object:
    body = json.dumps(payload).encode()
    return http.post(f"{WEBHOOK}?{query}", content=body, headers={  # type: ignore[attr-defined]
        "content-type": "application/json", "x-github-event": event,
        "x-github-delivery": delivery or str(uuid.uuid4()), "x-hub-signature-256": signature_of(secret, body)})


PUSH = {"ref": "refs/heads/main", "repository": {"full_name": "acme/api"}}


def test_a_signed_push_syncs_the_repositorys_sources(http: object, agent: Caller,
                                                     github: FakeRemoteServer) -> None:
    query = connected(agent, github)

    answer = deliver(http, query, PUSH)

    assert answer.status_code == 200, answer.text  # type: ignore[attr-defined]
    assert answer.json()["started"] == ["gh-api"]  # type: ignore[attr-defined]
    assert [d["status"] for d in wait_for_syncs(agent.tenant)] == ["SUCCEEDED"]
    records = ok(agent.get("/api/v1/memory/sources/gh-api/records"))["records"]
    assert [(r["remoteId"], r["text"]) for r in records] == [(f"commit:{'a' * 40}", "Fix the deploy")]


def test_a_repeated_delivery_and_another_repository_start_nothing(http: object, agent: Caller,
                                                                  github: FakeRemoteServer) -> None:
    query = connected(agent, github)
    first = deliver(http, query, PUSH, delivery="d-1")
    wait_for_syncs(agent.tenant)

    again = deliver(http, query, PUSH, delivery="d-1")
    other = deliver(http, query, {"repository": {"full_name": "acme/web"}})
    ping = deliver(http, query, {"zen": "hi", "repository": {"full_name": "acme/api"}}, event="ping")

    assert first.json()["started"] == ["gh-api"]  # type: ignore[attr-defined]
    assert again.json() == {"delivery": "d-1", "duplicate": True, "started": []}  # type: ignore[attr-defined]
    assert other.json()["started"] == []  # type: ignore[attr-defined]
    assert ping.json()["started"] == []  # type: ignore[attr-defined]
    assert len(executions(agent.tenant)) == 1


def test_a_bad_signature_or_another_tenants_secret_is_401(http: object, caller: Callable[..., Caller],
                                                          github: FakeRemoteServer) -> None:
    victim, attacker = caller(roles=("agent", "admin")), caller(roles=("agent", "admin"))
    victim_query = connected(victim, github)
    connected(attacker, github, secret="attacker-secret-0123")

    forged = deliver(http, victim_query, PUSH, secret="attacker-secret-0123")
    unsigned = http.post(f"{WEBHOOK}?{victim_query}", json=PUSH)  # type: ignore[attr-defined]

    for answer in (forged, unsigned):
        assert answer.status_code == 401  # type: ignore[attr-defined]
        assert answer.json()["error"]["field"] == "x-hub-signature-256"  # type: ignore[attr-defined]
    assert executions(victim.tenant) == []


def test_an_unknown_hook_and_webhooks_turned_off_are_404(http: object, agent: Caller, github: FakeRemoteServer,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from cairn.core.settings import get_settings

    query = connected(agent, github)
    assert deliver(http, "hook=" + "0" * 32, PUSH).status_code == 404  # type: ignore[attr-defined]

    monkeypatch.setenv("CAIRN_GITHUB_WEBHOOKS_ENABLED", "false")
    get_settings.cache_clear()
    try:
        assert deliver(http, query, PUSH).status_code == 404  # type: ignore[attr-defined]
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert executions(agent.tenant) == []
