"""Answer a ladder question: intent in, a typed answer out, for any renderer to draw."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .codes import has_seniority_word, seniority
from .compare import Comparison, compare_levels
from .ladder import Ladder, Resolution
from .loader import gc_paused
from .manager_query import MANAGER_INTENTS
from .model import Level
from .query import EXAMPLES_FLAG, PERSONAL_INTENTS, Compare, Intent, LevelRef, Lookup, Search, Usage, parse_query
from .search import SearchHit, SearchIndex


@dataclass(frozen=True)
class Option:
    """A follow-up someone can pick: `query` is what asking it again would type."""

    label: str
    query: str


@dataclass(frozen=True)
class LevelAnswer:
    level: Level
    show_examples: bool = False
    next_levels: tuple[Level, ...] = ()
    previous_levels: tuple[Level, ...] = ()

    @property
    def empty_note(self) -> str:
        """What to say instead of nothing when the ladder lists no criteria for the level."""
        if self.level.competency_count or self.level.example_count:
            return ""
        return (
            "This level lists no criteria yet: its source document may say more, or the ladder is still being written."
        )


@dataclass(frozen=True)
class CompareAnswer:
    comparison: Comparison


@dataclass(frozen=True)
class SearchAnswer:
    query: str
    hits: tuple[SearchHit, ...]
    suggestions: tuple[Option, ...] = ()


@dataclass(frozen=True)
class ChoiceAnswer:
    """The question could mean several things: ask which."""

    question: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class NotFoundAnswer:
    message: str
    suggestions: tuple[Option, ...] = ()


@dataclass(frozen=True)
class HelpAnswer:
    examples: tuple[str, ...] = field(default_factory=tuple)
    message: str = ""


Answer = LevelAnswer | CompareAnswer | SearchAnswer | ChoiceAnswer | NotFoundAnswer | HelpAnswer


def level_query(level: Level) -> str:
    """A query that names exactly this level, for buttons and suggestions."""
    track = "" if _names_its_track(level) else level.track
    return " ".join(part for part in (level.code, level.title, track) if part)


def _folded(hits: list[SearchHit]) -> tuple[SearchHit, ...]:
    """One hit per statement and track: the same sentence at D4, D5, D6 and D7 reads once,
    at its lowest level, "D4–D7"."""
    groups: dict[tuple[str, str, str], list[SearchHit]] = {}
    for hit in hits:
        key = (hit.level.track_key, hit.section.key, " ".join(hit.competency.text.lower().split()))
        groups.setdefault(key, []).append(hit)
    folded = []
    for same in groups.values():
        ordered = sorted(same, key=lambda h: h.level.rank)
        first = max(same, key=lambda h: h.score)
        folded.append(replace(first, level=ordered[0].level, also_at=tuple(h.level for h in ordered[1:])))
    return tuple(sorted(folded, key=lambda h: -h.score))


def _with_rank_words(words: str, resolution: Resolution) -> Resolution:
    """ "staff engineer" among four engineer levels: only those that say "staff" are
    candidates; with none, the first stands in (and is then found lacking the word)."""
    fitting = tuple(l for l in resolution.candidates if not _rank_words_missing(words, l))
    if len(fitting) == 1:
        return Resolution(level=fitting[0])
    if fitting:
        return Resolution(candidates=fitting)
    return Resolution(level=resolution.candidates[0])


_SPELLED_OUT = {"sr": "senior", "jr": "junior"}


def _rank_words_missing(words: str, level: Level) -> bool:
    """A seniority word asked for ("staff", "distinguished") that the level's names lack."""
    names = " ".join((level.title, level.track, *level.aliases)).lower()
    asked = [_SPELLED_OUT.get(word, word) for word in re.findall(r"[^\W_]+", words.lower())]
    return any(has_seniority_word(word) and word not in names for word in asked)


def level_label(level: Level) -> str:
    """ "L3: Senior Engineer (Cloud)" for a choice; the track only where the name lacks it."""
    return level.name if _names_its_track(level) else f"{level.name} ({level.track})"


def _names_its_track(level: Level) -> bool:
    """ "L3: Ops Leadership" in Ops Leadership, "Senior L2 (Management Track)" in Management
    (whole words: "Engineer" does not name the track "Eng")."""
    return re.search(rf"(?i)\b{re.escape(level.track)}\b", level.title) is not None


def compare_query(first: Level, second: Level) -> str:
    return f"compare {level_query(first)} and {level_query(second)}"


