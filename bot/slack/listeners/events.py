"""Mentions (answered in a thread), direct messages, and the App Home tab."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.slack import handoff, home, personal
from bot.slack.blocks import from_slack
from bot.slack.conversation import Asker, reply_to
from bot.slack.retries import post_answer_once

if TYPE_CHECKING:
    from bot.slack.app import Deps

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    # Each listener acks by returning (Bolt acks events itself) and leaves the work to the pool.
    @app.event("app_mention")
    def mention(event: dict, body: dict, client: WebClient) -> BoltResponse | None:
        return handoff.event(deps, body, client, lambda: answer_mention(event, body, client))

    def answer_mention(event: dict, body: dict, client: WebClient) -> None:
        asker = Asker(body.get("team_id", ""), event.get("user", ""), client)
        thread = event.get("thread_ts") or event["ts"]
        reply = reply_to(from_slack(event.get("text", "")), deps, asker, shareable=False)
        for part, message in enumerate(reply.messages, 1):
            if reply.private:  # a profile or journal asked for in a channel: for the asker's eyes only
                client.chat_postEphemeral(channel=event["channel"], user=asker.user_id, thread_ts=thread,
                                          text=message.text, blocks=message.blocks)
            else:
                post_answer_once(client, channel=event["channel"], thread_ts=thread, answer_to=event["ts"], part=part,
                                 text=message.text, blocks=message.blocks)

    @app.event("message")
    def direct_message(event: dict, body: dict, client: WebClient) -> BoltResponse | None:
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
            return None  # edits, joins, other bots: nothing to answer
        return handoff.event(deps, body, client, lambda: answer_direct_message(event, body, client))

    def answer_direct_message(event: dict, body: dict, client: WebClient) -> None:
        asker = Asker(body.get("team_id", ""), event.get("user", ""), client)
        if event.get("thread_ts") and personal.take_thread_reply(event, deps, asker):
            return
        for part, message in enumerate(reply_to(from_slack(event.get("text", "")), deps, asker, shareable=False).messages, 1):
            post_answer_once(client, channel=event["channel"], thread_ts=event.get("thread_ts"), answer_to=event["ts"],
                             part=part, text=message.text, blocks=message.blocks)

    @app.event("app_home_opened")
    def home_opened(event: dict, body: dict, client: WebClient) -> BoltResponse | None:
        if event.get("tab", "home") != "home":
            return None
        return handoff.event(deps, body, client, lambda: publish_home(event, body, client))

    def publish_home(event: dict, body: dict, client: WebClient) -> None:
        asker = Asker(body.get("team_id", ""), event["user"], client)
        client.views_publish(user_id=event["user"], view=home.view(deps, asker))

