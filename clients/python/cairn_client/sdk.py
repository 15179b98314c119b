"""A typed client for every memory route of the API (the request bodies below are checked against the repository's
``openapi.json`` by tests/client/test_sdk_contract.py).

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
from typing import Any, Literal, NotRequired, TypedDict
from urllib.parse import quote

import httpx

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


# Every memory route: name -> method, path (the template's parameter names), body model, query parameters.
OPERATIONS: dict[str, Operation] = {
    "list_projects": Operation("GET", f"{API}/projects"),
    "create_project": Operation("POST", f"{API}/projects", CreateProject),
    "get_project": Operation("GET", f"{API}/projects/{{id}}"),
    "delete_project": Operation("DELETE", f"{API}/projects/{{id}}"),
    "update_roadmap": Operation("PUT", f"{API}/projects/{{id}}/roadmap", UpdateRoadmap),
    "list_branches": Operation("GET", f"{API}/projects/{{id}}/branches"),
    "create_branch": Operation("POST", f"{API}/projects/{{id}}/branches", CreateBranch),
    "get_branch": Operation("GET", f"{API}/projects/{{id}}/branches/{{name}}"),
    "abandon_branch": Operation("POST", f"{API}/projects/{{id}}/branches/{{name}}/abandon", AbandonBranch),
    "append_log": Operation("POST", f"{API}/projects/{{id}}/log", AppendLog),
    "store_milestone": Operation("POST", f"{API}/projects/{{id}}/store", StoreMilestone),
    "merge": Operation("POST", f"{API}/projects/{{id}}/merge", MergeBranch),
    "put_metadata": Operation("PUT", f"{API}/projects/{{id}}/metadata/{{segment}}", dict),
    "recall": Operation("GET", f"{API}/projects/{{id}}/recall",
                        query=("view", "branch", "milestoneId", "segment", "limit", "offset", "tokens", "query")),
    "search_project": Operation("POST", f"{API}/projects/{{id}}/search", SearchProject),
    "search": Operation("POST", f"{API}/search", SearchTenant),
    "store_metrics": Operation("POST", f"{API}/projects/{{id}}/metrics", StoreSessionMetrics),
    "metrics_summary": Operation("GET", f"{API}/projects/{{id}}/metrics/summary"),
    "promote": Operation("POST", f"{API}/projects/{{id}}/promote", PromoteKnowledge),
    "list_contributors": Operation("GET", f"{API}/contributors"),
    "upsert_contributor": Operation("POST", f"{API}/contributors", UpsertContributor),
    "get_contributor": Operation("GET", f"{API}/contributors/{{id}}"),
    "delete_contributor": Operation("DELETE", f"{API}/contributors/{{id}}"),
    "contributor_activity": Operation("GET", f"{API}/contributors/{{id}}/activity", query=("limit",)),
    "intelligence_query": Operation("POST", f"{API}/intelligence/query", IntelligenceQuery),
    "intelligence_action": Operation("POST", f"{API}/intelligence/action", IntelligenceAction),
    "list_sources": Operation("GET", f"{API}/sources"),
    "create_source": Operation("POST", f"{API}/sources", CreateSource),
    "update_source": Operation("PUT", f"{API}/sources/{{id}}", UpdateSource),
    "delete_source": Operation("DELETE", f"{API}/sources/{{id}}"),
    "sync_source": Operation("POST", f"{API}/sources/{{id}}/sync"),
    "source_status": Operation("GET", f"{API}/sources/{{id}}/status"),
    "source_records": Operation("GET", f"{API}/sources/{{id}}/records", query=("limit", "offset")),
    "list_connections": Operation("GET", f"{API}/connections"),
    "put_connection": Operation("PUT", f"{API}/connections/{{provider}}", PutConnection),
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

    def list_projects(self) -> list[dict[str, Any]]:
        return list(self.call("list_projects")["projects"])

    def create_project(self, body: CreateProject) -> dict[str, Any]:
        return dict(self.call("create_project", body))

    def get_project(self, project: str) -> dict[str, Any]:
        return dict(self.call("get_project", id=project))

    def delete_project(self, project: str) -> Any:
        return self.call("delete_project", id=project)

    def update_roadmap(self, project: str, body: UpdateRoadmap) -> dict[str, Any]:
        return dict(self.call("update_roadmap", body, id=project))

    # --- branches, log, milestones ---------------------------------------------------------------------------

    def list_branches(self, project: str) -> dict[str, Any]:
        return dict(self.call("list_branches", id=project))

    def create_branch(self, project: str, body: CreateBranch) -> dict[str, Any]:
        return dict(self.call("create_branch", body, id=project))

    def get_branch(self, project: str, branch: str) -> dict[str, Any]:
        return dict(self.call("get_branch", id=project, name=branch))

    def abandon_branch(self, project: str, branch: str, body: AbandonBranch) -> dict[str, Any]:
        return dict(self.call("abandon_branch", body, id=project, name=branch))

    def append_log(self, project: str, body: AppendLog, *, idempotency_key: str | None = None) -> dict[str, Any]:
        return dict(self.call("append_log", body, idempotency_key=idempotency_key, id=project))

    def store_milestone(self, project: str, body: StoreMilestone) -> dict[str, Any]:
        return dict(self.call("store_milestone", body, id=project))

    def merge(self, project: str, body: MergeBranch) -> dict[str, Any]:
        return dict(self.call("merge", body, id=project))

    def put_metadata(self, project: str, segment: str, content: dict[str, Any]) -> dict[str, Any]:
        return dict(self.call("put_metadata", content, id=project, segment=segment))

    def recall(self, project: str, view: str = "overview", **params: Any) -> dict[str, Any]:
        return dict(self.call("recall", id=project, view=view, **params))

    def brief(self, project: str, branch: str = "main", *, tokens: int | None = None,
              query: str | None = None) -> dict[str, Any]:
        return self.recall(project, "brief", branch=branch, tokens=tokens, query=query)

    def iter_log(self, project: str, branch: str = "main", *, page_size: int = 100) -> Iterator[dict[str, Any]]:
        yield from self._pages(project, "log", "logEntries", branch, page_size)

    def iter_milestones(self, project: str, branch: str = "main", *,
                        page_size: int = 100) -> Iterator[dict[str, Any]]:
        yield from self._pages(project, "branch", "milestones", branch, page_size)

    def _pages(self, project: str, view: str, key: str, branch: str, page_size: int) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            answer = self.recall(project, view, branch=branch, limit=page_size, offset=offset)
            items = answer.get(key) or []
            yield from items
            offset += len(items)
            if not items or offset >= answer.get("page", {}).get("total", 0):
                return

    # --- search, metrics, knowledge, contributors, intelligence ----------------------------------------------

    def search_project(self, project: str, body: SearchProject) -> dict[str, Any]:
        return dict(self.call("search_project", body, id=project))

    def search(self, body: SearchTenant) -> dict[str, Any]:
        return dict(self.call("search", body))

    def store_metrics(self, project: str, body: StoreSessionMetrics) -> dict[str, Any]:
        return dict(self.call("store_metrics", body, id=project))

    def metrics_summary(self, project: str) -> dict[str, Any]:
        return dict(self.call("metrics_summary", id=project))

    def promote(self, project: str, body: PromoteKnowledge) -> dict[str, Any]:
        return dict(self.call("promote", body, id=project))

    def list_contributors(self) -> dict[str, Any]:
        return dict(self.call("list_contributors"))

    def upsert_contributor(self, body: UpsertContributor) -> dict[str, Any]:
        return dict(self.call("upsert_contributor", body))

    def get_contributor(self, contributor: str) -> dict[str, Any]:
        return dict(self.call("get_contributor", id=contributor))

    def delete_contributor(self, contributor: str) -> Any:
        return self.call("delete_contributor", id=contributor)

    def contributor_activity(self, contributor: str, *, limit: int | None = None) -> dict[str, Any]:
        return dict(self.call("contributor_activity", id=contributor, limit=limit))

    def intelligence_query(self, body: IntelligenceQuery) -> dict[str, Any]:
        return dict(self.call("intelligence_query", body))

    def intelligence_action(self, body: IntelligenceAction) -> dict[str, Any]:
        return dict(self.call("intelligence_action", body))

    # --- sources and connections -----------------------------------------------------------------------------

    def list_sources(self) -> dict[str, Any]:
        return dict(self.call("list_sources"))

    def create_source(self, body: CreateSource) -> dict[str, Any]:
        return dict(self.call("create_source", body))

    def update_source(self, source: str, body: UpdateSource) -> dict[str, Any]:
        return dict(self.call("update_source", body, id=source))

    def delete_source(self, source: str) -> Any:
        return self.call("delete_source", id=source)

    def sync_source(self, source: str) -> dict[str, Any]:
        return dict(self.call("sync_source", id=source))

    def source_status(self, source: str) -> dict[str, Any]:
        return dict(self.call("source_status", id=source))

    def source_records(self, source: str, *, limit: int | None = None,
                       offset: int | None = None) -> dict[str, Any]:
        return dict(self.call("source_records", id=source, limit=limit, offset=offset))

    def list_connections(self) -> dict[str, Any]:
        return dict(self.call("list_connections"))

    def put_connection(self, provider: str, body: PutConnection) -> dict[str, Any]:
        return dict(self.call("put_connection", body, provider=provider))

    def delete_connection(self, provider: str) -> Any:
        return self.call("delete_connection", provider=provider)


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
