"""A bounded pool for work that waits on Slack or the database, kept apart from the acks.

A fixed number of threads and a fixed number of waiting jobs: when both are taken,
`submit` says no at once instead of queueing without end, and the caller answers
"busy, try again" while it still can.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)


class WorkPool:
    """`threads` jobs run at once and at most `queue_limit` more wait; threads start on the
    first job, so a pool built before gunicorn forks starts its threads in each worker."""

    def __init__(self, threads: int, queue_limit: int, *, name: str = "work") -> None:
        self.threads = threads
        self.queue_limit = queue_limit
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        self._slots = threading.BoundedSemaphore(threads + queue_limit)
        self._idle = threading.Condition()
        self._in_flight = 0

    def submit(self, job: Callable[[], None]) -> bool:
        """Run `job` on the pool; False, without waiting, when the pool and its queue are full."""
        if not self._slots.acquire(blocking=False):
            return False
        with self._idle:
            self._in_flight += 1
        try:
            self._executor.submit(self._run, job)
        except RuntimeError:  # shutting down: no new work
            self._finished()
            return False
        return True

    def wait_idle(self, timeout: float) -> int:
        """Wait up to `timeout` s for every accepted job to finish; the number still unfinished."""
        with self._idle:
            self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout)
            return self._in_flight

    def drain(self, timeout: float) -> int:
        """Take no new work and wait up to `timeout` s for what was accepted; the number left."""
        self._executor.shutdown(wait=False)  # refuses new jobs; queued ones still run
        left = self.wait_idle(timeout)
        self._executor.shutdown(wait=False, cancel_futures=True)
        if left:
            log.warning("stopping with %d job(s) unfinished", left)
        return left

    def _run(self, job: Callable[[], None]) -> None:
        try:
            job()
        except Exception:  # jobs report their own errors; this keeps the thread alive
            log.exception("a background job failed")
        finally:
            self._finished()

    def _finished(self) -> None:
        self._slots.release()
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()
