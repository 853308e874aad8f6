"""Full-text search over competencies: BM25 on an inverted index.

Each competency is a document; its section name counts too (at a lower weight), so
"mentoring" finds the Teaching and Mentoring statements as well as those that say
"mentorship". Words are stemmed (Snowball), and a few career words are expanded
to their everyday synonyms.
"""

from __future__ import annotations

import itertools
import math
import re
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
_WORD = re.compile(r"[^\W_]+(?:[.'][^\W_]+)*")  # words of any script: "führung", "멘토링"
_BREAK = "\x00"  # between texts joined for one pass; a NUL inside a text becomes a space
_BREAK_ID = -2
_WORD_OR_BREAK = re.compile(_BREAK + "|" + _WORD.pattern)
_ASCII_WORD_OR_BREAK = re.compile(_BREAK + r"|[a-z0-9]+(?:[.'][a-z0-9]+)*")


@dataclass(frozen=True)
class SearchHit:
    level: Level
    section: Section
    competency: Competency
    score: float
    # Higher levels of the same track that say the very same thing (a cumulative ladder
    # repeats a criterion at every level above): one hit, not one per level.
    also_at: tuple[Level, ...] = ()

    @property
    def where(self) -> str:
        """ "D4" or "D4–D7": the level, or the run of levels, that says it."""
        if not self.also_at:
            return self.level.label
        levels = (self.level, *self.also_at)
        if all(b.rank - a.rank == 1 for a, b in itertools.pairwise(levels)):
            return f"{self.level.label}–{self.also_at[-1].label}"
        return ", ".join(level.label for level in levels)  # "L1, L3": L2 does not say it


def _words(text: str) -> list[str]:
    return _in_grams(_WORD.findall(text.lower().replace("’", "'")))


# Japanese and Chinese write words without spaces: a run of their characters is read as its
# overlapping pairs ("メンタリング" -> "メン", "ンタ", ...), so a word is found inside a sentence.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _in_grams(words: list[str]) -> list[str]:
    if not any(_UNSPACED.search(word) for word in words):
        return words
    return [gram for word in words for gram in _grams(word)]


def _grams(word: str) -> list[str]:
    if not _UNSPACED.search(word):
        return [word]  # as found (the index's break between texts too)
    out: list[str] = []
    at = 0
    for run in _UNSPACED.finditer(word):
        out += _WORD.findall(word[at : run.start()])  # "e.g." before the run reads as "e.g" does alone
        text = run.group()
        out += [text[i : i + 2] for i in range(len(text) - 1)] or [text]
        at = run.end()
    return out + _WORD.findall(word[at:])


def terms(text: str) -> list[str]:
    out = []
    for word in _words(text):
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
        level_of_doc: list[int] = []
        section_of_doc: list[int] = []
        section_texts: list[str] = []
        for level_index, level in enumerate(levels):
            for section in level.sections:
                if not section.competencies:
                    continue
                section_texts.append(" ".join((*section.path, section.name)))  # a sub-category counts its parents
                self._entries += [(level, section, competency) for competency in section.competencies]
                level_of_doc += [level_index] * len(section.competencies)
                section_of_doc += [len(section_texts) - 1] * len(section.competencies)
        vocabulary = _TermIds()
        docs, term_ids = vocabulary.of_each([competency.text for _, _, competency in self._entries])
        section_docs, section_term_ids = _inherit(
            vocabulary.of_each(section_texts), np.array(section_of_doc, dtype=np.intp), len(section_texts)
        )
        self._level_ids = [level.id for level in levels]
        self._level_of_doc = np.array(level_of_doc, dtype=np.int32)
        self._postings = _postings(
            len(self._entries),
            vocabulary.stems,
            np.concatenate((docs, section_docs)),
            np.concatenate((term_ids, section_term_ids)),
            np.concatenate((np.ones(len(docs)), np.full(len(section_docs), SECTION_WEIGHT))),
        )
        total = len(self._entries)
        self._idf = {
            t: math.log(1 + (total - len(ids) + 0.5) / (len(ids) + 0.5)) for t, (ids, _) in self._postings.items()
        }

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, text: str, limit: int = 8, level_ids: set[str] | None = None) -> list[SearchHit]:
        if not self._entries:
            return []
        scores = np.zeros(len(self._entries), dtype=np.float64)
        for term, weight in _weighted_terms(text).items():
            if term in self._postings:
                ids, weights = self._postings[term]
                scores[ids] += weight * self._idf[term] * weights  # ids are unique within a term
        if level_ids is not None:
            scores[~self._allowed(level_ids)] = 0.0
        matched = np.flatnonzero(scores)
        if len(matched) > limit * 4:  # a common word matches thousands: sort only the best few
            kth = np.partition(scores[matched], len(matched) - limit)[len(matched) - limit]
            matched = matched[scores[matched] >= kth]  # every tie at the cut stays in
        # Best score first; ties in ladder order, so the same question always gets the same hits.
        best = matched[np.lexsort((matched, -scores[matched]))[:limit]].tolist()
        hits = []
        for doc in best:
            level, section, competency = self._entries[doc]
            hits.append(SearchHit(level, section, competency, round(float(scores[doc]), 3)))
        return hits

    def _allowed(self, level_ids: set[str]) -> np.ndarray:
        allowed_levels = [i for i, level_id in enumerate(self._level_ids) if level_id in level_ids]
        return np.isin(self._level_of_doc, allowed_levels)


