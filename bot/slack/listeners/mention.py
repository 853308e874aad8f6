"""@ladderbot in a channel: answered in a thread under the mention."""

from __future__ import annotations

from slack_bolt import BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.slack import handoff, listeners, replies
from bot.slack.blocks import from_slack
from bot.slack.conversation import reply_to
from bot.slackkit.retries import post_answer_once

EVENT = "app_mention"


def on_event(event: dict, body: dict, client: WebClient, context: BoltContext) -> BoltResponse | None:
    # Bolt acks an event when its listener returns None: the answer is left to the pool.
    return handoff.event(listeners.deps_of(context), body, client, lambda: answer(event, body, client, context))


def answer(event: dict, body: dict, client: WebClient, context: BoltContext) -> None:
    reply = reply_to(
        from_slack(event.get("text", "")),
        listeners.deps_of(context),
        listeners.asker_of(body, client, context),
        shareable=False,
    )
    if reply.private:  # a profile or journal asked for in a channel: for the asker's eyes only
        replies.send(reply.messages, body, client, private=True)
        return
    for part, message in enumerate(reply.messages, 1):
        post_answer_once(
            client,
            channel=event["channel"],
            thread_ts=event.get("thread_ts") or event["ts"],
            answer_to=event["ts"],
            part=part,
            text=message.text,
            blocks=message.blocks,
        )
