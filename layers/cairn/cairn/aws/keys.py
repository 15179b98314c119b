"""Key design of the single table (docs/key-design.md).

Every partition key starts with the tenant, and user-supplied parts are escaped so that
``#`` inside a name can never reach another item's key range.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

_SEPARATOR = "#"


def escape(component: str) -> str:
    """Percent-encodes ``%``, ``#`` and every character that sorts before ``#``: an escaped name
    followed by more text (``a!``) then never sorts inside another name's ``a#...`` key range."""
    return "".join(f"%{ord(char):02X}" if char in "%#" or char < _SEPARATOR else char for char in component)


def project_pk(tenant: str, project_id: str, generation: int = 0) -> str:
    """Generation 0 is the project as first created (and every project never recreated); a project
    recreated after a delete lives in generation n >= 1 (docs/memory-model.md, "Delete and recreate").
    An escaped id holds no ``#``, so ``#G{n}`` can never be the end of another project's key."""
    base = f"T#{escape(tenant)}#P#{escape(project_id)}"
    return base if generation == 0 else f"{base}#G{generation}"


def project_scope(project_id: str, generation: int = 0) -> str:
    """The project part of index sort keys that must tell generations apart (GSI3's pending documents):
    ``{id}`` for generation 0, ``{id}!G{n}`` after. ``!`` is always escaped inside an id, so no scope is
    another's followed by ``#``: ``begins_with(scope#)`` never matches another generation or project."""
    return escape(project_id) if generation == 0 else f"{escape(project_id)}!G{generation}"


def parse_project_scope(scope: str) -> tuple[str, int]:
    """(project id, generation) of a ``project_scope``."""
    name, _, generation = scope.partition("!G")
    return unquote(name), int(generation or 0)


def projects_index_pk(tenant: str) -> str:
    return f"T#{escape(tenant)}#PROJECTS"




PROJECT_SK = "PROJECT"


























def blob_prefix(tenant: str, project_id: str, generation: int = 0) -> str:
    """``/`` is escaped too: one project's prefix must never be the start of another tenant's. A later
    generation's prefix is ``{id}#G{n}/`` (an escaped id holds no ``#``): no generation's prefix starts
    another's, so purging one by prefix never reaches another."""
    name = _path_escape(project_id) + (f"#G{generation}" if generation else "")
    return f"tenants/{_path_escape(tenant)}/projects/{name}/"


def _path_escape(component: str) -> str:
    return escape(component).replace("/", "%2F")






@dataclass(frozen=True)
class ProjectRef:
    """One generation of a project: what every key of its partition, blobs and index entries is built from.
    Route-facing store functions resolve (tenant, projectId) to one (``cairn.aws.partition``)."""

    tenant: str
    project_id: str
    generation: int = 0

    @property
    def pk(self) -> str:
        return project_pk(self.tenant, self.project_id, self.generation)

    @property
    def blob_prefix(self) -> str:
        return blob_prefix(self.tenant, self.project_id, self.generation)

    @property
    def scope(self) -> str:
        return project_scope(self.project_id, self.generation)

    @property
    def anchor(self) -> ProjectRef:
        """Generation 0, whose ``PROJECT`` item names the latest generation once the project was recreated."""
        return self.at(0)

    def at(self, generation: int) -> ProjectRef:
        return ProjectRef(self.tenant, self.project_id, generation)
