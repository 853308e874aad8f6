"""A level's criteria with the stable keys ratings and reflections are stored under."""

from __future__ import annotations

from dataclasses import dataclass

from bot.ladder.model import Level, Section
from bot.nudges.choose import competency_key


@dataclass(frozen=True)
class Criterion:
    key: str  # bot.nudges.choose.competency_key: the key nudges and reflections carry too
    text: str
    category: str


@dataclass(frozen=True)
class Category:
    name: str
    criteria: tuple[Criterion, ...]


def category_name(section: Section) -> str:
    # A nested category reads with its parents ("Craft › Execution") where the ladder model
    # knows the tree; a flat one is just its name.
    return getattr(section, "full_name", section.name)


def categories_of(level: Level) -> list[Category]:
    """The level's categories that hold criteria, in document order."""
    categories = []
    for section in level.sections:
        name = category_name(section)
        criteria = tuple(Criterion(competency_key(section, c), c.text, name) for c in section.competencies)
        if criteria:
            categories.append(Category(name, criteria))
    return categories


def criteria_of(level: Level) -> list[Criterion]:
    return [c for category in categories_of(level) for c in category.criteria]
