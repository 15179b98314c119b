"""Task runs over HTTP through the gateway: init with presigned uploads (PUT to the URL, as a client does), start
(uploads checked, credits estimated and debited once, one execution of the task-run state machine run by moto with
the real worker and the local runner), polling to a settled status, output, logs and the result zip; every
binding mismatch and every failure path."""

from __future__ import annotations

import io
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from cairn.tasks.adapters.local_runner import HEADER
from tests.tasks_helpers import PermitCaller, available_credits, set_credits

LIST = b"# Auth flow\n\n- [x] Login form\n- [ ] Callback validation\n"
SETTLED = ("succeeded", "failed")


def _init(caller: PermitCaller, **body: Any) -> dict[str, Any]:
    response = caller.post("/v1/tasks/init", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def _upload(init: dict[str, Any], name: str = "list.md", body: bytes = LIST) -> None:
    assert requests.put(init["uploads"][name], data=body, timeout=10).status_code == 200


def _settled(caller: PermitCaller, run_id: str) -> dict[str, Any]:
    for _ in range(600):  # at most 30 s: a failing model alone waits 3 s between its attempts
        status = caller.get(f"/v1/tasks/{run_id}").json()["status"]
        if status["status"] in SETTLED:
            return status
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not settle: {status}")


def _started(caller: PermitCaller, init: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = caller.post(f"/v1/tasks/{init['runId']}/start", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_init_binds_a_run_and_answers_a_presigned_upload_for_list_md_by_default(task_caller):
    caller = task_caller()
    init = _init(caller, model="strict light")

    assert init["ok"] is True
    assert set(init["uploads"]) == {"list.md"}
    upload = init["uploads"]["list.md"]
    assert upload.startswith("https://")
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in upload  # SigV4, valid for 15 minutes
    assert "X-Amz-Expires=900" in upload
    assert init["prefix"].endswith(f"/runs/{init['runId']}/inputs/")
    assert init["bucket"]
    status = caller.get(f"/v1/tasks/{init['runId']}").json()
    assert status == {"ok": True, "status": {"status": "created", "updatedAt": status["status"]["updatedAt"]}}


@pytest.mark.parametrize("files", [["../list.md"], ["a/b.md"], [".env"], [""], ["list.md", "list.md"], [],
                                   [f"f{n}.md" for n in range(21)], ["x" * 129]])
def test_init_refuses_file_names_that_are_not_one_safe_name(task_caller, files):
    response = task_caller().post("/v1/tasks/init", json={"files": files})

    assert response.status_code == 400
    assert "files" in str(response.json())


def test_init_and_start_take_no_body_as_the_defaults(task_caller):
    caller = task_caller()
    init = caller.post("/v1/tasks/init")
    assert init.status_code == 200, init.text
    assert set(init.json()["uploads"]) == {"list.md"}
    _upload(init.json())

    started = caller.post(f"/v1/tasks/{init.json()['runId']}/start")

    assert started.status_code == 200, started.text
    assert started.json()["status"] == "queued"
    _settled(caller, init.json()["runId"])


def test_init_and_start_validate_the_model_against_the_catalog(task_caller):
    caller = task_caller()
    response = caller.post("/v1/tasks/init", json={"model": "gpt-9"})
    assert response.status_code == 400
    assert "Unknown model 'gpt-9'" in str(response.json())

    init = _init(caller)
    _upload(init)
    response = caller.post(f"/v1/tasks/{init['runId']}/start", json={"model": "gpt-9"})
    assert response.status_code == 400
    assert "Unknown model" in str(response.json())


def test_a_run_goes_from_upload_to_succeeded_with_output_logs_and_zip(task_caller):
    caller = task_caller()
    before = available_credits(caller)
    init = _init(caller, files=["list.md", "notes.md"])
    _upload(init, "list.md", LIST)
    _upload(init, "notes.md", b"The callback payload may change.\n")

    started = _started(caller, init, model="strict light", userPrompt="callback risks")
    prompt_and_files = len(b"callback risks") + len(LIST) + len(b"The callback payload may change.\n")
    assert started == {"ok": True, "runId": init["runId"], "status": "queued",
                       "estimatedInputTokens": -(-prompt_and_files // 4), "estimatedCredits": 13}
    assert available_credits(caller) == before - 13

    status = _settled(caller, init["runId"])
    assert status["status"] == "succeeded"
    assert "error" not in status
    output = caller.get(f"/v1/tasks/{init['runId']}/output")
    assert output.status_code == 200
    assert output.headers["content-type"].startswith("text/plain")
    assert HEADER in output.text
    assert "- Callback validation" in output.text
    assert "line 1: The callback payload may change." in output.text
    logs = caller.get(f"/v1/tasks/{init['runId']}/logs")
    assert logs.headers["content-type"].startswith("text/plain")
    assert [line.split(" ", 1)[1].split(":")[0] for line in logs.text.splitlines()] == [
        "queued", "in_process", "processing_remote", "succeeded"]
    archive = zipfile.ZipFile(io.BytesIO(requests.get(status["resultZipUrl"], timeout=10).content))
    assert sorted(archive.namelist()) == ["output.md", "run.log"]
    assert archive.read("output.md").decode() == output.text
    assert available_credits(caller) == before - 13


def test_start_names_the_missing_upload_and_debits_nothing(task_caller):
    caller = task_caller()
    before = available_credits(caller)
    init = _init(caller, files=["list.md", "spec.md"])
    _upload(init, "list.md")

    response = caller.post(f"/v1/tasks/{init['runId']}/start", json={})

    assert response.status_code == 400
    assert "spec.md" in str(response.json())
    assert available_credits(caller) == before
    assert caller.get(f"/v1/tasks/{init['runId']}").json()["status"]["status"] == "created"
    _upload(init, "spec.md")
    assert _started(caller, init)["status"] == "queued"


def test_an_upload_over_the_size_limit_is_refused_at_start(task_caller):
    caller = task_caller()
    init = _init(caller)
    _upload(init, body=b"x" * (2 * 1024 * 1024 + 1))

    response = caller.post(f"/v1/tasks/{init['runId']}/start", json={})

    assert response.status_code == 400
    assert "list.md has 2097153 bytes" in str(response.json())


def test_an_input_over_the_models_context_is_refused_at_start_naming_the_model(task_caller):
    caller = task_caller()
    set_credits(caller, 200)
    init = _init(caller, model="strict light")
    _upload(init, body=b"word " * 90_000)  # 450,000 bytes: about 112,500 tokens, over strict light's 100,000

    response = caller.post(f"/v1/tasks/{init['runId']}/start", json={})

    assert response.status_code == 400
    assert "takes at most 100000" in str(response.json())
    assert available_credits(caller) == 200
    started = _started(caller, init, model="strict pro")  # a model with a larger context takes it
    assert (started["estimatedInputTokens"], started["estimatedCredits"]) == (112_500, 194)  # ceil(25 + 168.75)


def test_starting_twice_or_concurrently_starts_one_execution_and_debits_once(task_caller, aws):
    import boto3

    caller = task_caller()
    before = available_credits(caller)
    init = _init(caller)
    _upload(init)

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: caller.post(f"/v1/tasks/{init['runId']}/start", json={}), range(6)))

    assert [answer.status_code for answer in answers] == [200] * 6
    assert {answer.json()["estimatedCredits"] for answer in answers} == {13}
    _settled(caller, init["runId"])
    assert _started(caller, init)["status"] == "succeeded"  # a start after the run settled changes nothing
    assert available_credits(caller) == before - 13
    executions = boto3.client("stepfunctions", region_name="us-east-1").list_executions(
        stateMachineArn=aws["CAIRN_TASK_RUN_STATE_MACHINE_ARN"])["executions"]
    assert [execution["name"] for execution in executions].count(init["runId"]) == 1


def test_insufficient_credits_is_402_with_nothing_debited_and_the_run_startable_later(task_caller):
    caller = task_caller()
    set_credits(caller, 12)
    init = _init(caller)
    _upload(init)

    response = caller.post(f"/v1/tasks/{init['runId']}/start", json={})

    assert response.status_code == 402
    assert available_credits(caller) == 12
    assert caller.get(f"/v1/tasks/{init['runId']}").json()["status"]["status"] == "created"
    set_credits(caller, 13)
    assert _started(caller, init)["status"] == "queued"
    assert available_credits(caller) == 0


def test_a_model_that_keeps_failing_is_retried_then_the_run_fails_and_is_refunded(task_caller, jira):
    app = jira()
    caller = task_caller(installation=app.installation)
    before = available_credits(caller)
    init = _init(caller)
    _upload(init, body=b"\xff\xfe not text")

    _started(caller, init)
    status = _settled(caller, init["runId"])

    assert status["status"] == "failed"
    assert status["error"] == "input list.md is not UTF-8 text"
    assert "resultZipUrl" not in status
    logs = caller.get(f"/v1/tasks/{init['runId']}/logs").text
    assert len([line for line in logs.splitlines() if "attempt" in line and "failed" in line]) == 3
    assert "refunded 13 credits" in logs
    assert available_credits(caller) == before
    assert caller.get(f"/v1/tasks/{init['runId']}/output").status_code == 404
    usage = app.get("/v1/jira/usage").json()
    assert [(row["runId"], row["status"], row["credits"]) for row in usage["items"]] == [
        (init["runId"], "failed", 0)]  # the usage row is net of the refund


def test_every_run_route_rejects_a_permit_of_another_task_or_project(task_caller):
    owner = task_caller(project="AUTH", task="AUTH-1")
    init = _init(owner)
    _upload(init)
    run = init["runId"]

    for other in (task_caller(project="AUTH", task="AUTH-2", installation=owner.installation),
                  task_caller(project="BILL", task="AUTH-1", installation=owner.installation)):
        for method, path in (("POST", f"/v1/tasks/{run}/start"), ("GET", f"/v1/tasks/{run}"),
                             ("GET", f"/v1/tasks/{run}/output"), ("GET", f"/v1/tasks/{run}/logs")):
            response = other.request(method, path, json={} if method == "POST" else None)
            assert response.status_code == 403, (method, path, response.text)
    assert owner.get(f"/v1/tasks/{run}").json()["status"]["status"] == "created"


def test_another_installations_run_is_not_found(task_caller):
    owner = task_caller(project="AUTH", task="AUTH-1")
    init = _init(owner)
    stranger = task_caller(project="AUTH", task="AUTH-1")

    for method, path in (("POST", f"/v1/tasks/{init['runId']}/start"), ("GET", f"/v1/tasks/{init['runId']}")):
        assert stranger.request(method, path, json={} if method == "POST" else None).status_code == 404


def test_run_routes_require_a_permit(http):
    assert http.post("/v1/tasks/init", json={}).status_code == 401
    assert http.get("/v1/tasks/run-000000000001").status_code == 401


def test_the_model_catalog_is_public_and_is_what_init_accepts(http, task_caller):
    response = http.get("/v1/models")

    assert response.status_code == 200
    models = response.json()["models"]
    assert [model["id"] for model in models] == ["strict light", "strict pro"]
    assert models[0] == {"id": "strict light", "name": "strict light", "maxContext": 100000,
                         "description": "Fast, high-context strict tasks",
                         "pricing": {"base": 12.5, "per_token": 0.0006}}
    for model in models:
        _init(task_caller(), model=model["id"])
