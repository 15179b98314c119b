"""The HTTP room: app factory, auth, body decoding, error mapping, idempotency, correlation, shared request fields,
path parameters.
"""
