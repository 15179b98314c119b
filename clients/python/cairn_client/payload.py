"""The agents' hook JSON, read into one shape. Claude Code and Codex share field names (``session_id``, ``cwd``,
``prompt``, ``tool_name``, ``tool_input``, ``tool_response``, ``transcript_path``, ``trigger``,
``last_assistant_message``); Cursor names the session ``conversation_id``, the folder ``workspace_roots`` and
sends one event per kind of tool (``afterShellExecution`` with ``command``/``output``, ``afterFileEdit`` with
``file_path``, ``afterMCPExecution`` with ``tool_name``/``tool_input``/``result_json``).

What recorded payloads showed (tests/client/fixtures/README.md): a failing Claude Code tool call fires
``PostToolUseFailure`` with ``error`` (no ``tool_response``); Codex answers a shell call's ``tool_response`` as the
output string, and its ``apply_patch`` carries the patch as ``tool_input.command`` and the result as a JSON string
with ``metadata.exit_code``; cursor-agent may send an empty ``cwd`` (the folder is ``workspace_roots[0]``) and a
UTF-8 byte order mark before the JSON."""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AGENTS = ("claude-code", "codex", "cursor")
SUMMARY_CHARS = 300
PATCH_TOOLS = ("apply_patch",)  # Codex: tool_input.command is a patch, not a shell command
_PATCH_FILE = re.compile(r"^\*\*\* (?:Add|Update|Delete) File: (.+)$", re.MULTILINE)


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
    def error(self) -> str | None:
        """Why the tool call failed (Claude Code's ``PostToolUseFailure``), else None."""
        value = self.raw.get("error")
        return str(value) if value else None

    @property
    def files(self) -> list[str]:
        """The files the tool call names: its path argument, or every file of a patch."""
        if self.tool_name in PATCH_TOOLS:
            return _PATCH_FILE.findall(str(self.tool_input.get("command") or ""))
        value = self.tool_input.get("file_path") or self.tool_input.get("path") or self.tool_input.get("notebook_path")
        return [str(value)] if value else []

    @property
    def command(self) -> str | None:
        if self.tool_name in PATCH_TOOLS:
            return None
        value = self.tool_input.get("command") or self.tool_input.get("cmd")
        if isinstance(value, list):  # Codex's shell tool takes an argv
            value = " ".join(str(part) for part in value)
        return str(value) if value else None


def parse(text: str, agent: str) -> HookEvent:
    text = text.removeprefix("\ufeff")  # cursor-agent writes a byte order mark before the JSON
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
        metadata = response.get("metadata")  # Codex's apply_patch
        codes = {**(metadata if isinstance(metadata, dict) else {}), **response}
        for key in ("exit_code", "exitCode", "returncode"):
            if key in codes:
                parts.append(f"exit {codes[key]}")
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
