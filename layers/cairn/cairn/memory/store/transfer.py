"""Export of one project generation's partition, page by page (docs/platform.md, "Jobs").

A record is an item as the partition holds it, made portable: the partition key and the index keys name the
tenant and the project, so they are dropped (an import rebuilds them for the new project); the sort key is
relative to the partition and is kept, so sequence numbers, hashes and timestamps travel unchanged. Texts
offloaded to S3 are put back into the record, so the export holds everything. JSON has no sets: a set
attribute (a project's ``activeBranches``) is written as a sorted list and named under ``SETS``, so an import
restores it as the set it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cairn.aws import blobs
from cairn.aws.keys import ProjectRef
from cairn.aws.table import table

# Items read per page: one page is all an export holds in memory at a time.
PAGE_ITEMS = 500
# Attributes that name the tenant or the project's partition: never exported.
_LOCATION_ATTRIBUTES = ("PK", "blobKey")
_INDEX_PREFIX = "GSI"
SETS = "$sets"


@dataclass(frozen=True)
class ExportPage:
    records: list[dict[str, Any]]
    cursor: dict[str, Any] | None  # where the next page starts; None after the last one


def export_page(ref: ProjectRef, cursor: dict[str, Any] | None = None, *, limit: int = PAGE_ITEMS) -> ExportPage:
    page = table().query(ref.pk, limit=limit, start_key=cursor)
    return ExportPage([portable(blobs.hydrate(item)) for item in page.items], page.last_key)


def portable(item: dict[str, Any]) -> dict[str, Any]:
    record = {name: sorted(value) if isinstance(value, set) else value for name, value in item.items()
              if name not in _LOCATION_ATTRIBUTES and not name.startswith(_INDEX_PREFIX)}
    sets = sorted(name for name, value in item.items() if isinstance(value, set))
    return {**record, SETS: sets} if sets else record
