"""The task engine end to end against the dev server (`make dev` as a subprocess; its embedded moto is a real HTTP
server, so the presigned URLs are used over HTTP): a Forge token from a local JWKS server, the rotating request key,
vscode-link, the launcher page, the launch exchange, the task context, init, uploads, start, polling to
``succeeded``, output, logs and the zip, usage; and the failure paths: bad binding, replayed code, replayed key,
missing upload, model failure with refund (across a crash of the dev server), insufficient credits."""

from __future__ import annotations

import io
import time
import uuid
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from cairn_local.bench.server import DevServer
from cairn_local.forge import LocalForge
from cairn_local.tokens import mint

KEY = "X-SeeCodes-Jira-Request-Key"
NEXT_KEY = "X-SeeCodes-Next-Request-Key"
LIST = b"# Auth flow\n\n- [x] Login form\n- [ ] Callback validation\n"
CONTEXT = {"title": "Implement auth flow", "descriptionMd": "Callback validation", "attachments": [], "images": []}


@pytest.fixture(scope="module")
def forge() -> Iterator[LocalForge]:
    local = LocalForge()
    yield local
    local.close()


@pytest.fixture(scope="module")
def server(forge: LocalForge, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    directory = tmp_path_factory.mktemp("task-engine")
    dev = DevServer(directory / "state", directory / "devserver.log",
                    environment={"CAIRN_FORGE_JWKS_URL": forge.jwks_url, "CAIRN_FORGE_APP_ID": forge.app_id})
    dev.start()
    yield dev
    dev.stop()


class Jira:
    """The Jira App of one installation: its Forge token and the current request key, rotated by every answer."""

    def __init__(self, server: DevServer, forge: LocalForge) -> None:
        self.installation = f"ari:cloud:ecosystem::installation/{uuid.uuid4()}"
        self.client = httpx.Client(base_url=server.url, timeout=30)
        self.token = forge.token(self.installation, ttl_seconds=3600)
        issued = self.client.post("/v1/jira/request-key", json={}, headers=self.bearer)
        assert issued.status_code == 200, issued.text
        self.key = issued.json()["requestKey"]

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def call(self, method: str, path: str, *, key: str | None = None, **kwargs: Any) -> httpx.Response:
        response = self.client.request(method, path, headers={**self.bearer, KEY: key or self.key}, **kwargs)
        if response.status_code == 200:
            self.key = response.headers[NEXT_KEY]
        return response


def _launch(jira: Jira, project: str = "AUTH", task: str = "AUTH-128") -> dict[str, Any]:
    response = jira.call("POST", "/v1/security/vscode-link",
                         json={"projectId": project, "taskId": task, "userAccountId": "557058:abcd",
                               "expirationDays": 1, "jiraContext": CONTEXT, "initialTaiDoc": {"version": 1}})
    assert response.status_code == 200, response.text
    return response.json()


def _exchange(server: DevServer, code: str, project: str = "AUTH", task: str = "AUTH-128") -> httpx.Response:
    return httpx.post(f"{server.url}/v1/security/launch-exchange",
                      json={"code": code, "projectId": project, "taskId": task}, timeout=30)


def _ide(server: DevServer, jira: Jira, project: str = "AUTH", task: str = "AUTH-128") -> httpx.Client:
    exchanged = _exchange(server, _launch(jira, project, task)["launchCode"], project, task)
    assert exchanged.status_code == 200, exchanged.text
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {exchanged.json()['permit']}"},
                        timeout=30)


def _run(ide: httpx.Client, body: bytes = LIST, upload: bool = True) -> dict[str, Any]:
    init = ide.post("/v1/tasks/init", json={"model": "strict light", "files": ["list.md"]})
    assert init.status_code == 200, init.text
    if upload:
        assert httpx.put(init.json()["uploads"]["list.md"], content=body, timeout=30).status_code == 200
    return dict(init.json())


