"""Export and import jobs through the gateway: requesting one and waiting for it to settle."""

from __future__ import annotations

import time
import uuid
from typing import Any

WAIT_SECONDS = 60


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def export(caller: Any, project_ids: list[str] | None = None) -> Any:
    return caller.post("/api/v1/exports", json={} if project_ids is None else {"projectIds": project_ids},
                       headers=key())


def import_(caller: Any, project_id_map: dict[str, str], **source: Any) -> Any:
    return caller.post("/api/v1/imports", json={"projectIdMap": project_id_map, **source}, headers=key())


def settled(caller: Any, job_id: str) -> dict[str, Any]:
    """The job once it is succeeded or failed (its workflow runs the real worker in moto's Step Functions)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        job = caller.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed"):
            return job
        assert time.monotonic() < deadline, f"job still {job['status']} after {WAIT_SECONDS}s"
        time.sleep(0.05)


def accepted(response: Any) -> dict[str, Any]:
    assert response.status_code == 202, response.text
    return dict(response.json())
