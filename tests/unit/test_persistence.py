"""The dev server's durability, in process: journaled writes come back after a crash (a fresh moto),
a failed transaction leaves no record, checkpoints fold the journal and survive their own failures."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cairn_local import journal, snapshot
from cairn_local.emulator import MOTO_CONFIG, install_patches, provision
from cairn_local.persistence import Durability, written_items
from cairn_local.resolve import LocalNames

pytestmark = pytest.mark.usefixtures("without_shared_emulator")  # these tests start moto themselves


def _item(pk: str, sk: str, **values: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}, **{name: {"S": value} for name, value in values.items()}}


def _fresh_moto() -> Any:
    mock = mock_aws(config=MOTO_CONFIG)
    mock.start()
    install_patches()
    provision(LocalNames())
    return mock


def _state(names: LocalNames) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    dynamodb, s3 = boto3.client("dynamodb"), boto3.client("s3")
    items = sorted(dynamodb.scan(TableName=names.table)["Items"], key=lambda item: (item["PK"]["S"], item["SK"]["S"]))
    objects = {entry["Key"]: s3.get_object(Bucket=names.bucket, Key=entry["Key"])["Body"].read()
               for entry in s3.list_objects_v2(Bucket=names.bucket).get("Contents", [])}
    return items, objects


def _restored_after_a_crash(tmp_path: Path, names: LocalNames, durability: Durability, mock: Any) -> Any:
    """Kills the process's state (no checkpoint), starts a fresh moto and restores into it; the state restored."""
    durability.stop_journaling()
    mock.stop()
    mock = _fresh_moto()
    try:
        again = Durability(tmp_path, names)
        again.open()
        restored = _state(names)
        again.stop_journaling()
    finally:
        mock.stop()
    return restored


def _write_everything(names: LocalNames) -> None:
    dynamodb, s3 = boto3.client("dynamodb"), boto3.client("s3")
    dynamodb.put_item(TableName=names.table, Item=_item("p", "a", text="first"))
    dynamodb.update_item(TableName=names.table, Key=_item("p", "a"), UpdateExpression="SET #t = :t",
                         ExpressionAttributeNames={"#t": "text"}, ExpressionAttributeValues={":t": {"S": "second"}})
    dynamodb.transact_write_items(TransactItems=[
        {"Put": {"TableName": names.table, "Item": _item("p", "b", text="in a transaction")}},
        {"ConditionCheck": {"TableName": names.table, "Key": _item("p", "a"),
                            "ConditionExpression": "attribute_exists(PK)"}},
    ])
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": names.table, "Item": _item("p", "never", text="rolled back")}},
            {"ConditionCheck": {"TableName": names.table, "Key": _item("p", "missing"),
                                "ConditionExpression": "attribute_exists(PK)"}},
        ])
    dynamodb.batch_write_item(RequestItems={names.table: [
        {"PutRequest": {"Item": _item("p", "c", text="batched")}},
        {"PutRequest": {"Item": _item("p", "d", text="to delete")}},
    ]})
    dynamodb.delete_item(TableName=names.table, Key=_item("p", "d"))
    dynamodb.put_item(TableName=names.table, Item={**_item("p", "e"), "blob": {"B": b"\x00\xffbinary"}})
    s3.put_object(Bucket=names.bucket, Key="kept", Body=b"\x00bytes\xff")
    s3.put_object(Bucket=names.bucket, Key="gone", Body=b"x")
    s3.delete_objects(Bucket=names.bucket, Delete={"Objects": [{"Key": "gone"}]})


@pytest.fixture
def names(tmp_path: Path) -> LocalNames:
    return LocalNames()


def test_journaled_writes_survive_a_crash_and_a_failed_transaction_leaves_nothing(tmp_path: Path,
                                                                                    names: LocalNames) -> None:
    mock = _fresh_moto()
    durability = Durability(tmp_path, names)
    durability.open()
    _write_everything(names)
    before = _state(names)
    durability.stop_journaling()  # the process dies: no checkpoint
    mock.stop()

    mock = _fresh_moto()
    try:
        assert _state(names) == ([], {})
        again = Durability(tmp_path, names)
        assert again.open() > 0
        assert _state(names) == before
        items, objects = before
        assert [item["SK"]["S"] for item in items] == ["a", "b", "c", "e"]
        assert items[0]["text"]["S"] == "second"
        assert items[3]["blob"]["B"] == b"\x00\xffbinary"
        assert objects == {"kept": b"\x00bytes\xff"}
        again.stop_journaling()
    finally:
        mock.stop()


def test_a_checkpoint_folds_the_journal_into_the_snapshot(tmp_path: Path, names: LocalNames) -> None:
    mock = _fresh_moto()
    durability = Durability(tmp_path, names)
    durability.open()
    _write_everything(names)
    before = _state(names)
    assert durability.checkpoint() == 5  # four items and one object
    assert [journal.segment_number(path) for path in journal.segments(tmp_path / "journal")] == [3]
    boto3.client("dynamodb").put_item(TableName=names.table, Item=_item("p", "after", text="after the checkpoint"))
    after = _state(names)
    assert _restored_after_a_crash(tmp_path, names, durability, mock) == after != before