def _settled(ide: httpx.Client, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status: dict[str, Any] = ide.get(f"/v1/tasks/{run_id}").json()["status"]
        if status["status"] in ("succeeded", "failed"):
            return status
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not settle")


def _credits(jira: Jira) -> int:
    usage = jira.call("GET", "/v1/jira/usage")
    assert usage.status_code == 200, usage.text
    return int(usage.json()["availableCredits"])


def test_the_whole_flow_from_the_jira_app_to_a_succeeded_run(server: DevServer, forge: LocalForge):
    jira = Jira(server, forge)
    link = _launch(jira)
    assert link["vscodeUrl"].startswith("vscode://")
    assert f"c={link['launchCode']}" in link["httpsUrl"]

    page = httpx.get(link["httpsUrl"].replace(urlparse(link["httpsUrl"]).netloc, f"127.0.0.1:{server.port}")
                     .replace("https://", "http://"), timeout=30)
    assert page.status_code == 200
    assert link["launchCode"] in page.text
    query = parse_qs(urlparse(link["httpsUrl"]).query)
    assert query["p"] == ["AUTH"]

    exchanged = _exchange(server, link["launchCode"])
    assert exchanged.status_code == 200, exchanged.text
    ide = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {exchanged.json()['permit']}"},
                       timeout=30)
    context = ide.get("/v1/tasks/context")
    assert context.status_code == 200, context.text
    assert context.json()["context"] == CONTEXT

    before = _credits(jira)
    run = _run(ide)
    started = ide.post(f"/v1/tasks/{run['runId']}/start", json={"userPrompt": "callback"})
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "queued"
    status = _settled(ide, run["runId"])
    assert status["status"] == "succeeded"

    output = ide.get(f"/v1/tasks/{run['runId']}/output")
    assert "no AI model was called" in output.text
    assert "line 4: - [ ] Callback validation" in output.text
    logs = ide.get(f"/v1/tasks/{run['runId']}/logs").text
    assert "succeeded" in logs
    archive = zipfile.ZipFile(io.BytesIO(httpx.get(status["resultZipUrl"], timeout=30).content))
    assert archive.read("output.md").decode() == output.text

    usage = jira.call("GET", "/v1/jira/usage")
    assert usage.status_code == 200, usage.text
    assert usage.json()["items"][0] == {**usage.json()["items"][0], "type": "task_run", "taskId": "AUTH-128",
                                        "credits": started.json()["estimatedCredits"]}
    assert usage.json()["availableCredits"] == before - started.json()["estimatedCredits"]


def test_a_replayed_launch_code_and_a_replayed_request_key_are_refused(server: DevServer, forge: LocalForge):
    jira = Jira(server, forge)
    code = _launch(jira)["launchCode"]
    assert _exchange(server, code).status_code == 200
    assert _exchange(server, code).status_code in (400, 401, 403, 404, 409)

    spent = jira.key
    assert jira.call("GET", "/v1/instances/me").status_code == 200
    assert jira.call("GET", "/v1/instances/me", key=spent).status_code in (401, 403, 409)


def test_a_permit_is_refused_outside_its_binding(server: DevServer, forge: LocalForge):
    jira = Jira(server, forge)
    code = _launch(jira, "AUTH", "AUTH-128")["launchCode"]
    assert _exchange(server, code, "AUTH", "AUTH-129").status_code in (400, 403)  # the code's binding differs

    owner = _ide(server, jira, "AUTH", "AUTH-128")
    other_task = _ide(server, jira, "AUTH", "AUTH-129")
    run = _run(owner)
    assert other_task.get(f"/v1/tasks/{run['runId']}").status_code == 403
    assert other_task.post(f"/v1/tasks/{run['runId']}/start", json={}).status_code == 403
    assert owner.post("/v1/projects/BILL/indexes/query", json={"items": []}).status_code == 403


