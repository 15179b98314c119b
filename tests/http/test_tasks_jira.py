"""Jira-side and task routes over HTTP: the launcher page, progress (permit and Jira App), installation metrics,
and the disabled telemetry route (docs/task-engine.md)."""

from __future__ import annotations

import pytest

PROGRESS = {"ready": ["Protected-route wrapper is live"], "left": ["Callback validation still needs coverage"],
            "progress": "67%", "confidence": "Medium", "risks": ["Identity provider payload may still change"],
            "logs": ["Recent activity summary line"]}


# --- the launcher page ----------------------------------------------------------------------------------------------


def test_the_launcher_redirects_into_the_vscode_uri_with_the_code(http):
    response = http.get("/v1/launch", params={"p": "AUTH", "t": "AUTH-128", "c": "sc_launch_abc",
                                              "baseUrl": "https://api.example.com/x", "statusLanguage": "de"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    uri = ("vscode://eprojac.seecodes-task-runner/project/AUTH/task/AUTH-128?code=sc_launch_abc&amp;"
           "baseUrl=https%3A%2F%2Fapi.example.com%2Fx&amp;statusLanguage=de")
    assert f'<meta http-equiv="refresh" content="0;url={uri}">' in response.text
    assert "script-src" not in response.headers["content-security-policy"]  # default-src 'none': no script runs
    assert response.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("name", ["p", "t", "c", "baseUrl"])
def test_script_in_any_parameter_comes_out_inert(http, name):
    params = {"p": "AUTH", "t": "AUTH-1", "c": "sc_launch_abc"}
    evil = '"><script>alert(1)</script>'
    params[name] = ("https://x.example/" + evil) if name == "baseUrl" else evil
    response = http.get("/v1/launch", params=params)
    assert response.status_code == 200
    assert "<script" not in response.text.lower()
    assert evil not in response.text


@pytest.mark.parametrize("base", ["javascript:alert(1)", "vscode://x", "ftp://host/x", "https:/no-host", "//host"])
def test_the_launcher_refuses_a_base_url_that_is_not_http(http, base):
    response = http.get("/v1/launch", params={"p": "AUTH", "t": "AUTH-1", "c": "sc_launch_abc", "baseUrl": base})
    assert response.status_code == 400
    assert "baseUrl" in response.json()["detail"]


def test_the_launcher_requires_p_t_and_c(http):
    response = http.get("/v1/launch", params={"p": "AUTH", "t": "AUTH-1"})
    assert response.status_code == 400
    assert response.json()["detail"][0]["loc"] == ["query", "c"]


# --- progress -------------------------------------------------------------------------------------------------------


def test_progress_round_trips_for_the_permit_holder(task_caller, clock):
    caller = task_caller(project="AUTH", task="AUTH-1")
    assert caller.post("/v1/tasks/AUTH-1/progress", json=PROGRESS).json() == {"ok": True}
    read = caller.get("/v1/tasks/AUTH-1/progress", params={"projectId": "AUTH"})
    assert read.status_code == 200
    assert read.json() == {"ok": True, "progress": {**PROGRESS, "updatedAt": clock.now().strftime(
        "%Y-%m-%dT%H:%M:%SZ")}}


def test_progress_not_yet_saved_is_null(task_caller):
    read = task_caller().get("/v1/tasks/AUTH-1/progress", params={"projectId": "AUTH"})
    assert read.json() == {"ok": True, "progress": None}


def test_progress_outside_the_permits_binding_is_refused(task_caller):
    caller = task_caller(project="AUTH", task="AUTH-1")
    assert caller.post("/v1/tasks/AUTH-2/progress", json=PROGRESS).status_code == 403
    assert caller.get("/v1/tasks/AUTH-2/progress", params={"projectId": "AUTH"}).status_code == 403
    assert caller.get("/v1/tasks/AUTH-1/progress", params={"projectId": "BILL"}).status_code == 403
    assert caller.get("/v1/tasks/AUTH-1/progress").status_code == 400  # projectId is required


def test_progress_of_another_installation_is_not_visible(task_caller):
    owner = task_caller(project="AUTH", task="AUTH-1")
    owner.post("/v1/tasks/AUTH-1/progress", json=PROGRESS)
    stranger = task_caller(project="AUTH", task="AUTH-1")
    assert stranger.get("/v1/tasks/AUTH-1/progress", params={"projectId": "AUTH"}).json()["progress"] is None


def test_the_jira_app_reads_progress_with_its_forge_token_and_request_key(task_caller, jira):
    app = jira()
    caller = task_caller(project="AUTH", task="AUTH-1", installation=app.installation)
    caller.post("/v1/tasks/AUTH-1/progress", json=PROGRESS)
    key = app.request_key()
    read = app.get("/v1/tasks/AUTH-1/progress", params={"projectId": "AUTH"})
    assert read.status_code == 200
    assert read.json()["progress"]["ready"] == PROGRESS["ready"]
    assert read.headers["X-SeeCodes-Next-Request-Key"] != key
    assert app.get("/v1/tasks/AUTH-1/progress", params={"projectId": "AUTH"}, key=key).status_code == 401


def test_progress_bodies_are_bounded(task_caller):
    response = task_caller().post("/v1/tasks/AUTH-1/progress", json={"ready": ["x" * 2001]})
    assert response.status_code == 400
    assert response.json()["detail"][0]["loc"][:2] == ["body", "ready"]


# --- installation metrics and telemetry -----------------------------------------------------------------------------


def test_instance_metrics_are_stored_on_the_installation(jira, aws):
    from cairn.tasks.store import installations

    app = jira()
    response = app.post("/v1/jira/instance-metrics", json={"installedUsersCount": 17, "source": "forge-hourly-sync"})
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert installations.get(app.installation)["metrics"] == {"installedUsersCount": 17,
                                                              "source": "forge-hourly-sync"}
    assert app.post("/v1/jira/instance-metrics", json={"installedUsersCount": -1}).status_code == 400


def test_instance_metrics_need_the_request_key(jira):
    app = jira()
    app.request_key()
    assert app.post("/v1/jira/instance-metrics", json={"installedUsersCount": 1}, key="").status_code == 401


def test_telemetry_ingestion_stays_disabled(http, jira):
    expected = {"detail": "Direct VS Code telemetry ingestion is disabled until an authenticated sender contract "
                          "with replay protection and rate limits is finalized."}
    response = http.post("/v1/jira/telemetry/events", json={"events": [{"eventType": "ai.usage"}]})
    assert response.status_code == 410
    assert response.json() == expected
    assert jira().post("/v1/jira/telemetry/events", json={}).json() == expected
