"""POST /api/v1/memory/intelligence/query on real stored data: retrieval inside the filters, cited
sources, the extractive answerer, and Bedrock through the route (botocore Stubber)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from tests.fakes import FakeClock
from tests.http.helpers import assert_error, create_project, ok, stored, url

QUERY = "/api/v1/memory/intelligence/query"
SOURCE_FIELDS = {"milestoneId", "projectId", "branchName", "excerpt", "createdAt"}
MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"

AUTH = ("Added JWT token exchange endpoint and middleware. Tokens are signed with RS256 and verified "
        "against the JWKS of the issuer.")
CACHE = "Tuned the Redis cache eviction policy to allkeys-lru. Hit rate went from 71% to 88%."
RATE = "Implemented rate limiting with a token bucket per tenant in the proxy."


def ask(caller: Any, question: str, **fields: Any) -> dict[str, Any]:
    return ok(caller.post(QUERY, json={"question": question, **fields}))


@pytest.fixture
def history(agent: Any) -> dict[str, dict[str, Any]]:
    """Two projects, three milestones on different topics."""
    create_project(agent, "synapse-backend")
    create_project(agent, "synapse-proxy")
    return {
        "auth": stored(agent, "synapse-backend", thisContribution=AUTH, branchPurpose="JWT authentication",
                       cumulativeProgress="Login works end to end."),
        "cache": stored(agent, "synapse-backend", thisContribution=CACHE, branchPurpose="Core cache",
                        cumulativeProgress="L1 and L2 caches are live."),
        "rate": stored(agent, "synapse-proxy", thisContribution=RATE, branchPurpose="Proxy hardening",
                       cumulativeProgress="TLS termination done."),
    }


# --- answers from real data ------------------------------------------------------------------------------------


def test_the_extractive_answer_cites_the_matching_milestones_in_their_own_words(agent: Any, history: dict) -> None:
    body = ask(agent, "How are JWT tokens verified?")

    assert body["answeredBy"] == "extractive"
    assert body["question"] == "How are JWT tokens verified?"
    assert body["projectsSearched"] == ["synapse-backend", "synapse-proxy"]
    first = body["sources"][0]
    assert set(first) == SOURCE_FIELDS
    assert first == {"milestoneId": history["auth"]["milestoneId"], "projectId": "synapse-backend",
                     "branchName": "main", "createdAt": history["auth"]["createdAt"], "excerpt": AUTH}
    assert "[1]" in body["answer"]
    assert "Added JWT token exchange endpoint and middleware." in body["answer"]
    assert "verified against the JWKS of the issuer" in body["answer"]
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body["answer"])}
    assert cited == set(range(1, len(body["sources"]) + 1))
    for source in body["sources"]:
        assert len(source["excerpt"]) <= 300


def test_excerpts_are_the_most_relevant_sentences_of_a_long_milestone(agent: Any) -> None:
    create_project(agent, "p")
    filler = " ".join(f"Refactored module {n} for readability." for n in range(60))
    milestone = stored(agent, "p", thisContribution=f"{filler} Switched the queue consumer to SQS long polling. "
                                                    f"{filler}")

    body = ask(agent, "What changed in the SQS queue consumer?")

    (source,) = body["sources"]
    assert source["milestoneId"] == milestone["milestoneId"]
    assert source["excerpt"] == "Switched the queue consumer to SQS long polling."
    assert "Switched the queue consumer to SQS long polling. [1]" in body["answer"]


def test_no_match_gives_a_clear_answer_and_no_sources(agent: Any, history: dict) -> None:
    body = ask(agent, "kubernetes helm chart")

    assert body["sources"] == []
    assert body["answer"].startswith("No milestones or promoted knowledge match \u201ckubernetes helm chart\u201d")
    assert body["answeredBy"] == "extractive"


def test_promoted_knowledge_is_cited_with_its_knowledge_id(agent: Any, history: dict) -> None:
    promoted = agent.post(url("synapse-proxy", "/promote"), json={
        "cacheKey": "cache-key-xyz", "reuseScore": 0.92, "l2Collection": "default",
        "summary": "Token bucket sizing: burst 2x the steady rate limiting budget per tenant."})
    assert promoted.status_code == 200, promoted.text

    body = ask(agent, "token bucket rate limiting burst")

    kinds = {("knowledgeId" in source) for source in body["sources"]}
    assert kinds == {True, False}
    knowledge = next(source for source in body["sources"] if "knowledgeId" in source)
    assert knowledge["knowledgeId"] == promoted.json()["knowledgeId"]
    assert knowledge["projectId"] == "synapse-proxy"
    assert knowledge["branchName"] is None
    assert "burst 2x the steady rate limiting budget" in knowledge["excerpt"]
    assert "Promoted knowledge in project synapse-proxy" in body["answer"]


# --- filters ---------------------------------------------------------------------------------------------------


def test_project_ids_restrict_the_search_and_unknown_ones_are_not_searched(agent: Any, history: dict) -> None:
    body = ask(agent, "token", projectIds=["synapse-proxy", "no-such-project", "synapse-proxy"])

    assert body["projectsSearched"] == ["synapse-proxy"]
    assert [source["milestoneId"] for source in body["sources"]] == [history["rate"]["milestoneId"]]

    nothing = ask(agent, "token", projectIds=["no-such-project"])
    assert nothing["projectsSearched"] == []
    assert nothing["sources"] == []


def test_a_deleted_project_is_not_searched(agent: Any, history: dict) -> None:
    assert agent.delete(url("synapse-proxy")).status_code == 200

    body = ask(agent, "token")

    assert body["projectsSearched"] == ["synapse-backend"]
    assert {source["projectId"] for source in body["sources"]} == {"synapse-backend"}


def test_context_limit_bounds_the_sources_best_first(agent: Any, history: dict) -> None:
    everything = ask(agent, "token cache JWT rate", contextLimit=200)
    one = ask(agent, "token cache JWT rate", contextLimit=1)

    assert len(everything["sources"]) == 3
    assert one["sources"] == everything["sources"][:1]


@pytest.fixture
def dated(agent: Any, clock: FakeClock) -> Callable[[int, str], dict[str, Any]]:
    """Stores a milestone as if written ``days`` ago: the clock is set back for the write, then to now again."""
    create_project(agent, "timeline")
    now = clock.now()

    def store(days: int, text: str) -> dict[str, Any]:
        clock.set(now - timedelta(days=days, minutes=5))
        try:
            return stored(agent, "timeline", thisContribution=text)
        finally:
            clock.set(now)

    return store


TIME_RANGES = {"1d": ["today"], "7d": ["today", "last week"], "14d": ["today", "last week"],
               "30d": ["today", "last week", "last month"],
               "90d": ["today", "last week", "last month", "last quarter"],
               "all": ["today", "last week", "last month", "last quarter", "last year"]}


def test_time_range_counts_back_from_now(agent: Any, dated: Callable) -> None:
    ages = {"today": 0, "last week": 6, "last month": 29, "last quarter": 89, "last year": 300}
    ids = {dated(days, f"Deployment note {label}: migrated the database.")["milestoneId"]: label
           for label, days in ages.items()}

    for time_range, expected in TIME_RANGES.items():
        body = ask(agent, "database migration", timeRange=time_range)
        assert sorted(ids[source["milestoneId"]] for source in body["sources"]) == sorted(expected), time_range


def test_time_range_defaults_to_30_days(agent: Any, dated: Callable) -> None:
    recent = dated(2, "Migrated the database to Aurora.")
    dated(45, "Migrated the database to Postgres 16.")

    body = ask(agent, "database")

    assert [source["milestoneId"] for source in body["sources"]] == [recent["milestoneId"]]


@pytest.fixture
def team(agent: Any) -> None:
    from cairn.insights.store import contributors

    create_project(agent, "team")
    contributors.upsert(agent.tenant, "alice", {"displayName": "Alice Chen", "agentIds": ["claude-alice"]})
    contributors.upsert(agent.tenant, "bob", {"displayName": "Bob Stone", "agentIds": ["cursor-bob"]})
    contributors.upsert(agent.tenant, "carol", {"displayName": "Carol", "agentIds": []})
    stored(agent, "team", agentId="claude-alice", thisContribution="Alice wired the billing webhook.")
    stored(agent, "team", agentId="cursor-bob", thisContribution="Bob fixed the billing invoice rounding.")


def test_contributor_filter_by_id_or_name(agent: Any, team: None) -> None:
    cases = {"alice": ["Alice"], "Alice": ["Alice"], "alice chen": ["Alice"], "BOB STONE": ["Bob"], "carol": []}
    for contributor, expected in cases.items():
        body = ask(agent, "billing", contributorFilter=contributor)
        assert [source["excerpt"].split()[0] for source in body["sources"]] == expected, contributor


def test_an_unknown_contributor_is_404(agent: Any, team: None) -> None:
    response = agent.post(QUERY, json={"question": "billing", "contributorFilter": "mallory"})

    error = assert_error(response, 404, code="not_found", field="contributorFilter")
    assert "mallory" in error["message"]


def test_include_external_sources_is_accepted(agent: Any, history: dict) -> None:
    with_sources = ask(agent, "cache", includeExternalSources=True)
    without = ask(agent, "cache", includeExternalSources=False)

    assert with_sources["sources"] == without["sources"]


# --- tenancy, roles, validation --------------------------------------------------------------------------------


def test_a_query_never_returns_another_tenants_milestones(caller: Callable[..., Any]) -> None:
    alice, bob = caller(roles=("agent",)), caller(roles=("viewer", "agent"))
    for who, text in ((alice, "Alice's secret: JWT rotation every hour."),
                      (bob, "Bob's note: JWT rotation daily.")):
        create_project(who, "shared-name")
        stored(who, "shared-name", thisContribution=text)

    seen_by_bob = ask(bob, "JWT rotation")
    seen_by_alice = ask(alice, "JWT rotation", projectIds=["shared-name"])

    assert [source["excerpt"] for source in seen_by_bob["sources"]] == ["Bob's note: JWT rotation daily."]
    assert [source["excerpt"] for source in seen_by_alice["sources"]] == ["Alice's secret: JWT rotation every hour."]
    assert "Alice" not in seen_by_bob["answer"]


def test_a_viewer_may_query_and_a_missing_token_may_not(caller: Callable[..., Any], http: Any) -> None:
    viewer = caller(roles=("viewer",))

    assert ask(viewer, "anything")["projectsSearched"] == []
    assert_error(http.post(QUERY, json={"question": "anything"}), 401, code="unauthenticated")


VALIDATION = [  # (body, status, field)
    ({"question": "q" * 2000}, 200, None),
    ({"question": "q" * 2001}, 400, "question"),
    ({"question": ""}, 400, "question"),
    ({"question": "   "}, 400, "question"),
    ({}, 400, "question"),
    ({"question": "q", "contextLimit": 0}, 400, "contextLimit"),
    ({"question": "q", "contextLimit": 1}, 200, None),
    ({"question": "q", "contextLimit": 200}, 200, None),
    ({"question": "q", "contextLimit": 201}, 400, "contextLimit"),
    ({"question": "q", "timeRange": "2d"}, 400, "timeRange"),
    ({"question": "q", "timeRange": "ALL"}, 400, "timeRange"),
    ({"question": "q", "projectIds": "synapse-backend"}, 400, "projectIds"),
    ({"question": "q", "projectIds": ["a/b"]}, 400, "projectIds.0"),
    ({"question": "q", "projectIds": [f"p{n}" for n in range(101)]}, 400, "projectIds"),
    ({"question": "q", "contributorFilter": ""}, 400, "contributorFilter"),
    ({"question": "q", "includeExternalSources": "maybe"}, 400, "includeExternalSources"),
]


def test_validation_boundaries(agent: Any) -> None:
    for fields, status, field in VALIDATION:
        response = agent.post(QUERY, json=fields)
        if status == 200:
            assert response.status_code == 200, (fields, response.text)
        else:
            assert_error(response, status, code="invalid_input", field=field)


# --- Bedrock through the route ---------------------------------------------------------------------------------


@pytest.fixture
def bedrock(aws: dict, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Stubber, list[dict[str, Any]]]]:
    """Bedrock configured, its client stubbed; yields the stubber and the Converse calls' params."""
    from cairn.aws import clients
    from cairn.core.settings import get_settings

    monkeypatch.setenv("CAIRN_BEDROCK_MODEL_ID", MODEL)
    get_settings.cache_clear()
    client = clients.client("bedrock-runtime")
    calls: list[dict[str, Any]] = []
    client.meta.events.register("provide-client-params.bedrock-runtime.Converse",
                                lambda params, **_: calls.append(params))
    with Stubber(client) as stubber:
        yield stubber, calls
    get_settings.cache_clear()


