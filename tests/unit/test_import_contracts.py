"""The import rules of docs/architecture.md hold, and `make lint` catches a break of each kind: the contracts in
pyproject.toml run over a copy of the layer package with one deliberate violation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "layers/cairn/cairn", tmp_path / "layers/cairn/cairn",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(root: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    only = [option for contract in contracts for option in ("--contract", contract)]
    return subprocess.run(  # noqa: S603 - the venv's own lint-imports on a temporary copy
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *only], cwd=root, capture_output=True, text=True,
        env={"PYTHONPATH": str(root / "layers/cairn"), "PATH": "/usr/bin:/bin"}, check=False)


def _add_import(root: Path, module: str, statement: str) -> None:
    path = root / "layers/cairn" / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text() + f"\n{statement}  # deliberate violation\n")


def test_the_layer_package_keeps_every_contract(tmp_path):
    result = _lint(_copy(tmp_path))

    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(("module", "statement", "contract"), [
    ("cairn.memory.domain.branches", "import cairn.aws.table",
     "pure-domain"),
    ("cairn.memory.store.keys", "import cairn.memory.service.projects",
     "context-layers"),
    ("cairn.insights.service.retrieval", "import cairn.memory.store.milestones",
     "insights-through-services"),
    ("cairn.memory.service.projects", "import cairn.http.auth",
     "http-at-the-edge"),
    ("cairn.core.clock", "import cairn.aws.clients",
     "rooms"),
    ("cairn.memory.store.keys", "import cairn.memory.store.projects",
     "acyclic"),
], ids=["domain-imports-aws", "store-imports-service", "context-skips-service", "service-imports-http",
        "core-imports-aws", "cycle"])
def test_a_deliberate_violation_breaks_its_contract(tmp_path, module, statement, contract):
    root = _copy(tmp_path)
    assert _lint(root, contract).returncode == 0  # kept before the violation (the copy is the real package)
    _add_import(root, module, statement)

    result = _lint(root, contract)

    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
