"""A local stand-in for Atlassian Forge (never used against AWS): an RSA key published as a JWKS over HTTP on
127.0.0.1, and Forge invocation tokens signed with it, so the task engine's Forge auth runs unchanged in the tests
and the dev server (docs/task-engine.md, "Local Forge")."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cairn_local.tokens import STATE_DIR, state_secret

FORGE_ISSUER = "forge/invocation-token"
LOCAL_APP_ID = "ari:cloud:ecosystem::app/cairn-local"


def local_task_engine_environment() -> dict[str, str]:
    """The task engine's settings for a local process: the permit signing key (``CAIRN_PERMIT_SIGNING_KEY`` if set,
    else a per-checkout random key in .cairn-local/), the Forge app id, and a JWKS URL (the environment's, else
    one that refuses every token until a LocalForge is started)."""
    return {
        "CAIRN_PERMIT_SIGNING_KEY": os.environ.get("CAIRN_PERMIT_SIGNING_KEY") or state_secret("permit-key"),
        "CAIRN_FORGE_APP_ID": os.environ.get("CAIRN_FORGE_APP_ID") or LOCAL_APP_ID,
        "CAIRN_FORGE_JWKS_URL": os.environ.get("CAIRN_FORGE_JWKS_URL") or "http://127.0.0.1:9/no-local-forge",
    }


class LocalForge:
    """Publishes its keys at ``jwks_url`` and mints invocation tokens; ``rotate()`` adds a key with a new kid (the
    old one stays published), ``fetches`` counts the JWKS requests served."""

    def __init__(self, app_id: str = LOCAL_APP_ID, key_path: Path | None = None, serve: bool = True) -> None:
        """``key_path``: the signing key is kept there (PEM), so another process (``python -m cairn_local.forge``)
        mints tokens the dev server's JWKS verifies."""
        self.app_id = app_id
        self.fetches = 0
        self._keys: list[tuple[str, Any]] = []
        self._published: set[str] = set()
        if key_path is None:
            self.rotate()
        else:
            self._add(_stored_key(key_path), publish=True)
        if not serve:
            return
        forge = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                forge.fetches += 1
                body = json.dumps(forge.jwks()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.jwks_url = f"http://127.0.0.1:{self._server.server_address[1]}/.well-known/jwks.json"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def rotate(self, publish: bool = True) -> str:
        """A new signing key; unpublished ones sign tokens whose kid the JWKS does not know."""
        from cryptography.hazmat.primitives.asymmetric import rsa

        return self._add(rsa.generate_private_key(public_exponent=65537, key_size=2048), publish)

    def _add(self, key: Any, publish: bool) -> str:
        from cryptography.hazmat.primitives import serialization

        public = key.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
        kid = hashlib.sha256(public).hexdigest()[:32]  # the same key has the same kid in every process
        self._keys.append((kid, key))
        if publish:
            self._published.add(kid)
        return kid

    def jwks(self) -> dict[str, Any]:
        from jwt.algorithms import RSAAlgorithm

        return {"keys": [{**json.loads(RSAAlgorithm.to_jwk(key.public_key())), "kid": kid, "alg": "RS256",
                          "use": "sig"} for kid, key in self._keys if kid in self._published]}

    def publish(self, kid: str) -> None:
        self._published.add(kid)

    def token(self, installation: str, cloud_id: str | None = None, principal: str | None = "user-1",
              ttl_seconds: int = 300, kid: str | None = None, **overrides: Any) -> str:
        """A Forge invocation token for ``installation`` (``overrides`` replace claims; None removes one)."""
        import jwt

        kid, key = next((entry for entry in self._keys if entry[0] == kid), self._keys[0]) if kid else self._keys[0]
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": FORGE_ISSUER, "aud": self.app_id, "iat": now, "nbf": now, "exp": now + ttl_seconds,
            "jti": uuid.uuid4().hex,
            "app": {"installationId": installation, "id": self.app_id, "apiBaseUrl": "https://api.atlassian.com",
                    "environment": {"type": "DEVELOPMENT", "id": "local"}, "license": {"isActive": True}},
            "context": {"cloudId": cloud_id or f"cloud-{installation}", "siteUrl": "https://tenant.atlassian.net"},
            "principal": principal,
        }
        claims.update(overrides)
        claims = {name: value for name, value in claims.items() if value is not None}
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _stored_key(path: Path) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        path.chmod(0o600)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


DEV_KEY_PATH = STATE_DIR / "forge-key.pem"


def main() -> None:
    parser = argparse.ArgumentParser(description="Print a Forge invocation token that the dev server's local Forge "
                                                 "JWKS verifies (make dev started it).")
    parser.add_argument("--installation", default="ari:cloud:ecosystem::installation/local")
    parser.add_argument("--principal", default="user-1")
    parser.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    args = parser.parse_args()
    forge = LocalForge(os.environ.get("CAIRN_FORGE_APP_ID") or LOCAL_APP_ID, DEV_KEY_PATH, serve=False)
    print(forge.token(args.installation, principal=args.principal, ttl_seconds=args.ttl))


if __name__ == "__main__":
    main()
