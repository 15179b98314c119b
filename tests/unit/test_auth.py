"""Bearer JWT verification (cairn.http.auth.verify): HS256 locally, RS256 against a JWKS URL."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from cairn.core.errors import Unauthenticated
from cairn.core.settings import get_settings
from cairn.http import auth
from cairn.http.auth import Principal, verify
from cairn_local.tokens import LOCAL_AUDIENCE, LOCAL_ISSUER
from tests.conftest import TEST_SECRET


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"sub": "user-1", "tenant_id": "tenant-1", "roles": ["agent"], "iat": now, "exp": now + 600,
              "iss": LOCAL_ISSUER, "aud": LOCAL_AUDIENCE, **overrides}
    return {name: value for name, value in claims.items() if value is not None}


def _hs256(secret: str = TEST_SECRET, **overrides: Any) -> str:
    return jwt.encode(_claims(**overrides), secret, algorithm="HS256")


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    auth._jwks_client.cache_clear()
    yield
    get_settings.cache_clear()
    auth._jwks_client.cache_clear()


# --- HS256 (the local stack's configuration, set by tests/conftest.py) --------------------------------------------


def test_valid_hs256_token() -> None:
    principal = verify(_hs256(roles=["agent", "admin"]))
    assert principal == Principal(subject="user-1", tenant="tenant-1", roles=frozenset({"agent", "admin"}))


def test_roles_default_to_none() -> None:
    assert verify(_hs256(roles=None)).roles == frozenset()


def test_expired_token() -> None:
    now = int(time.time())
    with pytest.raises(Unauthenticated, match="expired"):
        verify(_hs256(iat=now - 3600, exp=now - 120))


def test_expiry_has_a_small_leeway() -> None:
    assert verify(_hs256(exp=int(time.time()) - 5)).tenant == "tenant-1"


@pytest.mark.parametrize("overrides", [{"aud": "someone-else"}, {"iss": "someone-else"}, {"aud": ["other"]}])
def test_wrong_audience_or_issuer(overrides: dict[str, Any]) -> None:
    with pytest.raises(Unauthenticated, match="invalid"):
        verify(_hs256(**overrides))


@pytest.mark.parametrize("claim", ["tenant_id", "sub", "exp", "iss", "aud"])
def test_missing_required_claim(claim: str) -> None:
    with pytest.raises(Unauthenticated):
        verify(_hs256(**{claim: None}))


@pytest.mark.parametrize("overrides", [{"tenant_id": ""}, {"tenant_id": 42}, {"tenant_id": ["t"]}])
def test_tenant_must_be_a_non_empty_string(overrides: dict[str, Any]) -> None:
    with pytest.raises(Unauthenticated, match="tenant_id"):
        verify(_hs256(**overrides))


@pytest.mark.parametrize("roles", ["admin", {"admin": True}, [1, 2], ["agent", None], "agent,admin"])
def test_roles_must_be_a_list_of_strings(roles: Any) -> None:
    with pytest.raises(Unauthenticated, match="roles"):
        verify(_hs256(roles=roles))


@pytest.mark.parametrize(("claim", "value"), [
    ("exp", "9999999999"), ("exp", "4102444800"), ("exp", True), ("exp", [9999999999]),
    ("exp", {"seconds": 9999999999}), ("nbf", "0"), ("nbf", False), ("iat", "1700000000"), ("iat", None),
])
def test_time_claims_must_be_json_numbers(claim: str, value: Any) -> None:
    token = jwt.encode({**_claims(), claim: value}, TEST_SECRET, algorithm="HS256")
    with pytest.raises(Unauthenticated, match=claim):
        verify(token)


def test_time_claims_may_be_fractional_numbers() -> None:
    now = time.time()
    assert verify(_hs256(exp=now + 600.5, nbf=now - 1.25, iat=now - 0.5)).tenant == "tenant-1"


def test_wrong_secret() -> None:
    with pytest.raises(Unauthenticated, match="invalid"):
        verify(_hs256(secret="another-secret-" + "y" * 32))


def test_alg_none_is_rejected() -> None:
    token = jwt.encode(_claims(roles=["admin"]), None, algorithm="none")
    with pytest.raises(Unauthenticated):
        verify(token)


def test_unsigned_token_with_hs256_header_is_rejected() -> None:
    header, payload, _ = _hs256().split(".")
    with pytest.raises(Unauthenticated):
        verify(f"{header}.{payload}.")


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "Bearer x"])
def test_malformed_tokens(token: str) -> None:
    with pytest.raises(Unauthenticated):
        verify(token)


# --- RS256 against a JWKS URL (the template's configuration) -----------------------------------------------------

KID = "cairn-test-key"


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class _Issuer:
    """An OIDC issuer's signing key, its JWKS served over HTTP on 127.0.0.1."""

    def __init__(self) -> None:
        self.key = _rsa_key()
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        self.jwks = {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}
        self.requests = 0
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                issuer.requests += 1
                body = json.dumps(issuer.jwks).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def sign(self, key: rsa.RSAPrivateKey | None = None, kid: str | None = KID, **overrides: Any) -> str:
        headers = {"kid": kid} if kid else {}
        return jwt.encode(_claims(**overrides), key or self.key, algorithm="RS256", headers=headers)


