"""Session metrics: store (replace by sessionId), the summary, validation at the limits, roles, tenancy."""

from __future__ import annotations

from tests.http.helpers import TIMESTAMP, assert_error, create_project, ok, project_of, url

SUMMARY_FIELDS = {
    "totalSessions", "sessionsWithMemory", "sessionsWithoutMemory", "avgCompactionsWithMemory",
    "avgCompactionsWithoutMemory", "compactionReductionPct", "avgContextToolsWithMemory",
    "avgContextToolsWithoutMemory", "contextToolReductionPct", "avgDurationWithMemorySecs",
    "avgDurationWithoutMemorySecs", "contextRecoveryRate", "sessionsByAgentType", "recentSessions",
}
SESSION_FIELDS = {
    "projectId", "sessionId", "branchName", "agentId", "agentType", "milestonesRecalled", "compactionCount",
    "toolCallsTotal", "toolCallsRead", "toolCallsSearch", "toolCallsEdit", "toolCallsExecute", "toolCallsAgent",
    "sessionDurationSecs", "startedAt", "endedAt", "recordedAt",
}
REQUIRED = ("sessionId", "agentId", "milestonesRecalled", "toolCallsTotal", "sessionDurationSecs", "startedAt",
            "endedAt")
COUNTS = ("milestonesRecalled", "compactionCount", "toolCallsTotal", "toolCallsRead", "toolCallsSearch",
          "toolCallsEdit", "toolCallsExecute", "toolCallsAgent", "sessionDurationSecs")


def spec_session(**overrides):
    return {"sessionId": "sess-abc123", "branchName": "main", "agentId": "claude-code-zach-macbook",
            "agentType": "claude-code", "milestonesRecalled": 5, "compactionCount": 2, "toolCallsTotal": 47,
            "toolCallsRead": 15, "toolCallsSearch": 8, "toolCallsEdit": 12, "toolCallsExecute": 7,
            "toolCallsAgent": 5, "sessionDurationSecs": 1800, "startedAt": "2026-02-10T14:00:00Z",
            "endedAt": "2026-02-10T14:30:00Z", **overrides}


def minimal_session(session_id="s-1", **overrides):
    return {"sessionId": session_id, "agentId": "agent-1", "milestonesRecalled": 0, "toolCallsTotal": 0,
            "sessionDurationSecs": 0, "startedAt": "2026-02-10T14:00:00Z", "endedAt": "2026-02-10T14:00:00Z",
            **overrides}


def post(caller, project, body, **kwargs):
    return caller.post(url(project, "/metrics"), json=body, **kwargs)


def posted(caller, project, body):
    return ok(post(caller, project, body))


def summary_of(caller, project):
    return ok(caller.get(url(project, "/metrics/summary")))


# --- store ---------------------------------------------------------------------------------------


def test_store_returns_the_stored_session(agent, project):
    body = posted(agent, project, spec_session())

    assert set(body) == SESSION_FIELDS
    assert body == {**spec_session(), "projectId": project, "recordedAt": body["recordedAt"]}
    assert TIMESTAMP.match(body["recordedAt"])
    assert "tenantId" not in body


def test_store_applies_the_specs_defaults(agent, project):
    body = posted(agent, project, minimal_session())

    assert body["branchName"] == "main"
    assert body["agentType"] == ""
    assert all(body[name] == 0 for name in COUNTS)


def test_timestamps_are_stored_in_utc(agent, project):
    body = posted(agent, project, minimal_session(startedAt="2026-02-10T16:00:00+02:00",
                                                  endedAt="2026-02-10T14:30:00.5Z"))

    assert (body["startedAt"], body["endedAt"]) == ("2026-02-10T14:00:00Z", "2026-02-10T14:30:00.5Z")


def test_posting_the_same_session_again_replaces_it(agent, project):
    posted(agent, project, spec_session(milestonesRecalled=0, compactionCount=9))
    replaced = posted(agent, project, spec_session(milestonesRecalled=5, compactionCount=1))
    posted(agent, project, spec_session(sessionId="sess-other", milestonesRecalled=0, compactionCount=4))

    summary = summary_of(agent, project)

    assert replaced["compactionCount"] == 1
    assert (summary["totalSessions"], summary["sessionsWithMemory"], summary["sessionsWithoutMemory"]) == (2, 1, 1)
    assert summary["avgCompactionsWithMemory"] == 1.0
    assert summary["avgCompactionsWithoutMemory"] == 4.0
    assert summary["compactionReductionPct"] == 75.0


