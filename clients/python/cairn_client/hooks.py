"""``cairn hook <event>``: what each agent hook does (docs/agents.md, "Hooks").

- session-start: the brief of the git branch's Cairn branch (created from main when missing) as
  ``additionalContext``, within a hard 3 s budget; any failure prints one short line and exits 0.
- user-prompt, post-tool-use: an OTA log entry, redacted and spooled; a background ``cairn hook flush`` sends
  it, so these hooks do no network I/O and return in milliseconds.
- pre-compact: a checkpoint milestone of what the session did since its last milestone; counts the compaction.
- stop, session-end: flush the spool and post the session's metrics (replaced by session id, so a heartbeat
  at every stop and a last post at the end count one session).
No hook ever fails the agent: every error becomes one line and exit code 0."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from cairn_client import git, milestones
from cairn_client.config import Config, ConfigError, load
from cairn_client.errors import ApiError as ApiFailure
from cairn_client.payload import HookEvent, parse, result_summary, short
from cairn_client.redact import redact, redact_value
from cairn_client.session import Session, tool_counts

SESSION_START_BUDGET_SECS = 3.0
CONTEXT_CHARS = 10_000
PROMPT_CHARS = 4_000
ENTRY_CHARS = 2_000
EVENTS = ("session-start", "user-prompt", "post-tool-use", "pre-compact", "stop", "session-end", "flush")


class HookFailure(Exception):
    """Ends a hook with its one short line."""


def run(event: str, agent: str, stdin: IO[str], stdout: IO[str], *, session_id: str | None = None,
        cwd: Path | None = None) -> int:
    """Runs one hook; always 0."""
    try:
        if event == "flush":
            flush(Session(session_id or "unknown"), cwd or Path.cwd())
            return 0
        hook = parse(stdin.read(), agent)
        HANDLERS[event](hook, stdout)
    except (HookFailure, ConfigError, ValueError, OSError) as failure:
        _say(event, agent, str(failure), stdout)
    except ApiFailure as failure:
        _say(event, agent, f"API answered {failure}", stdout)
    return 0


def _say(event: str, agent: str, message: str, stdout: IO[str]) -> None:
    line = f"cairn: {event} skipped: {short(message, 160)}"
    if event == "session-start":
        print(line, file=stdout)  # the agent shows it to the model: the session knows Cairn is not there
    else:
        print(line, file=sys.stderr)
    if agent == "cursor" and event == "user-prompt":
        print(json.dumps({"continue": True}), file=stdout)


def _client(config: Config, **options: Any) -> Any:
    from cairn_client.sdk import CairnClient  # httpx is imported by the hooks that talk to the API only

    return CairnClient(config.api_url, config.require_token(), agent="cairn-hook", **options)


def _agent_id(hook: HookEvent) -> str:
    return os.environ.get("CAIRN_AGENT_ID") or hook.agent


# --- session-start ----------------------------------------------------------------------------------------------

def _out_of_time(_signum: int, _frame: object) -> None:
    raise HookFailure(f"no answer within {SESSION_START_BUDGET_SECS:.0f} s")


def session_start(hook: HookEvent, stdout: IO[str]) -> None:
    deadline = time.monotonic() + SESSION_START_BUDGET_SECS
    # The clients' deadline bounds the HTTP calls; the alarm bounds everything else (git, a stuck resolver).
    previous = signal.signal(signal.SIGALRM, _out_of_time)
    signal.setitimer(signal.ITIMER_REAL, SESSION_START_BUDGET_SECS)
    try:
        context, recalled, project, branch = _brief(hook, deadline)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    with Session(hook.session_id).locked() as state:
        state.update(agent=hook.agent, project=project, branch=branch, cwd=str(hook.cwd))
        state["milestonesRecalled"] += recalled
    if hook.agent == "cursor":
        print(json.dumps({"additional_context": context}), file=stdout)
    else:
        print(json.dumps({"hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": context}}),
              file=stdout)


def _brief(hook: HookEvent, deadline: float) -> tuple[str, int, str, str]:
    config = load(hook.cwd)
    project = config.require_project()
    branch = git.cairn_branch(git.branch(hook.cwd))
    with _client(config, timeout=SESSION_START_BUDGET_SECS, retries=1, backoff=0.1, deadline=deadline) as client:
        try:
            answer = client.brief(project, branch)
        except ApiFailure as error:
            if error.status != 404 or error.field != "branch":
                raise
            client.create_branch(project, {"branchName": branch, "parentBranch": "main",
                                           "agentId": _agent_id(hook),
                                           "purpose": f"Work on the git branch {branch}"})
            answer = client.brief(project, branch)
    # The brief names its project and branch itself; the cap guards against a server that breaks its budget.
    context = str(answer.get("brief") or "")[:CONTEXT_CHARS]
    return context, int(answer.get("milestonesRecalled") or 0), project, branch


# --- capture -----------------------------------------------------------------------------------------------------

def user_prompt(hook: HookEvent, stdout: IO[str]) -> None:
    session = Session(hook.session_id)
    with session.locked() as state:
        state["since"]["prompts"] += 1
        where = _where(state, hook)
    text = redact(hook.prompt)[:PROMPT_CHARS]
    if text.strip():
        _spool(session, hook, where, "observation", text)
    if hook.agent == "cursor":
        print(json.dumps({"continue": True}), file=stdout)


def post_tool_use(hook: HookEvent, stdout: IO[str]) -> None:
    session = Session(hook.session_id)
    tool = hook.tool_name
    command = hook.command
    files = hook.files
    error = hook.error
    result = f"failed: {short(redact(error), 200)}" if error else result_summary(redact_value(hook.tool_response))
    subject = command or ", ".join(files) or short(redact_value(hook.tool_input), 200)
    text = redact(f"{tool}: {subject}" + (f" -> {result}" if result else ""))[:ENTRY_CHARS]
    session.record_tool(tool, files=files, command=redact(f"{command} -> {result}"[:300]) if command else None)
    with session.locked() as state:
        where = _where(state, hook)
    _spool(session, hook, where, "action", text)


def _where(state: dict[str, Any], hook: HookEvent) -> dict[str, str]:
    """Project and branch of the session: from session-start, else resolved now (a session started before the
    hooks were installed)."""
    if not state.get("project"):
        state["project"] = load(hook.cwd).require_project()
        state["branch"] = git.cairn_branch(git.branch(hook.cwd))
        state["agent"] = hook.agent
        state["cwd"] = str(hook.cwd)
    return {"project": state["project"], "branch": state["branch"]}


def _spool(session: Session, hook: HookEvent, where: dict[str, str], phase: str, content: str) -> None:
    session.spool({"project": where["project"], "key": str(uuid.uuid4()), "body": {
        "agentId": _agent_id(hook), "branchName": where["branch"],
        "phase": phase, "content": content}})
    _flush_in_background(session, hook.cwd)


def _flush_in_background(session: Session, cwd: Path) -> None:
    """Starts ``cairn hook flush`` detached unless one is already sending this session's spool."""
    if os.environ.get("CAIRN_HOOK_NO_BACKGROUND"):  # tests and `stop` flush in process
        return
    import fcntl

    with session.flush_lock_path.open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # the running flusher loops until the spool is empty
    subprocess.Popen([sys.executable, "-m", "cairn_client.cli", "hook", "flush", "--session", session.id],  # noqa: S603
                     cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)


