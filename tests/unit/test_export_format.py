"""The export format (cairn.platform.domain.jsonl): pages of records to JSON Lines and back, and the line number
of the first bad line."""

from __future__ import annotations

import pytest

from cairn.platform.domain.jsonl import BAD_LINE, BadLine, decode, encode

RECORDS = [{"entity": "project", "projectId": "p-1", "name": "Ünïcode"},
           {"entity": "milestone", "sequenceNumber": 12, "contentHash": "sha256:ab"}]


def test_pages_concatenate_into_one_file_that_decodes_to_the_records() -> None:
    data = encode(RECORDS[:1]) + encode(RECORDS[1:])

    assert list(decode(data.splitlines())) == RECORDS
    assert data.count(b"\n") == 2


@pytest.mark.parametrize(("line", "reason"), [
    (b"{not json", "not JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"projectId": "p-1"}', "no 'entity'"),
    (b"\xff\xfe", "not JSON"),
])
def test_the_first_bad_line_is_named_by_its_number(line: bytes, reason: str) -> None:
    lines = [*encode(RECORDS).splitlines(), b"", line, *encode(RECORDS).splitlines()]

    with pytest.raises(BadLine) as bad:
        list(decode(lines))

    assert (bad.value.code, bad.value.line) == (BAD_LINE, 4)
    assert reason in bad.value.message


def test_a_file_read_in_pieces_numbers_lines_from_the_pieces_start() -> None:
    with pytest.raises(BadLine) as bad:
        list(decode([b"oops"], first_line=501))

    assert bad.value.line == 501