@pytest.fixture
def issuer(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Issuer]:
    served = _Issuer()
    served.thread.start()
    monkeypatch.setenv("CAIRN_JWT_ALGORITHM", "RS256")
    monkeypatch.setenv("CAIRN_JWKS_URL", served.url)
    monkeypatch.delenv("CAIRN_JWT_SECRET", raising=False)  # RS256 must not fall back to the shared secret
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    get_settings.cache_clear()
    yield served
    served.server.shutdown()
    served.server.server_close()
    # _fresh_settings clears the cache again after monkeypatch has restored the environment.


def test_rs256_settings_are_in_effect(issuer: _Issuer) -> None:
    assert get_settings().jwt_algorithm == "RS256"
    assert get_settings().jwks_url == issuer.url


def test_valid_rs256_token(issuer: _Issuer) -> None:
    principal = verify(issuer.sign(roles=["viewer"]))
    assert principal == Principal(subject="user-1", tenant="tenant-1", roles=frozenset({"viewer"}))
    assert issuer.requests >= 1


def test_rs256_keys_are_cached(issuer: _Issuer) -> None:
    verify(issuer.sign())
    fetched = issuer.requests
    verify(issuer.sign(sub="user-2"))
    assert issuer.requests == fetched


def test_rs256_token_signed_by_another_key_is_rejected(issuer: _Issuer) -> None:
    with pytest.raises(Unauthenticated, match="invalid"):
        verify(issuer.sign(key=_rsa_key()))


def test_rs256_token_with_an_unknown_kid_is_rejected(issuer: _Issuer) -> None:
    with pytest.raises(Unauthenticated):
        verify(issuer.sign(key=_rsa_key(), kid="someone-elses-key"))


def test_rs256_token_without_kid_is_rejected(issuer: _Issuer) -> None:
    with pytest.raises(Unauthenticated):
        verify(issuer.sign(kid=None))


def test_rs256_expired_token(issuer: _Issuer) -> None:
    now = int(time.time())
    with pytest.raises(Unauthenticated, match="expired"):
        verify(issuer.sign(iat=now - 3600, exp=now - 120))


def test_rs256_wrong_audience(issuer: _Issuer) -> None:
    with pytest.raises(Unauthenticated):
        verify(issuer.sign(aud="someone-else"))


def test_hs256_token_is_rejected_when_rs256_is_configured(issuer: _Issuer) -> None:
    with pytest.raises(Unauthenticated):
        verify(_hs256())


def test_hs256_token_with_the_issuers_kid_is_rejected(issuer: _Issuer) -> None:
    """Algorithm confusion: an HS256 token naming the RS256 key, keyed with the shared dev secret."""
    token = jwt.encode(_claims(roles=["admin"]), TEST_SECRET, algorithm="HS256", headers={"kid": KID})
    with pytest.raises(Unauthenticated):
        verify(token)


def test_hs256_token_keyed_with_the_public_key_is_rejected(issuer: _Issuer) -> None:
    """The classic confusion: HMAC keyed with the issuer's public key bytes (which anyone can fetch)."""
    import hashlib
    import hmac

    public_pem = issuer.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)
    header = jwt.utils.base64url_encode(json.dumps({"alg": "HS256", "typ": "JWT", "kid": KID}).encode())
    payload = jwt.utils.base64url_encode(json.dumps(_claims(roles=["admin"])).encode())
    signature = hmac.new(public_pem, header + b"." + payload, hashlib.sha256).digest()
    token = (header + b"." + payload + b"." + jwt.utils.base64url_encode(signature)).decode()
    with pytest.raises(Unauthenticated):
        verify(token)


def test_alg_none_is_rejected_when_rs256_is_configured(issuer: _Issuer) -> None:
    token = jwt.encode(_claims(roles=["admin"]), None, algorithm="none", headers={"kid": KID})
    with pytest.raises(Unauthenticated):
        verify(token)
