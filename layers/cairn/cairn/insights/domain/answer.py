"""Answers to intelligence questions: the ``Answerer`` port, cited sources, excerpts, and the local
extractive answerer (docs/intelligence.md). Pure: no I/O.

A source's number in an answer (``[1]``, ``[2]``, ...) is its position in the ``sources`` list
the answerer was given, counted from 1; the query response lists the sources in that order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from cairn.core.text import terms

EXCERPT_MAX = 300
ELLIPSIS = "…"
EXTRACTIVE = "extractive"
# How many sources the extractive answer quotes; the rest are only listed in ``sources``.
EXTRACTIVE_QUOTED = 5

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Source:
    """One retrieved milestone, promoted knowledge item or external source record, as an answer may cite it."""

    kind: str  # "milestone" | "knowledge" | "record"
    source_id: str  # the milestone's, knowledge item's or record's (remote) id
    project_id: str
    branch_name: str | None
    created_at: str | None
    excerpt: str  # at most EXCERPT_MAX characters, verbatim sentence(s) of the item
    passage: str  # a longer verbatim passage for a model's prompt (also verbatim, also bounded)
    # An external source record's source (its ``sourceId`` and type), link and author.
    external: ExternalOrigin | None = None

    @property
    def label(self) -> str:
        if self.external is not None:
            return f"{self.external.source_type} record"
        return "milestone" if self.kind == "milestone" else "promoted knowledge"


@dataclass(frozen=True)
class ExternalOrigin:
    source_id: str
    source_type: str
    url: str
    author: str


class Answerer(Protocol):
    name: str

    def answer(self, question: str, sources: list[Source]) -> str: ...


# --- excerpts --------------------------------------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    return [" ".join(part.split()) for part in _SENTENCE_END.split(text) if part and not part.isspace()]


@lru_cache(maxsize=20_000)
def _sentence_terms(sentence: str) -> frozenset[str]:
    """Cached: a branch's milestones repeat most of their cumulative progress, sentence for sentence."""
    return frozenset(terms(sentence))


def _overlap(sentence: str, wanted: frozenset[str]) -> int:
    return len(wanted & _sentence_terms(sentence))


