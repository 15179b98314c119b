"""Readiness (/health, /api/v1/health), liveness (/healthz), the engine status and the contract a Lambda serves:
all without a token, through the gateway to the platform function."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from cairn.core.settings import get_settings
from cairn_local import contract

READINESS = ("/health", "/api/v1/health")


@pytest.mark.parametrize("path", READINESS)
def test_readiness_is_ok_with_each_check_when_the_table_and_bucket_answer(http: Any, path: str) -> None:
    response = http.get(path)

    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "checks": {"table": "ok", "bucket": "ok"}}
    assert response.headers["x-correlation-id"]


def _misconfigured(variable: str, value: str) -> None:
    os.environ[variable] = value  # restored after the test by conftest's _environment_restored
    get_settings.cache_clear()


@pytest.mark.parametrize("path", READINESS)
def test_readiness_is_503_naming_the_bucket_that_does_not_answer(http: Any, path: str) -> None:
    _misconfigured("CAIRN_BUCKET_NAME", "cairn-no-such-bucket")

    response = http.get(path)

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"table": "ok", "bucket": "unavailable"}}


def test_readiness_is_503_naming_the_table_that_does_not_answer(http: Any) -> None:
    _misconfigured("CAIRN_TABLE_NAME", "cairn-no-such-table")

    response = http.get("/health")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"table": "unavailable", "bucket": "ok"}}


def test_liveness_stays_a_storage_free_ok_when_storage_is_down(http: Any) -> None:
    _misconfigured("CAIRN_TABLE_NAME", "cairn-no-such-table")

    response = http.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_engine_status_names_version_commit_region_and_features(http: Any) -> None:
    _misconfigured("CAIRN_COMMIT", "0123abc")

    response = http.get("/.well-known/engine-status")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["version"] == contract.version()
    assert body["commit"] == "0123abc"
    assert body["region"] == (os.environ.get("AWS_REGION") or os.environ["AWS_DEFAULT_REGION"])
    # The local stack allows loopback connection URLs and keeps GitHub webhooks on; no Bedrock model is set.
    assert "localUrls" in body["features"]
    assert "githubWebhooks" in body["features"]
    assert "bedrockAnswers" not in body["features"]


def test_engine_status_says_unknown_for_an_undeclared_commit_and_lists_a_switched_on_feature(http: Any) -> None:
    os.environ.pop("CAIRN_COMMIT", None)
    _misconfigured("CAIRN_BEDROCK_MODEL_ID", "anthropic.claude-3-haiku")

    body = http.get("/.well-known/engine-status").json()

    assert body["commit"] == "unknown"
    assert "bedrockAnswers" in body["features"]
    assert body["features"] == sorted(body["features"])


def test_the_contract_route_serves_the_layer_copy_equal_to_the_published_document(http: Any) -> None:
    response = http.get("/api/v1/openapi")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.text == contract.OPENAPI.read_text() == contract.LAYER_OPENAPI.read_text()
    assert "/api/v1/openapi" in json.loads(response.text)["paths"]


@pytest.mark.parametrize("path", ["/health", "/.well-known/engine-status", "/api/v1/openapi"])
def test_a_bad_token_does_not_matter_to_the_public_probes(http: Any, path: str) -> None:
    assert http.get(path, headers={"Authorization": "Bearer not-a-token"}).status_code == 200
