"""Understand what someone asked: one parser, one typed intent, for Slack and the CLI.

The parser never raises: whatever the text, it returns an intent (at worst `Search`
or `Usage`). It knows the ladder only through its vocabulary (the words of titles,
tracks and aliases), which tells "cloud architect" (a lookup) from "mentoring" (a search).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import time

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.ladder.codes import ROLE_NOUNS, has_seniority_word, numerals_as_digits, read_title
from bot.ladder.manager_query import ManagerIntent, parse_manager_command

MAX_QUERY_CHARS = 500

CADENCES = ("monthly", "fortnightly", "weekly", "off")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class LevelRef:
    """A level as someone named it: "L3 senior software", "cloud architect"."""

    code: str | None = None
    words: str = ""

    def __str__(self) -> str:
        return " ".join(p for p in (self.code, self.words) if p)


# --- ladder questions ---------------------------------------------------------------


@dataclass(frozen=True)
class Help:
    """What the bot can do, with examples."""


@dataclass(frozen=True)
class Lookup:
    ref: LevelRef
    examples: bool = False


@dataclass(frozen=True)
class Compare:
    first: LevelRef
    second: LevelRef


@dataclass(frozen=True)
class Search:
    text: str


# --- a person's own settings and journal (answered by the Slack app) ------------------


@dataclass(frozen=True)
class SetTarget:
    ref: LevelRef


@dataclass(frozen=True)
class SetCurrent:
    ref: LevelRef


@dataclass(frozen=True)
class ShowProfile:
    pass


@dataclass(frozen=True)
class SetCadence:
    cadence: str


@dataclass(frozen=True)
class SetSchedule:
    local_time: time
    weekdays: tuple[str, ...]


@dataclass(frozen=True)
class Pause:
    days: int


@dataclass(frozen=True)
class Resume:
    pass


@dataclass(frozen=True)
class Journal:
    pass


@dataclass(frozen=True)
class Export:
    pass


@dataclass(frozen=True)
class Forget:
    pass


@dataclass(frozen=True)
class Assess:
    """Rate yourself against your target level (a modal)."""


@dataclass(frozen=True)
class Packet:
    """Your promotion packet for the target level, as a file."""


@dataclass(frozen=True)
class Stats:
    """Aggregate counts for workspace admins."""


@dataclass(frozen=True)
class Usage:
    """A command we recognised but could not read; `message` says how to write it."""

    command: str
    message: str


Intent = (
    Help
    | Lookup
    | Compare
    | Search
    | SetTarget
    | SetCurrent
    | ShowProfile
    | SetCadence
    | SetSchedule
    | Pause
    | Resume
    | Journal
    | Export
    | Forget
    | Assess
    | Packet
    | Stats
    | Usage
    | ManagerIntent
)
GROWTH_INTENTS = (Assess, Packet, Stats)  # the growth loop's commands (bot/slack/growth_commands.py)
PERSONAL_INTENTS = (
    SetTarget,
    SetCurrent,
    ShowProfile,
    SetCadence,
    SetSchedule,
    Pause,
    Resume,
    Journal,
    Export,
    Forget,
    *GROWTH_INTENTS,
)

# "L3", "IC3", "IC 3a", "L1.0", "level 3"; only the ladder's own prefixes count (see _codes).
_CODE = re.compile(
    r"\b(?:level[\s-]*(?P<num>\d{1,2}(?:\.\d{1,2})?)|(?P<code>[a-z]{1,3} ?\d{1,2}(?:\.\d{1,2}|[a-d])?))\b(?!\.\d)", re.I
)
_CONNECTORS = re.compile(r"\b(?:vs\.?|versus|and|to|from|with|against|or|between)\b|->|→|/|,", re.I)
# Without "/": a title may hold one ("QA/QE Engineer"), so "/" separates two levels only when
# nothing else does ("L3/L4").
_WORD_CONNECTORS = re.compile(r"\b(?:vs\.?|versus|and|to|from|with|against|or|between)\b|->|→|,", re.I)
_COMPARE_WORDS = re.compile(
    r"\b(?:compare|comparing|comparison|vs\.?|versus|separates?|difference|differences|differ|"
    r"different|between|gap|go from|get from|move from|moving from|promotion from)\b|->|→",
    re.I,
)
_LOOKUP_LEAD = re.compile(
    r"^(?:please\s+)?(?:show(?:\s+me)?|tell\s+me\s+about|what(?:'s|\s+is|\s+are)(?:\s+the)?|"
    r"look\s*up|lookup|describe|explain|open|level|about|find)\s+",
    re.I,
)
EXAMPLES_FLAG = re.compile(r"(?:--examples|\bwith\s+examples\b|\bexamples\b|-e\b)", re.I)
_FILLER = {
    "a",
    "an",
    "the",
    "at",
    "in",
    "on",
    "of",
    "for",
    "me",
    "please",
    "level",
    "levels",
    "s",
    "what",
    "whats",
    "is",
    "are",
    "separates",
    "separate",
    "between",
    "difference",
    "differences",
    "compare",
    "comparing",
    "vs",
    "versus",
    "and",
    "to",
    "from",
    "with",
    "track",
    "role",
    "ladder",
    "about",
    "show",
    "tell",
    "describe",
    "explain",
    "lookup",
    "look",
    "up",
    "find",
    "open",
    "do",
    "does",
    "i",
    "my",
    "it",
    "how",
    "get",
    "go",
    "move",
    "gap",
    "differ",
    "different",
    "or",
}
_STOP_FOR_LOOKUP = {"how", "why", "when", "who", "can", "should", "could", "would", "better", "improve", "grow"}


def parse_query(text: str, vocabulary: Collection[str] = (), code_prefixes: Collection[str] = ("L",)) -> Intent:
    """Read `text` (a slash command's text, a mention, a terminal question). Only codes
    with the ladder's own prefixes are levels: "L3" is, "P1 incidents" and "S3" are not."""
    cleaned = _normalise(text)
    if not cleaned or cleaned.lower() in ("help", "?", "h", "-h", "--help"):
        return Help()
    manager = parse_manager_command(text, MAX_QUERY_CHARS)  # before _normalise drops the mention it names
    if manager is not None:
        return manager
    prefixes = frozenset(p.lower() for p in code_prefixes)
    command = _personal_command(cleaned, prefixes)
    if command is not None:
        return command
    return _ladder_question(cleaned, {w.lower() for w in vocabulary}, prefixes)


def _normalise(text: str) -> str:
    text = str(text or "")[:MAX_QUERY_CHARS]
    text = re.sub(r"<@[A-Z0-9]+(?:\|[^>]*)?>", " ", text)  # mentions of the bot itself
    text = text.replace("’", "'").replace("‘", "'")
    text = "".join(c if c.isprintable() else " " for c in text)
    return re.sub(r"\s+", " ", text).strip()


def _codes(text: str, prefixes: frozenset[str]) -> list[re.Match[str]]:
    return [m for m in _CODE.finditer(text) if m.group("num") or _prefix(m.group("code")) in prefixes]


def _prefix(code: str) -> str:
    return re.sub(r"[\s\d].*$", "", code).lower()


def _code_of(match: re.Match[str]) -> str:
    """As the ladder writes it: "ic 3a" -> "IC3a", "level 3" -> "L3"."""
    if match.group("num"):
        return f"L{match.group('num')}"
    code = match.group("code").replace(" ", "")
    prefix = _prefix(code)
    return prefix.upper() + code[len(prefix) :].lower()


def _ladder_question(text: str, vocabulary: set[str], prefixes: frozenset[str]) -> Intent:
    examples = bool(EXAMPLES_FLAG.search(text))
    text = EXAMPLES_FLAG.sub(" ", text).strip()
    codes = _codes(text, prefixes)
    if len(codes) >= 2 or (_COMPARE_WORDS.search(text) and _split_two(text, prefixes)):
        compare = _compare(text, codes, prefixes)
        if compare is not None:
            return compare
    if codes:
        return Lookup(_ref_from(text, codes[0]), examples)
    words = _content_words(_LOOKUP_LEAD.sub("", text))
    asks_how = any(w in _STOP_FOR_LOOKUP for w in _words(text))
    if words and vocabulary and not asks_how and all(_known(w, vocabulary) for w in words):
        return Lookup(LevelRef(None, " ".join(_spelled(w, vocabulary) for w in words)), examples)
    if (
        words
        and vocabulary
        and not asks_how
        and read_title(text)
        and any(_known(w, vocabulary) for w in words)
        and all(_known(w, vocabulary) or has_seniority_word(w) or w in ROLE_NOUNS for w in words)
    ):
        # "Distinguished Engineer": a title, even one the ladder lacks (it says so, and what is near)
        return Lookup(LevelRef(None, " ".join(_spelled(w, vocabulary) for w in words)), examples)
    return Search(text.strip(" ?!.")) if text.strip(" ?!.") else Help()


def _known(word: str, vocabulary: set[str]) -> bool:
    """In the vocabulary, or a near miss of a long word in it ("sofware")."""
    return _spelled(word, vocabulary) in vocabulary


def _spelled(word: str, vocabulary: set[str]) -> str:
    """The vocabulary's word for a near miss ("senoir" -> "senior"), else the word as typed."""
    if word in vocabulary or len(word) < 5:
        return word
    # One slip (two in a long word), a swap of neighbours counting as one: "senoir" is
    # "senior", but "seniority" and "principles" are words of their own.
    match = process.extractOne(word, vocabulary, scorer=OSA.distance, score_cutoff=1 if len(word) < 8 else 2)
    return match[0] if match else word


def _compare(text: str, codes: list[re.Match[str]], prefixes: frozenset[str]) -> Compare | None:
    if len(codes) >= 2:
        first = _ref_from(text, codes[0], stop=codes[1].start())
        second = _ref_from(text, codes[1])
        # Track words written before a code ("Executive Support L4 vs Ops Leadership L4")
        # belong to it: the first's run from the start, the second's from the last connector.
        before_first = " ".join(_content_words(_WORD_CONNECTORS.split(text[: codes[0].start()])[-1]))
        between = _CONNECTORS.split(text[codes[0].end() : codes[1].start()])
        before_second = " ".join(_content_words(between[-1])) if len(between) > 1 else ""
        return Compare(
            LevelRef(first.code, " ".join(w for w in (before_first, first.words) if w)),
            LevelRef(second.code, " ".join(w for w in (before_second, second.words) if w)),
        )
    parts = _split_two(text, prefixes)
    if not parts:
        return None
    refs = [_ref_from_words(p, prefixes) for p in parts]
    if not all(r.code or r.words for r in refs):
        return None
    return Compare(refs[0], refs[1])


def _split_two(text: str, prefixes: frozenset[str]) -> list[str] | None:
    stripped = re.sub(
        r"^.*?\b(?:compare|comparing|separates?|between|from|differ(?:ence)?s?\s+between)\b", "", text, flags=re.I
    )
    for connectors in (_WORD_CONNECTORS, _CONNECTORS):
        pieces = [p for p in connectors.split(stripped or text) if _content_words(p) or _codes(p, prefixes)]
        if len(pieces) >= 2:
            return pieces[:2]
    return None


def _ref_from(text: str, match: re.Match[str], stop: int | None = None) -> LevelRef:
    code = _code_of(match)
    after = text[match.end() : stop if stop is not None else len(text)]
    after = _CONNECTORS.split(after)[0]
    return LevelRef(code, " ".join(_content_words(after)))


def _ref_from_words(text: str, prefixes: frozenset[str]) -> LevelRef:
    matches = _codes(text, prefixes)
    match = matches[0] if matches else None
    if match:
        return LevelRef(_code_of(match), " ".join(_content_words(text[: match.start()] + " " + text[match.end() :])))
    return LevelRef(None, " ".join(_content_words(text)))


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())  # words of any script