def test_bedrock_answers_when_configured(agent: Any, history: dict, bedrock: tuple) -> None:
    stubber, calls = bedrock
    stubber.add_response("converse", {
        "output": {"message": {"role": "assistant", "content": [{"text": "Tokens are RS256-signed [1]."}]}},
        "stopReason": "end_turn", "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
        "metrics": {"latencyMs": 1}}, {"modelId": MODEL, "system": ANY, "messages": ANY, "inferenceConfig": ANY})

    body = ask(agent, "How are JWT tokens verified?")

    assert body["answer"] == "Tokens are RS256-signed [1]."
    assert body["answeredBy"] == f"bedrock:{MODEL}"
    assert body["sources"][0]["milestoneId"] == history["auth"]["milestoneId"]
    (params,) = calls
    prompt = params["messages"][0]["content"][0]["text"]
    assert prompt.startswith("Question: How are JWT tokens verified?")
    assert f"[1] milestone {history['auth']['milestoneId']} | project synapse-backend | branch main" in prompt
    assert "verified against the JWKS of the issuer" in prompt
    stubber.assert_no_pending_responses()


def test_a_bedrock_failure_is_a_502(agent: Any, history: dict, bedrock: tuple) -> None:
    stubber, _ = bedrock
    stubber.add_client_error("converse", service_error_code="ThrottlingException",
                             service_message="Too many requests", http_status_code=429)

    response = agent.post(QUERY, json={"question": "JWT"})

    error = assert_error(response, 502, code="upstream_error")
    assert error["message"] == f"Bedrock Converse with model {MODEL} failed: ThrottlingException (HTTP 429): " \
                               "Too many requests"


def test_without_sources_bedrock_is_not_called(agent: Any, history: dict, bedrock: tuple) -> None:
    _, calls = bedrock

    body = ask(agent, "kubernetes helm chart")

    assert body["answeredBy"] == "extractive"
    assert body["sources"] == []
    assert calls == []
