"""The cyclic GC is paused during a Lambda's cold import and resumed, with the import's objects frozen, when the
handler is wrapped (cairn.core.coldstart); outside Lambda nothing changes."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from cairn.core import coldstart
from cairn.core.observability import instrumented

LAMBDA = {"AWS_LAMBDA_FUNCTION_NAME": "MemoryProjectsFunction", "LAMBDA_TASK_ROOT": "/var/task"}


@pytest.fixture(autouse=True)
def _gc_restored() -> Iterator[None]:
    yield
    coldstart.resume()
    gc.unfreeze()
    gc.enable()


def test_outside_lambda_the_collector_keeps_running(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in LAMBDA:
        monkeypatch.delenv(name, raising=False)
    coldstart.pause()
    assert gc.isenabled()


def test_in_lambda_the_import_runs_without_it_until_the_handler_is_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in LAMBDA.items():
        monkeypatch.setenv(name, value)
    coldstart.pause()
    assert not gc.isenabled()
    instrumented("routeGroup", "memory-projects")(lambda event, context: {"statusCode": 200})
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0  # what the import built is left out of later collections
