"""What listeners need, built once per process: settings, content, the store, the work pool."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import InitVar, dataclass, field
from datetime import datetime, timezone

import storage
from bot.config import Settings
from bot.content import Content, Contents
from bot.slack.dedupe import EventDedupe
from bot.workpool import WorkPool
from storage import Store

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Deps:
    settings: Settings
    content: Content
    store: Store
    now: Callable[[], datetime] = _utc_now
    pool: InitVar[WorkPool | None] = None  # tests pass their own, to wait on its wait_idle()
    work: WorkPool = field(init=False)  # where answers are built, after the ack
    dedupe: EventDedupe = field(init=False)
    contents: Contents = field(init=False)  # the shared ladder and the workspaces' own

    def __post_init__(self, pool: WorkPool | None) -> None:
        self.work = pool or WorkPool(self.settings.answer_threads, self.settings.answer_queue, name="answer")
        self.dedupe = EventDedupe(self.store)
        self.contents = Contents(self.content)
        self._org_workspaces: set[tuple[str, str]] = set()

    def remember_org_workspace(self, team_id: str, enterprise_id: str) -> None:
        """A workspace of an org-wide install: written once per process, so that the org's
        token sends its people's prompts and the org's uninstall deletes its data. Called
        before the ack, so the write waits for the pool like any answer; if it fails, the
        workspace's next request tries again."""
        key = (team_id, enterprise_id)
        if key in self._org_workspaces:
            return
        self._org_workspaces.add(key)

        def write() -> None:
            try:
                self.store.remember_org_workspace(team_id, enterprise_id)
            except storage.StorageError as error:
                self._org_workspaces.discard(key)
                log.warning(
                    "could not record workspace %s of org %s (%s); next request tries again",
                    team_id,
                    enterprise_id,
                    error,
                )

        if not self.work.submit(write):
            self._org_workspaces.discard(key)

    def for_team(self, team_id: str | None) -> Deps:
        """These Deps, with `content` that workspace's own ladder when it has one
        (LADDER_CONTENT_DIR/<team_id>/): everything else, the pool included, is shared."""
        content = self.contents.for_team(team_id)
        if content is self.content:
            return self
        view = copy.copy(self)
        view.content = content
        return view


def build_deps(settings: Settings) -> Deps:
    """The production wiring: content from LADDER_CONTENT_DIR, the database prepared (see storage.prepare)."""
    content = Content(settings.content_dir)
    store = Store(settings.database_url)
    storage.prepare(settings.database_url)
    return Deps(settings=settings, content=content, store=store)
