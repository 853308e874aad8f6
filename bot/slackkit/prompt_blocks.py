"""The growth prompt as the nudge runner sends it, and the buttons it carries (whose
clicks the app's listeners handle, by these action ids)."""

from __future__ import annotations

from bot.slackkit.blockkit import actions, button, context, escape, mrkdwn
from storage import Nudge

ACTION_PREFIX = "me_"  # every button about a person's own things; the app routes them by this prefix
REFLECT, SKIP, SNOOZE, STOP, RESUME = "me_reflect", "me_skip", "me_snooze", "me_stop", "me_resume"
GROWTH_PREFIX = "grow_"  # the growth loop's buttons (self-assessment, packet), routed by this prefix
MARK_MET, REASSESS = "grow_mark_met", "grow_assess"


def nudge_blocks(nudge: Nudge, level_name: str) -> list[dict]:
    blocks = [
        mrkdwn(f":seedling: *A growth prompt for {escape(level_name)}*\n_{escape(nudge.section_name)}_"),
        mrkdwn(f"> {escape(nudge.competency_text)}"),
    ]
    if nudge.example_text:
        blocks.append(context(f"An example from the ladder: _{escape(nudge.example_text)}_"))
    blocks.append(
        mrkdwn(
            f"*{escape(nudge.question)}*\nReply in this thread, or use the button; your answer goes to your private journal."
        )
    )
    value = str(nudge.id)
    blocks += actions(
        [
            button("Write a reflection", REFLECT, value, style="primary"),
            button("Mark as met", MARK_MET, value),
            button("Skip this one", SKIP, value),
            button("Snooze a week", SNOOZE, value),
            button("Stop these", STOP, value, style="danger"),
        ],
        "nudge",
    )
    return blocks


def paused_blocks() -> list[dict]:
    return [
        mrkdwn(
            "I've paused your growth prompts: the last three went unanswered, and I'd rather not nag. "
            "Pick them up again whenever you like."
        ),
        *actions([button("Resume prompts", RESUME, "resume", style="primary")]),
    ]


def reassess_blocks(nudge: Nudge, level_name: str) -> list[dict]:
    """Instead of a prompt, once a re-assessment is due (bot.growth.due.ReassessPolicy)."""
    return [
        mrkdwn(
            f":bar_chart: *Time for a fresh look at {escape(level_name)}*\n"
            "It's been a while since you rated yourself against your target level. Rate it again, and see "
            "what moved since last time; your prompts then follow what is still open."
        ),
        *actions(
            [
                button("Re-assess myself", REASSESS, "assess", style="primary"),
                button("Not now", SKIP, str(nudge.id)),
                button("Stop these", STOP, str(nudge.id), style="danger"),
            ],
            "reassess",
        ),
    ]
