"""How every Slack call retries: 429s after Retry-After, 5xx and connection errors twice,
except posts that must not appear twice, which look before they post again."""

from __future__ import annotations

import logging
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryHandler, RetryState
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from bot import metrics
from bot.slackkit.pacing import PacedRateLimitHandler, Pacer

log = logging.getLogger(__name__)

ANSWER_EVENT = "ladder_answer"  # metadata event_type of answers to a message
POST_ATTEMPTS = 3
# Answers after which Slack may or may not have kept the message.
UNKNOWN_OUTCOME_ERRORS = {"internal_error", "fatal_error", "request_timeout", "service_unavailable"}


class ResponseUrlError(RuntimeError):
    """Slack refused what we posted to a response_url, even after retrying."""


def retry_handlers(*, resend_on_doubt: bool = True, pacer: Pacer | None = None) -> list[RetryHandler]:
    """`resend_on_doubt=False` for senders that must never post twice: a 5xx or a reset
    may come after Slack accepted the message, so only a 429 (never accepted) is retried.
    With a `pacer`, threads sending in bulk share their 429 waits."""
    handlers: list[RetryHandler] = [
        CountRateLimits(),
        PacedRateLimitHandler(pacer) if pacer else RateLimitErrorRetryHandler(max_retry_count=3),
    ]
    if resend_on_doubt:
        handlers += [ServerErrorRetryHandler(max_retry_count=2), ConnectionErrorRetryHandler(max_retry_count=2)]
    return handlers


class CountRateLimits(RetryHandler):
    """Counts every 429 for the metrics and retries nothing itself: slack-sdk then asks
    the next handler, which does the waiting."""

    def __init__(self) -> None:
        super().__init__(max_retry_count=1_000_000)

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code == 429:
            path = request.url.split("?", 1)[0].rstrip("/")
            metrics.RATE_LIMITED.labels(path.rsplit("/", 1)[-1] if "/api/" in path else "response_url").inc()
        return False


def post_to_response_url(url: str, **payload) -> None:
    """Bolt's respond() neither retries a 429/500 nor reports it: a silent drop. This does both."""
    response = WebhookClient(url, timeout=10, retry_handlers=retry_handlers()).send_dict(payload)
    if response.status_code != 200:
        raise ResponseUrlError(f"response_url answered HTTP {response.status_code}: {str(response.body)[:200]}")


def post_answer_once(
    client: WebClient, *, channel: str, thread_ts: str | None, answer_to: str, part: int, text: str, blocks: list[dict]
) -> None:
    """Post part `part` of the answer to the message `answer_to`, at most once.

    Slack can keep a message and still answer 500 (or reset, or time out), so a blind
    retry posts the answer twice. The message carries (answer_to, part) as metadata; after
    an unknown outcome the thread (or the channel since `answer_to`) is searched for it
    before posting again, as the nudge runner does for prompts. If Slack cannot be asked,
    the error is raised rather than risking a duplicate."""
    sender = _never_resending(client)
    payload = {"answer_to": answer_to, "part": part}
    for attempt in range(POST_ATTEMPTS):
        if attempt:
            time.sleep(0.5 * attempt)
            if _answer_posted(sender, channel, thread_ts, answer_to, payload):
                log.info(
                    "answer to %s/%s part %d was already delivered; not posting it again", channel, answer_to, part
                )
                return
        try:
            sender.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=text,
                blocks=blocks,
                unfurl_links=False,
                metadata={"event_type": ANSWER_EVENT, "event_payload": payload},
            )
            return
        except (SlackApiError, OSError) as error:
            if attempt == POST_ATTEMPTS - 1 or not _outcome_unknown(error):
                raise
            log.warning(
                "answer to %s/%s part %d: %s; checking whether Slack kept it",
                channel,
                answer_to,
                part,
                _describe(error),
            )


def _never_resending(client: WebClient) -> WebClient:
    """The same client (token, URL, timeout), retrying only 429s, which Slack never kept."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        headers=dict(client.headers),
        logger=client.logger,
        retry_handlers=retry_handlers(resend_on_doubt=False),
    )


def _outcome_unknown(error: Exception) -> bool:
    if isinstance(error, OSError):  # a reset or a timeout: the request may have arrived
        return True
    response = error.response  # type: ignore[attr-defined]
    return response.status_code >= 500 or response.get("error") in UNKNOWN_OUTCOME_ERRORS


def _answer_posted(client: WebClient, channel: str, thread_ts: str | None, answer_to: str, payload: dict) -> bool:
    """Whether a message with this metadata is in the thread, or in the channel since `answer_to`."""
    if thread_ts:
        try:
            pages = client.conversations_replies(channel=channel, ts=thread_ts, include_all_metadata=True, limit=200)
        except SlackApiError as error:
            if error.response.get("error") == "thread_not_found":
                return False  # no thread, so nothing of ours in it
            raise
    else:
        pages = client.conversations_history(channel=channel, oldest=answer_to, include_all_metadata=True, limit=200)
    for page in pages:  # slack-sdk follows the cursor
        for message in page.get("messages", []):
            metadata = message.get("metadata") or {}
            if metadata.get("event_type") == ANSWER_EVENT and metadata.get("event_payload") == payload:
                return True
    return False


def _describe(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return f"HTTP {error.response.status_code} {error.response.get('error') or ''}".strip()
    return f"{type(error).__name__}: {error}"
