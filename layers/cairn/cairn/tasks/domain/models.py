"""The model catalog (``cairn/tasks/catalog.json``, the one place models are declared): what ``GET /v1/models``
answers, what init and start validate a model against, and how a run's input tokens and credits are estimated
(docs/task-engine.md, "Runs")."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cairn.core.errors import InvalidInput

CATALOG_FILE = Path(__file__).resolve().parents[1] / "catalog.json"


@dataclass(frozen=True)
class Model:
    id: str
    name: str
    max_context: int
    max_output_tokens: int
    description: str
    base_credits: float
    credits_per_token: float
    bedrock_model_id: str

    def credits(self, input_tokens: int) -> int:
        """Whole credits a run of ``input_tokens`` costs: the base plus the per-token price, rounded up."""
        return math.ceil(self.base_credits + self.credits_per_token * input_tokens)

    def to_wire(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "maxContext": self.max_context, "description": self.description,
                "pricing": {"base": self.base_credits, "per_token": self.credits_per_token}}


@dataclass(frozen=True)
class Catalog:
    models: tuple[Model, ...]
    default_model: str
    chars_per_token: int

    def model(self, model_id: str | None) -> Model:
        """The catalog's model ``model_id`` (the default model when None); 400 naming ``model`` otherwise."""
        wanted = self.default_model if model_id is None else model_id
        for model in self.models:
            if model.id == wanted:
                return model
        known = ", ".join(model.id for model in self.models)
        raise InvalidInput(f"Unknown model {wanted!r}; the catalog has: {known}", field="model")

    def estimate_tokens(self, input_bytes: int) -> int:
        """Input tokens of ``input_bytes`` of text: a character-count estimate (no tokenizer in the request path)."""
        return math.ceil(input_bytes / self.chars_per_token)


def parse(document: dict[str, Any]) -> Catalog:
    models = tuple(
        Model(id=entry["id"], name=entry["name"], max_context=int(entry["maxContext"]),
              max_output_tokens=int(entry["maxOutputTokens"]), description=entry["description"],
              base_credits=float(entry["pricing"]["base"]), credits_per_token=float(entry["pricing"]["per_token"]),
              bedrock_model_id=entry["bedrockModelId"])
        for entry in document["models"]
    )
    ids = [model.id for model in models]
    if len(set(ids)) != len(ids) or document["defaultModel"] not in ids:
        raise ValueError("model catalog: ids must be unique and defaultModel one of them")
    return Catalog(models, document["defaultModel"], int(document["charsPerToken"]))


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    """The catalog file, read once per container."""
    return parse(json.loads(CATALOG_FILE.read_text(encoding="utf-8")))
