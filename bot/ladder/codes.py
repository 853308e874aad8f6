"""Level codes and seniority: is a heading a level, and where does it rank?

Companies name levels in many schemes: `L3`, `IC3`, `IC 3a`, `E4`, `P2`, `M1`, `SE2`,
`Level 3`, `L1.0`, a code in parentheses (`Apprentice (IC 1)`), or no code at all
(`Senior Software Engineer`). A code ranks by its number; a title without one ranks by its
seniority words. Only known code prefixes count, so `FY24: Goals` or `K8: How to migrate`
are never levels.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

# Prefixes of level codes that ladders use; "FY", "K", "Q", "S" (severity) are not among them.
CODE_PREFIXES = ("L", "IC", "E", "P", "M", "SE", "SWE", "SDE", "EM", "T", "TL", "D", "MTS", "ENG", "G", "SRE", "PM")
_PREFIX = "|".join(sorted(CODE_PREFIXES, key=len, reverse=True))
_NUMBER = r"\d{1,2}(?:\.\d{1,2})?(?:[a-d](?![a-z]))?"
CODE = re.compile(
    rf"(?<![A-Za-z0-9])(?:(?P<prefix>{_PREFIX})[ -]?(?P<num>{_NUMBER})|level[ -]?(?P<level>{_NUMBER}))(?![0-9A-Za-z.]?\d)",
    re.I,
)
_SEPARATOR = r"\s*(?:[:.\-–—|]\s*)?"
_CODE_FIRST = re.compile(rf"^\W*(?P<code>{CODE.pattern})\W*?{_SEPARATOR}(?P<title>.*)$", re.I)
_CODE_IN_PARENS = re.compile(rf"^(?P<title>.*?)\s*[(\[](?P<code>{CODE.pattern})[)\]]\s*(?P<rest>.*)$", re.I)
_CODE_LAST = re.compile(rf"^(?P<title>.*?\S)\s*(?:[,:\-–—|]\s*)(?P<code>{CODE.pattern})\s*$", re.I)
_ABBREVIATION = re.compile(r"\s*\((?P<abbr>[A-Z][A-Za-z]{1,5})\)\s*$")

# Words that end a job title: "Senior Software Engineer", "Group Product Manager".
ROLE_NOUNS = frozenset(
    """
