"""Smoke test of the HTTP benchmark (cairn_local.bench.http) at a tiny size against a subprocess dev
server: the report's shape, every request answered 200, the JSON merged into an existing file. No timings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cairn_local.bench import http as bench_http

pytestmark = pytest.mark.e2e

OPERATIONS = ["recall branch", "search", "store milestone", "log append"]


def test_tiny_http_benchmark_reports_every_operation(tmp_path: Path) -> None:
    results = tmp_path / "bench-results.json"
    results.write_text(json.dumps({"sizes": ["in-process figures"]}))

    bench_http.main(["--sizes", "10", "--iterations", "3", "--burst-writers", "4", "--spread-writers", "4",
                     "--spread-branches", "2", "--json", str(results)])

    document = json.loads(results.read_text())
    assert document["sizes"] == ["in-process figures"]
    report = document["http"]
    assert report["spawned"] is True
    assert report["server"]["exit_code"] == 0
    (size,) = report["sizes"]
    assert size["size"] == 10
    assert size["seeding"]["stored"] == size["seeding"]["requested"] == 10
    assert size["seeding"]["stopped"] is None
    assert [operation["operation"] for operation in size["operations"]] == OPERATIONS
    for measured in [*size["operations"], size["burst"], size["spread"]]:
        assert measured["all_200"], measured
        assert {"p50_ms", "p99_ms", "max_ms", "statuses"} <= measured.keys()
    assert size["operations"][0]["requests"] == 3
    assert (size["burst"]["requests"], size["burst"]["numbered_1_to_n"]) == (4, True)
    assert (size["spread"]["requests"], size["spread"]["numbered_1_to_n"]) == (4, True)
    assert [sample["at"] for sample in report["rss"]] == ["before seeding", "after seeding 10", "after measuring at 10"]
    assert all(sample["rss_mb"] > 0 for sample in report["rss"])
