"""Full-text search over competencies: BM25 on an inverted index.

Each competency is a document; its section name counts too (at a lower weight), so
"mentoring" finds the Teaching and Mentoring statements as well as those that say
"mentorship". Words are stemmed (Snowball), and a few career words are expanded
to their everyday synonyms.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

import snowballstemmer

from .model import Competency, Level, Section

K1 = 1.2
B = 0.75
SECTION_WEIGHT = 0.5
SYNONYM_WEIGHT = 0.5
MAX_STEMS = 100_000

_STOPWORDS = frozenset(
    "a an the and or of to in on at for with by from as is are was be been being am i me my we our "
    "you your it its this that these those how do does did can could should would what which who "
    "when where why get getting got better best more most improve improving grow growing good great "
    "at about into so than then there their them they he she his her will just also".split()
)
_SYNONYMS = {
    "mentor": ("coach", "teach", "train", "mentorship", "buddi"),
    "coach": ("mentor", "teach"),
    "teach": ("train", "mentor", "coach"),
    "lead": ("leader", "leadership", "guid", "own"),
    "leadership": ("lead", "leader"),
    "communic": ("convers", "explain", "write"),
    "secur": ("risk", "complianc"),
    "incid": ("outag", "alert", "postmortem"),
    "custom": ("user", "client"),
    "feedback": ("review", "challeng"),
}

_stemmer = snowballstemmer.stemmer("english")
_stems: dict[str, str] = {}
_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")


@dataclass(frozen=True)
class SearchHit:
    level: Level
    section: Section
    competency: Competency
    score: float


def terms(text: str) -> list[str]:
    out = []
    for word in _WORD.findall(text.lower().replace("’", "'")):
        if word in _STOPWORDS or len(word) < 2:
            continue
        stem = _stems.get(word)
        if stem is None:
            if len(_stems) > MAX_STEMS:  # people type anything: keep the cache bounded
                _stems.clear()
            stem = _stems[word] = _stemmer.stemWord(word[:-2] if word.endswith("'s") else word)
        out.append(stem)
    return out


class SearchIndex:
    """Postings hold each document's BM25 term weight, computed once here, as numpy
    arrays: a query adds idf x weight per term in one vectorised step and keeps the
    best few, so even a ladder of 40,000 competencies answers in milliseconds."""

    def __init__(self, levels: tuple[Level, ...]) -> None:
        self._entries: list[tuple[Level, Section, Competency]] = []
        counts_per_doc: list[dict[str, float]] = []
        level_of_doc: list[int] = []
        for level_index, level in enumerate(levels):
            for section in level.sections:
                section_terms = terms(" ".join((*section.path, section.name)))  # a sub-category counts its parents
                for competency in section.competencies:
                    self._entries.append((level, section, competency))
                    level_of_doc.append(level_index)
                    counts: dict[str, float] = {}
                    for term in terms(competency.text):
                        counts[term] = counts.get(term, 0.0) + 1.0
                    for term in section_terms:
                        counts[term] = counts.get(term, 0.0) + SECTION_WEIGHT
                    counts_per_doc.append(counts)
        self._level_ids = [level.id for level in levels]
        self._level_of_doc = np.array(level_of_doc, dtype=np.int32)
        self._postings = _postings(counts_per_doc)
        total = len(self._entries)
        self._idf = {t: math.log(1 + (total - len(ids) + 0.5) / (len(ids) + 0.5)) for t, (ids, _) in self._postings.items()}

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, text: str, limit: int = 8, track_key: str | None = None,
               level_ids: set[str] | None = None) -> list[SearchHit]:
        if not self._entries:
            return []
        scores = np.zeros(len(self._entries), dtype=np.float64)
        for term, weight in _weighted_terms(text).items():
            if term in self._postings:
                ids, weights = self._postings[term]
                scores[ids] += weight * self._idf[term] * weights  # ids are unique within a term
        if track_key is not None or level_ids is not None:
            scores[~self._allowed(track_key, level_ids)] = 0.0
        matched = np.flatnonzero(scores)
        if len(matched) > limit * 4:  # a common word matches thousands: sort only the best few
            kth = np.partition(scores[matched], len(matched) - limit)[len(matched) - limit]
            matched = matched[scores[matched] >= kth]  # every tie at the cut stays in
        # Best score first; ties in ladder order, so the same question always gets the same hits.
        best = matched[np.lexsort((matched, -scores[matched]))[:limit]].tolist()
        return [SearchHit(*self._entries[doc], round(float(scores[doc]), 3)) for doc in best]

    def _allowed(self, track_key: str | None, level_ids: set[str] | None) -> np.ndarray:
        allowed_levels = [i for i, level_id in enumerate(self._level_ids)
                          if (level_ids is None or level_id in level_ids)
                          and (track_key is None or level_id.split("/", 1)[0] == track_key)]
        return np.isin(self._level_of_doc, allowed_levels)


def _postings(counts_per_doc: list[dict[str, float]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    lengths = [sum(c.values()) for c in counts_per_doc]
    average = (sum(lengths) / len(lengths) if lengths else 0.0) or 1.0  # all-stopword ladders have length 0
    lists: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
    for doc_id, counts in enumerate(counts_per_doc):
        norm = K1 * (1 - B + B * lengths[doc_id] / average)
        for term, tf in counts.items():
            ids, weights = lists[term]
            ids.append(doc_id)
            weights.append(tf * (K1 + 1) / (tf + norm))
    return {term: (np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float64)) for term, (ids, weights) in lists.items()}


def _weighted_terms(text: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for term in terms(text):
        weights[term] = 1.0
        for synonym in _SYNONYMS.get(term, ()):
            weights.setdefault(synonym, SYNONYM_WEIGHT)
    return weights
