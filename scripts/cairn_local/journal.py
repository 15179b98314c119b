"""The dev server's write-ahead journal: every write that moto acknowledges is appended to a segment file
before its response leaves the server, so a 2xx survives ``kill -9``.

Records hold the *resulting state* of what a write touched (a DynamoDB item's full image or its absence,
an S3 object's bytes or its absence), not the request. Replaying a segment in order therefore converges
on the state at its end whatever state it starts from, which makes the checkpoint (snapshot.py) simple:
a snapshot taken at the end of segment ``n`` plus every segment after it is the whole state, and
replaying segment ``n`` again over that snapshot changes nothing.

Records are appended with one ``write`` on an ``O_APPEND`` descriptor: on return they are in the
kernel's page cache, which outlives the process (not a power loss: ``CAIRN_LOCAL_FSYNC=1`` adds an
``fsync`` per write for that). A line cut short by a kill belongs to a write that was never
acknowledged; reading stops there.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger("cairn.local.journal")
_SEGMENT_GLOB = "segment-*.jsonl"


def segment_path(directory: Path, number: int) -> Path:
    return directory / f"segment-{number:08d}.jsonl"


def segment_number(path: Path) -> int:
    return int(path.stem.split("-", 1)[1])


def segments(directory: Path) -> list[Path]:
    """Every segment file, oldest first."""
    return sorted(directory.glob(_SEGMENT_GLOB), key=segment_number)


def read_segment(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a segment in order, up to a line cut short by a crash (never acknowledged)."""
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.endswith(b"\n"):
                log.warning("%s: ignoring an incomplete last record (line %d)", path.name, number)
                return
            yield json.loads(line)


class Journal:
    """Numbered append-only segments in ``directory``; ``rotate`` closes one and opens the next."""

    def __init__(self, directory: Path, *, fsync: bool = False) -> None:
        self.directory = directory
        self.fsync = fsync
        self._lock = threading.Lock()
        directory.mkdir(parents=True, exist_ok=True)
        existing = segments(directory)
        self.current = segment_number(existing[-1]) + 1 if existing else 1
        self._fd = self._open(self.current)
        self.records = 0  # appended to the current segment

    def _open(self, number: int) -> int:
        return os.open(segment_path(self.directory, number), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def append(self, record: dict[str, Any]) -> None:
        line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
        with self._lock:
            written = os.write(self._fd, line)
            if written != len(line):  # a regular file takes a whole write unless the disk is full
                raise OSError(f"journal write cut short ({written} of {len(line)} bytes)")
            if self.fsync:
                os.fsync(self._fd)
            self.records += 1

    def rotate(self) -> int:
        """Starts a new segment; returns the number of the one just closed."""
        with self._lock:
            closed = self.current
            os.close(self._fd)
            self.current += 1
            self._fd = self._open(self.current)
            self.records = 0
            return closed

    def remove_through(self, number: int) -> None:
        """Deletes the segments a snapshot now holds."""
        for path in segments(self.directory):
            if segment_number(path) <= number:
                path.unlink()

    def close(self) -> None:
        with self._lock:
            os.close(self._fd)
