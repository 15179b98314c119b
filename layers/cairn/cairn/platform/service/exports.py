"""An export's work, one step per invocation (docs/platform.md, "Jobs"): each step reads pages of the
projects' records through ``memory.service.transfer`` until it holds one S3 part (or the last project
ends), uploads that part and answers where the next step goes on. The progress is plain JSON: a workflow
carries it from step to step."""

from __future__ import annotations

from typing import Any, TypedDict

from cairn.memory.service import transfer
from cairn.platform.domain.jsonl import encode
from cairn.platform.store import artifacts


class Progress(TypedDict):
    tenantId: str
    projectIds: list[str]
    key: str  # the artifact's S3 key
    uploadId: str
    project: int  # index in projectIds of the project being read
    cursor: dict[str, Any] | None  # where its next page starts
    part: int  # the next part's number
    done: bool


def begin(tenant: str, project_ids: list[str], key: str) -> Progress:
    return Progress(tenantId=tenant, projectIds=project_ids, key=key, uploadId=artifacts.start(key), project=0,
                    cursor=None, part=1, done=False)


def step(progress: Progress, *, part_bytes: int = artifacts.PART_BYTES,
         page_items: int = transfer.PAGE_ITEMS) -> Progress:
    """Uploads the next part; completes the upload after the last project's last page."""
    buffer = bytearray()
    index, cursor = progress["project"], progress["cursor"]
    projects = progress["projectIds"]
    while index < len(projects) and len(buffer) < part_bytes:
        page = transfer.export_page(progress["tenantId"], projects[index], cursor, limit=page_items)
        buffer += encode(page.records)
        cursor = page.cursor
        if cursor is None:
            index += 1
    if buffer:
        artifacts.put_part(progress["key"], progress["uploadId"], progress["part"], bytes(buffer))
    done = index == len(projects)
    if done:
        artifacts.complete(progress["key"], progress["uploadId"])
    return Progress(**{**progress, "project": index, "cursor": cursor, "part": progress["part"] + bool(buffer),
                       "done": done})
