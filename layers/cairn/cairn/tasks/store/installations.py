"""The installation item: the tenant of all task-engine data (a Forge app installation), its credits and what
the Jira App reported about it. Debits and refunds are single conditional updates of its ``credits``."""

from __future__ import annotations

from typing import Any

from cairn.aws.entity import Entity, declare, update_expression
from cairn.aws.keys import escape
from cairn.aws.table import ConditionFailed, table

INSTALLATION_SK = "INSTALLATION"
INSTALLATION = declare(Entity("installation", pk="T#{t}#INSTALLATION", sk=INSTALLATION_SK))


def installation_pk(installation: str) -> str:
    return f"T#{escape(installation)}#INSTALLATION"


def register(installation: str, fields: dict[str, Any], *, credits: int, now: str) -> dict[str, Any]:
    """Creates the installation with ``credits`` on its first call (kept thereafter) and sets ``fields``; one
    UpdateItem, so two first calls racing grant the credits once. Returns the item."""
    expression, names, values = update_expression(
        {**fields, "updatedAt": now},
        initial={"entity": INSTALLATION.name, "credits": credits, "createdAt": now})
    return table().update(installation_pk(installation), INSTALLATION_SK, expression, names=names, values=values)


def get(installation: str) -> dict[str, Any] | None:
    return table().get(installation_pk(installation), INSTALLATION_SK)


def update(installation: str, fields: dict[str, Any]) -> dict[str, Any] | None:
    """Sets ``fields`` on a registered installation; None when it is not registered."""
    expression, names, values = update_expression(fields)
    try:
        return table().update(installation_pk(installation), INSTALLATION_SK, expression,
                              condition="attribute_exists(PK)", names=names, values=values)
    except ConditionFailed:
        return None


def debit(installation: str, credits: int) -> bool:
    """Takes ``credits`` if the installation has them; False (nothing taken) otherwise."""
    try:
        table().update(installation_pk(installation), INSTALLATION_SK, "SET #c = #c - :n",
                       condition="attribute_exists(PK) AND #c >= :n", names={"#c": "credits"}, values={":n": credits})
    except ConditionFailed:
        return False
    return True


def credit(installation: str, credits: int) -> None:
    """Gives ``credits`` back to a registered installation."""
    table().update(installation_pk(installation), INSTALLATION_SK, "SET #c = #c + :n",
                   condition="attribute_exists(PK)", names={"#c": "credits"}, values={":n": credits})
