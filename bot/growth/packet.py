"""The promotion packet: for the target level, category by category, each criterion with
the person's self-assessment, their dated reflections on it, and the gaps left."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from bot.ladder.model import Level
from storage import Assessment, Reflection

from .criteria import Criterion, categories_of
from .progress import RATING_LABELS, progress

_MARKS = {"met": "✅", "partly": "◐", "not_yet": "○", None: "·"}


def packet_markdown(
    target: Level, assessment: Assessment | None, reflections: Iterable[Reflection], *, now: datetime
) -> str:
    """The packet as one markdown document (what is uploaded as a file)."""
    categories = categories_of(target)
    linked, other = link_reflections([c for cat in categories for c in cat.criteria], reflections)
    lines = [f"# Promotion packet: {target.name} ({target.track})", "", _preamble(target, assessment, now), ""]
    by_name = {p.name: p for p in progress(target, assessment)}
    for category in categories:
        lines += [f"## {category.name}", "", f"_{by_name[category.name].met} of {len(category.criteria)} met._", ""]
        gaps = []
        for criterion in category.criteria:
            rating = assessment.rating_of(criterion.key) if assessment else None
            lines += _criterion(
                criterion,
                rating.rating if rating else None,
                rating.note if rating else None,
                linked.get(criterion.key, []),
            )
            if rating is None or rating.rating != "met":
                gaps.append(f"- {criterion.text} ({RATING_LABELS[rating.rating if rating else None].lower()})")
        lines += ["### Gaps left", ""] + (gaps or ["None: every criterion of this category is marked met."]) + [""]
    if other:
        lines += ["## Other reflections", "", "_Not about a criterion of this level._", ""]
        lines += _reflections(other)
    return "\n".join(lines).rstrip() + "\n"


def link_reflections(
    criteria: list[Criterion], reflections: Iterable[Reflection]
) -> tuple[dict[str, list[Reflection]], list[Reflection]]:
    """Reflections by the criterion they answer, oldest first, and the rest.

    A reflection written in reply to a prompt carries the prompt's competency key (the
    same key as the criterion's); one saved with only the criterion's text is matched on it.
    """
    keys = {c.key for c in criteria}
    by_text = {c.text: c.key for c in criteria}
    linked: dict[str, list[Reflection]] = defaultdict(list)
    other: list[Reflection] = []
    for reflection in sorted(reflections, key=lambda r: (r.created_at, r.id)):
        key = (
            reflection.competency_key
            if reflection.competency_key in keys
            else by_text.get(reflection.competency_text or "")
        )
        if key is None:
            other.append(reflection)
        else:
            linked[key].append(reflection)
    return linked, other


def _preamble(target: Level, assessment: Assessment | None, now: datetime) -> str:
    prepared = f"Prepared {now:%d %B %Y}."
    if assessment is None:
        return f"_{prepared} No self-assessment against {target.name} yet._"
    met = sum(p.met for p in progress(target, assessment))
    return f"_{prepared} Self-assessment of {assessment.created_at:%d %B %Y}: {met} of {target.competency_count} criteria met._"


def _criterion(criterion: Criterion, rating: str | None, note: str | None, reflections: list[Reflection]) -> list[str]:
    lines = [f"### {_MARKS[rating]} {criterion.text}", "", f"**Self-assessment:** {RATING_LABELS[rating]}"]
    if note:
        lines[-1] += f" — {_one_line(note)}"
    lines.append("")
    if reflections:
        lines += ["**Reflections**", ""] + _reflections(reflections)
    else:
        lines += ["_No reflections on this yet._", ""]
    return lines


def _reflections(reflections: list[Reflection]) -> list[str]:
    lines = []
    for reflection in reflections:
        lines += [f"**{reflection.created_at:%d %b %Y}**", ""]
        lines += [f"> {line}" if line.strip() else ">" for line in reflection.text.splitlines()]
        lines.append("")
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.split())
