"""The sample events of the sync's functions (events/integrations.json, events/source_dispatcher.json) through
their real Lambda handlers: a signed GitHub delivery as API Gateway passes it, and the schedule's event."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from cairn.sources.service.sync_webhook import signature_of
from cairn.sources.store import connections
from cairn_local import ROOT, handlers

pytestmark = pytest.mark.fresh_table  # the due index spans tenants: no other test's sources in it

EVENTS = ROOT / "events"
SECRET = "whsec-events-0123456789"


def _load(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))


def test_the_dispatcher_event_starts_nothing_when_nothing_is_due(aws: dict[str, str]) -> None:
    assert handlers.invoke("SourceDispatcherFunction", _load("source_dispatcher")) == {"started": [], "skipped": []}


def test_the_webhook_event_is_verified_on_its_raw_body(aws: dict[str, str], tenant: str) -> None:
    from cairn.sources.service.sync_webhook_store import hook_id_of

    connections.put(tenant, "github", {"token": "ghp", "baseUrl": "https://api.github.com", "webhookSecret": SECRET},
                    {"baseUrl": "https://api.github.com"})
    hook = hook_id_of(tenant)
    assert hook is not None
    event = _load("integrations")
    event["rawQueryString"] = f"hook={hook}"
    event["queryStringParameters"] = {"hook": hook}

    unsigned = handlers.invoke("IntegrationsFunction", event)
    event["headers"]["x-hub-signature-256"] = signature_of(SECRET, event["body"].encode())
    signed = handlers.invoke("IntegrationsFunction", event)

    assert unsigned["statusCode"] == 401
    assert signed["statusCode"] == 200, signed["body"]
    assert json.loads(signed["body"]) == {"delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958", "duplicate": False,
                                          "started": []}  # the tenant has no source of acme/api
