"""One cheap call to each resource, answering whether it works for this function.

The table is probed with an eventually consistent GetItem of a key no item has (one half read unit, and the read
path the routes use); the bucket with HeadBucket (s3:ListBucket). Neither writes anything."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from cairn.aws import clients
from cairn.aws.table import table
from cairn.core.observability import logger
from cairn.core.settings import get_settings

_PROBE_PK = "HEALTH#PROBE"


def table_answers() -> bool:
    try:
        table().get(_PROBE_PK, _PROBE_PK, consistent=False)
    except (BotoCoreError, ClientError) as error:
        logger().warning("health: the table does not answer", error=type(error).__name__)
        return False
    return True


def bucket_answers() -> bool:
    try:
        clients.s3().head_bucket(Bucket=get_settings().bucket_name)
    except (BotoCoreError, ClientError) as error:
        logger().warning("health: the bucket does not answer", error=type(error).__name__)
        return False
    return True


def state_machines_answer() -> dict[str, bool]:
    """DescribeStateMachine of each state machine the settings name (one call each)."""
    sfn = clients.stepfunctions()
    answers = {}
    for name, arn in _state_machines().items():
        try:
            sfn.describe_state_machine(stateMachineArn=arn)
        except (BotoCoreError, ClientError) as error:
            logger().warning("health: a state machine does not answer", stateMachine=name,
                             error=type(error).__name__)
            answers[name] = False
        else:
            answers[name] = True
    return answers


def bus_answers() -> bool | None:
    """DescribeEventBus of Cairn's bus (one call); None where no bus is configured."""
    bus = get_settings().event_bus_name
    if not bus:
        return None
    try:
        clients.client("events").describe_event_bus(Name=bus)
    except (BotoCoreError, ClientError) as error:
        logger().warning("health: the event bus does not answer", error=type(error).__name__)
        return False
    return True


def _state_machines() -> dict[str, str]:
    """``{"sourceSyncStateMachine": arn, ...}`` from every ``*_state_machine_arn`` setting (an export or import
    machine added to the settings is probed too)."""
    settings = get_settings().model_dump()
    return {_camel(name.removesuffix("_arn")): str(arn) for name, arn in sorted(settings.items())
            if name.endswith("_state_machine_arn") and arn}


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)
