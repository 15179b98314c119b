"""Source items: one per source in the tenant's ``T#{t}#SOURCES`` partition (docs/sources.md, "Storage").

The item holds the spec's fields and the sync state (``state``, ``runId``, ``lastError``, ``itemsSynced``,
``lastRunStartedAt``). ``incarnation`` is a random id replaced whenever the source's records are removed
(delete, or a change of project, type or target): a sync that stored records for an older incarnation
removes them again (``records.store``). An enabled source carries the sparse due-index keys (GSI1
``SOURCES#DUE`` / ``{nextSyncAt}#{t}#{sourceId}``), which the dispatcher queries across tenants.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from cairn.aws.entity import update_expression
from cairn.aws.outbox import outbox_operation
from cairn.aws.table import ConditionFailed, TransactionCancelled, table
from cairn.core import clock
from cairn.core.errors import Conflict, NotFound
from cairn.sources.domain.sources import FAILED, IDLE, RUNNING, interval_minutes
from cairn.sources.store import keys
from cairn.sources.store.entities import SOURCE

# A run that has not finished this long after it started is taken as lost (its Lambda died before the
# state machine's Catch could record it): a new run may start.
STALE_RUN = timedelta(hours=1)
_SOURCE_EXISTS = "attribute_exists(PK)"


class SourceGone(NotFound):
    """The source was deleted, or its records were reset, or another run took over: the run stops."""

    code = "source_gone"


def _not_found(source_id: str) -> NotFound:
    return NotFound(f"source '{source_id}' not found", field="id")


def to_wire(item: dict[str, Any]) -> dict[str, Any]:
    return SOURCE.to_wire(item)


def due_keys(item: dict[str, Any], moment: str | None = None) -> dict[str, Any]:
    """The due-index keys of an enabled source, due at ``moment`` (default: its interval after now)."""
    if moment is None:
        moment = clock.timestamp(clock.now() + timedelta(minutes=interval_minutes(item["config"])))
    return {"nextSyncAt": moment, "GSI1PK": keys.DUE_PK,
            "GSI1SK": keys.due_sk(moment, item["tenantId"], item["sourceId"])}


def new_source(tenant: str, source_id: str, project_id: str, source_type: str,
               config: dict[str, Any]) -> dict[str, Any]:
    now = clock.utc_now()
    item: dict[str, Any] = {
        "PK": keys.sources_pk(tenant), "SK": keys.source_sk(source_id), "entity": SOURCE.name,
        "sourceId": source_id, "tenantId": tenant, "projectId": project_id, "sourceType": source_type,
        "config": config, "syncCursor": "", "lastSyncedAt": None, "enabled": True, "createdAt": now,
        "updatedAt": now, "state": IDLE, "lastError": None, "itemsSynced": 0, "lastRunStartedAt": None,
        "incarnation": secrets.token_hex(8),
    }
    return {**item, **due_keys(item, now)}  # a new source is due at once


def create(item: dict[str, Any]) -> None:
    try:
        table().put(item, condition="attribute_not_exists(PK)")
    except ConditionFailed:
        raise Conflict(f"source '{item['sourceId']}' already exists", field="sourceId") from None


def get(tenant: str, source_id: str) -> dict[str, Any]:
    item = table().get(keys.sources_pk(tenant), keys.source_sk(source_id))
    if item is None:
        raise _not_found(source_id)
    return item


def list_all(tenant: str) -> list[dict[str, Any]]:
    return list(table().query_all(keys.sources_pk(tenant)))


def replace(previous: dict[str, Any], changes: dict[str, Any], *, reset: bool) -> dict[str, Any]:
    """Applies ``changes`` to the source as read (its ``updatedAt`` must not have moved since, else 409).
    With ``reset`` the cursor, counts and run are cleared and the incarnation replaced (its records are
    then removed by the caller). Enabling puts the source on the due index, disabling takes it off."""
    assignments: dict[str, Any] = {**changes, "updatedAt": clock.utc_now()}
    remove: tuple[str, ...] = ()
    if reset:
        assignments.update(syncCursor="", itemsSynced=0, state=IDLE, incarnation=secrets.token_hex(8))
        remove = ("runId", "runWatermark", "resumePage", "lastSyncedAt", "lastError")
    merged = {**previous, **assignments}
    if merged["enabled"]:
        due = merged.get("nextSyncAt") if not reset and previous["enabled"] else None
        assignments.update(due_keys(merged, due or clock.utc_now()))
    else:
        remove += ("GSI1PK", "GSI1SK", "nextSyncAt")
    update, names, values = update_expression(assignments, remove=remove)
    names["#updatedAt"] = "updatedAt"
    values[":seen"] = previous["updatedAt"]
    try:
        return table().update(previous["PK"], previous["SK"], update, condition="#updatedAt = :seen",
                              names=names, values=values)
    except ConditionFailed as failed:
        if failed.item is None:
            raise _not_found(previous["sourceId"]) from None
        raise Conflict(f"source '{previous['sourceId']}' changed meanwhile: read it and try again",
                       field="id") from None


def delete(tenant: str, source_id: str) -> dict[str, Any]:
    """Deletes the source item and answers it as it was (its records are removed by the caller)."""
    try:
        return table().delete_returning(keys.sources_pk(tenant), keys.source_sk(source_id),
                                        condition=_SOURCE_EXISTS)
    except ConditionFailed:
        raise _not_found(source_id) from None


# --- the sync's state transitions (docs/sources.md, "Sync protocol") -------------------------------------------


def begin_run(tenant: str, source_id: str, run_id: str) -> dict[str, Any]:
    """Marks a run started: the source must exist, be enabled and not run already (unless that run is stale).
    Answers the source as updated; ``Conflict`` (with the item as read on ``conflicting``) otherwise."""
    now = clock.now()
    stale = clock.timestamp(now - STALE_RUN)
    # A run paused by its page budget left ``resumePage`` and ``runWatermark``: the next run goes on from them.
    update, names, values = update_expression(
        {"state": RUNNING, "runId": run_id, "lastRunStartedAt": clock.timestamp(now), "itemsSynced": 0},
        initial={"runWatermark": ""}, remove=("lastError",))  # a None value would not be marshalled: REMOVE it
    names.update({"#state": "state", "#enabled": "enabled", "#started": "lastRunStartedAt"})
    values.update({":running": RUNNING, ":on": True, ":stale": stale})
    condition = f"{_SOURCE_EXISTS} AND #enabled = :on AND (#state <> :running OR #started < :stale)"
    try:
        return table().update(keys.sources_pk(tenant), keys.source_sk(source_id), update, condition=condition,
                              names=names, values=values)
    except ConditionFailed as failed:
        if failed.item is None:
            raise _not_found(source_id) from None
        raise RunRefused(failed.item) from None


class RunRefused(Conflict):
    """``begin_run`` refused: the source is disabled or runs already (``item`` says which)."""

    def __init__(self, item: dict[str, Any]) -> None:
        running = item.get("state") == RUNNING
        super().__init__(f"source '{item['sourceId']}' " + ("is syncing already" if running else "is disabled"),
                         field="id")
        self.item = item
        self.running = running


def _run_update(tenant: str, source_id: str, run_id: str, assignments: dict[str, Any], *,
                add: dict[str, int] | None = None, remove: tuple[str, ...] = (),
                topic: str | None = None) -> dict[str, Any]:
    """The run's update; with ``topic``, that event is written in the same transaction (then the source is
    read back: a transaction returns no new image)."""
    update, names, values = update_expression(assignments, remove=remove)
    for index, (name, amount) in enumerate((add or {}).items()):
        names[f"#add{index}"], values[f":add{index}"] = name, amount
        update += (" ADD " if index == 0 else ", ") + f"#add{index} :add{index}"
    names["#runId"] = "runId"
    values[":run"] = run_id
    pk, sk, condition = keys.sources_pk(tenant), keys.source_sk(source_id), f"{_SOURCE_EXISTS} AND #runId = :run"
    gone = SourceGone(f"source '{source_id}' was deleted or reset during run {run_id}", field="id")
    if topic is None:
        try:
            return table().update(pk, sk, update, condition=condition, names=names, values=values)
        except ConditionFailed:
            raise gone from None
    db = table()
    try:
        db.transact([db.update_op(pk, sk, update, condition=condition, names=names, values=values),
                     outbox_operation(tenant, topic, {"sourceId": source_id, "runId": run_id})])
    except TransactionCancelled as cancelled:
        if cancelled.failed(0):
            raise gone from None
        raise
    return get(tenant, source_id)


def commit_page(tenant: str, source_id: str, run_id: str, *, stored: int, watermark: str) -> dict[str, Any]:
    """After a page's records are stored (``records.store``): counts them and keeps the run's newest
    watermark so far (the caller compares with the provider's ``newer``). ``SourceGone`` if the run is over."""
    return _run_update(tenant, source_id, run_id, {"runWatermark": watermark}, add={"itemsSynced": stored})


def finish_run(tenant: str, source_id: str, run_id: str, cursor: str) -> dict[str, Any]:
    """The run read everything: ``syncCursor`` becomes ``cursor`` (kept when empty: nothing new),
    ``lastSyncedAt`` now, state idle, next due after the interval."""
    source = get(tenant, source_id)
    assignments: dict[str, Any] = {"state": IDLE, "lastSyncedAt": clock.utc_now()}
    if cursor:
        assignments["syncCursor"] = cursor
    if source.get("enabled"):
        assignments.update(due_keys(source))
    return _run_update(tenant, source_id, run_id, assignments,
                       remove=("runId", "runWatermark", "resumePage", "lastError"), topic="source.synced")


def pause_run(tenant: str, source_id: str, run_id: str, resume_page: str) -> dict[str, Any]:
    """The run spent its page budget before the provider's last page: the cursor stays, the run's paging token
    (``resumePage``) and newest position so far (``runWatermark``) are kept for the next run, which is due at
    once (the dispatcher's next tick) and goes on from them; state idle."""
    source = get(tenant, source_id)
    assignments: dict[str, Any] = {"state": IDLE, "resumePage": resume_page}
    if source.get("enabled"):
        assignments.update(due_keys(source, clock.utc_now()))
    return _run_update(tenant, source_id, run_id, assignments, remove=("runId",))


def fail_run(tenant: str, source_id: str, run_id: str, last_error: str) -> dict[str, Any]:
    """The run failed: state failed with ``lastError``; the cursor stays (the next run resumes from it)."""
    source = get(tenant, source_id)
    assignments: dict[str, Any] = {"state": FAILED, "lastError": last_error[:1000]}
    if source.get("enabled"):
        assignments.update(due_keys(source))
    # A paging token may be what failed (expired): the next run starts over from the cursor.
    return _run_update(tenant, source_id, run_id, assignments, remove=("runId", "runWatermark", "resumePage"),
                       topic="source.failed")


def cancel_run(tenant: str, source_id: str, run_id: str) -> dict[str, Any]:
    """The run's execution was stopped (cancelled): state idle, the committed cursor kept, the run's paging
    token and watermark dropped (the next run reads from the cursor), next due after the interval."""
    source = get(tenant, source_id)
    assignments: dict[str, Any] = {"state": IDLE}
    if source.get("enabled"):
        assignments.update(due_keys(source))
    return _run_update(tenant, source_id, run_id, assignments, remove=("runId", "runWatermark", "resumePage"))


def due(now: str, limit: int) -> list[dict[str, Any]]:
    """Enabled sources of every tenant due at ``now``, earliest first: one Query of the due index."""
    return list(table().query_all(keys.DUE_PK, index="GSI1", sk_between=("0", f"{now}$"), limit=limit))
