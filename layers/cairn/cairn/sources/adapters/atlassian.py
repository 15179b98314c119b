"""What the Jira and Confluence connectors share: Atlassian Cloud auth, the minute-granular time filter of
JQL/CQL, and readable text out of Atlassian Document Format and storage-format HTML."""

from __future__ import annotations

import base64
import html
import re
from typing import Any

from cairn.sources.adapters.base import Connection
from cairn.sources.adapters.times import parse


def auth_headers(connection: Connection) -> dict[str, str]:
    """Basic email:token for an Atlassian API token; a bare bearer token (OAuth / PAT) without an email."""
    if connection.email:
        pair = base64.b64encode(f"{connection.email}:{connection.token}".encode()).decode()
        return {"Authorization": f"Basic {pair}"}
    return {"Authorization": f"Bearer {connection.token}"}


def since_clause(field: str, cursor: str) -> str:
    """``field >= "yyyy-MM-dd HH:mm"``: JQL and CQL take minutes, so the cursor's minute is read again
    (idempotent ingest); "" when there is no cursor yet. The instant is written in UTC: Atlassian reads
    it in the API user's profile time zone, which should therefore be UTC (docs/sources.md)."""
    if not cursor:
        return ""
    return f'{field} >= "{parse(cursor).strftime("%Y-%m-%d %H:%M")}"'


def without_order(query: str) -> str:
    """The user's JQL/CQL without its own ORDER BY: the connector orders by update time to page by it."""
    return re.split(r"\border\s+by\b", query, maxsplit=1, flags=re.IGNORECASE)[0].strip()


def joined(*clauses: str) -> str:
    return " AND ".join(f"({clause})" for clause in clauses if clause)


def adf_text(node: Any) -> str:
    """The text of an Atlassian Document Format tree (Jira's description), paragraphs on their own lines."""
    if isinstance(node, str):
        return node
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text") or "")
    parts = [adf_text(child) for child in node.get("content") or []]
    separator = "\n" if node.get("type") in ("doc", "bulletList", "orderedList", "table") else ""
    return separator.join(part for part in parts if part)


_TAG = re.compile(r"<[^>]+>")
_BLOCK = re.compile(r"</(p|h\d|li|tr|div)>|<br\s*/?>", re.IGNORECASE)


def html_text(markup: str) -> str:
    """Confluence storage format to plain text."""
    return " ".join(html.unescape(_TAG.sub(" ", _BLOCK.sub("\n", markup))).split())
