"""The hooks fed with recorded Claude Code, Codex and Cursor payloads, against the real API in process: what the
agent is told, and what lands in Cairn (the brief, log entries, the checkpoint milestone, the session metrics)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.client.conftest import git, payload, session_id

API = "/api/v1/memory/projects"


def log(api: Any, project: str, branch: str = "main") -> list[dict[str, Any]]:
    response = api.get(f"{API}/{project}/recall", params={"view": "log", "branch": branch, "limit": 100})
    assert response.status_code == 200, response.text
    return sorted(response.json().get("logEntries", []), key=lambda entry: entry["sequenceNumber"])


def flush(agent: str, repo: Path) -> int:
    from cairn_client import hooks
    from cairn_client.session import Session

    return hooks.flush(Session(session_id(agent)), repo)


def test_session_start_prints_the_brief_as_additional_context(api, project, hook):
    api.post(f"{API}/{project}/store", json={"branchPurpose": "Ship the shop", "cumulativeProgress": "Cart done",
                                             "thisContribution": "Cart persisted in DynamoDB", "agentId": "a"})

    printed = json.loads(hook("session-start", "claude-code", "SessionStart"))

    context = printed["hookSpecificOutput"]["additionalContext"]
    assert printed["hookSpecificOutput"]["hookEventName"] == "SessionStart"
    assert "Cart persisted in DynamoDB" in context
    assert f"project `{project}`, branch `main`" in context
    assert len(context) <= 10_000


def test_session_start_on_a_new_git_branch_creates_the_cairn_branch_from_main(api, project, repo, hook):
    git(repo, "checkout", "-q", "-b", "feature/retries")

    printed = json.loads(hook("session-start", "codex", "SessionStart"))

    assert "feature/retries" in printed["hookSpecificOutput"]["additionalContext"]
    branch = api.get(f"{API}/{project}/branches/feature%2Fretries")
    assert branch.status_code == 200, branch.text
    assert branch.json()["parentBranch"] == "main"


def test_master_is_main(api, project, repo, hook):
    git(repo, "branch", "-m", "master")

    printed = json.loads(hook("session-start", "claude-code", "SessionStart"))

    assert "branch `main`" in printed["hookSpecificOutput"]["additionalContext"]
    assert [item["branchName"] for item in api.get(f"{API}/{project}/branches").json()["branches"]] == ["main"]


def test_session_start_without_the_api_prints_one_line_and_succeeds(home, repo, hook, monkeypatch):
    monkeypatch.setenv("CAIRN_API_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("CAIRN_TOKEN", "t")
    monkeypatch.setenv("CAIRN_PROJECT", "shop")

    printed = hook("session-start", "claude-code", "SessionStart")

    assert printed.count("\n") == 1
    assert printed.startswith("cairn: session-start skipped:")


def test_session_start_without_a_project_says_how_to_fix_it(home, repo, hook, monkeypatch):
    monkeypatch.setenv("CAIRN_TOKEN", "t")

    assert "cairn init" in hook("session-start", "claude-code", "SessionStart")


def test_session_start_of_an_unknown_project_is_one_line(api, repo, hook, monkeypatch):
    monkeypatch.setenv("CAIRN_PROJECT", "nobody-has-this")

    printed = hook("session-start", "claude-code", "SessionStart")

    assert printed.startswith("cairn: session-start skipped:")
    assert "404" in printed


def test_prompts_and_tool_uses_become_redacted_ota_entries(api, project, repo, hook):
    hook("session-start", "claude-code", "SessionStart")
    for name in ("UserPromptSubmit", "PostToolUse-Bash", "PostToolUse-Edit", "PostToolUse-Read"):
        assert hook("user-prompt" if name == "UserPromptSubmit" else "post-tool-use", "claude-code", name) == ""
    assert log(api, project) == []  # spooled, not sent by the hook itself

    assert flush("claude-code", repo) == 4

    entries = log(api, project)
    assert [entry["phase"] for entry in entries] == ["observation", "action", "action", "action"]
    prompt, bash, edit, read = (entry["content"] for entry in entries)
    assert prompt.startswith("Fix the flaky checkout test.")
    assert "hunter2" not in prompt
    assert "AKIAIOSFODNN7EXAMPLE" not in prompt
    assert "manager" not in prompt
    assert bash == "Bash: pytest -q tests/test_checkout.py -> ..F. 1 failed, 3 passed in 0.42s"
    assert edit.startswith(f"Edit: {repo}/shop/checkout.py")
    assert "s3cret" not in read
    assert "sk_live" not in read
    assert {entry["agentId"] for entry in entries} == {"claude-code"}


def test_a_flush_the_api_refuses_to_take_is_kept_for_the_next(api, project, repo, hook, monkeypatch):
    hook("user-prompt", "claude-code", "UserPromptSubmit")
    monkeypatch.setenv("CAIRN_API_URL", "http://127.0.0.1:9")
    from cairn_client import sdk

    monkeypatch.setattr(sdk, "DEFAULT_TRANSPORT", None)
    assert flush("claude-code", repo) == 0

    from cairn_client.session import Session

    assert Session(session_id("claude-code")).pending() == 1


def test_pre_compact_commits_a_checkpoint_of_what_the_session_did(api, project, repo, hook):
    hook("session-start", "claude-code", "SessionStart")
    hook("user-prompt", "claude-code", "UserPromptSubmit")
    hook("post-tool-use", "claude-code", "PostToolUse-Bash")
    hook("post-tool-use", "claude-code", "PostToolUse-Edit")
    (repo / "notes.txt").write_text("x")

    assert hook("pre-compact", "claude-code", "PreCompact") == ""

    milestones = api.get(f"{API}/{project}/recall", params={"view": "branch"}).json()["milestones"]
    contribution = milestones[0]["thisContribution"]
    assert "Checkpoint before a context compaction (manual)" in contribution
    assert f"{repo}/shop/checkout.py" in contribution
    assert "notes.txt" in contribution
    assert "pytest -q tests/test_checkout.py -> ..F. 1 failed" in contribution
    assert "advances a fake clock" in contribution  # the transcript's last assistant message
    assert milestones[0]["agentType"] == "claude-code"


def test_stop_and_session_end_post_the_session_metrics(api, project, repo, hook):
    hook("session-start", "claude-code", "SessionStart")
    hook("user-prompt", "claude-code", "UserPromptSubmit")
    for name in ("PostToolUse-Bash", "PostToolUse-Edit", "PostToolUse-Read"):
        hook("post-tool-use", "claude-code", name)
    hook("pre-compact", "claude-code", "PreCompact")
    hook("stop", "claude-code", "Stop")
    hook("session-end", "claude-code", "SessionEnd")

    summary = api.get(f"{API}/{project}/metrics/summary").json()
    assert summary["totalSessions"] == 1, summary
    assert summary["sessionsWithoutMemory"] == 1  # main had no milestone to recall
    assert summary["avgCompactionsWithoutMemory"] == 1
    assert summary["avgContextToolsWithoutMemory"] == 1  # one Read, no search
    assert len(log(api, project)) == 4  # stop flushed the spool
    from cairn_client.session import Session

    assert not Session(session_id("claude-code")).state_path.exists()  # session-end cleaned up


def test_codex_session_metrics_count_tools_by_category(api, project, repo, hook, tenant):
    hook("session-start", "codex", "SessionStart")
    hook("user-prompt", "codex", "UserPromptSubmit")
    hook("post-tool-use", "codex", "PostToolUse-Bash")
    hook("stop", "codex", "Stop")

    entries = log(api, project)
    assert "ghp_" not in entries[0]["content"]
    assert entries[1]["content"] == ("Bash: git diff --stat -> payments/client.py | 12 ++++++++++-- 1 file changed, "
                                     "10 insertions(+), 2 deletions(-)")
    summary = api.get(f"{API}/{project}/metrics/summary").json()
    assert summary["totalSessions"] == 1


def test_cursor_prompt_hook_answers_continue(api, project, repo, hook):
    assert json.loads(hook("user-prompt", "cursor", "beforeSubmitPrompt")) == {"continue": True}
    hook("post-tool-use", "cursor", "afterShellExecution")
    from cairn_client import hooks
    from cairn_client.session import Session

    hooks.flush(Session("c0ffee00-1111-2222-3333-444455556666"), repo)
    assert [entry["content"] for entry in log(api, project)] == [
        "Rename the Cart class", "afterShellExecution: npm test -> Tests: 12 passed, 12 total"]


def test_a_failed_claude_code_tool_call_is_logged_with_its_error(api, project, repo, hook):
    """Claude Code sends a failing call to PostToolUseFailure, with ``error`` and no ``tool_response``."""
    hook("session-start", "claude-code", "SessionStart")
    assert hook("post-tool-use", "claude-code", "PostToolUseFailure-Bash") == ""
    flush("claude-code", repo)
    assert log(api, project)[-1]["content"] == ("Bash: pytest -q tests/test_payments.py -> failed: Exit code 1 FAILED "
                                                "tests/test_payments.py::test_refund - AssertionError")
    assert hook("pre-compact", "claude-code", "PreCompact") == ""
    checkpoint = api.get(f"{API}/{project}/recall", params={"view": "branch"}).json()["milestones"][0]
    assert "pytest -q tests/test_payments.py -> failed: Exit code 1" in checkpoint["thisContribution"]


def test_a_codex_patch_is_an_edit_of_its_files_not_a_command(api, project, repo, hook):
    hook("session-start", "codex", "SessionStart")
    hook("post-tool-use", "codex", "PostToolUse-apply_patch")
    hook("post-tool-use", "codex", "PostToolUse-Bash")
    flush("codex", repo)
    assert log(api, project)[0]["content"] == ("apply_patch: payments/client.py, payments/retry.py -> exit 0; Success. "
                                               "Updated the following files: M payments/client.py A payments/retry.py")

    assert hook("pre-compact", "codex", "PreCompact") == ""  # no transcript, no last message: still a checkpoint
    contribution = api.get(f"{API}/{project}/recall", params={"view": "branch"}).json()["milestones"][0][
        "thisContribution"]
    assert "Checkpoint before a context compaction (auto) of a codex session" in contribution
    assert "Files changed: payments/client.py, payments/retry.py" in contribution
    assert "Begin Patch" not in contribution  # the patch is not listed as a command
    assert "- git diff --stat -> payments/client.py" in contribution


def test_a_cursor_session_starts_from_its_workspace_root_with_a_byte_order_mark(api, project, repo, tmp_path):
    """cursor-agent sends no cwd (the hook runs in ~/.cursor) and may prefix the JSON with a BOM."""
    from cairn_client import hooks

    out = io.StringIO()
    recorded = "\ufeff" + payload("cursor", "sessionStart", repo)
    assert hooks.run("session-start", "cursor", io.StringIO(recorded), out) == 0
    assert "# Cairn brief" in json.loads(out.getvalue())["additional_context"]


@pytest.mark.parametrize("text", ["", "not json", "[1, 2]"])
def test_a_malformed_payload_never_fails_the_agent(home, text):
    from cairn_client import hooks

    out = io.StringIO()
    assert hooks.run("user-prompt", "claude-code", io.StringIO(text), out) == 0


def test_the_capture_hooks_do_not_load_the_http_stack(repo, home, monkeypatch):
    """user-prompt and post-tool-use must return in milliseconds: no httpx, no network."""
    import subprocess
    import sys

    monkeypatch.setenv("CAIRN_PROJECT", "shop")
    recorded = payload("claude-code", "UserPromptSubmit", repo)
    probe = ("import sys, io; from cairn_client import hooks; "
             f"hooks.run('user-prompt', 'claude-code', io.StringIO({recorded!r}), io.StringIO()); "
             "print('httpx' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=repo)  # noqa: S603
    assert done.stdout.strip() == "False", done.stderr


def test_session_start_gives_up_on_a_hanging_api_within_its_budget(home, repo, hook, monkeypatch):
    import socket
    import threading
    import time

    from cairn_client import hooks

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    monkeypatch.setattr(hooks, "SESSION_START_BUDGET_SECS", 0.5)
    monkeypatch.setenv("CAIRN_API_URL", f"http://127.0.0.1:{listener.getsockname()[1]}")
    monkeypatch.setenv("CAIRN_TOKEN", "t")
    monkeypatch.setenv("CAIRN_PROJECT", "shop")

    began = time.monotonic()
    printed = hook("session-start", "claude-code", "SessionStart")

    assert time.monotonic() - began < 2  # the budget, not the 10 s default timeout
    assert printed.startswith("cairn: session-start skipped:")
    listener.close()