class _TermIds(dict[str, int]):
    """Word -> the id of its stem (-1: a stopword), filled as words come: stemming and
    stopword checks run once per distinct word of the ladder, not once per occurrence."""

    def __init__(self) -> None:
        super().__init__({_BREAK: _BREAK_ID})
        self._ids: dict[str, int] = {}  # stem -> id, in order of first appearance

    @property
    def stems(self) -> list[str]:
        return list(self._ids)

    def of_each(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Every term of every text as (text index, term id) arrays, each text's terms as
        `terms(text)` would give them: one regex pass and one lookup pass over all the
        texts joined, rather than a Python call per text (the bulk of building an index)."""
        joined = _BREAK.join(text.replace(_BREAK, " ") if _BREAK in text else text for text in texts)
        lowered = joined.lower().replace("’", "'")
        if lowered.isascii():  # most ladders: the narrower pattern reads the same words, faster
            words = _ASCII_WORD_OR_BREAK.findall(lowered)
        else:
            words = _WORD_OR_BREAK.findall(lowered)
            if _UNSPACED.search(lowered):  # Japanese or Chinese: pay for the pairs only then
                words = _in_grams(words)
        ids = np.fromiter(map(self.__getitem__, words), dtype=np.int64, count=len(words))
        text_of_word = np.cumsum(ids == _BREAK_ID)
        kept = ids >= 0
        return text_of_word[kept], ids[kept]

    def __missing__(self, word: str) -> int:
        stems = terms(word)
        term = self._ids.setdefault(stems[0], len(self._ids)) if stems else -1
        self[word] = term
        return term


def _inherit(
    section_terms: tuple[np.ndarray, np.ndarray], section_of_doc: np.ndarray, sections: int
) -> tuple[np.ndarray, np.ndarray]:
    """(document, term id) for every term of each document's section: the section's terms
    repeated once per document in it."""
    section_of_term, term_ids = section_terms
    per_section = np.bincount(section_of_term, minlength=sections)
    first_of_section = np.cumsum(per_section) - per_section  # `sections` ascends: each one's terms are a run
    per_doc = per_section[section_of_doc]
    docs = np.repeat(np.arange(len(section_of_doc)), per_doc)
    offset_in_run = np.arange(len(docs)) - np.repeat(np.cumsum(per_doc) - per_doc, per_doc)
    return docs, term_ids[np.repeat(first_of_section[section_of_doc], per_doc) + offset_in_run]


def _postings(
    total: int, vocabulary: list[str], docs: np.ndarray, term_ids: np.ndarray, tfs: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each term's documents (ascending) and their BM25 term weights."""
    if not len(docs):
        return {}
    # One key per (term, document) pair, sorted: term-major, so each term's postings are a run.
    keys = term_ids.astype(np.int64) * total + docs.astype(np.int64)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    tf = np.add.reduceat(tfs.astype(np.float64)[order], starts)
    term, doc = np.divmod(keys[starts], total)
    lengths = np.bincount(doc, weights=tf, minlength=total)
    average = (lengths.sum() / total) or 1.0  # all-stopword ladders have length 0
    norm = K1 * (1 - B + B * lengths[doc] / average)
    weights = tf * (K1 + 1) / (tf + norm)
    doc = doc.astype(np.int32)
    bounds = np.flatnonzero(np.r_[True, term[1:] != term[:-1], True])
    return {vocabulary[term[start]]: (doc[start:end], weights[start:end]) for start, end in itertools.pairwise(bounds)}


def _weighted_terms(text: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for term in terms(text):
        weights[term] = 1.0
        for synonym in _SYNONYMS.get(term, ()):
            weights.setdefault(synonym, SYNONYM_WEIGHT)
    return weights
