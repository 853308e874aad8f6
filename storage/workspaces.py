"""Workspaces: which ones have ladderbot installed (slack-sdk's tables, read only here),
which ones left, and deleting everything one workspace ever stored."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, and_, delete, or_, select
from sqlalchemy.orm import Session

from .db import rows_changed
from .models import Base, DepartedWorkspaceRow, OrgWorkspaceRow

_DEPARTED: Table = DepartedWorkspaceRow.__table__  # type: ignore[assignment]
_ORG_WORKSPACES: Table = OrgWorkspaceRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Installed:
    """One installation's key, as slack-sdk's installation store looks it up."""

    team_id: str | None
    enterprise_id: str | None
    is_enterprise_install: bool

    @property
    def name(self) -> str:
        return (self.enterprise_id or "") + ("/" if self.enterprise_id and self.team_id else "") + (self.team_id or "")


class WorkspaceStore:
    """Mixed into Store, which provides the engine, the session factory and the dialect's INSERT."""

    _engine: Engine
    _insert: Any

    def _session(self) -> AbstractContextManager[Session]:  # provided by Store
        raise NotImplementedError

    # -- slack-sdk's stores, on this database

    # slack-sdk's stores are imported when first used: a process that never serves
    # OAuth (the terminal, single-workspace mode) does not pay for them.
    def slack_installation_store(self, client_id: str):
        from .installations import installation_store

        return installation_store(self._engine, client_id)

    def slack_state_store(self):
        from .installations import state_store

        return state_store(self._engine)

    def installed(self, client_id: str) -> list[Installed]:
        """Every installation with a bot of this app, whatever its token's state."""
        from .installations import BOTS

        stmt = (
            select(BOTS.c.team_id, BOTS.c.enterprise_id, BOTS.c.is_enterprise_install)
            .where(BOTS.c.client_id == client_id)
            .distinct()
            .order_by(BOTS.c.enterprise_id, BOTS.c.team_id)
        )
        with self._session() as s, s.begin():
            return [
                Installed(row.team_id, row.enterprise_id, bool(row.is_enterprise_install)) for row in s.execute(stmt)
            ]

    def forget_expired_oauth_states(self, now: datetime) -> int:
        """Every visit to /slack/install stores a state; those never used would pile up."""
        from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db

        from .installations import OAUTH_STATES

        stmt = delete(OAUTH_STATES).where(OAUTH_STATES.c.expire_at < normalize_datetime_for_db(now))
        with self._session() as s, s.begin():
            return rows_changed(s.execute(stmt))

    # -- org-wide installs (Enterprise Grid)

    def remember_org_workspace(self, team_id: str, enterprise_id: str) -> None:
        stmt = (
            self._insert(_ORG_WORKSPACES).values(team_id=team_id, enterprise_id=enterprise_id).on_conflict_do_nothing()
        )
        with self._session() as s, s.begin():
            s.execute(stmt)

    def org_workspaces(self, enterprise_id: str) -> list[str]:
        stmt = (
            select(_ORG_WORKSPACES.c.team_id)
            .where(_ORG_WORKSPACES.c.enterprise_id == enterprise_id)
            .order_by(_ORG_WORKSPACES.c.team_id)
        )
        with self._session() as s, s.begin():
            return list(s.execute(stmt).scalars())

    # -- leaving, and coming back within the grace period

    def workspace_departed(self, team_id: str, *, now: datetime) -> None:
        """The first departure counts: a second uninstall event does not restart the clock."""
        stmt = self._insert(_DEPARTED).values(team_id=team_id, departed_at=now).on_conflict_do_nothing()
        with self._session() as s, s.begin():
            s.execute(stmt)

    def workspace_returned(self, team_id: str) -> bool:
        """Installed again: its data stays. True if it had been marked as departed."""
        with self._session() as s, s.begin():
            return rows_changed(s.execute(delete(_DEPARTED).where(_DEPARTED.c.team_id == team_id))) > 0

    def departed_before(self, cutoff: datetime) -> list[str]:
        stmt = select(_DEPARTED.c.team_id).where(_DEPARTED.c.departed_at < cutoff).order_by(_DEPARTED.c.team_id)
        with self._session() as s, s.begin():
            return list(s.execute(stmt).scalars())

    def forget_workspace(self, team_id: str) -> dict[str, int]:
        """Delete every row of this workspace: its people and everything hanging from them,
        its handled event ids, its installations and bots, and its departure mark. Given an
        Enterprise Grid org's id, the same for every workspace of its org-wide install.
        Tables without a team_id go through their parent (ratings through assessments)."""
        from .installations import BOTS, INSTALLATIONS

        teams = [team_id, *self.org_workspaces(team_id)]
        counts: dict[str, int] = {}
        with self._session() as s, s.begin():
            for table in _children_first(Base.metadata.sorted_tables):
                scope = _team_scope(table, teams)
                if scope is not None:
                    counts[table.name] = rows_changed(s.execute(delete(table).where(scope)))
            counts[_ORG_WORKSPACES.name] += rows_changed(
                s.execute(delete(_ORG_WORKSPACES).where(_ORG_WORKSPACES.c.enterprise_id == team_id))
            )
            for table in (INSTALLATIONS, BOTS):
                counts[table.name] = rows_changed(
                    s.execute(
                        delete(table).where(
                            or_(
                                table.c.team_id == team_id,
                                and_(table.c.enterprise_id == team_id, table.c.is_enterprise_install),
                            )
                        )
                    )
                )
        return {name: count for name, count in counts.items() if count}


def _children_first(tables: Iterable[Table]) -> list[Table]:
    return list(reversed(list(tables)))


def _team_scope(table: Table, teams: list[str]) -> Any | None:
    if "team_id" in table.c:
        return table.c.team_id.in_(teams)
    for fk in table.foreign_keys:
        parent = _team_scope(fk.column.table, teams)
        if parent is not None:
            return fk.parent.in_(select(fk.column).where(parent))
    return None
