"""Redaction of everything the hooks send (docs/agents.md, "What leaves the machine"): applied to every text
before it is spooled, so a secret never reaches the disk spool or the API. ``<private>...</private>`` spans are
dropped whole; secrets are replaced by ``[REDACTED]``, keeping the name of a ``name=value`` pair so the entry
still reads. The rules over-redact rather than miss: a log entry that lost a value is cheap, a leaked key is not."""

from __future__ import annotations

import re
from typing import Any

MASK = "[REDACTED]"

# An unterminated <private> (or key block) hides everything after it: the end was cut off, not absent.
_PRIVATE = re.compile(r"<private>.*?(?:</private>|\Z)", re.IGNORECASE | re.DOTALL)
_KEY_BLOCK = re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----.*?"
                        r"(?:-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\Z)", re.DOTALL)
_TOKENS = re.compile("|".join([
    r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b",  # AWS access key ids
    r"\bgh[pousr]_[A-Za-z0-9]{30,}\b",  # GitHub tokens
    r"\bgithub_pat_[A-Za-z0-9_]{22,}\b",  # GitHub fine-grained tokens
    r"\bxox[abposr]-[A-Za-z0-9-]{10,}",  # Slack tokens
    r"https://hooks\.slack\.com/services/[A-Za-z0-9/]+",  # Slack webhooks
    r"\bsk-(?:[A-Za-z0-9]+-)*[A-Za-z0-9_]{20,}",  # OpenAI / Anthropic style secret keys (sk-, sk-proj-, sk-ant-)
    r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}",  # JWTs (and their signature)
    r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{10,}",  # Stripe secret and restricted keys
    r"\bAIza[0-9A-Za-z_-]{35}\b",  # Google API keys
    r"\b(?:glpat|npm|pypi-AgEIcHlwaS5vcmc)[-_A-Za-z0-9]{20,}",  # GitLab, npm, PyPI tokens
]))
_SECRET_NAME = (r"[A-Za-z0-9_.-]*(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key"
                r"|credential|auth)[A-Za-z0-9_.-]*")
# name=value, name: value, "name": "value", --password value is not covered (no separator), --password=value is.
_PAIR = re.compile(rf"(?i)(\b{_SECRET_NAME}[\"']?\s*[:=]\s*)(\"[^\"\n]*\"|'[^'\n]*'|[^\s,;&\"']+)")
# .env lines: NAME=value at the start of a line (optionally exported), whatever the name.
_ENV_LINE = re.compile(r"(?m)^(\s*(?:export\s+)?[A-Z][A-Z0-9_]*=)(?!\[REDACTED\]).+$")
_URL_PASSWORD = re.compile(r"(://[^/\s:@]+:)[^/\s@]+@")


def redact(text: str) -> str:
    text = _PRIVATE.sub("", text)
    text = _KEY_BLOCK.sub(MASK, text)
    text = _TOKENS.sub(MASK, text)
    text = _URL_PASSWORD.sub(rf"\1{MASK}@", text)
    text = _PAIR.sub(lambda match: match.group(1) + MASK, text)
    return _ENV_LINE.sub(lambda match: match.group(1) + MASK, text)


def redact_value(value: Any) -> Any:
    """``value`` with every string in it redacted (a tool's JSON input or result, before it is summarised)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_value(item) for item in value]
    return value
