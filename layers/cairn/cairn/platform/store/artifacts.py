"""Export artifacts in S3: one multipart upload per export, part after part, so no invocation holds more
than one part (docs/platform.md, "Jobs"). Parts are listed back from S3 at the end: the workflow's state
carries only the upload id and the next part number, whatever the export's size."""

from __future__ import annotations

from typing import Any

from cairn.aws import clients
from cairn.aws.keys import escape
from cairn.core.settings import get_settings

# S3's smallest part but the last: an export step uploads once it holds this much.
PART_BYTES = 5 * 1024 * 1024
CONTENT_TYPE = "application/x-ndjson"


def artifact_key(tenant: str, job_id: str) -> str:
    return f"tenants/{escape(tenant).replace('/', '%2F')}/exports/{job_id}.jsonl"


def start(key: str) -> str:
    response = clients.s3().create_multipart_upload(Bucket=_bucket(), Key=key, ContentType=CONTENT_TYPE)
    return str(response["UploadId"])


def put_part(key: str, upload_id: str, number: int, data: bytes) -> None:
    clients.s3().upload_part(Bucket=_bucket(), Key=key, UploadId=upload_id, PartNumber=number, Body=data)


def complete(key: str, upload_id: str) -> None:
    parts: list[dict[str, Any]] = []
    for page in clients.s3().get_paginator("list_parts").paginate(Bucket=_bucket(), Key=key, UploadId=upload_id):
        parts.extend({"PartNumber": part["PartNumber"], "ETag": part["ETag"]} for part in page.get("Parts", []))
    clients.s3().complete_multipart_upload(Bucket=_bucket(), Key=key, UploadId=upload_id,
                                           MultipartUpload={"Parts": parts})


def abort(key: str, upload_id: str) -> None:
    clients.s3().abort_multipart_upload(Bucket=_bucket(), Key=key, UploadId=upload_id)


def download_url(key: str, expires_seconds: int) -> str:
    return str(clients.s3().generate_presigned_url("get_object", Params={"Bucket": _bucket(), "Key": key},
                                                   ExpiresIn=expires_seconds))


def _bucket() -> str:
    return get_settings().bucket_name
