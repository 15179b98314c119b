"""Provider timestamps to the records' ISO 8601 UTC form, and back to what each provider's filter takes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from cairn.core.clock import timestamp


def from_epoch(seconds: str) -> str:
    """Slack's ``ts`` ("1707580500.000100") as ISO 8601."""
    return timestamp(datetime.fromtimestamp(int(Decimal(seconds)), tz=UTC))


def epoch_key(ts: str) -> Decimal:
    """Slack's ``ts`` as a number ("" first): its string order is not its time order across digit counts."""
    try:
        return Decimal(ts) if ts else Decimal(-1)
    except InvalidOperation:
        return Decimal(-1)


def parse(moment: str) -> datetime:
    """ISO 8601 with ``Z``, an offset, or Atlassian's ``+0000`` form."""
    text = moment.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def iso(moment: str) -> str:
    return timestamp(parse(moment)) if moment else ""


def later(first: str, second: str) -> str:
    """The later of two ISO instants ("" is earlier than any)."""
    if not first or not second:
        return first or second
    return first if parse(first) >= parse(second) else second
