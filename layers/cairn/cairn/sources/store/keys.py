"""Keys of the sources context's items (docs/key-design.md, "External sources"). User-supplied parts are
escaped (``cairn.aws.keys.escape``) so that no source or remote id reaches another's key range."""

from __future__ import annotations

from cairn.aws.keys import escape

RECORD_PREFIX = "SRCREC#"
# The one partition of the sparse due index (GSI1): every enabled source across tenants, by next sync time.
DUE_PK = "SOURCES#DUE"


def sources_pk(tenant: str) -> str:
    return f"T#{escape(tenant)}#SOURCES"


def source_sk(source_id: str) -> str:
    return escape(source_id)


def records_prefix(source_id: str) -> str:
    return f"{RECORD_PREFIX}{escape(source_id)}#"


def record_sk(source_id: str, remote_id: str) -> str:
    return f"{records_prefix(source_id)}{escape(remote_id)}"


def records_index_pk(tenant: str, source_id: str) -> str:
    """GSI1 of a source's records: newest first by the remote item's time."""
    return f"T#{escape(tenant)}#SRCREC#{escape(source_id)}"


def records_index_sk(time: str, remote_id: str) -> str:
    return f"{time}#{escape(remote_id)}"


def due_sk(next_sync_at: str, tenant: str, source_id: str) -> str:
    return f"{next_sync_at}#{escape(tenant)}#{escape(source_id)}"


def connections_pk(tenant: str) -> str:
    return f"T#{escape(tenant)}#CONNECTIONS"
