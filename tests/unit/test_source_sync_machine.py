"""statemachines/source_sync.asl.json and the worker agree: the error names its Retry matches are the
connectors' exception classes (a Lambda's errorType is the class name), every Choice variable is in every state
the worker answers, and the template's schedules are what the dev server fires."""

from __future__ import annotations

import json

import pytest

from cairn.sources.adapters import base
from cairn.sources.service.sync_steps import Run
from cairn_local import ROOT, template

MACHINE = json.loads((ROOT / "statemachines" / "source_sync.asl.json").read_text())


def test_retry_names_the_retryable_connector_error_and_nothing_else_of_ours() -> None:
    retried = {name for state in MACHINE["States"].values() for retry in state.get("Retry", [])
               for name in retry["ErrorEquals"] if not name.startswith(("Lambda.", "States."))}

    assert retried == {base.SourceUnavailable.__name__}
    assert issubclass(base.SourceUnavailable, base.UpstreamError)


def test_every_task_is_caught_into_record_failure() -> None:
    tasks = {name: state for name, state in MACHINE["States"].items() if state["Type"] == "Task"}

    for name, state in tasks.items():
        if name != "RecordFailure":
            assert [catch["Next"] for catch in state["Catch"]] == ["RecordFailure"], name
    assert MACHINE["States"]["RecordFailure"]["Next"] == "Failed"


def test_the_choice_reads_only_fields_every_worker_answer_has() -> None:
    answered = set(Run("t", "s", "r").state())
    read = {choice["Variable"].removeprefix("$.") for choice in MACHINE["States"]["Next?"]["Choices"]}
    waited = MACHINE["States"]["WaitRetryAfter"]["SecondsPath"].removeprefix("$.")

    assert read | {waited} <= answered


def test_the_dispatcher_runs_every_minute_on_the_template_schedule() -> None:
    (schedule,) = [s for s in template.schedules() if s.logical_id == "SourceDispatcherFunction"]

    assert (schedule.name, schedule.seconds, schedule.input) == ("EveryMinute", 60, {})


def test_a_schedule_the_local_stack_cannot_fire_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = {"SomeFunction": {"Properties": {"Events": {"Nightly": {"Type": "Schedule", "Properties": {
        "Schedule": "cron(0 3 * * ? *)"}}}}}}
    monkeypatch.setattr(template, "resources", lambda kind: spec)

    with pytest.raises(ValueError, match=r"rate\(\) schedules only"):
        template.schedules()
