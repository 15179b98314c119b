"""HTTP plumbing shared by every route group: auth, tenancy, errors, idempotency, correlation."""
