"""Where a person stands against their target level, and what moved since last time."""

from __future__ import annotations

from dataclasses import dataclass

from bot.ladder.model import Level
from storage import Assessment

from .criteria import Criterion, categories_of, criteria_of

RATING_LABELS = {"not_yet": "Not yet", "partly": "Partly", "met": "Met", None: "Not assessed"}
_RANK = {None: 0, "not_yet": 1, "partly": 2, "met": 3}


@dataclass(frozen=True)
class CategoryProgress:
    name: str
    total: int
    met: int
    partly: int
    not_yet: int

    @property
    def unrated(self) -> int:
        return self.total - self.met - self.partly - self.not_yet

    @property
    def summary(self) -> str:
        return f"{self.name}: {self.met} of {self.total} met"


@dataclass(frozen=True)
class Move:
    criterion: Criterion
    before: str | None  # None: not rated in the previous assessment
    after: str | None

    @property
    def up(self) -> bool:
        return _RANK[self.after] > _RANK[self.before]

    @property
    def summary(self) -> str:
        return f"{self.criterion.text}: {RATING_LABELS[self.before]} → {RATING_LABELS[self.after]}"


def ratings_by_key(assessment: Assessment | None) -> dict[str, str]:
    return {r.criterion_key: r.rating for r in assessment.ratings} if assessment else {}


def progress(level: Level, assessment: Assessment | None) -> list[CategoryProgress]:
    """One line per category of the level. Ratings of criteria the level no longer has
    (reworded or removed since) count for nothing."""
    ratings = ratings_by_key(assessment)
    lines = []
    for category in categories_of(level):
        given = [ratings.get(c.key) for c in category.criteria]
        lines.append(
            CategoryProgress(
                category.name, len(given), given.count("met"), given.count("partly"), given.count("not_yet")
            )
        )
    return lines


def what_moved(level: Level, latest: Assessment | None, previous: Assessment | None) -> list[Move]:
    """Criteria of the level rated in the latest assessment and rated otherwise (or not at
    all) in the previous one, in level order."""
    if latest is None or previous is None:
        return []
    now, before = ratings_by_key(latest), ratings_by_key(previous)
    return [
        Move(c, before.get(c.key), now.get(c.key))
        for c in criteria_of(level)
        if now.get(c.key) != before.get(c.key) and c.key in now
    ]
