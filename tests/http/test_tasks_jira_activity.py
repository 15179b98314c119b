"""Activity snapshots (IDE, permit) and the team-competition board (Jira App) over HTTP (docs/task-engine.md)."""

from __future__ import annotations

import pytest

SNAPSHOT = {"windowStartedAt": "2026-04-04T10:00:00.000Z", "windowEndedAt": "2026-04-04T10:15:00.000Z",
            "taskStartedAt": "2026-04-04T08:30:00.000Z", "taskAgeMinutes": 105, "humanActiveMs": 420000,
            "locAdded": 28, "locRemoved": 11, "locTotal": 39, "changedFiles": ["src/auth.ts", "src/routes.tsx"],
            "changedFilesCount": 2, "architectureChange": False, "logicChange": True, "specificationUiChange": False}


def _window(day: str, minute: int = 0, **changes):
    return {**SNAPSHOT, "windowStartedAt": f"{day}T10:{minute:02d}:00Z", "windowEndedAt": f"{day}T10:{minute + 15}:00Z",
            **changes}


def test_a_snapshot_is_stored_with_the_published_formula(task_caller):
    response = task_caller().post("/v1/tasks/activity-snapshot", json=SNAPSHOT)
    assert response.status_code == 200, response.text
    # 1.8 * 7 min + 0.18 * (28 + 11) + 3 * 2 files + 14 (logic) = 39.62
    assert response.json() == {"ok": True, "stored": True, "timestamp": "2026-04-04T10:15:00.000000Z",
                               "effortUnits": 40}


@pytest.mark.parametrize(("changes", "expected"), [
    ({"humanActiveMs": 0, "locAdded": None, "locRemoved": None, "locTotal": 100, "changedFilesCount": None,
      "changedFiles": ["a", "b", "c"], "logicChange": False}, 27),  # 0.18 * 100 + 3 * 3
    ({"humanActiveMs": 0, "locAdded": 25, "locRemoved": 0, "changedFilesCount": 0, "logicChange": False},
     5),  # 0.18 * 25 = 4.5: half up
    ({"humanActiveMs": 60000, "locAdded": 0, "locRemoved": 0, "changedFilesCount": 0, "logicChange": False,
      "architectureChange": True, "specificationUiChange": True}, 36),  # 1.8 + 24 + 10 = 35.8
])
def test_effort_units_follow_each_weight(task_caller, changes, expected):
    body = {name: value for name, value in {**SNAPSHOT, **changes}.items() if value is not None}
    assert task_caller().post("/v1/tasks/activity-snapshot", json=body).json()["effortUnits"] == expected


@pytest.mark.parametrize("changes", [
    {"windowEndedAt": "2026-04-04T09:00:00Z"},  # before the start
    {"humanActiveMs": 15 * 60000 + 1},  # longer than the window
    {"locAdded": -1},
    {"windowStartedAt": "2026-04-04T10:00:00"},  # no offset
    {"windowEndedAt": None},
])
def test_bad_snapshots_are_400(task_caller, changes):
    body = {name: value for name, value in {**SNAPSHOT, **changes}.items() if value is not None}
    response = task_caller().post("/v1/tasks/activity-snapshot", json=body)
    assert response.status_code == 400
    assert "detail" in response.json()


def test_a_snapshot_needs_a_permit(http):
    assert http.post("/v1/tasks/activity-snapshot", json=SNAPSHOT).status_code == 401


def test_the_board_sums_tasks_and_gives_the_months_median(jira, task_caller):
    app = jira()
    auth1 = task_caller(project="AUTH", task="AUTH-1", installation=app.installation)
    auth2 = task_caller(project="AUTH", task="AUTH-2", installation=app.installation)
    bill = task_caller(project="BILL", task="BILL-9", installation=app.installation)
    auth1.post("/v1/tasks/activity-snapshot", json=_window("2026-04-04"))  # 40
    auth1.post("/v1/tasks/activity-snapshot", json=_window("2026-04-05", logicChange=False))  # 26
    auth2.post("/v1/tasks/activity-snapshot", json=_window("2026-04-06", architectureChange=True))  # 64
    bill.post("/v1/tasks/activity-snapshot", json=_window("2026-04-07", humanActiveMs=0))  # 27
    bill.post("/v1/tasks/activity-snapshot", json=_window("2026-03-30"))  # another month
    response = app.get("/v1/jira/team-competition", params={"startDate": "2026-04-01", "endDate": "2026-04-30"})
    assert response.status_code == 200, response.text
    board = response.json()
    assert board["ok"] is True
    assert [(item["taskId"], item["effortUnits"]) for item in board["items"]] == [
        ("BILL-9", 27), ("AUTH-2", 64), ("AUTH-1", 26), ("AUTH-1", 40)]  # newest first
    assert [(s["taskId"], s["effortUnits"], s["snapshotCount"]) for s in board["taskSummaries"]] == [
        ("AUTH-1", 66, 2), ("AUTH-2", 64, 1), ("BILL-9", 27, 1)]
    assert board["monthBaseline"] == {"month": "2026-04", "taskCount": 3, "medianEffortUnits": 64}
    assert board["formula"] == {"version": "v1", "weights": {"activeMinute": 1.8, "locChanged": 0.18,
                                                             "changedFile": 3, "architectureBonus": 24,
                                                             "logicBonus": 14, "specificationUiBonus": 10}}
    assert board["sourceSummary"]["snapshotItems"] == 4
    assert "X-SeeCodes-Next-Request-Key" in response.headers

    by_project = app.get("/v1/jira/team-competition", params={"projectId": "BILL", "startDate": "2026-03-01",
                                                              "endDate": "2026-04-30"}).json()
    assert [item["windowEndedAt"][:10] for item in by_project["items"]] == ["2026-04-07", "2026-03-30"]
    assert by_project["monthBaseline"] == {"month": "2026-04", "taskCount": 1, "medianEffortUnits": 27}

    one_day = app.get("/v1/jira/team-competition", params={"startDate": "2026-04-05", "endDate": "2026-04-05"})
    assert [item["effortUnits"] for item in one_day.json()["items"]] == [26]


def test_the_board_shows_only_the_callers_installation(jira, task_caller):
    other = task_caller(project="AUTH", task="AUTH-1")
    other.post("/v1/tasks/activity-snapshot", json=_window("2026-04-04"))
    board = jira().get("/v1/jira/team-competition", params={"startDate": "2026-04-01", "endDate": "2026-04-30"})
    assert board.json()["items"] == []
    assert board.json()["monthBaseline"]["taskCount"] == 0


@pytest.mark.parametrize("params", [{"startDate": "yesterday"}, {"startDate": "2026-05-01", "endDate": "2026-04-01"},
                                    {"startDate": "2024-01-01", "endDate": "2026-01-01"},
                                    {"endDate": "2026-04-01T10:00:00"}, {"projectId": "a/b"}])
def test_the_board_refuses_bad_filters(jira, params):
    response = jira().get("/v1/jira/team-competition", params=params)
    assert response.status_code == 400


def test_the_board_needs_the_request_key(jira):
    app = jira()
    app.request_key()
    assert app.get("/v1/jira/team-competition", key="sc_jira_req_stale").status_code == 401
