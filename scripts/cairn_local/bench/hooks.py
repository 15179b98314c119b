"""The agent hooks as an agent runs them: `cairn hook session-start` end to end (process start to output: Python,
config, git, the brief over HTTP, printing) against a `make dev` server this starts, p50 against the issue's
400 ms; and the capture hook `cairn hook user-prompt` (spooling only, the send is in the background) against
100 ms. Timings are wall clock of the real `cairn` executable, one process per call, as the agent spawns it.

    python -m cairn_local.bench.hooks [--json bench-results.json] [--runs 30]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from cairn_local.bench.recording import percentile
from cairn_local.bench.server import DevServer
from cairn_local.tokens import mint

SESSION_START_TARGET_MS = 400.0
CAPTURE_TARGET_MS = 100.0
PROJECT = "bench-hooks"
MILESTONES = 10
WARMUP = 2


def _cairn() -> str:
    found = shutil.which("cairn", path=str(Path(sys.executable).parent))
    if not found:
        raise SystemExit("cairn is not installed in this environment: make dev (pip install -e clients/python)")
    return found


def _time(command: list[str], payload: str, cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, input=payload, capture_output=True, text=True, cwd=cwd, env=env,  # noqa: S603
                          timeout=30, check=True)
    return (time.perf_counter() - started) * 1000, done.stdout


def measure(server_url: str, token: str, workdir: Path, runs: int) -> dict[str, Any]:
    with httpx.Client(base_url=server_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as api:
        api.post("/api/v1/memory/projects", json={"projectId": PROJECT, "name": "Bench", "roadmap": "Measure hooks"})
        for number in range(MILESTONES):
            api.post(f"/api/v1/memory/projects/{PROJECT}/store", json={
                "branchPurpose": "Benchmark the hooks", "cumulativeProgress": f"{number + 1} steps done",
                "thisContribution": f"step {number + 1}: a realistic sentence about what changed", "agentId": "bench"})
    repo = workdir / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)  # noqa: S607
    env = {**os.environ, "HOME": str(workdir / "home"), "CAIRN_API_URL": server_url, "CAIRN_TOKEN": token,
           "CAIRN_PROJECT": PROJECT, "CAIRN_HOOK_NO_BACKGROUND": "1"}  # capture timing excludes the flusher
    cairn = _cairn()
    start = json.dumps({"session_id": "bench", "cwd": str(repo), "hook_event_name": "SessionStart",
                        "source": "startup"})
    prompt = json.dumps({"session_id": "bench", "cwd": str(repo), "hook_event_name": "UserPromptSubmit",
                         "prompt": "Refactor the cart; password=hunter2"})
    results: dict[str, Any] = {}
    for name, event, payload, target in (("session_start", "session-start", start, SESSION_START_TARGET_MS),
                                         ("user_prompt", "user-prompt", prompt, CAPTURE_TARGET_MS)):
        samples, output = [], ""
        for index in range(WARMUP + runs):
            elapsed, output = _time([cairn, "hook", event, "--agent", "claude-code"], payload, repo, env)
            if index >= WARMUP:
                samples.append(elapsed)
        results[name] = {"runs": runs, "p50_ms": round(percentile(samples, 50), 1),
                         "p99_ms": round(percentile(samples, 99), 1), "target_p50_ms": target,
                         "meets_target": percentile(samples, 50) < target}
        if name == "session_start":
            context = json.loads(output)["hookSpecificOutput"]["additionalContext"]
            results[name]["context_chars"] = len(context)
    python = [_time([sys.executable, "-c", "pass"], "", repo, env)[0] for _ in range(runs)]
    results["python_startup_p50_ms"] = round(percentile(python, 50), 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cairn-bench-hooks-") as scratch:
        workdir = Path(scratch)
        server = DevServer(workdir / "state", workdir / "devserver.log")
        server.start()
        try:
            secret = (server.state_dir / "jwt-secret").read_text().strip()
            token = mint("dev-tenant", "bench", ["agent", "admin"], secret=secret)
            results = measure(server.url, token, workdir, args.runs)
        finally:
            server.stop()
    print(json.dumps(results, indent=2))
    if args.json:
        existing = json.loads(args.json.read_text()) if args.json.exists() else {}
        existing["hooks"] = results
        args.json.write_text(json.dumps(existing, indent=2) + "\n")


if __name__ == "__main__":
    main()
