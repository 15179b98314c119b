"""The sources context's item types, one declaration each: keys as docs/key-design.md ("External sources")
writes them, and the fields each answers on the wire. Key builders are in ``store/keys.py``."""

from __future__ import annotations

from cairn.aws.entity import Entity, declare

# The spec's fields first (memory-api.md "Create External Source"), then the status fields issue 9 adds.
SOURCE_WIRE = ("sourceId", "tenantId", "projectId", "sourceType", "config", "syncCursor", "lastSyncedAt",
               "enabled", "createdAt")
STATUS_WIRE = ("sourceId", "lastSyncedAt", "syncCursor", "enabled", "state", "lastError", "itemsSynced",
               "lastRunStartedAt")
SOURCE = declare(Entity("source", "T#{t}#SOURCES", "{sourceId}", wire=SOURCE_WIRE, always=SOURCE_WIRE))

RECORD_WIRE = ("remoteId", "sourceId", "projectId", "sourceType", "author", "url", "time", "text", "ingestedAt")
RECORD = declare(Entity("source-record", "{P}", "SRCREC#{sourceId}#{remoteId}", wire=RECORD_WIRE,
                        always=RECORD_WIRE))

CONNECTION_WIRE = ("provider", "baseUrl", "email", "updatedAt")
CONNECTION = declare(Entity("connection", "T#{t}#CONNECTIONS", "{provider}", wire=CONNECTION_WIRE,
                            always=("provider", "baseUrl", "updatedAt")))
