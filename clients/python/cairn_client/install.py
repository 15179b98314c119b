"""``cairn install|uninstall claude-code|codex|cursor``: merges Cairn's hooks and MCP server into an agent's config,
keeping everything else (docs/agents.md, "Installers", with the formats followed and where they are documented).

Cairn's entries are recognised by their command (``... cairn ... hook <event>``) and the ``cairn`` server name, so
installing removes the old ones and adds the new ones (running it twice changes nothing), and uninstalling removes
exactly them; a file Cairn created and that is left empty is deleted."""

from __future__ import annotations

import json
import re
import shutil
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SERVER = "cairn"
PORTABLE_COMMAND = "cairn"
TOML_BEGIN, TOML_END, TOML_MARK = "# >>> cairn (managed by `cairn install codex`)", "# <<< cairn", "# cairn"
# Seconds the agent waits for each hook: session-start has its own 3 s budget, the rest a little headroom.
TIMEOUTS = {"session-start": 5, "user-prompt": 5, "post-tool-use": 5, "pre-compact": 30, "stop": 30,
            "session-end": 30}

# Agent event name -> `cairn hook` event, per agent.
# A failing Claude Code tool call fires PostToolUseFailure instead of PostToolUse (a recorded session showed it).
CLAUDE_EVENTS = {"SessionStart": "session-start", "UserPromptSubmit": "user-prompt", "PostToolUse": "post-tool-use",
                 "PostToolUseFailure": "post-tool-use", "PreCompact": "pre-compact", "Stop": "stop",
                 "SessionEnd": "session-end"}
# Codex has neither SessionEnd nor PostToolUseFailure (codex-rs/hooks/schema/generated).
CODEX_EVENTS = {key: value for key, value in CLAUDE_EVENTS.items() if key not in ("SessionEnd", "PostToolUseFailure")}
TOOL_EVENTS = ("PostToolUse", "PostToolUseFailure")  # matcher groups: every tool
CURSOR_EVENTS = {"sessionStart": "session-start", "beforeSubmitPrompt": "user-prompt",
                 "afterShellExecution": "post-tool-use", "afterFileEdit": "post-tool-use",
                 "afterMCPExecution": "post-tool-use", "preCompact": "pre-compact", "stop": "stop",
                 "sessionEnd": "session-end"}


@dataclass(frozen=True)
class Target:
    """Where one agent's config lives for a scope."""

    hooks: Path
    mcp: Path


def cairn_command(*, user: bool) -> str:
    """The hooks' command. A project's config is committed and shared across machines, where `cairn` lives in
    different places: it names `cairn`, found on the agent's PATH. The user's config is this machine's only: it names
    this `cairn`'s absolute path, so those hooks do not depend on the agent's PATH."""
    if not user:
        return PORTABLE_COMMAND
    found = shutil.which(PORTABLE_COMMAND)
    return found or f"{sys.executable} -m cairn_client.cli"


def target(agent: str, *, root: Path | None, home: Path) -> Target:
    if agent == "claude-code":
        return (Target(root / ".claude" / "settings.json", root / ".mcp.json") if root
                else Target(home / ".claude" / "settings.json", home / ".claude.json"))
    if agent == "codex":
        base = root / ".codex" if root else home / ".codex"
        return Target(base / "hooks.json", base / "config.toml")
    if agent == "cursor":
        base = root / ".cursor" if root else home / ".cursor"
        return Target(base / "hooks.json", base / "mcp.json")
    raise ValueError(f"unknown agent '{agent}': claude-code, codex or cursor")


def is_ours(command: object) -> bool:
    return isinstance(command, str) and bool(re.search(r"cairn\S*\s+(?:-m\s+cairn_client\.cli\s+)?hook\s", command))


def install(agent: str, *, api_url: str, project: str, root: Path | None, home: Path,
            command: str | None = None) -> list[Path]:
    where = target(agent, root=root, home=home)
    command = command or cairn_command(user=root is None)
    _write_json(where.hooks, _with_hooks(_read_json(where.hooks), agent, command))
    url = f"{api_url.rstrip('/')}/mcp"
    if agent == "codex":
        _write_text(where.mcp, _codex_toml(_without_codex(_read_text(where.mcp)), url, project))
    else:
        config = _read_json(where.mcp)
        config.setdefault("mcpServers", {})[SERVER] = _mcp_server(agent, url, project)
        _write_json(where.mcp, config)
    return [where.hooks, where.mcp]


def uninstall(agent: str, *, root: Path | None, home: Path) -> list[Path]:
    where = target(agent, root=root, home=home)
    changed = []
    if where.hooks.exists():
        _write_json(where.hooks, _without_hooks(_read_json(where.hooks), agent))
        changed.append(where.hooks)
    if where.mcp.exists():
        if agent == "codex":
            _write_text(where.mcp, _without_codex(_read_text(where.mcp)))
        else:
            config = _read_json(where.mcp)
            servers = config.get("mcpServers", {})
            servers.pop(SERVER, None)
            if not servers:
                config.pop("mcpServers", None)
            _write_json(where.mcp, config)
        changed.append(where.mcp)
    return changed


# --- hooks (JSON: Claude Code and Codex share one shape, Cursor has its own) -------------------------------------

def _events(agent: str) -> dict[str, str]:
    return {"claude-code": CLAUDE_EVENTS, "codex": CODEX_EVENTS, "cursor": CURSOR_EVENTS}[agent]


