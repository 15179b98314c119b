"""Response size: list responses end early rather than exceed Lambda's 6 MB payload limit."""

from __future__ import annotations

import json

from cairn.http.payload import RESPONSE_ITEMS_BUDGET_BYTES, fitting, response_cost


def test_the_cost_is_the_body_encoded_twice_as_utf8():
    item = {"text": 'say "hi" \\ 😀'}
    body = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
    lambda_payload = json.dumps(body, ensure_ascii=False).encode("utf-8")

    assert response_cost(item) == len(lambda_payload)
    assert response_cost({"text": "😀"}) > len("😀".encode())  # 4 bytes, plus the JSON around it


def test_items_are_kept_in_order_until_the_next_would_not_fit():
    items = [{"n": n, "text": "x" * 90} for n in range(10)]
    each = response_cost(items[0])

    assert fitting(items, budget=each * 3) == items[:3]
    assert fitting(items, budget=each * 3 - 1) == items[:2]
    assert fitting(items, budget=each * 100) == items
    assert fitting([], budget=1) == []


def test_the_first_item_always_comes_even_over_the_budget():
    assert fitting([{"text": "x" * 100}, {"text": "y"}], budget=10) == [{"text": "x" * 100}]


def test_the_budget_leaves_room_under_lambdas_limit():
    assert RESPONSE_ITEMS_BUDGET_BYTES <= 6_291_456 - 1_000_000
