"""The loaded ladder: every level, by track, and how to find one from what someone typed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import fuzz, process

from .codes import code_rank, numerals_as_digits
from .model import Level, Track
from .query import LevelRef

MATCH_THRESHOLD = 70  # below this a fuzzy match is a guess, not an answer
AMBIGUITY_MARGIN = 4  # candidates this close to the best one are equally likely


@dataclass(frozen=True)
class Resolution:
    """What a `LevelRef` names: one level, several candidates, or nothing."""

    level: Level | None = None
    candidates: tuple[Level, ...] = ()
    suggestions: tuple[Level, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.level is None and len(self.candidates) > 1


@dataclass
class Ladder:
    levels: tuple[Level, ...]
    _by_id: dict[str, Level] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.levels = tuple(sorted(self.levels, key=lambda l: (l.track_key, l.rank, l.title)))
        self._by_id = {level.id: level for level in self.levels}

    def __len__(self) -> int:
        return len(self.levels)

    def get(self, level_id: str | None) -> Level | None:
        return self._by_id.get(level_id or "")

    @cached_property
    def tracks(self) -> dict[str, Track]:
        tracks: dict[str, Track] = {}
        for level in self.levels:
            tracks.setdefault(level.track_key, Track(level.track_key, level.track)).levels.append(level)
        return tracks

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every word that appears in a title, track, alias or level code."""
        words: set[str] = set()
        for level in self.levels:
            for name in _names(level):
                words.update(_tokens(name))
        return frozenset(words | {"engineer", "engineering"})

    @cached_property
    def code_prefixes(self) -> frozenset[str]:
        """ "L" for L2, L3...; "IC" too if a ladder has IC4."""
        return frozenset(re.sub(r"[\d.].*$", "", l.code) for l in self.levels if l.code) or frozenset({"L"})

    @cached_property
    def _names_of(self) -> dict[str, tuple[str, ...]]:
        """Every name of every level, normalised once, not on every question."""
        return {l.id: tuple(" ".join(_tokens(n)) for n in _names(l)) for l in self.levels}

    @cached_property
    def _codes_by_track(self) -> dict[str, frozenset[str]]:
        return {key: frozenset(l.code.upper() for l in track.levels) for key, track in self.tracks.items()}

    @cached_property
    def _track_words(self) -> dict[str, set[str]]:
        return {key: set(_tokens(track.name)) | set(_tokens(key)) for key, track in self.tracks.items()}

    def neighbours(self, level: Level, step: int) -> list[Level]:
        """The levels one rank above (step=1) or below (step=-1) in the same track."""
        ranks = sorted({l.rank for l in self.tracks[level.track_key].levels})
        index = ranks.index(level.rank) + step
        if not 0 <= index < len(ranks):
            return []
        return [l for l in self.tracks[level.track_key].levels if l.rank == ranks[index]]

    def steps_between(self, lower: Level, higher: Level) -> int | None:
        """How many ranks of its track `higher` is above `lower` (sub-levels count as steps);
        None for levels of different tracks, which no count of steps connects."""
        if lower.track_key != higher.track_key:
            return None
        return sum(
            1 for rank in {l.rank for l in self.tracks[lower.track_key].levels} if lower.rank < rank <= higher.rank
        )

    @cached_property
    def _tracks_by_word(self) -> dict[str, set[str]]:
        index: dict[str, set[str]] = {}
        for key, track_words in self._track_words.items():
            for word in track_words - {"engineering", "engineer"}:
                index.setdefault(word, set()).add(key)
        return index

    @cached_property
    def _by_code(self) -> dict[str, list[Level]]:
        index: dict[str, list[Level]] = {}
        for level in self.levels:
            if level.code:
                index.setdefault(level.code.upper(), []).append(level)
        return index

    @cached_property
    def _by_name(self) -> dict[str, list[Level]]:
        index: dict[str, list[Level]] = {}
        for level in self.levels:
            for name in dict.fromkeys(self._names_of[level.id]):
                index.setdefault(name, []).append(level)
        return index

    def named(self, text: str) -> list[Level]:
        """The levels whose title, alias or code-and-title is exactly `text`: "Senior L1" is
        the level a company calls that, not a lookup of the code L1 (two tracks may both
        have a "Senior L2")."""
        return list(self._by_name.get(" ".join(_tokens(text)), []))

    def track_named_in(self, words: str) -> str | None:
        """The one track whose name appears in `words` ("cloud", "support"), if any."""
        hits: set[str] = set()
        for word in set(_tokens(words)):
            hits |= self._tracks_by_word.get(word, set())
        return next(iter(hits)) if len(hits) == 1 else None

    def tracks_with(self, *codes: str) -> list[str]:
        return [key for key, present in self._codes_by_track.items() if all(c.upper() in present for c in codes)]

    def resolve(self, ref: LevelRef, track_key: str | None = None) -> Resolution:
        # Indexes by track, code and name keep this cheap on a ladder of thousands of levels.
        if ref.code:
            pool = [l for l in self._by_code.get(ref.code.upper(), ()) if track_key in (None, l.track_key)]
        elif track_key is not None:
            pool = list(self.tracks[track_key].levels) if track_key in self.tracks else []
        else:
            pool = list(self.levels)
        words = " ".join(_tokens(ref.words))
        if not pool:
            return Resolution(suggestions=self._suggest(ref, track_key))
        if not words:
            return Resolution(level=pool[0]) if len(pool) == 1 else Resolution(candidates=tuple(pool))
        in_pool = {l.id for l in pool} if len(pool) != len(self.levels) else None
        exact = [l for l in self._by_name.get(words, ()) if in_pool is None or l.id in in_pool]
        if len(exact) == 1:
            return Resolution(level=exact[0])
        return self._best_fuzzy(ref, words, exact or pool, track_key)

    def _best_fuzzy(self, ref: LevelRef, words: str, pool: list[Level], track_key: str | None) -> Resolution:
        pool = self._shortlist(words, pool)
        scored = sorted(((_score(words, self._names_of[l.id]), l) for l in pool), key=lambda pair: -pair[0])
        best_score = scored[0][0]
        if best_score < MATCH_THRESHOLD:
            return Resolution(suggestions=self._suggest(ref, track_key))
        close = [l for s, l in scored if s >= best_score - AMBIGUITY_MARGIN]
        return Resolution(level=close[0]) if len(close) == 1 else Resolution(candidates=tuple(close))

    def _shortlist(self, words: str, pool: list[Level], size: int = 12) -> list[Level]:
        """For a big ladder, let rapidfuzz's C loop pick the few levels worth scoring closely."""
        if len(pool) <= size:
            return pool
        sharing = self._sharing_a_word(words) if len(pool) == len(self.levels) else None
        if sharing is not None and len(sharing) > size:  # levels with a (not too common) word of the question
            pool = sharing
        if sharing is None and len(pool) == len(self.levels):
            names, owners = self._all_names  # the whole ladder: built once, not on every question
        else:
            owners = [level for level in pool for _ in self._names_of[level.id]]
            names = [name for level in pool for name in self._names_of[level.id]]
        top = process.extract(words, names, scorer=fuzz.token_set_ratio, limit=size * 6)
        return list({owners[index].id: owners[index] for _, _, index in top}.values())

    def _sharing_a_word(self, words: str) -> list[Level] | None:
        """Levels whose names share a word with the question, leaving out words that a third
        of the ladder has ("engineer"); None when no such word is there (a typo: look at all)."""
        common = max(50, len(self.levels) // 3)
        found: set[int] = set()
        for word in set(words.split()):
            hits = self._levels_by_word.get(word)
            if hits and len(hits) <= common:
                found |= hits
        return [self.levels[i] for i in sorted(found)] if found else None

    @cached_property
    def _levels_by_word(self) -> dict[str, set[int]]:
        index: dict[str, set[int]] = {}
        for i, level in enumerate(self.levels):
            for name in self._names_of[level.id]:
                for word in name.split():
                    index.setdefault(word, set()).add(i)
        return index

    @cached_property
    def _all_names(self) -> tuple[list[str], list[Level]]:
        owners = [level for level in self.levels for _ in self._names_of[level.id]]
        return [name for level in self.levels for name in self._names_of[level.id]], owners

    def _suggest(self, ref: LevelRef, track_key: str | None, limit: int = 3) -> tuple[Level, ...]:
        """The nearest levels to something that matched nothing."""
        query = " ".join(_tokens(str(ref)))
        if not query or not self.levels:
            return self.levels[:limit]
        candidates = self.levels
        rank = code_rank(ref.code or "")
        if rank is not None and len(candidates) > 50:  # "L9 wizard": look near rank 9 first
            near = [l for l in candidates if abs(l.rank - rank) <= 1]
            candidates = tuple(near) or candidates
        choices = {l.id: " ".join(self._names_of[l.id]) for l in candidates}
        ranked = process.extract(query, choices, scorer=fuzz.token_set_ratio, limit=len(choices))
        by_rank = sorted(ranked, key=lambda r: -r[1] + _rank_distance(ref, self._by_id[r[2]]) * 15)
        return tuple(self._by_id[key] for _, _, key in by_rank[:limit])


def _rank_distance(ref: LevelRef, level: Level) -> float:
    rank = code_rank(ref.code or "")
    return abs(rank - level.rank) if rank is not None else 0


def _names(level: Level) -> list[str]:
    bare = re.sub(r"\s*\([^)]*\)\s*$", "", level.title)  # "Senior L2 (Management Track)" is a "Senior L2"
    return [
        level.title,
        *([bare] if bare and bare != level.title else []),
        f"{level.title} {level.track}",
        f"{level.code} {level.title}",
        f"{level.code} {level.title} {level.track}",
        f"{level.track} {level.code}",
        *level.aliases,
    ]


def _score(words: str, names: tuple[str, ...]) -> float:
    """How well `words` names a level by its `names`: all the words must be there (token
    set), and the closer the whole phrase, the better (plain ratio breaks ties)."""
    subset = max(fuzz.token_set_ratio(words, n) for n in names)
    whole = max(fuzz.ratio(words, n) for n in names)
    return 0.8 * subset + 0.2 * whole


def _tokens(text: str) -> list[str]:
    return numerals_as_digits(re.findall(r"[^\W_]+", text.lower()))
