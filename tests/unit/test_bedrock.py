"""The Bedrock adapter of the Answerer port, against botocore's Stubber (no network, no model)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import Stubber

from cairn.core.errors import UpstreamError
from cairn.http.errors import status_of
from cairn.insights.adapters.bedrock import SYSTEM_PROMPT, BedrockAnswerer
from cairn.insights.domain.answer import Source

MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
QUESTION = "How does authentication work?"
SOURCES = [
    Source("milestone", "ms-a1", "synapse-backend", "feature-auth", "2026-02-08T10:00:00Z",
           "Added JWT token exchange endpoint.", "Added JWT token exchange endpoint. Middleware checks scopes."),
    Source("knowledge", "know-b2", "synapse-proxy", None, "2026-02-09T11:00:00Z",
           "Tokens rotate daily.", "Tokens rotate daily."),
]
EXPECTED_PROMPT = (
    "Question: How does authentication work?\n\nSources:\n\n"
    "[1] milestone ms-a1 | project synapse-backend | branch feature-auth | 2026-02-08T10:00:00Z\n"
    "Added JWT token exchange endpoint. Middleware checks scopes.\n\n"
    "[2] knowledge know-b2 | project synapse-proxy | 2026-02-09T11:00:00Z\n"
    "Tokens rotate daily."
)


def converse_response(text: str, stop: str = "end_turn") -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": stop,
        "usage": {"inputTokens": 120, "outputTokens": 30, "totalTokens": 150},
        "metrics": {"latencyMs": 420},
    }


@pytest.fixture
def client() -> Any:
    return boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing")


@pytest.fixture
def stub(client: Any) -> Iterator[Stubber]:
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def test_converse_request_carries_the_model_the_rules_and_the_numbered_sources(client: Any, stub: Stubber) -> None:
    expected = {
        "modelId": MODEL,
        "system": [{"text": SYSTEM_PROMPT}],
        "messages": [{"role": "user", "content": [{"text": EXPECTED_PROMPT}]}],
        "inferenceConfig": {"maxTokens": 1024, "temperature": 0.2},
    }
    stub.add_response("converse", converse_response("JWT exchange was added [1]; tokens rotate daily [2]."),
                      expected)

    answer = BedrockAnswerer(MODEL, client).answer(QUESTION, SOURCES)

    assert answer == "JWT exchange was added [1]; tokens rotate daily [2]."
    assert "ONLY the numbered sources" in SYSTEM_PROMPT
    assert "[1]" in SYSTEM_PROMPT


def test_the_answerer_names_its_model(client: Any) -> None:
    assert BedrockAnswerer(MODEL, client).name == f"bedrock:{MODEL}"


def test_text_blocks_are_joined(client: Any, stub: Stubber) -> None:
    response = converse_response("First part [1]. ")
    response["output"]["message"]["content"].append({"text": "Second part [2]."})
    stub.add_response("converse", response)

    assert BedrockAnswerer(MODEL, client).answer(QUESTION, SOURCES) == "First part [1]. Second part [2]."


@pytest.mark.parametrize(("code", "status", "message"), [
    ("ThrottlingException", 429, "Too many requests, please wait before trying again."),
    ("AccessDeniedException", 403, "You don't have access to the model with the specified model ID."),
    ("ValidationException", 400, "The provided model identifier is invalid."),
    ("ModelTimeoutException", 408, "Model has timed out in processing the request."),
])
def test_service_errors_become_a_502_that_says_what_bedrock_said(client: Any, stub: Stubber, code: str,
                                                                  status: int, message: str) -> None:
    stub.add_client_error("converse", service_error_code=code, service_message=message, http_status_code=status)

    with pytest.raises(UpstreamError) as raised:
        BedrockAnswerer(MODEL, client).answer(QUESTION, SOURCES)

    assert status_of(raised.value) == 502
    assert raised.value.code == "upstream_error"
    assert raised.value.message == f"Bedrock Converse with model {MODEL} failed: {code} (HTTP {status}): {message}"


def test_an_answer_without_text_is_a_502(client: Any, stub: Stubber) -> None:
    stub.add_response("converse", {**converse_response(""), "stopReason": "content_filtered"})

    with pytest.raises(UpstreamError, match=r"returned no text \(stopReason: content_filtered\)"):
        BedrockAnswerer(MODEL, client).answer(QUESTION, SOURCES)


def test_a_transport_failure_is_a_502() -> None:
    class TimingOut:
        def converse(self, **_: Any) -> dict[str, Any]:
            raise ReadTimeoutError(endpoint_url="https://bedrock-runtime.us-east-1.amazonaws.com")

    with pytest.raises(UpstreamError, match="Read timeout on endpoint URL") as raised:
        BedrockAnswerer(MODEL, TimingOut()).answer(QUESTION, SOURCES)
    assert status_of(raised.value) == 502
