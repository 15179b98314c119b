"""Imports (docs/platform.md, "Jobs"): the request that queues one (from a previous export of the tenant, or
from a file the caller uploads), and its work, one step per invocation. A step reads the next byte range of the
file (never the whole file), restores its records page by page into hidden copies through
``memory.service.transfer``, and answers where the next step goes on; the last step makes every copy live in
the one transaction that settles the job. A bad line stops the import: the job fails naming the line, and its
copies are purged without ever having been visible."""

from __future__ import annotations

from typing import Any, TypedDict

from cairn.core.errors import Conflict, InvalidInput, NotFound
from cairn.memory.service import transfer
from cairn.platform.domain.jsonl import PROJECT_HEADER, BadLine, decode
from cairn.platform.service import jobs
from cairn.platform.service.exports import SOURCE
from cairn.platform.store import artifacts
from cairn.platform.store import jobs as job_items

# Bytes a step reads: about 4,000 records of 1 KB, written in pages of ``transfer.PAGE_ITEMS``.
CHUNK_BYTES = 4 * 1024 * 1024
# A longer line is refused (a record is one DynamoDB item, at most 400 KB, plus texts kept in S3).
MAX_LINE_BYTES = 64 * 1024 * 1024
UPLOAD_URL_SECONDS = 3600
# The settle transaction holds each copy's flip, the job and its event (DynamoDB: at most 100 items).
MAX_PROJECTS = 50


class ProjectMissing(InvalidInput):
    """The file holds no records for a project the map names."""

    code = "import_project_missing"


class Progress(TypedDict):
    tenantId: str
    jobId: str
    key: str  # the file being read
    projectIdMap: dict[str, str]
    offset: int  # the byte the next step reads from
    line: int  # the number of the line there (1-based)
    current: str | None  # the project (as exported) whose records are being read
    seen: list[str]  # the mapped projects met so far
    done: bool


def request(tenant: str, project_id_map: dict[str, str], *, upload: bool,
            from_job_id: str | None) -> dict[str, Any]:
    """Queues an import into the new projects ``project_id_map`` names. ``from_job_id``: a succeeded export of
    the tenant, started at once; ``upload``: the job answers ``uploadUrl`` and starts when the file lands."""
    targets = list(project_id_map.values())
    if len(set(targets)) != len(targets):
        raise InvalidInput("projectIdMap maps two projects to one id", field="projectIdMap")
    for target in targets:
        if transfer.target_taken(tenant, target):
            raise Conflict(f"project '{target}' already exists", field="projectIdMap")
    job_id = jobs.new_id(job_items.IMPORT)
    if from_job_id is not None:
        key = _export_of(tenant, from_job_id, project_id_map)
        return jobs.queue(tenant, job_items.IMPORT, sorted(targets), job_id=job_id, projectIdMap=project_id_map,
                          sourceKey=key, fromJobId=from_job_id)
    key = artifacts.upload_key(tenant, job_id)
    job = jobs.queue(tenant, job_items.IMPORT, sorted(targets), job_id=job_id, start=not upload,
                     projectIdMap=project_id_map, sourceKey=key)
    return {**job, "uploadUrl": artifacts.upload_url(key, UPLOAD_URL_SECONDS)}


def _export_of(tenant: str, job_id: str, project_id_map: dict[str, str]) -> str:
    try:
        source = jobs.stored(tenant, job_id)
    except NotFound:
        raise NotFound(f"job '{job_id}' not found", field="fromJobId") from None
    if source["kind"] != job_items.EXPORT or source["status"] != job_items.SUCCEEDED:
        raise Conflict(f"job '{job_id}' is not a succeeded export", field="fromJobId")
    missing = sorted(set(project_id_map) - set(source["projectIds"]))
    if missing:
        raise InvalidInput(f"project '{missing[0]}' is not in export '{job_id}'", field="projectIdMap")
    return str(source["artifactKey"])


