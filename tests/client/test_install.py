"""Installers against a temporary home and repository holding the user's own config: installing keeps it,
running twice changes nothing, uninstalling gives the original files back."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from cairn_client import install

URL, PROJECT, COMMAND = "https://cairn.example", "acme-shop", "/opt/cairn/bin/cairn"

EXISTING = {
    "claude-code": {
        ".claude/settings.json": json.dumps({"permissions": {"allow": ["Bash(npm test)"]}, "hooks": {
            "PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "prettier --write"}]}]}},
            indent=2) + "\n",
        ".mcp.json": json.dumps({"mcpServers": {"github": {"type": "http", "url": "https://gh.example/mcp"}}},
                                indent=2) + "\n",
    },
    "codex": {
        ".codex/hooks.json": json.dumps({"hooks": {"Stop": [{"hooks": [{"type": "command", "command": "say done"}]}]}},
                                        indent=2) + "\n",
        ".codex/config.toml": 'model = "gpt-5-codex"\n\n[features]\nweb_search = true\n\n'
                              '[mcp_servers.docs]\ncommand = "docs-mcp"\n',
    },
    "cursor": {
        ".cursor/hooks.json": json.dumps({"version": 1, "hooks": {"afterFileEdit": [{"command": "./fmt.sh"}]}},
                                         indent=2) + "\n",
        ".cursor/mcp.json": json.dumps({"mcpServers": {"linear": {"url": "https://linear.example/mcp"}}},
                                       indent=2) + "\n",
    },
}


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def snapshot(root: Path) -> dict[str, str]:
    return {str(path.relative_to(root)): path.read_text() for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.mark.parametrize("agent", sorted(EXISTING))
def test_install_twice_then_uninstall_restores_the_users_config(agent, tmp_path):
    root, home = tmp_path / "repo", tmp_path / "home"
    root.mkdir()
    home.mkdir()
    write(root, EXISTING[agent])
    before = snapshot(root)

    install.install(agent, api_url=URL, project=PROJECT, root=root, home=home, command=COMMAND)
    once = snapshot(root)
    install.install(agent, api_url=URL, project=PROJECT, root=root, home=home, command=COMMAND)

    assert snapshot(root) == once
    install.uninstall(agent, root=root, home=home)
    assert snapshot(root) == before
    assert snapshot(home) == {}


def test_claude_code_gets_every_hook_and_the_http_mcp_server(tmp_path):
    root = tmp_path
    write(root, EXISTING["claude-code"])

    install.install("claude-code", api_url=URL, project=PROJECT, root=root, home=tmp_path / "h", command=COMMAND)

    settings = json.loads((root / ".claude/settings.json").read_text())
    assert settings["permissions"] == {"allow": ["Bash(npm test)"]}
    assert set(settings["hooks"]) == {"SessionStart", "UserPromptSubmit", "PostToolUse", "PostToolUseFailure",
                                      "PreCompact", "Stop", "SessionEnd"}
    assert settings["hooks"]["PostToolUseFailure"] == [{"matcher": "*", "hooks": [{
        "type": "command", "timeout": 5, "command": f"{COMMAND} hook post-tool-use --agent claude-code"}]}]
    post = settings["hooks"]["PostToolUse"]
    assert post[0]["hooks"][0]["command"] == "prettier --write"
    assert post[1] == {"matcher": "*", "hooks": [{"type": "command", "timeout": 5,
                                                  "command": f"{COMMAND} hook post-tool-use --agent claude-code"}]}
    servers = json.loads((root / ".mcp.json").read_text())["mcpServers"]
    assert servers["github"] == {"type": "http", "url": "https://gh.example/mcp"}
    assert servers["cairn"] == {"type": "http", "url": f"{URL}/mcp", "headers": {
        "Authorization": "Bearer ${CAIRN_TOKEN}", "x-cairn-project": PROJECT}}


def test_codex_config_stays_valid_toml_with_the_server_and_the_hooks_flag(tmp_path):
    write(tmp_path, EXISTING["codex"])

    install.install("codex", api_url=URL, project=PROJECT, root=tmp_path, home=tmp_path / "h", command=COMMAND)

    config = tomllib.loads((tmp_path / ".codex/config.toml").read_text())
    assert config["features"] == {"web_search": True, "codex_hooks": True}
    assert config["mcp_servers"]["docs"] == {"command": "docs-mcp"}
    assert config["mcp_servers"]["cairn"] == {"url": f"{URL}/mcp", "bearer_token_env_var": "CAIRN_TOKEN",
                                              "http_headers": {"x-cairn-project": PROJECT}}
    hooks = json.loads((tmp_path / ".codex/hooks.json").read_text())["hooks"]
    assert "SessionEnd" not in hooks
    assert len(hooks["Stop"]) == 2


def test_codex_flag_the_user_already_set_is_left_alone(tmp_path):
    write(tmp_path, {".codex/config.toml": "[features]\ncodex_hooks = false\n"})

    install.install("codex", api_url=URL, project=PROJECT, root=tmp_path, home=tmp_path / "h", command=COMMAND)

    assert tomllib.loads((tmp_path / ".codex/config.toml").read_text())["features"] == {"codex_hooks": False}


def test_user_scope_writes_to_the_home_and_uninstall_removes_created_files(tmp_path):
    home = tmp_path / "home"

    paths = install.install("cursor", api_url=URL, project=PROJECT, root=None, home=home, command=COMMAND)

    assert paths == [home / ".cursor/hooks.json", home / ".cursor/mcp.json"]
    hooks = json.loads(paths[0].read_text())
    assert hooks["version"] == 1
    assert hooks["hooks"]["sessionStart"] == [{"command": f"{COMMAND} hook session-start --agent cursor",
                                               "timeout": 5}]
    assert json.loads(paths[1].read_text())["mcpServers"]["cairn"]["headers"]["Authorization"] == \
        "Bearer ${env:CAIRN_TOKEN}"
    install.uninstall("cursor", root=None, home=home)
    assert not paths[0].exists()
    assert not paths[1].exists()


def test_installed_timeouts_leave_room_for_the_session_start_budget(tmp_path):
    install.install("claude-code", api_url=URL, project=PROJECT, root=tmp_path, home=tmp_path, command=COMMAND)

    timeouts = install.installed_timeouts("claude-code", root=tmp_path, home=tmp_path)

    assert timeouts["session-start"] > 3
    assert set(timeouts) == {"session-start", "user-prompt", "post-tool-use", "pre-compact", "stop", "session-end"}


def test_a_config_that_is_not_json_is_not_overwritten(tmp_path):
    write(tmp_path, {".mcp.json": "{not json"})

    with pytest.raises(ValueError, match="not valid JSON"):
        install.install("claude-code", api_url=URL, project=PROJECT, root=tmp_path, home=tmp_path, command=COMMAND)

    assert (tmp_path / ".mcp.json").read_text() == "{not json"


def test_the_claude_code_plugin_ships_the_installers_hooks_and_the_stdio_server():
    plugin = Path(__file__).parents[2] / "clients" / "claude-plugin"

    assert json.loads((plugin / "hooks" / "hooks.json").read_text()) == install._with_hooks({}, "claude-code", "cairn")
    assert json.loads((plugin / ".mcp.json").read_text()) == {"mcpServers": {"cairn": {"command": "cairn",
                                                                                        "args": ["mcp"]}}}
    assert json.loads((plugin / ".claude-plugin" / "plugin.json").read_text())["name"] == "cairn"


def test_the_users_config_names_this_machines_cairn_the_projects_cairn_on_path(tmp_path, monkeypatch):
    monkeypatch.setattr(install.shutil, "which", lambda name: f"/home/dev/.local/bin/{name}")
    home = tmp_path / "home"
    install.install("cursor", api_url=URL, project=PROJECT, root=None, home=home)
    install.install("cursor", api_url=URL, project=PROJECT, root=tmp_path, home=home)

    mine = json.loads((home / ".cursor/hooks.json").read_text())["hooks"]["stop"][0]["command"]
    shared = json.loads((tmp_path / ".cursor/hooks.json").read_text())["hooks"]["stop"][0]["command"]
    assert mine == "/home/dev/.local/bin/cairn hook stop --agent cursor"
    assert shared == "cairn hook stop --agent cursor"
