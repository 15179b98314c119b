"""A typed client for every memory route of the API: the request bodies below and the answers' TypedDicts
(``models.py``, generated from ``openapi.json`` by ``python -m cairn_local.sdk_models``) are checked against the
repository's ``openapi.json`` by tests/client/test_sdk.py.

- Every mutating call (POST, PUT, DELETE) carries an ``Idempotency-Key``, generated once per call and reused by
  its retries, so a retry after a lost response never stores twice (docs/auth.md, "Idempotency-Key").
- Timeouts, connection errors, 429 and 5xx are retried a bounded number of times with exponential backoff and
  jitter, honouring ``Retry-After``; an optional deadline caps the whole call (the session-start hook's 3 s).
- ``iter_log`` and ``iter_milestones`` page through the recall views."""

# No `from __future__ import annotations`: TypedDict must see NotRequired to know the optional fields.
import random
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NotRequired, TypedDict, cast
from urllib.parse import quote

import httpx

from cairn_client import models
from cairn_client.errors import ApiError

API = "/api/v1/memory"
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
MUTATING = frozenset({"POST", "PUT", "DELETE"})
PATH_PARAMETERS = ("id", "name", "segment", "provider")  # the template's parameter names
# The transport of clients built without one: a seam for tests that route the SDK to an in-process app.
DEFAULT_TRANSPORT: httpx.BaseTransport | None = None


# --- request bodies, with the API's field names -----------------------------------------------------------------

class CreateProject(TypedDict):
    projectId: str
    name: str
    roadmap: str


class UpdateRoadmap(TypedDict):
    roadmap: str


class CreateBranch(TypedDict):
    branchName: str
    purpose: str
    agentId: str
    parentBranch: NotRequired[str]


class AbandonBranch(TypedDict):
    reason: str


class AppendLog(TypedDict):
    agentId: str
    phase: Literal["observation", "thought", "action"]
    content: str
    branchName: NotRequired[str]


class StoreMilestone(TypedDict):
    branchPurpose: str
    cumulativeProgress: str
    thisContribution: str
    agentId: str
    branchName: NotRequired[str]
    agentType: NotRequired[str]


class MergeBranch(TypedDict):
    sourceBranch: str
    mergeSummary: str
    agentId: str
    targetBranch: NotRequired[str]


class StoreSessionMetrics(TypedDict):
    sessionId: str
    agentId: str
    milestonesRecalled: int
    toolCallsTotal: int
    sessionDurationSecs: int
    startedAt: str
    endedAt: str
    branchName: NotRequired[str]
    agentType: NotRequired[str]
    compactionCount: NotRequired[int]
    toolCallsRead: NotRequired[int]
    toolCallsSearch: NotRequired[int]
    toolCallsEdit: NotRequired[int]
    toolCallsExecute: NotRequired[int]
    toolCallsAgent: NotRequired[int]


class PromoteKnowledge(TypedDict):
    cacheKey: str
    reuseScore: float
    summary: str
    l2Collection: str
    blobKey: NotRequired[str | None]
    summaryEmbedding: NotRequired[list[float] | None]


class SearchProject(TypedDict):
    query: str
    limit: NotRequired[int]


class SearchTenant(TypedDict):
    query: str
    limit: NotRequired[int]
    projectIds: NotRequired[list[str] | None]


class UpsertContributor(TypedDict):
    contributorId: str
    displayName: str
    role: NotRequired[str | None]
    agentIds: NotRequired[list[str] | None]


class IntelligenceQuery(TypedDict):
    question: str
    projectIds: NotRequired[list[str] | None]
    timeRange: NotRequired[str]
    contributorFilter: NotRequired[str | None]
    includeExternalSources: NotRequired[bool]
    contextLimit: NotRequired[int]


class IntelligenceAction(TypedDict):
    action: str
    params: dict[str, Any]


SourceType = Literal["slack", "jira", "confluence", "github"]


class CreateSource(TypedDict):
    sourceId: str
    projectId: str
    sourceType: SourceType
    config: NotRequired[dict[str, Any]]


class UpdateSource(TypedDict, total=False):
    """Partial: only the fields sent change."""
    config: dict[str, Any] | None
    enabled: bool | None
    projectId: str | None
    sourceType: SourceType | None


class PutConnection(TypedDict):
    token: str
    baseUrl: NotRequired[str | None]
    email: NotRequired[str | None]
    webhookSecret: NotRequired[str | None]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    body: type | None = None
    query: tuple[str, ...] = ()
    response: type | None = None  # the TypedDict of its answer (models.py, generated from openapi.json)


