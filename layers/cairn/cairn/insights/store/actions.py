"""Executed intelligence actions, recorded in the tenant's ``T#{t}#ACTIONS`` partition.

Only an action the remote side carried out is recorded, after it succeeded; a failed action leaves
nothing. The record holds what was asked (``params``: user input, never credentials), what the
remote answered (``result``), who asked (the token's subject) and when.
"""

from __future__ import annotations

from typing import Any

from cairn.aws.keys import escape
from cairn.aws.table import table
from cairn.core import ids
from cairn.core.clock import utc_now
from cairn.insights.store.entities import EXECUTED_ACTION


def actions_pk(tenant: str) -> str:
    """Intelligence actions a tenant executed (an audit trail), newest last."""
    return f"T#{escape(tenant)}#ACTIONS"


def action_sk(executed_at: str, action_id: str) -> str:
    return f"{executed_at}#{escape(action_id)}"


def record(tenant: str, subject: str, action: str, params: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    executed_at = utc_now()
    action_id = ids.new_id("act")
    item = {
        "PK": actions_pk(tenant),
        "SK": action_sk(executed_at, action_id),
        "entity": EXECUTED_ACTION.name,
        "actionId": action_id,
        "action": action,
        "params": params,
        "result": result,
        "subject": subject,
        "executedAt": executed_at,
    }
    table().put(item, condition="attribute_not_exists(PK)")
    return EXECUTED_ACTION.to_wire(item)


def recent(tenant: str, limit: int = 50) -> list[dict[str, Any]]:
    """The tenant's executed actions, newest first."""
    items = table().query_all(actions_pk(tenant), limit=limit, forward=False)
    return [EXECUTED_ACTION.to_wire(item) for item in items]
