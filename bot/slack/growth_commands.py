"""The growth loop's commands and buttons: assess, packet, stats, "Mark as met", share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.ladder.query import Assess, Intent, Packet, Stats
from bot.slack import assessment, packet, stats
from bot.slack import assessment_blocks as ab
from bot.slack.blocks import Message

if TYPE_CHECKING:
    from bot.slack.deps import Deps
    from bot.slack.replies import Asker


def handle(intent: Intent, deps: Deps, asker: Asker) -> list[Message]:
    if isinstance(intent, Assess):
        return assessment.open_modal(deps, asker, asker.trigger_id)
    if isinstance(intent, Packet):
        return packet.send_packet(deps, asker)
    if isinstance(intent, Stats):
        return stats.stats(deps, asker)
    return []


def on_action(action: dict, body: dict, deps: Deps, asker: Asker) -> list[Message]:
    action_id, value = action.get("action_id", ""), action.get("value", "")
    if action_id == ab.ASSESS:
        return assessment.open_modal(deps, asker, body.get("trigger_id") or "")
    if action_id == ab.MARK_MET:
        return assessment.mark_as_met(value, deps, asker)
    if action_id == ab.PACKET:
        return packet.send_packet(deps, asker)
    if action_id == ab.SHARE_PACKET:
        return packet.share_packet(value, deps, asker)
    return []