def _clip(sentence: str, wanted: frozenset[str], limit: int) -> str:
    """A window of ``sentence`` at most ``limit`` characters long (ellipses included), cut at word
    boundaries and starting a little before the first word that matches the question."""
    if len(sentence) <= limit:
        return sentence
    words = list(_WORD.finditer(sentence))
    first = next((w.start() for w in words if wanted.intersection(terms(w.group()))), 0)
    start = min(max(0, first - limit // 4), len(sentence) - limit + 2 * len(ELLIPSIS))
    if start > 0:
        start = next((w.start() for w in words if w.start() >= start), start)
    prefix = ELLIPSIS if start > 0 else ""
    end = start + limit - len(prefix) - len(ELLIPSIS)
    if end >= len(sentence):
        return prefix + sentence[start:]
    cut = sentence.rfind(" ", start, end + 1)
    window = sentence[start:cut if cut > start else end].rstrip()
    return prefix + window + ELLIPSIS


@dataclass(frozen=True)
class _Ranked:
    candidates: list[str]
    scores: list[int]
    order: list[int]  # candidate indexes, most overlap first, then as written
    wanted: frozenset[str]


def _rank(texts: list[str], question: str) -> _Ranked:
    candidates = [sentence for text in texts for sentence in sentences(text)]
    wanted = frozenset(terms(question))
    scores = [_overlap(sentence, wanted) for sentence in candidates]
    return _Ranked(candidates, scores, sorted(range(len(candidates)), key=lambda i: (-scores[i], i)), wanted)


def _select(ranked: _Ranked, limit: int) -> str:
    if not ranked.candidates:
        return ""
    candidates, scores, best = ranked.candidates, ranked.scores, ranked.order[0]
    if len(candidates[best]) >= limit:
        return _clip(candidates[best], ranked.wanted, limit)
    chosen, used = [best], len(candidates[best])
    for index in ranked.order[1:]:
        if scores[index] == 0 and scores[best] > 0:
            break
        if used + 1 + len(candidates[index]) <= limit:
            chosen.append(index)
            used += 1 + len(candidates[index])
    return " ".join(candidates[index] for index in sorted(chosen))


def excerpts(texts: list[str], question: str, limits: tuple[int, ...]) -> list[str]:
    """Per limit, the sentence(s) of ``texts`` that share most terms with ``question``, verbatim,
    joined in their original order, at most ``limit`` characters (sentences are scored once).
    Without any overlap: the first sentence(s)."""
    ranked = _rank(texts, question)
    return [_select(ranked, limit) for limit in limits]


def excerpt(texts: list[str], question: str, limit: int = EXCERPT_MAX) -> str:
    return excerpts(texts, question, (limit,))[0]


# --- the local extractive answerer -----------------------------------------------------------------------------


def no_match_answer(question: str) -> str:
    return (f"No milestones or promoted knowledge match \u201c{question}\u201d in the searched projects and "
            "time range, so there is nothing to answer from. Try a wider timeRange, other projectIds, "
            "or different words.")


def _where(source: Source) -> str:
    parts = [f"project {source.project_id}"]
    if source.branch_name:
        parts.append(f"branch {source.branch_name}")
    if source.external is not None:
        parts.append(f"source {source.external.source_id}")
    if source.created_at:
        parts.append(source.created_at[:10])
    return ", ".join(parts)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", ELLIPSIS)) else f"{text}."


class ExtractiveAnswerer:
    """Builds the answer only from the sources' own sentences: one line per top source, quoting
    its best-matching excerpt and citing it as ``[n]``. It never adds a fact of its own."""

    name = EXTRACTIVE

    def __init__(self, quoted: int = EXTRACTIVE_QUOTED) -> None:
        self.quoted = quoted

    def answer(self, question: str, sources: list[Source]) -> str:
        if not sources:
            return no_match_answer(question)
        projects = sorted({source.project_id for source in sources})
        noun = "source" if len(sources) == 1 else "sources"
        scope = f"{len(projects)} project" + ("" if len(projects) == 1 else "s")
        lines = [f"Found {len(sources)} relevant {noun} in {scope}. Most relevant first:"]
        for number, source in enumerate(sources[: self.quoted], start=1):
            quote = source.excerpt or "(no text)"
            lines.append(f"- {source.label.capitalize()} in {_where(source)}: {_sentence(quote)} [{number}]")
        rest = len(sources) - self.quoted
        if rest > 0:
            lines.append(f"{rest} more {'source is' if rest == 1 else 'sources are'} listed in sources "
                         f"([{self.quoted + 1}]\u2013[{len(sources)}]).")
        return "\n".join(lines)


# --- sources from retrieved items ------------------------------------------------------------------------------

# Excerpt ties go to the first text. The branch purpose, a label rather than prose, is quoted only
# when no sentence of the milestone's own texts shares a term with the question.
MILESTONE_TEXTS = ("thisContribution", "cumulativeProgress")
MILESTONE_FALLBACK_TEXTS = ("branchPurpose",)
KNOWLEDGE_TEXTS = ("summary",)
RECORD_TEXTS = ("text",)
_TEXTS = {"milestone": MILESTONE_TEXTS, "knowledge": KNOWLEDGE_TEXTS, "record": RECORD_TEXTS}
_IDS = {"milestone": "milestoneId", "knowledge": "knowledgeId", "record": "remoteId"}
PASSAGE_MAX = 1_000
PROMPT_SOURCES_BUDGET = 60_000


def passage_limit(count: int) -> int:
    """Characters of each source's passage in a model prompt: up to ``PASSAGE_MAX`` each, fewer when
    many sources share ``PROMPT_SOURCES_BUDGET``, never fewer than an excerpt."""
    return max(EXCERPT_MAX, min(PASSAGE_MAX, PROMPT_SOURCES_BUDGET // max(count, 1)))


def _texts(item: Mapping[str, Any], fields: tuple[str, ...]) -> list[str]:
    return [item[name] for name in fields if isinstance(item.get(name), str)]


def source_from(kind: str, project_id: str, doc_id: str, item: Mapping[str, Any], question: str,
                passage_max: int) -> Source:
    """A retrieved milestone, promoted knowledge item or external source record as a cited source."""
    fields = _TEXTS[kind]
    ranked = _rank(_texts(item, fields), question)
    if kind == "milestone" and not any(ranked.scores):
        ranked = _rank(_texts(item, fields + MILESTONE_FALLBACK_TEXTS), question)
    short, passage = _select(ranked, EXCERPT_MAX), _select(ranked, passage_max)
    external = ExternalOrigin(str(item.get("sourceId") or ""), str(item.get("sourceType") or ""),
                              str(item.get("url") or ""), str(item.get("author") or "")) if kind == "record" else None
    return Source(
        kind=kind,
        source_id=str(item.get(_IDS[kind]) or doc_id),
        project_id=str(item.get("projectId") or project_id),
        branch_name=item.get("branchName") if kind == "milestone" else None,
        created_at=item.get("time") if kind == "record" else item.get("createdAt") or item.get("updatedAt"),
        excerpt=short,
        passage=passage,
        external=external,
    )
