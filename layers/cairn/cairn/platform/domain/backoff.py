"""When a failing webhook delivery is attempted again (docs/platform.md, "Deliveries").

Retry ``n`` waits ``RETRY_DELAYS[n-1]`` seconds after attempt ``n`` (then ``RETRY_DELAYS[-1]`` for every later
one): the first three retries come within a minute (5 + 15 + 30 s), then the waits grow (2, 5, 15, 30 min, 1,
2, 4 h) and stay at 4 h. Attempts stop when the next one would come later than ``WINDOW_SECONDS`` (24 h) after
the first: the delivery is then exhausted (15 attempts in all).
"""

from __future__ import annotations

import math
from typing import Final

RETRY_DELAYS: Final = (5, 15, 30, 120, 300, 900, 1800, 3600, 7200, 14400)
WINDOW_SECONDS: Final = 24 * 3600


def next_delay(attempts: int, elapsed_seconds: float) -> int | None:
    """Seconds to wait before the next attempt, after ``attempts`` failed ones of which the first was
    ``elapsed_seconds`` ago; None when the next would fall outside the 24-hour window (exhausted)."""
    if attempts < 1:
        raise ValueError("a delay follows a failed attempt")
    delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
    return delay if elapsed_seconds + delay <= WINDOW_SECONDS else None


def scaled(seconds: int, scale: float) -> int:
    """The wait actually taken (Step Functions waits whole seconds): ``seconds`` x ``scale``, rounded up. The
    scale is 1 in AWS; only the test and local stacks set a smaller one (``CAIRN_WEBHOOK_RETRY_SCALE``)."""
    return max(0, math.ceil(seconds * scale))
