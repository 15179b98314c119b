"""Exports (docs/platform.md, "Jobs"): the request that queues one, and its work, one step per invocation:
each step reads pages of the projects' records through ``memory.service.transfer`` until it holds one S3 part
(or the last project ends), uploads that part and answers where the next step goes on. The progress is plain
JSON: the workflow carries it from step to step."""

from __future__ import annotations

from typing import Any, TypedDict

from cairn.core.errors import NotFound
from cairn.memory.service import projects, transfer
from cairn.platform.domain.jsonl import PROJECT_HEADER, encode
from cairn.platform.service import jobs
from cairn.platform.store import artifacts
from cairn.platform.store import jobs as job_items
from cairn.sources.service import sources

SOURCE = "source"  # a source's definition, after its project's records (docs/platform.md, "Jobs")


class Progress(TypedDict):
    tenantId: str
    projectIds: list[str]
    key: str  # the artifact's S3 key
    uploadId: str
    project: int  # index in projectIds of the project being read
    cursor: dict[str, Any] | None  # where its next page starts
    part: int  # the next part's number
    done: bool


def request(tenant: str, project_ids: list[str] | None) -> dict[str, Any]:
    """Queues the export of ``project_ids`` (None: every live project of the tenant) and starts its workflow.
    An id that is not a live project of the tenant is a 404 naming it."""
    if project_ids is None:
        project_ids = sorted(project["projectId"] for project in projects.list_all(tenant))
    for project_id in project_ids:
        try:
            projects.get(tenant, project_id)
        except NotFound:
            raise NotFound(f"project '{project_id}' not found", field="projectIds") from None
    return jobs.queue(tenant, job_items.EXPORT, list(dict.fromkeys(project_ids)))


def begin(tenant: str, job: dict[str, Any]) -> Progress:
    key = artifacts.artifact_key(tenant, job["jobId"])
    return Progress(tenantId=tenant, projectIds=list(job["projectIds"]), key=key, uploadId=artifacts.start(key),
                    project=0, cursor=None, part=1, done=False)


def step(progress: Progress, *, part_bytes: int = artifacts.PART_BYTES,
         page_items: int = transfer.PAGE_ITEMS) -> Progress:
    """Uploads the next part; completes the upload after the last project's last page. Each project's records
    follow a header record naming it (``PROJECT_HEADER``), so an import knows whose records it reads, and are
    followed by its sources' definitions (as the sources service answers them: no credential is in a source)
    with the id of the connection each syncs through (``connection``: the tenant's connection of that provider,
    named, never its secret)."""
    buffer = bytearray()
    index, cursor = progress["project"], progress["cursor"]
    projects_ = progress["projectIds"]
    while index < len(projects_) and len(buffer) < part_bytes:
        if cursor is None:
            buffer += encode([{"entity": PROJECT_HEADER, "projectId": projects_[index]}])
        page = transfer.export_page(progress["tenantId"], projects_[index], cursor, limit=page_items)
        buffer += encode(page.records)
        cursor = page.cursor
        if cursor is None:
            buffer += encode(_sources(progress["tenantId"], projects_[index]))
            index += 1
    if buffer:
        artifacts.put_part(progress["key"], progress["uploadId"], progress["part"], bytes(buffer))
    done = index == len(projects_)
    if done:
        artifacts.complete(progress["key"], progress["uploadId"])
    return Progress(**{**progress, "project": index, "cursor": cursor, "part": progress["part"] + bool(buffer),
                       "done": done})


def _sources(tenant: str, project_id: str) -> list[dict[str, Any]]:
    return [{"entity": SOURCE, **source, "connection": source["sourceType"]}
            for source in sources.list_all(tenant) if source["projectId"] == project_id]
