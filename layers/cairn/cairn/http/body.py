"""Request bodies are decoded strictly, in one place, for every route (docs/errors.md, "Request bodies").

FastAPI's own decoding (``json.loads`` on the raw bytes) lets through what Cairn cannot store or answer:
lone UTF-16 surrogates (``"\\ud800"``: valid JSON escapes, but not Unicode text, so encoding them later
failed with a 500), ``NaN``/``Infinity`` and numbers that overflow to infinity (not JSON; a metadata document
stored them as null), and documents nested so deep that answering them failed with a 500. Invalid UTF-8 and
nesting deep enough to exhaust the parser's recursion answered an undocumented ``http_error``. Here each is a
``400 invalid_input`` naming the field (``body`` for the document as a whole), raised as a validation error
so that access is still checked first (``cairn.http.errors``).

Every API router uses :class:`JSONRoute`; ``cairn.http.app.create_app`` refuses a route that does not.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from cairn.core.limits import JSON_DEPTH_MAX

Location = tuple[str | int, ...]


class _Rejected(ValueError):
    def __init__(self, message: str, location: Location = ()) -> None:
        super().__init__(message)
        self.message = message
        self.location = location


def _surrogate(text: str) -> str | None:
    """The first lone UTF-16 surrogate in ``text``, if any (well-formed pairs were joined by the decoder)."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as bad:
        return text[bad.start]
    return None


def _printable(key: str) -> str:
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


def _scalar_problem(value: Any, location: Location) -> _Rejected | None:
    if isinstance(value, str):
        if (found := _surrogate(value)) is not None:
            return _Rejected(f"contains a lone UTF-16 surrogate ({found.encode('unicode_escape').decode()}), "
                             "which is not Unicode text", location)
    elif isinstance(value, float) and not math.isfinite(value):
        return _Rejected("must be a finite number (NaN, Infinity and numbers out of range are not JSON)", location)
    return None


def _check(document: Any) -> None:
    """Depth, surrogates and non-finite numbers, walked without recursion (the parser may nest ~1,000 deep)."""
    pending: list[tuple[Any, Location, int]] = [(document, (), 1)]
    while pending:
        container, location, depth = pending.pop()
        if depth > JSON_DEPTH_MAX:
            raise _Rejected(f"request body nests deeper than {JSON_DEPTH_MAX} levels of objects and arrays")
        items = container.items() if isinstance(container, dict) else enumerate(container)
        for key, value in items:
            if isinstance(key, str) and (problem := _scalar_problem(key, (*location, _printable(key)))):
                raise problem
            if isinstance(value, (dict, list)):
                pending.append((value, (*location, key), depth + 1))
            elif problem := _scalar_problem(value, (*location, key)):
                raise problem


def decode(body: bytes) -> Any:
    """The JSON document in ``body``, or a RequestValidationError (400 ``invalid_input``) saying what is wrong."""
    try:
        text = body.decode("utf-8")
        try:
            document = json.loads(text)
        except RecursionError:
            raise _Rejected(f"request body nests deeper than {JSON_DEPTH_MAX} levels of objects and arrays") from None
        except json.JSONDecodeError as bad:
            raise _Rejected(f"request body is not valid JSON: {bad.msg} (line {bad.lineno}, column {bad.colno})"
                            ) from None
        except ValueError:  # an integer longer than Python converts (4,300 digits)
            raise _Rejected("request body is not valid JSON: a number has too many digits") from None
        if isinstance(document, (dict, list)):
            _check(document)
        elif problem := _scalar_problem(document, ()):
            raise problem
    except UnicodeDecodeError as bad:
        raise _invalid(_Rejected(f"request body is not valid UTF-8 (byte {bad.start})")) from None
    except _Rejected as rejected:
        raise _invalid(rejected) from None
    return document


def _invalid(rejected: _Rejected) -> RequestValidationError:
    return RequestValidationError([{"type": "body_invalid", "loc": ("body", *rejected.location),
                                    "msg": rejected.message, "input": None}])


class StrictJSONRequest(Request):
    """A request whose JSON body is :func:`decode`'s, decoded once."""

    _decoded: Any

    async def json(self) -> Any:
        if not hasattr(self, "_decoded"):
            self._decoded = decode(await self.body())
        return self._decoded


class JSONRoute(APIRoute):
    """Decodes a route's body with :func:`decode` before FastAPI reads it.

    Decoding happens before FastAPI's handler, which would turn any error but ``JSONDecodeError`` into a bare
    ``400 "There was an error parsing the body"``; raised here, the error reaches the validation handler.
    Every non-empty body of a route that takes one is decoded, whatever its content type: Cairn takes only JSON.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        if self.body_field is None:
            return handle

        async def decode_then_handle(request: Request) -> Response:
            strict = StrictJSONRequest(request.scope, request.receive)
            if await strict.body():
                await strict.json()
            return await handle(strict)

        return decode_then_handle