def test_a_failing_checkpoint_is_counted_and_retried_and_loses_nothing(tmp_path: Path, names: LocalNames,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    mock = _fresh_moto()
    try:
        durability = Durability(tmp_path, names)
        durability.open()
        real_write, calls = snapshot.write, []

        def flaky_write(*args: Any) -> None:
            calls.append(args)
            if len(calls) == 1:
                raise OSError("disk full")
            real_write(*args)

        monkeypatch.setattr(snapshot, "write", flaky_write)
        durability.start_checkpoints(records=1, poll=0.01)
        _write_everything(names)
        deadline = time.monotonic() + 10
        while len(calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        durability.close()
        assert durability.checkpoint_failures == 1
        assert len(calls) >= 2
        saved = json.loads((tmp_path / "snapshot.json").read_text())
        assert sorted(record.get("key", {}).get("SK", {}).get("S", "") for record in saved["records"]
                      if "table" in record) == ["a", "b", "c", "e"]
    finally:
        mock.stop()


def test_a_record_cut_short_by_a_crash_is_ignored(tmp_path: Path) -> None:
    path = journal.segment_path(tmp_path, 1)
    path.write_bytes(b'{"records": [1]}\n{"records": [2]}\n{"recor')
    assert [line["records"] for line in journal.read_segment(path)] == [[1], [2]]


def test_written_items_names_every_written_key_but_not_condition_checks() -> None:
    key = {"PK": {"S": "p"}, "SK": {"S": "k"}}
    request = {"TransactItems": [{"Put": {"TableName": "t", "Item": {**key, "x": {"S": "1"}}}},
                                 {"Update": {"TableName": "t", "Key": key}},
                                 {"Delete": {"TableName": "u", "Key": key}},
                                 {"ConditionCheck": {"TableName": "t", "Key": key}}]}
    assert [name for name, _ in written_items("TransactWriteItems", request)] == ["t", "t", "u"]
    batch = {"RequestItems": {"t": [{"PutRequest": {"Item": key}}, {"DeleteRequest": {"Key": key}}]}}
    assert written_items("BatchWriteItem", batch) == [("t", key), ("t", key)]
    with pytest.raises(ValueError, match="not a write"):
        written_items("Query", {})


def test_writes_during_a_checkpoint_come_back_at_their_last_state(tmp_path: Path, names: LocalNames,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from cairn_local import persistence

    monkeypatch.setattr(persistence, "_ITEMS_PER_LOCK", 3)  # many chunks, so writers run between them
    mock = _fresh_moto()
    durability = Durability(tmp_path, names)
    durability.open()
    dynamodb = boto3.client("dynamodb")
    for number in range(60):
        dynamodb.put_item(TableName=names.table, Item=_item("p", f"{number:03d}", text="0"))
    stop = threading.Event()

    def write() -> None:
        round_ = 0
        while not stop.is_set():
            round_ += 1
            for number in range(0, 60, 7):
                dynamodb.put_item(TableName=names.table, Item=_item("p", f"{number:03d}", text=str(round_)))
            dynamodb.delete_item(TableName=names.table, Key=_item("p", f"new-{round_ - 1}"))
            dynamodb.put_item(TableName=names.table, Item=_item("p", f"new-{round_}", text="fresh"))

    writer = threading.Thread(target=write)
    writer.start()
    for _ in range(3):
        durability.checkpoint()
    stop.set()
    writer.join()
    final = _state(names)
    assert _restored_after_a_crash(tmp_path, names, durability, mock) == final


def _secrets() -> dict[str, str]:
    manager = boto3.client("secretsmanager")
    names = [entry["Name"] for entry in manager.list_secrets()["SecretList"]]
    return {name: manager.get_secret_value(SecretId=name)["SecretString"] for name in names}


def _write_secrets() -> None:
    manager = boto3.client("secretsmanager")
    manager.create_secret(Name="cairn/t1/slack", SecretString='{"token": "first"}')
    manager.put_secret_value(SecretId="cairn/t1/slack", SecretString='{"token": "rotated"}')
    manager.create_secret(Name="cairn/t1/github", SecretString='{"token": "gone soon"}')
    manager.delete_secret(SecretId="cairn/t1/github", ForceDeleteWithoutRecovery=True)
    manager.create_secret(Name="cairn/t2/jira", SecretString='{"token": "other tenant"}')
    with pytest.raises(manager.exceptions.ResourceExistsException):  # refused: journals nothing
        manager.create_secret(Name="cairn/t2/jira", SecretString='{"token": "never"}')


def test_connection_secrets_survive_a_crash_and_a_checkpoint(tmp_path: Path, names: LocalNames) -> None:
    expected = {"cairn/t1/slack": '{"token": "rotated"}', "cairn/t2/jira": '{"token": "other tenant"}'}
    mock = _fresh_moto()
    durability = Durability(tmp_path, names)
    durability.open()
    _write_secrets()
    assert _secrets() == expected
    durability.stop_journaling()  # killed: only the journal holds the secrets
    mock.stop()

    for _ in range(2):  # restored from the journal, then (after the restore's checkpoint) from the snapshot
        mock = _fresh_moto()
        try:
            assert _secrets() == {}
            again = Durability(tmp_path, names)
            again.open()
            assert _secrets() == expected
            again.stop_journaling()
        finally:
            mock.stop()
    assert any("secret" in record for record in json.loads((tmp_path / "snapshot.json").read_text())["records"])
