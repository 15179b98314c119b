"""The brief: the best context for starting work on a branch, as markdown within a token budget
(docs/agents.md, "The brief").

Sections come most useful first; each item is capped so that no single one eats the budget, and items are
added in order until the next one does not fit: that one is cut to the room left (when enough is left for it
to say something) and the brief ends there. So a brief is never over its budget, and a smaller budget keeps a
prefix of a larger one's brief."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cairn.agents.domain.tokens import BYTES_PER_TOKEN, cut, estimate

TOKENS_DEFAULT, TOKENS_MIN, TOKENS_MAX = 1_500, 100, 8_000
MIN_CUT_TOKENS = 16  # an item cut shorter than this says nothing useful: it is left out instead

# How much each kind of item may hold (characters) before it is cut with an ellipsis.
ROADMAP_HEAD_CHARS = 600
PURPOSE_CHARS = 400
PROGRESS_CHARS = 2_000
CONTRIBUTION_CHARS = 400
HIT_CHARS = 300
SIBLING_CHARS = 160
LOG_CHARS = 200

# How many items of each kind the service reads for a brief.
CONTRIBUTIONS = 5
SIBLINGS = 8
LOG_ENTRIES = 8
HITS = 5


@dataclass(frozen=True)
class Statement:
    text: str
    milestone_id: str | None = None  # the milestone it reports, counted in milestonesRecalled


@dataclass(frozen=True)
class Section:
    title: str
    statements: list[Statement]


@dataclass(frozen=True)
class Sources:
    """What a brief is assembled from: wire shapes, lists newest first."""

    project_id: str
    roadmap: str
    branch: dict[str, Any]
    milestones: list[dict[str, Any]]
    branches: list[dict[str, Any]] = field(default_factory=list)
    log: list[dict[str, Any]] = field(default_factory=list)
    query: str | None = None
    hits: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Brief:
    markdown: str
    tokens: int
    milestone_ids: list[str]

    def to_wire(self) -> dict[str, Any]:
        return {"view": "brief", "brief": self.markdown, "tokens": self.tokens,
                "milestonesRecalled": len(self.milestone_ids), "milestoneIds": self.milestone_ids}


def one_line(text: str, chars: int) -> str:
    """``text`` on one line (runs of whitespace become one space), at most ``chars`` characters."""
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= chars else flat[:chars - 1].rstrip() + "…"


def _day(timestamp: str) -> str:
    return timestamp[:10]


def _roadmap(sources: Sources) -> Section:
    head = one_line(sources.roadmap, ROADMAP_HEAD_CHARS)
    return Section("Roadmap", [Statement(head)] if head else [])


def _branch(sources: Sources) -> Section:
    branch = sources.branch
    parent = f", from `{branch['parentBranch']}`" if branch.get("parentBranch") else ""
    status = branch.get("status", "active")
    closed = f" ({one_line(branch['abandonReason'], PURPOSE_CHARS)})" if branch.get("abandonReason") else ""
    purpose = one_line(branch.get("purpose") or "", PURPOSE_CHARS) or "no purpose recorded"
    return Section("Branch", [Statement(f"`{branch['branchName']}` is {status}{closed}{parent}. Purpose: {purpose}")])


def _progress(sources: Sources) -> Section:
    if not sources.milestones:
        return Section("Progress", [Statement("No milestone on this branch yet.")])
    latest = sources.milestones[0]
    said = (f"As of milestone {latest['sequenceNumber']} ({_day(latest['createdAt'])}, `{latest['agentId']}`): "
            f"{one_line(latest['cumulativeProgress'], PROGRESS_CHARS)}")
    return Section("Progress", [Statement(said, latest["milestoneId"])])


def _milestone_line(milestone: dict[str, Any], chars: int, *, branch: bool = False) -> Statement:
    where = f"`{milestone['branchName']}` " if branch else ""
    return Statement(f"- {where}{_day(milestone['createdAt'])} `{milestone['agentId']}`: "
                     f"{one_line(milestone['thisContribution'], chars)}", milestone["milestoneId"])


def _hits(sources: Sources) -> Section:
    if not sources.query:
        return Section("", [])
    shown = {milestone["milestoneId"] for milestone in sources.milestones}
    hits = [hit for hit in sources.hits if hit["milestoneId"] not in shown][:HITS]
    statements = [_milestone_line(hit, HIT_CHARS, branch=True) for hit in hits]
    title = f"Search: {one_line(sources.query, 80)}"
    return Section(title, statements or [Statement("No other milestone matches.")])


def _contributions(sources: Sources) -> Section:
    return Section("Newest contributions",
                   [_milestone_line(milestone, CONTRIBUTION_CHARS) for milestone in sources.milestones[:CONTRIBUTIONS]])


def _siblings(sources: Sources) -> Section:
    name = sources.branch["branchName"]
    open_ = [branch for branch in sources.branches if branch["status"] == "active" and branch["branchName"] != name]
    return Section("Open branches", [
        Statement(f"- `{branch['branchName']}`: {one_line(branch.get('purpose') or '', SIBLING_CHARS)}")
        for branch in open_[:SIBLINGS]])


def _log(sources: Sources) -> Section:
    return Section("Recent log", [
        Statement(f"- {entry['phase']} (`{entry['agentId']}`): {one_line(entry.get('content') or '', LOG_CHARS)}")
        for entry in sources.log[:LOG_ENTRIES]])


def sections(sources: Sources) -> list[Section]:
    """The brief's sections, most useful first: where the work stands before what surrounds it, and what the
    caller asked for (``query``) right after where it stands."""
    return [_branch(sources), _progress(sources), _hits(sources), _contributions(sources), _roadmap(sources),
            _siblings(sources), _log(sources)]


def assemble(title: str, parts: list[Section], budget: int) -> Brief:
    """The markdown of ``parts`` under ``title``, never estimated over ``budget`` tokens."""
    room = budget * BYTES_PER_TOKEN
    lines: list[str] = []
    ids: list[str] = []

    def add(line: str) -> bool:
        nonlocal room
        cost = len(line.encode("utf-8")) + (1 if lines else 0)  # the newline joining it to the brief
        if cost > room:
            return False
        lines.append(line)
        room -= cost
        return True

    if not add(cut(title, budget)):
        return Brief("", 0, [])
    for section in parts:
        for index, statement in enumerate(section.statements):
            heading = f"\n## {section.title}\n" if index == 0 else ""
            if add(heading + statement.text):
                _count(ids, statement)
                continue
            left = room // BYTES_PER_TOKEN - estimate(heading) - 1  # tokens left for the cut statement
            if left >= MIN_CUT_TOKENS and add(heading + cut(statement.text, left)):
                _count(ids, statement)
            return _finished(lines, ids)
    return _finished(lines, ids)


def _finished(lines: list[str], ids: list[str]) -> Brief:
    markdown = "\n".join(lines)
    return Brief(markdown, estimate(markdown), ids)


def _count(ids: list[str], statement: Statement) -> None:
    if statement.milestone_id and statement.milestone_id not in ids:
        ids.append(statement.milestone_id)


def brief(sources: Sources, budget: int) -> Brief:
    branch = sources.branch["branchName"]
    return assemble(f"# Cairn brief: project `{sources.project_id}`, branch `{branch}`", sections(sources), budget)
