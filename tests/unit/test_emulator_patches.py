"""emulator.install_patches' changes to moto's DynamoDB: transactions roll back item by item, Queries read only
their partition, the stream is bounded. Same answers as DynamoDB; costs that do not grow with the table."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from cairn_local import emulator
from cairn_local.resolve import ACCOUNT, REGION

pytestmark = pytest.mark.usefixtures("without_shared_emulator")  # these tests start moto themselves

TABLE = "patched"
NUMBERED = "numbered"


@pytest.fixture
def ddb() -> Iterator[Any]:
    from moto import mock_aws

    with mock_aws(config=emulator.MOTO_CONFIG):
        emulator.install_patches()
        client = boto3.client("dynamodb", region_name=REGION)
        gsi = [{"IndexName": "GSI1", "Projection": {"ProjectionType": "ALL"},
                "KeySchema": [{"AttributeName": "G", "KeyType": "HASH"}, {"AttributeName": "GS", "KeyType": "RANGE"}]}]
        client.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST", GlobalSecondaryIndexes=gsi,
                            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                                       {"AttributeName": "SK", "KeyType": "RANGE"}],
                            AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"}
                                                  for name in ("PK", "SK", "G", "GS")],
                            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        client.create_table(TableName=NUMBERED, BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                                       {"AttributeName": "N", "KeyType": "RANGE"}],
                            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                                                  {"AttributeName": "N", "AttributeType": "N"}])
        yield client


def moto_table(name: str = TABLE) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[ACCOUNT][REGION].tables[name]


def item(pk: str, sk: str, **attrs: str) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}, **{name: {"S": value} for name, value in attrs.items()}}


def fill(client: Any, items: list[dict[str, Any]], table: str = TABLE) -> None:
    for start in range(0, len(items), 25):
        client.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": i}} for i in items[start:start + 25]]})


def everything(client: Any) -> list[dict[str, Any]]:
    return sorted((i for page in client.get_paginator("scan").paginate(TableName=TABLE) for i in page["Items"]),
                  key=lambda i: (i["PK"]["S"], i["SK"]["S"]))


def stream_length() -> int:
    shard = moto_table().stream_shard
    return shard.starting_sequence_number + len(shard.items)


def transaction(extra: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Touches four items (update, delete, overwrite, create), then whatever ``extra`` adds."""
    return [
        {"Update": {"TableName": TABLE, "Key": {"PK": {"S": "p"}, "SK": {"S": "a"}},
                    "UpdateExpression": "SET v = :v, G = :g, GS = :gs",
                    "ExpressionAttributeValues": {":v": {"S": "changed"}, ":g": {"S": "g2"}, ":gs": {"S": "a"}}}},
        {"Delete": {"TableName": TABLE, "Key": {"PK": {"S": "p"}, "SK": {"S": "b"}}}},
        {"Put": {"TableName": TABLE, "Item": item("p", "c", v="overwritten")}},
        {"Put": {"TableName": TABLE, "Item": item("p", "d", v="created", G="g1", GS="d"),
                 "ConditionExpression": "attribute_not_exists(PK)"}},
        *(extra or []),
    ]


def seed_transaction_items(client: Any) -> None:
    fill(client, [item("p", "a", v="original", G="g1", GS="a"), item("p", "b", v="original", G="g1", GS="b"),
                  item("p", "c", v="original"), item("p", "e", v="guard")])


def gsi_keys(client: Any, value: str) -> list[str]:
    response = client.query(TableName=TABLE, IndexName="GSI1", KeyConditionExpression="G = :g",
                            ExpressionAttributeValues={":g": {"S": value}})
    return [i["SK"]["S"] for i in response["Items"]]


def test_a_failed_transaction_leaves_every_touched_item_as_it_was_and_creates_nothing(ddb):
    seed_transaction_items(ddb)
    before, stream_before = everything(ddb), stream_length()
    failing = {"ConditionCheck": {"TableName": TABLE, "Key": {"PK": {"S": "p"}, "SK": {"S": "e"}},
                                  "ConditionExpression": "v = :x", "ExpressionAttributeValues": {":x": {"S": "nope"}}}}

    with pytest.raises(ClientError) as raised:
        ddb.transact_write_items(TransactItems=transaction([failing]))

    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert everything(ddb) == before
    assert stream_length() == stream_before  # no record of the failed transaction is ever emitted
    assert gsi_keys(ddb, "g1") == ["a", "b"]
    assert gsi_keys(ddb, "g2") == []
    assert [i["SK"]["S"] for i in ddb.query(TableName=TABLE, KeyConditionExpression="PK = :p",
                                             ExpressionAttributeValues={":p": {"S": "p"}})["Items"]] == list("abce")


