"""Which competency a growth prompt is about, and what it asks.

First what is new or changed between the person's current and target level, in the
target document's order; then the rest of the target level; never the same one twice
until all have been used, then round again. Once the person has assessed themselves
against the target level, their ratings come first (bot.growth.order): what they have
not met yet, then what they have not rated, and what they marked met only after the rest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.growth.order import prompt_tier
from bot.ladder.compare import compare_levels
from bot.ladder.model import Competency, Level, Section

QUESTIONS = (
    "When did you last do something like this? What would doing it more often look like?",
    "Where in your current work could you practise this in the next few weeks?",
    "Who around you does this well, and what could you learn from them?",
    "What is one small step towards this that you could take this month?",
    "What gets in the way of doing this today, and what would help?",
    "If you already do this, what evidence would you show your manager?",
)


@dataclass(frozen=True)
class Prompt:
    level_id: str
    competency_key: str
    competency_text: str
    section_name: str
    example_text: str | None
    question: str


def competency_key(section: Section, competency: Competency) -> str:
    """Stable across reloads and unrelated edits: the section and the statement itself."""
    return hashlib.sha1(f"{section.key}\n{competency.text}".encode()).hexdigest()[:16]


class PromptChooser:
    """Remembers each (current, target) pair's order: a run of thousands of people asks
    for the same few pairs, and comparing two levels is the costly part."""

    def __init__(self) -> None:
        self._orders: dict[tuple[str | None, str], list[tuple[Section, Competency]]] = {}

    def choose(
        self,
        current: Level | None,
        target: Level,
        used: set[str],
        seed: str = "",
        ratings: Mapping[str, str] | None = None,
    ) -> Prompt | None:
        """`ratings`: the latest self-assessment of the target level, by competency key."""
        key = (current.id if current else None, target.id)
        if key not in self._orders:
            self._orders[key] = _in_priority_order(current, target)
        order = self._orders[key]
        if ratings:
            order = _by_rating(order, ratings)
        return _pick(order, target, used, seed)


def _by_rating(
    candidates: list[tuple[Section, Competency]], ratings: Mapping[str, str]
) -> list[tuple[Section, Competency]]:
    return sorted(candidates, key=lambda c: prompt_tier(ratings.get(competency_key(*c))))  # stable: order kept per tier


def _pick(candidates: list[tuple[Section, Competency]], target: Level, used: set[str], seed: str) -> Prompt | None:
    if not candidates:
        return None
    fresh = [c for c in candidates if competency_key(*c) not in used]
    section, competency = (fresh or candidates)[0]  # all used: start the round again
    key = competency_key(section, competency)
    return Prompt(
        level_id=target.id,
        competency_key=key,
        competency_text=competency.text,
        section_name=section.full_name,  # "Leadership › Mentoring": a sub-category names its parents
        example_text=_closest_example(section, competency),
        question=QUESTIONS[int(hashlib.sha1(f"{key}{seed}".encode()).hexdigest(), 16) % len(QUESTIONS)],
    )


def _in_priority_order(current: Level | None, target: Level) -> list[tuple[Section, Competency]]:
    everything = [(s, c) for s in target.sections for c in s.competencies]
    if current is None or current.id == target.id:
        return everything
    comparison = compare_levels(current, target)
    growth = {c.text for d in comparison.sections for c in d.new}
    growth |= {c.after.text for d in comparison.sections for c in d.changed}
    first = [(s, c) for s, c in everything if c.text in growth]
    return first + [(s, c) for s, c in everything if c.text not in growth]


def _closest_example(section: Section, competency: Competency) -> str | None:
    if competency.examples:  # the criterion's own example, where the ladder gives one
        return competency.examples[0]
    if not section.examples:
        return None
    return max(section.examples, key=lambda e: fuzz.token_set_ratio(e, competency.text))
