"""Task runs: the files a run takes, its statuses, and what a status document says (docs/task-engine.md, "Runs")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum

from cairn.core.errors import InvalidInput

DEFAULT_FILES = ("list.md",)
MAX_FILES = 20
# Each upload is bounded (checked at start from the stored object's size: a presigned PUT cannot carry a maximum).
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_PROMPT_CHARS = 20_000
UPLOAD_URL_SECONDS = 15 * 60
RESULT_URL_SECONDS = 60 * 60
# A file name is one path segment: no directory, no traversal, no hidden file, no control character.
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class RunStatus(StrEnum):
    CREATED = "created"  # initialized, waiting for its uploads and start
    QUEUED = "queued"
    IN_PROCESS = "in_process"
    PROCESSING_REMOTE = "processing_remote"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


# Started and not settled: the statuses of a run whose execution is under way.
RESUMABLE = (RunStatus.QUEUED.value, RunStatus.IN_PROCESS.value, RunStatus.PROCESSING_REMOTE.value)



def file_names(files: Sequence[str] | None) -> list[str]:
    """The run's upload names (``list.md`` when none are given), validated: 400 naming ``files`` otherwise."""
    names = list(DEFAULT_FILES if files is None else files)
    if not names:
        raise InvalidInput("files must name at least one file", field="files")
    if len(names) > MAX_FILES:
        raise InvalidInput(f"files names {len(names)} files; at most {MAX_FILES} per run", field="files")
    for name in names:
        if not _FILE_NAME.match(name) or ".." in name:
            raise InvalidInput(f"Invalid file name {name!r}: one name of letters, digits, '.', '_' or '-' "
                               "(no path, no leading dot, at most 128 characters)", field="files")
    if len(set(names)) != len(names):
        raise InvalidInput("files names a file twice", field="files")
    return names


def prompt(text: str | None) -> str:
    prompt_text = text or ""
    if len(prompt_text) > MAX_PROMPT_CHARS:
        raise InvalidInput(f"userPrompt has {len(prompt_text)} characters; at most {MAX_PROMPT_CHARS}",
                           field="userPrompt")
    return prompt_text
