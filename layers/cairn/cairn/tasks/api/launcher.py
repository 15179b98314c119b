"""``GET /v1/launch``: the HTTPS fallback page that sends the browser into the ``vscode://`` URI with the launch
code (docs/task-engine.md, "Launcher page"). The page has no script: a meta refresh and a link, every parameter
percent-encoded into the URI and the URI HTML-escaped into the page, so ``<script>`` in any parameter stays text;
a Content-Security-Policy forbids scripts anyway, and no Referer carries the code elsewhere."""

from __future__ import annotations

import html
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from cairn.core.errors import InvalidInput
from cairn.http.body import JSONRoute
from cairn.tasks.api.security import vscode_url

router = APIRouter(route_class=JSONRoute, tags=["security"])

_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="0;url={uri}">
<title>Opening {task} in VS Code</title></head>
<body style="font-family: sans-serif">
<p>Opening task <strong>{task}</strong> of project <strong>{project}</strong> in VS Code&hellip;</p>
<p><a href="{uri}">Open in VS Code</a> if nothing happens.</p>
</body></html>
"""
_Text = Annotated[str, Query(min_length=1, max_length=500)]


@router.get("/v1/launch", response_class=HTMLResponse)
def launcher(p: _Text, t: _Text, c: _Text, baseUrl: Annotated[str | None, Query(max_length=2000)] = None,  # noqa: N803
             statusLanguage: Annotated[str | None, Query(max_length=50)] = None) -> HTMLResponse:  # noqa: N803
    extra = {}
    if baseUrl:
        parts = urlsplit(baseUrl)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidInput("baseUrl must be an http(s) URL", field="baseUrl")
        extra["baseUrl"] = baseUrl
    if statusLanguage:
        extra["statusLanguage"] = statusLanguage
    uri = vscode_url(p, t, c, extra)
    page = _PAGE.format(uri=html.escape(uri, quote=True), task=html.escape(t), project=html.escape(p))
    return HTMLResponse(page, headers=_HEADERS)
