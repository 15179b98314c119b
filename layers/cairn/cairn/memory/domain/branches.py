"""Branch lifecycle rules (GCC BRANCH and MERGE), as a git user would expect them."""

from __future__ import annotations

from typing import Any

from cairn.core.errors import Conflict, InvalidInput

DEFAULT_BRANCH = "main"
DEFAULT_BRANCH_PURPOSE = "Primary development branch"
SYSTEM_AGENT = "system"

ACTIVE = "active"
ABANDONED = "abandoned"
MERGED = "merged"


def require_active(branch: dict[str, Any], action: str) -> None:
    if branch["status"] != ACTIVE:
        raise Conflict(
            f"branch '{branch['branchName']}' is {branch['status']}; {action} needs an active branch",
            field="branchName",
        )


def check_abandon(branch: dict[str, Any]) -> None:
    if branch["branchName"] == DEFAULT_BRANCH:
        raise Conflict(f"the default branch '{DEFAULT_BRANCH}' cannot be abandoned", field="name")
    require_active(branch, "abandon")


def check_merge(source_name: str, target_name: str) -> None:
    if source_name == target_name:
        raise InvalidInput("sourceBranch and targetBranch must be different", field="targetBranch")
    if source_name == DEFAULT_BRANCH:
        raise Conflict(
            f"the default branch '{DEFAULT_BRANCH}' cannot be merged away (merging closes the source)",
            field="sourceBranch",
        )


def ordered_branch_names(names: set[str]) -> list[str]:
    """``main`` first, the rest alphabetically: stable output from an unordered set."""
    return sorted(names, key=lambda name: (name != DEFAULT_BRANCH, name))