def _content_words(text: str) -> list[str]:
    words = numerals_as_digits(_words(text), pronoun_after=_FILLER | _STOP_FOR_LOOKUP)
    return [w for w in words if w not in _FILLER]


# --- personal commands -------------------------------------------------------------------


def _personal_command(text: str, prefixes: frozenset[str]) -> Intent | None:
    first, _, rest = text.partition(" ")
    first, rest = first.lower(), rest.strip()
    if first == "target":
        return _with_level(rest, SetTarget, "target", "/ladder target L3 cloud", prefixes)
    if first in ("current", "level") and rest and _codes(rest.split()[0], prefixes) and not re.fullmatch(r"\d+", rest):
        return _with_level(rest, SetCurrent, "level", "/ladder level L2 cloud", prefixes)
    if text.lower() in ("me", "profile", "my profile", "whoami", "status"):
        return ShowProfile()
    if first == "nudges" or first == "nudge":
        return _nudges(rest)
    if first == "pause":
        return _pause(rest)
    if text.lower() in ("resume", "unpause"):
        return Resume()
    if text.lower() in ("journal", "my journal", "reflections"):
        return Journal()
    if text.lower() in ("export", "export journal", "export my journal"):
        return Export()
    growth = _GROWTH_WORDS.get(text.lower())
    if growth is not None:
        return growth()
    if first == "forget":
        if rest.lower() in ("me", "everything", "me please"):
            return Forget()
        return Usage("forget", "To delete everything I keep about you, type `/ladder forget me`.")
    return None