# Every memory route: name -> method, path (the template's parameter names), body model, query parameters.
OPERATIONS: dict[str, Operation] = {
    "list_projects": Operation("GET", f"{API}/projects", response=models.ProjectList),
    "create_project": Operation("POST", f"{API}/projects", CreateProject, response=models.Project),
    "get_project": Operation("GET", f"{API}/projects/{{id}}", response=models.Project),
    "delete_project": Operation("DELETE", f"{API}/projects/{{id}}"),
    "update_roadmap": Operation("PUT", f"{API}/projects/{{id}}/roadmap", UpdateRoadmap, response=models.Project),
    "list_branches": Operation("GET", f"{API}/projects/{{id}}/branches", response=models.BranchList),
    "create_branch": Operation("POST", f"{API}/projects/{{id}}/branches", CreateBranch, response=models.Branch),
    "get_branch": Operation("GET", f"{API}/projects/{{id}}/branches/{{name}}", response=models.Branch),
    "abandon_branch": Operation("POST", f"{API}/projects/{{id}}/branches/{{name}}/abandon", AbandonBranch,
                                response=models.Branch),
    "append_log": Operation("POST", f"{API}/projects/{{id}}/log", AppendLog, response=models.LogEntry),
    "store_milestone": Operation("POST", f"{API}/projects/{{id}}/store", StoreMilestone, response=models.Milestone),
    "merge": Operation("POST", f"{API}/projects/{{id}}/merge", MergeBranch, response=models.Merge),
    "put_metadata": Operation("PUT", f"{API}/projects/{{id}}/metadata/{{segment}}", dict,
                              response=models.MetadataSegment),
    "recall": Operation("GET", f"{API}/projects/{{id}}/recall",
                        query=("view", "branch", "milestoneId", "segment", "limit", "offset", "tokens", "query"),
                        response=models.Recall),
    "search_project": Operation("POST", f"{API}/projects/{{id}}/search", SearchProject, response=models.SearchResults),
    "search": Operation("POST", f"{API}/search", SearchTenant, response=models.SearchResults),
    "store_metrics": Operation("POST", f"{API}/projects/{{id}}/metrics", StoreSessionMetrics,
                               response=models.SessionMetrics),
    "metrics_summary": Operation("GET", f"{API}/projects/{{id}}/metrics/summary", response=models.MetricsSummary),
    "promote": Operation("POST", f"{API}/projects/{{id}}/promote", PromoteKnowledge, response=models.Promoted),
    "list_contributors": Operation("GET", f"{API}/contributors", response=models.Contributors),
    "upsert_contributor": Operation("POST", f"{API}/contributors", UpsertContributor, response=models.Contributor),
    "get_contributor": Operation("GET", f"{API}/contributors/{{id}}", response=models.Contributor),
    "delete_contributor": Operation("DELETE", f"{API}/contributors/{{id}}"),
    "contributor_activity": Operation("GET", f"{API}/contributors/{{id}}/activity", query=("limit",),
                                      response=models.ContributorActivity),
    "intelligence_query": Operation("POST", f"{API}/intelligence/query", IntelligenceQuery,
                                    response=models.IntelligenceAnswer),
    "intelligence_action": Operation("POST", f"{API}/intelligence/action", IntelligenceAction,
                                     response=models.ActionResult),
    "list_sources": Operation("GET", f"{API}/sources", response=models.SourceList),
    "create_source": Operation("POST", f"{API}/sources", CreateSource, response=models.Source),
    "update_source": Operation("PUT", f"{API}/sources/{{id}}", UpdateSource, response=models.Source),
    "delete_source": Operation("DELETE", f"{API}/sources/{{id}}"),
    "sync_source": Operation("POST", f"{API}/sources/{{id}}/sync", response=models.SourceStatus),
    "source_status": Operation("GET", f"{API}/sources/{{id}}/status", response=models.SourceStatus),
    "source_records": Operation("GET", f"{API}/sources/{{id}}/records", query=("limit", "offset"),
                                response=models.RecordList),
    "list_connections": Operation("GET", f"{API}/connections", response=models.ConnectionList),
    "put_connection": Operation("PUT", f"{API}/connections/{{provider}}", PutConnection, response=models.Connection),
    "delete_connection": Operation("DELETE", f"{API}/connections/{{provider}}"),
}


