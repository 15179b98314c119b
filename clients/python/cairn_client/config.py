"""Where the client's settings come from (docs/agents.md, "Configuration"), lowest to highest precedence:
the user config file (``~/.config/cairn/config.toml``, mode 0600: the token and a default API URL), the
repository's ``.cairn.toml`` (API URL and project, committed, never a token), then the environment
(``CAIRN_API_URL``, ``CAIRN_TOKEN``, ``CAIRN_PROJECT``), which overrides every file."""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path

from cairn_client import git

REPO_FILE = ".cairn.toml"
DEFAULT_API_URL = "http://127.0.0.1:8000"


class ConfigError(Exception):
    """A setting is missing or a config file is unsafe; the message says how to fix it."""


@dataclass(frozen=True)
class Config:
    api_url: str
    token: str | None
    project: str | None
    agent_id: str
    repo_root: Path | None

    def require_token(self) -> str:
        if not self.token:
            raise ConfigError("no token: set CAIRN_TOKEN or run `cairn login --token <jwt>`")
        return self.token

    def require_project(self) -> str:
        if not self.project:
            raise ConfigError("no project: run `cairn init` in the repository or set CAIRN_PROJECT")
        return self.project


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "cairn" / "config.toml"


def state_dir() -> Path:
    """Spools and session state: machine-local, never committed."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "cairn"


def _read_toml(path: Path) -> dict[str, object]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from error


def _read_user_config() -> dict[str, object]:
    path = user_config_path()
    if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
        # A token readable by others is as good as leaked: refuse it, as ssh does with keys.
        raise ConfigError(f"{path} is readable by other users: chmod 600 {path}")
    return _read_toml(path)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def load(cwd: Path | None = None) -> Config:
    cwd = cwd or Path.cwd()
    root = git.root(cwd)
    user = _read_user_config()
    repo = _read_toml(root / REPO_FILE) if root else {}
    env = os.environ
    return Config(
        api_url=(env.get("CAIRN_API_URL") or _text(repo.get("api_url")) or _text(user.get("api_url"))
                 or DEFAULT_API_URL).rstrip("/"),
        token=env.get("CAIRN_TOKEN") or _text(user.get("token")),
        project=env.get("CAIRN_PROJECT") or _text(repo.get("project")),
        agent_id=env.get("CAIRN_AGENT_ID") or _text(repo.get("agent_id")) or _text(user.get("agent_id"))
        or "cairn-cli",
        repo_root=root,
    )


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_user_config(values: dict[str, str]) -> Path:
    """Merges ``values`` into the user config file, created with mode 0600 before anything is written to it."""
    path = user_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    merged = {key: value for key, value in _read_toml(path).items() if isinstance(value, str)}
    merged.update(values)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.writelines(f"{key} = {_quote(value)}\n" for key, value in sorted(merged.items()))
    return path


def write_repo_config(root: Path, api_url: str, project: str) -> Path:
    path = root / REPO_FILE
    path.write_text("# Cairn (docs/agents.md). No token here: it comes from CAIRN_TOKEN or `cairn login`.\n"
                    f"api_url = {_quote(api_url)}\nproject = {_quote(project)}\n")
    return path
