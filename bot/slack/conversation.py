"""From what someone typed to the messages they get back, whatever the surface."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from slack_sdk import WebClient

from bot.ladder.query import PERSONAL_INTENTS
from bot.slack import blocks, personal
from bot.slack.blocks import Message

if TYPE_CHECKING:
    from bot.slack.app import Deps


@dataclass(frozen=True)
class Asker:
    team_id: str
    user_id: str
    client: WebClient


@dataclass(frozen=True)
class Reply:
    messages: list[Message]
    private: bool  # about the asker (profile, journal): only they may see it


def reply_to(text: str, deps: Deps, asker: Asker, *, shareable: bool, command: str = "/ladder") -> Reply:
    answerer = deps.content.answerer
    intent = answerer.parse(text)
    if isinstance(intent, PERSONAL_INTENTS):
        return Reply(personal.handle(intent, deps, asker), private=True)
    answer = answerer.answer(intent)
    return Reply(blocks.render(answer, shareable=shareable, source_url=deps.settings.source_url, command=command), private=False)
