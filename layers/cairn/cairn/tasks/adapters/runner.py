"""Picks the ``ModelRunner`` (cairn.tasks.adapters.port) by ``CAIRN_TASK_MODEL_RUNNER``: Bedrock in AWS (set on the
task-run worker in template.yaml), else the local runner, which needs no model."""

from __future__ import annotations

from cairn.core.settings import get_settings
from cairn.tasks.adapters.port import ModelRunner


def runner() -> ModelRunner:
    if get_settings().task_model_runner == "bedrock":
        from cairn.tasks.adapters.bedrock_runner import BedrockRunner

        return BedrockRunner()
    from cairn.tasks.adapters.local_runner import LocalRunner

    return LocalRunner()
