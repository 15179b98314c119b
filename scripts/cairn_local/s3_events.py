"""S3's "Object Created" events for the local stack: a bucket with EventBridge notifications on (the template's
``NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled``) puts one on the default bus for every
object written; moto does not. ``install`` wraps moto's ``put_object`` (presigned PUTs and SDK puts alike) so that
each object written to such a bucket is put on the local EventBridge (``cairn_local.eventbus.put_events``), where
the template's rules hand it to their functions as in AWS (an uploaded import file starts its job: docs/platform.md,
"Jobs"). moto completes a multipart upload through ``put_object`` too, so a completed one is emitted as well
(in AWS with reason ``CompleteMultipartUpload``; locally every event says ``PutObject``)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import cache
from typing import Any

from cairn_local import template
from cairn_local.resolve import LocalNames

log = logging.getLogger("cairn.local.s3")
SOURCE = "aws.s3"
DETAIL_TYPE = "Object Created"


@cache
def notifying_buckets() -> frozenset[str]:
    """The local names of the template's buckets that send their events to EventBridge."""
    names = LocalNames()
    return frozenset(str(names.ref(logical_id))
                     for logical_id, spec in template.resources("AWS::S3::Bucket").items()
                     if (((spec.get("Properties") or {}).get("NotificationConfiguration") or {})
                         .get("EventBridgeConfiguration") or {}).get("EventBridgeEnabled"))


def object_created_entry(bucket: str, key: str, size: int) -> dict[str, Any]:
    """The PutEvents entry AWS emits for an object written to ``bucket``."""
    detail = {"version": "0", "bucket": {"name": bucket}, "object": {"key": key, "size": size},
              "reason": "PutObject"}
    return {"Source": SOURCE, "DetailType": DETAIL_TYPE, "Detail": json.dumps(detail),
            "Resources": [f"arn:aws:s3:::{bucket}"]}


def _emitting(original: Callable[..., Any]) -> Callable[..., Any]:
    def put_object(self: Any, bucket_name: str, key_name: str, value: bytes, *args: Any, **kwargs: Any) -> Any:
        from cairn_local import eventbus

        written = original(self, bucket_name, key_name, value, *args, **kwargs)
        if bucket_name in notifying_buckets():
            try:
                eventbus.put_events([object_created_entry(bucket_name, key_name, len(value))])
            except Exception:  # the object is written either way; a lost event is what AWS's would be: logged
                log.exception("Object Created of %s not emitted", key_name)
        return written

    return put_object


def install() -> None:
    """Wraps moto's ``put_object`` (once per process: ``emulator.install_patches`` calls it)."""
    from moto.s3.models import S3Backend

    S3Backend.put_object = _emitting(S3Backend.put_object)  # type: ignore[method-assign]
