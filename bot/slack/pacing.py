"""Stay under Slack's rate limit without knowing it in advance, across sending threads.

slack-sdk's RateLimitErrorRetryHandler makes each thread sleep Retry-After (plus up to a
second of jitter) on its own, so threads keep running into the limit and a bulk send
spends much of its time asleep. Here the threads share one Pacer: until Slack first says
429 it sends as fast as it is allowed; then everyone pauses for Retry-After, and from
then on sends are spaced at a little under the rate that got through in the last second.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

MARGIN = 0.97  # pace a little under what got through, so the limit is rarely met again


class Pacer:
    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._rate: float | None = None  # sends per second; None until Slack first says 429
        self._next_slot = 0.0
        self._accepted: deque[float] = deque()

    @property
    def rate(self) -> float | None:
        return self._rate

    def wait(self) -> None:
        """Block until this thread may send."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next_slot)
            if self._rate:
                self._next_slot = start + 1.0 / self._rate
            delay = start - now
        if delay > 0:
            self._sleep(delay)

    def accepted(self) -> None:
        with self._lock:
            now = self._clock()
            self._accepted.append(now)
            while self._accepted and self._accepted[0] < now - 1.0:
                self._accepted.popleft()

    def limited(self, retry_after: float) -> None:
        """Slack said 429: everyone pauses, and the pace drops to what Slack took."""
        with self._lock:
            now = self._clock()
            recent = sum(1 for t in self._accepted if t >= now - 1.0)
            learned = recent * MARGIN if recent else (self._rate or 2.0) / 2
            self._rate = max(1.0, min(learned, self._rate) if self._rate else learned)
            self._next_slot = max(self._next_slot, now + retry_after)


class PacedRateLimitHandler(RateLimitErrorRetryHandler):
    """slack-sdk's 429 retry, with the wait shared through a Pacer."""

    def __init__(self, pacer: Pacer, max_retry_count: int = 10) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.pacer = pacer

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None, error: Exception | None = None) -> None:
        if response is None:
            raise error  # type: ignore[misc]
        retry_after = next((v[0] for k, v in response.headers.items() if k.lower() == "retry-after"), "1")
        self.pacer.limited(float(retry_after) if str(retry_after).replace(".", "", 1).isdigit() else 1.0)
        self.pacer.wait()
        state.next_attempt_requested = True
        state.increment_current_attempt()
