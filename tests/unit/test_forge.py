"""Forge token verification (cairn.integrations.forge) against a local Forge: what a token must carry, and how
often an unknown kid may refetch the JWKS."""

from __future__ import annotations

import pytest

from cairn.core.errors import Unauthenticated
from cairn.integrations import forge as verifier


@pytest.fixture
def local(forge):
    return forge


def test_the_claims_name_the_installation_and_the_principal(local):
    claims = verifier.verify(local.token("inst-1", cloud_id="cloud-9", principal="557058:abc"))
    assert (claims.installation_id, claims.cloud_id, claims.principal) == ("inst-1", "cloud-9", "557058:abc")
    assert claims.license_active is True
    assert claims.environment == "DEVELOPMENT"


def test_an_app_invocation_without_a_user_is_the_app_principal(local):
    assert verifier.verify(local.token("inst-1", principal=None)).principal == "app"


def test_an_unknown_kid_refetches_again_only_after_the_interval(local, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(verifier.time, "monotonic", lambda: now[0])
    verifier.verify(local.token("inst-1"))
    fetched = local.fetches
    unknown = local.rotate(publish=False)
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            verifier.verify(local.token("inst-1", kid=unknown))
    assert local.fetches == fetched + 1
    now[0] += verifier.REFRESH_SECONDS - 1
    with pytest.raises(Unauthenticated):
        verifier.verify(local.token("inst-1", kid=unknown))
    assert local.fetches == fetched + 1
    local.publish(unknown)
    now[0] += 1
    assert verifier.verify(local.token("inst-1", kid=unknown)).installation_id == "inst-1"
    assert local.fetches == fetched + 2


def test_keys_older_than_an_hour_are_fetched_again(local, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(verifier.time, "monotonic", lambda: now[0])
    verifier.verify(local.token("inst-1"))
    fetched = local.fetches
    now[0] += verifier.MAX_AGE_SECONDS + 1
    verifier.verify(local.token("inst-1"))
    assert local.fetches == fetched + 1
