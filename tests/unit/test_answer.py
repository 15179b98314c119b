"""The pure side of intelligence answers: excerpts, sources and the local extractive answerer."""

from __future__ import annotations

import re

import pytest

from cairn.insights.domain.answer import (
    ELLIPSIS,
    EXCERPT_MAX,
    PASSAGE_MAX,
    ExtractiveAnswerer,
    Source,
    excerpt,
    no_match_answer,
    passage_limit,
    sentences,
    source_from,
)


def _source(number: int, text: str, *, kind: str = "milestone", project: str = "synapse-backend") -> Source:
    return Source(kind=kind, source_id=f"ms-{number}", project_id=project, branch_name="feature-auth",
                  created_at="2026-02-08T10:00:00Z", excerpt=text, passage=text)


def test_sentences_split_on_end_marks_and_lines() -> None:
    text = "Added JWT middleware. Wired RBAC!  Is it done? Yes\n- bullet one\n\n- bullet two"
    assert sentences(text) == ["Added JWT middleware.", "Wired RBAC!", "Is it done?", "Yes", "- bullet one",
                               "- bullet two"]
    assert sentences("  \n ") == []


def test_excerpt_picks_the_sentences_sharing_most_terms_with_the_question() -> None:
    texts = ["Set up the repository. Added JWT token exchange endpoint and middleware. Tuned the cache.",
             "Authentication tokens now rotate daily."]

    chosen = excerpt(texts, "How does JWT token authentication work?")

    assert chosen == "Added JWT token exchange endpoint and middleware. Authentication tokens now rotate daily."


def test_excerpt_is_verbatim_bounded_and_ordered_as_written() -> None:
    texts = [" ".join(f"Sentence {n} about caching layer number {n}." for n in range(40))]

    chosen = excerpt(texts, "caching layer")

    assert len(chosen) <= EXCERPT_MAX
    assert chosen.startswith("Sentence 0 about caching")
    assert chosen in texts[0]


def test_excerpt_without_overlap_is_the_first_sentence() -> None:
    assert excerpt(["First thing. Second thing."], "kubernetes") == "First thing. Second thing."
    assert excerpt([], "anything") == ""


def test_a_long_sentence_is_clipped_around_the_first_match() -> None:
    sentence = " ".join(["filler"] * 120) + " the rate limiter uses a token bucket " + " ".join(["tail"] * 120)

    chosen = excerpt([sentence], "token bucket rate limiter")

    assert len(chosen) <= EXCERPT_MAX
    assert chosen.startswith(ELLIPSIS)
    assert chosen.endswith(ELLIPSIS)
    assert "rate limiter uses a token bucket" in chosen
    assert chosen.strip(ELLIPSIS) in sentence


@pytest.mark.parametrize("limit", [300, 301, 1000])
def test_clipping_near_the_end_stays_within_the_limit(limit: int) -> None:
    sentence = " ".join(["word"] * 400) + " needle"

    chosen = excerpt([sentence], "needle", limit)

    assert len(chosen) <= limit
    assert chosen.endswith("needle")


def test_extractive_answer_cites_each_quoted_source_in_order() -> None:
    sources = [_source(1, "Added JWT token exchange endpoint and middleware."),
               _source(2, "RBAC roles map to scopes", kind="knowledge", project="synapse-proxy")]

    answer = ExtractiveAnswerer().answer("What about auth?", sources)

    lines = answer.splitlines()
    assert lines[0] == "Found 2 relevant sources in 2 projects. Most relevant first:"
    assert lines[1] == ("- Milestone in project synapse-backend, branch feature-auth, 2026-02-08: "
                        "Added JWT token exchange endpoint and middleware. [1]")
    assert lines[2].startswith("- Promoted knowledge in project synapse-proxy")
    assert lines[2].endswith("RBAC roles map to scopes. [2]")
    assert len(lines) == 3


def test_extractive_answer_quotes_the_top_five_and_points_at_the_rest() -> None:
    sources = [_source(n, f"Finding number {n}.") for n in range(1, 8)]

    answer = ExtractiveAnswerer().answer("findings", sources)

    assert re.findall(r"\[(\d+)\]$", answer, re.MULTILINE) == ["1", "2", "3", "4", "5"]
    assert "Finding number 5." in answer
    assert "Finding number 6." not in answer
    assert answer.splitlines()[-1] == "2 more sources are listed in sources ([6]\u2013[7])."


def test_extractive_answer_adds_no_words_beyond_its_frame_and_the_sources() -> None:
    """Faithfulness: strip the fixed frame and the quoted excerpts, and nothing is left."""
    sources = [_source(1, "Moved sessions to Redis."), _source(2, "Dropped the sticky load balancer")]

    answer = ExtractiveAnswerer().answer("sessions", sources)

    for number, source in enumerate(sources, start=1):
        answer = answer.replace(source.excerpt, "").replace(f"[{number}]", "")
    answer = re.sub(r"Found 2 relevant sources in 1 project\. Most relevant first:", "", answer)
    answer = answer.replace("- Milestone in project synapse-backend, branch feature-auth, 2026-02-08:", "")
    assert set(answer) <= set(" .\n")


def test_no_sources_gives_the_no_match_answer() -> None:
    answer = ExtractiveAnswerer().answer("Where is the billing service?", [])

    assert answer == no_match_answer("Where is the billing service?")
    assert answer.startswith("No milestones or promoted knowledge match \u201cWhere is the billing service?\u201d")


def test_passage_limit_shares_a_budget_but_never_drops_below_an_excerpt() -> None:
    assert passage_limit(0) == PASSAGE_MAX
    assert passage_limit(1) == PASSAGE_MAX
    assert passage_limit(60) == PASSAGE_MAX
    assert passage_limit(100) == 600
    assert passage_limit(200) == EXCERPT_MAX


def test_source_from_a_milestone_and_from_knowledge() -> None:
    milestone = {"milestoneId": "ms-1", "projectId": "p", "branchName": "main", "createdAt": "2026-01-01T00:00:00Z",
                 "branchPurpose": "Core work", "cumulativeProgress": "L1 done. L2 done.",
                 "thisContribution": "Added hit metrics for the cache."}
    knowledge = {"knowledgeId": "know-1", "projectId": "p", "summary": "Async Rust patterns. Pin and futures.",
                 "createdAt": "2026-01-02T00:00:00Z"}

    from_milestone = source_from("milestone", "p", "ms-1", milestone, "cache metrics", 1000)
    from_knowledge = source_from("knowledge", "p", "know-1", knowledge, "futures", 1000)

    assert from_milestone == Source("milestone", "ms-1", "p", "main", "2026-01-01T00:00:00Z",
                                    "Added hit metrics for the cache.", "Added hit metrics for the cache.")
    assert from_knowledge.source_id == "know-1"
    assert from_knowledge.branch_name is None
    assert from_knowledge.excerpt == "Pin and futures."


def test_the_branch_purpose_is_quoted_only_when_the_milestone_text_does_not_match() -> None:
    milestone = {"milestoneId": "ms-1", "projectId": "p", "branchName": "feature-auth",
                 "branchPurpose": "JWT authentication", "cumulativeProgress": "Scaffolded the service.",
                 "thisContribution": "Added the token endpoint."}

    assert source_from("milestone", "p", "ms-1", milestone, "token endpoint JWT", 300).excerpt == \
        "Added the token endpoint."
    assert source_from("milestone", "p", "ms-1", milestone, "authentication", 300).excerpt == "JWT authentication"
