"""Single-use credentials in the table, stored as SHA-256 digests only (docs/task-engine.md, "Credentials").

- The current request key of an installation's principal: one item; issuing replaces it, using it swaps it for
  the next one in one conditional UpdateItem (presented digest, unexpired), so of concurrent users of one key
  exactly one wins and every later use of it fails.
- A launch code: one item keyed by the code's digest (the exchange presents the code alone, so its key cannot
  start with the installation; only who holds the code can build it). Exchanging marks it used in one conditional
  UpdateItem (unused, unexpired, same project and task). ``expiresAt`` is the table's TTL attribute: DynamoDB
  deletes both kinds after their expiry, and the conditions refuse them before that.
"""

from __future__ import annotations

from typing import Any

from cairn.aws.entity import Entity, declare
from cairn.aws.keys import escape
from cairn.aws.table import ConditionFailed, table

REQUEST_KEY_SK = "JIRAKEY"
LAUNCH_CODE_SK = "LAUNCH"
REQUEST_KEY = declare(Entity("jira request key", pk="T#{t}#JIRAKEY#{principal}", sk=REQUEST_KEY_SK))
LAUNCH_CODE = declare(Entity("launch code", pk="LAUNCH#{sha256}", sk=LAUNCH_CODE_SK))


def request_key_pk(installation: str, principal: str) -> str:
    return f"T#{escape(installation)}#JIRAKEY#{escape(principal)}"


def launch_code_pk(code_digest: str) -> str:
    return f"LAUNCH#{code_digest}"


def put_request_key(installation: str, principal: str, key_digest: str, expires_at: int) -> None:
    table().put({"PK": request_key_pk(installation, principal), "SK": REQUEST_KEY_SK, "entity": REQUEST_KEY.name,
                 "keyDigest": key_digest, "expiresAt": expires_at})


def rotate_request_key(installation: str, principal: str, presented_digest: str, now: int, next_digest: str,
                       next_expires_at: int) -> bool:
    """Replaces the current key by the next one if ``presented_digest`` is the current, unexpired key."""
    try:
        table().update(request_key_pk(installation, principal), REQUEST_KEY_SK, "SET #k = :next, #e = :expires",
                       condition="#k = :presented AND #e > :now", names={"#k": "keyDigest", "#e": "expiresAt"},
                       values={":next": next_digest, ":expires": next_expires_at, ":presented": presented_digest,
                               ":now": now})
    except ConditionFailed:
        return False
    return True


def put_launch_code(code_digest: str, binding: dict[str, Any], expires_at: int,
                    context: dict[str, Any] | None = None) -> None:
    """The code, and the task's context item when given, in one transaction: both or neither."""
    code = {"PK": launch_code_pk(code_digest), "SK": LAUNCH_CODE_SK, "entity": LAUNCH_CODE.name, **binding,
            "expiresAt": expires_at}
    operations = [table().put_op(code, "attribute_not_exists(PK)")]
    if context is not None:
        operations.append(table().put_op(context))
    table().transact(operations)


def use_launch_code(code_digest: str, project_id: str, task_id: str, now: int) -> tuple[dict[str, Any] | None, bool]:
    """(the code's item, whether this call used it): used only if unused, unexpired and bound to ``project_id``
    and ``task_id``; the item is None when no such code exists."""
    try:
        item = table().update(
            launch_code_pk(code_digest), LAUNCH_CODE_SK, "SET #u = :now",
            condition="attribute_exists(PK) AND attribute_not_exists(#u) AND #e > :now AND #p = :p AND #t = :t",
            names={"#u": "usedAt", "#e": "expiresAt", "#p": "projectId", "#t": "taskId"},
            values={":now": now, ":p": project_id, ":t": task_id})
    except ConditionFailed as refused:
        return refused.item, False
    return item, True
