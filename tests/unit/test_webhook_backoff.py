"""The webhook retry schedule (cairn/platform/domain/backoff.py): three retries within a minute, then growing
waits, for 24 hours; the scale only shortens."""

from __future__ import annotations

import pytest

from cairn.platform.domain.backoff import RETRY_DELAYS, WINDOW_SECONDS, next_delay, scaled


def _schedule() -> list[int]:
    """Seconds from the first attempt to each retry, until the delivery is exhausted."""
    elapsed, retries, attempts = 0, [], 1
    while (delay := next_delay(attempts, elapsed)) is not None:
        elapsed += delay
        retries.append(elapsed)
        attempts += 1
    return retries


def test_the_first_three_retries_come_within_a_minute_then_the_waits_grow() -> None:
    retries = _schedule()
    assert retries[:3] == [5, 20, 50]
    waits = [later - earlier for earlier, later in zip([0, *retries], retries, strict=False)]
    assert waits == sorted(waits)  # never shorter than the one before
    assert max(waits) == RETRY_DELAYS[-1] == 4 * 3600


def test_attempts_stop_after_24_hours() -> None:
    retries = _schedule()
    assert retries[-1] <= WINDOW_SECONDS < retries[-1] + RETRY_DELAYS[-1]
    assert len(retries) + 1 == 15  # attempts in all
    assert next_delay(3, WINDOW_SECONDS - 10) is None
    assert next_delay(1, WINDOW_SECONDS - 5) == 5  # exactly at the window's end is still within it


def test_a_delay_follows_a_failed_attempt_only() -> None:
    with pytest.raises(ValueError, match="failed attempt"):
        next_delay(0, 0)


@pytest.mark.parametrize(("seconds", "scale", "waited"), [(5, 1.0, 5), (14400, 1.0, 14400), (5, 0.0, 0),
                                                          (5, 0.01, 1), (14400, 0.001, 15)])
def test_the_scale_shortens_waits_to_whole_seconds(seconds: int, scale: float, waited: int) -> None:
    assert scaled(seconds, scale) == waited
