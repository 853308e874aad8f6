"""Buttons: follow-up questions, sharing an answer, and a person's own settings."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from slack_bolt import Ack, App, BoltResponse
from slack_sdk import WebClient

from bot.slack import blocks, handoff, home, personal
from bot.slack.blocks import Message
from bot.slack.conversation import Asker, reply_to
from bot.slack.retries import post_to_response_url

if TYPE_CHECKING:
    from bot.slack.app import Deps


def register(app: App, deps: Deps) -> None:
    # Each listener acks at once and leaves the work to the pool (see handoff.busy when it is full).
    @app.action(re.compile(f"^{blocks.ACTION_QUERY}"))
    def follow_up(ack: Ack, body: dict, action: dict, client: WebClient) -> BoltResponse | None:
        return handoff.interaction(ack, deps, body, client, lambda: answer_follow_up(body, action, client))

    def answer_follow_up(body: dict, action: dict, client: WebClient) -> None:
        asker = _asker(body, client)
        ephemeral = (body.get("container") or {}).get("is_ephemeral", False)
        reply = reply_to(action.get("value", ""), deps, asker, shareable=ephemeral)
        _send(reply.messages, body, client, replace=ephemeral, private=reply.private)

    @app.action(blocks.ACTION_SHARE)
    def share(ack: Ack, body: dict, action: dict, client: WebClient) -> BoltResponse | None:
        return handoff.interaction(ack, deps, body, client, lambda: share_answer(body, action, client))

    def share_answer(body: dict, action: dict, client: WebClient) -> None:
        reply = reply_to(action.get("value", ""), deps, _asker(body, client), shareable=False)
        if reply.private:
            return  # a person's own answers are never shared
        shared_by = blocks.context(f"Shared by <@{body['user']['id']}>")
        for message in reply.messages:
            post_to_response_url(body["response_url"], text=message.text, blocks=[*message.blocks, shared_by],
                                 response_type="in_channel", replace_original=False, delete_original=False)
        post_to_response_url(body["response_url"], delete_original=True)

    @app.action(blocks.ACTION_LINK)
    def link_opened(ack: Ack) -> None:
        ack()  # the browser opened the link; nothing to do

    @app.action(re.compile(f"^{personal.ACTION_PREFIX}"))
    def personal_action(ack: Ack, body: dict, action: dict, client: WebClient) -> BoltResponse | None:
        return handoff.interaction(ack, deps, body, client, lambda: act_for_person(body, action, client))

    def act_for_person(body: dict, action: dict, client: WebClient) -> None:
        asker = _asker(body, client)
        messages = personal.on_action(action, body, deps, asker)
        if (body.get("view") or {}).get("type") == "home":
            client.views_publish(user_id=asker.user_id, view=home.view(deps, asker))
        if messages:
            _send(messages, body, client, replace=(body.get("container") or {}).get("is_ephemeral", False), private=True)


def _asker(body: dict, client: WebClient) -> Asker:
    team = (body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or ""
    return Asker(team, body["user"]["id"], client)


def _send(messages: list[Message], body: dict, client: WebClient, *, replace: bool, private: bool) -> None:
    """Ephemeral answers are replaced in place; in a DM or thread the answer follows.
    Private answers outside a DM are for the person's eyes only, whatever the payload holds:
    ephemeral through the response_url, else ephemeral in that channel, else in their DM."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    message = body.get("message") or {}
    in_dm = bool(channel and channel.startswith("D"))  # a 1:1 DM with the bot: only the person sees it
    for i, reply in enumerate(messages):
        if body.get("response_url") and (replace or not channel or (private and not in_dm)):
            post_to_response_url(body["response_url"], text=reply.text, blocks=reply.blocks, response_type="ephemeral",
                                 replace_original=replace and i == 0)
        elif private and channel and not in_dm:
            client.chat_postEphemeral(channel=channel, user=body["user"]["id"], thread_ts=message.get("thread_ts"),
                                      text=reply.text, blocks=reply.blocks)
        elif channel:
            thread = message.get("thread_ts") if channel.startswith("D") else message.get("thread_ts") or message.get("ts")
            client.chat_postMessage(channel=channel, thread_ts=thread, text=reply.text, blocks=reply.blocks, unfurl_links=False)
        else:
            client.chat_postMessage(channel=body["user"]["id"], text=reply.text, blocks=reply.blocks)
