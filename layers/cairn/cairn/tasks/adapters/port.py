"""The ``ModelRunner`` port: a task run's model call. Amazon Bedrock (Converse) and the local runner (the default in
the dev server and the tests) implement it; ``cairn.tasks.adapters.runner`` picks one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cairn.tasks.domain.models import Model


class ModelFailure(Exception):
    """The model call failed; the run's state machine retries it with backoff, then settles the run failed.
    The worker lets it propagate: its class name is the ``errorType`` the state machine's Retry names."""


@dataclass(frozen=True)
class InputFile:
    name: str
    content: bytes


@dataclass(frozen=True)
class ModelOutput:
    text: str
    runner: str  # which runner answered, for the run's log
    output_tokens: int


class ModelRunner(Protocol):
    name: str

    def run(self, model: Model, prompt: str, files: list[InputFile]) -> ModelOutput:
        """The model's answer to ``prompt`` over ``files``; raises ModelFailure."""
        ...


def text_of(file: InputFile) -> str:
    """A file's text; a file that is not UTF-8 cannot be given to a model as text."""
    try:
        return file.content.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelFailure(f"input {file.name} is not UTF-8 text") from None
