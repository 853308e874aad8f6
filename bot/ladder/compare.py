"""What really changes between two levels, section by section.

Competencies of the two documents are paired by wording similarity inside each section.
A pair whose wording moves ("becoming proficient" -> "proficient") is a change of
degree and carries a word diff; a competency of the higher level with no pair is new;
one of the lower level with no pair is "not repeated" at the higher level (or "still
expected", when the ladder is cumulative).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from .model import Competency, Level, Section

PAIR_THRESHOLD = 62  # below this two statements are about different things


@dataclass(frozen=True)
class DiffPiece:
    op: str  # "same", "removed" or "added"
    text: str


@dataclass(frozen=True)
class ChangedCompetency:
    before: Competency
    after: Competency
    pieces: tuple[DiffPiece, ...]


@dataclass(frozen=True)
class SectionDiff:
    key: str
    name: str
    emoji: str
    new: tuple[Competency, ...] = ()
    changed: tuple[ChangedCompetency, ...] = ()
    dropped: tuple[Competency, ...] = ()
    unchanged: tuple[Competency, ...] = ()
    status: str = "both"  # "both", "new" (only the higher level has it) or "dropped"

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.changed or self.dropped)


@dataclass(frozen=True)
class MetadataChange:
    label: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Comparison:
    lower: Level
    higher: Level
    sections: tuple[SectionDiff, ...]
    metadata: tuple[MetadataChange, ...]

    @property
    def cumulative(self) -> bool:
        """The ladder says a level includes everything below it."""
        return self.lower.cumulative and self.higher.cumulative

    @property
    def dropped_label(self) -> str:
        """What an item of the lower level that the higher one does not repeat means: in a
        cumulative ladder it is still expected; otherwise the higher level just does not say."""
        return "Still expected" if self.cumulative else f"Not repeated at {self.higher.label}"

    @property
    def dropped_summary(self) -> str:
        label = self.dropped_label
        return label[0].lower() + label[1:]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "new": sum(len(s.new) for s in self.sections),
            "changed": sum(len(s.changed) for s in self.sections),
            "dropped": sum(len(s.dropped) for s in self.sections),
            "unchanged": sum(len(s.unchanged) for s in self.sections),
        }


def compare_levels(first: Level, second: Level) -> Comparison:
    """Compare two levels; the lower-ranked one is the starting point (also across tracks,
    which rank separately: the lower rank comes first)."""
    lower, higher = (first, second) if first.rank <= second.rank else (second, first)
    return Comparison(lower, higher, _section_diffs(lower, higher), _metadata_changes(lower, higher))


def _section_diffs(lower: Level, higher: Level) -> tuple[SectionDiff, ...]:
    unmatched_lower = [s for s in lower.sections if higher.section(s.key) is None and s.competencies]
    unmatched_higher = [s for s in higher.sections if lower.section(s.key) is None and s.competencies]
    renamed = _renamed_sections(unmatched_lower, unmatched_higher)
    diffs = []
    for section in higher.sections:
        before = lower.section(section.key) or renamed.get(section.key)
        diffs.append(_diff_section(before, section) if before else _only_in(section, "new"))
    kept = {s.key for s in renamed.values()}
    diffs += [_only_in(s, "dropped") for s in unmatched_lower if s.key not in kept]
    return tuple(d for d in diffs if d.has_changes or d.unchanged)


def _renamed_sections(lower: list[Section], higher: list[Section]) -> dict[str, Section]:
    """Higher-level category key -> the lower level's category it carries on, for ladders
    whose category names change from level to level ("I write good code." becomes "I am
    trusted to ship features."): the pair whose statements match most, each used once, and
    only when a third of the smaller one's statements find a match."""
    if not lower or not higher:
        return {}
    # Whole-statement similarity alone, cut off at the threshold: a quick look, as most
    # comparisons have categories that came and went rather than ones renamed.
    scores = process.cdist(
        [_normal(c.text) for s in lower for c in s.competencies],
        [_normal(c.text) for s in higher for c in s.competencies],
        scorer=fuzz.ratio,
        score_cutoff=PAIR_THRESHOLD,
        dtype=np.float64,
    )
    rows = np.cumsum([0, *(len(s.competencies) for s in lower)])
    columns = np.cumsum([0, *(len(s.competencies) for s in higher)])
    candidates = []
    for i, before in enumerate(lower):
        for j, after in enumerate(higher):
            block = scores[rows[i] : rows[i + 1], columns[j] : columns[j + 1]]
            matches = int(np.count_nonzero(block.max(axis=1) >= PAIR_THRESHOLD))
            if matches and matches * 3 >= min(len(before.competencies), len(after.competencies)):
                candidates.append((matches, -abs(i - j), i, j))
    renamed: dict[str, Section] = {}
    used: set[int] = set()
    for _matches, _distance, i, j in sorted(candidates, reverse=True):
        if i not in used and higher[j].key not in renamed:
            used.add(i)
            renamed[higher[j].key] = lower[i]
    return renamed


def _only_in(section: Section, status: str) -> SectionDiff:
    items = section.competencies
    return SectionDiff(
        section.key,
        section.full_name,
        section.emoji,
        status=status,
        new=items if status == "new" else (),
        dropped=items if status == "dropped" else (),
    )


def _diff_section(before: Section, after: Section) -> SectionDiff:
    pairs = pair_competencies(before.competencies, after.competencies)
    paired_before = {id(b) for b, _ in pairs}
    paired_after = {id(a) for _, a in pairs}
    changed, unchanged = [], []
    for old, new in pairs:
        if _normal(old.text) == _normal(new.text):
            unchanged.append(new)
        else:
            changed.append(ChangedCompetency(old, new, word_diff(old.text, new.text)))
    order = {id(c): i for i, c in enumerate(after.competencies)}
    changed.sort(key=lambda c: order[id(c.after)])
    return SectionDiff(
        after.key,
        after.full_name,
        after.emoji,
        new=tuple(c for c in after.competencies if id(c) not in paired_after),
        changed=tuple(changed),
        dropped=tuple(c for c in before.competencies if id(c) not in paired_before),
        unchanged=tuple(unchanged),
    )


def pair_competencies(
    before: tuple[Competency, ...], after: tuple[Competency, ...]
) -> list[tuple[Competency, Competency]]:
    """Greedy best-first pairing: the most similar statements pair first, each once."""
    if not before or not after:
        return []
    scores = similarities([b.text for b in before], [a.text for a in after])
    scored = sorted(
        ((float(scores[i, j]), i, j) for i, j in zip(*np.nonzero(scores >= PAIR_THRESHOLD), strict=True)), reverse=True
    )
    used_before: set[int] = set()
    used_after: set[int] = set()
    pairs = []
    for _score, i, j in scored:  # every one above the threshold, most similar first
        if i in used_before or j in used_after:
            continue
        used_before.add(i)
        used_after.add(j)
        pairs.append((before[i], after[j]))
    return pairs


def similarities(before: list[str], after: list[str]) -> np.ndarray:
    """0-100 for every (before, after) pair, as a matrix (rapidfuzz scores them all in one
    call): whole-statement similarity, helped by shared wording when one statement extends
    the other ("... as code" -> "... as code and guide my team")."""
    a, b = [_normal(t) for t in before], [_normal(t) for t in after]
    ratio = process.cdist(a, b, scorer=fuzz.ratio, dtype=np.float64)
    token_set = process.cdist(a, b, scorer=fuzz.token_set_ratio, dtype=np.float64)
    long_enough = np.minimum.outer(np.array([len(t) for t in a]), np.array([len(t) for t in b])) > 30
    return np.maximum(ratio, np.where(long_enough, 0.85 * token_set, 0))


def word_diff(before: str, after: str) -> tuple[DiffPiece, ...]:
    old, new = before.split(), after.split()
    matcher = difflib.SequenceMatcher(a=[_normal(w) for w in old], b=[_normal(w) for w in new], autojunk=False)
    pieces: list[DiffPiece] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(DiffPiece("same", " ".join(new[j1:j2])))
            continue
        if i2 > i1:
            pieces.append(DiffPiece("removed", " ".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(DiffPiece("added", " ".join(new[j1:j2])))
    return tuple(pieces)


def _metadata_changes(lower: Level, higher: Level) -> tuple[MetadataChange, ...]:
    keys = list(dict.fromkeys([m.key for m in higher.metadata] + [m.key for m in lower.metadata]))
    labels = {m.key: m.label for m in (*lower.metadata, *higher.metadata)}
    changes = []
    for key in keys:
        before, after = lower.meta(key), higher.meta(key)
        if _normal(before or "") != _normal(after or ""):
            changes.append(MetadataChange(labels[key], before, after))
    return tuple(changes)


@lru_cache(maxsize=200_000)
def _normal(text: str) -> str:
    return _NOT_WORDY.sub("", text.lower().replace("’", "'")).strip()


_NOT_WORDY = re.compile(r"[^\w ]|_")  # letters of any script stay: a Korean ladder compares too
