"""Ladder-change notes: when a level's criteria are added, removed or reworded on a content
reload, the people whose current or target level it is get one note per change.

What each level said is kept in the database (storage's level snapshots), so a restart
neither repeats a note nor misses a change made while the bot was down, and the very first
load (nothing kept yet) tells nobody anything.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.ladder.compare import ChangedCompetency, Comparison, compare_levels
from bot.ladder.model import Competency, Level, Section

if TYPE_CHECKING:
    from storage import Store

CHANGE_NOTES_ENV = "LADDERBOT_CHANGE_NOTES"
_OFF, _ON = {"off", "false", "0", "no"}, {"", "on", "true", "1", "yes"}
_MARKERS = {"removed": ("[-", "-]"), "added": ("{+", "+}"), "same": ("", "")}  # as in `ladderbot compare`


def notes_enabled(env: Mapping[str, str] | None = None) -> bool:
    raw = (os.environ if env is None else env).get(CHANGE_NOTES_ENV, "").strip().lower()
    if raw not in _OFF | _ON:
        raise ValueError(f"{CHANGE_NOTES_ENV} must be 'on' or 'off', got {raw!r}")
    return raw in _ON


# -- what a level says, kept between loads


def level_fingerprint(level: Level) -> str:
    """Changes when a criterion is added, removed, reworded or moved; not for examples or prose."""
    criteria = [[s.key, [c.text for c in s.competencies]] for s in level.sections]
    return hashlib.sha256(json.dumps(criteria, ensure_ascii=False).encode()).hexdigest()


def level_snapshot(level: Level) -> str:
    """Enough of the level (as JSON) to diff a later version against."""
    sections = [
        {
            "name": s.name,
            "key": s.key,
            "emoji": s.emoji,
            "path": list(getattr(s, "path", ())),
            "criteria": [c.text for c in s.competencies],
        }
        for s in level.sections
    ]
    return json.dumps(
        {
            "id": level.id,
            "code": level.code,
            "rank": level.rank,
            "title": level.title,
            "track": level.track,
            "track_key": level.track_key,
            "sections": sections,
        },
        ensure_ascii=False,
    )


def level_from_snapshot(content: str) -> Level:
    data = json.loads(content)
    sections = tuple(_section(s) for s in data["sections"])
    return Level(
        id=data["id"],
        code=data["code"],
        rank=data["rank"],
        title=data["title"],
        track=data["track"],
        track_key=data["track_key"],
        sections=sections,
    )


def _section(data: dict) -> Section:
    values = {
        "name": data["name"],
        "key": data["key"],
        "emoji": data["emoji"],
        "competencies": tuple(Competency(text) for text in data["criteria"]),
    }
    if data.get("path") and "path" in {f.name for f in dataclasses.fields(Section)}:
        values["path"] = tuple(data["path"])  # the category tree, where the ladder model has one
    return Section(**values)


# -- what changed


@dataclass(frozen=True)
class LevelChange:
    level: Level  # as it is now
    comparison: Comparison  # before -> now, the engine's diff: render it as comparisons are
    fingerprint: str  # this change, the same in every process: one note per change per person
    added: tuple[tuple[str, str], ...]  # (category, criterion)
    removed: tuple[tuple[str, str], ...]
    reworded: tuple[tuple[str, ChangedCompetency], ...]

    @property
    def summary(self) -> str:
        parts = [(len(self.added), "added"), (len(self.removed), "removed"), (len(self.reworded), "reworded")]
        return ", ".join(f"{n} {what}" for n, what in parts if n)


def detect_change(before: Level, after: Level, fingerprint: str = "") -> LevelChange | None:
    """The criteria added, removed and reworded from `before` to `after` (two versions of
    one level); None if none were (a reorder, or a criterion moved to another category)."""
    # compare_levels puts the lower rank first; the old version must stay "before" even if
    # the level moved up or down the ladder.
    comparison = compare_levels(dataclasses.replace(before, rank=after.rank), after)
    added = [(d.name, c.text) for d in comparison.sections for c in d.new]
    removed = [(d.name, c.text) for d in comparison.sections for c in d.dropped]
    moved = {text for _, text in added} & {text for _, text in removed}
    added = [a for a in added if a[1] not in moved]
    removed = [r for r in removed if r[1] not in moved]
    reworded = [(d.name, c) for d in comparison.sections for c in d.changed]
    if not (added or removed or reworded):
        return None
    return LevelChange(after, comparison, fingerprint, tuple(added), tuple(removed), tuple(reworded))


def describe(change: LevelChange) -> str:
    """The change as plain text, in `ladderbot compare`'s diff markers: {+added+} [-removed-]."""
    lines = [f"{change.level.name} ({change.level.track}) changed: {change.summary}."]
    categories = list(
        dict.fromkeys([c for c, _ in change.added] + [c for c, _ in change.reworded] + [c for c, _ in change.removed])
    )
    for category in categories:
        lines += ["", category]
        lines += [f"  + New: {text}" for c, text in change.added if c == category]
        lines += [f"  ~ Changes: {_word_diff(diff)}" for c, diff in change.reworded if c == category]
        lines += [f"  - No longer listed: {text}" for c, text in change.removed if c == category]
    return "\n".join(lines)


