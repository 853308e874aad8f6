"""The loaded ladder of a running bot, reloadable without a restart."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from bot.ladder.answers import Answerer
from bot.ladder.loader import LoadResult, load_ladder

log = logging.getLogger(__name__)


class Content:
    """Holds the current `Answerer`. A reload that finds nothing valid keeps the last
    good one, so a bad deploy of the content folder never empties the bot."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self.last_result = load_ladder_logged(self.directory)
        self.answerer = Answerer(self.last_result.ladder)

    def reload(self) -> LoadResult:
        result = load_ladder_logged(self.directory)
        with self._lock:
            self.last_result = result
            if len(result.ladder) == 0 and len(self.answerer.ladder) > 0:
                log.error("content reload found no valid level in %s; keeping the %d levels loaded before",
                          self.directory, len(self.answerer.ladder))
            else:
                self.answerer = Answerer(result.ladder)
        return result


def load_ladder_logged(directory: Path) -> LoadResult:
    result = load_ladder(directory)
    for problem in result.problems:
        (log.warning if problem.severity == "error" else log.info)("content: %s", problem)
    log.info("content: %d levels in %d tracks from %s", len(result.ladder), len(result.ladder.tracks), directory)
    return result
