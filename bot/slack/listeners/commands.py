"""The slash command (/ladder, or /ladder-dev where installed so): answered ephemerally
through the response_url."""

from __future__ import annotations

import re

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.slack import handoff, listeners, replies
from bot.slack.blocks import from_slack
from bot.slack.conversation import reply_to
from bot.slackkit.retries import post_to_response_url

# Any command starting with /ladder, so a workspace can install it as /ladder-dev too.
COMMAND = re.compile(r"^/ladder")


def slash_command(ack: Ack, command: dict, client: WebClient, context: BoltContext) -> None:
    deps = listeners.deps_of(context)
    handoff.command(ack, deps, command, client, lambda: answer(command, client, context))


def answer(command: dict, client: WebClient, context: BoltContext) -> None:
    deps = listeners.deps_of(context)
    reply = reply_to(from_slack(command.get("text", "")), deps, replies.asker_from(command, client), shareable=True)
    for message in reply.messages:
        post_to_response_url(
            command["response_url"],
            text=message.text,
            blocks=message.blocks,
            response_type="ephemeral",
            replace_original=False,
        )
