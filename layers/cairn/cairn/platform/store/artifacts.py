"""Job files in S3 (docs/platform.md, "Jobs"). Export artifacts: one multipart upload per export, part after
part, so no invocation holds more than one part; parts are listed back from S3 at the end: the workflow's state
carries only the upload id and the next part number, whatever the export's size. Import files: uploaded by the
caller with a presigned PUT under ``imports/`` (the prefix the bucket's Object Created rule matches), and read
by an import a byte range at a time."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from cairn.aws import clients
from cairn.aws.keys import escape
from cairn.core.settings import get_settings

# S3's smallest part but the last: an export step uploads once it holds this much.
PART_BYTES = 5 * 1024 * 1024
CONTENT_TYPE = "application/x-ndjson"


IMPORTS_PREFIX = "imports/"


def _path(tenant: str) -> str:
    return escape(tenant).replace("/", "%2F")


def artifact_key(tenant: str, job_id: str) -> str:
    return f"tenants/{_path(tenant)}/exports/{job_id}.jsonl"


def upload_key(tenant: str, job_id: str) -> str:
    """Where the caller uploads an import's file (the job id is a generated one: no escaping needed)."""
    return f"{IMPORTS_PREFIX}{_path(tenant)}/{job_id}.jsonl"


def parse_upload_key(key: str) -> tuple[str, str] | None:
    """(tenant, job id) of an import upload's key; None for any other key."""
    if not key.startswith(IMPORTS_PREFIX) or not key.endswith(".jsonl"):
        return None
    tenant, _, name = key[len(IMPORTS_PREFIX):].partition("/")
    if not tenant or not name or "/" in name:
        return None
    return unquote(tenant), name.removesuffix(".jsonl")


def upload_url(key: str, expires_seconds: int) -> str:
    return str(clients.s3().generate_presigned_url(
        "put_object", Params={"Bucket": _bucket(), "Key": key}, ExpiresIn=expires_seconds))


def read_range(key: str, start: int, length: int) -> tuple[bytes, int]:
    """``length`` bytes of the object from ``start`` (fewer at its end) and the object's size; an empty
    object, or ``start`` at its end, answers no bytes."""
    s3 = clients.s3()
    size = int(s3.head_object(Bucket=_bucket(), Key=key)["ContentLength"])
    if start >= size:
        return b"", size
    body = s3.get_object(Bucket=_bucket(), Key=key, Range=f"bytes={start}-{start + length - 1}")["Body"].read()
    return bytes(body), size


def exists(key: str) -> bool:
    try:
        clients.s3().head_object(Bucket=_bucket(), Key=key)
    except clients.s3().exceptions.ClientError as missing:
        if missing.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


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
