"""Jobs as a caller sees them (docs/platform.md, "Jobs"): another tenant's job is not found, and a succeeded
export answers a presigned GET of its artifact, made at each read (it expires)."""

from __future__ import annotations

from typing import Any

from cairn.core.errors import NotFound
from cairn.platform.store import artifacts, jobs

ARTIFACT_URL_SECONDS = 3600


def get(tenant: str, job_id: str) -> dict[str, Any]:
    item = jobs.get(tenant, job_id)
    if item is None:
        raise NotFound(f"job '{job_id}' not found", field="id")
    return to_wire(item)


def listed(tenant: str) -> list[dict[str, Any]]:
    return [to_wire(item) for item in jobs.listed(tenant)]


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    key = item.get("artifactKey")
    url = artifacts.download_url(str(key), ARTIFACT_URL_SECONDS) if key else None
    return {**jobs.JOB.to_wire(item), "artifactUrl": url}
