"""The export format (docs/platform.md, "Jobs"): JSON Lines, one record a line, each naming its ``entity``.

Encoding works a page at a time (an export appends page after page); decoding reads line by line and names
the 1-based line of the first bad one, which is what an import job answers as its error.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from cairn.core.errors import InvalidInput

BAD_LINE = "import_bad_line"
# The record that opens each project's records in an export: {"entity": PROJECT_HEADER, "projectId": ...}.
PROJECT_HEADER = "project-export"


class BadLine(InvalidInput):
    """A line that is not a JSON object naming its ``entity``: the import stops there."""

    code = BAD_LINE

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}", field="line")
        self.line = line


def encode(records: Iterable[dict[str, Any]]) -> bytes:
    """One page of records as JSON Lines (each line ends with a newline, so pages concatenate)."""
    return b"".join(json.dumps(record, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode() + b"\n"
                    for record in records)


def decode(lines: Iterable[bytes], *, first_line: int = 1) -> Iterator[dict[str, Any]]:
    """The records of ``lines`` (blank lines skipped); ``BadLine`` at the first one that is not a record.
    ``first_line`` is the number of the first of ``lines`` when a file is read in pieces."""
    for number, raw in enumerate(lines, start=first_line):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as broken:
            raise BadLine(number, f"not JSON ({broken})") from None
        if not isinstance(record, dict):
            raise BadLine(number, "not a JSON object")
        if not isinstance(record.get("entity"), str) or not record["entity"]:
            raise BadLine(number, "no 'entity' naming what the record is")
        yield record
