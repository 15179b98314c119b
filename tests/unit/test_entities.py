"""docs/key-design.md and the code agree on every item type: each row of the key-design item tables is one
declared ``Entity`` (same PK, same SK, written the same way), and each declared entity has its row."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import cairn
from cairn.aws.entity import Entity, declared

KEY_DESIGN = Path(__file__).resolve().parents[2] / "docs" / "key-design.md"
_CODE = re.compile(r"`([^`]*)`")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _key(cell: str) -> str:
    """The key pattern of a cell: its first code span (the rest explains it), else the cell's text."""
    found = _CODE.search(cell)
    return found.group(1) if found else cell


def documented_items() -> dict[tuple[str, str], str]:
    """(PK, SK) -> item name, from every table whose header starts ``| item | PK | SK``; ``same`` repeats the
    row above's PK, an empty PK marks a row that only adds an index to an item listed before."""
    items: dict[tuple[str, str], str] = {}
    in_table, previous_pk = False, ""
    for line in KEY_DESIGN.read_text().splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        cells = _cells(line)
        if cells[:3] == ["item", "PK", "SK"]:
            in_table, previous_pk = True, ""
            continue
        if not in_table or set(cells[0]) <= {"-"}:
            continue
        pk_cell = cells[1]
        if not pk_cell:
            continue
        pk = previous_pk if pk_cell == "same" else _key(pk_cell)
        items[(pk, _key(cells[2]))] = cells[0]
        previous_pk = pk
    return items


def declared_entities() -> dict[str, Entity]:
    """Every entity the layer package declares: importing each module lets every store declare its items."""
    for module in pkgutil.walk_packages(cairn.__path__, prefix="cairn."):
        importlib.import_module(module.name)
    return declared()


def test_every_documented_item_is_declared_and_every_declared_entity_documented():
    documented = documented_items()
    entities = {(entity.pk, entity.sk): name for name, entity in declared_entities().items()}

    assert not {key: documented[key] for key in documented.keys() - entities.keys()}, "documented, not declared"
    assert not {key: entities[key] for key in entities.keys() - documented.keys()}, "declared, not documented"


def test_the_key_design_tables_are_read():
    documented = documented_items()

    assert documented[("{P}", "PROJECT")] == "project"
    assert documented[("{P}", "MS#{b}#{999999999999 - seq}")] == "milestone"
    assert ("T#{t}#ACTIONS", "{executedAt}#{actionId}") in documented
