"""A small HTTP server on 127.0.0.1 standing in for Slack, GitHub, Jira or Confluence (the connector tests,
the sync tests, the e2e test and ``make bench``): each path answers with a handler of the request, and
``fail_next`` queues one-off answers (a 429 with ``Retry-After``, a 500, a 401) served before the handler's.
Every request is recorded (path, query, headers)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Reply]


class FakeRemoteServer:
    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[Request] = []
        self._queued: list[Reply] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def fail_next(self, *replies: Reply) -> None:
        with self._lock:
            self._queued.extend(replies)

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    def start(self) -> FakeRemoteServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self._queued:
                return self._queued.pop(0)
        handler = self.routes.get(request.path)
        return handler(request) if handler else Reply(404, {"message": f"no route {request.path}"})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
                reply = fake._answer(Request(parts.path, query, {k.lower(): v for k, v in self.headers.items()}))
                data = b"" if reply.body is None else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                for name, value in {"Content-Type": "application/json", **reply.headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: Any) -> None:
                return None  # quiet tests

        return _Handler


@contextmanager
def fake_remote_server() -> Iterator[FakeRemoteServer]:
    server = FakeRemoteServer().start()
    try:
        yield server
    finally:
        server.stop()


# --- provider fakes over the server: a set of items served with the provider's own paging ---------------------


def slack_history(messages: list[dict[str, Any]], page_size: int = 100) -> Handler:
    """``conversations.history`` over ``messages``: newest first, after ``oldest``, paged by cursor."""

    def handler(request: Request) -> Reply:
        if request.headers.get("authorization") != "Bearer xoxb-good":
            return Reply(200, {"ok": False, "error": "invalid_auth"})
        oldest = float(request.query.get("oldest") or 0)
        newer = sorted((m for m in messages if float(m["ts"]) > oldest), key=lambda m: float(m["ts"]), reverse=True)
        start = int(request.query.get("cursor") or 0)
        limit = min(int(request.query.get("limit") or page_size), page_size)
        page = newer[start:start + limit]
        more = start + limit < len(newer)
        return Reply(200, {"ok": True, "messages": page, "has_more": more,
                           "response_metadata": {"next_cursor": str(start + limit) if more else ""}})

    return handler


def slack_messages(count: int, start: int = 1_700_000_000, prefix: str = "message") -> list[dict[str, Any]]:
    return [{"type": "message", "user": f"U{n % 7}", "ts": f"{start + n}.000100", "text": f"{prefix} {n}"}
            for n in range(count)]
