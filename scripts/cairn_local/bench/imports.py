"""Cold import of every function in template.yaml: its handler module imported in a fresh interpreter with the
environment Lambda gives it (median of several runs)."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from typing import Any

from cairn_local import ROOT, template
from cairn_local.emulator import aws_environment
from cairn_local.forge import local_task_engine_environment
from cairn_local.resolve import LocalNames
from cairn_local.tokens import local_jwt_environment

IMPORT_TARGET_SECONDS = 0.6  # issue 8: every function's cold import

_IMPORT_PROBE = ("import importlib, sys, time\n"
                 "started = time.perf_counter()\n"
                 "importlib.import_module(sys.argv[1])\n"
                 "print(time.perf_counter() - started)\n")


def lambda_environment(function: template.Function) -> dict[str, str]:
    """Roughly what Lambda gives the handler's process: the template's variables, region, the task root
    (with it Powertools Tracer is enabled and patches as it does in Lambda), and the layer on the path."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **aws_environment(),
                   **LocalNames().environment(), **local_jwt_environment(), **local_task_engine_environment()}
    environment.update({"PYTHONPATH": f"{ROOT / 'layers' / 'cairn'}{os.pathsep}{function.code_uri}",
                        "LAMBDA_TASK_ROOT": str(function.code_uri), "AWS_LAMBDA_FUNCTION_NAME": function.logical_id,
                        "POWERTOOLS_LOG_LEVEL": "WARNING", "PYTHONDONTWRITEBYTECODE": "1"})
    return environment


# The libraries every HTTP function imports: their time alone is the floor under a function's figure, and
# tells how fast the measuring machine is at the moment (a busy machine doubles every figure).
FLOOR_MODULES = ("fastapi", "pydantic", "aws_lambda_powertools")


def import_seconds(function: template.Function, module: str | None = None) -> float:
    """A fresh interpreter's import of the function's handler module (or of ``module``, in its environment)."""
    module = module or function.handler.rsplit(".", 1)[0]
    completed = subprocess.run(  # noqa: S603 - our own interpreter and a fixed probe
        [sys.executable, "-c", _IMPORT_PROBE, module], cwd=function.code_uri, env=lambda_environment(function),
        capture_output=True, text=True, check=True, timeout=120)
    return float(completed.stdout.strip().splitlines()[-1])


def run_floor_bench(runs: int) -> dict[str, float]:
    """Median cold import of each library of FLOOR_MODULES alone."""
    function = template.functions()[0]
    return {module: round(statistics.median(import_seconds(function, module) for _ in range(runs)), 3)
            for module in FLOOR_MODULES}


def run_import_bench(runs: int) -> list[dict[str, Any]]:
    results = []
    for function in template.functions():
        seconds = [import_seconds(function) for _ in range(runs)]
        median = statistics.median(seconds)
        results.append({"function": function.logical_id, "code_uri": str(function.code_uri.relative_to(ROOT)),
                        "runs": [round(s, 3) for s in seconds], "median_seconds": round(median, 3),
                        "target_seconds": IMPORT_TARGET_SECONDS, "passed": median < IMPORT_TARGET_SECONDS})
    return results