def flush(session: Session, cwd: Path) -> int:
    """Sends the spool, oldest first; keeps what could not be sent (unreachable API, 429/5xx after retries) for
    the next flush, drops what the API refused (a 4xx: sending it again would fail again). Returns sent count."""
    import fcntl

    sent = 0
    with session.flush_lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        config = load(cwd)
        with _client(config, timeout=5.0, retries=2) as client:
            while entries := session.take_spool():
                for index, entry in enumerate(entries):
                    try:
                        client.append_log(entry["project"], entry["body"], idempotency_key=entry["key"])
                        sent += 1
                    except ApiFailure as error:
                        if error.status == 0 or error.status == 429 or error.status >= 500:
                            session.requeue(entries[index:])
                            return sent
                        print(f"cairn: log entry dropped: {error}", file=sys.stderr)
    return sent


# --- pre-compact, stop, session-end ------------------------------------------------------------------------------

def pre_compact(hook: HookEvent, stdout: IO[str]) -> None:
    session = Session(hook.session_id)
    with session.locked() as state:
        state["compactions"] += 1
        where = _where(state, hook)
        since = dict(state["since"])
    config = load(hook.cwd)
    contribution = checkpoint(hook, since, git.changed_files(hook.cwd))
    with _client(config, timeout=5.0, retries=2) as client:
        milestones.commit(client, where["project"], where["branch"], contribution,
                          agent_id=_agent_id(hook), agent_type=hook.agent)
    with session.locked() as state:
        state["since"] = {"files": [], "commands": [], "prompts": 0}


