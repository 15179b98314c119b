"""One declaration per item type of the single table: its keys as docs/key-design.md writes them, and the
fields its wire model answers (docs/architecture.md, "Entities").

A store builds keys with its own key functions (``cairn.aws.keys``, ``cairn.memory.store.keys``, ...); the
declaration states the same layout in the document's notation so that the key-design tables can be checked
against the code (tests/unit/test_entities.py), and projects an item onto the wire in one way for every item
type: fields in ``always`` are answered (``null`` when the item lacks them), every other wire field only when
the item has it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Entity:
    name: str  # the item's ``entity`` attribute
    pk: str  # as docs/key-design.md writes it: ``{P}`` for the project partition, ``T#{t}#...`` otherwise
    sk: str
    wire: tuple[str, ...] = ()  # fields of the wire model, in the spec's order
    always: tuple[str, ...] = ()  # wire fields answered even when absent (as null)

    def to_wire(self, item: Mapping[str, Any]) -> dict[str, Any]:
        return {name: item.get(name) for name in self.wire if name in item or name in self.always}


_REGISTRY: dict[str, Entity] = {}


def declare(entity: Entity) -> Entity:
    """Registers ``entity`` (names are unique) and returns it: stores declare their item types at import."""
    held = _REGISTRY.setdefault(entity.name, entity)
    if held is not entity:
        raise ValueError(f"entity {entity.name!r} is declared twice")
    return entity


def declared() -> dict[str, Entity]:
    return dict(_REGISTRY)


def update_expression(assignments: Mapping[str, Any], *, initial: Mapping[str, Any] | None = None,
                      remove: tuple[str, ...] = ()) -> tuple[str, dict[str, str], dict[str, Any]]:
    """``SET #a = :a, #b = if_not_exists(#b, :b) REMOVE #c`` with its names and values: ``assignments`` are
    set, ``initial`` only where the item lacks them (``createdAt`` kept from the first write), ``remove``
    removed. The one builder of update expressions from a set of fields (attribute names are always
    aliased, so reserved words such as ``name`` or ``status`` need no care)."""
    initial = initial or {}
    names = {f"#{index}": name for index, name in enumerate([*assignments, *initial, *remove])}
    values = {f":{index}": value for index, value in enumerate([*assignments.values(), *initial.values()])}
    sets = [f"#{index} = :{index}" for index in range(len(assignments))]
    sets += [f"#{index} = if_not_exists(#{index}, :{index})"
             for index in range(len(assignments), len(assignments) + len(initial))]
    parts = []
    if sets:
        parts.append("SET " + ", ".join(sets))
    if remove:
        offset = len(assignments) + len(initial)
        parts.append("REMOVE " + ", ".join(f"#{offset + index}" for index in range(len(remove))))
    return " ".join(parts), names, values
