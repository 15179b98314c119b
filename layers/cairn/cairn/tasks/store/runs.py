"""Task runs in the table and S3: the run item (status document, binding, credits; in the installation's usage
index once started), its uploads, output, log and result zip under one S3 prefix, and presigned URLs to them."""

from __future__ import annotations

from typing import Any

from cairn.aws import clients, outbox
from cairn.aws.entity import Entity, declare, update_expression
from cairn.aws.keys import escape
from cairn.aws.table import ConditionFailed, TransactionCancelled, table
from cairn.core.settings import get_settings
from cairn.tasks.domain.runs import RunStatus
from cairn.tasks.store.installations import INSTALLATION_SK, installation_pk

RUN_SK = "RUN"
RUN = declare(Entity("task run", pk="T#{t}#RUN#{runId}", sk=RUN_SK,
                     wire=("status", "updatedAt", "error", "resultZipUrl"), always=("status", "updatedAt")))
OUTPUT_NAME = "output.md"
LOG_NAME = "run.log"
ZIP_NAME = "result.zip"


def run_pk(installation: str, run_id: str) -> str:
    return f"T#{escape(installation)}#RUN#{escape(run_id)}"


def usage_pk(installation: str) -> str:
    return f"T#{escape(installation)}#USAGE"


def prefix(installation: str, run_id: str) -> str:
    """The run's S3 prefix; ``/`` is escaped in both parts, so no run's prefix starts another's."""
    return f"tenants/{escape(installation).replace('/', '%2F')}/runs/{escape(run_id).replace('/', '%2F')}/"


def input_key(installation: str, run_id: str, name: str) -> str:
    return f"{prefix(installation, run_id)}inputs/{name}"


def artifact_key(installation: str, run_id: str, name: str) -> str:
    return f"{prefix(installation, run_id)}{name}"


# --- the run item ------------------------------------------------------------------------------------------------


def create(installation: str, run: dict[str, Any]) -> None:
    table().put({"PK": run_pk(installation, run["runId"]), "SK": RUN_SK, "entity": RUN.name, **run},
                condition="attribute_not_exists(PK)")


def get(installation: str, run_id: str) -> dict[str, Any] | None:
    return table().get(run_pk(installation, run_id), RUN_SK)


class StartRefused(Exception):
    """A start whose transaction was cancelled: the run was started already, or the credits do not cover it."""

    def __init__(self, *, already_started: bool) -> None:
        super().__init__("already started" if already_started else "insufficient credits")
        self.already_started = already_started


def start(installation: str, run_id: str, fields: dict[str, Any], *, credits: int, usage_sort_key: str) -> None:
    """``created`` -> ``queued`` with ``fields`` and the installation's debit of ``credits``, in one transaction:
    both or neither. Of concurrent starts one wins; a run started already, or credits that do not cover the run,
    cancel it (StartRefused says which). The started run enters the installation's usage index."""
    db = table()
    expression, names, values = update_expression(
        {**fields, "status": RunStatus.QUEUED.value, "GSI1PK": usage_pk(installation), "GSI1SK": usage_sort_key})
    names["#state"] = "status"
    values[":created"] = RunStatus.CREATED.value
    try:
        db.transact([
            db.update_op(run_pk(installation, run_id), RUN_SK, expression, condition="#state = :created",
                         names=names, values=values),
            db.update_op(installation_pk(installation), INSTALLATION_SK, "SET #c = #c - :n",
                         condition="attribute_exists(PK) AND #c >= :n", names={"#c": "credits"},
                         values={":n": credits}),
        ])
    except TransactionCancelled as cancelled:
        if cancelled.failed(0):
            raise StartRefused(already_started=True) from cancelled
        if cancelled.failed(1):
            raise StartRefused(already_started=False) from cancelled
        raise


def restart(installation: str, run_id: str, updated_at: str, *, debit: int) -> bool:
    """``failed`` -> ``queued`` (its error, refund mark and attempt count cleared) and, when ``debit`` > 0, the
    installation debited that many credits (``credits >= :n``), in one transaction: both or neither. StartRefused
    when the credits do not cover it; False when the run is not failed (nothing written)."""
    db = table()
    operations = [db.update_op(run_pk(installation, run_id), RUN_SK,
                               "SET #state = :queued, updatedAt = :now REMOVE #error, refunded, attempts",
                               condition="#state = :failed", names={"#state": "status", "#error": "error"},
                               values={":queued": RunStatus.QUEUED.value, ":failed": RunStatus.FAILED.value,
                                       ":now": updated_at})]
    if debit:
        operations.append(db.update_op(installation_pk(installation), INSTALLATION_SK, "SET #c = #c - :n",
                                       condition="attribute_exists(PK) AND #c >= :n", names={"#c": "credits"},
                                       values={":n": debit}))
    try:
        db.transact(operations)
    except TransactionCancelled as cancelled:
        if cancelled.failed(0):
            return False
        if cancelled.failed(1):
            raise StartRefused(already_started=False) from cancelled
        raise
    return True