_GROWTH_WORDS: dict[str, type] = {
    "assess": Assess,
    "assess me": Assess,
    "self-assess": Assess,
    "self assessment": Assess,
    "assessment": Assess,
    "packet": Packet,
    "promotion packet": Packet,
    "my packet": Packet,
    "stats": Stats,
    "statistics": Stats,
}


def _with_level(rest: str, kind: type, command: str, example: str, prefixes: frozenset[str]) -> Intent:
    if not rest:
        return Usage(command, f"Which level? For example `{example}`.")
    return kind(_ref_from_words(rest, prefixes))


def _nudges(rest: str) -> Intent:
    words = rest.lower().split()
    if not words:
        return ShowProfile()
    if words[0] in CADENCES:
        return SetCadence(words[0])
    if words[0] in ("on", "biweekly"):
        return SetCadence("monthly" if words[0] == "on" else "fortnightly")
    if words[0] == "time":
        return _schedule(words[1:])
    return Usage(
        "nudges",
        "Choose how often: `/ladder nudges monthly`, `fortnightly`, `weekly` or `off`; "
        "or when: `/ladder nudges time 09:30 mon-fri`.",
    )


def _schedule(words: list[str]) -> Intent:
    usage = Usage(
        "nudges time",
        "Give a time and days, for example `/ladder nudges time 09:30 mon-fri` or `/ladder nudges time 16:00 tue,thu`.",
    )
    if not words:
        return usage
    local = _parse_time(words[0])
    days = _parse_weekdays(" ".join(words[1:])) if len(words) > 1 else WEEKDAYS[:5]
    if local is None or not days:
        return usage
    return SetSchedule(local, days)


