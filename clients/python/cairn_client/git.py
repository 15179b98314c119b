"""What the client learns from git: the repository root, the branch, the remote (each a short subprocess with a
timeout; no git, or no repository, is an answer, never an error)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

TIMEOUT_SECS = 1.0
# main and master are the same trunk to Cairn: its default branch is "main".
TRUNKS = frozenset({"main", "master"})


def _git(cwd: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,  # noqa: S603, S607 - git on PATH
                              timeout=TIMEOUT_SECS, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def root(cwd: Path) -> Path | None:
    found = _git(cwd, "rev-parse", "--show-toplevel")
    return Path(found) if found else None


def branch(cwd: Path) -> str | None:
    """The checked-out branch; None when detached or outside a repository."""
    name = _git(cwd, "symbolic-ref", "--quiet", "--short", "HEAD")
    return name or None


def cairn_branch(git_branch: str | None) -> str:
    """The Cairn branch of a git branch: the same name, except that the trunk (and no branch at all) is main."""
    if not git_branch or git_branch in TRUNKS:
        return "main"
    return git_branch


def remote_url(cwd: Path) -> str | None:
    return _git(cwd, "remote", "get-url", "origin")


def changed_files(cwd: Path) -> list[str]:
    """Files modified, added or untracked in the work tree (git status), as paths from the root."""
    out = _git(cwd, "status", "--porcelain")
    return [line[3:] for line in out.splitlines() if len(line) > 3] if out else []


def project_id_from_remote(url: str) -> str:
    """``git@github.com:acme/shop.git`` and ``https://github.com/acme/shop`` both give ``acme-shop``: owner and
    name joined by ``-`` (a project id is one path segment), lower case, other characters folded to ``-``."""
    path = re.sub(r"\.git/?$", "", url.strip().rstrip("/"))
    path = re.sub(r"^[a-z+]+://[^/]+/", "", path)  # scheme://host/
    path = re.sub(r"^[^@/]+@[^:/]+:", "", path)  # user@host:
    parts = [part for part in path.split("/") if part][-2:]
    return slug("-".join(parts))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-.")[:128] or "project"
