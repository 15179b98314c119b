"""The MCP tools (docs/agents.md, "MCP server", "Tools"): the GCC verbs over the same use cases as the REST routes, with
the REST API's field names and limits. A tool's failure is an MCP tool error carrying the API's code and
message; every result stays under RESULT_TOKENS_MAX."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any, Literal, ParamSpec

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from pydantic import Field, TypeAdapter, ValidationError

from cairn.agents.api import caller
from cairn.agents.api.once import once
from cairn.agents.domain.brief import TOKENS_DEFAULT, TOKENS_MAX, TOKENS_MIN
from cairn.agents.domain.tokens import cut
from cairn.agents.service import brief
from cairn.core import limits
from cairn.core.errors import CairnError, InvalidInput
from cairn.http.fields import (
    AbandonReason,
    AgentId,
    AgentType,
    BranchName,
    BranchPurpose,
    CumulativeProgress,
    LogContent,
    MergeSummary,
    NonEmptyBranchPurpose,
    ProjectId,
    SegmentName,
    ThisContribution,
)
from cairn.insights.service import knowledge
from cairn.memory.service import branches, logs, milestones, recall
from cairn.memory.service.branches import DEFAULT_BRANCH
from cairn.search.service import milestones as search

RESULT_TOKENS_MAX = 10_000
_CUT_NOTE = "\n… [cut: a tool result stays under 10,000 tokens; ask for less (limit, tokens, a narrower view)]"
REMEMBER_COLLECTION = "cairn_remember"  # the l2Collection of facts stored by cairn_remember

P = ParamSpec("P")
ProjectArg = Annotated[ProjectId | None, Field(description="Defaults to the x-cairn-project header.")]
SearchText = Annotated[str, Field(min_length=1, max_length=limits.SEARCH_QUERY_MAX)]
_PROJECT_ID: TypeAdapter[str] = TypeAdapter(ProjectId)


def _answer(result: Any) -> str:
    text = result if isinstance(result, str) else json.dumps(result, ensure_ascii=False, separators=(",", ":"))
    return cut(text, RESULT_TOKENS_MAX, _CUT_NOTE)


def _tool(fn: Callable[P, Any]) -> Callable[P, str]:
    """A tool body: Cairn's errors become tool errors with the API's code and message; results are capped."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> str:
        try:
            return _answer(fn(*args, **kwargs))
        except CairnError as error:
            raise ToolError(f"{error.code}: {error.message}") from error

    return run


def _reader(project_id: str | None) -> tuple[str, str]:
    """The caller's tenant and the project: the argument, else the x-cairn-project header (never guessed)."""
    who = caller.current.get()
    if project_id:
        return who.principal.tenant, project_id
    if not who.project:
        raise InvalidInput(f"no project: pass projectId, or set the {caller.PROJECT_HEADER} header in the MCP "
                           "server's configuration (`cairn install` does)", field="projectId")
    try:  # the header is checked as the argument is
        return who.principal.tenant, _PROJECT_ID.validate_python(who.project)
    except ValidationError as invalid:
        raise InvalidInput(f"{caller.PROJECT_HEADER}: {invalid.errors()[0]['msg']}",
                           field=caller.PROJECT_HEADER) from invalid


@_tool
def cairn_context(view: Literal["brief", "overview", "branch", "milestone", "log", "metadata"] = "brief",
                  branchName: BranchName = DEFAULT_BRANCH,  # noqa: N803 - the API's names
                  tokens: Annotated[int, Field(ge=TOKENS_MIN, le=TOKENS_MAX)] = TOKENS_DEFAULT,
                  query: SearchText | None = None, milestoneId: str | None = None,  # noqa: N803
                  segment: SegmentName | None = None,
                  limit: Annotated[int, Field(ge=1, le=limits.PAGE_LIMIT_MAX)] | None = None,
                  offset: Annotated[int, Field(ge=0)] = 0, projectId: ProjectArg = None) -> Any:  # noqa: N803
    tenant, project = _reader(projectId)
    if view == "brief":
        return brief.brief(tenant, project, branchName, tokens=tokens, query=query)["brief"]
    return recall.recall(tenant, project, view, branch=branchName, milestone_id=milestoneId, segment=segment,
                         limit=limit, offset=offset, fit=lambda entries: entries)


@_tool
@once  # the writer roles of the REST routes, and a retried call runs once
def cairn_commit(branchPurpose: BranchPurpose, cumulativeProgress: CumulativeProgress,  # noqa: N803
                 thisContribution: ThisContribution, agentId: AgentId,  # noqa: N803
                 branchName: BranchName = DEFAULT_BRANCH, agentType: AgentType = "custom",  # noqa: N803
                 projectId: ProjectArg = None) -> Any:  # noqa: N803
    tenant, project = _reader(projectId)
    fields = {"branchPurpose": branchPurpose, "cumulativeProgress": cumulativeProgress,
              "thisContribution": thisContribution, "agentId": agentId, "agentType": agentType}
    stored, deduplicated = milestones.store(tenant, project, branchName, fields)
    return {"milestoneId": stored["milestoneId"], "branchName": branchName,
            "sequenceNumber": stored["sequenceNumber"], "deduplicated": deduplicated}


