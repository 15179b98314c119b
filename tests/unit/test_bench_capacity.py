"""The benchmark's write units follow DynamoDB's sizing rules (moto reports none for transactions)."""

from __future__ import annotations

from cairn_local.bench import capacity


def test_item_sizes_count_names_and_values():
    assert capacity.item_size({"PK": {"S": "é"}}) == 2 + 2  # UTF-8 bytes of the name and the value
    assert capacity.item_size({"n": {"N": "12345"}}) == 1 + 4  # one byte per two significant digits, plus one
    assert capacity.item_size({"ok": {"BOOL": True}, "no": {"NULL": True}}) == 2 + 1 + 2 + 1
    assert capacity.item_size({"m": {"M": {"a": {"S": "xy"}}}}) == 1 + 3 + 1 + 1 + 2
    assert capacity.item_size({"s": {"SS": ["a", "bc"]}}) == 1 + 3


def test_a_transactional_write_costs_twice_per_started_kilobyte():
    small = {"PK": {"S": "p"}, "SK": {"S": "s"}}
    large = {**small, "text": {"S": "x" * 1500}}
    put, = capacity.writes("TransactWriteItems", {"TransactItems": [{"Put": {"TableName": "t", "Item": large}}]})
    assert capacity.units(put, None, large) == 4
    update, = capacity.writes("UpdateItem", {"TableName": "t", "Key": small})
    assert capacity.units(update, large, small) == 2  # the larger of the two images
    assert capacity.units(update, None, small) == 1
