"""task.run.settled (docs/platform.md, "Events and webhooks"): one outbox event, in the transaction that settles
the run, with ids only; a settle that changes nothing (the run settled already) adds none."""

from __future__ import annotations

from typing import Any

from cairn.aws import outbox
from cairn.tasks.store import runs as store
from tests.http.test_task_runs import _init, _settled, _started, _upload


def _settled_events(installation: str) -> list[dict[str, Any]]:
    return [event["detail"] for event in outbox.listed(installation) if event["topic"] == "task.run.settled"]


def test_a_succeeded_run_emits_one_settled_event_with_ids_only(task_caller: Any) -> None:
    caller = task_caller()
    init = _init(caller)
    _upload(init)
    _started(caller, init)
    assert _settled(caller, init["runId"])["status"] == "succeeded"

    assert _settled_events(caller.installation) == [{"runId": init["runId"], "status": "succeeded"}]
    assert not store.succeed(caller.installation, init["runId"], {"outputTokens": 1})  # settled: nothing written
    assert store.fail(caller.installation, init["runId"], {"error": "late"}, refund=0) is False
    assert len(_settled_events(caller.installation)) == 1


def test_a_failed_run_emits_its_event_once_with_the_refund(task_caller: Any) -> None:
    caller = task_caller()
    init = _init(caller)

    assert store.fail(caller.installation, init["runId"], {"error": "broken"}, refund=0)
    assert not store.fail(caller.installation, init["runId"], {"error": "again"}, refund=0)

    assert _settled_events(caller.installation) == [{"runId": init["runId"], "status": "failed"}]
