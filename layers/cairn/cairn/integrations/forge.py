"""Forge invocation tokens (docs/task-engine.md, "Forge tokens"): RS256 JWTs that Atlassian signs for a Forge
app's backend calls. Verified against the keys at ``CAIRN_FORGE_JWKS_URL`` with the algorithm pinned, ``iss`` =
``forge/invocation-token``, ``aud`` = ``CAIRN_FORGE_APP_ID``, ``exp`` and ``nbf`` checked.

Keys are cached per container. A token naming a kid the cache lacks triggers one refetch, at most once per
``REFRESH_SECONDS``: a flood of tokens with made-up kids costs the JWKS host one request per interval, not one
per token (PyJWKClient refetches on every unknown kid)."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

from cairn.core.errors import Unauthenticated, UpstreamError
from cairn.core.settings import get_settings

ISSUER = "forge/invocation-token"
REFRESH_SECONDS = 30.0
MAX_AGE_SECONDS = 3600.0
_TIMEOUT_SECONDS = 5.0
_LEEWAY_SECONDS = 10
_READ_MAX = 256 * 1024


@dataclass(frozen=True)
class ForgeClaims:
    installation_id: str
    cloud_id: str
    principal: str  # the user's account id; "app" when Forge invoked the app without a user
    site_url: str | None
    license_active: bool | None
    environment: str | None


class _Keys:
    def __init__(self) -> None:
        self.url = ""
        self.keys: dict[str, Any] = {}
        self.fetched_at = float("-inf")
        self.refreshed_at = float("-inf")  # the last fetch an unknown kid caused
        self.lock = threading.Lock()

    def key(self, url: str, kid: str) -> Any:
        with self.lock:
            now = time.monotonic()
            if url != self.url or now - self.fetched_at > MAX_AGE_SECONDS:
                self.keys, self.url, self.fetched_at = _fetch(url), url, now
            elif kid not in self.keys and now - self.refreshed_at >= REFRESH_SECONDS:
                self.keys, self.fetched_at, self.refreshed_at = _fetch(url), now, now
            found = self.keys.get(kid)
        if found is None:
            raise Unauthenticated("the Forge token is signed with an unknown key")
        return found


_keys = _Keys()


def forget_keys() -> None:
    """Drops the cached keys (tests start each from a cold container)."""
    global _keys
    _keys = _Keys()


def _fetch(url: str) -> dict[str, Any]:
    import jwt

    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise UpstreamError("CAIRN_FORGE_JWKS_URL must be an https URL (or a loopback http URL locally)")
    opener = urllib.request.build_opener(_NoRedirects())
    try:
        with opener.open(urllib.request.Request(url, headers={"Accept": "application/json"}),  # noqa: S310 - scheme checked above
                         timeout=_TIMEOUT_SECONDS) as reply:
            document = json.loads(reply.read(_READ_MAX))
        keys = jwt.PyJWKSet.from_dict(document).keys
    except (OSError, ValueError, jwt.PyJWTError) as failed:
        raise UpstreamError(f"fetching the Forge JWKS failed: {type(failed).__name__}") from failed
    return {key.key_id: key.key for key in keys if key.key_id and key.algorithm_name == "RS256"}


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_: Any, **__: Any) -> None:
        return None


def verify(token: str) -> ForgeClaims:
    import jwt

    settings = get_settings()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Unauthenticated("the Forge token is not a JWT") from None
    kid = header.get("kid")
    if header.get("alg") != "RS256" or not isinstance(kid, str) or not kid:
        raise Unauthenticated("the Forge token must be RS256 with a kid")
    key = _keys.key(settings.forge_jwks_url, kid)
    try:
        claims = jwt.decode(token, key, algorithms=["RS256"], audience=settings.forge_app_id, issuer=ISSUER,
                            leeway=_LEEWAY_SECONDS, options={"require": ["exp", "iss", "aud"]})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the Forge token has expired") from None
    except jwt.PyJWTError as invalid:
        raise Unauthenticated(f"the Forge token is invalid: {invalid}") from None
    return _identity(claims)


def _identity(claims: dict[str, Any]) -> ForgeClaims:
    app, context = _object(claims.get("app")), _object(claims.get("context"))
    installation, cloud = app.get("installationId"), context.get("cloudId")
    if not isinstance(installation, str) or not installation or not isinstance(cloud, str) or not cloud:
        raise Unauthenticated("the Forge token lacks app.installationId or context.cloudId")
    principal = claims.get("principal")
    license_info, environment = _object(app.get("license")), _object(app.get("environment"))
    site = context.get("siteUrl")
    active = license_info.get("isActive")
    return ForgeClaims(
        installation_id=installation, cloud_id=cloud,
        principal=principal if isinstance(principal, str) and principal else "app",
        site_url=site if isinstance(site, str) else None,
        license_active=active if isinstance(active, bool) else None,
        environment=environment.get("type") if isinstance(environment.get("type"), str) else None,
    )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
