"""POST /api/v1/memory/intelligence/action against fake Jira and Slack servers on 127.0.0.1, with the
tenants' credentials in (moto's) Secrets Manager."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest

from tests.http.helpers import assert_error

ACTION = "/api/v1/memory/intelligence/action"
JIRA_TOKEN = "jira-api-token-" + "s" * 24
SLACK_TOKEN = "xoxb-" + "9" * 30
TICKET = {"project": "SYN", "summary": "Follow up on auth implementation",
          "description": "Review and finalize JWT token rotation strategy.\nOwner: platform team.\n\nDue Friday."}


@dataclass
class Reply:
    status: int = 200
    body: Any = field(default_factory=dict)
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any


class FakeRemote:
    """A tiny HTTP server on an ephemeral port: records each request, answers with ``reply``."""

    def __init__(self) -> None:
        self.reply = Reply()
        self.received: list[Received] = []
        remote = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                remote.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                json.loads(raw)))
                reply = remote.reply
                time.sleep(reply.delay)
                payload = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    for name, value in {"Content-Type": "application/json", **reply.headers}.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def remote() -> Iterator[FakeRemote]:
    server = FakeRemote()
    yield server
    server.close()


def put_secret(tenant: str, integration: str, value: Any) -> None:
    from cairn.aws.secrets import secret_name

    secret = value if isinstance(value, str) else json.dumps(value)
    boto3.client("secretsmanager").create_secret(Name=secret_name(tenant, integration), SecretString=secret)


def jira_secret(tenant: str, base_url: str) -> None:
    put_secret(tenant, "jira", {"baseUrl": base_url, "email": "bot@example.com", "token": JIRA_TOKEN})


def recorded(tenant: str) -> list[dict[str, Any]]:
    from cairn.insights.store import actions

    return actions.recent(tenant)


def use_settings(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    from cairn.core.settings import get_settings

    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


# --- Jira ------------------------------------------------------------------------------------------------------


def test_create_jira_ticket(agent: Any, remote: FakeRemote) -> None:
    jira_secret(agent.tenant, remote.url)
    remote.reply = Reply(201, {"id": "10042", "key": "SYN-123", "self": f"{remote.url}/rest/api/3/issue/10042"})

    response = agent.post(ACTION, json={"action": "create_jira_ticket", "params": TICKET})

    assert response.status_code == 200, response.text
    assert response.json() == {"executed": True, "action": "create_jira_ticket",
                               "result": {"ticketId": "SYN-123", "url": f"{remote.url}/browse/SYN-123"}}
    (request,) = remote.received
    assert request.path == "/rest/api/3/issue"
    assert request.headers["authorization"] == "Basic " + base64.b64encode(
        f"bot@example.com:{JIRA_TOKEN}".encode()).decode()
    assert request.headers["content-type"].startswith("application/json")
    assert request.body == {"fields": {
        "project": {"key": "SYN"},
        "summary": "Follow up on auth implementation",
        "issuetype": {"name": "Task"},
        "description": {"type": "doc", "version": 1, "content": [
            {"type": "paragraph", "content": [
                {"type": "text", "text": "Review and finalize JWT token rotation strategy."},
                {"type": "hardBreak"},
                {"type": "text", "text": "Owner: platform team."}]},
            {"type": "paragraph", "content": [{"type": "text", "text": "Due Friday."}]},
        ]},
    }}
    (action,) = recorded(agent.tenant)
    assert action["action"] == "create_jira_ticket"
    assert action["params"] == {**TICKET, "issueType": "Task"}
    assert action["result"] == {"ticketId": "SYN-123", "url": f"{remote.url}/browse/SYN-123"}
    assert action["subject"] == f"user-{agent.tenant}"
    assert JIRA_TOKEN not in json.dumps(action)


def test_jira_issue_type_and_an_empty_description(agent: Any, remote: FakeRemote) -> None:
    jira_secret(agent.tenant, remote.url + "/")
    remote.reply = Reply(201, {"key": "SYN-7"})

    response = agent.post(ACTION, json={"action": "create_jira_ticket", "params": {
        "project": "SYN", "summary": "s" * 255, "description": "", "issueType": "Bug"}})

    assert response.status_code == 200, response.text
    assert response.json()["result"]["url"] == f"{remote.url}/browse/SYN-7"
    assert remote.received[0].body["fields"] == {"project": {"key": "SYN"}, "summary": "s" * 255,
                                                 "issuetype": {"name": "Bug"}}


JIRA_FAILURES = [
    (Reply(400, {"errorMessages": [], "errors": {"project": "valid project is required"}}),
     "Jira answered HTTP 400: project: valid project is required"),
    (Reply(401, {"errorMessages": ["Client must be authenticated to access this resource."]}),
     "Jira answered HTTP 401: Client must be authenticated to access this resource."),
    (Reply(503, b"<html>Service Unavailable</html>", headers={"Content-Type": "text/html"}),
     "Jira answered HTTP 503: <html>Service Unavailable</html>"),
    (Reply(302, b"", headers={"Location": "http://127.0.0.1:9/elsewhere"}),  # not followed
     "Jira answered HTTP 302: Found"),
    (Reply(201, {"id": "1"}), 'Jira answered HTTP 201 without an issue key: {"id": "1"}'),
]


def test_jira_failures_are_502_saying_what_jira_said_and_record_nothing(agent: Any, remote: FakeRemote) -> None:
    jira_secret(agent.tenant, remote.url)

    for reply, said in JIRA_FAILURES:
        remote.reply = reply
        response = agent.post(ACTION, json={"action": "create_jira_ticket", "params": TICKET})
        assert assert_error(response, 502, code="upstream_error")["message"] == said

    assert len(remote.received) == len(JIRA_FAILURES)
    assert recorded(agent.tenant) == []


def test_an_action_whose_record_cannot_be_written_still_answers_its_result(agent: Any, remote: FakeRemote,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ClientError

    from cairn.insights.store import actions

    def unavailable(*_args: Any, **_kwargs: Any) -> None:
        raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
                          "PutItem")

    jira_secret(agent.tenant, remote.url)
    remote.reply = Reply(201, {"id": "10042", "key": "SYN-124"})
    monkeypatch.setattr(actions, "record", unavailable)

    response = agent.post(ACTION, json={"action": "create_jira_ticket", "params": TICKET})

    assert response.status_code == 200, response.text
    assert response.json()["result"]["ticketId"] == "SYN-124"
    assert len(remote.received) == 1


def test_a_long_error_body_is_bounded_and_credentials_are_masked(agent: Any, remote: FakeRemote) -> None:
    jira_secret(agent.tenant, remote.url)
    remote.reply = Reply(500, {"errorMessages": [f"bad token {JIRA_TOKEN} " + "x" * 5000]})

    response = agent.post(ACTION, json={"action": "create_jira_ticket", "params": TICKET})

    message = assert_error(response, 502, code="upstream_error")["message"]
    assert message.startswith("Jira answered HTTP 500: bad token *** xxx")
    assert JIRA_TOKEN not in response.text
    assert len(message) < 600


# --- Slack -----------------------------------------------------------------------------------------------------


def test_post_slack_with_the_base_url_from_settings(agent: Any, remote: FakeRemote,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    use_settings(monkeypatch, CAIRN_SLACK_API_BASE_URL=remote.url + "/api")
    put_secret(agent.tenant, "slack", {"token": SLACK_TOKEN})
    remote.reply = Reply(200, {"ok": True, "channel": "C0123456789", "ts": "1707580500.000100",
                               "message": {"text": "Auth shipped"}})

    response = agent.post(ACTION, json={"action": "post_slack",
                                        "params": {"channel": "#engineering", "text": "Auth shipped"}})

    assert response.status_code == 200, response.text
    assert response.json() == {"executed": True, "action": "post_slack",
                               "result": {"channel": "C0123456789", "ts": "1707580500.000100"}}
    (request,) = remote.received
    assert request.path == "/api/chat.postMessage"
    assert request.headers["authorization"] == f"Bearer {SLACK_TOKEN}"
    assert request.body == {"channel": "#engineering", "text": "Auth shipped"}
    (action,) = recorded(agent.tenant)
    assert action["params"] == {"channel": "#engineering", "text": "Auth shipped"}
    assert SLACK_TOKEN not in json.dumps(action)


SLACK_FAILURES = [
    (Reply(200, {"ok": False, "error": "channel_not_found"}),
     "Slack chat.postMessage failed (HTTP 200): channel_not_found"),
    (Reply(200, {"ok": False, "error": "invalid_auth"}), "Slack chat.postMessage failed (HTTP 200): invalid_auth"),
    (Reply(200, {"ok": True}), "Slack chat.postMessage answered ok without a message ts"),
    (Reply(429, {"ok": False, "error": "ratelimited"}, headers={"Retry-After": "30"}),
     "Slack answered HTTP 429: ratelimited"),
    (Reply(500, b"upstream connect error"), "Slack answered HTTP 500: upstream connect error"),
]


def test_slack_failures_are_502_and_record_nothing(agent: Any, remote: FakeRemote) -> None:
    put_secret(agent.tenant, "slack", {"token": SLACK_TOKEN, "baseUrl": remote.url})

    for reply, said in SLACK_FAILURES:
        remote.reply = reply
        response = agent.post(ACTION, json={"action": "post_slack", "params": {"channel": "C1", "text": "hi"}})
        assert assert_error(response, 502, code="upstream_error")["message"] == said

    assert len(remote.received) == len(SLACK_FAILURES)
    assert recorded(agent.tenant) == []


def test_a_remote_that_does_not_answer_in_time_is_502(agent: Any, remote: FakeRemote,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    use_settings(monkeypatch, CAIRN_INTEGRATION_TIMEOUT_SECONDS="0.2")
    put_secret(agent.tenant, "slack", {"token": SLACK_TOKEN, "baseUrl": remote.url})
    remote.reply = Reply(200, {"ok": True, "channel": "C1", "ts": "1.2"}, delay=3.0)

    started = time.monotonic()
    response = agent.post(ACTION, json={"action": "post_slack", "params": {"channel": "C1", "text": "hi"}})

    assert time.monotonic() - started < 2.5  # it gave up well before the server's answer
    assert assert_error(response, 502, code="upstream_error")["message"] == "Slack did not answer within 0.2 s"
    assert recorded(agent.tenant) == []


def test_an_unreachable_remote_is_502(agent: Any) -> None:
    put_secret(agent.tenant, "slack", {"token": SLACK_TOKEN, "baseUrl": "http://127.0.0.1:9"})

    response = agent.post(ACTION, json={"action": "post_slack", "params": {"channel": "C1", "text": "hi"}})

    assert assert_error(response, 502, code="upstream_error")["message"].startswith("Slack could not be reached: ")
    assert recorded(agent.tenant) == []


# --- configuration and tenancy ---------------------------------------------------------------------------------


def test_an_unconfigured_integration_is_409(agent: Any) -> None:

    response = agent.post(ACTION, json={"action": "create_jira_ticket", "params": TICKET})

    error = assert_error(response, 409, code="integration_not_configured", field="action")
    assert "PUT /api/v1/memory/connections/jira" in error["message"]
    assert recorded(agent.tenant) == []


UNUSABLE_SECRETS = [
    ("not json", "must hold a JSON object"),
    (["a", "list"], "must hold a JSON object"),
    ({"baseUrl": "https://x.atlassian.net", "email": "a@b.c"}, "lacks token"),
    ({"baseUrl": "", "email": "a@b.c", "token": "t"}, "lacks baseUrl"),
    ({"baseUrl": "file:///etc/passwd", "email": "a@b.c", "token": "t"}, "must be an https URL"),
    ({"baseUrl": "http://jira.example.com", "email": "a@b.c", "token": "t"}, "must be an https URL"),
]


def test_an_unusable_secret_is_409(caller: Callable[..., Any]) -> None:
    for secret, said in UNUSABLE_SECRETS:
        tenant = caller(roles=("agent",))
        put_secret(tenant.tenant, "jira", secret)
        response = tenant.post(ACTION, json={"action": "create_jira_ticket", "params": TICKET})
        assert said in assert_error(response, 409, code="integration_not_configured")["message"]


def test_a_tenant_cannot_use_another_tenants_credentials(caller: Callable[..., Any], remote: FakeRemote) -> None:
    alice, bob = caller(roles=("agent",)), caller(roles=("agent",))
    jira_secret(alice.tenant, remote.url)
    remote.reply = Reply(201, {"key": "SYN-1"})

    refused = bob.post(ACTION, json={"action": "create_jira_ticket", "params": TICKET})
    done = alice.post(ACTION, json={"action": "create_jira_ticket", "params": TICKET})

    assert_error(refused, 409, code="integration_not_configured")
    assert done.status_code == 200, done.text
    assert len(remote.received) == 1
    assert recorded(bob.tenant) == []
    assert len(recorded(alice.tenant)) == 1


def test_secret_names_encode_tenants_injectively() -> None:
    from cairn.aws.secrets import tenant_component

    assert tenant_component("workspace-456") == "workspace-456"
    assert tenant_component("a/jira") == "a_2Fjira"
    assert tenant_component("a_2F") == "a_5F2F"
    assert tenant_component("équipe") == "_C3_A9quipe"


# --- validation, roles, idempotency ----------------------------------------------------------------------------


INVALID = [  # (body, code, field): all 400
    ({"action": "send_email", "params": {}}, "unknown_action", "action"),
    ({"params": {}}, "invalid_input", "action"),
    ({"action": "post_slack"}, "invalid_input", "params"),
    ({"action": "post_slack", "params": ["C1", "hi"]}, "invalid_input", "params"),
    ({"action": "post_slack", "params": {"text": "hi"}}, "invalid_input", "params.channel"),
    ({"action": "post_slack", "params": {"channel": "C1", "text": ""}}, "invalid_input", "params.text"),
    ({"action": "post_slack", "params": {"channel": "C1", "text": "x" * 40_001}}, "invalid_input", "params.text"),
    ({"action": "create_jira_ticket", "params": {}}, "invalid_input", "params.project"),
    ({"action": "create_jira_ticket", "params": {**TICKET, "summary": "s" * 256}}, "invalid_input",
     "params.summary"),
    ({"action": "create_jira_ticket", "params": {**TICKET, "summary": "two\nlines"}}, "invalid_input",
     "params.summary"),
    ({"action": "create_jira_ticket", "params": {**TICKET, "description": "d" * 32_001}}, "invalid_input",
     "params.description"),
    ({"action": "create_jira_ticket", "params": {**TICKET, "issuetype": "Bug"}}, "invalid_input",
     "params.issuetype"),
]


def test_invalid_requests_are_400_before_anything_runs(agent: Any, remote: FakeRemote) -> None:
    jira_secret(agent.tenant, remote.url)
    put_secret(agent.tenant, "slack", {"token": SLACK_TOKEN, "baseUrl": remote.url})

    for body, code, name in INVALID:
        assert_error(agent.post(ACTION, json=body), 400, code=code, field=name)
    assert remote.received == []
    message = assert_error(agent.post(ACTION, json={"action": "create_jira_ticket", "params": {}}), 400)["message"]
    assert message == "params.project: Field required"


def test_the_largest_valid_params_pass(agent: Any, remote: FakeRemote) -> None:
    put_secret(agent.tenant, "slack", {"token": SLACK_TOKEN, "baseUrl": remote.url})
    remote.reply = Reply(200, {"ok": True, "channel": "C1", "ts": "1.1"})

    response = agent.post(ACTION, json={"action": "post_slack", "params": {"channel": "C1", "text": "t" * 40_000}})

    assert response.status_code == 200, response.text
    assert len(remote.received[0].body["text"]) == 40_000


def test_a_viewer_cannot_execute_actions(caller: Callable[..., Any], remote: FakeRemote) -> None:
    viewer = caller(roles=("viewer",))
    jira_secret(viewer.tenant, remote.url)

    assert_error(viewer.post(ACTION, json={"action": "create_jira_ticket", "params": TICKET}), 403, code="forbidden")
    assert remote.received == []


def test_an_idempotency_key_executes_the_action_once(agent: Any, remote: FakeRemote) -> None:
    jira_secret(agent.tenant, remote.url)
    remote.reply = Reply(201, {"key": "SYN-9"})
    body = {"action": "create_jira_ticket", "params": TICKET}

    first = agent.post(ACTION, json=body, headers={"Idempotency-Key": "ticket-1"})
    again = agent.post(ACTION, json=body, headers={"Idempotency-Key": "ticket-1"})

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len(remote.received) == 1
    assert len(recorded(agent.tenant)) == 1


def test_a_failed_action_can_be_retried_with_the_same_key(agent: Any, remote: FakeRemote) -> None:
    jira_secret(agent.tenant, remote.url)
    body = {"action": "create_jira_ticket", "params": TICKET}
    remote.reply = Reply(503, {"errorMessages": ["try later"]})

    failed = agent.post(ACTION, json=body, headers={"Idempotency-Key": "ticket-2"})
    remote.reply = Reply(201, {"key": "SYN-10"})
    retried = agent.post(ACTION, json=body, headers={"Idempotency-Key": "ticket-2"})

    assert_error(failed, 502, code="upstream_error")
    assert retried.status_code == 200, retried.text
    assert "idempotent-replayed" not in retried.headers
    assert [action["result"]["ticketId"] for action in recorded(agent.tenant)] == ["SYN-10"]
