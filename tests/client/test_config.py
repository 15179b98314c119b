"""Configuration: `cairn init` writes .cairn.toml with the project from the git remote and creates the project;
`cairn login` keeps the token in a 0600 file; the environment overrides every file."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
from cairn_client import cli, config, git


@pytest.mark.parametrize(("remote", "project"), [
    ("git@github.com:Acme/Shop.git", "acme-shop"),
    ("https://github.com/acme/shop", "acme-shop"),
    ("https://gitlab.example.com/group/sub/shop.git/", "sub-shop"),
    ("ssh://git@host:2222/acme/shop.git", "acme-shop"),
])
def test_project_id_from_the_git_remote(remote, project):
    assert git.project_id_from_remote(remote) == project


def test_init_writes_the_repo_config_and_creates_the_project(api, repo, monkeypatch, capsys):
    monkeypatch.delenv("CAIRN_PROJECT")
    monkeypatch.chdir(repo)

    assert cli.main(["init"]) == 0

    assert 'project = "acme-shop"' in (repo / ".cairn.toml").read_text()
    assert "token" not in (repo / ".cairn.toml").read_text().replace("No token here", "")
    assert api.get("/api/v1/memory/projects/acme-shop").status_code == 200
    assert cli.main(["init"]) == 0  # a second run finds it
    assert "exists" in capsys.readouterr().out


def test_login_keeps_the_token_readable_by_the_user_only(home):
    assert cli.main(["login", "--token", "tok-1", "--api-url", "https://cairn.example"]) == 0

    path = config.user_config_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = config.load(home)
    assert (loaded.token, loaded.api_url) == ("tok-1", "https://cairn.example")


def test_a_token_file_others_can_read_is_refused(home):
    config.write_user_config({"token": "tok"})
    config.user_config_path().chmod(0o644)

    with pytest.raises(config.ConfigError, match="chmod 600"):
        config.load(home)


def test_the_environment_overrides_every_file(home, repo, monkeypatch):
    config.write_user_config({"token": "from-file", "api_url": "https://user.example"})
    config.write_repo_config(repo, "https://repo.example", "from-repo")
    assert (config.load(repo).api_url, config.load(repo).project) == ("https://repo.example", "from-repo")

    monkeypatch.setenv("CAIRN_API_URL", "https://env.example")
    monkeypatch.setenv("CAIRN_TOKEN", "from-env")
    monkeypatch.setenv("CAIRN_PROJECT", "from-env")

    loaded = config.load(repo)
    assert (loaded.api_url, loaded.token, loaded.project) == ("https://env.example", "from-env", "from-env")


def test_everyday_commands_against_the_api(api, project, repo, monkeypatch, capsys):
    import json

    monkeypatch.chdir(repo)
    assert cli.main(["commit", "-m", "Cart totals include tax"]) == 0
    assert cli.main(["log", "-m", "tax rules from the finance wiki"]) == 0
    capsys.readouterr()

    assert cli.main(["brief", "--json"]) == 0
    assert "Cart totals include tax" in json.loads(capsys.readouterr().out)["brief"]
    assert cli.main(["log", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["content"] == "tax rules from the finance wiki"
    assert cli.main(["status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["branch"] == "main"
    assert cli.main(["search", "tax", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["milestones"]
    assert [hit["thisContribution"] for hit in hits] == ["Cart totals include tax"]


GIT_ONLY_PATH = str(Path(shutil.which("git") or "/usr/bin/git").parent)  # git, and no cairn


def on_path(monkeypatch, folder):
    """A `cairn` executable on PATH (the hooks of a project's config run `cairn`)."""
    folder.mkdir(exist_ok=True)
    program = folder / "cairn"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:{GIT_ONLY_PATH}")


def test_install_doctor_uninstall_from_the_command_line(api, project, repo, home, monkeypatch, capsys):
    import json

    monkeypatch.chdir(repo)
    on_path(monkeypatch, home / "bin")
    assert cli.main(["install", "claude-code"]) == 0
    assert "cairn" in json.loads((repo / ".mcp.json").read_text())["mcpServers"]

    assert cli.main(["doctor"]) == 0
    report = capsys.readouterr().out
    assert "ok    API reachable: http://testserver" in report
    assert f"ok    token accepted, project {project} found" in report
    assert "ok    claude-code hooks (project): 6 installed" in report

    assert cli.main(["uninstall", "claude-code"]) == 0
    assert not (repo / ".mcp.json").exists()


def test_a_project_config_names_cairn_on_path_and_doctor_checks_it_is_there(api, project, repo, home, monkeypatch,
                                                                          capsys):
    import json

    monkeypatch.chdir(repo)
    monkeypatch.setenv("PATH", GIT_ONLY_PATH)
    assert cli.main(["install", "claude-code"]) == 0
    assert "not on this PATH" in capsys.readouterr().err
    settings = json.loads((repo / ".claude/settings.json").read_text())
    commands = {hook["command"] for groups in settings["hooks"].values() for group in groups for hook in group["hooks"]}
    assert "cairn hook session-start --agent claude-code" in commands
    assert all(command.startswith("cairn hook ") for command in commands)  # no path of this machine in git

    assert cli.main(["doctor"]) == 1
    assert "FAIL  claude-code hooks (project) run cairn: not found on PATH" in capsys.readouterr().out
    on_path(monkeypatch, home / "bin")
    assert cli.main(["doctor"]) == 0


def test_doctor_fails_on_a_rejected_token(api, repo, monkeypatch, capsys):
    monkeypatch.chdir(repo)
    monkeypatch.setenv("CAIRN_TOKEN", "not-a-jwt")

    assert cli.main(["doctor"]) == 1
    assert "FAIL  project" in capsys.readouterr().out
