"""Buttons: follow-up questions, sharing an answer, and a person's own settings."""

from __future__ import annotations

import re
from collections.abc import Callable

from slack_bolt import Ack, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.slack import blocks, handoff, home, listeners, manager, personal, replies
from bot.slack.conversation import reply_to
from bot.slack.listeners.growth import growth_action
from bot.slackkit.prompt_blocks import GROWTH_PREFIX
from bot.slackkit.retries import post_to_response_url


def _ephemeral(body: dict) -> bool:
    return bool((body.get("container") or {}).get("is_ephemeral", False))


def follow_up(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext) -> BoltResponse | None:
    """A button that asks another question (options, examples, compare)."""
    deps = listeners.deps_of(context)

    def answer() -> None:
        reply = reply_to(
            action.get("value", ""), deps, listeners.asker_of(body, client, context), shareable=_ephemeral(body)
        )
        replies.send(reply.messages, body, client, replace=_ephemeral(body), private=reply.private)

    return handoff.interaction(ack, deps, body, client, answer)


def share(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext) -> BoltResponse | None:
    """ "Share in channel": the ephemeral answer is posted for everyone, then removed."""
    deps = listeners.deps_of(context)

    def post() -> None:
        reply = reply_to(action.get("value", ""), deps, listeners.asker_of(body, client, context), shareable=False)
        if reply.private:
            return  # a person's own answers are never shared
        shared_by = blocks.context(f"Shared by <@{body['user']['id']}>")
        for message in reply.messages:
            post_to_response_url(
                body["response_url"],
                text=message.text,
                blocks=[*message.blocks, shared_by],
                response_type="in_channel",
                replace_original=False,
                delete_original=False,
            )
        post_to_response_url(body["response_url"], delete_original=True)

    return handoff.interaction(ack, deps, body, client, post)


def link_opened(ack: Ack) -> None:
    ack()  # the browser opened the link; nothing to do


def personal_action(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext) -> BoltResponse | None:
    """Buttons of prompts, the journal, confirmations and the App Home."""
    deps = listeners.deps_of(context)

    def act() -> None:
        asker = listeners.asker_of(body, client, context)
        messages = personal.on_action(action, body, deps, asker)
        if (body.get("view") or {}).get("type") == "home":
            client.views_publish(user_id=asker.user_id, view=home.view(deps, asker))
        if messages:
            replies.send(messages, body, client, replace=_ephemeral(body), private=True)

    return handoff.interaction(ack, deps, body, client, act)


def manager_action(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext) -> BoltResponse | None:
    """Invitations, ending a link, "Share with my manager" and the App Home's user picker."""
    deps = listeners.deps_of(context)

    def act() -> None:
        asker = listeners.asker_of(body, client, context)
        outcome = manager.on_action(action, body, deps, asker)
        if (body.get("view") or {}).get("type") == "home":
            client.views_publish(user_id=asker.user_id, view=home.view(deps, asker))
        if outcome.messages:
            replies.send(outcome.messages, body, client, replace=outcome.replace, private=True)

    return handoff.interaction(ack, deps, body, client, act)


ACTIONS: dict[str | re.Pattern, Callable[..., BoltResponse | None]] = {
    re.compile(f"^{blocks.ACTION_QUERY}"): follow_up,
    blocks.ACTION_SHARE: share,
    blocks.ACTION_LINK: link_opened,
    re.compile(f"^{personal.ACTION_PREFIX}"): personal_action,
    re.compile(f"^{manager.ACTION_PREFIX}"): manager_action,
    re.compile(f"^{GROWTH_PREFIX}"): growth_action,
}
