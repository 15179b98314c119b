"""The brief's pure rules: the token estimate, the sections' order, the budget (cairn.agents.domain)."""

from __future__ import annotations

from typing import Any

import pytest

from cairn.agents.domain import brief as briefs
from cairn.agents.domain.tokens import cut, estimate


def milestone(seq: int, *, branch: str = "feature/auth", text: str = "", progress: str = "") -> dict[str, Any]:
    return {"milestoneId": f"ms-{branch}-{seq}", "sequenceNumber": seq, "branchName": branch,
            "createdAt": f"2026-12-0{seq % 9 + 1}T10:00:00Z", "agentId": "claude-code-1",
            "cumulativeProgress": progress or f"progress up to {seq}", "thisContribution": text or f"did step {seq}"}


def sources(count: int = 5, **overrides: Any) -> briefs.Sources:
    fields: dict[str, Any] = {
        "project_id": "synapse", "roadmap": "Ship the auth service.\n\nThen billing.",
        "branch": {"branchName": "feature/auth", "status": "active", "parentBranch": "main",
                   "purpose": "JWT login for the API"},
        "milestones": [milestone(seq) for seq in range(count, 0, -1)],
        "branches": [{"branchName": "main", "status": "active", "purpose": "mainline"},
                     {"branchName": "feature/auth", "status": "active", "purpose": "JWT login for the API"},
                     {"branchName": "spike/cache", "status": "abandoned", "purpose": "cache spike"},
                     {"branchName": "feature/billing", "status": "active", "purpose": "Stripe invoices"}],
        "log": [{"phase": "action", "agentId": "claude-code-1", "content": "ran pytest: 3 failed"}],
    }
    return briefs.Sources(**{**fields, **overrides})


def test_the_estimate_is_utf8_bytes_over_three_rounded_up() -> None:
    assert [estimate(""), estimate("abc"), estimate("abcd"), estimate("é"), estimate("日本")] == [0, 1, 2, 1, 2]


@pytest.mark.parametrize("tokens", [1, 5, 17, 100])
def test_a_cut_text_fits_and_says_it_was_cut(tokens: int) -> None:
    text = "naïve café 日本語 " * 200
    shortened = cut(text, tokens)
    assert estimate(shortened) <= tokens
    assert shortened == "" or shortened.endswith("…")
    assert text.startswith(shortened.removesuffix("…"))


def test_a_text_that_fits_is_not_cut() -> None:
    assert cut("short", 10) == "short"


def test_the_sections_come_most_useful_first_and_say_the_facts() -> None:
    made = briefs.brief(sources(query=None), briefs.TOKENS_DEFAULT)
    text = made.markdown
    order = ["## Branch", "## Progress", "## Newest contributions", "## Roadmap", "## Open branches", "## Recent log"]
    assert [text.index(title) for title in order] == sorted(text.index(title) for title in order)
    assert "`feature/auth` is active, from `main`. Purpose: JWT login for the API" in text
    assert "As of milestone 5 (2026-12-06, `claude-code-1`): progress up to 5" in text
    assert "Ship the auth service. Then billing." in text
    assert "- `feature/billing`: Stripe invoices" in text
    assert "- `main`: mainline" in text
    assert "spike/cache" not in text  # closed branches are not open siblings
    assert "- action (`claude-code-1`): ran pytest: 3 failed" in text
    assert "## Search" not in text


def test_milestones_recalled_are_those_the_brief_shows() -> None:
    made = briefs.brief(sources(count=8), briefs.TOKENS_DEFAULT)
    assert made.milestone_ids == [f"ms-feature/auth-{seq}" for seq in (8, 7, 6, 5, 4)]  # CONTRIBUTIONS newest
    assert made.to_wire()["milestonesRecalled"] == 5


@pytest.mark.parametrize("budget", [briefs.TOKENS_MIN, 150, 333, 1_000, briefs.TOKENS_DEFAULT, briefs.TOKENS_MAX])
def test_a_brief_is_never_over_its_budget(budget: int) -> None:
    big = [milestone(seq, text="x" * 5_000 + " 日本", progress="é" * 20_000) for seq in range(5, 0, -1)]
    made = briefs.brief(sources(milestones=big, roadmap="r" * 50_000), budget)
    assert made.tokens == estimate(made.markdown) <= budget
    assert made.markdown.startswith("# Cairn brief: project `synapse`, branch `feature/auth`")


def test_a_tight_budget_keeps_the_most_useful_part_and_cuts_the_next() -> None:
    made = briefs.brief(sources(milestones=[milestone(1, progress="long story " * 500)]), briefs.TOKENS_MIN)
    assert "## Branch" in made.markdown
    assert "## Progress" in made.markdown
    assert made.markdown.endswith("…")
    assert "## Roadmap" not in made.markdown
    assert made.milestone_ids == ["ms-feature/auth-1"]


def test_a_branch_without_milestones_says_so() -> None:
    made = briefs.brief(sources(count=0), briefs.TOKENS_DEFAULT)
    assert "No milestone on this branch yet." in made.markdown
    assert made.milestone_ids == []


def test_search_hits_follow_the_progress_and_leave_out_what_the_brief_shows() -> None:
    hits = [milestone(5), milestone(2, branch="main", text="JWT secret rotation")]
    made = briefs.brief(sources(query="jwt rotation", hits=hits), briefs.TOKENS_DEFAULT)
    text = made.markdown
    assert text.index("## Progress") < text.index("## Search: jwt rotation") < text.index("## Newest contributions")
    assert "- `main` 2026-12-03 `claude-code-1`: JWT secret rotation" in text
    assert text.count("did step 5") == 1
    assert "ms-main-2" in made.milestone_ids


def test_a_query_without_other_hits_says_so() -> None:
    made = briefs.brief(sources(query="nothing", hits=[]), briefs.TOKENS_DEFAULT)
    assert "## Search: nothing\nNo other milestone matches." in made.markdown


def test_long_items_are_capped_so_none_eats_the_budget() -> None:
    made = briefs.brief(sources(milestones=[milestone(1, text="word " * 1_000)]), briefs.TOKENS_MAX)
    line = next(line for line in made.markdown.splitlines() if line.startswith("- 2026"))
    assert len(line) < briefs.CONTRIBUTION_CHARS + 40
    assert line.endswith("…")


def test_the_log_highlights_hold_all_the_brief_shows_of_the_log():
    from cairn.memory.domain import logs

    assert briefs.LOG_ENTRIES <= logs.HIGHLIGHTS
    # A highlight keeps more than the brief shows, so that the brief still cuts a longer entry with its ellipsis.
    assert briefs.LOG_CHARS < logs.HIGHLIGHT_CHARS
