"""The Bedrock adapter of the ``Answerer`` port: Amazon Bedrock's Converse API through boto3's
``bedrock-runtime`` client, with a prompt that allows only the numbered sources and asks for
``[n]`` citations (docs/intelligence.md)."""

from __future__ import annotations

from typing import Any

from cairn.core.errors import UpstreamError
from cairn.insights.domain.answer import Source

MAX_TOKENS = 1024
TEMPERATURE = 0.2
_MESSAGE_EXCERPT = 300

SYSTEM_PROMPT = (
    "You answer questions about a software team's engineering memory: milestones that AI coding agents "
    "recorded while working on projects, and promoted knowledge. Use ONLY the numbered sources in the "
    "user's message; never use outside knowledge and never invent facts, names, dates or numbers. "
    "Cite the source of every statement with its number in square brackets, for example [1] or [2][3]. "
    "If the sources do not answer the question, say so plainly. Be concise."
)


def _header(number: int, source: Source) -> str:
    parts = [f"[{number}] {source.kind} {source.source_id}", f"project {source.project_id}"]
    if source.branch_name:
        parts.append(f"branch {source.branch_name}")
    if source.external is not None:
        parts.append(f"{source.external.source_type} source {source.external.source_id}")
        if source.external.author:
            parts.append(f"by {source.external.author}")
    if source.created_at:
        parts.append(source.created_at)
    return " | ".join(parts)


def prompt(question: str, sources: list[Source]) -> str:
    """The user message: the question, then every source numbered as in the response's ``sources``."""
    blocks = [f"{_header(number, source)}\n{source.passage or source.excerpt}"
              for number, source in enumerate(sources, start=1)]
    return f"Question: {question}\n\nSources:\n\n" + "\n\n".join(blocks)


class BedrockAnswerer:
    def __init__(self, model_id: str, client: Any = None) -> None:
        self.model_id = model_id
        self.name = f"bedrock:{model_id}"
        self._client = client

    def _bedrock(self) -> Any:
        if self._client is None:
            from cairn.aws import clients

            self._client = clients.client("bedrock-runtime")
        return self._client

    def request(self, question: str, sources: list[Source]) -> dict[str, Any]:
        return {
            "modelId": self.model_id,
            "system": [{"text": SYSTEM_PROMPT}],
            "messages": [{"role": "user", "content": [{"text": prompt(question, sources)}]}],
            "inferenceConfig": {"maxTokens": MAX_TOKENS, "temperature": TEMPERATURE},
        }

    def answer(self, question: str, sources: list[Source]) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self._bedrock().converse(**self.request(question, sources))
        except ClientError as failed:
            error = failed.response.get("Error", {})
            status = failed.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            message = str(error.get("Message", ""))[:_MESSAGE_EXCERPT]
            raise UpstreamError(f"Bedrock Converse with model {self.model_id} failed: "
                                f"{error.get('Code', 'error')} (HTTP {status}): {message}") from failed
        except BotoCoreError as failed:
            raise UpstreamError(f"Bedrock Converse with model {self.model_id} failed: "
                                f"{str(failed)[:_MESSAGE_EXCERPT]}") from failed
        return _text(response, self.model_id)


def _text(response: dict[str, Any], model_id: str) -> str:
    content = response.get("output", {}).get("message", {}).get("content") or []
    text = "".join(block["text"] for block in content if isinstance(block.get("text"), str)).strip()
    if not text:
        raise UpstreamError(f"Bedrock model {model_id} returned no text "
                            f"(stopReason: {response.get('stopReason', 'unknown')})")
    return text
