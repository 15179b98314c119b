"""The embedded moto's state as plain records, read from and written to its backends in process.

A DynamoDB item is ``{"table", "key", "item"}`` with the item in DynamoDB JSON (``None``: absent; binary
values as ``{"$b64": ...}``, since moto keeps them as bytes), an S3
object ``{"bucket", "key", "body"}`` with the body base64-encoded (``None``: absent). The journal holds
such records for every acknowledged write; a snapshot holds them for everything stored, with the number
of the last journal segment it includes.

Only object bodies are kept for S3: Cairn reads nothing else back (content types and user metadata of
restored objects are moto's defaults). A Secrets Manager secret (the tenant connections) is
``{"secret": name, "value": its current SecretString}`` (``None``: absent or deleted); only the current
value is kept (Cairn reads no other version, and no description or tags).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cairn_local.resolve import ACCOUNT, REGION

FORMAT = 2


def _dynamodb() -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[ACCOUNT][REGION]


def _s3() -> Any:
    from moto.s3.models import s3_backends

    return s3_backends[ACCOUNT]["global"]


# --- DynamoDB -----------------------------------------------------------------------------------------------

_BINARY = "$b64"


def _json_safe(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {_BINARY: base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {name: _json_safe(inner) for name, inner in value.items()}
    if isinstance(value, list):
        return [_json_safe(inner) for inner in value]
    return value


def _from_json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_BINARY}:
            return base64.b64decode(value[_BINARY])
        return {name: _from_json_safe(inner) for name, inner in value.items()}
    if isinstance(value, list):
        return [_from_json_safe(inner) for inner in value]
    return value



def _key_values(table: Any, key: dict[str, Any]) -> tuple[Any, Any]:
    from moto.dynamodb.models.dynamo_type import DynamoType

    range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    return DynamoType(key[table.hash_key_attr]), range_value


def item_record(table_name: str, attributes: dict[str, Any]) -> dict[str, Any]:
    """The current image (DynamoDB JSON) of the item whose key ``attributes`` hold, as a record."""
    table = _dynamodb().get_table(table_name)
    key = {name: attributes[name] for name in table.table_key_attrs}
    item = table.get_item(*_key_values(table, key))
    image = _json_safe(item.to_json()["Attributes"]) if item else None
    return {"table": table_name, "key": _json_safe(key), "item": image}


def stored_items(table_name: str) -> list[Any]:
    """Every item of the table (moto's objects; copy them with ``items_as_records``)."""
    table = _dynamodb().get_table(table_name)
    partitions = list(table.items.values())
    return [item for partition in partitions for item in partition.values()] if table.range_key_attr else partitions


def items_as_records(table_name: str, items: Iterable[Any]) -> list[dict[str, Any]]:
    key_names = _dynamodb().get_table(table_name).table_key_attrs
    records = []
    for item in items:
        attributes = _json_safe(item.to_json()["Attributes"])
        records.append({"table": table_name, "key": {name: attributes[name] for name in key_names},
                        "item": attributes})
    return records


def apply_item(record: dict[str, Any]) -> None:
    table = _dynamodb().get_table(record["table"])
    if record["item"] is None:
        hash_value, range_value = _key_values(table, _from_json_safe(record["key"]))
        if table.get_item(hash_value, range_value) is not None:
            table.delete_item(hash_value, range_value)
    else:
        table.put_item(_from_json_safe(record["item"]), overwrite=True)


# --- S3 -----------------------------------------------------------------------------------------------------


def object_record(bucket: str, key: str) -> dict[str, Any]:
    found = _s3().get_object(bucket, key)
    body = None if found is None else base64.b64encode(found.value).decode("ascii")
    return {"bucket": bucket, "key": key, "body": body}


def stored_keys(bucket: str) -> list[str]:
    return list(_s3().get_bucket(bucket).keys)


def apply_object(record: dict[str, Any]) -> None:
    backend = _s3()
    if record["body"] is None:
        backend.delete_object(record["bucket"], record["key"])
    else:
        backend.put_object(record["bucket"], record["key"], base64.b64decode(record["body"]))


# --- Secrets Manager ------------------------------------------------------------------------------------------


def _secretsmanager() -> Any:
    from moto.secretsmanager.models import secretsmanager_backends

    return secretsmanager_backends[ACCOUNT][REGION]


def secret_record(name: str) -> dict[str, Any]:
    """The current value of secret ``name`` (a name or ARN) as a record, keyed by the secret's name."""
    from moto.secretsmanager.exceptions import SecretsManagerClientError

    backend = _secretsmanager()
    found = backend.secrets.get(name) if name in backend.secrets else None
    key = found.name if found is not None else name
    try:
        value = backend.get_secret_value(name, None, None).get("SecretString")
    except SecretsManagerClientError:  # absent, deleted, or without a value: nothing to restore
        value = None
    return {"secret": key, "value": value}


def stored_secrets() -> list[str]:
    return [secret.name for secret in list(_secretsmanager().secrets.values())]


def apply_secret(record: dict[str, Any]) -> None:
    backend = _secretsmanager()
    name, value = record["secret"], record["value"]
    if name in backend.secrets:
        backend.delete_secret(name, recovery_window_in_days=None, force_delete_without_recovery=True)
    if value is not None:
        backend.create_secret(name=name, secret_string=value, secret_binary=None, description=None, tags=None,
                              kms_key_id=None, client_request_token=None, replica_regions=[],
                              force_overwrite=False)


# --- records and files --------------------------------------------------------------------------------------


def apply(record: dict[str, Any]) -> None:
    if "table" in record:
        apply_item(record)
    elif "secret" in record:
        apply_secret(record)
    else:
        apply_object(record)


def write(path: Path, records: list[dict[str, Any]], journal_segment: int) -> None:
    """Writes the snapshot atomically (a crash leaves the previous one) and durably."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    with partial.open("w") as out:
        json.dump({"format": FORMAT, "journalSegment": journal_segment, "records": records}, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)


def load(path: Path, table: str, bucket: str) -> tuple[list[dict[str, Any]], int]:
    """The snapshot's records and the last journal segment it includes (no snapshot: nothing, 0).
    ``table`` and ``bucket`` name where the items and objects of a first-format snapshot belong."""
    if not path.exists():
        return [], 0
    snapshot = json.loads(path.read_text())
    if snapshot.get("format") == FORMAT:
        return snapshot["records"], int(snapshot["journalSegment"])
    if snapshot.get("version") == 1:  # written by the dev server before the journal existed
        items = [{"table": table, "key": {"PK": item["PK"], "SK": item["SK"]}, "item": item}
                 for item in snapshot["items"]]
        objects = [{"bucket": bucket, "key": key, "body": body} for key, body in snapshot["objects"].items()]
        return items + objects, 0
    raise ValueError(f"{path} has an unknown format; move it away to start afresh")
