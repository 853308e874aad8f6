"""Full-text search over competencies: BM25 on an inverted index.

Each competency is a document; its section name counts too (at a lower weight), so
"mentoring" finds the Teaching and Mentoring statements as well as those that say
"mentorship". Words are stemmed (Snowball), and a few career words are expanded
to their everyday synonyms.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from .model import Competency, Level, Section

K1 = 1.2
B = 0.75
SECTION_WEIGHT = 0.5
SYNONYM_WEIGHT = 0.5

_STOPWORDS = frozenset(
    "a an the and or of to in on at for with by from as is are was be been being am i me my we our "
    "you your it its this that these those how do does did can could should would what which who "
    "when where why get getting got better best more most improve improving grow growing good great "
    "at about into so than then there their them they he she his her will just also".split()
)
_SYNONYMS = {
    "mentor": ("coach", "teach", "train", "mentorship", "buddi", "level"),
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


@dataclass(frozen=True)
class SearchHit:
    level: Level
    section: Section
    competency: Competency
    score: float


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


def terms(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+(?:[.'][a-z0-9]+)*", text.lower().replace("’", "'"))
    return [_stem(w.replace("'s", "")) for w in words if w not in _STOPWORDS and len(w) > 1]


class SearchIndex:
    def __init__(self, levels: tuple[Level, ...]) -> None:
        self._entries: list[tuple[Level, Section, Competency]] = []
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        lengths: list[float] = []
        for level in levels:
            for section in level.sections:
                section_terms = terms(section.name)
                for competency in section.competencies:
                    doc_id = len(self._entries)
                    self._entries.append((level, section, competency))
                    counts: Counter[str] = Counter()
                    for term in terms(competency.text):
                        counts[term] += 1.0
                    for term in section_terms:
                        counts[term] += SECTION_WEIGHT
                    for term, weight in counts.items():
                        self._postings[term].append((doc_id, weight))
                    lengths.append(sum(counts.values()))
        self._lengths = lengths
        self._average = (sum(lengths) / len(lengths)) if lengths else 1.0

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, text: str, limit: int = 8, track_key: str | None = None,
               level_ids: set[str] | None = None) -> list[SearchHit]:
        scores: dict[int, float] = defaultdict(float)
        for term, weight in _weighted_terms(text).items():
            postings = self._postings.get(term)
            if not postings:
                continue
            idf = math.log(1 + (len(self._entries) - len(postings) + 0.5) / (len(postings) + 0.5))
            for doc_id, tf in postings:
                norm = K1 * (1 - B + B * self._lengths[doc_id] / self._average)
                scores[doc_id] += weight * idf * tf * (K1 + 1) / (tf + norm)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        hits = []
        for doc_id, score in ranked:
            level, section, competency = self._entries[doc_id]
            if (track_key and level.track_key != track_key) or (level_ids is not None and level.id not in level_ids):
                continue
            hits.append(SearchHit(level, section, competency, round(score, 3)))
            if len(hits) == limit:
                break
        return hits


def _weighted_terms(text: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for term in terms(text):
        weights[term] = 1.0
        for synonym in _SYNONYMS.get(term, ()):
            weights.setdefault(synonym, SYNONYM_WEIGHT)
    return weights