def test_a_missing_upload_is_named_and_nothing_is_debited(server: DevServer, forge: LocalForge):
    jira = Jira(server, forge)
    ide = _ide(server, jira)
    before = _credits(jira)

    run = _run(ide, upload=False)
    response = ide.post(f"/v1/tasks/{run['runId']}/start", json={})

    assert response.status_code == 400
    assert "list.md" in str(response.json()["detail"])
    assert _credits(jira) == before


def test_insufficient_credits_is_402_and_nothing_is_debited(server: DevServer, forge: LocalForge):
    jira = Jira(server, forge)
    ide = _ide(server, jira)
    while _credits(jira) >= 13:  # the grant of 100: seven runs of 13 leave 9
        run = _run(ide)
        assert ide.post(f"/v1/tasks/{run['runId']}/start", json={}).status_code == 200
    before = _credits(jira)

    run = _run(ide)
    response = ide.post(f"/v1/tasks/{run['runId']}/start", json={})

    assert response.status_code == 402
    assert _credits(jira) == before


def test_races_have_one_winner_a_request_key_a_launch_code_and_a_start(server: DevServer, forge: LocalForge):
    jira = Jira(server, forge)
    headers = {**jira.bearer, KEY: jira.key}
    with ThreadPoolExecutor(max_workers=20) as pool:
        keyed = list(pool.map(lambda _: httpx.get(f"{server.url}/v1/instances/me", headers=headers, timeout=30),
                              range(20)))
    assert sorted(response.status_code for response in keyed).count(200) == 1
    jira.key = next(response for response in keyed if response.status_code == 200).headers[NEXT_KEY]

    code = _launch(jira)["launchCode"]
    with ThreadPoolExecutor(max_workers=10) as pool:
        exchanges = list(pool.map(lambda _: _exchange(server, code), range(10)))
    assert [response.status_code for response in exchanges].count(200) == 1

    ide = _ide(server, jira)
    before = _credits(jira)
    run = _run(ide)
    with ThreadPoolExecutor(max_workers=10) as pool:
        starts = list(pool.map(lambda _: ide.post(f"/v1/tasks/{run['runId']}/start", json={}), range(10)))
    assert {response.status_code for response in starts} == {200}
    assert _settled(ide, run["runId"])["status"] == "succeeded"
    assert _credits(jira) == before - starts[0].json()["estimatedCredits"]


def test_a_failing_model_is_retried_and_refunded_also_when_a_crash_cut_its_run_off(server: DevServer,
                                                                                  forge: LocalForge):
    jira = Jira(server, forge)
    ide = _ide(server, jira)
    before = _credits(jira)
    run = _run(ide, body=b"\xff\xfe not text")  # its model fails, with 1 s and 2 s between the attempts
    assert ide.post(f"/v1/tasks/{run['runId']}/start", json={}).status_code == 200

    server.crash()  # during the retries: the execution is lost with the process, the run is not settled
    server.start()

    status = _settled(ide, run["runId"])
    assert status["status"] == "failed"
    assert status["error"] == "input list.md is not UTF-8 text"
    logs = ide.get(f"/v1/tasks/{run['runId']}/logs").text
    assert "resumed: its execution was lost" in logs, logs
    assert logs.split("resumed:", 1)[1].count("runner failed") == 3, logs  # the resumed execution's 3 attempts
    assert logs.count("refunded") == 1, logs
    assert _credits(jira) == before
    # Its workflow executions: the lost one settled failed at the restart, the resumed one as the run did.
    secret = (server.state_dir / "jwt-secret").read_text().strip()
    operator = {"Authorization": f"Bearer {mint(jira.installation, 'ops', ['viewer'], secret=secret)}"}
    listed = httpx.get(f"{server.url}/api/v1/workflow-executions?resource={run['runId']}&sortBy=startedAt"
                       "&sortOrder=asc", headers=operator, timeout=30).json()["data"]
    assert [(e["status"], e["failureCode"]) for e in listed] == [("failed", "ExecutionLost"),
                                                                  ("failed", "TaskRunFailed")]
