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
    """One "I can ..." statement of a level."""

    text: str
    references: tuple[Reference, ...] = ()


@dataclass(frozen=True)
class Section:
    """A heading of a level document with its competencies and examples."""

    name: str
    key: str
    emoji: str = ""
    competencies: tuple[Competency, ...] = ()
    examples: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


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
    rank: int
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

    @property
    def name(self) -> str:
        return f"{self.code}: {self.title}"

    @property
    def competency_count(self) -> int:
        return sum(len(s.competencies) for s in self.sections)

    @property
    def example_count(self) -> int:
        return sum(len(s.examples) for s in self.sections)

    def meta(self, key: str) -> str | None:
        return next((m.value for m in self.metadata if m.key == key), None)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    def content(self) -> tuple:
        """What the document says, without where it came from: equal for a
        damaged original and its repaired copy."""
        return (self.code, self.title, self.tagline, self.metadata, self.sections)


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


def titlecase_track(slug: str) -> str:
    """"cloud-engineering" -> "Cloud Engineering"."""
    words = re.split(r"[-_\s]+", slug.strip())
    return " ".join(w if w.isupper() else w.capitalize() for w in words if w)
