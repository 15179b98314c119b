"""A session's local state and its spool (docs/agents.md, "Hooks"): one JSON state file and one JSON-lines spool
per agent session under the state directory, each updated under an exclusive ``flock`` because an agent may run
hooks concurrently (parallel tool calls). Only stdlib here: the capture hooks must answer in milliseconds."""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cairn_client.config import state_dir

# Tool names of Claude Code, Codex and Cursor by the metrics' categories (docs/metrics.md, toolCalls*).
CATEGORIES: dict[str, str] = {
    **dict.fromkeys(["Read", "LS", "NotebookRead", "WebFetch", "read_file", "list_dir", "view_image"], "Read"),
    **dict.fromkeys(["Grep", "Glob", "WebSearch", "grep", "file_search", "codebase_search", "web_search",
                     "grep_search"], "Search"),
    **dict.fromkeys(["Edit", "MultiEdit", "Write", "NotebookEdit", "apply_patch", "edit_file", "write_file",
                     "afterFileEdit"], "Edit"),
    **dict.fromkeys(["Bash", "BashOutput", "KillShell", "shell", "local_shell", "exec_command", "run_terminal_cmd",
                     "afterShellExecution"], "Execute"),
    **dict.fromkeys(["Task", "Agent", "spawn_agent"], "Agent"),
}
KEPT_COMMANDS = 20
KEPT_FILES = 50


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _safe(session_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", session_id)[:128] or "session"


class Session:
    def __init__(self, session_id: str, root: Path | None = None) -> None:
        self.id = session_id
        folder = (root or state_dir()) / "sessions"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        base = folder / _safe(session_id)
        self.state_path = base.with_suffix(".json")
        self.spool_path = base.with_suffix(".spool.jsonl")
        self.lock_path = base.with_suffix(".lock")
        self.flush_lock_path = base.with_suffix(".flush.lock")

    @contextmanager
    def locked(self) -> Iterator[dict[str, Any]]:
        """The state, read and written back under the session's lock."""
        with self.lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            state = self._read()
            yield state
            temporary = self.state_path.with_suffix(".tmp")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(json.dumps(state))
            temporary.replace(self.state_path)

    def read(self) -> dict[str, Any]:
        with self.lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_SH)
            return self._read()

    def _read(self) -> dict[str, Any]:
        try:
            state: dict[str, Any] = json.loads(self.state_path.read_text())
        except (FileNotFoundError, ValueError):
            state = {}
        state.setdefault("sessionId", self.id)
        state.setdefault("startedAt", now())
        state.setdefault("milestonesRecalled", 0)
        state.setdefault("compactions", 0)
        state.setdefault("tools", {})
        state.setdefault("since", {"files": [], "commands": [], "prompts": 0})
        return state

    # --- what the session did ------------------------------------------------------------------------------

    def record_tool(self, tool: str, *, files: list[str], command: str | None) -> None:
        with self.locked() as state:
            tools = state["tools"]
            tools[tool] = tools.get(tool, 0) + 1
            since = state["since"]
            for file in files:
                if file not in since["files"]:
                    since["files"] = [*since["files"], file][-KEPT_FILES:]
            if command:
                since["commands"] = [*since["commands"], command][-KEPT_COMMANDS:]

    # --- the spool -----------------------------------------------------------------------------------------

    def spool(self, entry: dict[str, Any]) -> None:
        with self.lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            descriptor = os.open(self.spool_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(descriptor, "a") as handle:
                handle.write(json.dumps(entry) + "\n")

    def take_spool(self) -> list[dict[str, Any]]:
        """Everything spooled so far, removed from the spool (``requeue`` puts back what could not be sent)."""
        with self.lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                lines = self.spool_path.read_text().splitlines()
            except FileNotFoundError:
                return []
            self.spool_path.unlink()
        return [json.loads(line) for line in lines if line.strip()]

    def requeue(self, entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            self.spool(entry)

    def pending(self) -> int:
        try:
            return len(self.spool_path.read_text().splitlines())
        except FileNotFoundError:
            return 0


def tool_counts(tools: dict[str, int]) -> dict[str, int]:
    """The metrics' toolCalls* fields from the per-tool counts (MCP and unknown tools count in the total only)."""
    counts = {f"toolCalls{category}": 0 for category in ("Read", "Search", "Edit", "Execute", "Agent")}
    for tool, count in tools.items():
        category = CATEGORIES.get(tool)
        if category:
            counts[f"toolCalls{category}"] += count
    counts["toolCallsTotal"] = sum(tools.values())
    return counts
