"""The in-process stack the benchmarks measure: moto with the template's resources (and the patches every local
use of moto gets), an HTTP client on the gateway, and the call recorder on the store's clients."""

from __future__ import annotations

import argparse
import json
import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from cairn_local import handlers, template
from cairn_local.bench.recording import Recorder
from cairn_local.emulator import MOTO_CONFIG, install_patches, provision, reset_cairn_caches, use_emulator_environment
from cairn_local.resolve import LocalNames

BENCH_SECRET = "bench-secret-" + "x" * 32


@contextmanager
def in_process_stack() -> Iterator[tuple[Any, Recorder]]:
    """An HTTP client on the gateway over a fresh moto provisioned from template.yaml, and the recorder of the
    AWS calls each request makes. Every route group is imported first, so that no measurement includes one."""
    from moto import mock_aws

    with mock_aws(config=MOTO_CONFIG):
        install_patches()
        reset_cairn_caches()
        os.environ.update(provision(LocalNames()))
        os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
        reset_cairn_caches()
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from fastapi.testclient import TestClient

        from cairn_local.gateway import Gateway

        recorder = Recorder()
        recorder.install()
        for function in template.functions():
            handlers.module(function.logical_id)
        with TestClient(Gateway(), raise_server_exceptions=False) as client:
            yield client, recorder


def run_section(description: str, size_option: str, default_size: int, run: Callable[[int], dict[str, Any]],
                render: Callable[[dict[str, Any]], str], argv: list[str] | None = None) -> int:
    """A bench section run alone (``python -m cairn_local.bench.<section> [--json PATH] [--<size> N]``): its
    report printed and, with ``--json``, written."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", metavar="PATH", help="also write the result to this JSON file")
    parser.add_argument(f"--{size_option}", type=int, default=default_size, dest="size", metavar="N")
    arguments = parser.parse_args(argv)
    use_emulator_environment(BENCH_SECRET)
    result = run(arguments.size)
    print(render(result))
    if arguments.json:
        with open(arguments.json, "w", encoding="utf-8") as out:
            json.dump(result, out, indent=2)
            out.write("\n")
    return 0
