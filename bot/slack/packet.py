"""/ladder packet: the promotion packet as a markdown file in the person's DM, and
"Share with my manager", which sends the manager the same file (and records the share)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.growth.service import build_packet
from bot.ladder.model import Level
from bot.slack import assessment_blocks as ab
from bot.slack.assessment import no_target, target_of
from bot.slack.blocks import Message, actions, button, escape, mrkdwn
from bot.slack.command_table import typed
from bot.slack.manager import keep_copy
from storage.records import ShareCopy

if TYPE_CHECKING:
    from bot.slack.deps import Deps
    from bot.slack.replies import Asker

log = logging.getLogger(__name__)


def send_packet(deps: Deps, asker: Asker) -> list[Message]:
    target = target_of(deps, asker)
    if target is None:
        return [no_target(asker)]
    channel = asker.client.conversations_open(users=asker.user_id)["channel"]["id"]
    _upload(
        deps,
        asker,
        target,
        channel,
        "Here is your promotion packet: one section per category, each criterion "
        "with your self-assessment, your reflections on it and the gaps left. "
        "Only you have it.",
    )
    share = [button("Share with my manager", ab.SHARE_PACKET, target.id)]
    asker.client.chat_postMessage(
        channel=channel,
        text="Share your packet with your manager?",
        blocks=[
            mrkdwn("Want your manager to have it too? They get this same file, and nothing else."),
            *actions(share),
        ],
    )
    return [
        Message(
            "Packet sent",
            [mrkdwn(f"I've sent your promotion packet for *{escape(target.name)}* to our direct messages.")],
        )
    ]


def share_packet(level_id: str, deps: Deps, asker: Asker) -> list[Message]:
    target = deps.content.answerer.ladder.get(level_id)
    if target is None:
        return [
            Message(
                "Level gone",
                [
                    mrkdwn(
                        "That level is no longer in the ladder; build a new packet with "
                        f"{typed(asker.command, 'packet')}."
                    )
                ],
            )
        ]
    share = deps.store.share_packet(asker.team_id, asker.user_id, target.id, now=deps.now())
    if share is None:
        return [
            Message(
                "No manager yet",
                [
                    mrkdwn(
                        "You have no manager linked yet, so nothing was shared. "
                        f"{typed(asker.command, 'manager @someone')} invites one."
                    )
                ],
            )
        ]
    channel = asker.client.conversations_open(users=share.manager_id)["channel"]["id"]
    file_id = _upload(
        deps,
        asker,
        target,
        channel,
        f"<@{asker.user_id}> shared their promotion packet for {escape(target.name)} with you.",
    )
    if file_id:
        keep_copy(deps, asker, share, ShareCopy(channel, None, file_id))
    log.info("a packet was shared with a manager (share %s)", share.id)
    return [
        Message(
            "Packet shared",
            [
                mrkdwn(
                    f"Shared your packet with <@{share.manager_id}> "
                    f"on {share.shared_at:%d %b %Y}. Nothing else was shared."
                )
            ],
        )
    ]


def _upload(deps: Deps, asker: Asker, target: Level, channel: str, comment: str) -> str | None:
    """Uploads the packet into `channel`; returns the file's id."""
    now = deps.now()
    uploaded = asker.client.files_upload_v2(
        channel=channel,
        filename=f"promotion-packet-{target.code or 'level'}-{now:%Y-%m-%d}.md",
        title=f"Promotion packet: {target.name}",
        initial_comment=comment,
        content=build_packet(deps.store, asker.team_id, asker.user_id, target, now=now),
    )
    files = uploaded.get("files") or [uploaded.get("file") or {}]
    return files[0].get("id")