def checkpoint(hook: HookEvent, since: dict[str, Any], changed: list[str]) -> str:
    """What the session did since its last milestone, as the checkpoint milestone's contribution."""
    files = list(dict.fromkeys([*since.get("files", []), *changed]))
    lines = [f"Checkpoint before a context compaction ({hook.raw.get('trigger') or 'auto'}) of a {hook.agent} "
             f"session; {since.get('prompts', 0)} prompts since the last milestone."]
    if files:
        more = f" and {len(files) - 30} more" if len(files) > 30 else ""
        lines.append("Files changed: " + ", ".join(files[:30]) + more)
    if since.get("commands"):
        lines.append("Commands and results:\n" + "\n".join(f"- {command}" for command in since["commands"]))
    last = last_assistant_message(hook)
    if last:
        lines.append("Last assistant message: " + short(last, 2000))
    return redact("\n".join(lines))[:10_000]


def last_assistant_message(hook: HookEvent) -> str:
    """From the payload (Codex, recent Claude Code) or the end of the transcript (Claude Code's JSON lines)."""
    message = hook.raw.get("last_assistant_message")
    if message:
        return str(message)
    path = hook.raw.get("transcript_path")
    if not path:
        return ""
    try:
        with Path(str(path)).expanduser().open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 256_000))
            tail = handle.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return ""
    for line in reversed(tail):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("type") == "assistant":
            content = record.get("message", {}).get("content", [])
            texts = [part.get("text", "") for part in content if isinstance(part, dict) and part.get("type") == "text"]
            if any(texts):
                return "\n".join(texts)
    return ""


def stop(hook: HookEvent, stdout: IO[str]) -> None:
    session = Session(hook.session_id)
    flush(session, hook.cwd)
    with session.locked() as state:
        where = _where(state, hook)
        snapshot = dict(state)
    config = load(hook.cwd)
    started = datetime.fromisoformat(snapshot["startedAt"].replace("Z", "+00:00"))
    ended = datetime.now(UTC)
    with _client(config, timeout=5.0, retries=2) as client:
        client.store_metrics(where["project"], {
            "sessionId": hook.session_id[:128], "agentId": _agent_id(hook), "agentType": hook.agent,
            "branchName": where["branch"], "milestonesRecalled": int(snapshot["milestonesRecalled"]),
            "compactionCount": int(snapshot["compactions"]),
            "sessionDurationSecs": max(0, int((ended - started).total_seconds())),
            "startedAt": snapshot["startedAt"], "endedAt": ended.isoformat(timespec="seconds").replace("+00:00", "Z"),
            **tool_counts(snapshot["tools"])})


def session_end(hook: HookEvent, stdout: IO[str]) -> None:
    stop(hook, stdout)
    session = Session(hook.session_id)
    if not session.pending():
        for path in (session.state_path, session.lock_path, session.flush_lock_path):
            path.unlink(missing_ok=True)


HANDLERS: dict[str, Callable[[HookEvent, IO[str]], None]] = {
    "session-start": session_start, "user-prompt": user_prompt, "post-tool-use": post_tool_use,
    "pre-compact": pre_compact, "stop": stop, "session-end": session_end,
}
