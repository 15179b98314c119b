"""One cheap call to each storage resource, answering whether it works for this function.

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
