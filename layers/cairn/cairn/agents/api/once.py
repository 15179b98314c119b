"""The MCP tools that write run at most once per call, so a client's retry never logs or merges twice
(docs/agents.md, "Retries").

A call is identified by the request's ``Idempotency-Key`` header when the client sends one (kept as long as the
REST routes keep theirs; the same key with other arguments is ``idempotency_mismatch``), else by what it asks for:
the caller (token subject), the tool, its arguments with their defaults and the ``x-cairn-project`` header. That
derived key lives ``RETRY_WINDOW_SECONDS``: the same call repeated within it is a retry and gets the first answer
back; after it, the same call runs again. The JSON-RPC id is no key: it restarts with every session."""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from cairn.agents.api import caller
from cairn.http.auth import require_writer
from cairn.http.idempotency import check_key, run_once

RETRY_WINDOW_SECONDS = 300  # a client's retry comes within seconds; API Gateway gives up on a call after 30 s

P = ParamSpec("P")
R = TypeVar("R")


def once(fn: Callable[P, R]) -> Callable[P, R]:
    """A tool that writes: the writer roles are checked first (a viewer writes no record), then the call runs once."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        who = caller.current.get()
        require_writer(who.principal)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        call = {"subject": who.principal.subject, "project": who.project, "arguments": bound.arguments}
        if who.idempotency_key:
            key, window = check_key(who.idempotency_key), None
        else:
            canonical = json.dumps(call, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
            key, window = hashlib.sha256(canonical.encode("utf-8")).hexdigest(), RETRY_WINDOW_SECONDS
        answer: R = run_once(who.principal.tenant, f"MCP {fn.__name__}", key, call, lambda: fn(*args, **kwargs),
                             expires_after_seconds=window, lambda_context=who.lambda_context)
        return answer

    return run
