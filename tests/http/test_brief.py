"""The brief view of recall, over HTTP (docs/agents.md, "The brief")."""

from __future__ import annotations

from collections import Counter

import pytest

from cairn.agents.domain.tokens import estimate
from cairn_local.bench.seeding import forget_highlights
from tests.http.helpers import create_branch, logged, merge_body, ok, stored, url


def brief(caller, project, **params):
    return caller.get(url(project, "/recall"), params={"view": "brief", **params})


def test_the_brief_of_a_branch_says_where_it_stands_within_the_default_budget(agent, project):
    create_branch(agent, project, "feature/auth", purpose="JWT login for the API")
    create_branch(agent, project, "feature/billing", purpose="Stripe invoices")
    first = stored(agent, project, 1, branchName="feature/auth")
    latest = stored(agent, project, 2, branchName="feature/auth", cumulativeProgress="login works, refresh next")
    logged(agent, project, content="pytest: 3 failed in test_login", branchName="feature/auth")

    body = ok(brief(agent, project, branch="feature/auth"))

    assert set(body) == {"view", "brief", "tokens", "milestonesRecalled", "milestoneIds"}
    assert body["view"] == "brief"
    text = body["brief"]
    assert "Purpose: JWT login for the API" in text
    assert "login works, refresh next" in text
    assert "contribution 1" in text
    assert "contribution 2" in text
    assert "`feature/billing`: Stripe invoices" in text
    assert "Build it" in text
    assert "pytest: 3 failed in test_login" in text
    assert body["milestoneIds"] == [latest["milestoneId"], first["milestoneId"]]
    assert body["milestonesRecalled"] == 2
    assert body["tokens"] == estimate(text) <= 1_500


def test_the_brief_stays_within_a_small_budget(agent, project):
    for tag in range(3):
        stored(agent, project, tag, cumulativeProgress="a long account of the work " * 1_500)
    body = ok(brief(agent, project, tokens=100))
    assert body["tokens"] == estimate(body["brief"]) <= 100
    assert body["milestonesRecalled"] == len(body["milestoneIds"]) == 1


def test_with_a_query_the_brief_adds_the_projects_best_hits(agent, project):
    create_branch(agent, project, "feature/auth")
    elsewhere = stored(agent, project, 1, thisContribution="rotated the JWT signing secret")
    body = ok(brief(agent, project, branch="feature/auth", query="JWT signing secret"))
    assert "rotated the JWT signing secret" in body["brief"]
    assert body["milestoneIds"] == [elsewhere["milestoneId"]]


def test_a_budget_outside_the_limits_is_a_clear_400(agent, project):
    for tokens in (8_001, 99, "many"):
        response = brief(agent, project, tokens=tokens)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["field"] == "tokens"
    assert ok(brief(agent, project, tokens=8_000))["tokens"] <= 8_000


def test_an_unknown_branch_or_another_tenants_project_is_404(agent, caller, project):
    assert brief(agent, project, branch="nope").status_code == 404
    assert brief(caller(), project).status_code == 404


def test_a_viewer_reads_the_brief(agent, caller, project):
    viewer = caller(agent.tenant, roles=("viewer",))
    assert ok(brief(viewer, project))["view"] == "brief"


def test_the_other_views_answer_as_before(agent, project):
    stored(agent, project, 1)
    body = ok(agent.get(url(project, "/recall"), params={"view": "branch", "tokens": 5_000}))
    assert body["view"] == "branch"
    assert "brief" not in body
    assert len(body["milestones"]) == 1


@pytest.fixture
def dynamodb_calls(aws):
    from cairn.aws import clients

    calls: Counter = Counter()

    def note(model, **_):
        calls.update([model.name])

    events = clients.dynamodb().meta.events
    events.register("before-call.dynamodb", note)
    yield calls
    events.unregister("before-call.dynamodb", note)


def test_a_brief_costs_two_key_bound_queries(agent, project, dynamodb_calls):
    create_branch(agent, project, "feature/auth")
    for tag in range(12):
        stored(agent, project, tag, branchName="feature/auth")
        logged(agent, project, tag, branchName="feature/auth")
    ok(brief(agent, project, branch="feature/auth"))  # the container learns the project's generation
    dynamodb_calls.clear()
    text = ok(brief(agent, project, branch="feature/auth"))["brief"]
    assert dynamodb_calls == Counter({"Query": 2})
    assert logged_tags(text) == list(range(11, 3, -1))


def logged_tags(text):
    """The tags of the ``logged`` entries the brief's recent log shows, in its order."""
    return [int(line.rsplit(" ", 1)[1]) for line in text[text.index("## Recent log"):].splitlines()[1:]]


def test_a_branch_from_before_highlights_reads_its_log_page_until_eight_appends_fill_them(agent, project,
                                                                                          dynamodb_calls):
    create_branch(agent, project, "old")
    for tag in range(3):
        logged(agent, project, tag, branchName="old")
    forget_highlights(agent.tenant, project, "old")
    logged(agent, project, 3, branchName="old")
    ok(brief(agent, project, branch="old"))
    dynamodb_calls.clear()

    text = ok(brief(agent, project, branch="old"))["brief"]
    assert dynamodb_calls == Counter({"Query": 3})  # one highlight of 8: the log page is read
    assert logged_tags(text) == [3, 2, 1, 0]

    for tag in range(4, 11):
        logged(agent, project, tag, branchName="old")
    dynamodb_calls.clear()
    text = ok(brief(agent, project, branch="old"))["brief"]
    assert dynamodb_calls == Counter({"Query": 2})  # every slot written since: they are the 8 newest
    assert logged_tags(text) == list(range(10, 2, -1))


def test_the_brief_shows_the_same_log_from_highlights_as_from_the_log_page(agent, project):
    long = "pytest   output:\n" + "x" * 300
    for content in ("first", "a  b\n\tc", long, "é" * 250):
        logged(agent, project, content=content)
    from_highlights = ok(brief(agent, project, tokens=8_000))["brief"]
    forget_highlights(agent.tenant, project, "main")
    from_log_page = ok(brief(agent, project, tokens=8_000))["brief"]
    assert from_highlights == from_log_page
    assert "pytest output: xxx" in from_highlights
    assert "x…" in from_highlights


def test_the_branch_view_and_a_merge_never_take_a_highlight_for_a_milestone(agent, project):
    create_branch(agent, project, "feature/x")
    for tag in range(10):
        logged(agent, project, tag)
        logged(agent, project, tag, branchName="feature/x")
    assert ok(agent.get(url(project, "/recall"), params={"view": "branch"})).get("milestones", []) == []
    first = stored(agent, project, 1)
    body = ok(agent.get(url(project, "/recall"), params={"view": "branch", "limit": 1}))
    assert [item["milestoneId"] for item in body["milestones"]] == [first["milestoneId"]]
    ok(agent.post(url(project, "/merge"), json=merge_body("feature/x")))
    merged = ok(agent.get(url(project, "/recall"), params={"view": "branch", "limit": 2}))["milestones"]
    assert merged[0]["mergedFrom"] == "feature/x"
    assert merged[1]["milestoneId"] == first["milestoneId"]
