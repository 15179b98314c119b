"""Large texts in S3: an item keeps a ``blobKey`` instead of texts over the inline limit."""

from __future__ import annotations

import json
from typing import Any

from cairn.aws import clients
from cairn.core.settings import get_settings
from cairn.core.text import text_size


def offload(item: dict[str, Any], fields: tuple[str, ...], *, prefix: str, name: str) -> str | None:
    """Moves ``fields`` of ``item`` to S3 (under ``prefix``, the project generation's ``blob_prefix``) when
    together they exceed the inline limit; returns the key."""
    settings = get_settings()
    if text_size(*(item[field] for field in fields)) <= settings.inline_text_limit_bytes:
        return None
    blob_key = f"{prefix}{name}.json"
    body = json.dumps({field: item.pop(field) for field in fields}, ensure_ascii=False).encode("utf-8")
    clients.s3().put_object(
        Bucket=settings.bucket_name, Key=blob_key, Body=body, ContentType="application/json; charset=utf-8"
    )
    item["blobKey"] = blob_key
    return blob_key


def hydrate(item: dict[str, Any]) -> dict[str, Any]:
    """Puts offloaded texts back into ``item`` (in place) and returns it."""
    blob_key = item.pop("blobKey", None)
    if blob_key:
        response = clients.s3().get_object(Bucket=get_settings().bucket_name, Key=blob_key)
        item.update(json.loads(response["Body"].read().decode("utf-8")))
    return item


def discard(blob_key: str | None) -> None:
    """Removes a blob whose item was never written."""
    if blob_key:
        clients.s3().delete_object(Bucket=get_settings().bucket_name, Key=blob_key)


def delete_prefix_page(prefix: str, max_keys: int = 1000) -> int:
    """Deletes up to ``max_keys`` objects under ``prefix``; returns how many were deleted."""
    s3 = clients.s3()
    bucket = get_settings().bucket_name
    listing = s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=max_keys)
    objects = [{"Key": entry["Key"]} for entry in listing.get("Contents", [])]
    if objects:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
    return len(objects)
