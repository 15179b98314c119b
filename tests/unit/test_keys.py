"""Single-table key design: escaping and ordering (docs/key-design.md)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cairn.aws.keys import PROJECT_SK, ProjectRef, blob_prefix, escape, parse_project_scope, project_pk, project_scope
from cairn.memory.store.keys import (
    BRANCHES_PREFIX,
    RANGE_END,
    branch_sk,
    entries_end,
    entry_sk,
    log_head_sk,
    metadata_sk,
    milestone_head_sk,
    milestone_id_sk,
    reverse_sequence,
)

SEQUENCE_DIGITS = 12


@pytest.mark.parametrize(("raw", "escaped"), [
    ("plain", "plain"),
    ("a#b", "a%23b"),
    ("a%b", "a%25b"),
    ("a%23b", "a%2523b"),  # an already-escaped-looking name stays distinct from "a#b"
    ("##", "%23%23"),
    ("%#", "%25%23"),
    ("", ""),
])
def test_escape(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped
    assert "#" not in escape(raw)


def test_escape_is_injective_on_tricky_names() -> None:
    names = ["a#b", "a%23b", "a%2523b", "a%b", "a%25b", "a", "a#", "a%", "%", "#", "%23", "%25"]
    assert len({escape(name) for name in names}) == len(names)


def test_tenant_and_project_are_escaped_in_partition_keys() -> None:
    assert project_pk("t#1", "p#2") == "T#t%231#P#p%232"
    assert project_pk("t", "a#P#b") != project_pk("t#P#a", "b")
    assert project_pk("t", "p%23") != project_pk("t", "p#")
    assert milestone_id_sk("ms-1") == "MSID#ms-1"


@pytest.mark.parametrize(("first", "second"), [
    (("t", "p"), ("t", "p2")),
    (("t", "p/x"), ("t", "p")),
    (("t/projects/p", "q"), ("t", "p")),
    (("t", "p#"), ("t", "p%23")),
])
def test_blob_prefixes_never_nest(first: tuple[str, str], second: tuple[str, str]) -> None:
    """Purging one project deletes everything under its prefix: no other project's blobs may share it."""
    a, b = blob_prefix(*first), blob_prefix(*second)
    assert a.endswith("/")
    assert b.endswith("/")
    assert not a.startswith(b)
    assert not b.startswith(a)


def test_sort_keys() -> None:
    assert branch_sk("feature#x") == "PROJECT#BRANCH#feature%23x"
    assert branch_sk("x").startswith(BRANCHES_PREFIX)
    assert branch_sk("x").startswith(PROJECT_SK)  # descriptors sort with the project: overview is one Query
    assert milestone_head_sk("a#b") == "MS#a%23b"
    assert log_head_sk("a#b") == "LOG#a%23b"
    assert metadata_sk("seg#1") == "META#seg%231"


@pytest.mark.parametrize("sequence", [0, 1, 9, 10, 99, 1000, 123_456_789, 10**12 - 1])
def test_reverse_sequence_has_twelve_digits(sequence: int) -> None:
    value = reverse_sequence(sequence)
    assert len(value) == SEQUENCE_DIGITS
    assert value.isdigit()
    assert int(value) == 10**SEQUENCE_DIGITS - 1 - sequence


def test_reverse_sequence_sorts_higher_sequences_first() -> None:
    sequences = [1, 2, 9, 10, 11, 99, 100, 1000, 99_999, 10**6]
    by_key = sorted(sequences, key=reverse_sequence)
    assert by_key == sorted(sequences, reverse=True)
    assert reverse_sequence(10) < reverse_sequence(9)  # string order, not just numeric
    assert reverse_sequence(0) == "999999999999"
    assert reverse_sequence(1) == "999999999998"


def test_head_sorts_before_its_entries_newest_first() -> None:
    head = milestone_head_sk("main")
    keys = [entry_sk(head, sequence) for sequence in (1, 2, 3, 10)] + [head]
    assert sorted(keys) == [head, entry_sk(head, 10), entry_sk(head, 3), entry_sk(head, 2), entry_sk(head, 1)]
    assert all(head < key <= entries_end(head) for key in keys if key != head)


def test_range_end_sorts_after_digits_and_escapes() -> None:
    assert all(character < RANGE_END for character in "0123456789%ABCZabcz")