@_tool
@once  # the writer roles of the REST routes, and a retried call runs once
def cairn_log(phase: Literal["observation", "thought", "action"], content: LogContent, agentId: AgentId,  # noqa: N803
              branchName: BranchName = DEFAULT_BRANCH, projectId: ProjectArg = None) -> Any:  # noqa: N803
    tenant, project = _reader(projectId)
    return logs.append(tenant, project, branchName, agentId, phase, content)


@_tool
@once  # the writer roles of the REST routes, and a retried call runs once
def cairn_branch(branchName: BranchName, action: Literal["create", "abandon"] = "create",  # noqa: N803
                 purpose: NonEmptyBranchPurpose | None = None, agentId: AgentId | None = None,  # noqa: N803
                 parentBranch: BranchName = DEFAULT_BRANCH, reason: AbandonReason | None = None,  # noqa: N803
                 projectId: ProjectArg = None) -> Any:  # noqa: N803
    tenant, project = _reader(projectId)
    if action == "abandon":
        if reason is None:
            raise InvalidInput("reason is required to abandon a branch", field="reason")
        return branches.abandon(tenant, project, branchName, reason)
    if purpose is None or agentId is None:
        raise InvalidInput("purpose and agentId are required to create a branch",
                           field="purpose" if purpose is None else "agentId")
    return branches.create(tenant, project, branchName, parentBranch, purpose, agentId)


@_tool
@once  # the writer roles of the REST routes, and a retried call runs once
def cairn_merge(sourceBranch: BranchName, mergeSummary: MergeSummary, agentId: AgentId,  # noqa: N803
                targetBranch: BranchName = DEFAULT_BRANCH, projectId: ProjectArg = None) -> Any:  # noqa: N803
    tenant, project = _reader(projectId)
    return milestones.merge(tenant, project, sourceBranch, targetBranch, mergeSummary, agentId)


def _hit(milestone: dict[str, Any]) -> dict[str, Any]:
    keys = ("projectId", "branchName", "milestoneId", "agentId", "createdAt", "thisContribution")
    return {key: milestone[key] for key in keys}


@_tool
def cairn_search(query: SearchText, allProjects: bool = False,  # noqa: N803
                 limit: Annotated[int, Field(ge=1, le=limits.PROJECT_SEARCH_LIMIT_MAX)] = 10,
                 projectId: ProjectArg = None) -> Any:  # noqa: N803
    if allProjects:
        tenant = caller.current.get().principal.tenant
        found = search.across_projects(tenant, None, query, limit)
    else:
        tenant, project = _reader(projectId)
        found = search.in_project(tenant, project, query, limit)
    return {"query": query, "count": len(found), "milestones": [_hit(milestone) for milestone in found]}


@_tool
@once  # the writer roles of the REST routes, and a retried call runs once
def cairn_remember(summary: Annotated[str, Field(min_length=1, max_length=limits.KNOWLEDGE_SUMMARY_MAX)],
                   projectId: ProjectArg = None) -> Any:  # noqa: N803
    tenant, project = _reader(projectId)
    # The fact is its own cache key: remembering it again updates the same knowledge instead of adding one.
    key = "fact:" + hashlib.sha256(summary.encode("utf-8")).hexdigest()
    return knowledge.promote(tenant, project, {"cacheKey": key, "reuseScore": 1.0, "summary": summary,
                                               "l2Collection": REMEMBER_COLLECTION, "blobKey": None,
                                               "summaryEmbedding": None})


_DESCRIPTIONS: dict[Callable[..., str], str] = {
    cairn_context: "Recall project memory. view=brief (default): a token-budgeted brief of branchName; "
                   "add query to include search hits. Other views as the REST recall route.",
    cairn_commit: "Store a milestone (a checkpoint of progress) on branchName.",
    cairn_log: "Append an observation, thought or action to the branch's log.",
    cairn_branch: "Create a branch (purpose, agentId) or abandon one (action=abandon, reason).",
    cairn_merge: "Merge sourceBranch into targetBranch with a summary; closes the source.",
    cairn_search: "Search milestones of the project, or of all projects (allProjects).",
    cairn_remember: "Remember a durable fact as searchable project knowledge.",
}


def slim(schema: Any) -> Any:
    """An argument schema as the model needs it, in fewer tokens: no generated titles, and an optional
    argument as its type alone (it is not required, and None is its default). Arguments are still validated
    against the full signature."""
    if isinstance(schema, list):
        return [slim(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    kept = {key: slim(value) for key, value in schema.items() if key != "title" and value is not None}
    options = kept.get("anyOf")
    if isinstance(options, list) and {"type": "null"} in options:
        rest = [option for option in options if option != {"type": "null"}]
        del kept["anyOf"]
        kept.update(rest[0] if len(rest) == 1 else {"anyOf": rest})
    return kept


def _tool_of(fn: Callable[..., str], description: str) -> Tool:
    tool = Tool.from_function(fn, description=description, structured_output=False)
    tool.parameters = {**slim(tool.parameters), "properties": {
        name: slim(value) for name, value in tool.parameters["properties"].items()}}
    return tool


def build_server() -> MCPServer:
    return MCPServer("cairn", instructions="Cairn: memory for coding agents. The project is configured; "
                                           "do not invent a projectId.",
                     tools=[_tool_of(fn, description) for fn, description in _DESCRIPTIONS.items()])
