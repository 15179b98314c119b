"""Nothing secret leaves the machine: a corpus of real-looking secrets, each gone after redaction while the text
around it stays readable; <private> spans dropped whole."""

from __future__ import annotations

import pytest
from cairn_client.redact import MASK, redact, redact_value

# Shaped like the real thing (lengths, prefixes, alphabets); none is a live credential.
SECRETS = {
    "aws access key id": ("deploy with AKIAIOSFODNN7EXAMPLE today", "AKIAIOSFODNN7EXAMPLE"),
    "aws session key id": ("ASIAY34FZKBOKMUTVV7A is temporary", "ASIAY34FZKBOKMUTVV7A"),
    "aws secret in a pair": ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                             "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    "github classic": ("token ghp_16C7e42F292c6912E7710c838347Ae178B4a in CI",
                       "ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
    "github oauth": ("gho_16C7e42F292c6912E7710c838347Ae178B4a", "gho_16C7e42F292c6912E7710c838347Ae178B4a"),
    "github fine-grained": ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
                            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"),
    "slack bot": ("xoxb-2400000000-2412345678901-AbCdEfGhIjKlMnOpQrStUvWx",
                  "xoxb-2400000000-2412345678901-AbCdEfGhIjKlMnOpQrStUvWx"),
    "slack user": ("xoxp-1234567890-0987654321-1122334455-abcdef0123456789abcdef0123456789",
                   "xoxp-1234567890-0987654321-1122334455-abcdef0123456789abcdef0123456789"),
    "slack webhook": ("post to https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX now",
                      "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"),
    "openai": ("OPENAI key sk-abcdefghijklmnopqrstT3BlbkFJabcdefghijklmnopqrst",
               "sk-abcdefghijklmnopqrstT3BlbkFJabcdefghijklmnopqrst"),
    "openai project": ("sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh3iJk6lMn9oPq",
                       "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh3iJk6lMn9oPq"),
    "anthropic": ("sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa_ZyXwVuTsRqPoNmLkJiHgFeDcBa-AbCdEfAA",
                  "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa"),
    "stripe": ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "4eC39HqLyjWDarjtT1zdp7dc"),
    "jwt": ("Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
            "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
    "google": ("AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI", "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI"),
    "password pair": ("login with password=Tr0ub4dor&3x please", "Tr0ub4dor"),
    "password json": ('{"user": "ann", "password": "correct horse battery"}', "correct horse battery"),
    "db password yaml": ("db_password: s3cr3t-v4lue", "s3cr3t-v4lue"),
    "client secret": ("--client-secret=9f8e7d6c5b4a", "9f8e7d6c5b4a"),
    "url credentials": ("git clone https://ann:pa55word@git.example.com/repo.git", "pa55word"),
    "env line": ("DATABASE_URL=postgres://app:hunter2@db/shop", "hunter2"),
    "exported env line": ("export MY_SERVICE_CREDS=abc123def456", "abc123def456"),
    "private key": ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq9\nx8Yd0+\n-----END RSA PRIVATE KEY-----",
                    "MIIEowIBAAKCAQEA7bq9"),
    "openssh key cut off": ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA", "b3BlbnNzaC1rZXkt"),
}


@pytest.mark.parametrize("name", sorted(SECRETS))
def test_each_secret_is_redacted(name):
    text, secret = SECRETS[name]

    redacted = redact(text)

    assert secret not in redacted
    assert MASK in redacted


def test_the_text_around_a_secret_stays():
    assert redact("login with password=Tr0ub4dor&3x please") == f"login with password={MASK}&3x please"
    assert redact("deploy with AKIAIOSFODNN7EXAMPLE today") == f"deploy with {MASK} today"


def test_private_spans_are_dropped_whole():
    assert redact("keep <private>my salary is 90k</private> this") == "keep  this"
    assert redact("a <PRIVATE>x\ny</PRIVATE> b <private>cut off") == "a  b "


def test_ordinary_text_is_untouched():
    text = "Ran pytest -q: 12 passed. Edited shop/cart.py (tokenize the query before the lookup)."
    assert redact(text) == text


def test_structures_are_redacted_string_by_string():
    value = {"command": "curl -H 'x-api-key: abcdef123456'", "env": ["AWS_SECRET=xyz"], "exit": 0}

    assert redact_value(value) == {"command": f"curl -H 'x-api-key: {MASK}'", "env": [f"AWS_SECRET={MASK}"],
                                   "exit": 0}
