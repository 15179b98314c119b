"""Event delivery latency over the dev server, as `make dev` runs it: the seconds from sending a write (a
milestone store) to a webhook receiver on 127.0.0.1 receiving its ``milestone.stored`` event (the outbox item, the
stream poller running the publisher, the local EventBridge, the delivery function and one execution of the
webhook-delivery state machine in moto, the signed POST). The receiver answers 204 at once.

    python -m cairn_local.bench.webhooks [--events N] [--json PATH]

Writes are sent one after the other, each once the previous one's event arrived, so that each latency is that of
one event through an idle pipeline. Where the time goes locally: the stream poller wakes every 0.5 s (Lambda
polls a stream about 4 times a second) and the dev server's moto runs everything on 2 shared cores."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import httpx

ARRIVAL_SECONDS = 60.0


class Receiver(ThreadingHTTPServer):
    """Keeps the arrival time of each event, by its milestone id."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.arrived: dict[str, float] = {}
        self.condition = threading.Condition()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/bench"

    def wait_for(self, milestone_id: str) -> float:
        with self.condition:
            if not self.condition.wait_for(lambda: milestone_id in self.arrived, timeout=ARRIVAL_SECONDS):
                raise RuntimeError(f"the event of {milestone_id} did not arrive within {ARRIVAL_SECONDS:.0f} s")
            return self.arrived[milestone_id]


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        arrived = time.perf_counter()
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(204)
        self.end_headers()
        milestone_id = event.get("detail", {}).get("milestoneId")
        with self.server.condition:
            if milestone_id:
                self.server.arrived[milestone_id] = arrived
            self.server.condition.notify_all()

    def log_message(self, *_: Any) -> None:
        return


def _ok(response: httpx.Response) -> Any:
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.method} {response.request.url}: {response.status_code} {response.text}")
    return response.json()


def measure(events: int) -> dict[str, Any]:
    from cairn_local.bench.server import DevServer

    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    with TemporaryDirectory() as directory:
        dev = DevServer(Path(directory) / "state", Path(directory) / "devserver.log")
        ready = dev.start()
        token = dev.output().split("export TOKEN=", 1)[1].split()[0]
        seconds = []
        try:
            with httpx.Client(base_url=dev.url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
                _ok(client.post("/api/v1/webhook-subscriptions", headers={"Idempotency-Key": uuid.uuid4().hex},
                                json={"url": receiver.url, "topics": ["milestone.stored"],
                                      "secret": "bench-secret-" + "b" * 20}))
                project = _ok(client.post("/api/v1/memory/projects", json={"projectId": "bench-webhooks",
                                                                           "name": "Bench", "roadmap": "r"}))
                for n in range(events + 1):  # the first is the warm-up (imports, first boto3 calls)
                    body = {"branchPurpose": "Bench", "agentId": "bench", "cumulativeProgress": f"progress {n}",
                            "thisContribution": f"event {n}"}
                    sent = time.perf_counter()
                    stored = _ok(client.post(f"/api/v1/memory/projects/{project['projectId']}/store", json=body))
                    seconds.append(receiver.wait_for(stored["milestoneId"]) - sent)
        finally:
            dev.stop()
            receiver.shutdown()
            receiver.server_close()
    measured = sorted(seconds[1:])
    return {"events": events, "dev_server_ready_s": ready, "first_event_s": round(seconds[0], 3),
            "p50_s": round(statistics.median(measured), 3),
            "p95_s": round(measured[max(0, round(0.95 * len(measured)) - 1)], 3), "max_s": round(measured[-1], 3)}


def render(result: dict[str, Any]) -> str:
    return (f"write -> webhook receipt (milestone.stored, dev server, {result['events']} events after a warm-up): "
            f"p50 {result['p50_s']} s, p95 {result['p95_s']} s, max {result['max_s']} s "
            f"(first event {result['first_event_s']} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--json", metavar="PATH")
    arguments = parser.parse_args(argv)
    result = measure(arguments.events)
    print(render(result))
    if arguments.json:
        Path(arguments.json).write_text(json.dumps({"delivery_latency": result}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