def _with_hooks(config: dict[str, Any], agent: str, command: str) -> dict[str, Any]:
    config = _without_hooks(config, agent)
    hooks = config.setdefault("hooks", {})
    if agent == "cursor":
        config.setdefault("version", 1)
    for event, ours in _events(agent).items():
        line = f"{command} hook {ours} --agent {agent}"
        if agent == "cursor":
            hooks.setdefault(event, []).append({"command": line, "timeout": TIMEOUTS[ours]})
        else:
            entry = {"type": "command", "command": line, "timeout": TIMEOUTS[ours]}
            hooks.setdefault(event, []).append({"matcher": "*", "hooks": [entry]} if event in TOOL_EVENTS
                                               else {"hooks": [entry]})
    return config


def _without_hooks(config: dict[str, Any], agent: str) -> dict[str, Any]:
    hooks = config.get("hooks")
    if not isinstance(hooks, dict):
        return config
    for event in list(hooks):
        kept = []
        for group in hooks[event] if isinstance(hooks[event], list) else []:
            if agent == "cursor" or "hooks" not in group:
                if not is_ours(group.get("command")):
                    kept.append(group)
                continue
            inner = [hook for hook in group.get("hooks", []) if not is_ours(hook.get("command"))]
            if inner:
                kept.append({**group, "hooks": inner})
        if kept:
            hooks[event] = kept
        else:
            del hooks[event]
    if not hooks:
        del config["hooks"]
        if agent == "cursor" and set(config) == {"version"}:
            del config["version"]
    return config


# --- MCP servers ------------------------------------------------------------------------------------------------

def _mcp_server(agent: str, url: str, project: str) -> dict[str, Any]:
    # The token stays in the environment: each agent expands a variable reference in headers at start.
    if agent == "cursor":
        return {"url": url, "headers": {"Authorization": "Bearer ${env:CAIRN_TOKEN}", "x-cairn-project": project}}
    return {"type": "http", "url": url,
            "headers": {"Authorization": "Bearer ${CAIRN_TOKEN}", "x-cairn-project": project}}


def _codex_toml(text: str, url: str, project: str) -> str:
    """Codex's config.toml with Cairn's block appended (``[mcp_servers.cairn]`` and, unless the user set it, the
    ``codex_hooks`` feature flag; inside the user's own ``[features]`` table when there is one)."""
    features = tomllib.loads(text).get("features", {}) if text.strip() else {}
    lines = text.splitlines()
    block = [TOML_BEGIN, f"[mcp_servers.{SERVER}]", f"url = {json.dumps(url)}", 'bearer_token_env_var = "CAIRN_TOKEN"',
             f"http_headers = {{ \"x-cairn-project\" = {json.dumps(project)} }}"]
    if "codex_hooks" not in features:
        header = next((index for index, line in enumerate(lines) if line.strip() == "[features]"), None)
        if header is None:
            block += ["[features]", "codex_hooks = true"]
        else:
            lines.insert(header + 1, f"codex_hooks = true  {TOML_MARK}")
    body = "\n".join(lines).rstrip("\n")
    return (body + "\n\n" if body else "") + "\n".join([*block, TOML_END]) + "\n"


def _without_codex(text: str) -> str:
    kept, inside = [], False
    for line in text.splitlines():
        if line.strip() == TOML_BEGIN:
            inside = True
        elif inside and line.strip() == TOML_END:
            inside = False
        elif not inside and not line.endswith(f"  {TOML_MARK}"):
            kept.append(line)
    return "\n".join(kept).rstrip("\n") + "\n" if any(line.strip() for line in kept) else ""


# --- files -------------------------------------------------------------------------------------------------------

def _read_json(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text() or "{}")
    except FileNotFoundError:
        return {}
    except ValueError as error:
        raise ValueError(f"{path} is not valid JSON ({error}); fix it before installing") from error
    if not isinstance(value, dict):
        raise ValueError(f"{path} is not a JSON object")
    return value


def _read_text(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def _write_json(path: Path, value: dict[str, Any]) -> None:
    _write_text(path, json.dumps(value, indent=2) + "\n" if value else "")


def _write_text(path: Path, text: str) -> None:
    """Writes through a temporary file (never a half-written config); an empty result removes the file."""
    if not text.strip():
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".cairn-tmp")
    temporary.write_text(text)
    temporary.replace(path)


def _installed(agent: str, *, root: Path | None, home: Path) -> list[dict[str, Any]]:
    """Cairn's hook entries as installed."""
    config = _read_json(target(agent, root=root, home=home).hooks)
    return [hook for groups in (config.get("hooks") or {}).values() for group in groups
            for hook in group.get("hooks", [group]) if is_ours(hook.get("command"))]


def installed_timeouts(agent: str, *, root: Path | None, home: Path) -> dict[str, int | None]:
    """``cairn hook`` event -> the timeout the agent will allow it, as installed (for `cairn doctor`)."""
    found: dict[str, int | None] = {}
    for hook in _installed(agent, root=root, home=home):
        match = re.search(r"hook\s+(\S+)", str(hook["command"]))
        if match:
            found[match.group(1)] = hook.get("timeout")
    return found


def unreachable_programs(agent: str, *, root: Path | None, home: Path) -> list[str]:
    """The programs installed hooks run that this machine cannot find (`cairn` not on PATH, a moved path)."""
    programs = {str(hook["command"]).split()[0] for hook in _installed(agent, root=root, home=home)}
    return sorted(program for program in programs if shutil.which(program) is None)
