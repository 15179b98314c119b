"""The task engine's benchmark: DynamoDB and S3 calls per credential check, per run route and per worker step
(in-process moto, the real gateway and worker, a local Forge JWKS server), and the time from start to ``succeeded``
of the local runner over HTTP against the dev server.

    python -m cairn_local.bench.tasks [--runs N] [--json PATH]

The state machine's steps running beside a request are not counted against it; each worker step is measured
alone, invoked as the state machine invokes it."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import httpx

LIST = b"# Auth flow\n\n- [x] Login form\n- [ ] Callback validation\n- [ ] Token refresh\n"
KEY = "X-SeeCodes-Jira-Request-Key"
NEXT_KEY = "X-SeeCodes-Next-Request-Key"


class Calls:
    """AWS calls (botocore ``after-call`` hooks on the store's clients), without those the state machine's steps
    make when they run beside a request (every Lambda invocation of the local stack goes through
    ``cairn_local.handlers.invoke``, wrapped here to mark its thread) unless ``workers`` is asked for."""

    def __init__(self) -> None:
        self.dynamodb: Counter[str] = Counter()
        self.s3: Counter[str] = Counter()
        self.stepfunctions: Counter[str] = Counter()
        self.workers = False
        self._local = threading.local()

    def install(self) -> None:
        from cairn.aws import clients
        from cairn_local import handlers

        for service, counter in (("dynamodb", self.dynamodb), ("s3", self.s3),
                                 ("stepfunctions", self.stepfunctions)):
            clients.client(service).meta.events.register(f"after-call.{service}", self._counter(counter))
        invoke = handlers.invoke

        def marked(logical_id: str, event: dict[str, Any]) -> Any:
            self._local.worker = True
            try:
                return invoke(logical_id, event)
            finally:
                self._local.worker = False

        handlers.invoke = marked

    def _counter(self, counter: Counter[str]) -> Callable[..., None]:
        def count(model: Any, **_: Any) -> None:
            if self.workers or not getattr(self._local, "worker", False):
                counter[model.name] += 1
        return count

    @contextmanager
    def measure(self, into: dict[str, Any], name: str, *, workers: bool = False) -> Iterator[None]:
        self.dynamodb.clear()
        self.s3.clear()
        self.stepfunctions.clear()
        self.workers = workers
        yield
        into[name] = {"dynamodb": sum(self.dynamodb.values()), "dynamodb_by_api": dict(self.dynamodb),
                      "s3": sum(self.s3.values()), "s3_by_api": dict(self.s3),
                      "stepfunctions": sum(self.stepfunctions.values())}


def _ok(response: Any) -> Any:
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.status_code} {response.text}")
    return response.json() if response.headers.get("content-type", "").startswith("application/json") else response.text


def _settle(client: Any, headers: dict[str, str], run_id: str, pause: float) -> dict[str, Any]:
    while True:
        status: dict[str, Any] = _ok(client.get(f"/v1/tasks/{run_id}", headers=headers))["status"]
        if status["status"] in ("succeeded", "failed"):
            return status
        time.sleep(pause)


class JiraApp:
    """A Forge token and the current request key, rotated by every answer."""

    def __init__(self, client: Any, token: str) -> None:
        self.client = client
        self.bearer = {"Authorization": f"Bearer {token}"}
        self.key = _ok(client.post("/v1/jira/request-key", json={}, headers=self.bearer))["requestKey"]

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.client.request(method, path, headers={**self.bearer, KEY: self.key}, **kwargs)
        answer = _ok(response)
        self.key = response.headers[NEXT_KEY]
        return answer

    def permit(self, project: str, task: str) -> dict[str, str]:
        minted = self.call("POST", "/v1/security/task-permit", json={"projectId": project, "taskId": task})
        return {"Authorization": f"Bearer {minted['permit']}"}


def run_calls() -> dict[str, Any]:
    """Calls per credential check, run route and worker step, in process."""
    import os

    import requests

    from cairn.tasks.store import runs as store
    from cairn_local import handlers
    from cairn_local.bench.stack import in_process_stack
    from cairn_local.forge import LocalForge

    results: dict[str, Any] = {}
    forge = LocalForge()
    os.environ.update({"CAIRN_FORGE_JWKS_URL": forge.jwks_url, "CAIRN_FORGE_APP_ID": forge.app_id})
    try:
        with in_process_stack() as (client, _):
            calls = Calls()
            calls.install()
            token = forge.token("ari:cloud:ecosystem::installation/bench", ttl_seconds=3600)
            with calls.measure(results, "POST /v1/jira/request-key"):
                jira = JiraApp(client, token)
            with calls.measure(results, "GET /v1/instances/me (request key)"):
                jira.call("GET", "/v1/instances/me")
            with calls.measure(results, "POST /v1/security/vscode-link"):
                link = jira.call("POST", "/v1/security/vscode-link",
                                 json={"projectId": "AUTH", "taskId": "AUTH-1", "expirationDays": 1})
            with calls.measure(results, "POST /v1/security/launch-exchange"):
                _ok(client.post("/v1/security/launch-exchange",
                                json={"code": link["launchCode"], "projectId": "AUTH", "taskId": "AUTH-1"}))
            headers = jira.permit("AUTH", "AUTH-1")
            with calls.measure(results, "POST /v1/tasks/init"):
                init = _ok(client.post("/v1/tasks/init", json={}, headers=headers))
            requests.put(init["uploads"]["list.md"], data=LIST, timeout=10)
            with calls.measure(results, "POST /v1/tasks/{runId}/start"):
                _ok(client.post(f"/v1/tasks/{init['runId']}/start", json={"userPrompt": "callback"},
                                headers=headers))
            _settle(client, headers, init["runId"], 0.01)
            for suffix in ("", "/output", "/logs"):
                with calls.measure(results, f"GET /v1/tasks/{{runId}}{suffix}"):
                    _ok(client.get(f"/v1/tasks/{init['runId']}{suffix}", headers=headers))
            with calls.measure(results, "GET /v1/jira/usage"):
                jira.call("GET", "/v1/jira/usage")
            with calls.measure(results, "GET /v1/models"):
                _ok(client.get("/v1/models"))

            for body, steps in ((LIST, ("prepare", "run")), (b"\xff not text", ("fail",))):
                alone = _ok(client.post("/v1/tasks/init", json={}, headers=headers))
                requests.put(alone["uploads"]["list.md"], data=body, timeout=10)
                tenant = _installation_of(alone)
                store.start(tenant, alone["runId"], {"credits": 13, "startedAt": "2026-01-01T00:00:00Z"},
                            credits=13, usage_sort_key=f"2026-01-01T00:00:00Z#{alone['runId']}")  # no execution
                for step in steps:
                    event = {"step": step, "installation": tenant, "runId": alone["runId"],
                             "failure": {"Error": "ModelFailure", "Cause": json.dumps({"errorMessage": "bench"})}}
                    with calls.measure(results, f"worker step {step}", workers=True):
                        handlers.invoke("TaskRunFunction", event)
    finally:
        forge.close()
    return results


def _installation_of(init: dict[str, Any]) -> str:
    """The installation of a run, from its S3 prefix (``tenants/{installation}/runs/{runId}/inputs/``)."""
    from urllib.parse import unquote

    return unquote(init["prefix"].split("/")[1])


def dev_server_timing(runs: int) -> dict[str, Any]:
    """Seconds from the start request to the poll that first answers ``succeeded`` (polled every 20 ms), with the
    local runner, over HTTP against the dev server as `make dev` runs it (with a local Forge)."""
    from cairn_local.bench.server import DevServer
    from cairn_local.forge import LocalForge

    forge = LocalForge()
    with TemporaryDirectory() as directory:
        dev = DevServer(Path(directory) / "state", Path(directory) / "devserver.log",
                        environment={"CAIRN_FORGE_JWKS_URL": forge.jwks_url, "CAIRN_FORGE_APP_ID": forge.app_id})
        ready = dev.start()
        seconds = []
        try:
            with httpx.Client(base_url=dev.url, timeout=30) as client:
                for run in range(runs + 1):  # the first run is the warm-up (imports, first boto3 calls)
                    # An installation per run: each starts with the credit grant (the dev server's own).
                    token = forge.token(f"ari:cloud:ecosystem::installation/bench-{run}", ttl_seconds=3600)
                    headers = JiraApp(client, token).permit("AUTH", "AUTH-1")
                    init = _ok(client.post("/v1/tasks/init", json={}, headers=headers))
                    httpx.put(init["uploads"]["list.md"], content=LIST, timeout=10)
                    started = time.perf_counter()
                    _ok(client.post(f"/v1/tasks/{init['runId']}/start", json={"userPrompt": "callback"},
                                    headers=headers))
                    status = _settle(client, headers, init["runId"], 0.02)
                    if status["status"] != "succeeded":
                        raise RuntimeError(f"bench run failed: {status}")
                    seconds.append(time.perf_counter() - started)
        finally:
            dev.stop()
            forge.close()
    measured = sorted(seconds[1:])
    return {"runs": runs, "dev_server_ready_s": ready, "first_run_s": round(seconds[0], 3),
            "p50_s": round(statistics.median(measured), 3),
            "p95_s": round(measured[max(0, round(0.95 * len(measured)) - 1)], 3), "max_s": round(measured[-1], 3)}


def render(calls: dict[str, Any], timing: dict[str, Any] | None) -> str:
    lines = [f"{'request or step':<38} {'ddb':>4} {'by API':<28} {'s3':>3} {'sfn':>3}", "-" * 80]
    for name, cost in calls.items():
        by_api = " ".join(f"{count}{api}" for api, count in cost["dynamodb_by_api"].items())
        lines.append(f"{name:<38} {cost['dynamodb']:>4} {by_api:<28} {cost['s3']:>3} {cost['stepfunctions']:>3}")
    if timing:
        lines.append("")
        lines.append(f"start -> succeeded (local runner, dev server over HTTP, {timing['runs']} runs after a warm-up):"
                     f" p50 {timing['p50_s']} s, p95 {timing['p95_s']} s, max {timing['max_s']} s "
                     f"(first run {timing['first_run_s']} s)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs against the dev server (0: none)")
    parser.add_argument("--json", metavar="PATH")
    arguments = parser.parse_args(argv)
    from cairn_local.bench.stack import BENCH_SECRET
    from cairn_local.emulator import use_emulator_environment

    use_emulator_environment(BENCH_SECRET)
    calls = run_calls()
    timing = dev_server_timing(arguments.runs) if arguments.runs else None
    print(render(calls, timing))
    if arguments.json:
        Path(arguments.json).write_text(json.dumps({"calls": calls, "dev_server": timing}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
