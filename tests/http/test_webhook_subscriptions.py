"""Webhook subscriptions over HTTP (docs/platform.md, "Webhook subscriptions"): an admin creates, lists, reads and
deletes them; the URL passes the SSRF rules (a refusal names ``url``); the secret is write-only; another tenant's
subscription is 404; mutations require Idempotency-Key."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from cairn.aws import clients
from cairn.core.settings import get_settings
from cairn.platform.service import webhooks
from cairn.platform.service.webhooks import secret_name
from cairn.platform.store import webhooks as store
from tests.http.helpers import assert_error, ok

BASE = "/api/v1/webhook-subscriptions"
SECRET = "whsec-" + "s" * 26
LOCAL_URL = "http://127.0.0.1:9/hooks/cairn"


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def _create(who: Any, **body: Any) -> Any:
    return who.post(BASE, json={"url": LOCAL_URL, "topics": ["project.created"], "secret": SECRET, **body},
                    headers=_key())


def test_an_admin_creates_lists_reads_and_deletes_a_subscription_whose_secret_is_never_answered(
        agent: Any, caller: Any) -> None:
    created = ok(_create(agent, topics=["project.created", "task.run.settled"]))
    assert created["id"] == created["subscriptionId"]
    assert (created["url"], created["topics"], created["enabled"]) == (
        LOCAL_URL, ["project.created", "task.run.settled"], True)
    assert created["disabledReason"] is None
    stored = clients.client("secretsmanager").get_secret_value(SecretId=secret_name(agent.tenant, created["id"]))
    assert stored["SecretString"] == SECRET

    viewer = caller(agent.tenant, roles=("viewer",))
    listed = ok(viewer.get(BASE))
    assert [item["id"] for item in listed["data"]] == [created["id"]]
    assert ok(viewer.get(f"{BASE}/{created['id']}")) == created
    assert ok(viewer.get(f"{BASE}/{created['id']}/deliveries"))["data"] == []
    for response in (listed, created):
        assert SECRET not in str(response)

    deleted = ok(agent.delete(f"{BASE}/{created['id']}", headers=_key()))
    assert deleted["deleted"] is True
    assert_error(agent.get(f"{BASE}/{created['id']}"), 404, code="not_found")
    with pytest.raises(clients.client("secretsmanager").exceptions.ResourceNotFoundException):
        clients.client("secretsmanager").get_secret_value(SecretId=secret_name(agent.tenant, created["id"]))


@pytest.mark.parametrize("url", ["http://example.com/hook", "https://10.0.0.7/hook", "https://169.254.169.254/",
                                 "https://user:pw@example.com/hook", "ftp://example.com/x", "not a url"])
def test_urls_outside_the_ssrf_rules_are_400_naming_url(agent: Any, url: str) -> None:
    assert_error(_create(agent, url=url), 400, code="invalid_input", field="url")
    assert ok(agent.get(BASE))["data"] == []


def test_loopback_is_refused_outside_the_local_stack(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAIRN_ALLOW_LOCAL_URLS", "false")
    get_settings.cache_clear()
    assert_error(_create(agent), 400, field="url")


@pytest.mark.parametrize(("body", "field"), [
    ({"topics": ["project.renamed"]}, "topics"), ({"topics": []}, "topics"),
    ({"topics": ["project.created", "project.created"]}, "topics"),
    ({"secret": "short"}, "secret"), ({"secret": None}, "secret"), ({"url": None}, "url"),
])
def test_bad_bodies_are_400_naming_the_field(agent: Any, body: dict[str, Any], field: str) -> None:
    error = assert_error(_create(agent, **body), 400, code="invalid_input")
    assert error["field"].split(".")[0] == field  # topics.0: the element at fault
    assert "short" not in error["message"]  # the secret is never echoed


def test_mutations_require_an_idempotency_key_and_replay_with_one(agent: Any) -> None:
    body = {"url": LOCAL_URL, "topics": ["project.created"], "secret": SECRET}
    assert_error(agent.post(BASE, json=body), 400, field="Idempotency-Key")
    key = _key()
    first = agent.post(BASE, json=body, headers=key)
    again = agent.post(BASE, json=body, headers=key)
    assert ok(again) == ok(first)
    assert again.headers.get("idempotent-replayed") == "true"
    assert len(ok(agent.get(BASE))["data"]) == 1
    assert_error(agent.delete(f"{BASE}/{ok(first)['id']}"), 400, field="Idempotency-Key")


def test_another_tenants_subscription_is_404_and_unlisted(agent: Any, caller: Any) -> None:
    created = ok(_create(agent))
    other = caller(roles=("agent", "admin"))
    assert ok(other.get(BASE))["data"] == []
    for response in (other.get(f"{BASE}/{created['id']}"), other.get(f"{BASE}/{created['id']}/deliveries"),
                     other.delete(f"{BASE}/{created['id']}", headers=_key())):
        assert_error(response, 404, code="not_found")
    assert ok(agent.get(f"{BASE}/{created['id']}"))["enabled"] is True


def test_only_an_admin_creates_or_deletes(agent: Any, caller: Any) -> None:
    created = ok(_create(agent))
    member = caller(agent.tenant, roles=("agent",))
    assert_error(_create(member), 403, code="forbidden")
    assert_error(member.delete(f"{BASE}/{created['id']}", headers=_key()), 403, code="forbidden")


def test_a_create_past_the_tenants_cap_is_a_409(agent: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert webhooks.MAX_SUBSCRIPTIONS == 25
    monkeypatch.setattr(webhooks, "MAX_SUBSCRIPTIONS", 2)
    ok(_create(agent))
    ok(_create(agent))
    assert_error(_create(agent), 409, code="conflict")
    listed = ok(agent.get(BASE))["data"]
    assert len(listed) == 2
    ok(agent.delete(f"{BASE}/{listed[0]['id']}", headers=_key()))
    ok(_create(agent))  # a deleted subscription frees its place
    assert_error(_create(agent), 409, code="conflict")


def test_concurrent_creates_cannot_pass_the_cap(tenant: str) -> None:
    def create(n: int) -> bool:
        return store.put_subscription(tenant, f"whs-{n}", LOCAL_URL, ["project.created"], "2026-12-03T00:00:00Z",
                                      cap=3) is not None

    with ThreadPoolExecutor(max_workers=8) as pool:
        created = list(pool.map(create, range(8)))

    assert created.count(True) == 3
    assert len(store.subscriptions(tenant)) == 3
