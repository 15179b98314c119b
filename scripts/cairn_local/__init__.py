"""Cairn's local stack: moto for DynamoDB, S3, Step Functions and Lambda dispatch, everything
derived from template.yaml, plus the dev server, the token helper and snapshots."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
