"""The ModelRunner port's adapters: Bedrock's Converse API (botocore Stubber: the request it sends, the text it
returns, every failure a ModelFailure) and the local runner (real, deterministic output that says no model ran)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from cairn.core.errors import InvalidInput
from cairn.tasks.adapters.bedrock_runner import SYSTEM_PROMPT, BedrockRunner
from cairn.tasks.adapters.local_runner import HEADER, LocalRunner
from cairn.tasks.adapters.port import InputFile, ModelFailure
from cairn.tasks.domain.models import catalog

LIST = InputFile("list.md", b"# Auth flow\n\n- [x] Login form\n- [ ] Callback validation\n- [ ] Token refresh\n")
NOTES = InputFile("notes.md", b"## Risks\nThe callback payload may change.\n")


def _client():
    return boto3.client("bedrock-runtime", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def _reply(text: str) -> dict:
    return {"output": {"message": {"role": "assistant", "content": [{"text": text}]}}, "stopReason": "end_turn",
            "usage": {"inputTokens": 50, "outputTokens": 7, "totalTokens": 57}, "metrics": {"latencyMs": 10}}


def test_bedrock_runner_sends_the_catalog_models_bedrock_id_the_prompt_and_every_file():
    model = catalog().model("strict pro")
    client = _client()
    runner = BedrockRunner(client)
    with Stubber(client) as stub:
        stub.add_response("converse", _reply("## Changelog\n- Login form"),
                          expected_params=BedrockRunner.request(model, "generate change log", [LIST, NOTES]))
        answer = runner.run(model, "generate change log", [LIST, NOTES])
        stub.assert_no_pending_responses()

    request = BedrockRunner.request(model, "generate change log", [LIST, NOTES])
    assert request["modelId"] == "anthropic.claude-3-5-sonnet-20241022-v2:0"
    assert request["system"] == [{"text": SYSTEM_PROMPT}]
    message = request["messages"][0]["content"][0]["text"]
    assert message.startswith("Task: generate change log")
    assert '<file name="list.md">\n# Auth flow' in message
    assert '<file name="notes.md">' in message
    assert request["inferenceConfig"]["maxTokens"] == model.max_output_tokens
    assert answer.text == "## Changelog\n- Login form\n"
    assert answer.output_tokens == 7
    assert answer.runner == "bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0"


@pytest.mark.parametrize(("code", "status"), [("ThrottlingException", 429), ("ModelErrorException", 424),
                                              ("AccessDeniedException", 403)])
def test_bedrock_failures_are_model_failures_naming_the_model_and_the_error(code, status):
    client = _client()
    with Stubber(client) as stub:
        stub.add_client_error("converse", service_error_code=code, service_message="slow down",
                              http_status_code=status)
        with pytest.raises(ModelFailure, match=f"anthropic.claude-3-5-haiku.*{code}: slow down"):
            BedrockRunner(client).run(catalog().model("strict light"), "p", [LIST])


def test_a_bedrock_answer_without_text_is_a_model_failure():
    client = _client()
    with Stubber(client) as stub:
        stub.add_response("converse", {**_reply("x"), "output": {"message": {"role": "assistant", "content": []}},
                                       "stopReason": "max_tokens"})
        with pytest.raises(ModelFailure, match=r"returned no text \(stopReason: max_tokens\)"):
            BedrockRunner(client).run(catalog().model("strict light"), "p", [LIST])


def test_the_local_runner_outlines_each_file_from_its_content_and_says_no_model_ran():
    answer = LocalRunner().run(catalog().model("strict light"), "callback validation", [LIST, NOTES])

    assert HEADER in answer.text
    assert "## list.md" in answer.text
    assert "## notes.md" in answer.text
    assert "### Open items (2)\n\n- Callback validation\n- Token refresh" in answer.text
    assert "### Done items (1)\n\n- Login form" in answer.text
    assert "line 4: - [ ] Callback validation" in answer.text  # a line naming the prompt's terms
    assert "line 2: The callback payload may change." in answer.text
    assert answer.runner == "local"


def test_the_local_runner_is_deterministic_and_depends_on_files_and_prompt():
    model = catalog().model("strict light")
    first = LocalRunner().run(model, "callback", [LIST])

    assert LocalRunner().run(model, "callback", [LIST]) == first
    assert LocalRunner().run(model, "token", [LIST]).text != first.text
    assert LocalRunner().run(model, "callback", [NOTES]).text != first.text


def test_the_local_runner_fails_on_a_file_that_is_not_text():
    with pytest.raises(ModelFailure, match=r"input blob\.bin is not UTF-8 text"):
        LocalRunner().run(catalog().model("strict light"), "p", [InputFile("blob.bin", b"\xff\xfe\x00\x81")])


def test_the_catalog_prices_runs_and_rejects_unknown_models():
    model = catalog().model(None)
    assert model.id == "strict light"
    assert model.credits(12456) == 20  # ceil(12.5 + 0.0006 * 12456 = 19.97)
    assert catalog().estimate_tokens(10) == 3
    with pytest.raises(InvalidInput, match="Unknown model 'gpt'"):
        catalog().model("gpt")


@pytest.mark.parametrize("change", [{"defaultModel": "missing"}, {"models": [{"id": "a"}, {"id": "a"}]}])
def test_a_catalog_with_duplicate_ids_or_an_unknown_default_is_refused(change):
    import json

    from cairn.tasks.domain.models import CATALOG_FILE, parse

    document = json.loads(CATALOG_FILE.read_text())
    if "models" in change:
        change = {"models": [{**document["models"][0], **entry} for entry in change["models"]]}
    with pytest.raises(ValueError, match="ids must be unique and defaultModel one of them"):
        parse({**document, **change})
