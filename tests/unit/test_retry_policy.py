"""The optimistic writers' retry policy (cairn.memory.service.appends.retrying): capped exponential backoff with full
jitter inside a time budget, then Busy (503 contention, Retry-After)."""

from __future__ import annotations

import pytest

from cairn.core.errors import Busy
from cairn.http.errors import status_of
from cairn.memory.service import appends


class FakeClock:
    def __init__(self, attempt_seconds: float) -> None:
        self.now = 0.0
        self.attempt_seconds = attempt_seconds
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.mark.parametrize("attempt_seconds", [0.0, 0.01, 0.5])
def test_retries_end_in_busy_within_the_budget(monkeypatch, attempt_seconds):
    clock = FakeClock(attempt_seconds)
    monkeypatch.setattr(appends.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(appends.time, "sleep", clock.sleep)

    def lose_every_attempt() -> int:
        attempts = 0
        for _ in appends.retrying("main"):
            attempts += 1
            clock.now += attempt_seconds  # the attempt itself (two round trips), lost to another writer
        return attempts

    attempts = 0
    original = appends.retrying

    def counted(branch: str):
        nonlocal attempts
        for attempt in original(branch):
            attempts += 1
            yield attempt

    monkeypatch.setattr(appends, "retrying", counted)
    with pytest.raises(Busy) as raised:
        lose_every_attempt()

    assert status_of(raised.value) == 503
    assert raised.value.code == "contention"
    assert clock.now <= appends.RETRY_BUDGET_SECONDS + attempt_seconds
    assert all(pause <= appends.BACKOFF_CAP_SECONDS for pause in clock.sleeps)
    assert attempts >= (10 if attempt_seconds <= 0.01 else 5)


def test_backoff_bounds_double_per_attempt_up_to_the_cap(monkeypatch):
    bounds = []
    monkeypatch.setattr(appends.random, "uniform", lambda low, high: bounds.append(high) or 0.0)
    monkeypatch.setattr(appends.time, "sleep", lambda seconds: None)

    retries = appends.retrying("main")
    for _ in range(12):
        next(retries)

    assert bounds[:4] == [appends.BACKOFF_BASE_SECONDS * 2 ** n for n in range(4)]
    assert bounds[-1] == appends.BACKOFF_CAP_SECONDS


def test_contention_answers_503_with_retry_after(agent, project, monkeypatch):
    monkeypatch.setattr(appends, "RETRY_BUDGET_SECONDS", 0.0)
    monkeypatch.setattr(appends, "MAX_ATTEMPTS", 1)
    from cairn.memory.store import branches

    real_head = branches.head_at

    def stale_head(*args, **kwargs):  # every attempt reads a counter another writer has already moved
        head = dict(real_head(*args, **kwargs))
        head["msSeq"] -= 1
        return head

    agent.post(f"/api/v1/memory/projects/{project}/store", json={
        "branchPurpose": "p", "cumulativeProgress": "c", "thisContribution": "first", "agentId": "a"})
    monkeypatch.setattr(branches, "head_at", stale_head)

    response = agent.post(f"/api/v1/memory/projects/{project}/store", json={
        "branchPurpose": "p", "cumulativeProgress": "c", "thisContribution": "second", "agentId": "a"})

    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "contention"
    assert response.headers["retry-after"] == "1"
