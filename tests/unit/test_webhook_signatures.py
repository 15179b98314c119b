"""Deliveries are signed so that the receiver example in docs/platform.md accepts them, and only them."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from cairn.platform.domain.signatures import signature_header, verify

DOC = Path(__file__).resolve().parents[2] / "docs" / "platform.md"
BODY = b'{"topic":"milestone.stored","detail":{"projectId":"p"}}'


def _documented_verify() -> Callable[..., bool]:
    """The receiver example exactly as docs/platform.md shows it."""
    section = DOC.read_text().split("### Verifying a delivery", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None
    namespace: dict[str, object] = {}
    exec(code.group(1), namespace)  # noqa: S102 - the documented example, run as a receiver would
    receiver = namespace["verify"]
    assert callable(receiver)
    return receiver


def test_the_documented_receiver_accepts_a_signed_delivery_and_refuses_tampering() -> None:
    receiver = _documented_verify()
    sent = int(time.time())
    header = signature_header("s3cret", BODY, sent)
    assert receiver("s3cret", BODY, header)
    assert not receiver("s3cret", BODY + b" ", header)
    assert not receiver("other", BODY, header)
    assert not receiver("s3cret", BODY, header.replace(f"t={sent}", f"t={sent + 1}"))  # the time is signed too


def test_an_old_signature_is_refused_by_the_receiver_and_by_verify() -> None:
    old = int(time.time()) - 301
    header = signature_header("s3cret", BODY, old)
    assert not _documented_verify()("s3cret", BODY, header)
    assert not verify("s3cret", BODY, header, now_unix=old + 301)
    assert verify("s3cret", BODY, header, now_unix=old + 300)


def test_a_malformed_header_is_refused() -> None:
    for header in ("", "t=abc,v1=00", "v1=00", "t=1"):
        assert not verify("s3cret", BODY, header, now_unix=1)