def _parse_time(text: str) -> time | None:
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?", text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if match.group(3) == "pm" and hour < 12:
        hour += 12
    if match.group(3) == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _parse_weekdays(text: str) -> tuple[str, ...]:
    text = text.lower().replace(" ", ",")
    if text in ("weekdays", "workdays"):
        return WEEKDAYS[:5]
    if text in ("daily", "everyday", "every,day", "all"):
        return WEEKDAYS
    days: list[str] = []
    for part in filter(None, text.split(",")):
        if "-" in part:
            start, _, end = part.partition("-")
            a, b = _weekday(start), _weekday(end)
            if a is None or b is None or a > b:
                return ()
            days.extend(WEEKDAYS[a : b + 1])
        elif _weekday(part) is not None:
            days.append(WEEKDAYS[_weekday(part)])  # type: ignore[index]
        else:
            return ()
    return tuple(d for d in WEEKDAYS if d in days)


def _weekday(text: str) -> int | None:
    text = text.strip()[:3]
    return WEEKDAYS.index(text) if text in WEEKDAYS else None


def _pause(rest: str) -> Intent:
    usage = Usage("pause", "For how long? For example `/ladder pause 2w` (days `d`, weeks `w` or months `m`).")
    match = re.fullmatch(r"(\d{1,3})\s*(d|day|days|w|wk|week|weeks|m|mo|month|months)", rest.lower())
    if not match:
        return usage
    amount, unit = int(match.group(1)), match.group(2)[0]
    days = amount * {"d": 1, "w": 7, "m": 30}[unit]
    if not 1 <= days <= 366:
        return Usage("pause", "I can pause nudges for 1 day up to a year, e.g. `/ladder pause 3m`.")
    return Pause(days)
