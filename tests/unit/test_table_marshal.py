"""cairn.aws.table: plain dicts in, DynamoDB attribute values out, and back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from cairn.aws.table import TransactionCancelled, key, marshal, unmarshal


def test_round_trip_of_scalars_nested_values_and_sets() -> None:
    item = {
        "PK": "T#t#P#p",
        "count": 3,
        "negative": -7,
        "big": 2**53 - 1,
        "ratio": 0.25,
        "flag": True,
        "off": False,
        "nested": {"list": [1, 2.5, "x", {"deep": [0.1, 10]}], "empty": {}, "none": None},
        "names": {"main", "feature-auth"},
        "numbers": {1, 2, 3},
        "blob": b"\x00\x01",
        "empty_list": [],
        "text": "ü🚀",
    }
    assert unmarshal(marshal(item)) == item


def test_marshal_shape() -> None:
    marshalled = marshal({"s": "x", "n": 1, "f": 1.5, "b": True, "ss": {"a"}, "ns": {2}, "l": [1], "m": {"k": "v"}})
    assert marshalled == {
        "s": {"S": "x"},
        "n": {"N": "1"},
        "f": {"N": "1.5"},
        "b": {"BOOL": True},
        "ss": {"SS": ["a"]},
        "ns": {"NS": ["2"]},
        "l": {"L": [{"N": "1"}]},
        "m": {"M": {"k": {"S": "v"}}},
    }


def test_none_at_the_top_level_is_left_out() -> None:
    assert marshal({"a": None, "b": 1}) == {"b": {"N": "1"}}


def test_nested_none_is_null() -> None:
    assert marshal({"m": {"a": None}}) == {"m": {"M": {"a": {"NULL": True}}}}
    assert unmarshal(marshal({"m": {"a": None}})) == {"m": {"a": None}}


def test_floats_are_written_exactly_as_python_prints_them() -> None:
    assert marshal({"f": 0.1})["f"] == {"N": "0.1"}
    assert unmarshal(marshal({"f": 0.1}))["f"] == 0.1


def test_numbers_come_back_as_int_or_float() -> None:
    values = unmarshal({"i": {"N": "42"}, "f": {"N": "4.2"}, "integral": {"N": "4.0"}, "ns": {"NS": ["1", "2.5"]},
                        "l": {"L": [{"N": "7"}]}})
    assert values == {"i": 42, "f": 4.2, "integral": 4, "ns": {1, 2.5}, "l": [7]}
    assert type(values["i"]) is int
    assert type(values["f"]) is float
    assert type(values["integral"]) is int  # an integral float round-trips as an int
    assert not any(isinstance(value, Decimal) for value in values["ns"])


def test_large_integers_keep_their_precision() -> None:
    assert unmarshal(marshal({"n": 10**30 + 1}))["n"] == 10**30 + 1


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_floats_are_refused(value: float) -> None:
    with pytest.raises(TypeError):
        marshal({"f": value})


def test_key() -> None:
    assert key("pk", "sk") == {"PK": "pk", "SK": "sk"}


def test_transaction_cancelled_reports_which_item_failed() -> None:
    cancelled = TransactionCancelled(["None", "ConditionalCheckFailed", "None"], [None, {"a": 1}, None])
    assert cancelled.failed(1)
    assert not cancelled.failed(0)
    assert not cancelled.conflicting
    assert cancelled.items[1] == {"a": 1}


@pytest.mark.parametrize("code", ["TransactionConflict", "ThrottlingError"])
def test_transaction_cancelled_conflicting(code: str) -> None:
    codes: list[Any] = ["None", code]
    assert TransactionCancelled(codes, [None, None]).conflicting
