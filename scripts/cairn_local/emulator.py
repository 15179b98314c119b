"""moto as Cairn's embedded AWS: resources created from template.yaml, state machines executed by
moto's ASL interpreter, and their Lambda tasks dispatched in-process to the real handlers.

This module reaches into moto internals; moto's version is pinned in requirements-dev.txt.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from typing import Any

from cairn_local import handlers, template
from cairn_local.resolve import ACCOUNT, REGION, LocalNames, function_name_from_arn
from cairn_local.tokens import local_jwt_environment

log = logging.getLogger("cairn.local")
MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
_DYNAMODB_LOCK = threading.RLock()
_patched = False


def aws_environment() -> dict[str, str]:
    """Credentials and region for an emulator (never real ones)."""
    return {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}


def use_emulator_environment(jwt_secret: str) -> None:
    """This process talks to an embedded emulator only: emulator credentials (never real ones, and no
    inherited ``AWS_ENDPOINT_URL*``), the local JWT settings with ``jwt_secret``, quiet Powertools and
    no tracing. Call it before cairn reads its settings."""
    for variable in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
        del os.environ[variable]
    os.environ.update(aws_environment())
    os.environ["CAIRN_JWT_SECRET"] = jwt_secret
    os.environ.update(local_jwt_environment())
    os.environ.update({"POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING",
                       "POWERTOOLS_METRICS_NAMESPACE": "Cairn", "POWERTOOLS_SERVICE_NAME": "cairn"})


def reset_cairn_caches() -> None:
    """Settings and AWS clients are cached per process: drop them after the environment changed."""
    from cairn.settings import get_settings
    from cairn.store import clients

    get_settings.cache_clear()
    clients.reset()


def _invoke_handler(self: Any, function_name: str, qualifier: str | None, body: Any, headers: Any,
                    response_headers: Any) -> bytes:
    """Replaces moto's simple Lambda: runs the template function's real handler, reporting errors
    the way Lambda does so that Retry and Catch in the state machine behave as in AWS."""
    logical_id = function_name_from_arn(function_name)
    event = json.loads(body) if body else {}
    try:
        result = handlers.invoke(logical_id, event)
    except Exception as error:
        log.exception("local lambda %s failed", logical_id)
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps({"errorType": type(error).__name__, "errorMessage": str(error)}).encode()
    return json.dumps(result).encode()


def install_patches() -> None:
    """In-process Lambda dispatch, and serialized DynamoDB requests.

    moto applies a transaction's conditions and writes without a lock, so concurrent requests
    could both pass a condition; DynamoDB itself serializes them. One lock restores that.
    """
    global _patched
    if _patched:
        return
    from moto.awslambda_simple.models import LambdaSimpleBackend
    from moto.core.config import default_user_config
    from moto.dynamodb.responses import DynamoHandler

    for section, values in MOTO_CONFIG.items():
        default_user_config.setdefault(section, {}).update(values)
    LambdaSimpleBackend.invoke = _invoke_handler
    unlocked = DynamoHandler.call_action

    def call_action(self: Any) -> Any:
        with _DYNAMODB_LOCK:
            return unlocked(self)

    DynamoHandler.call_action = call_action
    _patched = True


def provision(names: LocalNames) -> dict[str, str]:
    """Creates (if missing) the table, bucket and state machines; returns the functions' environment:
    the template's, resolved to these resources, with local HS256 tokens instead of a JWKS issuer."""
    import boto3

    dynamodb = boto3.client("dynamodb", region_name=REGION)
    _, table_arguments = template.table_definition()
    existing = dynamodb.list_tables()["TableNames"]
    if names.table not in existing:
        dynamodb.create_table(TableName=names.table, **table_arguments)
        dynamodb.get_waiter("table_exists").wait(TableName=names.table)
        ttl = template.ttl_attribute()
        if ttl:
            dynamodb.update_time_to_live(TableName=names.table,
                                         TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl})
    s3 = boto3.client("s3", region_name=REGION)
    if names.bucket not in {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket=names.bucket)

    environment = {**names.environment(), **local_jwt_environment()}
    sfn = boto3.client("stepfunctions", region_name=REGION)
    existing_machines = {machine["name"]: machine["stateMachineArn"]
                         for machine in sfn.list_state_machines()["stateMachines"]}
    for machine in template.state_machines():
        name = str(names.value(machine.name))
        definition = machine.definition
        for key, node in machine.substitutions.items():
            definition = definition.replace(f"${{{key}}}", str(names.value(node)))
        arn = existing_machines.get(name)
        if arn is None:
            arn = sfn.create_state_machine(
                name=name, definition=definition, roleArn=f"arn:aws:iam::{ACCOUNT}:role/cairn-local"
            )["stateMachineArn"]
        else:
            sfn.update_state_machine(stateMachineArn=arn, definition=definition)
        for variable, value in environment.items():
            if value.endswith(f":stateMachine:{name}"):
                environment[variable] = arn
    return environment
