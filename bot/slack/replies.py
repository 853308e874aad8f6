"""Where a reply goes: one place decides, for every listener and for error replies.

Slack sends three shapes of payload (a slash command, an event, an interaction); `where`
reads any of them. Then: a reply that replaces an ephemeral answer, or that has no channel,
goes through the response_url; a private reply (a person's own profile or journal) is seen
only by that person: in their DM with the bot, or ephemerally anywhere else; a public reply
follows in the thread.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient

from bot.slackkit.blockkit import Message
from bot.slackkit.retries import post_to_response_url

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Asker:
    """Who asked, and the client to answer them with."""

    team_id: str
    user_id: str
    client: WebClient
    command: str = (
        "/ladder"  # the slash command as this workspace installed it (e.g. /ladder-dev), for help and examples
    )
    trigger_id: str = ""  # from a slash command or a click: lets an answer open a modal (valid for 3 s)


@dataclass(frozen=True)
class Where:
    team_id: str
    user_id: str
    channel: str | None
    thread_ts: str | None  # the thread the request came from, if any
    ts: str | None  # the event's own message, or the message holding the clicked button
    response_url: str | None
    from_event: bool  # an event: ephemeral replies go in the thread of the event's message

    @property
    def in_dm(self) -> bool:
        """A 1:1 DM with the bot: only the person sees what is posted there."""
        return is_dm(self.channel)


def is_dm(channel: str | None) -> bool:
    return bool(channel and channel.startswith("D"))


def where(body: dict) -> Where:
    event = body.get("event") or {}
    user = body.get("user") or {}
    message = body.get("message") or {}
    return Where(
        team_id=body.get("team_id") or (body.get("team") or {}).get("id") or user.get("team_id") or "",
        user_id=event.get("user") or body.get("user_id") or user.get("id") or "",
        channel=(
            event.get("channel")
            or body.get("channel_id")
            or (body.get("channel") or {}).get("id")
            or (body.get("container") or {}).get("channel_id")
        ),
        thread_ts=event.get("thread_ts") or message.get("thread_ts"),
        ts=event.get("ts") or message.get("ts"),
        response_url=body.get("response_url"),
        from_event=bool(event),
    )


def asker_from(body: dict, client: WebClient, installed_command: str = Asker.command) -> Asker:
    """The person who asked, from any payload: the one way an Asker is built in the app.
    Only a slash command's payload names the command; elsewhere it is the one installed."""
    place = where(body)
    return Asker(
        place.team_id,
        place.user_id,
        client,
        command=body.get("command") or installed_command,
        trigger_id=body.get("trigger_id") or "",
    )


def send(
    messages: list[Message], body: dict, client: WebClient, *, replace: bool = False, private: bool = False
) -> None:
    """Ephemeral answers are replaced in place; in a DM or thread the answer follows.
    Private answers outside a DM are for the person's eyes only, whatever the payload holds:
    ephemeral through the response_url, else ephemeral in that channel, else in their DM."""
    place = where(body)
    for i, reply in enumerate(messages):
        if place.response_url and (replace or not place.channel or (private and not place.in_dm)):
            post_to_response_url(
                place.response_url,
                text=reply.text,
                blocks=reply.blocks,
                response_type="ephemeral",
                replace_original=replace and i == 0,
            )
        elif place.channel and (private or place.in_dm):
            privately(client, place, reply)
        elif place.channel:
            client.chat_postMessage(
                channel=place.channel,
                thread_ts=place.thread_ts or place.ts,
                text=reply.text,
                blocks=reply.blocks,
                unfurl_links=False,
            )
        else:
            client.chat_postMessage(channel=place.user_id, text=reply.text, blocks=reply.blocks)


def privately(client: WebClient, place: Where, reply: Message) -> None:
    """In the person's DM with the bot (in the thread they wrote in), else ephemerally where they are."""
    assert place.channel  # callers check: with no channel, only the response_url or the DM remain
    blocks = reply.blocks or None  # a bare note is text only
    if place.in_dm:
        client.chat_postMessage(
            channel=place.channel, thread_ts=place.thread_ts, text=reply.text, blocks=blocks, unfurl_links=False
        )
    else:
        thread = place.thread_ts or (place.ts if place.from_event else None)
        client.chat_postEphemeral(
            channel=place.channel, user=place.user_id, thread_ts=thread, text=reply.text, blocks=blocks
        )


def tell(body: dict, client: WebClient, text: str) -> None:
    """A short private note (an error) wherever the request came from: the response_url if
    there is one, else (or if that fails too) privately in the channel. Best effort: never raises."""
    place = where(body)
    if place.response_url:
        try:
            post_to_response_url(place.response_url, text=text, response_type="ephemeral", replace_original=False)
            return
        except Exception:  # noqa: BLE001 - try the other way
            log.warning("could not answer through the response_url; trying an ephemeral message")
    try:
        if place.channel and place.user_id:
            privately(client, place, Message(text, []))
    except Exception:
        log.warning("could not tell the person about the error", exc_info=True)
