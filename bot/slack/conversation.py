"""From what someone typed to the messages they get back, whatever the surface."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.ladder.manager_query import MANAGER_INTENTS
from bot.ladder.query import PERSONAL_INTENTS
from bot.slack import blocks, manager, personal
from bot.slack.blocks import Message
from bot.slack.replies import Asker

if TYPE_CHECKING:
    from bot.slack.deps import Deps


@dataclass(frozen=True)
class Reply:
    messages: list[Message]
    private: bool  # about the asker (profile, journal): only they may see it


def reply_to(text: str, deps: Deps, asker: Asker, *, shareable: bool) -> Reply:
    answerer = deps.content.answerer
    intent = answerer.parse(text)
    if isinstance(intent, PERSONAL_INTENTS):
        return Reply(personal.handle(intent, deps, asker), private=True)
    if isinstance(intent, MANAGER_INTENTS):
        return Reply(manager.handle(intent, deps, asker), private=True)
    answer = answerer.answer(intent)
    return Reply(
        blocks.render(answer, shareable=shareable, source_url=deps.settings.source_url, command=asker.command),
        private=False,
    )
