"""events/job_worker.json (a step of the export and import state machines) and events/import_starter.json (the
bucket's Object Created event) through the real handlers."""

from __future__ import annotations

import copy
import json
from typing import Any

from cairn.platform.service import jobs
from cairn.platform.store import artifacts
from cairn_local import ROOT, handlers
from tests.http.helpers import create_project, stored


def _sample(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((ROOT / "events" / f"{name}.json").read_text()))


def test_the_worker_runs_an_export_step_by_step_to_its_artifact(agent: Any) -> None:
    project = create_project(agent)["projectId"]
    stored(agent, project, 1)
    job = jobs.queue(agent.tenant, "export", [project], start=False)
    event = {**_sample("job_worker"), "tenantId": agent.tenant, "jobId": job["id"], "execution": None}

    state = handlers.invoke("JobWorkerFunction", event)
    settled = handlers.invoke("JobWorkerFunction", {**state, "step": "settle"})

    assert (state["done"], settled["settled"]) == (True, True)
    done = jobs.get(agent.tenant, job["id"])
    assert (done["status"], done["retryCount"]) == ("succeeded", 0)
    body, _ = artifacts.read_range(artifacts.artifact_key(agent.tenant, job["id"]), 0, 1 << 20)
    assert json.loads(body.splitlines()[0]) == {"entity": "project-export", "projectId": project}


def test_the_starter_starts_only_an_import_waiting_for_that_upload(agent: Any) -> None:
    sample = _sample("import_starter")
    job = jobs.queue(agent.tenant, "import", ["p-new"], start=False, projectIdMap={"p-old": "p-new"},
                     sourceKey=artifacts.upload_key(agent.tenant, "import-pending"), job_id="import-pending")
    sample["detail"]["object"]["key"] = artifacts.upload_key(agent.tenant, job["id"])

    assert handlers.invoke("ImportStarterFunction", _sample("import_starter")) == {"started": False}
    assert handlers.invoke("ImportStarterFunction", sample) == {"started": True}
    assert handlers.invoke("ImportStarterFunction", sample) == {"started": False}  # a second event: nothing
    assert jobs.get(agent.tenant, job["id"])["status"] in ("queued", "running", "failed")
