"""Text analysis for search: tokenization, case folding, stop words, Snowball (Porter 2) stemming."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

# Letters and digits, keeping inner dots/underscores/hyphens out of tokens: "rate-limiting" is
# two terms, "v2" one. \w is Unicode-aware, so non-Latin scripts tokenize too.
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_MIN_LENGTH = 2
_MAX_LENGTH = 40
STOP_WORDS = frozenset((
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did",
    "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have",
    "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its",
    "itself", "just", "me", "more", "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only",
    "or", "other", "our", "ours", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than",
    "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through",
    "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while",
    "who", "whom", "why", "will", "with", "would", "you", "your",
))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    stemmed: str = _stemmer().stemWord(word)
    return stemmed


def terms(text: str) -> list[str]:
    """The index terms of ``text``, in order, repeats kept."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return [
        _stem(token)
        for token in _TOKEN.findall(folded)
        if _MIN_LENGTH <= len(token) <= _MAX_LENGTH and token not in STOP_WORDS
    ]


def text_size(*texts: str) -> int:
    """UTF-8 bytes of ``texts`` together (what DynamoDB and S3 count)."""
    return sum(len(text.encode("utf-8")) for text in texts)


# --- a document's terms, as search documents store them (``"term:tf term term:tf"``, tf 1 left out) ----

# At most this many distinct terms are kept per document (the most frequent): a 60,000-character
# milestone has far fewer, so the cap only bounds the item size against pathological input.
MAX_DISTINCT_TERMS = 5_000


def weighted_frequencies(parts: Iterable[tuple[str, int]]) -> Counter[str]:
    """Term frequencies over weighted text parts: a term in a part of weight w counts w times."""
    counts: Counter[str] = Counter()
    for text, weight in parts:
        if weight <= 0 or not text:
            continue
        for term in terms(text):
            counts[term] += weight
    return counts


def encode_terms(frequencies: Mapping[str, int]) -> str:
    """``{"cach": 3, "redi": 1}`` -> ``"cach:3 redi"``, capped at ``MAX_DISTINCT_TERMS`` terms."""
    items = sorted(frequencies.items(), key=lambda item: (-item[1], item[0]))[:MAX_DISTINCT_TERMS]
    return " ".join(term if tf == 1 else f"{term}:{tf}" for term, tf in items)


def decode_terms(encoded: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for token in encoded.split():
        term, _, tf = token.partition(":")
        found[term] = int(tf) if tf else 1
    return found
