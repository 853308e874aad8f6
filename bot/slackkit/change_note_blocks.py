"""The DM telling a person that their current or target level changed, drawn as a
comparison is: per category, what is new, what changed in degree (struck-through words
left, bold words arrived) and what is no longer listed."""

from __future__ import annotations

from bot.growth.changes import ChangeNote
from bot.slackkit.blockkit import context, diff_mrkdwn, escape, header, mrkdwn

_ROLES = {
    ("current",): "your current level",
    ("target",): "your target level",
    ("current", "target"): "your current and target level",
}
MAX_LINES = 40  # per category block; a rewrite of a whole level is summarised, not pasted


def change_note_blocks(note: ChangeNote) -> list[dict]:
    change = note.change
    level = change.level
    blocks = [
        header(f"{level.name} changed"),
        context(f"{escape(level.track)} · {_ROLES.get(note.roles, 'a level you follow')} · {change.summary}"),
    ]
    categories = list(
        dict.fromkeys([c for c, _ in change.added] + [c for c, _ in change.reworded] + [c for c, _ in change.removed])
    )
    for category in categories[:40]:
        lines = [f"*{escape(category)}*"]
        lines += [f"• _New:_ {escape(text)}" for c, text in change.added if c == category]
        lines += [f"• _Changes:_ {diff_mrkdwn(diff)}" for c, diff in change.reworded if c == category]
        lines += [f"• _No longer listed:_ ~{escape(text)}~" for c, text in change.removed if c == category]
        shown = lines[:MAX_LINES] + ([f"… and {len(lines) - MAX_LINES} more"] if len(lines) > MAX_LINES else [])
        blocks.append(mrkdwn("\n".join(shown)))
    blocks.append(
        context(
            "Your self-assessment keeps its ratings; reworded criteria start unrated. "
            "Turn these notes off: ask your ladder's owners."
        )
    )
    return blocks[:50]


def change_note_text(note: ChangeNote) -> str:
    return f"{note.change.level.name} changed: {note.change.summary}"
