"""Export and import jobs over the dev server: throughput (milestones per second) of exporting a 10,000-milestone
project (with as many log entries) and importing it back under a new id, against `make dev`'s server started as a
subprocess (its embedded moto, its state machines running the real job worker), each job timed from its HTTP
request to the first read of it settled.

The project is seeded the other benchmarks' way (``seeding.seed``: BatchWriteItem of the items the store builds),
written into the dev server's embedded moto through its endpoint, after the project was created over HTTP.

    python -m cairn_local.bench.transfers [--json PATH] [--milestones N]
"""

from __future__ import annotations

import os
import re
import secrets
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from cairn_local.bench.seeding import seed
from cairn_local.bench.server import DevServer
from cairn_local.bench.stack import run_section
from cairn_local.emulator import reset_cairn_caches
from cairn_local.tokens import mint

PROJECT = "bench-export"
COPY = "bench-import"
MILESTONES = 10_000
WAIT_SECONDS = 1800
POLL_SECONDS = 0.5


def _job(api: httpx.Client, path: str, body: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """Requests a job and waits for it to settle: the job and the seconds from request to settled."""
    started = time.perf_counter()
    response = api.post(path, json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
    if response.status_code != 202:
        raise RuntimeError(f"POST {path}: {response.status_code} {response.text}")
    job_id = response.json()["id"]
    while time.perf_counter() - started < WAIT_SECONDS:
        job = api.get(f"/api/v1/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed"):
            return job, time.perf_counter() - started
        time.sleep(POLL_SECONDS)
    raise RuntimeError(f"job {job_id} not settled after {WAIT_SECONDS} s")


def _result(job: dict[str, Any], seconds: float, milestones: int) -> dict[str, Any]:
    return {"status": job["status"], "errorCode": job["errorCode"], "seconds": round(seconds, 2),
            "milestones_per_second": round(milestones / seconds, 1)}


def _seed_through(endpoint: str, tenant: str, milestones: int) -> float:
    """Seeds the project in the dev server's moto (this process's clients pointed at its endpoint)."""
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    reset_cairn_caches()
    return float(seed(tenant, PROJECT, milestones)["seconds"])


def run_transfers_bench(milestones: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as workdir:
        server = DevServer(Path(workdir) / "state", Path(workdir) / "devserver.log")
        server.state_dir.mkdir(parents=True)
        secret = secrets.token_urlsafe(32)
        (server.state_dir / "jwt-secret").write_text(secret)  # the file the dev server reads its secret from
        try:
            server.start()
            endpoint = re.search(r"embedded moto on (http://[0-9.]+:[0-9]+)", server.output())
            if endpoint is None:
                raise RuntimeError(f"the dev server named no embedded moto:\n{server.tail()}")
            tenant = f"bench-transfers-{secrets.token_hex(3)}"
            token = mint(tenant, "bench-transfers", ["admin"], secret=secret)
            with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as api:
                created = api.post("/api/v1/memory/projects",
                                   json={"projectId": PROJECT, "name": "Transfers bench", "roadmap": "bench"})
                if created.status_code != 200:
                    raise RuntimeError(f"create project: {created.status_code} {created.text}")
                seeded = _seed_through(endpoint.group(1), tenant, milestones)
                print(f"  seeded {milestones:,} milestones and log entries in {seeded:.1f} s", file=sys.stderr)
                exported, export_seconds = _job(api, "/api/v1/exports", {"projectIds": [PROJECT]})
                export = _result(exported, export_seconds, milestones)
                print(f"  export: {export['seconds']} s ({export['milestones_per_second']}/s)", file=sys.stderr)
                imported, import_seconds = _job(api, "/api/v1/imports",
                                                {"projectIdMap": {PROJECT: COPY}, "fromJobId": exported["id"]})
                import_ = _result(imported, import_seconds, milestones)
                print(f"  import: {import_['seconds']} s ({import_['milestones_per_second']}/s)", file=sys.stderr)
                copy = api.get(f"/api/v1/memory/projects/{COPY}").json()
        except BaseException:
            print(f"dev server output (last lines):\n{server.tail()}", file=sys.stderr)
            raise
        finally:
            server.crash()  # its data is this run's alone: no checkpoint to wait for
    return {"milestones": milestones, "log_entries": milestones, "export": export, "import": import_,
            "copy_milestone_count": copy.get("milestoneCount")}


def render_transfers(result: dict[str, Any]) -> str:
    lines = [f"export and import jobs over the dev server ({result['milestones']:,} milestones and "
             f"{result['log_entries']:,} log entries)"]
    for name in ("export", "import"):
        part = result[name]
        lines.append(f"  {name}: {part['status']} in {part['seconds']} s = {part['milestones_per_second']} "
                     "milestones/s")
    lines.append(f"  the copy's milestoneCount: {result['copy_milestone_count']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return run_section(__doc__.split("\n\n")[0], "milestones", MILESTONES, run_transfers_bench, render_transfers, argv)


if __name__ == "__main__":
    sys.exit(main())
