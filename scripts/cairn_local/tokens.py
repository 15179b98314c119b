"""Dev tokens: HS256 JWTs signed with the local secret (never used against AWS)."""

from __future__ import annotations

import argparse
import os
import secrets
import time
from pathlib import Path

from cairn_local import ROOT

STATE_DIR = Path(os.environ.get("CAIRN_LOCAL_STATE_DIR", ROOT / ".cairn-local"))
LOCAL_ISSUER = "cairn-local"
LOCAL_AUDIENCE = "cairn"


def local_secret() -> str:
    """``CAIRN_JWT_SECRET`` if set, else a per-checkout random secret kept in .cairn-local/."""
    return os.environ.get("CAIRN_JWT_SECRET") or state_secret("jwt-secret")


def state_secret(name: str) -> str:
    """A per-checkout random secret kept in .cairn-local/``name`` (created on first use, owner-only)."""
    path = STATE_DIR / name
    if not path.exists():
        STATE_DIR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def local_jwt_environment() -> dict[str, str]:
    return {"CAIRN_JWT_ALGORITHM": "HS256", "CAIRN_JWT_SECRET": local_secret(),
            "CAIRN_JWT_ISSUER": LOCAL_ISSUER, "CAIRN_JWT_AUDIENCE": LOCAL_AUDIENCE}


def mint(tenant: str, subject: str, roles: list[str], ttl_seconds: int = 12 * 3600, secret: str | None = None,
         **overrides: object) -> str:
    import jwt

    now = int(time.time())
    claims = {"sub": subject, "tenant_id": tenant, "roles": roles, "iat": now, "exp": now + ttl_seconds,
              "iss": LOCAL_ISSUER, "aud": LOCAL_AUDIENCE, **overrides}
    return jwt.encode(claims, secret or local_secret(), algorithm="HS256")


def main() -> None:
    parser = argparse.ArgumentParser(description="Mint a Cairn dev token for the local stack.")
    parser.add_argument("--tenant", default="dev-tenant")
    parser.add_argument("--sub", default="dev-user")
    parser.add_argument("--roles", default="agent,admin", help="comma-separated: viewer, member, agent, admin")
    parser.add_argument("--ttl", type=int, default=12 * 3600, help="lifetime in seconds")
    args = parser.parse_args()
    print(mint(args.tenant, args.sub, [role for role in args.roles.split(",") if role], args.ttl))


if __name__ == "__main__":
    main()