def test_session_ids_are_opaque_text(agent, project):
    for session_id in ("a#b", "a", "a/b?c%", "sess 1", "日本"):
        posted(agent, project, minimal_session(session_id))

    summary = summary_of(agent, project)

    assert summary["totalSessions"] == 5
    assert sorted(s["sessionId"] for s in summary["recentSessions"]) == sorted(
        ["a#b", "a", "a/b?c%", "sess 1", "日本"])


def test_metrics_leave_the_project_unchanged(agent, project):
    before = project_of(agent, project)
    posted(agent, project, minimal_session())
    assert project_of(agent, project) == before


# --- summary -------------------------------------------------------------------------------------


def test_summary_of_a_project_without_sessions(agent, project):
    summary = summary_of(agent, project)

    assert set(summary) == SUMMARY_FIELDS
    assert summary["totalSessions"] == 0
    assert summary["sessionsByAgentType"] == []
    assert summary["recentSessions"] == []
    assert all(value is None for name, value in summary.items()
               if name not in {"totalSessions", "sessionsWithMemory", "sessionsWithoutMemory",
                               "sessionsByAgentType", "recentSessions"})


def test_summary_compares_sessions_with_and_without_memory(agent, project):
    sessions = [
        spec_session(sessionId="m1", milestonesRecalled=4, compactionCount=1, toolCallsRead=4, toolCallsSearch=2,
                     sessionDurationSecs=1000),
        spec_session(sessionId="m2", milestonesRecalled=1, compactionCount=2, toolCallsRead=10, toolCallsSearch=2,
                     sessionDurationSecs=1400),
        spec_session(sessionId="n1", milestonesRecalled=0, compactionCount=4, toolCallsRead=15, toolCallsSearch=5,
                     sessionDurationSecs=2000),
        spec_session(sessionId="n2", milestonesRecalled=0, compactionCount=6, toolCallsRead=20, toolCallsSearch=4,
                     sessionDurationSecs=2200),
        spec_session(sessionId="c1", agentType="cursor", milestonesRecalled=2, compactionCount=0, toolCallsRead=1,
                     toolCallsSearch=0, sessionDurationSecs=600),
    ]
    for body in sessions:
        posted(agent, project, body)

    summary = summary_of(agent, project)

    assert {name: summary[name] for name in SUMMARY_FIELDS - {"sessionsByAgentType", "recentSessions"}} == {
        "totalSessions": 5,
        "sessionsWithMemory": 3,
        "sessionsWithoutMemory": 2,
        "avgCompactionsWithMemory": 1.0,             # (1 + 2 + 0) / 3
        "avgCompactionsWithoutMemory": 5.0,
        "compactionReductionPct": 80.0,
        "avgContextToolsWithMemory": 6.33,           # (6 + 12 + 1) / 3
        "avgContextToolsWithoutMemory": 22.0,        # (20 + 24) / 2
        "contextToolReductionPct": 71.2,             # (22 - 19/3) / 22 = 71.21 %
        "avgDurationWithMemorySecs": 1000.0,
        "avgDurationWithoutMemorySecs": 2100.0,
        "contextRecoveryRate": 1.0,
    }
    assert summary["sessionsByAgentType"] == [
        {"agentType": "claude-code", "sessionCount": 4, "avgCompactionReductionPct": 70.0,
         "avgContextToolReductionPct": 59.1},
        {"agentType": "cursor", "sessionCount": 1, "avgCompactionReductionPct": None,
         "avgContextToolReductionPct": None},
    ]


def test_recent_sessions_are_the_ten_that_ended_last(agent, project):
    for minute in range(12):
        posted(agent, project, minimal_session(f"s-{minute:02d}", startedAt="2026-02-10T13:00:00Z",
                                               endedAt=f"2026-02-10T14:{minute:02d}:00Z"))
    posted(agent, project, minimal_session("early-utc", startedAt="2026-02-10T13:00:00Z",
                                           endedAt="2026-02-10T16:30:00+02:00"))  # 14:30Z

    recent = summary_of(agent, project)["recentSessions"]

    assert [s["sessionId"] for s in recent] == ["early-utc"] + [f"s-{m:02d}" for m in range(11, 2, -1)]
    assert all(set(s) == SESSION_FIELDS for s in recent)