def _word_diff(change: ChangedCompetency) -> str:
    return " ".join(_MARKERS[p.op][0] + p.text + _MARKERS[p.op][1] for p in change.pieces)


# -- who is told


@dataclass(frozen=True)
class ChangeNote:
    team_id: str
    user_id: str
    change: LevelChange
    roles: tuple[str, ...]  # ("current",), ("target",) or both: why this person is told


class ChangeNotes:
    """Call check() after every content load, then for each note: if claim(note): send it."""

    def __init__(self, store: Store, *, enabled: bool | None = None) -> None:
        self.store = store
        self.enabled = notes_enabled() if enabled is None else enabled

    def check(self, levels: Iterable[Level], *, now: datetime | None = None) -> list[ChangeNote]:
        """Compare the loaded levels with what was kept, keep the new versions, and return
        the notes due. Levels seen for the first time are kept and tell nobody; with notes
        off the versions are still kept, so turning them on later does not replay old changes."""
        kept = self.store.level_snapshots()
        changes, fresh = [], []
        for level in levels:
            fingerprint = level_fingerprint(level)
            before = kept.get(level.id)
            if before is not None and before.fingerprint == fingerprint:
                continue
            fresh.append((level.id, fingerprint, level_snapshot(level)))
            if before is not None:
                key = hashlib.sha256(f"{level.id}\n{before.fingerprint}\n{fingerprint}".encode()).hexdigest()
                change = detect_change(level_from_snapshot(before.content), level, key)
                if change is not None:
                    changes.append(change)
        self.store.save_level_snapshots(fresh, now=now)
        return self._notes(changes) if self.enabled and changes else []

    def _notes(self, changes: list[LevelChange]) -> list[ChangeNote]:
        by_level = {c.level.id: c for c in changes}
        notes = []
        for person in self.store.people_at_levels(by_level):
            for level_id in dict.fromkeys([person.current_level_id, person.target_level_id]):
                if level_id in by_level:
                    roles = tuple(
                        role
                        for role, at in (("current", person.current_level_id), ("target", person.target_level_id))
                        if at == level_id
                    )
                    notes.append(ChangeNote(person.team_id, person.user_id, by_level[level_id], roles))
        return notes

    def claim(self, note: ChangeNote, *, now: datetime | None = None) -> bool:
        """True the one time this person is to be told about this change (at most once:
        claimed before sending, so two processes or a restart never send it twice)."""
        return self.store.claim_change_notice(
            note.team_id, note.user_id, note.change.level.id, note.change.fingerprint, now=now
        )