def _within(key: str, head: str) -> bool:
    """Whether ``key`` falls inside the Query range that reads branch ``head``'s stream."""
    return head <= key <= entries_end(head)


OTHER_BRANCHES = ["a#b", "a#", "a#1", "a#~", "a#000000000001", "a%23b", "a%", "a%23", "ab", "a-b", "a.b", "a/b",
                  "a~", "b", "A"]


@pytest.mark.parametrize("other", OTHER_BRANCHES)
@pytest.mark.parametrize("head_of", [milestone_head_sk, log_head_sk])
def test_no_other_branch_falls_inside_a_branchs_range(other: str, head_of: Callable[[str], str]) -> None:
    head = head_of("a")
    other_head = head_of(other)
    assert not _within(other_head, head)
    for sequence in (0, 1, 2, 10**12 - 1):
        assert not _within(entry_sk(other_head, sequence), head)


# Regression: a branch's stream is read with SK BETWEEN head and head + "#~". A name may contain "!" or '"'
# (api/models.py `_BRANCH` allows them), which sort before "#"; unescaped, "MS#a" < "MS#a!" < "MS#a#", so
# branch "a!"'s head and milestones fell inside branch "a"'s range and recall of "a" returned them.
@pytest.mark.parametrize("other", ["a!", 'a"', "a!#b", "a\x01", "a ", "a\t", "a!~"])
@pytest.mark.parametrize("head_of", [milestone_head_sk, log_head_sk])
def test_names_sorting_before_the_separator_stay_outside_a_branchs_range(
        other: str, head_of: Callable[[str], str]) -> None:
    head = head_of("a")
    assert not _within(head_of(other), head)
    for sequence in (0, 1, 10**12 - 1):
        assert not _within(entry_sk(head_of(other), sequence), head)


@pytest.mark.parametrize("character", [chr(code) for code in range(ord("#") + 1)] + ["%"])
def test_every_character_up_to_the_separator_is_escaped(character: str) -> None:
    escaped = escape(f"a{character}b")
    assert escaped.startswith("a%")
    assert escaped.endswith("b")
    assert all(char > "#" for char in escaped)


# --- project generations (docs/memory-model.md, "Delete and recreate") ---------------------------------------


def test_generation_zero_keeps_the_keys_of_projects_never_recreated() -> None:
    assert project_pk("t", "p", 0) == project_pk("t", "p") == "T#t#P#p"
    assert blob_prefix("t", "p", 0) == blob_prefix("t", "p") == "tenants/t/projects/p/"
    assert project_scope("p") == "p"
    assert ProjectRef("t", "p").pk == "T#t#P#p"


def test_later_generations_have_their_own_keys() -> None:
    ref = ProjectRef("t", "p", 3)
    assert ref.pk == "T#t#P#p#G3"
    assert ref.blob_prefix == "tenants/t/projects/p#G3/"
    assert ref.scope == "p!G3"
    assert ref.anchor == ProjectRef("t", "p", 0)


IDS = ["p", "p#G1", "p#G", "p!G1", "p%23G1", "p%21G1", "p1", "p/G1", "q", "pG1"]
GENERATIONS = [0, 1, 2, 10, 11]


def test_no_generation_of_any_project_shares_a_partition_or_a_blob_prefix() -> None:
    """The purge deletes a partition and everything under a blob prefix: no other generation or project
    may share either, nor start with another's prefix."""
    refs = [ProjectRef("t", project_id, generation) for project_id in IDS for generation in GENERATIONS]
    assert len({ref.pk for ref in refs}) == len(refs)
    prefixes = [ref.blob_prefix for ref in refs]
    for a in prefixes:
        for b in prefixes:
            assert a == b or not a.startswith(b), (a, b)


def test_pending_index_prefixes_of_generations_never_overlap() -> None:
    """Search reads a project generation's pending documents with ``begins_with(GSI3SK, scope#)``."""
    scopes = [(project_id, generation, project_scope(project_id, generation))
              for project_id in IDS for generation in GENERATIONS]
    for project_id, generation, scope in scopes:
        assert parse_project_scope(scope) == (project_id, generation)
        assert "#" not in scope
        for _, _, other in scopes:
            assert other == scope or not f"{other}#".startswith(f"{scope}#")
