"""Task-engine credentials over HTTP: Forge tokens, single-use request keys, launch codes and their exchange,
direct permits, and what a permit may reach (docs/task-engine.md)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

LINK = {"projectId": "AUTH", "taskId": "AUTH-128", "userAccountId": "557058:abcd", "expirationDays": 3,
        "jiraContext": {"title": "Implement auth flow", "descriptionMd": "...", "attachments": [], "images": []},
        "initialTaiDoc": {"version": 1, "task": {"id": "AUTH-128"}}}


# --- Forge tokens ---------------------------------------------------------------------------------------------------


def _request_key(http, token):
    return http.post("/v1/jira/request-key", json={}, headers={"Authorization": f"Bearer {token}"})


def test_a_valid_forge_token_gets_a_request_key_and_registers_the_installation(jira):
    app = jira()
    key = app.request_key()
    assert key.startswith("sc_jira_req_")
    me = app.get("/v1/instances/me")
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["ok"] is True
    assert body["installationId"] == app.installation
    assert body["cloudId"] == f"cloud-{app.installation}"
    assert body["credits"] == 100
    assert body["status"] == "active"
    assert body["billingMode"] == "forge"


@pytest.mark.parametrize("claims", [
    {"iss": "someone-else"},
    {"aud": "ari:cloud:ecosystem::app/another-app"},
    {"exp": int(time.time()) - 120},
    {"nbf": int(time.time()) + 600},
    {"app": None},
    {"context": {"siteUrl": "https://x.atlassian.net"}},
])
def test_forge_tokens_with_a_wrong_claim_are_refused(http, forge, claims):
    response = _request_key(http, forge.token("inst-a", **claims))
    assert response.status_code == 401
    assert isinstance(response.json()["detail"], str)


def test_forge_tokens_not_signed_by_a_published_key_or_algorithm_are_refused(http, forge):
    import jwt

    unpublished = forge.rotate(publish=False)
    assert _request_key(http, forge.token("inst-a", kid=unpublished)).status_code == 401
    hs256 = jwt.encode({"iss": "forge/invocation-token", "aud": forge.app_id, "exp": int(time.time()) + 60,
                        "app": {"installationId": "inst-a"}, "context": {"cloudId": "c"}}, "secret-" * 8,
                       algorithm="HS256")
    assert _request_key(http, hs256).status_code == 401
    assert http.post("/v1/jira/request-key", json={}).status_code == 401


def test_an_unknown_kid_refreshes_the_keys_once_per_interval(http, forge):
    assert _request_key(http, forge.token("inst-a")).status_code == 200
    fetched = forge.fetches
    unknown = forge.rotate(publish=False)
    for _ in range(5):
        assert _request_key(http, forge.token("inst-a", kid=unknown)).status_code == 401
    assert forge.fetches == fetched + 1  # one refresh for five unknown-kid tokens


def test_a_key_published_after_the_cache_was_filled_is_found_by_the_refresh(http, forge):
    assert _request_key(http, forge.token("inst-a")).status_code == 200
    rotated = forge.rotate()
    assert _request_key(http, forge.token("inst-a", kid=rotated)).status_code == 200


# --- request keys ---------------------------------------------------------------------------------------------------


def test_each_success_consumes_the_key_and_rotates_the_next_one(jira):
    app = jira()
    first = app.request_key()
    response = app.get("/v1/instances/me")
    assert response.status_code == 200
    following = response.headers["X-SeeCodes-Next-Request-Key"]
    assert following != first
    assert following.startswith("sc_jira_req_")
    replay = app.get("/v1/instances/me", key=first)
    assert replay.status_code == 401
    assert "X-SeeCodes-Next-Request-Key" not in replay.headers
    assert app.get("/v1/instances/me", key=following).status_code == 200


def test_a_missing_or_malformed_key_is_refused(jira):
    app = jira()
    app.request_key()
    assert app.get("/v1/instances/me", key="").status_code == 401
    assert app.get("/v1/instances/me", key="sc_jira_req_<script>").status_code == 401


def test_a_new_request_key_invalidates_the_previous_one(jira):
    app = jira()
    stale = app.request_key()
    app.request_key()
    assert app.get("/v1/instances/me", key=stale).status_code == 401
    assert app.get("/v1/instances/me").status_code == 200


def test_another_installations_or_principals_key_is_refused(jira):
    owner = jira()
    key = owner.request_key()
    assert jira().get("/v1/instances/me", key=key).status_code == 401
    assert jira(installation=owner.installation, principal="user-2").get("/v1/instances/me",
                                                                         key=key).status_code == 401
    assert owner.get("/v1/instances/me", key=key).status_code == 200  # still the owner's current key


def test_an_expired_key_is_refused(jira, clock):
    app = jira()
    key = app.request_key()
    clock.advance(timedelta(seconds=15 * 60 + 1))
    assert app.get("/v1/instances/me", key=key).status_code == 401


def test_an_invalid_body_keeps_the_key(jira):
    app = jira()
    key = app.request_key()
    response = app.post("/v1/security/vscode-link", json={**LINK, "expirationDays": 15})
    assert response.status_code == 400
    assert app.post("/v1/security/vscode-link", json=LINK, key=key).status_code == 200


def test_twenty_concurrent_requests_with_one_key_have_exactly_one_winner(jira):
    app = jira()
    key = app.request_key()
    token = app.token
    headers = {"Authorization": f"Bearer {token}", "X-SeeCodes-Jira-Request-Key": key}
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda _: app.client.get("/v1/instances/me", headers=headers).status_code,
                                 range(20)))
    assert sorted(statuses) == [200] + [401] * 19


# --- launch codes and permits ---------------------------------------------------------------------------------------


def _link(app, **changes):
    response = app.post("/v1/security/vscode-link", json={**LINK, **changes})
    assert response.status_code == 200, response.text
    return response.json()


def _exchange(http, code, project="AUTH", task="AUTH-128"):
    return http.post("/v1/security/launch-exchange", json={"code": code, "projectId": project, "taskId": task})


def test_vscode_link_answers_a_code_and_both_launcher_urls(jira, clock):
    app = jira()
    link = _link(app)
    code = link["launchCode"]
    assert code.startswith("sc_launch_")
    assert link["vscodeUrl"] == f"vscode://eprojac.seecodes-task-runner/project/AUTH/task/AUTH-128?code={code}"
    https = urlsplit(link["httpsUrl"])
    assert https.path == "/v1/launch"
    assert parse_qs(https.query) == {"p": ["AUTH"], "t": ["AUTH-128"], "c": [code]}
    assert link["expiresAt"] == int(clock.now().timestamp()) + 3 * 24 * 3600


@pytest.mark.parametrize("days", [0, 15, -1, "x"])
def test_vscode_link_refuses_a_lifetime_outside_1_to_14_days(jira, days):
    response = jira().post("/v1/security/vscode-link", json={**LINK, "expirationDays": days})
    assert response.status_code == 400
    assert response.json()["detail"][0]["loc"] == ["body", "expirationDays"]


def test_exchange_gives_a_permit_once_and_the_permit_reads_the_context(jira, http):
    app = jira()
    code = _link(app)["launchCode"]
    exchanged = _exchange(http, code)
    assert exchanged.status_code == 200, exchanged.text
    body = exchanged.json()
    assert body["ok"]
    assert (body["projectId"], body["taskId"]) == ("AUTH", "AUTH-128")
    assert body["cloudId"] == f"cloud-{app.installation}"
    assert "." in body["permit"]
    assert _exchange(http, code).status_code == 401  # every replay fails
    context = http.get("/v1/tasks/context", headers={"Authorization": f"Bearer {body['permit']}"})
    assert context.status_code == 200
    assert context.json() == {"ok": True, "context": LINK["jiraContext"], "initialTai": LINK["initialTaiDoc"]}


def test_exchange_requires_the_exact_binding_and_a_mismatch_leaves_the_code_usable(jira, http):
    code = _link(jira())["launchCode"]
    for project, task in (("AUTH", "AUTH-12"), ("auth", "AUTH-128"), ("BILL", "AUTH-128")):
        assert _exchange(http, code, project, task).status_code == 403
    assert _exchange(http, code).status_code == 200


def test_unknown_malformed_and_expired_codes_are_refused(jira, http, clock):
    assert _exchange(http, "sc_launch_" + "A" * 43).status_code == 401
    assert _exchange(http, "not-a-code").status_code == 401
    code = _link(jira(), expirationDays=1)["launchCode"]
    clock.advance(timedelta(seconds=24 * 3600 + 1))
    assert _exchange(http, code).status_code == 401


def test_racing_exchanges_of_one_code_have_exactly_one_winner(jira, http):
    code = _link(jira())["launchCode"]
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda _: _exchange(http, code).status_code, range(10)))
    assert sorted(statuses) == [200] + [401] * 9


def test_task_permit_is_minted_directly_for_the_requested_binding(jira, http):
    app = jira()
    response = app.post("/v1/security/task-permit", json={"projectId": "AUTH", "taskId": "AUTH-7"})
    assert response.status_code == 200, response.text
    permit = response.json()["permit"]
    assert response.json()["expiresAt"] - time.time() == pytest.approx(24 * 3600, abs=60)
    save = http.post("/v1/tasks/AUTH-7/progress", json={"ready": ["a"]}, headers={"Authorization": f"Bearer {permit}"})
    assert save.status_code == 200


def test_a_permit_expires_after_24_hours(task_caller, clock):
    caller = task_caller()
    clock.advance(timedelta(seconds=24 * 3600 + 1))
    assert caller.post("/v1/tasks/AUTH-1/progress", json={}).status_code == 401


def test_a_forge_token_or_a_memory_token_is_never_a_permit(forge, http, agent):
    for token in (forge.token("inst-a"), agent.token, "garbage"):
        response = http.get("/v1/tasks/context", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401


def test_context_not_saved_with_the_task_is_the_spec_answer(task_caller):
    response = task_caller().get("/v1/tasks/context")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error": "Context not found"}


@pytest.mark.fresh_table
def test_secrets_are_not_stored_in_clear(jira, aws):
    import boto3

    app = jira()
    key = app.request_key()
    code = _link(app)["launchCode"]
    items = boto3.client("dynamodb").scan(TableName=aws["CAIRN_TABLE_NAME"])["Items"]
    dump = str(items)
    assert key not in dump
    assert code not in dump
    assert app.key not in dump


def test_an_unreachable_jwks_is_a_502_not_a_pass(http, forge, monkeypatch):
    from cairn.core.settings import get_settings

    monkeypatch.setenv("CAIRN_FORGE_JWKS_URL", "http://127.0.0.1:9/jwks.json")
    get_settings.cache_clear()
    response = _request_key(http, forge.token("inst-a"))
    assert response.status_code == 502
    assert "Forge JWKS" in response.json()["detail"]


def test_a_permit_minted_for_one_installation_reaches_only_its_own_context(jira, http):
    owner = jira()
    _link(owner)  # saves AUTH/AUTH-128's context for the owner's installation
    stranger_permit = jira().post("/v1/security/task-permit", json={"projectId": "AUTH", "taskId": "AUTH-128"})
    context = http.get("/v1/tasks/context", headers={"Authorization": f"Bearer {stranger_permit.json()['permit']}"})
    assert context.status_code == 404


def test_keys_codes_and_permits_never_reach_the_logs(jira, http, capsys, caplog):
    app = jira()
    key = app.request_key()
    link = _link(app)
    http.get("/v1/launch", params={"p": "AUTH", "t": "AUTH-128", "c": link["launchCode"]})
    permit = _exchange(http, link["launchCode"]).json()["permit"]
    _exchange(http, link["launchCode"])  # a refused replay is logged too
    http.get("/v1/tasks/context", headers={"Authorization": f"Bearer {permit}"})
    captured = capsys.readouterr()
    logged = captured.out + captured.err + caplog.text
    assert "request handled" in logged  # the access log did run
    for secret in (key, app.key, link["launchCode"], permit, app.token):
        assert secret not in logged
