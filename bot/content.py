"""The loaded ladder of a running bot, reloaded without a restart when its folder changes.

Each process notices a change by a cheap fingerprint of the folder (names, sizes and
modification times), checked at most every few seconds, and reloads in the background
while it goes on answering from the current index. A reload that meets a broken file
keeps the last good index, so a bad edit never takes a level away from people.
`ladderbot content reload` (or SIGHUP in Socket Mode) asks for a reload at once.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from pathlib import Path

from bot import metrics
from bot.ladder.answers import Answerer
from bot.ladder.loader import LoadResult, is_workspace_folder, load_ladder

log = logging.getLogger(__name__)

RELOAD_MARKER = ".reload"  # touched by `ladderbot content reload`


class Content:
    def __init__(self, directory: Path, *, check_every: float = 5.0) -> None:
        self.directory = Path(directory)
        self.check_every = check_every
        self._lock = threading.Lock()
        self._next_check = time.monotonic() + check_every
        self._fingerprint = fingerprint(self.directory)
        self.last_result = load_ladder_logged(self.directory)
        self._answerer = Answerer(self.last_result.ladder)
        gc.freeze()  # the ladder lives as long as the process: keep it out of every later GC pass

    @property
    def answerer(self) -> Answerer:
        if self.check_every and time.monotonic() >= self._next_check:
            self._check_for_changes()
        return self._answerer

    def reload(self) -> LoadResult | None:
        """Load the folder again; keep the current index if the new one has errors.
        Never raises: a reload runs in a background thread (or a signal handler), and an
        exception there would end it silently and leave the bot on stale content for good."""
        try:
            return self._reload()
        except Exception:
            metrics.CONTENT_RELOADS.labels("failed").inc()
            log.exception(
                "content reload of %s failed; still serving the %d levels loaded before",
                self.directory,
                len(self._answerer.ladder),
            )
            return None

    def _reload(self) -> LoadResult:
        result = load_ladder_logged(self.directory)
        with self._lock:
            self.last_result = result
            if result.errors and len(self._answerer.ladder):
                metrics.CONTENT_RELOADS.labels("kept_last_good").inc()
                log.error(
                    "content reload: %d problem(s) in %s; still serving the %d levels loaded before",
                    len(result.errors),
                    self.directory,
                    len(self._answerer.ladder),
                )
            else:
                metrics.CONTENT_RELOADS.labels("ok").inc()
                self._answerer = Answerer(result.ladder)
                gc.freeze()
        return result

    def _check_for_changes(self) -> None:
        with self._lock:
            if time.monotonic() < self._next_check:
                return  # another thread just checked
            self._next_check = time.monotonic() + self.check_every
            current = fingerprint(self.directory)
            if current == self._fingerprint:
                return
            self._fingerprint = current
        log.info("content folder %s changed; reloading", self.directory)
        threading.Thread(target=self.reload, name="content-reload", daemon=True).start()


class Contents:
    """The shared ladder, and each workspace's own where LADDER_CONTENT_DIR/<team_id>/ exists
    (loaded the first time that workspace asks, then reloaded like the shared one)."""

    def __init__(self, shared: Content) -> None:
        self.shared = shared
        self._teams: dict[str, Content] = {}
        self._lock = threading.Lock()

    def for_team(self, team_id: str | None) -> Content:
        folder = self.shared.directory / team_id if team_id and is_workspace_folder(team_id) else None
        if folder is None or not folder.is_dir():
            return self.shared
        with self._lock:
            if team_id not in self._teams:
                self._teams[team_id] = Content(folder, check_every=self.shared.check_every)  # type: ignore[index]
            return self._teams[team_id]  # type: ignore[index]


def workspace_folders(directory: Path) -> list[Path]:
    """The workspaces' own ladders under a content folder (see Contents)."""
    try:
        return sorted(p for p in Path(directory).iterdir() if p.is_dir() and is_workspace_folder(p.name))
    except OSError:
        return []


def fingerprint(directory: Path) -> tuple:
    entries = []
    for dirpath, dirnames, filenames in os.walk(directory):
        # A workspace's own folder is its own Content's business: an edit there reloads that one only.
        dirnames[:] = sorted(d for d in dirnames if not (Path(dirpath) == Path(directory) and is_workspace_folder(d)))
        for name in sorted(filenames):
            try:
                stat = os.stat(os.path.join(dirpath, name))
            except OSError:
                continue
            entries.append((dirpath, name, stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


def request_reload(directory: Path) -> None:
    """Tell running bots to reload now (they watch the folder's fingerprint), the shared
    ladder and every workspace's own."""
    for folder in [Path(directory), *workspace_folders(directory)]:
        (folder / RELOAD_MARKER).write_text(f"{time.time()}\n")


def load_ladder_logged(directory: Path) -> LoadResult:
    result = load_ladder(directory)
    for severity in ("error", "warning"):
        metrics.CONTENT_PROBLEMS.labels(severity).set(sum(p.severity == severity for p in result.problems))
    for problem in result.problems:
        (log.warning if problem.severity == "error" else log.info)("content: %s", problem)
    log.info("content: %d levels in %d tracks from %s", len(result.ladder), len(result.ladder.tracks), directory)
    return result