@pytest.mark.parametrize("failing", [
    {"Put": {"TableName": TABLE, "Item": item("p", "a", v="again")}},  # names an item twice: moto raises
    {"Update": {"TableName": TABLE, "Key": {"PK": {"S": "p"}, "SK": {"S": "e"}},  # fails as it is applied
                "UpdateExpression": "ADD v :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}},
], ids=["same item twice", "update fails"])
def test_a_transaction_failing_after_its_writes_is_rolled_back(ddb, failing):
    seed_transaction_items(ddb)
    before, stream_before = everything(ddb), stream_length()

    with pytest.raises(ClientError):
        ddb.transact_write_items(TransactItems=transaction([failing]))

    assert everything(ddb) == before
    assert stream_length() == stream_before
    assert gsi_keys(ddb, "g1") == ["a", "b"]
    assert gsi_keys(ddb, "g2") == []


def test_a_cancelled_transaction_reports_each_items_reason_and_the_old_item(ddb):
    seed_transaction_items(ddb)
    guard = {"Put": {"TableName": TABLE, "Item": item("p", "e", v="new"),
                     "ConditionExpression": "attribute_not_exists(PK)",
                     "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}

    with pytest.raises(ClientError) as raised:
        ddb.transact_write_items(TransactItems=[*transaction()[:2], guard])

    reasons = raised.value.response["CancellationReasons"]
    assert [reason["Code"] for reason in reasons] == ["None", "None", "ConditionalCheckFailed"]
    assert reasons[2]["Item"] == item("p", "e", v="guard")
    assert reasons[2]["Message"] == "The conditional request failed"


def test_a_successful_transaction_applies_everything(ddb):
    seed_transaction_items(ddb)
    stream_before = stream_length()

    ddb.transact_write_items(TransactItems=transaction())

    values = {i["SK"]["S"]: i["v"]["S"] for i in everything(ddb)}
    assert values == {"a": "changed", "c": "overwritten", "d": "created", "e": "guard"}
    assert stream_length() == stream_before + 4
    assert gsi_keys(ddb, "g1") == ["d"]
    assert gsi_keys(ddb, "g2") == ["a"]


def deepcopies_of_one_transaction(client: Any, monkeypatch: Any, *, fail: bool) -> int:
    calls = []
    real = copy.deepcopy

    def counting(value: Any, memo: Any = None, *rest: Any) -> Any:
        calls.append(1)
        return real(value, memo, *rest)

    extra = [{"ConditionCheck": {"TableName": TABLE, "Key": {"PK": {"S": "p"}, "SK": {"S": "e"}},
                                 "ConditionExpression": "attribute_not_exists(PK)"}}] if fail else []
    seed_transaction_items(client)
    monkeypatch.setattr(copy, "deepcopy", counting)  # counts the nested copies too: the module calls itself
    try:
        client.transact_write_items(TransactItems=transaction(extra))
    except ClientError:
        assert fail
    finally:
        monkeypatch.setattr(copy, "deepcopy", real)
    client.delete_item(TableName=TABLE, Key={"PK": {"S": "p"}, "SK": {"S": "d"}})
    return len(calls)


@pytest.mark.parametrize("fail", [False, True])
def test_the_cost_of_a_transaction_does_not_depend_on_the_table_size(ddb, monkeypatch, fail):
    small = deepcopies_of_one_transaction(ddb, monkeypatch, fail=fail)
    fill(ddb, [item(f"other-{n % 20}", f"{n:05}", v="x" * 100, G="g1", GS=f"{n:05}") for n in range(2_000)])
    large = deepcopies_of_one_transaction(ddb, monkeypatch, fail=fail)

    assert small == large
    assert large < 500  # a few copies per touched item; moto copied every item of the table, per operation


# --- Query --------------------------------------------------------------------------------------------------

PARTITIONS = ("alpha", "beta", "gamma")


@pytest.fixture
def big(ddb) -> list[dict[str, Any]]:
    """1,500 items in three partitions; two in three are in GSI1 (partitions g0..g2); SKs with a shared prefix."""
    rng = random.Random(7)
    items = []
    for n in range(1_500):
        attrs = {"v": str(n % 10), "kind": "odd" if n % 2 else "even"}
        if n % 3:
            attrs |= {"G": f"g{n % 3 + (n % 2)}", "GS": f"{rng.randrange(100):03}"}  # GS repeats: ties on SK
        items.append(item(PARTITIONS[n % 3], f"{'M' if n % 4 else 'L'}#{n:05}", **attrs))
    rng.shuffle(items)
    fill(ddb, items)
    return items


def expected(items: list[dict[str, Any]], keep: Any, order: Any, forward: bool = True) -> list[tuple[str, str]]:
    chosen = sorted((i for i in items if keep(i)), key=order, reverse=not forward)
    return [(i["PK"]["S"], i["SK"]["S"]) for i in chosen]


def query_pages(client: Any, **request: Any) -> tuple[list[tuple[str, str]], int, int]:
    """Every page of the Query: the keys in order, the number of pages and the total ScannedCount."""
    keys, pages, scanned, start = [], 0, 0, None
    while True:
        response = client.query(TableName=TABLE, **request, **({"ExclusiveStartKey": start} if start else {}))
        keys += [(i["PK"]["S"], i["SK"]["S"]) for i in response["Items"]]
        pages, scanned = pages + 1, scanned + response["ScannedCount"]
        start = response.get("LastEvaluatedKey")
        if not start:
            return keys, pages, scanned


def by_sk(i: dict[str, Any]) -> str:
    return i["SK"]["S"]


def by_gsi(i: dict[str, Any]) -> tuple[str, str, str]:
    return i["GS"]["S"], i["PK"]["S"], i["SK"]["S"]


KEY_CONDITIONS = [
    ("PK = :p", {}, lambda i: True),
    ("PK = :p AND begins_with(SK, :a)", {":a": "M#"}, lambda i: i["SK"]["S"].startswith("M#")),
    ("PK = :p AND SK BETWEEN :a AND :b", {":a": "L#00100", ":b": "M#00900"},
     lambda i: "L#00100" <= i["SK"]["S"] <= "M#00900"),
    ("PK = :p AND SK < :a", {":a": "L#00600"}, lambda i: i["SK"]["S"] < "L#00600"),
    ("PK = :p AND SK <= :a", {":a": "L#00600"}, lambda i: i["SK"]["S"] <= "L#00600"),
    ("PK = :p AND SK > :a", {":a": "M#01201"}, lambda i: i["SK"]["S"] > "M#01201"),
    ("PK = :p AND SK >= :a", {":a": "M#01201"}, lambda i: i["SK"]["S"] >= "M#01201"),
    ("PK = :p AND SK = :a", {":a": "M#00001"}, lambda i: i["SK"]["S"] == "M#00001"),
]


@pytest.mark.parametrize("forward", [True, False])
@pytest.mark.parametrize("limit", [None, 1, 7, 100])
@pytest.mark.parametrize(("condition", "values", "keep"), KEY_CONDITIONS)
def test_query_of_a_partition_on_a_big_table(ddb, big, monkeypatch, condition, values, keep, limit, forward):
    from moto.dynamodb.models.table import Table

    monkeypatch.setattr(Table, "all_items", lambda self: pytest.fail("a Query walked the whole table"))
    attribute_values = {":p": {"S": "alpha"}, **{name: {"S": value} for name, value in values.items()}}

    paging = {"Limit": limit} if limit else {}
    keys, pages, scanned = query_pages(ddb, KeyConditionExpression=condition, ScanIndexForward=forward,
                                       ExpressionAttributeValues=attribute_values, **paging)

    wanted = expected(big, lambda i: i["PK"]["S"] == "alpha" and keep(i), by_sk, forward)
    assert keys == wanted
    assert scanned == len(wanted)
    if limit:
        assert pages in (len(wanted) // limit + 1, -(-len(wanted) // limit))


@pytest.mark.parametrize("forward", [True, False])
@pytest.mark.parametrize("limit", [None, 5, 64])
def test_query_with_a_filter_limits_before_filtering(ddb, big, forward, limit):
    keys, _, scanned = query_pages(
        ddb, KeyConditionExpression="PK = :p AND begins_with(SK, :m)", FilterExpression="kind = :k",
        ExpressionAttributeValues={":p": {"S": "beta"}, ":m": {"S": "M#"}, ":k": {"S": "odd"}},
        ScanIndexForward=forward, **({"Limit": limit} if limit else {}))

    in_range = expected(big, lambda i: i["PK"]["S"] == "beta" and i["SK"]["S"].startswith("M#"), by_sk, forward)
    assert keys == expected(big, lambda i: (i["PK"]["S"], i["SK"]["S"]) in set(in_range) and i["kind"]["S"] == "odd",
                            by_sk, forward)
    assert scanned == len(in_range)


@pytest.mark.parametrize("forward", [True, False])
@pytest.mark.parametrize("limit", [None, 3, 50])
@pytest.mark.parametrize(("condition", "keep"), [
    ("G = :g", lambda i: True),
    ("G = :g AND GS BETWEEN :a AND :b", lambda i: "020" <= i["GS"]["S"] <= "060"),
    ("G = :g AND begins_with(GS, :c)", lambda i: i["GS"]["S"].startswith("05")),
])
def test_query_of_a_gsi_on_a_big_table(ddb, big, monkeypatch, condition, keep, limit, forward):
    from moto.dynamodb.models.table import Table

    monkeypatch.setattr(Table, "all_items", lambda self: pytest.fail("a Query walked the whole table"))
    values = {":g": {"S": "g2"}, ":a": {"S": "020"}, ":b": {"S": "060"}, ":c": {"S": "05"}}
    used = {name: value for name, value in values.items() if name in condition}

    keys, _, _ = query_pages(ddb, IndexName="GSI1", KeyConditionExpression=condition, ScanIndexForward=forward,
                             ExpressionAttributeValues=used, **({"Limit": limit} if limit else {}))

    assert keys == expected(big, lambda i: i.get("G", {}).get("S") == "g2" and keep(i), by_gsi, forward)


def test_gsi_queries_follow_updates_deletes_and_overwrites(ddb, big):
    def in_gsi(value: str) -> list[tuple[str, str]]:
        return query_pages(ddb, IndexName="GSI1", KeyConditionExpression="G = :g",
                           ExpressionAttributeValues={":g": {"S": value}})[0]

    before = in_gsi("g1")
    assert in_gsi("g1") == before  # the index was built by the first Query: now it must follow the writes
    moved = before[:5]
    for pk, sk in moved:
        ddb.update_item(TableName=TABLE, Key={"PK": {"S": pk}, "SK": {"S": sk}},
                        UpdateExpression="SET G = :g, GS = :s", ExpressionAttributeValues={":g": {"S": "moved"},
                                                                                          ":s": {"S": "000"}})
    ddb.update_item(TableName=TABLE, Key={"PK": {"S": "new"}, "SK": {"S": "x"}}, UpdateExpression="SET G = :g, GS = :s",
                    ExpressionAttributeValues={":g": {"S": "moved"}, ":s": {"S": "001"}})
    ddb.update_item(TableName=TABLE, Key={"PK": {"S": before[5][0]}, "SK": {"S": before[5][1]}},
                    UpdateExpression="REMOVE GS")
    ddb.delete_item(TableName=TABLE, Key={"PK": {"S": before[6][0]}, "SK": {"S": before[6][1]}})
    ddb.put_item(TableName=TABLE, Item=item(before[7][0], before[7][1], v="plain"))

    assert in_gsi("g1") == before[8:]
    assert in_gsi("moved") == [*sorted(moved), ("new", "x")]
    assert query_pages(ddb, KeyConditionExpression="PK = :p",
                       ExpressionAttributeValues={":p": {"S": "new"}})[0] == [("new", "x")]


def test_query_on_a_number_range_key_orders_numerically(ddb):
    numbers = [Decimal(n) / 4 - 50 for n in range(400)]
    random.Random(3).shuffle(numbers)
    fill(ddb, [{"PK": {"S": "n"}, "N": {"N": str(n)}} for n in numbers], table=NUMBERED)

    def query(condition: str, forward: bool = True, **values: str) -> list[Decimal]:
        keys, start = [], None
        while True:
            response = ddb.query(TableName=NUMBERED, KeyConditionExpression=condition, Limit=9,
                                 ScanIndexForward=forward, **({"ExclusiveStartKey": start} if start else {}),
                                 ExpressionAttributeValues={":p": {"S": "n"},
                                                            **{f":{k}": {"N": v} for k, v in values.items()}})
            keys += [Decimal(i["N"]["N"]) for i in response["Items"]]
            start = response.get("LastEvaluatedKey")
            if not start:
                return keys

    assert query("PK = :p") == sorted(numbers)
    assert query("PK = :p", forward=False) == sorted(numbers, reverse=True)
    assert query("PK = :p AND N BETWEEN :a AND :b", a="-2", b="10.5") == [n for n in sorted(numbers) if -2 <= n <= 10.5]
    assert query("PK = :p AND N < :a", forward=False, a="-40") == [n for n in sorted(numbers, reverse=True) if n < -40]


# --- the stream ---------------------------------------------------------------------------------------------


def test_without_a_reader_the_stream_keeps_the_newest_records(ddb, monkeypatch):
    monkeypatch.setattr(emulator, "STREAM_RECORDS_KEPT", 30)
    fill(ddb, [item("s", f"{n:03}") for n in range(100)])
    shard = moto_table().stream_shard
    streams = boto3.client("dynamodbstreams", region_name=REGION, config=Config(account_id_endpoint_mode="disabled"))
    arn = ddb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]

    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard.id,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]

    assert len(shard.items) == 30
    assert [r["dynamodb"]["Keys"]["SK"]["S"] for r in records] == [f"{n:03}" for n in range(70, 100)]
    assert [int(r["dynamodb"]["SequenceNumber"]) for r in records] == list(
        range(shard.starting_sequence_number, shard.starting_sequence_number + 30))


def test_a_reader_keeps_what_it_has_not_read(ddb, monkeypatch):
    monkeypatch.setattr(emulator, "STREAM_RECORDS_KEPT", 10)
    reader = emulator.stream_reader(TABLE)
    assert reader is not None
    start = reader.position
    fill(ddb, [item("s", f"{n:03}") for n in range(50)])
    shard = moto_table().stream_shard
    assert len(shard.items) == 50  # nothing read yet: nothing dropped

    reader.advance(start + 45)
    assert [r.record["dynamodb"]["Keys"]["SK"]["S"] for r in shard.items] == ["045", "046", "047", "048", "049"]
    ddb.put_item(TableName=TABLE, Item=item("s", "050"))
    assert len(shard.items) == 6

    reader.close()
    fill(ddb, [item("s", f"{n:03}") for n in range(51, 70)])
    assert len(shard.items) == 10


def test_a_reader_is_only_for_tables_of_this_process(ddb):
    assert emulator.stream_reader("no-such-table") is None
    assert emulator.stream_reader(NUMBERED) is None  # no stream


# --- responses ----------------------------------------------------------------------------------------------

EVERY_TYPE = {"PK": {"S": "types"}, "SK": {"S": "1"}, "n": {"N": "-12.50"}, "b": {"B": b"\x00\xffbin"},
              "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"\x01", b"\x02"]},
              "m": {"M": {"inner": {"L": [{"S": "é"}, {"N": "3"}, {"BOOL": False}, {"NULL": True}]}}},
              "empty": {"S": ""}, "t": {"BOOL": True}}


def normalised(attrs: dict[str, Any]) -> dict[str, Any]:
    def value(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: value(x) for k, x in v.items()}
        if isinstance(v, list):
            values = [value(x) for x in v]
            return values if v and isinstance(v[0], dict) else sorted(values, key=repr)  # sets: any order
        return v

    return value(attrs)


def test_item_responses_keep_every_attribute_type(ddb):
    ddb.put_item(TableName=TABLE, Item=EVERY_TYPE)
    key = {"PK": EVERY_TYPE["PK"], "SK": EVERY_TYPE["SK"]}

    got = ddb.get_item(TableName=TABLE, Key=key)["Item"]
    queried = ddb.query(TableName=TABLE, KeyConditionExpression="PK = :p",
                        ExpressionAttributeValues={":p": {"S": "types"}})
    batch = ddb.batch_get_item(RequestItems={TABLE: {"Keys": [key]}})["Responses"][TABLE][0]
    updated = ddb.update_item(TableName=TABLE, Key=key, UpdateExpression="SET z = :z",
                              ExpressionAttributeValues={":z": {"B": b"z"}}, ReturnValues="ALL_NEW")["Attributes"]

    for attrs in (got, queried["Items"][0], batch, {k: v for k, v in updated.items() if k != "z"}):
        assert normalised(attrs) == normalised(EVERY_TYPE)
    assert updated["z"] == {"B": b"z"}
    assert (queried["Count"], queried["ScannedCount"], "LastEvaluatedKey" in queried) == (1, 1, False)


def test_item_responses_are_what_motos_serializer_writes(ddb):
    import json

    from moto.core.responses import ActionContext, ActionResult
    from moto.core.serialize import get_serializer_class
    from moto.core.utils import get_service_model
    from moto.dynamodb.responses import DynamoResult

    ddb.put_item(TableName=TABLE, Item=EVERY_TYPE)
    item = moto_table().get_item(DynamoType_of(EVERY_TYPE["PK"]), DynamoType_of(EVERY_TYPE["SK"]))
    result = DynamoResult({"Items": [item.attrs], "Count": 1, "ScannedCount": 1,
                           "LastEvaluatedKey": {"PK": {"S": "types"}, "SK": {"S": "1"}}})
    model = get_service_model("dynamodb")
    context = ActionContext(model, model.operation_model("Query"), get_serializer_class("dynamodb", "json"), None)

    status, headers, body = result.execute_result(context)
    expected_status, expected_headers, expected_body = ActionResult.execute_result(result, context)  # moto's own

    assert (status, headers) == (expected_status, expected_headers)
    assert json.loads(body) == json.loads(expected_body)


def DynamoType_of(value: dict[str, Any]) -> Any:  # noqa: N802 - reads as the moto type it builds
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType(value)


def test_stream_records_are_what_motos_serializer_writes(ddb):
    import json

    from moto.core.responses import ActionContext, ActionResult
    from moto.core.serialize import get_serializer_class
    from moto.core.utils import get_service_model
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    ddb.put_item(TableName=TABLE, Item=EVERY_TYPE)
    ddb.put_item(TableName=TABLE, Item={**EVERY_TYPE, "n": {"N": "1"}})
    arn = ddb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    streams = boto3.client("dynamodbstreams", region_name=REGION, config=Config(account_id_endpoint_mode="disabled"))
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=moto_table().stream_shard.id,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]

    records = streams.get_records(ShardIterator=iterator)["Records"]

    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY"]
    assert normalised(records[1]["dynamodb"]["OldImage"]) == normalised(EVERY_TYPE)
    assert records[1]["dynamodb"]["NewImage"]["n"] == {"N": "1"}
    assert records[0]["dynamodb"]["ApproximateCreationDateTime"].tzinfo is not None

    backend = dynamodbstreams_backends[ACCOUNT][REGION]
    result = backend.get_shard_iterator(arn, moto_table().stream_shard.id, "TRIM_HORIZON").get(10)
    model = get_service_model("dynamodbstreams")
    context = ActionContext(model, model.operation_model("GetRecords"), get_serializer_class("dynamodbstreams", "json"),
                            None)
    status, headers, body = emulator._json_response(result, context)
    expected_status, expected_headers, expected_body = ActionResult(result).execute_result(context)
    assert (status, headers) == (expected_status, expected_headers)
    assert json.loads(body) == json.loads(expected_body)


def test_moto_keeps_no_reference_to_replaced_items_or_stream_records(ddb):
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import StreamRecord

    for n in range(50):
        ddb.put_item(TableName=TABLE, Item=item("p", "same", v=str(n)))
        ddb.update_item(TableName=TABLE, Key={"PK": {"S": "p"}, "SK": {"S": "same"}}, UpdateExpression="SET w = :w",
                        ExpressionAttributeValues={":w": {"S": str(n)}})

    assert Item.instances_tracked == []
    assert StreamRecord.instances_tracked == []
