"""Block Kit for a person's own things: profile, journal, modals, confirmations (the growth
prompt itself is drawn by bot/slackkit/prompt_blocks.py, which the nudge runner shares)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.ladder.compare import Comparison
from bot.ladder.model import Level
from bot.slack.command_table import CANONICAL, typed
from bot.slackkit.blockkit import actions, button, context, escape, header, mrkdwn, truncate
from bot.slackkit.prompt_blocks import ACTION_PREFIX, REFLECT, RESUME, SKIP, SNOOZE, STOP  # noqa: F401 - one vocabulary
from storage.records import CADENCES, WORKDAYS, Nudge, Person, Reflection

FORGET_CONFIRM, FORGET_CANCEL = "me_forget_confirm", "me_forget_cancel"
DELETE_REFLECTION, EXPORT, CADENCE, EDIT_LEVELS = "me_delete_reflection", "me_export", "me_cadence", "me_edit_levels"
REFLECTION_MODAL, LEVELS_MODAL = "me_reflection_modal", "me_levels_modal"
MAX_REFLECTION_CHARS = 3000


def when(moment: datetime | None) -> str:
    """A date Slack shows in the reader's own time zone, with a plain fallback."""
    if moment is None:
        return "not scheduled"
    fallback = moment.strftime("%a %d %b %Y, %H:%M %Z").strip()
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def profile_blocks(
    person: Person | None,
    current: Level | None,
    target: Level | None,
    gap: Comparison | None,
    steps: int | None,
    next_at: datetime | None,
    *,
    command: str = CANONICAL,
) -> list[dict]:
    set_current, set_target = typed(command, "level L2 cloud"), typed(command, "target L3 cloud")
    if person is None or not (current or target):
        return [
            mrkdwn(
                f"You haven't set your levels yet. Tell me where you are and where you aim:\n"
                f"• {set_current}\n• {set_target}"
            )
        ]
    lines = [
        f"*Current level:* {escape(current.name) if current else f'_not set_ ({set_current})'}",
        f"*Target level:* {escape(target.name) if target else f'_not set_ ({set_target})'}",
    ]
    if gap:
        counts = gap.counts
        distance = f"{steps} level(s) up" if steps else f"a move to {escape(gap.higher.track)}"
        lines.append(
            f"*The gap:* {distance}; {counts['new']} new competencies, "
            f"{counts['changed']} that grow in degree, {counts['unchanged']} you already have on paper."
        )
    lines.append(f"*Prompts:* {person.cadence}, {person.local_time} on {_days(person.weekdays)} ({escape(person.tz)})")
    if person.paused_until:
        lines.append(f"*Paused until:* {when(person.paused_until)}")
    lines.append(f"*Next prompt:* {when(next_at) if next_at else 'none (prompts are off or no target is set)'}")
    return [mrkdwn("\n".join(lines))]


def journal_blocks(
    reflections: list[Reflection], total: int, under_each: Callable[[Reflection], list[dict]] | None = None
) -> list[dict]:
    """`under_each`: what follows each reflection (its "Share with my manager" button)."""
    if not reflections:
        return [
            mrkdwn(
                "Your journal is empty. Reply to a growth prompt, and your reflections will appear here. "
                "Only you can see them."
            )
        ]
    blocks = [
        header("Your reflection journal"),
        context(f"{total} reflection(s), newest first. Only you can see this."),
    ]
    for reflection in reflections:
        about = f"_{escape(truncate(reflection.competency_text, 200))}_\n" if reflection.competency_text else ""
        blocks.append(
            mrkdwn(
                f"*{reflection.created_at:%d %b %Y}*  {about}{escape(truncate(reflection.text, 2500))}",
                button("Delete", DELETE_REFLECTION, str(reflection.id)),
            )
        )
        blocks += under_each(reflection) if under_each else []
    blocks += actions([button("Export as markdown", EXPORT, "export")])
    return blocks[:50]


def forget_confirm_blocks() -> list[dict]:
    return [
        mrkdwn(
            "This deletes everything I keep about you: your levels, settings, growth prompts, every "
            "reflection in your journal, and the copies of what you shared with a manager. It can't be undone. Export your journal first if you want a copy."
        ),
        *actions(
            [
                button("Delete everything", FORGET_CONFIRM, "forget", style="danger"),
                button("Cancel", FORGET_CANCEL, "cancel"),
            ]
        ),
    ]


def reflection_modal(nudge: Nudge) -> dict:
    return {
        "type": "modal",
        "callback_id": REFLECTION_MODAL,
        "private_metadata": str(nudge.id),
        "title": {"type": "plain_text", "text": "Your reflection"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            mrkdwn(f"> {escape(truncate(nudge.competency_text, 2900))}"),
            context(escape(nudge.question)),
            {
                "type": "input",
                "block_id": "reflection",
                "label": {"type": "plain_text", "text": "What comes to mind?"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "text",
                    "multiline": True,
                    "max_length": MAX_REFLECTION_CHARS,
                },
            },
        ],
    }


def levels_modal(levels: list[Level], current_id: str | None, target_id: str | None) -> dict:
    def select(block_id: str, label: str, selected: str | None) -> dict:
        options = [
            {"text": {"type": "plain_text", "text": truncate(f"{l.name} ({l.track})", 75)}, "value": l.id}
            for l in levels[:100]
        ]
        element: dict[str, Any] = {"type": "static_select", "action_id": "level", "options": options}
        chosen = next((o for o in options if o["value"] == selected), None)
        if chosen:
            element["initial_option"] = chosen
        return {
            "type": "input",
            "block_id": block_id,
            "optional": True,
            "label": {"type": "plain_text", "text": label},
            "element": element,
        }

    return {
        "type": "modal",
        "callback_id": LEVELS_MODAL,
        "title": {"type": "plain_text", "text": "Your levels"},
        "submit": {"type": "plain_text", "text": "Save"},
        "blocks": [select("current", "Where you are now", current_id), select("target", "Where you aim", target_id)],
    }


def cadence_select(person: Person | None) -> dict:
    options = [{"text": {"type": "plain_text", "text": c.capitalize()}, "value": c} for c in CADENCES]
    current = person.cadence if person else "monthly"
    return {
        "type": "static_select",
        "action_id": CADENCE,
        "options": options,
        "initial_option": next(o for o in options if o["value"] == current),
    }


def _days(weekdays: str) -> str:
    days = weekdays.split(",")
    if tuple(days) == WORKDAYS:
        return "weekdays"
    return ", ".join(d.capitalize() for d in days)
