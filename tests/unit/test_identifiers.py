"""The identifier rule (cairn.core.identifiers): what a client can always send back in a URL path."""

from __future__ import annotations

import pytest

from cairn.core.identifiers import problem


@pytest.mark.parametrize("value", ["synapse-backend", "a.b", "...", ".hidden", "é", "v1..2", "x" * 300])
def test_accepted_identifiers(value: str) -> None:
    assert problem(value) is None


@pytest.mark.parametrize("value", [".", "..", "a/b", "a b", "a\u00a0b", "q?", "h#", "p%20", "b\\s", "\x00", "a\x1f",
                                   "\x7f", "a\x85", "\x9f"])
def test_refused_identifiers(value: str) -> None:
    assert problem(value) is not None


@pytest.mark.parametrize("name", ["main", "feature/auth", "a/b.c/d", "...x/y", "v1.2"])
def test_accepted_branch_names(name: str) -> None:
    assert problem(name, parts=True) is None


@pytest.mark.parametrize("name", [".", "..", "feature/..", "./x", "a/./b", "/lead", "trail/", "a//b", "/", "a b/c",
                                  "a/\x01"])
def test_refused_branch_names(name: str) -> None:
    assert problem(name, parts=True) is not None


def test_messages_name_the_offending_character() -> None:
    assert problem("a\x01b") == "must not contain control characters (found U+0001)"
    assert problem("..") == "must not be '.' or '..'"
