"""The benchmarks seed items shaped as the store writes them: they must follow the store's own builders
(a signature change there broke `make bench` silently once)."""

from __future__ import annotations

from cairn_local.bench import seeding


def test_bench_items_are_a_milestone_its_copy_its_guard_and_a_log_entry(aws):
    items = seeding.stream_items("tenant-a", "project-a", 7, highlighted=False)

    assert [item["entity"] for item in items] == ["milestone", "milestone-by-id", "hash-guard", "log-entry"]
    assert {item["PK"] for item in items} == {"T#tenant-a#P#project-a"}
    assert items[0]["sequenceNumber"] == 7


def test_one_of_the_newest_log_entries_comes_with_its_highlight(aws):
    items = seeding.stream_items("tenant-a", "project-a", 9, highlighted=True)

    assert [item["entity"] for item in items][3:] == ["log-entry", "log-highlight"]
    assert items[-1]["SK"] == "MS#main#!1"
    assert items[-1]["content"] == items[-2]["content"]


def test_search_bench_items_are_milestones_with_their_copies(aws):
    items = list(seeding.milestone_items("tenant-a", "project-a", 3))

    assert [item["entity"] for item in items] == ["milestone", "milestone-by-id"] * 3
    assert [item["sequenceNumber"] for item in items[::2]] == [1, 2, 3]
