"""The /ladder slash command: answered ephemerally through the response_url."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.slack import handoff
from bot.slack.blocks import from_slack
from bot.slack.conversation import Asker, reply_to
from bot.slack.retries import post_to_response_url

if TYPE_CHECKING:
    from bot.slack.app import Deps


def register(app: App, deps: Deps) -> None:
    # Any command starting with /ladder, so a workspace can install it as /ladder-dev too.
    @app.command(re.compile(r"^/ladder"))
    def ladder_command(ack: Ack, command: dict, client: WebClient) -> None:
        handoff.command(ack, deps, command, client, lambda: answer(command, client))

    def answer(command: dict, client: WebClient) -> None:
        asker = Asker(command.get("team_id", ""), command["user_id"], client)
        reply = reply_to(from_slack(command.get("text", "")), deps, asker, shareable=True, command=command["command"])
        for message in reply.messages:
            post_to_response_url(command["response_url"], text=message.text, blocks=message.blocks,
                                 response_type="ephemeral", replace_original=False)
