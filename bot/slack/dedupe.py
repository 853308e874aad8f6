"""Answer each Slack event once, without ever holding up an ack for it.

Slack resends an event it thinks was missed, with the same event_id (on another web
process, perhaps). The database remembers which ids were taken, across processes and
restarts. It is asked off the request thread, and only for `wait` seconds: when it is
locked or down, this process's own memory of recent ids decides, so the event is
answered once here rather than never.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from storage import StorageError, Store

log = logging.getLogger(__name__)

CLAIM_WAIT_S = 1.0
REMEMBERED_IDS = 10_000
_CLAIM_THREADS = 2
_CLAIMS_PENDING = 8  # claims stuck on a locked database, beyond which we stop asking it


class EventDedupe:
    def __init__(self, store: Store, *, wait: float = CLAIM_WAIT_S, remember: int = REMEMBERED_IDS) -> None:
        self._store = store
        self._wait = wait
        self._remember = remember
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._lock = threading.Lock()
        # A claim that outlives `wait` keeps running here and records the id when it can.
        self._claims = ThreadPoolExecutor(max_workers=_CLAIM_THREADS, thread_name_prefix="event-claim")
        self._pending = threading.BoundedSemaphore(_CLAIMS_PENDING)

    def first_time(self, team_id: str, event_id: str) -> bool:
        """True if no process has taken this event yet (or, without the database, not this one)."""
        key = (team_id, event_id)
        with self._lock:
            if key in self._seen:
                return False
            self._seen[key] = None
            while len(self._seen) > self._remember:
                self._seen.popitem(last=False)
        return self._claim(team_id, event_id)

    def _claim(self, team_id: str, event_id: str) -> bool:
        if not self._pending.acquire(blocking=False):
            log.warning("event %s: the database is not answering claims; deduplicating in this process only", event_id)
            return True
        claim = self._claims.submit(self._store.claim_event, team_id, event_id)
        claim.add_done_callback(lambda _: self._pending.release())
        try:
            return claim.result(timeout=self._wait)
        except FutureTimeout:
            reason = f"no answer from the database within {self._wait:g} s"
        except StorageError as error:
            reason = str(error)
        log.warning("event %s: dedupe unavailable (%s); handling it once in this process", event_id, reason)
        return True
