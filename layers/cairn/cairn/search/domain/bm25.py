"""BM25 ranking (Robertson/Sparck Jones, Lucene's non-negative IDF), pure: no I/O.

A document's terms are kept as a compact string ``"term:tf term term:tf"`` (tf 1 is left out): it is
what the index stores per pending document and what segments are built from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from cairn.core.text import terms as text_terms

K1 = 1.2
B = 0.75


def query_terms(query: str) -> list[str]:
    """The distinct index terms of a query, in order of first appearance."""
    return list(dict.fromkeys(text_terms(query)))


def idf(documents: int, frequency: int) -> float:
    """ln(1 + (N - df + 0.5) / (df + 0.5)): positive even for a term in every document."""
    return math.log(1.0 + (documents - frequency + 0.5) / (frequency + 0.5))


def accumulate(scores: dict[int, float], postings: tuple[Sequence[int], Sequence[int]], weight: float,
               lengths: Sequence[int], average_length: float) -> None:
    """Adds one term's BM25 contribution to ``scores[d]`` for each posting (d, tf):
    ``idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * |d| / avgdl))``."""
    boost = weight * (K1 + 1.0)
    base = K1 * (1.0 - B)
    scale = K1 * B / average_length if average_length > 0 else 0.0
    get = scores.get
    for doc, tf in zip(*postings, strict=True):
        scores[doc] = get(doc, 0.0) + boost * tf / (tf + base + scale * lengths[doc])


def score(frequencies: Mapping[str, int], length: int, weights: Mapping[str, float], average_length: float) -> float:
    """One document's score (the reference the accumulated scores must equal)."""
    total = 0.0
    for term, weight in weights.items():
        tf = frequencies.get(term, 0)
        if tf:
            norm = K1 * (1.0 - B + B * length / average_length) if average_length > 0 else K1 * (1.0 - B)
            total += weight * tf * (K1 + 1.0) / (tf + norm)
    return total
