"""Export and import jobs: throughput (milestones per second) of exporting a 10,000-milestone project (with as
many log entries) and importing it back under a new id, each through its HTTP route, its state machine (moto's
interpreter) and the real job worker dispatched in process, on the stack the dev server runs (moto and the
gateway, here in one process); the AWS calls each took.

    python -m cairn_local.bench.transfers [--json PATH] [--milestones N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from typing import Any

from cairn_local.bench.seeding import seed
from cairn_local.bench.stack import BENCH_SECRET, in_process_stack
from cairn_local.emulator import use_emulator_environment
from cairn_local.tokens import mint

TENANT = "bench-transfers"
PROJECT = "bench-export"
COPY = "bench-import"
MILESTONES = 10_000
WAIT_SECONDS = 1800


def _job(client: Any, headers: dict[str, str], path: str, body: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """Requests a job and waits for it to settle: the job and the seconds from request to settled."""
    started = time.perf_counter()
    response = client.post(path, json=body, headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
    if response.status_code != 202:
        raise RuntimeError(f"POST {path}: {response.status_code} {response.text}")
    job_id = response.json()["id"]
    while time.perf_counter() - started < WAIT_SECONDS:
        job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("succeeded", "failed"):
            return job, time.perf_counter() - started
        time.sleep(0.1)
    raise RuntimeError(f"job {job_id} not settled after {WAIT_SECONDS} s")


def _calls(recorder: Any) -> dict[str, Any]:
    calls = recorder.take()
    return {"dynamodb": sum(calls.dynamodb.values()), "dynamodb_by_api": dict(calls.dynamodb),
            "s3": sum(calls.s3.values()), "s3_by_api": dict(calls.s3)}


def _result(job: dict[str, Any], seconds: float, milestones: int, calls: dict[str, Any]) -> dict[str, Any]:
    return {"status": job["status"], "errorCode": job["errorCode"], "seconds": round(seconds, 2),
            "milestones_per_second": round(milestones / seconds, 1), "calls": calls}


def run_transfers_bench(milestones: int) -> dict[str, Any]:
    with in_process_stack() as (client, recorder):
        headers = {"Authorization": f"Bearer {mint(TENANT, 'bench-user', ['admin'], secret=BENCH_SECRET)}"}
        created = client.post("/api/v1/memory/projects", headers=headers,
                              json={"projectId": PROJECT, "name": "Transfers bench", "roadmap": "bench"})
        if created.status_code != 200:
            raise RuntimeError(f"create project: {created.status_code} {created.text}")
        seeded = seed(TENANT, PROJECT, milestones)
        print(f"  seeded {milestones:,} milestones and log entries in {seeded['seconds']} s", file=sys.stderr)
        recorder.take()
        exported, export_seconds = _job(client, headers, "/api/v1/exports", {"projectIds": [PROJECT]})
        export = _result(exported, export_seconds, milestones, _calls(recorder))
        print(f"  export: {export['seconds']} s ({export['milestones_per_second']}/s)", file=sys.stderr)
        imported, import_seconds = _job(client, headers, "/api/v1/imports",
                                        {"projectIdMap": {PROJECT: COPY}, "fromJobId": exported["id"]})
        import_ = _result(imported, import_seconds, milestones, _calls(recorder))
        print(f"  import: {import_['seconds']} s ({import_['milestones_per_second']}/s)", file=sys.stderr)
        copy = client.get(f"/api/v1/memory/projects/{COPY}", headers=headers).json()
    return {"milestones": milestones, "log_entries": milestones, "export": export, "import": import_,
            "copy_milestone_count": copy.get("milestoneCount")}


def render_transfers(result: dict[str, Any]) -> str:
    lines = [f"export and import jobs ({result['milestones']:,} milestones and {result['log_entries']:,} log entries; "
             "moto's Step Functions interpreter, job worker in process)"]
    for name in ("export", "import"):
        part = result[name]
        lines.append(f"  {name}: {part['status']} in {part['seconds']} s = {part['milestones_per_second']} "
                     f"milestones/s; {part['calls']['dynamodb']} DynamoDB calls {part['calls']['dynamodb_by_api']}, "
                     f"{part['calls']['s3']} S3 calls {part['calls']['s3_by_api']}")
    lines.append(f"  the copy's milestoneCount: {result['copy_milestone_count']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", metavar="PATH", help="also write the result to this JSON file")
    parser.add_argument("--milestones", type=int, default=MILESTONES)
    arguments = parser.parse_args(argv)
    use_emulator_environment(BENCH_SECRET)
    result = run_transfers_bench(arguments.milestones)
    print(render_transfers(result))
    if arguments.json:
        with open(arguments.json, "w", encoding="utf-8") as out:
            json.dump(result, out, indent=2)
            out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
