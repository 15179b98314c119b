"""Export of one project generation's partition, page by page (docs/platform.md, "Jobs").

A record is an item as the partition holds it, made portable: the partition key and the index keys name the
tenant and the project, so they are dropped (an import rebuilds them for the new project); the sort key is
relative to the partition and is kept, so sequence numbers, hashes and timestamps travel unchanged. Texts
offloaded to S3 are put back into the record, so the export holds everything. JSON has no sets: a set
attribute (a project's ``activeBranches``) is written as a sorted list and named under ``SETS``, and a binary
one (a knowledge embedding) as base64 named under ``BYTES``, so an import restores each as it was.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.types import Binary

from cairn.aws import blobs
from cairn.aws.keys import ProjectRef
from cairn.aws.table import table

# Items read per page: one page is all an export holds in memory at a time.
PAGE_ITEMS = 500
# Attributes that name the tenant or the project's partition: never exported.
_LOCATION_ATTRIBUTES = ("PK", "blobKey")
_INDEX_PREFIX = "GSI"
SETS = "$sets"
BYTES = "$bytes"


@dataclass(frozen=True)
class ExportPage:
    records: list[dict[str, Any]]
    cursor: dict[str, Any] | None  # where the next page starts; None after the last one


def export_page(ref: ProjectRef, cursor: dict[str, Any] | None = None, *, limit: int = PAGE_ITEMS) -> ExportPage:
    page = table().query(ref.pk, limit=limit, start_key=cursor)
    return ExportPage([portable(blobs.hydrate(item)) for item in page.items], page.last_key)


def portable(item: dict[str, Any]) -> dict[str, Any]:
    record = {name: _json_value(value) for name, value in item.items()
              if name not in _LOCATION_ATTRIBUTES and not name.startswith(_INDEX_PREFIX)}
    for marker, kind in ((SETS, set), (BYTES, Binary)):
        named = sorted(name for name, value in item.items() if isinstance(value, kind))
        if named:
            record[marker] = named
    return record


def _json_value(value: Any) -> Any:
    if isinstance(value, set):
        return sorted(value)
    if isinstance(value, Binary):
        return base64.b64encode(value.value).decode("ascii")
    return value
