"""Stay under Slack's rate limit without knowing it in advance, across sending threads.

slack-sdk's RateLimitErrorRetryHandler makes each thread sleep Retry-After (plus up to a
second of jitter) on its own, so threads keep running into the limit and a bulk send
spends much of its time asleep. Here the threads share one Pacer: every 429 pauses
everyone for its Retry-After. Until a 429 comes after at least MEASURE_FOR seconds of
sending, sends go as fast as they are allowed; such a 429 is a measurement, and from
then on sends are spaced at a little under the rate that got through (the ceiling).

Each later 429 takes the pace down by a small factor (multiplicative decrease), and
every second without one gives back a share of the ceiling (additive increase), so a
429 now and then costs its Retry-After and no more: the pace never ratchets down to a
crawl. It never climbs above the ceiling, so a limit is not probed again and again. The
ceiling is the most Slack was seen to take, never lowered by a 429 that came while the
senders were slow for their own reasons (waiting on the database): that says nothing
about Slack's limit, and a ceiling learned from it would hold the run at a crawl.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

MARGIN = 0.97  # pace a little under what got through, so the limit is rarely met again
MIN_RATE = 1.0  # sends per second, whatever happens
RECOVERY = 0.5  # share of the ceiling given back per second without a 429
MEASURE_FOR = 0.5  # seconds of unhindered sending before a 429 that tell the rate Slack takes


class Pacer:
    def __init__(
        self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._floor_rate: float | None = None  # the pace right after the last 429; None until Slack first says 429
        self._ceiling = 0.0  # the fastest pace Slack has taken in this run
        self._next_slot = 0.0
        self._blocked_until = 0.0  # nobody sends before this (Retry-After); the quiet counts from here
        self._started = clock()
        self._accepted: deque[float] = deque()

    def reset(self) -> None:
        """Forget the learned pace (at the start of a run: limits change)."""
        with self._lock:
            self._floor_rate, self._ceiling, self._next_slot, self._blocked_until = None, 0.0, 0.0, 0.0
            self._started = self._clock()
            self._accepted.clear()

    @property
    def rate(self) -> float | None:
        """Sends per second allowed now; None while unpaced."""
        with self._lock:
            return self._rate_at(self._clock())

    def _rate_at(self, now: float) -> float | None:
        if self._floor_rate is None:
            return None
        quiet = max(0.0, now - self._blocked_until)
        return min(self._ceiling, self._floor_rate + RECOVERY * self._ceiling * quiet)

    def wait(self) -> None:
        """Block until this thread may send: after any Retry-After, and in its paced slot.
        A slot reserved before a 429 is checked again after sleeping, so nobody sends
        inside a Retry-After window that opened meanwhile."""
        while True:
            with self._lock:
                now = self._clock()
                if now < self._blocked_until:
                    delay, done = self._blocked_until - now, False
                else:
                    start = max(now, self._next_slot)
                    rate = self._rate_at(start)
                    if rate:
                        self._next_slot = start + 1.0 / rate
                    delay, done = start - now, True
            if delay > 0:
                self._sleep(delay)
            with self._lock:
                if done and self._clock() >= self._blocked_until:
                    return

    def accepted(self) -> None:
        with self._lock:
            now = self._clock()
            self._accepted.append(now)
            while self._accepted and self._accepted[0] < now - 1.0:
                self._accepted.popleft()

    def limited(self, retry_after: float) -> None:
        """Slack said 429: everyone pauses, and the pace drops a little (to what Slack took,
        when that can be told)."""
        with self._lock:
            now = self._clock()
            if now >= self._blocked_until:  # else a send in flight when the pause began: the pace already dropped
                self._slow_down(now)
            self._blocked_until = max(self._blocked_until, now + retry_after)

    def _slow_down(self, now: float) -> None:
        measured = self._measured(now)
        if measured is not None:  # the most Slack has been seen to take; a slow stretch of ours never lowers it
            self._ceiling = max(self._ceiling, measured * MARGIN, MIN_RATE)
        current = self._rate_at(now)
        if current is None:  # unpaced: only a 429 after a stretch of sending sets a pace; an early one, none
            self._floor_rate = self._ceiling if measured is not None else None
            return
        self._floor_rate = max(MIN_RATE, current * MARGIN)

    def _measured(self, now: float) -> float | None:
        """Sends per second that got through since the run began or the last pause ended
        (over at most a second), or None when that is too short to tell: right after a
        Retry-After the last second is mostly the pause, not the pace."""
        since = max(now - 1.0, self._blocked_until, self._started)
        if now - since < MEASURE_FOR:
            return None
        return sum(1 for t in self._accepted if t >= since) / (now - since)


class PacedRateLimitHandler(RateLimitErrorRetryHandler):
    """slack-sdk's 429 retry, with the wait shared through a Pacer."""

    def __init__(self, pacer: Pacer, max_retry_count: int = 10) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.pacer = pacer

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error  # type: ignore[misc]
        header = next((v[0] for k, v in response.headers.items() if k.lower() == "retry-after"), "1")
        retry_after = float(header) if str(header).replace(".", "", 1).isdigit() else 1.0
        if request.url.endswith("chat.postMessage"):
            self.pacer.limited(retry_after)  # only the sends teach the sending pace
            self.pacer.wait()
        else:
            time.sleep(retry_after)  # Slack limits each method apart: only this call waits
        state.next_attempt_requested = True
        state.increment_current_attempt()
