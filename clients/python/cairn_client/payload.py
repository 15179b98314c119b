"""The agents' hook JSON, read into one shape. Claude Code and Codex share field names (``session_id``, ``cwd``,
``prompt``, ``tool_name``, ``tool_input``, ``tool_response``, ``transcript_path``, ``trigger``,
``last_assistant_message``); Cursor names the session ``conversation_id``, the folder ``workspace_roots`` and
sends one event per kind of tool (``afterShellExecution`` with ``command``/``output``, ``afterFileEdit`` with
``file_path``, ``afterMCPExecution`` with ``tool_name``/``tool_input``/``result_json``)."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AGENTS = ("claude-code", "codex", "cursor")
SUMMARY_CHARS = 300


@dataclass
class HookEvent:
    agent: str
    session_id: str
    cwd: Path
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def prompt(self) -> str:
        return str(self.raw.get("prompt") or "")

    @property
    def tool_name(self) -> str:
        name = self.raw.get("tool_name")
        if name:
            return str(name)
        # Cursor: the event is the tool.
        return str(self.raw.get("hook_event_name") or "tool")

    @property
    def tool_input(self) -> dict[str, Any]:
        value = self.raw.get("tool_input")
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = {"input": value}
        if not isinstance(value, dict):
            value = {}
        for key in ("command", "file_path"):  # Cursor's shell and edit events carry them at the top level
            if key in self.raw and key not in value:
                value[key] = self.raw[key]
        return value

    @property
    def tool_response(self) -> Any:
        for key in ("tool_response", "tool_output", "output", "result_json"):
            if key in self.raw:
                return self.raw[key]
        return None

    @property
    def file(self) -> str | None:
        value = self.tool_input.get("file_path") or self.tool_input.get("path") or self.tool_input.get("notebook_path")
        return str(value) if value else None

    @property
    def command(self) -> str | None:
        value = self.tool_input.get("command") or self.tool_input.get("cmd")
        if isinstance(value, list):  # Codex's shell tool takes an argv
            value = " ".join(str(part) for part in value)
        return str(value) if value else None


def parse(text: str, agent: str) -> HookEvent:
    raw = json.loads(text) if text.strip() else {}
    if not isinstance(raw, dict):
        raise ValueError("the hook payload is not a JSON object")
    session = raw.get("session_id") or raw.get("conversation_id") or raw.get("sessionId") or "unknown"
    roots = raw.get("workspace_roots") or []
    cwd = raw.get("cwd") or (roots[0] if roots else None) or "."
    return HookEvent(agent=agent, session_id=str(session), cwd=Path(str(cwd)), raw=raw)


def short(value: Any, limit: int = SUMMARY_CHARS) -> str:
    """One line of at most ``limit`` characters (JSON for structures)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def result_summary(response: Any) -> str:
    """Exit code and the first output of a command, or the start of any other result."""
    if isinstance(response, str) and response.startswith("{"):
        with contextlib.suppress(ValueError):
            response = json.loads(response)  # Codex sends the shell result as a JSON string
    if isinstance(response, dict):
        parts = []
        for key in ("exit_code", "exitCode", "returncode"):
            if key in response:
                parts.append(f"exit {response[key]}")
        if response.get("interrupted"):
            parts.append("interrupted")
        output = response.get("stdout") or response.get("output") or response.get("content") or ""
        errors = response.get("stderr") or ""
        if output:
            parts.append(short(output, 160))
        if errors:
            parts.append("stderr: " + short(errors, 120))
        if parts:
            return "; ".join(parts)
    return short(response, 200) if response not in (None, "") else ""
