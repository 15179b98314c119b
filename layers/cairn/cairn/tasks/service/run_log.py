"""A run's plain-text log in S3 (``GET /v1/tasks/{runId}/logs``): one timestamped line per event. The steps that
write it run one after another (the state machine), so read-append-write loses no line."""

from __future__ import annotations

from cairn.core.clock import now, timestamp
from cairn.tasks.store import runs as store


def append_log(installation: str, run_id: str, *lines: str) -> bytes:
    """Appends ``lines`` (one S3 read, one write); returns the whole log."""
    key = store.artifact_key(installation, run_id, store.LOG_NAME)
    moment = timestamp(now())
    log = (store.read(key) or b"") + "".join(f"{moment} {line}\n" for line in lines).encode()
    store.write(key, log, "text/plain; charset=utf-8")
    return log
