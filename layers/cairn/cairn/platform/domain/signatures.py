"""Webhook signatures (docs/platform.md, "Verifying a delivery"): ``x-cairn-signature: t=<unix>,v1=<hex>``
where ``<hex>`` is HMAC-SHA256 of ``"<unix>.<body>"`` under the subscription's secret. The timestamp is
signed with the body so a captured delivery cannot be replayed later under a fresh time; receivers refuse a
``t`` older than their tolerance (300 s in the documented example)."""

from __future__ import annotations

import hashlib
import hmac

TOLERANCE_SECONDS = 300


def signature_header(secret: str, body: bytes, unix_time: int) -> str:
    return f"t={unix_time},v1={_digest(secret, body, unix_time)}"


def verify(secret: str, body: bytes, header: str, now_unix: int, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver does: the header parses, its time is recent, and its v1 matches (in constant time)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if not parts.get("t", "").isdigit() or "v1" not in parts:
        return False
    unix_time = int(parts["t"])
    if abs(now_unix - unix_time) > tolerance:
        return False
    return hmac.compare_digest(parts["v1"], _digest(secret, body, unix_time))


def _digest(secret: str, body: bytes, unix_time: int) -> str:
    return hmac.new(secret.encode(), f"{unix_time}.".encode() + body, hashlib.sha256).hexdigest()