class CairnClient:
    """One API, one bearer token. ``retries`` extra attempts after the first; ``deadline`` (a
    ``time.monotonic()`` instant) bounds every call, retries included."""

    def __init__(self, api_url: str, token: str | None, *, timeout: float = 10.0, retries: int = 3,
                 backoff: float = 0.25, deadline: float | None = None, agent: str = "cairn-client",
                 transport: httpx.BaseTransport | None = None) -> None:
        headers = {"User-Agent": agent}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(base_url=api_url.rstrip("/"), headers=headers, timeout=timeout,
                                  transport=transport or DEFAULT_TRANSPORT)
        self.timeout, self.retries, self.backoff, self.deadline = timeout, retries, backoff, deadline

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "CairnClient":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- the transport ---------------------------------------------------------------------------------------

    def call(self, name: str, body: Mapping[str, Any] | None = None, /, *, idempotency_key: str | None = None,
             **params: Any) -> Any:
        """Calls the operation ``name`` with path parameters and query parameters from ``params``."""
        operation = OPERATIONS[name]
        path = operation.path.format(**{key: quote(str(params.pop(key)), safe="")
                                        for key in PATH_PARAMETERS if f"{{{key}}}" in operation.path})
        query = {key: value for key, value in params.items() if key in operation.query and value is not None}
        unknown = set(params) - set(operation.query)
        if unknown:
            raise TypeError(f"{name}: unknown parameters {sorted(unknown)}")
        return self.request(operation.method, path, body, query, idempotency_key=idempotency_key)

    def request(self, method: str, path: str, body: Mapping[str, Any] | None = None,
                query: Mapping[str, Any] | None = None, *, idempotency_key: str | None = None) -> Any:
        headers = {}
        if method in MUTATING:
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        attempt = 0
        while True:
            timeout = self._remaining(self.timeout)
            try:
                response = self._http.request(method, path, json=body, params=query, headers=headers,
                                              timeout=timeout)
            except httpx.TransportError as error:  # timeouts, refused connections, resets
                failure = ApiError(0, "unreachable", f"{type(error).__name__}: {error}")
                retry_after = None
            else:
                if response.status_code < 400:
                    return response.json() if response.content else None
                failure = _error(response)
                if response.status_code not in RETRIED_STATUSES:
                    raise failure
                retry_after = _seconds(response.headers.get("retry-after"))
            delay = retry_after if retry_after is not None else self.backoff * 2**attempt * (0.5 + random.random())  # noqa: S311
            if attempt >= self.retries or self._remaining(delay + 0.05) < delay + 0.05:
                raise failure
            time.sleep(delay)
            attempt += 1

    def _remaining(self, wanted: float) -> float:
        if self.deadline is None:
            return wanted
        return max(0.0, min(wanted, self.deadline - time.monotonic()))

    # --- projects --------------------------------------------------------------------------------------------

    def health(self) -> Any:
        return self.request("GET", "/api/v1/health")

    def list_projects(self) -> list[models.Project]:
        answer = cast(models.ProjectList, self.call("list_projects"))
        return answer["projects"]

    def create_project(self, body: CreateProject) -> models.Project:
        return cast(models.Project, self.call("create_project", body))

    def get_project(self, project: str) -> models.Project:
        return cast(models.Project, self.call("get_project", id=project))

    def delete_project(self, project: str) -> Any:
        return self.call("delete_project", id=project)

    def update_roadmap(self, project: str, body: UpdateRoadmap) -> models.Project:
        return cast(models.Project, self.call("update_roadmap", body, id=project))

    # --- branches, log, milestones ---------------------------------------------------------------------------

    def list_branches(self, project: str) -> models.BranchList:
        return cast(models.BranchList, self.call("list_branches", id=project))

    def create_branch(self, project: str, body: CreateBranch) -> models.Branch:
        return cast(models.Branch, self.call("create_branch", body, id=project))

    def get_branch(self, project: str, branch: str) -> models.Branch:
        return cast(models.Branch, self.call("get_branch", id=project, name=branch))

    def abandon_branch(self, project: str, branch: str, body: AbandonBranch) -> models.Branch:
        return cast(models.Branch, self.call("abandon_branch", body, id=project, name=branch))

    def append_log(self, project: str, body: AppendLog, *, idempotency_key: str | None = None) -> models.LogEntry:
        return cast(models.LogEntry, self.call("append_log", body, idempotency_key=idempotency_key, id=project))

    def store_milestone(self, project: str, body: StoreMilestone) -> models.Milestone:
        return cast(models.Milestone, self.call("store_milestone", body, id=project))

    def merge(self, project: str, body: MergeBranch) -> models.Merge:
        return cast(models.Merge, self.call("merge", body, id=project))

    def put_metadata(self, project: str, segment: str, content: dict[str, Any]) -> models.MetadataSegment:
        return cast(models.MetadataSegment, self.call("put_metadata", content, id=project, segment=segment))

    def recall(self, project: str, view: str = "overview", **params: Any) -> models.Recall:
        return cast(models.Recall, self.call("recall", id=project, view=view, **params))

    def brief(self, project: str, branch: str = "main", *, tokens: int | None = None,
              query: str | None = None) -> models.Recall:
        return self.recall(project, "brief", branch=branch, tokens=tokens, query=query)

    def iter_log(self, project: str, branch: str = "main", *, page_size: int = 100) -> Iterator[models.LogEntry]:
        offset = 0
        while True:
            answer = self.recall(project, "log", branch=branch, limit=page_size, offset=offset)
            entries = answer.get("logEntries") or []
            yield from entries
            offset += len(entries)
            if _last_page(answer, len(entries), offset):
                return

    def iter_milestones(self, project: str, branch: str = "main", *,
                        page_size: int = 100) -> Iterator[models.Milestone]:
        offset = 0
        while True:
            answer = self.recall(project, "branch", branch=branch, limit=page_size, offset=offset)
            milestones = answer.get("milestones") or []
            yield from milestones
            offset += len(milestones)
            if _last_page(answer, len(milestones), offset):
                return

    # --- search, metrics, knowledge, contributors, intelligence ----------------------------------------------

    def search_project(self, project: str, body: SearchProject) -> models.SearchResults:
        return cast(models.SearchResults, self.call("search_project", body, id=project))

    def search(self, body: SearchTenant) -> models.SearchResults:
        return cast(models.SearchResults, self.call("search", body))

    def store_metrics(self, project: str, body: StoreSessionMetrics) -> models.SessionMetrics:
        return cast(models.SessionMetrics, self.call("store_metrics", body, id=project))

    def metrics_summary(self, project: str) -> models.MetricsSummary:
        return cast(models.MetricsSummary, self.call("metrics_summary", id=project))

    def promote(self, project: str, body: PromoteKnowledge) -> models.Promoted:
        return cast(models.Promoted, self.call("promote", body, id=project))

    def list_contributors(self) -> models.Contributors:
        return cast(models.Contributors, self.call("list_contributors"))

    def upsert_contributor(self, body: UpsertContributor) -> models.Contributor:
        return cast(models.Contributor, self.call("upsert_contributor", body))

    def get_contributor(self, contributor: str) -> models.Contributor:
        return cast(models.Contributor, self.call("get_contributor", id=contributor))

    def delete_contributor(self, contributor: str) -> Any:
        return self.call("delete_contributor", id=contributor)

    def contributor_activity(self, contributor: str, *, limit: int | None = None) -> models.ContributorActivity:
        return cast(models.ContributorActivity, self.call("contributor_activity", id=contributor, limit=limit))

    def intelligence_query(self, body: IntelligenceQuery) -> models.IntelligenceAnswer:
        return cast(models.IntelligenceAnswer, self.call("intelligence_query", body))

    def intelligence_action(self, body: IntelligenceAction) -> models.ActionResult:
        return cast(models.ActionResult, self.call("intelligence_action", body))

    # --- sources and connections -----------------------------------------------------------------------------

    def list_sources(self) -> models.SourceList:
        return cast(models.SourceList, self.call("list_sources"))

    def create_source(self, body: CreateSource) -> models.Source:
        return cast(models.Source, self.call("create_source", body))

    def update_source(self, source: str, body: UpdateSource) -> models.Source:
        return cast(models.Source, self.call("update_source", body, id=source))

    def delete_source(self, source: str) -> Any:
        return self.call("delete_source", id=source)

    def sync_source(self, source: str) -> models.SourceStatus:
        return cast(models.SourceStatus, self.call("sync_source", id=source))

    def source_status(self, source: str) -> models.SourceStatus:
        return cast(models.SourceStatus, self.call("source_status", id=source))

    def source_records(self, source: str, *, limit: int | None = None,
                       offset: int | None = None) -> models.RecordList:
        return cast(models.RecordList, self.call("source_records", id=source, limit=limit, offset=offset))

    def list_connections(self) -> models.ConnectionList:
        return cast(models.ConnectionList, self.call("list_connections"))

    def put_connection(self, provider: str, body: PutConnection) -> models.Connection:
        return cast(models.Connection, self.call("put_connection", body, provider=provider))

    def delete_connection(self, provider: str) -> Any:
        return self.call("delete_connection", provider=provider)


def _last_page(answer: models.Recall, returned: int, offset: int) -> bool:
    page = answer.get("page")
    return not returned or offset >= (page["total"] if page else 0)


def _error(response: httpx.Response) -> ApiError:
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {}
    return ApiError(response.status_code, str(error.get("code", "http_error")),
                    str(error.get("message", response.text[:200])), error.get("field"),
                    response.headers.get("x-correlation-id"))


def _seconds(value: str | None) -> float | None:
    try:
        return min(float(value), 30.0) if value else None
    except ValueError:
        return None