engineer engineers manager developer designer architect scientist analyst lead director fellow intern
apprentice graduate consultant specialist administrator writer researcher officer head vp president
tester technician associate owner advocate partner coordinator programmer sre cto ceo cpo principal
staff member contributor trainee executive strategist steward evangelist marketer recruiter leader
""".split()
)

_SENIORITY = (  # (pattern, score): the highest that matches wins; "plain" is 3
    (r"\b(?:intern|apprentice|graduate|trainee|entry[- ]level|placement)\b", 1),
    (r"\b(?:junior|jr|associate)\b", 2),
    (r"\b(?:intermediate|mid[- ]?level|mid|middle)\b", 4),
    (r"\b(?:senior|sr)\b", 5),
    (r"\b(?:staff|lead|leader|expert)\b", 6),
    (r"\b(?:principal|director)\b", 7),
    (r"\b(?:distinguished|fellow|vp|vice president|head of)\b", 8),
    (r"\b(?:cto|chief)\b", 9),
)
_NOT_TITLE_WORDS = frozenset("your my our you we i how what why when with for to is are this that vs versus".split())
# "Senior L1 vs Senior L2", "L2 → L3: what changes": a page or section about two levels.
COMPARISON = re.compile(r"(?i)\b(?:vs\.?|versus|compared)(?:\s|$)|→|->|⇒|=>")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9}


@dataclass(frozen=True)
class LevelHeading:
    code: str  # normalised ("IC3", "L1.0", "L3" for "Level 3"); "" when the heading has none
    title: str
    abbreviation: str = ""  # "SSE" of "Senior Software Engineer (SSE)"


def normalise_code(match: re.Match[str]) -> str:
    if match.group("level"):
        return "L" + match.group("level").lower()
    return match.group("prefix").upper() + match.group("num").lower()


def find_code(text: str) -> str | None:
    match = CODE.search(text)
    return normalise_code(match) if match else None


def _plain(text: str) -> str:
    """Without emphasis marks, a `{#anchor}` and a list number ("2. Senior Engineer")."""
    text = _ANCHOR.sub("", text.replace("*", " "))
    return " ".join(_NUMBERING.sub("", text.strip()).split())


_ANCHOR = re.compile(r"\s*\{#[^}]*\}\s*$")
_NUMBERING = re.compile(r"^\d{1,2}[.)]\s+")


def read_heading(text: str) -> LevelHeading | None:
    """(code, title) of a heading that names a level by a code, else None.
    "L3: Senior Engineer", "L4 Engineering Manager", "Apprentice (IC 1)", "IC3", "Level 2 - Mid"."""
    text = _plain(text)
    if COMPARISON.search(text):
        return None
    for pattern in (_CODE_FIRST, _CODE_IN_PARENS, _CODE_LAST):
        match = pattern.match(text)
        if not match:
            continue
        code = normalise_code(CODE.match(match.group("code")))  # type: ignore[arg-type]
        title = (match.group("title") + " " + (match.groupdict().get("rest") or "")).strip(" :-–—|,")
        if pattern is _CODE_FIRST and title[:1].isdigit():
            continue  # "L3 2024 goals"? no: a code is followed by words
        return LevelHeading(code, title or code)
    return _acronym_code(text)


_ACRONYM_FIRST = re.compile(rf"^(?P<prefix>[A-Z]{{2,4}})[ -]?(?P<num>{_NUMBER}){_SEPARATOR}(?P<title>[A-Za-z].*)$")
_SMALL_WORDS = frozenset({"of", "and", "the", "in", "for", "&"})


def _acronym_code(text: str) -> LevelHeading | None:
    """A code of the ladder's own making, known by spelling the initials of a role's title:
    "QE1 - Quality Engineer 1", "BE2: Backend Engineer", "QAE1 - QA Engineer"."""
    match = _ACRONYM_FIRST.match(text)
    if not match:
        return None
    title = match.group("title").strip(" :-–—|,")
    words = [w for w in re.findall(r"[A-Za-z]+", title) if w.lower() not in _SMALL_WORDS and w.lower() not in _ROMAN]
    initials = "".join(w if w.isupper() and len(w) > 1 else w[0].upper() for w in words)
    if initials != match.group("prefix") or not {w.lower() for w in words} & ROLE_NOUNS:
        return None  # "KT1 - Knowledge transfer" is no level
    return LevelHeading(match.group("prefix") + match.group("num").lower(), title)


def read_title(text: str) -> LevelHeading | None:
    """A heading without a code that reads as a job title: "Senior Software Engineer (SSE)"."""
    text = _plain(text)
    abbreviation = ""
    match = _ABBREVIATION.search(text)
    if match:
        abbreviation, text = match.group("abbr"), text[: match.start()]
    words = re.findall(r"[A-Za-z]+", text.lower())
    words = [w for w in words if w not in _ROMAN]
    if not words or len(words) > 7 or text.rstrip().endswith((":", "?", ".")) or _NOT_TITLE_WORDS & set(words):
        return None
    if words[-1] in ROLE_NOUNS or (len(words) >= 2 and words[0] in ("head", "vp", "director") and "of" in words):
        return LevelHeading("", text.strip(" :-–—"), abbreviation)
    return None


def code_rank(code: str) -> float | None:
    """3 for "L3", 1.0 for "L1.0" (1.01 for "L1.1"), 3.01 for "IC3a"."""
    match = re.search(r"(\d{1,2})(?:\.(\d{1,2}))?([a-d])?$", code, re.I)
    if not match:
        return None
    major = int(match.group(1))
    if match.group(2) is None and match.group(3) is None:
        return major
    minor = int(match.group(2)) if match.group(2) else " abcd".index(match.group(3).lower())
    return round(major + minor / 100, 2) if minor else major  # "L1.0" ranks as 1, "L1.1" just above


def has_seniority_word(text: str) -> bool:
    """ "Senior", "Junior", "Staff"...: a table header that names a level by seniority alone."""
    lowered = text.lower()
    return any(re.search(pattern, lowered) for pattern, _ in _SENIORITY)


def seniority(title: str) -> float:
    """Rank of a title by its seniority words: intern 1 < junior 2 < plain 3 < intermediate 4
    < senior 5 < staff/lead 6 < principal 7 < distinguished/fellow 8. "Senior Staff" is 6.5,
    "Engineer II" 3.1."""
    lowered = title.lower()
    found = [value for pattern, value in _SENIORITY if re.search(pattern, lowered)]
    above = [v for v in found if v > 3]
    score = float(max(above) if above else min(found) if found else 3)
    senior_too = score > 5 and bool(re.search(r"\b(?:senior|sr)\b", lowered))
    roman = re.search(r"\b(i{1,3}|iv|vi{0,3}|ix)\s*$", lowered) or re.search(r"\b(\d)\s*$", lowered)
    step = (
        (_ROMAN.get(roman.group(1)) or int(roman.group(1)) if roman.group(1).isdigit() else _ROMAN[roman.group(1)])
        if roman
        else 1
    )
    return score + (0.5 if senior_too else 0) + (step - 1) / 10


def numerals_as_digits(words: list[str], pronoun_after: Collection[str] = ()) -> list[str]:
    """Roman numerals of a title as digits ("designer ii" -> "designer 2"), so "Designer I",
    "designer i" and "designer 1" name one level. A lone "i" is a numeral only after another
    word, and not after one of `pronoun_after` ("how do i ...")."""
    out = []
    for index, word in enumerate(words):
        value = _ROMAN.get(word)
        if value and word == "i" and (index == 0 or words[index - 1] in pronoun_after):
            value = None
        out.append(str(value) if value else word)
    return out