def start_uploaded(key: str) -> bool:
    """The bucket's Object Created event for ``key``: starts the import waiting for that upload; False for any
    other key, an unknown job, or a job started already (a second upload of the file starts nothing)."""
    named = artifacts.parse_upload_key(key)
    if named is None:
        return False
    tenant, job_id = named
    job = job_items.mark_uploaded(tenant, job_id, key)
    if job is None:
        return False
    jobs.start_workflow(tenant, job)
    return True


def begin(tenant: str, job: dict[str, Any]) -> Progress:
    return Progress(tenantId=tenant, jobId=job["jobId"], key=job["sourceKey"],
                    projectIdMap=dict(job["projectIdMap"]), offset=0, line=1, current=None, seen=[], done=False)


def step(progress: Progress, *, chunk_bytes: int = CHUNK_BYTES, page_items: int = transfer.PAGE_ITEMS) -> Progress:
    """Restores the records of the next byte range (whole lines only). ``BadLine`` at the first line that is
    not a record; ``ProjectMissing`` at the end when a mapped project had no records."""
    data, size = artifacts.read_range(progress["key"], progress["offset"], chunk_bytes)
    at_end = progress["offset"] + len(data) >= size
    while not at_end and b"\n" not in data:  # one line longer than the range: read it whole, within bounds
        if len(data) >= MAX_LINE_BYTES:
            raise BadLine(progress["line"], f"longer than {MAX_LINE_BYTES} bytes")
        data, size = artifacts.read_range(progress["key"], progress["offset"], 2 * len(data))
        at_end = progress["offset"] + len(data) >= size
    usable = data if at_end else data[:data.rindex(b"\n") + 1]
    lines = usable.split(b"\n")
    if usable.endswith(b"\n"):
        lines.pop()
    reader = _Reader(progress, page_items)
    for number, raw in enumerate(lines, start=progress["line"]):
        reader.read(number, raw)
    reader.flush()
    done = at_end
    if done:
        missing = sorted(set(progress["projectIdMap"]) - set(reader.seen))
        if missing:
            raise ProjectMissing(f"the file holds no project '{missing[0]}'", field="projectIdMap")
    return Progress(**{**progress, "offset": progress["offset"] + len(usable), "line": progress["line"] + len(lines),
                       "current": reader.current, "seen": reader.seen, "done": done})


class _Reader:
    """The records of one step, by project: pages of a mapped project's records are written as they fill."""

    def __init__(self, progress: Progress, page_items: int) -> None:
        self.tenant, self.job_id = progress["tenantId"], progress["jobId"]
        self.mapping = progress["projectIdMap"]
        self.current, self.seen = progress["current"], list(progress["seen"])
        self.page_items = page_items
        self.page: list[dict[str, Any]] = []

    def read(self, number: int, raw: bytes) -> None:
        record = next(decode([raw], first_line=number), None)
        if record is None:  # a blank line
            return
        if record["entity"] == PROJECT_HEADER:
            self.flush()
            self.current = self._header(number, record)
            return
        if self.current is None:
            raise BadLine(number, "a record before the first project header")
        # A source is not created again (docs/platform.md, "Jobs"): its records are in the copy all the same.
        if self.current not in self.mapping or record["entity"] == SOURCE:
            return
        if not isinstance(record.get("SK"), str) or not record["SK"]:
            raise BadLine(number, "no 'SK' naming the record's place in its project")
        self.page.append(record)
        if len(self.page) >= self.page_items:
            self.flush()

    def _header(self, number: int, record: dict[str, Any]) -> str:
        project_id = record.get("projectId")
        if not isinstance(project_id, str) or not project_id:
            raise BadLine(number, "a project header without 'projectId'")
        if project_id in self.mapping and project_id not in self.seen:
            transfer.claim(self.tenant, self.mapping[project_id], self.job_id)
            self.seen.append(project_id)
        return project_id

    def flush(self) -> None:
        if self.page and self.current is not None:
            transfer.restore_page(self.tenant, self.mapping[self.current], self.job_id, self.page)
        self.page = []


def live_operations(job: dict[str, Any]) -> list[dict[str, Any]]:
    """The flips that make every copy of the import live: committed with the job's settle."""
    return [transfer.live_operation(job["tenant"], target, job["jobId"]) for target in job["projectIdMap"].values()]

