"""How every Slack call retries: 429s after Retry-After, 5xx and connection errors twice."""

from __future__ import annotations

from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryHandler, RetryState
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from bot import metrics
from bot.slack.pacing import PacedRateLimitHandler, Pacer


class ResponseUrlError(RuntimeError):
    """Slack refused what we posted to a response_url, even after retrying."""


def retry_handlers(*, resend_on_doubt: bool = True, pacer: Pacer | None = None) -> list[RetryHandler]:
    """`resend_on_doubt=False` for senders that must never post twice: a 5xx or a reset
    may come after Slack accepted the message, so only a 429 (never accepted) is retried.
    With a `pacer`, threads sending in bulk share their 429 waits."""
    handlers: list[RetryHandler] = [CountRateLimits(),
                                    PacedRateLimitHandler(pacer) if pacer else RateLimitErrorRetryHandler(max_retry_count=3)]
    if resend_on_doubt:
        handlers += [ServerErrorRetryHandler(max_retry_count=2), ConnectionErrorRetryHandler(max_retry_count=2)]
    return handlers


class CountRateLimits(RetryHandler):
    """Counts every 429 for the metrics and retries nothing itself: slack-sdk then asks
    the next handler, which does the waiting."""

    def __init__(self) -> None:
        super().__init__(max_retry_count=1_000_000)

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        if response is not None and response.status_code == 429:
            path = request.url.split("?", 1)[0].rstrip("/")
            metrics.RATE_LIMITED.labels(path.rsplit("/", 1)[-1] if "/api/" in path else "response_url").inc()
        return False


def post_to_response_url(url: str, **payload) -> None:
    """Bolt's respond() neither retries a 429/500 nor reports it: a silent drop. This does both."""
    response = WebhookClient(url, timeout=10, retry_handlers=retry_handlers()).send_dict(payload)
    if response.status_code != 200:
        raise ResponseUrlError(f"response_url answered HTTP {response.status_code}: {str(response.body)[:200]}")
