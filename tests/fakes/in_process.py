"""The Bolt app in this process, sent requests exactly as Slack signs them, the way
bolt-python's own tests do: `app.dispatch(BoltRequest(body=..., headers=...))` on the
app `ladderbot serve` builds (process_before_response=True), the fake Slack as Web API.

Answers are built on the work pool after the ack; `wait()` returns once the pool is idle,
a definite signal that every answer was sent (or failed) and every Web API call was made.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from slack_bolt import App, BoltRequest

import storage
from bot.config import Settings
from bot.content import Content
from bot.slack.app import create_app
from bot.slack.deps import Deps
from bot.workpool import WorkPool
from tests.fakes.fake_slack import FakeSlack
from tests.fakes.slack_requests import BOT_TOKEN, SIGNING_SECRET, HttpResult, SlackRequests

CONTENT = Path(__file__).resolve().parents[2] / "ladder_content"


class InProcessBot(SlackRequests):
    """SlackRequests whose requests go to `app.dispatch` instead of over HTTP."""

    def __init__(self, fake_slack: FakeSlack, database_url: str, **settings: object) -> None:
        super().__init__("http://in-process")
        storage.upgrade(database_url)
        self.pool = WorkPool(4, 16, name="test-answer")
        self.deps = Deps(
            settings=Settings(
                content_dir=CONTENT,
                slack_api_url=fake_slack.api_url,
                slack_bot_token=BOT_TOKEN,
                slack_signing_secret=SIGNING_SECRET,
                **settings,
            ),  # type: ignore[arg-type]
            content=Content(CONTENT),
            store=storage.Store(database_url),
            pool=self.pool,
        )
        self.app: App = create_app(self.deps)

    def send(self, body: str, headers: dict[str, str]) -> HttpResult:
        bolt_headers: dict[str, str | Sequence[str]] = dict(headers)
        response = self.app.dispatch(BoltRequest(body=body, headers=bolt_headers))
        return HttpResult(response.status, response.body)

    def wait(self, timeout: float = 20.0) -> None:
        """Until every answer queued so far is done."""
        assert self.pool.wait_idle(timeout) == 0, "answers still running"

    def close(self) -> None:
        self.pool.drain(timeout=20)
        self.deps.store.dispose()
