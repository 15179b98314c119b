"""Cold import of every function in template.yaml: its handler module imported in a fresh interpreter with the
environment Lambda gives it (median of several runs), under the local interpreter and, when given one, under
the Lambda runtime's Python with the layer's pinned dependencies (`make lambda-venv`): that one is the user's
figure, and the one checked against the target.

Every module is imported from bytecode, as in Lambda since `make build` compiles the build's artifacts: the
layer and the functions are compiled first (pip compiled the dependencies when it installed them), so a figure
never includes compiling our modules, nor depends on whether tests ran in the tree before."""

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
LAYER = ROOT / "layers" / "cairn"

_IMPORT_PROBE = ("import importlib, sys, time\n"
                 "started = time.perf_counter()\n"
                 "for module in sys.argv[1].split(','):\n"
                 "    importlib.import_module(module)\n"
                 "print(time.perf_counter() - started)\n")


def lambda_environment(function: template.Function) -> dict[str, str]:
    """Roughly what Lambda gives the handler's process: the template's variables, region, the task root
    (with it Powertools Tracer is enabled and patches as it does in Lambda), and the layer on the path."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **aws_environment(),
                   **LocalNames().environment(), **local_jwt_environment(), **local_task_engine_environment()}
    environment.update({"PYTHONPATH": f"{LAYER}{os.pathsep}{function.code_uri}",
                        "LAMBDA_TASK_ROOT": str(function.code_uri), "AWS_LAMBDA_FUNCTION_NAME": function.logical_id,
                        "POWERTOOLS_LOG_LEVEL": "WARNING", "PYTHONDONTWRITEBYTECODE": "1"})
    return environment


# The libraries every HTTP function imports: their time alone is the floor under a function's figure, and
# tells how fast the measuring machine is at the moment (a busy machine doubles every figure). The last entry is
# all an HTTP function imports before any of our code runs: FastAPI, pydantic.v1 (FastAPI imports it at the first
# route, to refuse v1 models), Powertools with the X-Ray SDK of its Tracer, and Mangum.
HTTP_FLOOR = "fastapi,pydantic.v1,aws_lambda_powertools,aws_xray_sdk.core,mangum"
FLOOR_MODULES = ("fastapi", "pydantic", "aws_lambda_powertools", HTTP_FLOOR)


def python_version(python: str) -> str:
    completed = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],  # noqa: S603
                               capture_output=True, text=True, check=True, timeout=60)
    return completed.stdout.strip()


def compile_bytecode(python: str) -> None:
    """The layer's and every function's modules compiled by ``python`` (each interpreter has its own files)."""
    paths = [str(LAYER / "cairn"), *sorted({str(function.code_uri) for function in template.functions()})]
    subprocess.run([python, "-m", "compileall", "-q", *paths], check=True,  # noqa: S603 - our interpreters
                   capture_output=True, timeout=600)


def import_seconds(function: template.Function, module: str | None = None, python: str = sys.executable) -> float:
    """A fresh interpreter's import of the function's handler module (or of ``module``, comma-separated modules
    imported in turn, in its environment)."""
    module = module or function.handler.rsplit(".", 1)[0]
    completed = subprocess.run(  # noqa: S603 - our own interpreter and a fixed probe
        [python, "-c", _IMPORT_PROBE, module], cwd=function.code_uri, env=lambda_environment(function),
        capture_output=True, text=True, check=True, timeout=120)
    return float(completed.stdout.strip().splitlines()[-1])


def interpreters(lambda_python: str | None) -> dict[str, str]:
    """Version -> interpreter: the local one, and the Lambda runtime's when given (its version is the last key)."""
    found = {python_version(sys.executable): sys.executable}
    if lambda_python:
        found[python_version(lambda_python)] = lambda_python
    for python in found.values():
        compile_bytecode(python)
    return found


def run_floor_bench(runs: int, pythons: dict[str, str]) -> dict[str, dict[str, float]]:
    """Median cold import of each library of FLOOR_MODULES alone, per interpreter version."""
    function = template.functions()[0]
    return {version: {module: round(statistics.median(import_seconds(function, module, python)
                                                      for _ in range(runs)), 3) for module in FLOOR_MODULES}
            for version, python in pythons.items()}


def run_import_bench(runs: int, pythons: dict[str, str]) -> list[dict[str, Any]]:
    """Each function's runs, the interpreters alternating (so both meet the same load); the figure checked is
    the median under the last interpreter of ``pythons`` (the Lambda runtime's when given)."""
    checked = list(pythons)[-1]
    results = []
    for function in template.functions():
        seconds: dict[str, list[float]] = {version: [] for version in pythons}
        for _ in range(runs):
            for version, python in pythons.items():
                seconds[version].append(import_seconds(function, python=python))
        medians = {version: round(statistics.median(runs_of), 3) for version, runs_of in seconds.items()}
        results.append({"function": function.logical_id, "code_uri": str(function.code_uri.relative_to(ROOT)),
                        "python": checked, "runs": [round(s, 3) for s in seconds[checked]],
                        "median_seconds": medians[checked], "medians_by_python": medians,
                        "target_seconds": IMPORT_TARGET_SECONDS, "passed": medians[checked] < IMPORT_TARGET_SECONDS})
    return results
