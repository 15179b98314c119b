"""Cairn: memory and task engine for AI coding agents.

Rooms: ``domain`` (pure rules, no AWS), ``store`` (DynamoDB, S3, Step Functions adapters),
``http`` (auth, tenancy, errors, idempotency, correlation) and ``api`` (the FastAPI routers
that each route group's Lambda wires together).
"""

from cairn.core import coldstart

coldstart.pause()  # first of all: a Lambda's cold import runs without the cyclic GC (cairn.core.coldstart)
