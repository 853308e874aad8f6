"""The Store's methods for the growth loop: self-assessments, manager links, shares,
ladder-change bookkeeping and workspace counts.

A mixin of ``Store`` (storage.repository): same rules, one short transaction per method,
frozen records out, every read scoped to the person (or the manager) asking.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Table, and_, case, extract, func, insert, or_, select, tuple_, update
from sqlalchemy.orm import Session

from .db import rows_changed
from .models import (
    RATINGS,
    AssessmentRatingRow,
    AssessmentRow,
    ChangeNoticeRow,
    LevelSnapshotRow,
    ManagerLinkRow,
    NudgeRow,
    PersonRow,
    ReflectionRow,
    ShareRow,
)
from .records import (
    Assessment,
    LevelCount,
    LevelSnapshot,
    ManagerLink,
    MonthCount,
    Person,
    Rating,
    Reflection,
    Share,
    ShareCopy,
    SharedItem,
    TeamMember,
    WorkspaceStats,
)

_ASSESSMENTS: Table = AssessmentRow.__table__  # type: ignore[assignment]
_RATINGS: Table = AssessmentRatingRow.__table__  # type: ignore[assignment]
_LINKS: Table = ManagerLinkRow.__table__  # type: ignore[assignment]
_SHARES: Table = ShareRow.__table__  # type: ignore[assignment]
_SNAPSHOTS: Table = LevelSnapshotRow.__table__  # type: ignore[assignment]
_NOTICES: Table = ChangeNoticeRow.__table__  # type: ignore[assignment]
_PEOPLE: Table = PersonRow.__table__  # type: ignore[assignment]
_NUDGES: Table = NudgeRow.__table__  # type: ignore[assignment]
_REFLECTIONS: Table = ReflectionRow.__table__  # type: ignore[assignment]

NOTE_LIMIT = 3000  # a Slack modal's text input cannot send more anyway


def _now(value: datetime | None) -> datetime:
    if value is None:
        return datetime.now(timezone.utc)
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError(f"now must be a timezone-aware datetime, got {value!r}")
    return value.astimezone(timezone.utc)


def _row(record: type, row: Any, **extra: Any) -> Any:
    values = row._mapping
    names = (field.name for field in dataclasses.fields(record))
    return record(**{name: extra[name] if name in extra else values[name] for name in names})


def _owned(table: Table, team_id: str, user_id: str):
    return and_(table.c.team_id == team_id, table.c.user_id == user_id)


def _clean_note(note: Any) -> str | None:
    if note is None:
        return None
    if not isinstance(note, str):
        raise ValueError(f"a note must be text, got {note!r}")
    note = note.replace("\x00", "").strip()  # PostgreSQL refuses NUL in text
    if len(note) > NOTE_LIMIT:
        raise ValueError(f"a note must be at most {NOTE_LIMIT} characters")
    return note or None


def _rating_rows(ratings: Mapping[str, str], notes: Mapping[str, str | None]) -> list[dict[str, Any]]:
    if not ratings:
        raise ValueError("an assessment needs at least one rating")
    stray = sorted(set(notes) - set(ratings))
    if stray:
        raise ValueError(f"notes for criteria without a rating: {', '.join(stray)}")
    rows = []
    for key, rating in ratings.items():
        if not isinstance(key, str) or not key or len(key) > 200:
            raise ValueError(f"bad criterion key {key!r}")
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {', '.join(RATINGS)}; got {rating!r}")
        rows.append({"criterion_key": key, "rating": rating, "note": _clean_note(notes.get(key))})
    return rows


class GrowthStore:
    """Mixed into Store, which provides the session factory and the dialect's INSERT."""

    _insert: Any

    def _session(self) -> AbstractContextManager[Session]:  # provided by Store
        raise NotImplementedError

    @staticmethod
    def _still_known(s: Session, people: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        raise NotImplementedError  # provided by Store

    # -- self-assessments

    def add_assessment(
        self,
        team_id: str,
        user_id: str,
        level_id: str,
        ratings: Mapping[str, str],
        notes: Mapping[str, str | None] | None = None,
        *,
        now: datetime | None = None,
    ) -> Assessment:
        """A new dated assessment (earlier ones are kept): ratings and optional notes by criterion key."""
        rows = _rating_rows(ratings, notes or {})
        created = _now(now)
        with self._session() as s, s.begin():
            assessment_id = s.execute(
                insert(_ASSESSMENTS)
                .values(team_id=team_id, user_id=user_id, level_id=level_id, created_at=created)
                .returning(_ASSESSMENTS.c.id)
            ).scalar_one()
            s.execute(insert(_RATINGS), [{**r, "assessment_id": assessment_id} for r in rows])
        return Assessment(
            assessment_id,
            team_id,
            user_id,
            level_id,
            created,
            tuple(Rating(r["criterion_key"], r["rating"], r["note"]) for r in rows),
        )

    def assessments_for(self, team_id: str, user_id: str, level_id: str, limit: int | None = 2) -> list[Assessment]:
        """This person's assessments of this level, newest first: [latest, previous] by default."""
        stmt = (
            select(_ASSESSMENTS)
            .where(_owned(_ASSESSMENTS, team_id, user_id), _ASSESSMENTS.c.level_id == level_id)
            .order_by(_ASSESSMENTS.c.created_at.desc(), _ASSESSMENTS.c.id.desc())
            .limit(limit)
        )
        with self._session() as s, s.begin():
            return self._assessments(s, stmt)

    def get_assessment(self, team_id: str, user_id: str, assessment_id: int) -> Assessment | None:
        stmt = select(_ASSESSMENTS).where(_ASSESSMENTS.c.id == assessment_id, _owned(_ASSESSMENTS, team_id, user_id))
        with self._session() as s, s.begin():
            found = self._assessments(s, stmt)
        return found[0] if found else None

    def latest_assessments(self, keys: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], Assessment]:
        """The latest assessment of each (team_id, user_id, level_id) that has one, in two
        queries: what a nudge run needs for a batch of people."""
        keys = list(set(keys))
        if not keys:
            return {}
        key = tuple_(_ASSESSMENTS.c.team_id, _ASSESSMENTS.c.user_id, _ASSESSMENTS.c.level_id)
        newest = (
            select(func.max(_ASSESSMENTS.c.id))
            .where(key.in_(keys))
            .group_by(_ASSESSMENTS.c.team_id, _ASSESSMENTS.c.user_id, _ASSESSMENTS.c.level_id)
        )
        # max(id) is the latest: ids grow with time, and re-assessments are never back-dated
        # in production (tests that pass `now` create them in order too).
        stmt = select(_ASSESSMENTS).where(_ASSESSMENTS.c.id.in_(newest))
        with self._session() as s, s.begin():
            return {(a.team_id, a.user_id, a.level_id): a for a in self._assessments(s, stmt)}

    @staticmethod
    def _assessments(s: Session, stmt: Any) -> list[Assessment]:
        heads = list(s.execute(stmt))
        ratings: dict[int, list[Rating]] = defaultdict(list)
        if heads:
            rows = s.execute(
                select(_RATINGS)
                .where(_RATINGS.c.assessment_id.in_([h.id for h in heads]))
                .order_by(_RATINGS.c.assessment_id, _RATINGS.c.criterion_key)
            )
            for r in rows:
                ratings[r.assessment_id].append(Rating(r.criterion_key, r.rating, r.note))
        return [_row(Assessment, h, ratings=tuple(ratings[h.id])) for h in heads]

    # -- manager links

    def invite_manager(
        self, team_id: str, user_id: str, manager_id: str, *, now: datetime | None = None
    ) -> ManagerLink:
        """A pending invitation from user_id to manager_id. An earlier pending invitation of
        this person is withdrawn; inviting the current manager (or re-inviting) changes nothing."""
        if not manager_id or manager_id == user_id:
            raise ValueError("a person cannot be their own manager")
        when = _now(now)
        with self._session() as s, s.begin():
            open_links = _owned(_LINKS, team_id, user_id) & _LINKS.c.status.in_(("pending", "accepted"))
            for row in s.execute(select(_LINKS).where(open_links, _LINKS.c.manager_id == manager_id)):
                return _row(ManagerLink, row)
            s.execute(
                update(_LINKS)
                .where(_owned(_LINKS, team_id, user_id), _LINKS.c.status == "pending")
                .values(status="withdrawn", ended_at=when)
            )
            row = s.execute(
                insert(_LINKS)
                .values(team_id=team_id, user_id=user_id, manager_id=manager_id, status="pending", created_at=when)
                .returning(*_LINKS.c)
            ).one()
        return _row(ManagerLink, row)

    def answer_invitation(
        self, team_id: str, manager_id: str, link_id: int, *, accept: bool, now: datetime | None = None
    ) -> ManagerLink | None:
        """The invited manager accepts or declines; None if it is not a pending invitation to them.
        Accepting ends the person's previous manager link: one active manager per person."""
        when = _now(now)
        mine = and_(
            _LINKS.c.id == link_id,
            _LINKS.c.team_id == team_id,
            _LINKS.c.manager_id == manager_id,
            _LINKS.c.status == "pending",
        )
        with self._session() as s, s.begin():
            invitation = s.execute(select(_LINKS).where(mine).with_for_update()).one_or_none()
            if invitation is None:
                return None
            if accept:
                s.execute(
                    update(_LINKS)
                    .where(_owned(_LINKS, team_id, invitation.user_id), _LINKS.c.status == "accepted")
                    .values(status="ended", ended_at=when)
                )
            row = s.execute(
                update(_LINKS)
                .where(mine)
                .values(status="accepted" if accept else "declined", responded_at=when)
                .returning(*_LINKS.c)
            ).one()
        return _row(ManagerLink, row)

    def end_manager_link(
        self, team_id: str, by_user_id: str, link_id: int, *, now: datetime | None = None
    ) -> ManagerLink | None:
        """Either side ends a link (or takes back / turns down an invitation); None if
        by_user_id is neither side or the link is no longer open."""
        when = _now(now)
        side = or_(_LINKS.c.user_id == by_user_id, _LINKS.c.manager_id == by_user_id)
        new_status = case(
            (_LINKS.c.status == "accepted", "ended"),
            (_LINKS.c.user_id == by_user_id, "withdrawn"),
            else_="declined",
        )
        stmt = (
            update(_LINKS)
            .where(
                _LINKS.c.id == link_id, _LINKS.c.team_id == team_id, side, _LINKS.c.status.in_(("pending", "accepted"))
            )
            .values(status=new_status, ended_at=when)
            .returning(*_LINKS.c)
        )
        with self._session() as s, s.begin():
            row = s.execute(stmt).one_or_none()
        return _row(ManagerLink, row) if row is not None else None

    def manager_link(self, team_id: str, user_id: str) -> ManagerLink | None:
        """The person's accepted link to their manager, if any."""
        return self._one_link(_owned(_LINKS, team_id, user_id), _LINKS.c.status == "accepted")

    def pending_invitation(self, team_id: str, user_id: str) -> ManagerLink | None:
        """The invitation this person sent and that is not answered yet."""
        return self._one_link(_owned(_LINKS, team_id, user_id), _LINKS.c.status == "pending")

    def invitations_for(self, team_id: str, manager_id: str) -> list[ManagerLink]:
        """Pending invitations addressed to this manager, oldest first."""
        return self._links(_LINKS.c.team_id == team_id, _LINKS.c.manager_id == manager_id, _LINKS.c.status == "pending")

    def people_of(self, team_id: str, manager_id: str) -> list[ManagerLink]:
        """The accepted links of this manager, oldest first."""
        return self._links(
            _LINKS.c.team_id == team_id, _LINKS.c.manager_id == manager_id, _LINKS.c.status == "accepted"
        )

    def _one_link(self, *where: Any) -> ManagerLink | None:
        found = self._links(*where)
        return found[-1] if found else None

    def _links(self, *where: Any) -> list[ManagerLink]:
        with self._session() as s, s.begin():
            return [_row(ManagerLink, r) for r in s.execute(select(_LINKS).where(*where).order_by(_LINKS.c.id))]

    # -- shares

    def share_reflection(
        self, team_id: str, user_id: str, reflection_id: int, *, now: datetime | None = None
    ) -> Share | None:
        """Share one of this person's reflections with their manager; None without a manager
        or if the reflection is not theirs. Sharing it again returns the first share."""
        item = select(_REFLECTIONS.c.id).where(
            _REFLECTIONS.c.id == reflection_id, _owned(_REFLECTIONS, team_id, user_id)
        )
        return self._share(team_id, user_id, item, {"kind": "reflection", "reflection_id": reflection_id}, now)

    def share_assessment(
        self, team_id: str, user_id: str, assessment_id: int, *, now: datetime | None = None
    ) -> Share | None:
        item = select(_ASSESSMENTS.c.id).where(
            _ASSESSMENTS.c.id == assessment_id, _owned(_ASSESSMENTS, team_id, user_id)
        )
        return self._share(team_id, user_id, item, {"kind": "assessment", "assessment_id": assessment_id}, now)

    def share_packet(self, team_id: str, user_id: str, level_id: str, *, now: datetime | None = None) -> Share | None:
        """Record that the packet for level_id was shared (the packet itself is built from
        what is stored, each time it is asked for)."""
        return self._share(team_id, user_id, None, {"kind": "packet", "level_id": level_id}, now)

    def _share(
        self, team_id: str, user_id: str, item: Any, values: dict[str, Any], now: datetime | None
    ) -> Share | None:
        when = _now(now)
        with self._session() as s, s.begin():
            link = s.execute(
                select(_LINKS)
                .where(_owned(_LINKS, team_id, user_id), _LINKS.c.status == "accepted")
                .with_for_update(read=True)
            ).one_or_none()
            if link is None or (item is not None and s.execute(item).first() is None):
                return None
            row = s.execute(
                self._insert(_SHARES)
                .values(
                    team_id=team_id,
                    user_id=user_id,
                    manager_id=link.manager_id,
                    link_id=link.id,
                    shared_at=when,
                    **values,
                )
                .on_conflict_do_nothing()
                .returning(*_SHARES.c)
            ).one_or_none()
            if row is None:  # already shared through this link
                same_item = [_SHARES.c[k] == v for k, v in values.items()]
                row = s.execute(select(_SHARES).where(_SHARES.c.link_id == link.id, *same_item)).one()
        return _row(Share, row)

    def record_share_copy(
        self, share_id: int, channel: str, *, ts: str | None = None, file_id: str | None = None
    ) -> bool:
        """Where the manager's copy of a share went, so it can be taken back later; False if
        the share no longer stands (its link ended while the copy was on its way): the caller
        takes the copy back at once, as the link's end could not."""
        standing = select(_LINKS.c.id).where(_LINKS.c.id == _SHARES.c.link_id, _LINKS.c.status == "accepted")
        stmt = (
            update(_SHARES)
            .where(_SHARES.c.id == share_id, standing.exists())
            .values(copy_channel=channel, copy_ts=ts, copy_file_id=file_id)
        )
        with self._session() as s, s.begin():
            return rows_changed(s.execute(stmt)) == 1

    def take_back_copies(
        self,
        team_id: str,
        *,
        link_id: int | None = None,
        person_id: str | None = None,
        reflection: tuple[str, int] | None = None,
    ) -> list[ShareCopy]:
        """The manager copies to delete from Slack, of the shares through one link, of
        everything shared by or with one person, or of one (user_id, reflection id); each
        is handed out once (forgotten here), so two takers never both delete it."""
        scopes = []
        if link_id is not None:
            scopes.append(_SHARES.c.link_id == link_id)
        if person_id is not None:
            scopes.append(or_(_SHARES.c.user_id == person_id, _SHARES.c.manager_id == person_id))
        if reflection is not None:
            scopes.append(and_(_SHARES.c.user_id == reflection[0], _SHARES.c.reflection_id == reflection[1]))
        if not scopes:
            return []
        chosen = and_(_SHARES.c.team_id == team_id, or_(*scopes), _SHARES.c.copy_channel.is_not(None))
        copy = (_SHARES.c.id, _SHARES.c.copy_channel, _SHARES.c.copy_ts, _SHARES.c.copy_file_id)
        with self._session() as s, s.begin():
            rows = s.execute(select(*copy).where(chosen).order_by(_SHARES.c.id).with_for_update()).all()
            s.execute(
                update(_SHARES)
                .where(_SHARES.c.id.in_([row.id for row in rows]))
                .values(copy_channel=None, copy_ts=None, copy_file_id=None)
            )
        return [ShareCopy(row.copy_channel, row.copy_ts, row.copy_file_id) for row in rows]

    def shares_by(self, team_id: str, user_id: str) -> list[Share]:
        """Everything this person has shared, with whom and when, newest first."""
        stmt = (
            select(_SHARES)
            .where(_owned(_SHARES, team_id, user_id))
            .order_by(_SHARES.c.shared_at.desc(), _SHARES.c.id.desc())
        )
        with self._session() as s, s.begin():
            return [_row(Share, r) for r in s.execute(stmt)]

    def team_view(self, team_id: str, manager_id: str) -> list[TeamMember]:
        """For a manager: each person linked to them now, with their levels and only the
        items they shared through the current link."""
        stmt = (
            select(
                _LINKS.c.id,
                _LINKS.c.user_id,
                _LINKS.c.responded_at,
                _LINKS.c.created_at,
                _PEOPLE.c.current_level_id,
                _PEOPLE.c.target_level_id,
            )
            .select_from(
                _LINKS.outerjoin(
                    _PEOPLE, and_(_PEOPLE.c.team_id == _LINKS.c.team_id, _PEOPLE.c.user_id == _LINKS.c.user_id)
                )
            )
            .where(_LINKS.c.team_id == team_id, _LINKS.c.manager_id == manager_id, _LINKS.c.status == "accepted")
            .order_by(_LINKS.c.id)
        )
        with self._session() as s, s.begin():
            links = list(s.execute(stmt))
            shared = self._shared_items(s, [_SHARES.c.link_id.in_([link.id for link in links])])
        return [
            TeamMember(
                link.user_id,
                link.current_level_id,
                link.target_level_id,
                link.responded_at or link.created_at,
                tuple(shared.get(link.id, ())),
            )
            for link in links
        ]

    def _shared_items(self, s: Session, where: list[Any]) -> dict[int, list[SharedItem]]:
        shares = [
            _row(Share, r)
            for r in s.execute(select(_SHARES).where(*where).order_by(_SHARES.c.shared_at.desc(), _SHARES.c.id.desc()))
        ]
        reflections = {r.id: r for r in self._by_ids(s, _REFLECTIONS, Reflection, [x.reflection_id for x in shares])}
        ids = [x.assessment_id for x in shares if x.assessment_id is not None]
        assessments = (
            {a.id: a for a in self._assessments(s, select(_ASSESSMENTS).where(_ASSESSMENTS.c.id.in_(ids)))}
            if ids
            else {}
        )
        items: dict[int, list[SharedItem]] = defaultdict(list)
        for share in shares:
            reflection = reflections.get(share.reflection_id) if share.reflection_id else None
            assessment = assessments.get(share.assessment_id) if share.assessment_id else None
            # Defence in depth: an item is shown only if it belongs to the person who shared it.
            for owned in (reflection, assessment):
                if owned is not None and (owned.team_id, owned.user_id) != (share.team_id, share.user_id):
                    break
            else:
                items[share.link_id].append(SharedItem(share, reflection, assessment))
        return items

    @staticmethod
    def _by_ids(s: Session, table: Table, record: type, ids: list[int | None]) -> list[Any]:
        wanted = [i for i in ids if i is not None]
        if not wanted:
            return []
        return [_row(record, r) for r in s.execute(select(table).where(table.c.id.in_(wanted)))]

    # -- ladder-change notes

    def level_snapshots(self) -> dict[str, LevelSnapshot]:
        with self._session() as s, s.begin():
            return {r.level_id: _row(LevelSnapshot, r) for r in s.execute(select(_SNAPSHOTS))}

    def save_level_snapshots(self, snapshots: Iterable[tuple[str, str, str]], *, now: datetime | None = None) -> None:
        """Insert or replace (level_id, fingerprint, content) rows."""
        rows = [
            {"level_id": lid, "fingerprint": fp, "content": content, "updated_at": _now(now)}
            for lid, fp, content in snapshots
        ]
        if not rows:
            return
        stmt = self._insert(_SNAPSHOTS)
        stmt = stmt.on_conflict_do_update(
            index_elements=["level_id"],
            set_={
                "fingerprint": stmt.excluded.fingerprint,
                "content": stmt.excluded.content,
                "updated_at": stmt.excluded.updated_at,
            },
        )
        with self._session() as s, s.begin():
            s.execute(stmt, rows)

    def people_at_levels(self, level_ids: Iterable[str]) -> list[Person]:
        """Everyone whose current or target level is one of these, by id."""
        ids = list(set(level_ids))
        if not ids:
            return []
        stmt = (
            select(_PEOPLE)
            .where(or_(_PEOPLE.c.current_level_id.in_(ids), _PEOPLE.c.target_level_id.in_(ids)))
            .order_by(_PEOPLE.c.id)
        )
        with self._session() as s, s.begin():
            return [_row(Person, r) for r in s.execute(stmt)]

    def claim_change_notice(
        self, team_id: str, user_id: str, level_id: str, change: str, *, now: datetime | None = None
    ) -> bool:
        """True once per (person, level, change), whichever process asks: send the note only then.
        False too for someone forgotten meanwhile, so no row about them comes back."""
        stmt = (
            self._insert(_NOTICES)
            .values(team_id=team_id, user_id=user_id, level_id=level_id, change=change, notified_at=_now(now))
            .on_conflict_do_nothing()
            .returning(_NOTICES.c.change)
        )
        with self._session() as s, s.begin():
            if not self._still_known(s, [(team_id, user_id)]):
                return False
            return s.execute(stmt).first() is not None

    # -- workspace counts

    def workspace_stats(self, team_id: str) -> WorkspaceStats:
        """Counts for one workspace; no ids and no text leave this method."""
        team = _PEOPLE.c.team_id == team_id
        with self._session() as s, s.begin():
            people, with_current, with_target = s.execute(
                select(
                    func.count(), func.count(_PEOPLE.c.current_level_id), func.count(_PEOPLE.c.target_level_id)
                ).where(team)
            ).one()
            levels = self._level_counts(s, team_id)
            prompts = self._prompt_counts(s, team_id)
            reflections = s.scalar(
                select(func.count()).select_from(_REFLECTIONS).where(_REFLECTIONS.c.team_id == team_id)
            )
            assessments, assessed = s.execute(
                select(func.count(), func.count(func.distinct(_ASSESSMENTS.c.user_id))).where(
                    _ASSESSMENTS.c.team_id == team_id
                )
            ).one()
        return WorkspaceStats(
            people, with_current, with_target, levels, prompts, reflections or 0, assessments, assessed
        )

    @staticmethod
    def _level_counts(s: Session, team_id: str) -> tuple[LevelCount, ...]:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for column, slot in ((_PEOPLE.c.current_level_id, 0), (_PEOPLE.c.target_level_id, 1)):
            stmt = (
                select(column, func.count()).where(_PEOPLE.c.team_id == team_id, column.is_not(None)).group_by(column)
            )
            for level_id, n in s.execute(stmt):
                counts[level_id][slot] = n
        return tuple(LevelCount(level_id, *counts[level_id]) for level_id in sorted(counts))

    @staticmethod
    def _prompt_counts(s: Session, team_id: str) -> tuple[MonthCount, ...]:
        year, month = extract("year", _NUDGES.c.sent_at), extract("month", _NUDGES.c.sent_at)
        stmt = (
            select(year, month, func.count(), func.sum(case((_NUDGES.c.status == "answered", 1), else_=0)))
            .where(_NUDGES.c.team_id == team_id, _NUDGES.c.sent_at.is_not(None))
            .group_by(year, month)
            .order_by(year, month)
        )
        return tuple(
            MonthCount(f"{int(y):04d}-{int(m):02d}", n, int(answered or 0)) for y, m, n, answered in s.execute(stmt)
        )


def person_scope(table: Table, team_id: str, user_id: str) -> Any | None:
    """The rows of `table` about this person, for forget_person: as the person (user_id) or as
    their manager (manager_id), or, for a table without either, through its parent (the
    ratings of their assessments). None for tables about nobody (ladder snapshots, event ids)."""
    columns = [table.c[name] for name in ("user_id", "manager_id") if name in table.c]
    if columns:
        return and_(table.c.team_id == team_id, or_(*(c == user_id for c in columns)))
    for fk in table.foreign_keys:
        parent_scope = person_scope(fk.column.table, team_id, user_id)
        if parent_scope is not None:
            return fk.parent.in_(select(fk.column).where(parent_scope))
    return None
