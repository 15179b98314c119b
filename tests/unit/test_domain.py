"""Pure rules of the memory model: content hashing, branch lifecycle, recall shaping."""

from __future__ import annotations

import hashlib

import pytest

from cairn.core.errors import Conflict, InvalidInput
from cairn.core.text import text_size
from cairn.http.errors import status_of
from cairn.memory.domain.branches import (
    ABANDONED,
    ACTIVE,
    MERGED,
    check_abandon,
    check_merge,
    ordered_branch_names,
    require_active,
)
from cairn.memory.domain.milestones import content_digest, content_hash
from cairn.memory.domain.recall import page, shape

# --- milestones --------------------------------------------------------------------------------------------------

# Pinned values: changing the digest would make every stored milestone look new to deduplication.
KNOWN = [
    (("a", "b", "c"), "e0dee694aed26d323b0d8b861c343f2554c1aefceef539ae3dae5159f0b5bb28", 8697775563894066),
    (("", "", ""), "b8c9e440ead3ddaccf7cc7e879d512a263272270df2d5504c0c3d1f85d16f9d9", 2784242259189164),
    (("Primary development branch", "Scaffolded the service", "Added recall"),
     "1aeb6d0ca6acda14fa695427bbd742a890d475075b189a56a8f52b502b21175c", 3216125847198228),
]


@pytest.mark.parametrize(("parts", "digest", "public_hash"), KNOWN)
def test_content_digest_and_hash_are_stable(parts: tuple[str, str, str], digest: str, public_hash: int) -> None:
    assert content_digest(*parts) == digest
    assert content_hash(digest) == public_hash


def test_content_digest_is_sha256_over_unit_separated_parts() -> None:
    parts = ("purpose ü", "progress\nline two", "contribution 🚀")
    expected = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    assert content_digest(*parts) == expected


@pytest.mark.parametrize(("first", "second"), [
    (("ab", "c", ""), ("a", "bc", "")),
    (("a", "", "b"), ("a", "b", "")),
    (("", "a", "b"), ("a", "", "b")),
    (("a b", "c", "d"), ("a", " bc", "d")),
])
def test_moving_text_between_parts_changes_the_digest(first: tuple[str, str, str],
                                                       second: tuple[str, str, str]) -> None:
    assert "".join(first) == "".join(second)
    assert content_digest(*first) != content_digest(*second)


def test_content_digest_depends_on_every_part() -> None:
    base = content_digest("p", "c", "t")
    assert content_digest("P", "c", "t") != base
    assert content_digest("p", "C", "t") != base
    assert content_digest("p", "c", "T") != base


EDGE_DIGESTS = ["f" * 64, "0" * 64, "8" + "0" * 63, "002" + "0" * 61]


@pytest.mark.parametrize("digest", [*EDGE_DIGESTS, *(digest for _, digest, _ in KNOWN)])
def test_content_hash_is_the_low_53_bits_of_the_first_64(digest: str) -> None:
    value = content_hash(digest)
    assert 0 <= value < 2**53
    assert value == int(digest[:16], 16) % 2**53


def test_content_hash_fits_a_javascript_number() -> None:
    assert content_hash("f" * 64) == 2**53 - 1  # Number.MAX_SAFE_INTEGER
    assert content_hash("0" * 64) == 0
    assert float(content_hash("f" * 64)) == 2**53 - 1  # survives a trip through a double


def test_text_size_counts_utf8_bytes() -> None:
    assert text_size("abc", "ü", "🚀") == 3 + 2 + 4
    assert text_size() == 0


# --- branches ------------------------------------------------------------------------------------------------------


def _branch(name: str, status: str = ACTIVE) -> dict[str, str]:
    return {"branchName": name, "status": status}


def test_check_merge_accepts_a_feature_branch_into_another() -> None:
    check_merge("feature-auth", "main")
    check_merge("feature-auth", "feature-base")


def test_check_merge_rejects_merging_a_branch_into_itself() -> None:
    with pytest.raises(InvalidInput) as raised:
        check_merge("feature-auth", "feature-auth")
    assert raised.value.field == "targetBranch"
    assert status_of(raised.value) == 400


def test_check_merge_rejects_main_as_the_source() -> None:
    with pytest.raises(Conflict) as raised:
        check_merge("main", "feature-auth")
    assert raised.value.field == "sourceBranch"
    assert status_of(raised.value) == 409


def test_check_merge_main_into_main_is_invalid_input_not_conflict() -> None:
    with pytest.raises(InvalidInput):
        check_merge("main", "main")


def test_check_abandon_accepts_an_active_feature_branch() -> None:
    check_abandon(_branch("feature-auth"))


def test_check_abandon_rejects_main() -> None:
    with pytest.raises(Conflict, match="default branch"):
        check_abandon(_branch("main"))


@pytest.mark.parametrize("status", [ABANDONED, MERGED])
def test_check_abandon_rejects_a_closed_branch(status: str) -> None:
    with pytest.raises(Conflict, match=status) as raised:
        check_abandon(_branch("feature-auth", status))
    assert raised.value.field == "branchName"


def test_require_active_names_the_action() -> None:
    require_active(_branch("x"), "merge")
    with pytest.raises(Conflict, match="merge needs an active branch"):
        require_active(_branch("x", MERGED), "merge")


@pytest.mark.parametrize(("names", "expected"), [
    ({"main"}, ["main"]),
    ({"zeta", "main", "alpha"}, ["main", "alpha", "zeta"]),
    ({"Main", "main", "a"}, ["main", "Main", "a"]),
    ({"b", "a"}, ["a", "b"]),
    (set(), []),
])
def test_ordered_branch_names_puts_main_first(names: set[str], expected: list[str]) -> None:
    assert ordered_branch_names(names) == expected


# --- recall -------------------------------------------------------------------------------------------------------


def test_shape_omits_empty_fields() -> None:
    body = shape("overview", project={"projectId": "p"}, branches=[], milestones=None, metadata={}, note="")
    assert body == {"project": {"projectId": "p"}, "view": "overview"}


def test_shape_keeps_falsy_values_that_are_not_empty() -> None:
    body = shape("log", page={"total": 0}, count=0, flag=False)
    assert body == {"page": {"total": 0}, "count": 0, "flag": False, "view": "log"}


def test_shape_always_names_the_view() -> None:
    assert shape("metadata") == {"view": "metadata"}


def test_page() -> None:
    assert page(10, 20, 3, 23) == {"limit": 10, "offset": 20, "returned": 3, "total": 23}
