"""Tenant connections over HTTP: stored in Secrets Manager under the tenant's name, never answered or logged,
admin only, base URLs through the SSRF guard (docs/sources.md, "Connections")."""

from __future__ import annotations

import json
import logging

import pytest

from cairn.aws import clients
from cairn.aws.secrets import secret_name
from cairn.integrations import ssrf
from cairn.sources.service import connections
from tests.http.helpers import assert_error, ok

CONNECTIONS = "/api/v1/memory/connections"
TOKEN = "xoxb-very-secret-token-4242"


@pytest.fixture(autouse=True)
def public_dns():
    """Names resolve without the network: the providers' public hosts, and one host inside a private network."""
    answers = {"acme.atlassian.net": ["93.184.215.14"], "slack.com": ["54.192.0.1"], "api.github.com": ["140.82.0.1"],
               "inside.example": ["10.0.0.5"]}
    previous = ssrf.use_resolver(lambda host, port: answers.get(host, []))
    yield
    ssrf.use_resolver(previous)


def secret_of(tenant, provider):
    value = clients.client("secretsmanager").get_secret_value(SecretId=secret_name(tenant, provider))
    return json.loads(value["SecretString"])


def test_put_stores_the_secret_and_answers_no_secret(agent, caplog, capsys):
    caplog.set_level(logging.DEBUG, logger="cairn")
    response = agent.put(f"{CONNECTIONS}/slack", json={"token": TOKEN, "baseUrl": "http://127.0.0.1:8999/api"})
    answered = ok(response)
    assert set(answered) == {"provider", "baseUrl", "updatedAt"}
    assert answered["provider"] == "slack"
    assert answered["baseUrl"] == "http://127.0.0.1:8999/api"
    assert TOKEN not in response.text
    assert secret_of(agent.tenant, "slack") == {"token": TOKEN, "baseUrl": "http://127.0.0.1:8999/api"}
    listed = ok(agent.get(CONNECTIONS))
    assert listed == {"connections": [answered]}
    assert TOKEN not in json.dumps(listed)
    assert TOKEN not in caplog.text
    assert TOKEN not in capsys.readouterr().out  # the structured log lines


def test_put_again_replaces_the_credentials(agent):
    ok(agent.put(f"{CONNECTIONS}/slack", json={"token": TOKEN}))
    ok(agent.put(f"{CONNECTIONS}/slack", json={"token": "xoxb-rotated"}))
    assert secret_of(agent.tenant, "slack") == {"token": "xoxb-rotated", "baseUrl": "https://slack.com/api"}
    assert len(ok(agent.get(CONNECTIONS))["connections"]) == 1


def test_atlassian_connections_need_a_base_url_and_an_email(agent, public_dns):
    assert_error(agent.put(f"{CONNECTIONS}/jira", json={"token": TOKEN}), 400, field="baseUrl")
    assert_error(agent.put(f"{CONNECTIONS}/jira", json={"token": TOKEN, "baseUrl": "https://acme.atlassian.net"}),
                 400, field="email")
    ok(agent.put(f"{CONNECTIONS}/jira", json={"token": TOKEN, "baseUrl": "https://acme.atlassian.net",
                                             "email": "bot@acme.com"}))
    assert connections.get_connection_secret(agent.tenant, "jira") == {
        "token": TOKEN, "baseUrl": "https://acme.atlassian.net", "email": "bot@acme.com"}


@pytest.mark.parametrize("base_url", ["http://acme.atlassian.net", "https://169.254.169.254", "https://10.0.0.1",
                                      "https://inside.example", "https://[fd00:ec2::254]", "file:///etc/passwd"])
def test_a_base_url_that_is_not_public_https_is_a_400(agent, public_dns, base_url):
    error = assert_error(agent.put(f"{CONNECTIONS}/confluence", json={
        "token": TOKEN, "baseUrl": base_url, "email": "bot@acme.com"}), 400, field="baseUrl")
    assert TOKEN not in error["message"]
    assert ok(agent.get(CONNECTIONS)) == {"connections": []}


def test_unknown_provider_and_missing_token_are_400s(agent):
    assert_error(agent.put(f"{CONNECTIONS}/trello", json={"token": TOKEN}), 400, field="provider")
    assert_error(agent.put(f"{CONNECTIONS}/slack", json={}), 400, field="token")
    assert_error(agent.put(f"{CONNECTIONS}/slack", json={"token": TOKEN, "webhookSecret": "s" * 20}), 400,
                 field="webhookSecret")


def test_connections_need_the_admin_role_to_change(agent, caller):
    writer = caller(agent.tenant, roles=("agent",))
    assert_error(writer.put(f"{CONNECTIONS}/slack", json={"token": TOKEN}), 403)
    ok(agent.put(f"{CONNECTIONS}/slack", json={"token": TOKEN}))
    assert_error(writer.delete(f"{CONNECTIONS}/slack"), 403)
    assert len(ok(writer.get(CONNECTIONS))["connections"]) == 1


def test_delete_removes_the_secret(agent):
    ok(agent.put(f"{CONNECTIONS}/github", json={"token": TOKEN}))
    assert agent.delete(f"{CONNECTIONS}/github").status_code == 200
    assert ok(agent.get(CONNECTIONS)) == {"connections": []}
    with pytest.raises(Exception, match="ResourceNotFound"):
        secret_of(agent.tenant, "github")
    assert_error(agent.delete(f"{CONNECTIONS}/github"), 404)


def test_another_tenant_never_sees_or_uses_a_connection(agent, caller):
    ok(agent.put(f"{CONNECTIONS}/slack", json={"token": TOKEN}))
    other = caller(roles=("agent", "admin"))
    assert ok(other.get(CONNECTIONS)) == {"connections": []}
    assert_error(other.delete(f"{CONNECTIONS}/slack"), 404)
    from cairn.core.errors import IntegrationNotConfigured

    with pytest.raises(IntegrationNotConfigured, match="slack"):
        connections.get_connection_secret(other.tenant, "slack")
    assert connections.get_connection_secret(agent.tenant, "slack")["token"] == TOKEN


def test_a_github_connection_shows_its_webhook_url_until_deleted(agent):
    from cairn.sources.service.sync_webhook_store import tenant_of

    answered = ok(agent.put(f"{CONNECTIONS}/github", json={"token": TOKEN, "webhookSecret": "w" * 32}))
    url = answered["webhookUrl"]
    assert url.startswith("http://testserver/api/v1/integrations/github/webhook?hook=")
    assert "w" * 32 not in json.dumps(answered)
    assert secret_of(agent.tenant, "github")["webhookSecret"] == "w" * 32
    assert ok(agent.get(CONNECTIONS))["connections"][0]["webhookUrl"] == url
    # A new token keeps the URL that was pasted into GitHub, and the webhook secret when none is sent.
    assert ok(agent.put(f"{CONNECTIONS}/github", json={"token": "ghp-rotated"}))["webhookUrl"] == url
    assert secret_of(agent.tenant, "github") == {"token": "ghp-rotated", "baseUrl": "https://api.github.com",
                                                 "webhookSecret": "w" * 32}
    hook = url.rsplit("=", 1)[1]
    assert tenant_of(hook) == agent.tenant
    agent.delete(f"{CONNECTIONS}/github")
    assert tenant_of(hook) is None
