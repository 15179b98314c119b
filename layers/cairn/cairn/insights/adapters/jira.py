"""Jira Cloud: create an issue through REST API v3 (``POST {baseUrl}/rest/api/3/issue``), basic auth
with the account's email and API token, the description in Atlassian Document Format (ADF)."""

from __future__ import annotations

import base64
import re
from typing import Any

from cairn.core.errors import UpstreamError
from cairn.integrations import remote

SERVICE = "Jira"
CREDENTIALS = ("baseUrl", "email", "token")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def adf(text: str) -> dict[str, Any]:
    """Plain text as an ADF document: blank lines separate paragraphs, single newlines are hard breaks."""
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n").strip()):
        content: list[dict[str, Any]] = []
        for number, line in enumerate(block.split("\n")):
            if number:
                content.append({"type": "hardBreak"})
            if line:
                content.append({"type": "text", "text": line})
        paragraphs.append({"type": "paragraph", "content": content})
    return {"type": "doc", "version": 1, "content": paragraphs}


def issue_fields(project: str, summary: str, description: str, issue_type: str) -> dict[str, Any]:
    fields: dict[str, Any] = {"project": {"key": project}, "summary": summary, "issuetype": {"name": issue_type}}
    if description.strip():
        fields["description"] = adf(description)
    return {"fields": fields}


def create_issue(credentials: dict[str, Any], *, project: str, summary: str, description: str, issue_type: str,
                 timeout: float) -> dict[str, str]:
    base_url = remote.check_base_url(credentials["baseUrl"], SERVICE)
    token = credentials["token"]
    basic = base64.b64encode(f"{credentials['email']}:{token}".encode()).decode()
    reply = remote.post_json(f"{base_url}/rest/api/3/issue", issue_fields(project, summary, description, issue_type),
                             {"Authorization": f"Basic {basic}"}, timeout=timeout, service=SERVICE,
                             secrets=(token, basic))
    key = reply.body.get("key") if isinstance(reply.body, dict) else None
    if not isinstance(key, str) or not key:
        raise UpstreamError(f"{SERVICE} answered HTTP {reply.status} without an issue key: "
                            f"{remote.excerpt(remote.describe(reply.body), (token, basic))}")
    return {"ticketId": key, "url": f"{base_url}/browse/{key}"}