class Answerer:
    """The ladder's question-answering service; one per loaded ladder."""

    def __init__(self, ladder: Ladder) -> None:
        self.ladder = ladder
        self._examples: tuple[str, ...] | None = None
        with gc_paused():
            self.index = SearchIndex(ladder.levels)

    def parse(self, text: str) -> Intent:
        intent = parse_query(text, self.ladder.vocabulary, self.ladder.code_prefixes)
        if isinstance(intent, (Lookup, Search, Compare)):
            # A level's own name wins over the codes inside it: "Senior L1" is the level the
            # company calls that, not a lookup of the code L1, and "L4 Senior L2" is no compare
            # (in Slack and the terminal alike).
            name = " ".join(EXAMPLES_FLAG.sub(" ", text).split())
            if self.ladder.named(name):
                return Lookup(LevelRef(None, name), bool(EXAMPLES_FLAG.search(text)))
        return intent

    def ask(self, text: str, *, examples: bool = False) -> Answer:
        intent = self.parse(text)
        if isinstance(intent, Lookup) and examples:
            intent = Lookup(intent.ref, True)
        return self.answer(intent)

    def answer(self, intent: Intent) -> Answer:
        if isinstance(intent, Lookup):
            return self.lookup(intent.ref, intent.examples)
        if isinstance(intent, Compare):
            return self.compare(intent.first, intent.second)
        if isinstance(intent, Search):
            return self.search(intent.text)
        if isinstance(intent, Usage):
            return HelpAnswer(self.example_questions(), intent.message)
        if isinstance(intent, PERSONAL_INTENTS + MANAGER_INTENTS):
            return HelpAnswer(self.example_questions(), "That one is about your own profile: ask me in Slack.")
        return HelpAnswer(self.example_questions())

    # --- lookup -------------------------------------------------------------------

    def lookup(self, ref: LevelRef, examples: bool = False) -> Answer:
        if not self.ladder.levels:
            return NotFoundAnswer("No ladder documents are loaded yet.")
        named = self.ladder.named(ref.words) if not ref.code else []
        if len(named) == 1:
            return self._level_answer(named[0], examples)
        resolution = (
            Resolution(candidates=tuple(named))
            if named
            else self.ladder.resolve(ref, self.ladder.track_named_in(ref.words) if not ref.code else None)
        )
        if resolution.level is None and ref.code:
            resolution = self.ladder.resolve(ref)
        if not ref.code and resolution.candidates:
            resolution = _with_rank_words(ref.words, resolution)
        if resolution.level and not ref.code and _rank_words_missing(ref.words, resolution.level):
            # "Distinguished Engineer" is not the Engineer level: say it is not in the ladder.
            return self._not_found(ref, Resolution(suggestions=self._nearest_in_rank(ref.words, resolution.level)))
        if resolution.level:
            return self._level_answer(resolution.level, examples)
        if ref.code and ref.words and not self.ladder.track_named_in(ref.words):
            within = self._search_within(ref)  # "L3 mentoring": a topic, not a title ("L3 support" is a title)
            if within is not None:
                return within
            plain = self.ladder.resolve(LevelRef(ref.code))
            if plain.level:  # nothing on that topic, but the level itself is clear
                return self._level_answer(plain.level, examples)
        if resolution.ambiguous:
            return ChoiceAnswer(
                f"Several levels match “{ref}”. Which one?",
                tuple(
                    Option(level_label(l), level_query(l) + (" examples" if examples else ""))
                    for l in resolution.candidates
                ),
            )
        return self._not_found(ref, resolution)

    def _nearest_in_rank(self, words: str, near: Level) -> tuple[Level, ...]:
        """The levels of `near`'s track closest in seniority to the title asked for."""
        wanted = seniority(words)
        track = self.ladder.tracks[near.track_key].levels
        return tuple(sorted(track, key=lambda l: (abs(seniority(l.title) - wanted), -l.rank))[:3])

    def _level_answer(self, level: Level, examples: bool) -> LevelAnswer:
        return LevelAnswer(
            level, examples, tuple(self.ladder.neighbours(level, 1)), tuple(self.ladder.neighbours(level, -1))
        )

    def _search_within(self, ref: LevelRef) -> SearchAnswer | None:
        levels = self.ladder.resolve(LevelRef(ref.code))
        ids = {l.id for l in ((levels.level,) if levels.level else levels.candidates)}
        hits = tuple(self.index.search(ref.words, level_ids=ids)) if ids else ()
        return SearchAnswer(f"{ref.words} at {ref.code}", hits) if hits else None

    def _not_found(self, ref: LevelRef, resolution: Resolution) -> NotFoundAnswer:
        return NotFoundAnswer(
            f"I couldn't find a level called “{ref}”.",
            tuple(Option(level_label(l), level_query(l)) for l in resolution.suggestions),
        )

    # --- compare ------------------------------------------------------------------

    def compare(self, first: LevelRef, second: LevelRef) -> Answer:
        shared = self._shared_track(first, second)
        if isinstance(shared, ChoiceAnswer):
            return shared
        one, two = self._resolve_side(first, second, shared), self._resolve_side(second, first, shared)
        # A level named unambiguously settles the other side: its track ("L2 vs L4 lead"),
        # or, for the same code, the other level of that code ("L2 vs L2 support").
        if one.level and two.ambiguous:
            two = self._settle(second, two, one.level)
        elif two.level and one.ambiguous:
            one = self._settle(first, one, two.level)
        for ref, resolution in ((first, one), (second, two)):
            if resolution.level is None and not resolution.ambiguous:
                if not (first.code or second.code):  # "mentoring vs coaching": topics, not levels
                    return self.search(f"{first.words} {second.words}")
                return self._not_found(ref, resolution)
        if one.level and two.level:
            if one.level.id == two.level.id:
                return NotFoundAnswer(f"“{first}” and “{second}” are the same level: {one.level.name}.")
            return CompareAnswer(compare_levels(one.level, two.level))
        pairs = [
            (a, b)
            for a in (one.candidates or (one.level,))
            for b in (two.candidates or (two.level,))
            if a and b and a.id != b.id
        ]
        # "Designer II vs Designer III" in a ladder of nine design tracks: nine choices, not 81.
        pairs = [(a, b) for a, b in pairs if a.track_key == b.track_key] or pairs
        return ChoiceAnswer(
            "Which two levels do you mean?",
            tuple(
                Option(
                    f"{a.name} vs {b.name} ({a.track if a.track_key == b.track_key else f'{a.track} → {b.track}'})",
                    compare_query(a, b),
                )
                for a, b in pairs
            ),
        )

    def _settle(self, ref: LevelRef, resolution: Resolution, known: Level) -> Resolution:
        others = [l for l in resolution.candidates if l.id != known.id]
        if ref.code == known.code and len(others) == 1:
            return Resolution(level=others[0])
        settled = self._resolve_side(ref, LevelRef(), None, track=known.track_key)
        return settled if settled.level or settled.ambiguous else resolution

    def _resolve_side(self, ref: LevelRef, other: LevelRef, shared: str | None, track: str | None = None) -> Resolution:
        """A side's own track words win; a side with none takes the other's (unless both
        name the same code: "L2 vs L2 support" means two different L2s), or the shared one."""
        if track is None:
            borrowed = self.ladder.track_named_in(other.words) if ref.code != other.code else None
            track = (self.ladder.track_named_in(ref.words) if ref.words else borrowed) or shared
        resolution = self.ladder.resolve(ref, track)
        if resolution.level is None and not resolution.ambiguous and ref.code and ref.words:
            resolution = self.ladder.resolve(LevelRef(ref.code), track)  # "L4 in communication": the level
        return resolution

    def _shared_track(self, first: LevelRef, second: LevelRef) -> str | ChoiceAnswer | None:
        """The track both levels are taken from when neither side says."""
        if first.words or second.words or not (first.code and second.code):
            return None
        tracks = self.ladder.tracks_with(first.code, second.code)
        if len(tracks) == 1:
            return tracks[0]
        if not tracks:
            return None
        return ChoiceAnswer(
            f"{first.code} and {second.code} exist in several tracks. Which one?",
            tuple(
                Option(self.ladder.tracks[t].name, f"{first.code} vs {second.code} {self.ladder.tracks[t].name}")
                for t in tracks
            ),
        )

    # --- search -------------------------------------------------------------------

    def search(self, text: str, limit: int = 8) -> Answer:
        hits = _folded(self.index.search(text, limit * 4))[:limit]
        if hits:
            return SearchAnswer(text, hits)
        others = [q for q in self.example_questions() if q.lower().strip(" ?") != text.lower().strip(" ?")]
        return SearchAnswer(text, (), tuple(Option(q, q) for q in others[:3]))

    def example_questions(self) -> tuple[str, ...]:
        """Questions that work on this ladder, made from its own levels (the last tracks'):
        each opens a level, a comparison or search hits, never a choice or nothing. Worked
        out once per ladder: trying the short comparisons costs a few."""
        if self._examples is None:
            examples: list[str] = []
            for track in reversed(self.ladder.tracks.values()):
                if len(examples) >= 5:
                    break
                levels = track.levels
                examples.append(level_query(levels[-1]))
                if len(levels) >= 2:
                    examples.append(self._compare_example(levels[0], levels[1]))
            if self.index.search("mentoring", 1):
                examples.append("how do I get better at mentoring?")
            self._examples = tuple(dict.fromkeys(examples))[:5]
        return self._examples

    def _compare_example(self, lower: Level, higher: Level) -> str:
        """ "what separates L2 from L3?" where that compares these two, else with their full names."""
        short = f"what separates {lower.label} from {higher.label}?"
        answer = self.answer(self.parse(short))
        if isinstance(answer, CompareAnswer) and {answer.comparison.lower.id, answer.comparison.higher.id} == {
            lower.id,
            higher.id,
        }:
            return short
        return f"what separates {level_query(lower)} from {level_query(higher)}?"
