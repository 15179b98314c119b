"""Platform conventions (docs/platform.md): the list envelope, sortBy whitelist, q, page bounds, the required
Idempotency-Key, x-workspace-id and the platform roles, on a small app built like the route groups."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends

from cairn.http.app import create_app
from cairn.http.auth import Principal, require_operator, require_platform_reader
from cairn.http.body import JSONRoute
from cairn.platform.api.conventions import IdempotencyRequired, ListEnvelope, ListQuery, envelope, list_query
from cairn_local.tokens import mint
from tests.conftest import TEST_SECRET

ITEMS = [{"id": f"x{n}", "name": name, "createdAt": f"2026-01-0{n}"} for n, name in
         enumerate(["alpha", "Beta", "gamma", "alphabet"], start=1)]


ROUTER = APIRouter(route_class=JSONRoute)
ATTEMPTS = itertools.count(1)
THINGS = list_query(("createdAt", "name"), default_sort="createdAt")


@ROUTER.get("/things")
def list_things(_: Annotated[Principal, Depends(require_platform_reader)],
                query: Annotated[ListQuery, Depends(THINGS)],
                name: str | None = None) -> ListEnvelope[dict[str, Any]]:
    page, total = query.page_of(item for item in ITEMS if name is None or item["name"] == name)
    return envelope([dict(item) for item in page], total, query, {"name": name})


@ROUTER.post("/things/{thing}/retry")
def retry(thing: str, _: Annotated[Principal, Depends(require_operator)],
          once: IdempotencyRequired) -> dict[str, Any]:
    return once({"thing": thing}, lambda: {"thing": thing, "attempt": next(ATTEMPTS)})


@pytest.fixture
def client(aws: dict[str, str]) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with TestClient(create_app("conventions-test", ROUTER), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def call(client: Any) -> Callable[..., Any]:
    tenant = f"tenant-{uuid.uuid4().hex[:8]}"

    def request(method: str, path: str, roles: tuple[str, ...] = ("viewer",), **headers: str) -> Any:
        token = mint(tenant, "user-1", list(roles), secret=TEST_SECRET)
        return client.request(method, path, headers={"Authorization": f"Bearer {token}", **headers})

    request.tenant = tenant  # type: ignore[attr-defined]
    return request


def test_list_answers_the_envelope_sorted_newest_first_by_default(call: Callable[..., Any]) -> None:
    body = call("GET", "/things").json()
    assert [item["id"] for item in body["data"]] == ["x4", "x3", "x2", "x1"]
    assert body["page"] == {"limit": 25, "offset": 0, "returned": 4, "total": 4}
    assert body["sort"] == {"by": "createdAt", "order": "desc"}
    assert body["filters"] == {}


def test_q_filters_case_insensitively_and_pages_count_the_matches(call: Callable[..., Any]) -> None:
    body = call("GET", "/things?q=ALPHA&sortBy=name&sortOrder=asc&limit=1&offset=1").json()
    assert [item["name"] for item in body["data"]] == ["alphabet"]
    assert body["page"] == {"limit": 1, "offset": 1, "returned": 1, "total": 2}
    assert body["sort"] == {"by": "name", "order": "asc"}
    assert body["filters"] == {"q": "ALPHA"}


def test_route_filters_are_echoed(call: Callable[..., Any]) -> None:
    body = call("GET", "/things?name=gamma").json()
    assert [item["id"] for item in body["data"]] == ["x3"]
    assert body["filters"] == {"name": "gamma"}


@pytest.mark.parametrize(("query", "field"), [
    ("sortBy=secret", "sortBy"), ("sortOrder=up", "sortOrder"), ("limit=0", "limit"), ("limit=101", "limit"),
    ("offset=-1", "offset"), ("q=", "q"),
])
def test_bad_list_parameters_are_400_naming_them(call: Callable[..., Any], query: str, field: str) -> None:
    response = call("GET", f"/things?{query}")
    assert response.status_code == 400, response.text
    assert field in response.text


def test_mutation_without_idempotency_key_is_400_naming_the_header(call: Callable[..., Any]) -> None:
    response = call("POST", "/things/a/retry", roles=("ops_engineer",))
    assert response.status_code == 400
    assert "Idempotency-Key" in response.text


def test_same_key_replays_without_running_twice(call: Callable[..., Any]) -> None:
    first = call("POST", "/things/a/retry", roles=("automation_operator",), **{"Idempotency-Key": "k1"})
    again = call("POST", "/things/a/retry", roles=("automation_operator",), **{"Idempotency-Key": "k1"})
    other = call("POST", "/things/a/retry", roles=("automation_operator",), **{"Idempotency-Key": "k2"})
    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert other.json()["attempt"] == first.json()["attempt"] + 1


@pytest.mark.parametrize("role", ["viewer", "member", "data_admin"])
def test_readers_may_not_retry(call: Callable[..., Any], role: str) -> None:
    response = call("POST", "/things/a/retry", roles=(role,), **{"Idempotency-Key": "k"})
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["viewer", "member", "agent", "admin", "ops_engineer", "automation_operator",
                                  "data_admin"])
def test_every_role_reads(call: Callable[..., Any], role: str) -> None:
    assert call("GET", "/things", roles=(role,)).status_code == 200


def test_no_role_reads_nothing(call: Callable[..., Any]) -> None:
    assert call("GET", "/things", roles=("billing",)).status_code == 403


def test_workspace_header_must_name_the_tokens_tenant(call: Callable[..., Any]) -> None:
    assert call("GET", "/things", **{"x-workspace-id": call.tenant}).status_code == 200  # type: ignore[attr-defined]
    response = call("GET", "/things", **{"x-workspace-id": "someone-else"})
    assert response.status_code == 403
    assert "x-workspace-id" in response.text
