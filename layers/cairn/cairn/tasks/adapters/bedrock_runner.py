"""The Bedrock ``ModelRunner``: Amazon Bedrock's Converse API with the catalog model's Bedrock model id. Every
failure of the call (throttling, a model error, a refused request, no text) is a ``ModelFailure``, which the
run's state machine retries with backoff."""

from __future__ import annotations

from typing import Any

from cairn.tasks.adapters.port import InputFile, ModelFailure, ModelOutput, text_of
from cairn.tasks.domain.models import Model

TEMPERATURE = 0.2
_MESSAGE_EXCERPT = 300
SYSTEM_PROMPT = (
    "You carry out a software task for a developer. The user's message holds the task, then the input files, "
    "each between <file name=...> tags. Work only from those files and the task; answer in Markdown."
)


def user_message(prompt: str, files: list[InputFile]) -> str:
    blocks = [f'<file name="{file.name}">\n{text_of(file)}\n</file>' for file in files]
    return f"Task: {prompt.strip() or 'Carry out the task the files describe.'}\n\n" + "\n\n".join(blocks)


class BedrockRunner:
    name = "bedrock"

    def __init__(self, client: Any = None) -> None:
        self._client = client

    def _bedrock(self) -> Any:
        if self._client is None:
            from cairn.aws import clients

            self._client = clients.client("bedrock-runtime")
        return self._client

    @staticmethod
    def request(model: Model, prompt: str, files: list[InputFile]) -> dict[str, Any]:
        return {
            "modelId": model.bedrock_model_id,
            "system": [{"text": SYSTEM_PROMPT}],
            "messages": [{"role": "user", "content": [{"text": user_message(prompt, files)}]}],
            "inferenceConfig": {"maxTokens": model.max_output_tokens, "temperature": TEMPERATURE},
        }

    def run(self, model: Model, prompt: str, files: list[InputFile]) -> ModelOutput:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self._bedrock().converse(**self.request(model, prompt, files))
        except ClientError as failed:
            error = failed.response.get("Error", {})
            raise ModelFailure(f"Bedrock Converse with {model.bedrock_model_id} failed: {error.get('Code', 'error')}: "
                               f"{str(error.get('Message', ''))[:_MESSAGE_EXCERPT]}") from failed
        except BotoCoreError as failed:
            raise ModelFailure(f"Bedrock Converse with {model.bedrock_model_id} failed: "
                               f"{str(failed)[:_MESSAGE_EXCERPT]}") from failed
        content = response.get("output", {}).get("message", {}).get("content") or []
        text = "".join(block["text"] for block in content if isinstance(block.get("text"), str)).strip()
        if not text:
            raise ModelFailure(f"Bedrock model {model.bedrock_model_id} returned no text "
                               f"(stopReason: {response.get('stopReason', 'unknown')})")
        tokens = int(response.get("usage", {}).get("outputTokens", 0))
        return ModelOutput(text=text + "\n", runner=f"{self.name}:{model.bedrock_model_id}", output_tokens=tokens)
