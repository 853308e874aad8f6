"""The few calls the Slack layer makes for assessments, progress and the packet: each reads
or writes through the Store and hands back plain data to render."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.ladder.model import Level
from storage import Assessment

from .criteria import criteria_of
from .due import ReassessPolicy
from .packet import packet_markdown
from .progress import CategoryProgress, Move, progress, what_moved

if TYPE_CHECKING:
    from storage import Store


class StaleAssessment(ValueError):
    """The form named criteria the level no longer has (the ladder changed while it was open)."""


@dataclass(frozen=True)
class ProgressView:
    level: Level
    latest: Assessment | None
    previous: Assessment | None
    categories: tuple[CategoryProgress, ...]  # "Domain expertise: 4 of 7 met"
    moved: tuple[Move, ...]  # since the previous assessment
    reassess_due: bool
    next_due: datetime | None


def save_assessment(
    store: Store,
    team_id: str,
    user_id: str,
    target: Level,
    ratings: Mapping[str, str],
    notes: Mapping[str, str | None] | None = None,
    *,
    now: datetime | None = None,
) -> Assessment:
    """Store a self-assessment of `target`; keys are criterion keys of that level.
    Raises StaleAssessment for a key the level does not have, ValueError for a bad rating."""
    known = {c.key for c in criteria_of(target)}
    unknown = set(ratings) - known
    if unknown:
        raise StaleAssessment(f"{len(unknown)} criteria are no longer part of {target.name}")
    return store.add_assessment(team_id, user_id, target.id, ratings, notes, now=now)


def progress_view(
    store: Store, team_id: str, user_id: str, target: Level, *, now: datetime, policy: ReassessPolicy | None = None
) -> ProgressView:
    policy = policy or ReassessPolicy.from_env()
    history = store.assessments_for(team_id, user_id, target.id, limit=2)
    latest = history[0] if history else None
    previous = history[1] if len(history) > 1 else None
    return ProgressView(
        target,
        latest,
        previous,
        tuple(progress(target, latest)),
        tuple(what_moved(target, latest, previous)),
        policy.is_due(latest, now),
        policy.due_at(latest),
    )


def build_packet(store: Store, team_id: str, user_id: str, target: Level, *, now: datetime) -> str:
    """The promotion packet for `target` from the person's latest assessment and all their reflections."""
    history = store.assessments_for(team_id, user_id, target.id, limit=1)
    return packet_markdown(target, history[0] if history else None, store.reflections_for(team_id, user_id), now=now)


def mark_met(
    store: Store, team_id: str, user_id: str, target: Level, criterion_key: str, *, now: datetime | None = None
) -> Assessment:
    """ "Mark as met" from a prompt: a new assessment, the latest one with this criterion met
    (its note kept), so the history shows when it moved."""
    history = store.assessments_for(team_id, user_id, target.id, limit=1)
    ratings = {r.criterion_key: r.rating for r in history[0].ratings} if history else {}
    notes = {r.criterion_key: r.note for r in history[0].ratings if r.note} if history else {}
    known = {c.key for c in criteria_of(target)}
    ratings = {key: rating for key, rating in ratings.items() if key in known}  # drop what the level lost
    notes = {key: note for key, note in notes.items() if key in ratings}
    return save_assessment(store, team_id, user_id, target, {**ratings, criterion_key: "met"}, notes, now=now)
