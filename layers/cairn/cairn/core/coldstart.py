"""The cyclic garbage collector paused while a Lambda imports its handler module.

An import creates hundreds of thousands of long-lived objects (FastAPI's and pydantic's models, our routes) and
almost no garbage, yet each allocation burst triggers a collection that scans them all again: 10 to 18 % of a
function's cold import. ``cairn/__init__.py`` pauses the collector when the process is a Lambda's (the first
import of any function is Cairn's); ``cairn.core.observability.instrumented``, which wraps every function's
handler at the end of its module, resumes it and freezes what the import built (``gc.freeze``: those objects
live as long as the process, and later collections no longer scan them). Outside Lambda (tests, the dev
server) nothing changes."""

from __future__ import annotations

import gc
import os

_paused = False


def in_lambda() -> bool:
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME") and os.environ.get("LAMBDA_TASK_ROOT"))


def pause() -> None:
    global _paused
    if in_lambda() and gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    global _paused
    if _paused:
        gc.enable()
        gc.freeze()
        _paused = False
