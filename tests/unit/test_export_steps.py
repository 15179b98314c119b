"""An export's steps (cairn.platform.service.exports) against the shared moto: part after part into one S3
object that holds every record of every project, as JSON Lines."""

from __future__ import annotations

from typing import Any

import moto.s3.models
import pytest

from cairn.aws import clients
from cairn.aws.partition import NotLive
from cairn.core.settings import get_settings
from cairn.memory.service import transfer
from cairn.platform.domain.jsonl import PROJECT_HEADER, decode
from cairn.platform.service import exports
from cairn.platform.store import artifacts
from tests.http.helpers import create_project, logged, stored


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> int:
    """S3 parts of a few hundred bytes (moto then accepts them as S3 accepts 5 MiB ones)."""
    monkeypatch.setattr(moto.s3.models, "S3_UPLOAD_PART_MIN_SIZE", 256)
    return 300


def _artifact(key: str) -> list[dict[str, Any]]:
    body = clients.s3().get_object(Bucket=get_settings().bucket_name, Key=key)["Body"].read()
    return list(decode(body.splitlines()))


def _expected(tenant: str, *projects: str) -> list[dict[str, Any]]:
    """Each project's header, then its records (no sources: these projects have none)."""
    return [record for project in projects
            for record in [{"entity": PROJECT_HEADER, "projectId": project},
                           *(item for page in transfer.export_pages(tenant, project) for item in page)]]


def test_steps_write_every_project_part_by_part_into_one_object(agent: Any, small_parts: int) -> None:
    first, second = create_project(agent)["projectId"], create_project(agent)["projectId"]
    for tag in range(3):
        stored(agent, first, tag)
        logged(agent, second, tag)
    progress = exports.begin(agent.tenant, {"jobId": "job-1", "projectIds": [first, second]})
    key = progress["key"]
    steps = 0
    while not progress["done"]:
        progress = exports.step(progress, part_bytes=small_parts, page_items=2)
        steps += 1

    assert steps > 2  # it went part by part
    assert progress["part"] == steps + 1
    assert _artifact(key) == _expected(agent.tenant, first, second)
    assert key in artifacts.download_url(key, 600)


def test_a_project_that_is_not_the_tenants_stops_the_export_and_the_upload_can_be_aborted(
        agent: Any, tenant: str) -> None:
    project = create_project(agent)["projectId"]
    progress = exports.begin(tenant, {"jobId": "job-2", "projectIds": [project]})
    key = progress["key"]

    with pytest.raises(NotLive):
        exports.step(progress)
    artifacts.abort(key, progress["uploadId"])

    listed = clients.s3().list_objects_v2(Bucket=get_settings().bucket_name, Prefix=key)
    assert listed.get("KeyCount", 0) == 0
