"""Benchmarks of the local stack (docs/benchmarks.md).

- ``python -m cairn_local.bench``: in process, DynamoDB and S3 calls, ScannedCount and latency per API operation
  (``operations``), the cold import of every function (``imports``), and search (``search``); targets in
  ``checks``, tables in ``report``;
- ``python -m cairn_local.bench.http``: the memory API over HTTP against `make dev`'s server (``server``).

Shared: ``stack`` (the in-process moto stack), ``recording`` (calls per request), ``seeding`` (items shaped as the
store writes them).
"""
