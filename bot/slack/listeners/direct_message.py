"""A direct message to the bot: a question, or a reply in the thread of a growth prompt
(which becomes a reflection)."""

from __future__ import annotations

from slack_bolt import BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.slack import handoff, listeners, personal
from bot.slack.blocks import from_slack
from bot.slack.conversation import reply_to
from bot.slackkit.retries import post_answer_once

EVENT = "message"  # manifest.yml subscribes to message.im only: DMs with the bot


def on_event(event: dict, body: dict, client: WebClient, context: BoltContext) -> BoltResponse | None:
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return None  # edits, joins, other bots: nothing to answer
    return handoff.event(listeners.deps_of(context), body, client, lambda: answer(event, body, client, context))


def answer(event: dict, body: dict, client: WebClient, context: BoltContext) -> None:
    deps, asker = listeners.deps_of(context), listeners.asker_of(body, client, context)
    if event.get("thread_ts") and personal.take_thread_reply(event, deps, asker):
        return
    reply = reply_to(from_slack(event.get("text", "")), deps, asker, shareable=False)
    for part, message in enumerate(reply.messages, 1):  # a DM is private already: the answer follows in it
        post_answer_once(
            client,
            channel=event["channel"],
            thread_ts=event.get("thread_ts"),
            answer_to=event["ts"],
            part=part,
            text=message.text,
            blocks=message.blocks,
        )