# --- validation ----------------------------------------------------------------------------------


def test_each_required_field_is_required(agent, project, subtests):
    for field in REQUIRED:
        with subtests.test(missing=field):
            body = minimal_session()
            del body[field]
            assert_error(post(agent, project, body), 400, code="invalid_input", field=field)
    assert summary_of(agent, project)["totalSessions"] == 0


def test_counts_are_non_negative_integers(agent, project, subtests):
    for field in COUNTS:
        for bad in (-1, 1.5, True, "3", None):
            with subtests.test(field=field, value=bad):
                assert_error(post(agent, project, minimal_session(**{field: bad})), 400, field=field)
    assert posted(agent, project, minimal_session(**{name: 0 for name in COUNTS}))["toolCallsTotal"] == 0
    large = 2**53 - 1
    assert posted(agent, project, minimal_session(toolCallsTotal=large))["toolCallsTotal"] == large
    assert_error(post(agent, project, minimal_session(toolCallsTotal=large + 1)), 400, field="toolCallsTotal")


def test_string_limits(agent, project, subtests):
    for field, limit, minimum in (("sessionId", 128, 1), ("agentId", 256, 1), ("agentType", 64, 0),
                                  ("branchName", 256, 1)):
        with subtests.test(field=field):
            assert posted(agent, project, minimal_session(f"at-{field}", **{field: "x" * limit}))[field] == "x" * limit
            assert_error(post(agent, project, minimal_session(f"over-{field}", **{field: "x" * (limit + 1)})), 400,
                         field=field)
            if minimum:
                assert_error(post(agent, project, minimal_session(f"empty-{field}", **{field: ""})), 400,
                             field=field)
    assert posted(agent, project, minimal_session("empty-type", agentType=""))["agentType"] == ""


def test_timestamps_must_be_iso_8601_and_in_order(agent, project, subtests):
    for field in ("startedAt", "endedAt"):
        for bad in ("yesterday", "2026-02-10", "2026-02-30T10:00:00Z", 1770732000, ""):
            with subtests.test(field=field, value=bad):
                assert_error(post(agent, project, minimal_session(**{field: bad})), 400, field=field)
    backwards = minimal_session(startedAt="2026-02-10T14:30:00Z", endedAt="2026-02-10T14:29:59Z")
    assert_error(post(agent, project, backwards), 400, field="endedAt")
    same_moment = minimal_session(startedAt="2026-02-10T16:30:00+02:00", endedAt="2026-02-10T14:30:00Z")
    assert posted(agent, project, same_moment)["endedAt"] == "2026-02-10T14:30:00Z"


# --- project, roles, tenancy, idempotency --------------------------------------------------------


def test_missing_or_deleted_project_is_404(agent, project):
    assert_error(post(agent, "ghost", minimal_session()), 404, code="not_found")
    assert_error(agent.get(url("ghost", "/metrics/summary")), 404, code="not_found")
    posted(agent, project, minimal_session())

    assert agent.delete(url(project)).status_code == 200

    assert_error(post(agent, project, minimal_session()), 404, code="not_found")
    assert_error(agent.get(url(project, "/metrics/summary")), 404, code="not_found")


def test_another_tenants_project_is_404(agent, caller, project):
    posted(agent, project, minimal_session())
    stranger = caller(roles=("agent", "admin"))
    create_project(stranger, "theirs")

    assert_error(post(stranger, project, minimal_session()), 404, code="not_found")
    assert_error(stranger.get(url(project, "/metrics/summary")), 404, code="not_found")
    assert_error(agent.get(url("theirs", "/metrics/summary")), 404, code="not_found")
    assert summary_of(agent, project)["totalSessions"] == 1


def test_viewer_reads_the_summary_but_cannot_store(agent, caller, project):
    viewer = caller(agent.tenant, roles=("viewer",))

    assert_error(post(viewer, project, minimal_session()), 403, code="forbidden")
    assert summary_of(viewer, project)["totalSessions"] == 0


def test_idempotency_key_replays_the_stored_session(agent, project):
    headers = {"Idempotency-Key": "metrics-1"}
    first = post(agent, project, minimal_session(), headers=headers)
    again = post(agent, project, minimal_session(), headers=headers)
    other = post(agent, project, minimal_session(milestonesRecalled=3), headers=headers)

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert_error(other, 422, code="idempotency_key_reused")
