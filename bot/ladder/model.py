"""Domain objects of a career ladder: plain data, no Slack, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reference:
    """A link found in a document: to another level, or to an outside page."""

    text: str
    target: str

    @property
    def is_external(self) -> bool:
        return bool(re.match(r"^[a-z][a-z0-9+.-]*:", self.target, re.I))


@dataclass(frozen=True)
class Competency:
    """One "I can ..." statement (a criterion) of a level. A nested bullet is a criterion
    too, with `depth` 1 under the criterion just before it, 2 under that one's child..."""

    text: str
    references: tuple[Reference, ...] = ()
    depth: int = 0
    examples: tuple[str, ...] = ()  # examples written under this very criterion


@dataclass(frozen=True)
class Section:
    """A heading of a level document with its competencies and examples."""

    name: str
    key: str
    emoji: str = ""
    competencies: tuple[Competency, ...] = ()
    examples: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    # The categories this one sits in, outermost first: ("Craft", "Execution") for a
    # "### Execution" under "## Craft". `Level.sections` lists the whole tree in document
    # order (each category right after its parent), so code that knows nothing of the tree
    # still sees every criterion once.
    path: tuple[str, ...] = ()

    @property
    def depth(self) -> int:
        return len(self.path)

    @property
    def full_name(self) -> str:
        return " › ".join((*self.path, self.name))


@dataclass(frozen=True)
class MetadataItem:
    """A "**Planning horizon**: 6-12 months" line; `key` is normalised."""

    key: str
    label: str
    value: str


@dataclass(frozen=True)
class Level:
    """One level document, e.g. "L3: Senior Software Engineer" of Cloud Engineering."""

    id: str
    code: str
    rank: float  # from the code (L1.1 is 1.01), else seniority words, else order
    title: str
    track: str
    track_key: str
    tagline: str = ""
    metadata: tuple[MetadataItem, ...] = ()
    sections: tuple[Section, ...] = ()
    aliases: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    source: str = ""
    source_url: str = ""
    department: str = ""
    notes: tuple[str, ...] = ()  # prose about the level as a whole
    order: int = 0  # position in its file or folder: the rank when nothing else tells
    weight: float | None = None  # an explicit order from front matter (`weight:`, `nav_order:`...)
    cumulative: bool = False  # the ladder says a level includes everything below it
    shape: str = ""  # how its file holds it: "file" (one level), "sections", "table", "data"

    @property
    def name(self) -> str:
        if not self.code:
            return self.title
        if not self.title or self.title == self.code:
            return self.code
        return f"{self.code}: {self.title}"

    @property
    def label(self) -> str:
        """A short name: the code if there is one ("L3"), else the title."""
        return self.code or self.title

    @property
    def competency_count(self) -> int:
        return sum(len(s.competencies) for s in self.sections)

    @property
    def example_count(self) -> int:
        return sum(len(s.examples) + sum(len(c.examples) for c in s.competencies) for s in self.sections)

    def meta(self, key: str) -> str | None:
        return next((m.value for m in self.metadata if m.key == key), None)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


@dataclass(frozen=True)
class Problem:
    """Something wrong with a content file, reported with its file name."""

    path: str
    message: str
    severity: str = "error"  # "error": the file was not loaded; "warning": loaded anyway

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class Track:
    key: str
    name: str
    levels: list[Level] = field(default_factory=list)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


ACRONYMS = {
    w.lower(): w
    for w in (
        "IC",
        "SRE",
        "QA",
        "UX",
        "UI",
        "IT",
        "HR",
        "ML",
        "AI",
        "API",
        "PM",
        "EM",
        "SWE",
        "SDE",
        "SE",
        "TPM",
        "CTO",
        "VP",
        "BI",
        "DevOps",
        "DevEx",
        "SecOps",
        "MLOps",
        "iOS",
        "SEO",
        "OKR",
        "L&D",
        "R&D",
    )
}


def titlecase_track(slug: str) -> str:
    """ "cloud-engineering" -> "Cloud Engineering"; "sre" -> "SRE" (acronyms keep their case)."""
    words = re.split(r"[-_\s]+", re.sub(r"^\d+[-_. ]+(?=\D)", "", slug.strip()))  # "01-engineering"
    return " ".join(
        ACRONYMS.get(w.lower()) or (w if w.isupper() or (not w.islower() and not w.istitle()) else w.capitalize())
        for w in words
        if w
    )
