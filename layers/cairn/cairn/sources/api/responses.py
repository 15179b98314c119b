"""Response bodies of the sources and connections routes: the spec's fields in its order, then what issue 9
adds (docs/sources.md)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class Source(BaseModel):
    sourceId: str
    tenantId: str
    projectId: str
    sourceType: str
    config: dict[str, Any]
    syncCursor: str
    lastSyncedAt: str | None
    enabled: bool
    createdAt: str


class SourceList(BaseModel):
    sources: list[Source]


class SourceStatus(BaseModel):
    sourceId: str
    lastSyncedAt: str | None
    syncCursor: str
    enabled: bool
    state: str
    lastError: str | None
    itemsSynced: int
    lastRunStartedAt: str | None


class Record(BaseModel):
    remoteId: str
    sourceId: str
    projectId: str
    sourceType: str
    author: str
    url: str
    time: str
    text: str
    ingestedAt: str


class RecordList(BaseModel):
    records: list[Record]


class Connection(BaseModel):
    provider: str
    baseUrl: str
    updatedAt: str
    webhookUrl: str | None = None  # GitHub connections: the URL to paste into the repository's webhook settings


class ConnectionList(BaseModel):
    connections: list[Connection]
