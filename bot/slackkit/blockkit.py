"""Block Kit primitives that always fit Slack's limits: one block each, and `escape` for
any text that did not come from this code. Shared by the app's answers (bot/slack/blocks.py)
and the growth prompt the nudge runner sends (bot/slackkit/prompt_blocks.py)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.ladder.compare import ChangedCompetency

MAX_TEXT = 3000
MAX_HEADER = 150
MAX_BUTTON_TEXT = 75
MAX_VALUE = 2000


@dataclass(frozen=True)
class Message:
    text: str  # the notification / fallback text
    blocks: list[dict]


def escape(text: str) -> str:
    """Escape the three characters Slack gives meaning to in mrkdwn."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": truncate(text, MAX_HEADER), "emoji": True}}


def mrkdwn(text: str, accessory: dict | None = None) -> dict:
    block = {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, MAX_TEXT)}}
    if accessory:
        block["accessory"] = accessory
    return block


def context(*texts: str) -> dict:
    elements = [{"type": "mrkdwn", "text": truncate(t, MAX_TEXT)} for t in texts if t][:10]
    return {"type": "context", "elements": elements}


def button(text: str, action_id: str, value: str = "", *, url: str = "", style: str = "") -> dict:
    element = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": truncate(text, MAX_BUTTON_TEXT), "emoji": True},
    }
    if value:
        element["value"] = value[:MAX_VALUE]
    if url:
        element["url"] = url
    if style:
        element["style"] = style
    return element


def actions(elements: list[dict], block_id: str | None = None) -> list[dict]:
    """Actions blocks of at most five buttons, so they stay readable on a phone."""
    blocks = []
    for start in range(0, len(elements), 5):
        block = {"type": "actions", "elements": elements[start : start + 5]}
        if block_id:
            block["block_id"] = f"{block_id}_{start // 5}"
        blocks.append(block)
    return blocks


def diff_mrkdwn(change: ChangedCompetency) -> str:
    """A reworded statement: struck-through words left behind, bold words arrived
    (comparisons and ladder-change notes)."""
    marks = {"removed": "~", "added": "*", "same": ""}
    return " ".join(f"{marks[p.op]}{escape(p.text)}{marks[p.op]}" for p in change.pieces)