def set_fields(installation: str, run_id: str, fields: dict[str, Any], *, unless_settled: bool = True,
               remove: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """Updates the run; a settled run is never changed again (None then)."""
    expression, names, values = update_expression(fields, remove=remove)
    condition = None
    if unless_settled:
        names["#settled"] = "status"
        values[":succeeded"], values[":failed"] = RunStatus.SUCCEEDED.value, RunStatus.FAILED.value
        condition = "#settled <> :succeeded AND #settled <> :failed"
    try:
        return table().update(run_pk(installation, run_id), RUN_SK, expression, condition=condition,
                              names=names, values=values)
    except ConditionFailed:
        return None


def advance(installation: str, run_id: str, status: RunStatus, updated_at: str, *,
            count_attempt: bool = False) -> dict[str, Any] | None:
    """Moves a run that is not settled to ``status`` (counting a model attempt when asked) and returns its new
    image, in one UpdateItem; None when the run is settled (or gone)."""
    expression, names, values = update_expression({"status": status.value, "updatedAt": updated_at})
    if count_attempt:
        expression += " ADD attempts :one"
        values[":one"] = 1
    names["#settled"] = "status"
    values[":succeeded"], values[":failed"] = RunStatus.SUCCEEDED.value, RunStatus.FAILED.value
    try:
        return table().update(run_pk(installation, run_id), RUN_SK, expression,
                              condition="attribute_exists(PK) AND #settled <> :succeeded AND #settled <> :failed",
                              names=names, values=values)
    except ConditionFailed:
        return None


def usage_page(installation: str, limit: int) -> list[dict[str, Any]]:
    """The installation's started runs, newest first: one Query of the usage index."""
    return table().query(usage_pk(installation), index="GSI1", forward=False, limit=limit).items


# --- S3 ------------------------------------------------------------------------------------------------------


def upload_url(key: str, expires_in: int) -> str:
    return str(clients.s3().generate_presigned_url(
        "put_object", Params={"Bucket": get_settings().bucket_name, "Key": key}, ExpiresIn=expires_in))


def download_url(key: str, expires_in: int) -> str:
    return str(clients.s3().generate_presigned_url(
        "get_object", Params={"Bucket": get_settings().bucket_name, "Key": key}, ExpiresIn=expires_in))


def object_size(key: str) -> int | None:
    """The stored object's size, None when there is none."""
    s3 = clients.s3()
    try:
        return int(s3.head_object(Bucket=get_settings().bucket_name, Key=key)["ContentLength"])
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def read(key: str) -> bytes | None:
    s3 = clients.s3()
    try:
        body: bytes = s3.get_object(Bucket=get_settings().bucket_name, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    return body


def write(key: str, body: bytes, content_type: str) -> None:
    clients.s3().put_object(Bucket=get_settings().bucket_name, Key=key, Body=body, ContentType=content_type)


def settled_event(installation: str, run_id: str, status: RunStatus) -> dict[str, Any]:
    """The ``task.run.settled`` outbox item (docs/platform.md, "Events and webhooks"): the last operation of the
    transaction that settles the run, so the event exists exactly when the run settled."""
    return outbox.outbox_operation(installation, "task.run.settled", {"runId": run_id, "status": status.value})


def succeed(installation: str, run_id: str, fields: dict[str, Any], *, remove: tuple[str, ...] = ()) -> bool:
    """Settles a run not yet settled as ``succeeded`` with ``fields``, and its ``task.run.settled`` event, in one
    transaction. False (nothing written) when the run was settled already."""
    db = table()
    expression, names, values = update_expression({**fields, "status": RunStatus.SUCCEEDED.value}, remove=remove)
    names["#state"] = "status"
    values[":succeeded"], values[":failed"] = RunStatus.SUCCEEDED.value, RunStatus.FAILED.value
    return db.transact_guarded([
        db.update_op(run_pk(installation, run_id), RUN_SK, expression,
                     condition="attribute_exists(PK) AND #state <> :succeeded AND #state <> :failed",
                     names=names, values=values),
        settled_event(installation, run_id, RunStatus.SUCCEEDED)])


def fail(installation: str, run_id: str, fields: dict[str, Any], *, refund: int) -> bool:
    """Settles a run not yet settled as ``failed`` with ``fields`` and, when ``refund`` > 0, gives those credits
    back to the installation and marks the run ``refunded``, all in one transaction with its ``task.run.settled``
    event: a client that sees the run failed also sees its credits back. False (nothing written) when the run was
    settled already."""
    db = table()
    assignments = {**fields, "status": RunStatus.FAILED.value, **({"refunded": True} if refund else {})}
    expression, names, values = update_expression(assignments)
    names["#state"] = "status"
    values[":succeeded"], values[":failed"] = RunStatus.SUCCEEDED.value, RunStatus.FAILED.value
    operations = [db.update_op(run_pk(installation, run_id), RUN_SK, expression,
                               condition="attribute_exists(PK) AND #state <> :succeeded AND #state <> :failed "
                                         "AND attribute_not_exists(refunded)",
                               names=names, values=values)]
    if refund:
        operations.append(db.update_op(installation_pk(installation), INSTALLATION_SK, "SET #c = #c + :n",
                                       condition="attribute_exists(PK)", names={"#c": "credits"},
                                       values={":n": refund}))
    operations.append(settled_event(installation, run_id, RunStatus.FAILED))
    return db.transact_guarded(operations)
