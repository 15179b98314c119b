"""The search context's item type: the index manifest of a project generation (docs/search.md), never answered."""

from __future__ import annotations

from cairn.aws.entity import Entity, declare

MANIFEST_SK = "SEARCH#MANIFEST"
MANIFEST = declare(Entity("search-manifest", "{P}", MANIFEST_SK))
