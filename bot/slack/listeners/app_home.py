"""The App Home tab, published for the person who opened it."""

from __future__ import annotations

from slack_bolt import BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.slack import handoff, home, listeners

EVENT = "app_home_opened"


def on_event(event: dict, body: dict, client: WebClient, context: BoltContext) -> BoltResponse | None:
    if event.get("tab", "home") != "home":
        return None  # the Messages tab: nothing to draw
    return handoff.event(listeners.deps_of(context), body, client, lambda: publish(body, client, context))


def publish(body: dict, client: WebClient, context: BoltContext) -> None:
    asker = listeners.asker_of(body, client, context)
    client.views_publish(user_id=asker.user_id, view=home.view(listeners.deps_of(context), asker))
