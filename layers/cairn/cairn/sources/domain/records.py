"""What a stored record is made of: any normalized remote item (the connectors' ``Record``) fits."""

from __future__ import annotations

from typing import Protocol

# A record's text beyond this many characters is cut (a Confluence page can be megabytes; a record is a
# citation, and a DynamoDB item holds 400 KB with its search terms).
TEXT_MAX = 20_000


class RemoteItem(Protocol):
    @property
    def remote_id(self) -> str: ...

    @property
    def author(self) -> str: ...

    @property
    def url(self) -> str: ...

    @property
    def time(self) -> str: ...

    @property
    def text(self) -> str: ...


def record_doc_id(source_id: str, remote_id: str) -> str:
    """The search document id of a record: unique in its project (source ids are unique per tenant)."""
    return f"{source_id}/{remote_id}"
