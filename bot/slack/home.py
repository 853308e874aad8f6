"""The App Home tab: my levels, the gap, my next prompt, my recent reflections."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.slack import manager, personal
from bot.slack import profile_blocks as pb
from bot.slack.blocks import actions, button, context, escape, header, mrkdwn, truncate
from bot.slack.command_table import HOME_EXAMPLES, typed

if TYPE_CHECKING:
    from bot.slack.deps import Deps
    from bot.slack.replies import Asker

RECENT_REFLECTIONS = 5


def view(deps: Deps, asker: Asker) -> dict:
    """Published for one user: Slack shows each person only their own Home."""
    person = deps.store.get_person(asker.team_id, asker.user_id)
    blocks = [header("Your career ladder"), *personal.profile(deps, asker)]
    blocks.append(
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*How often should I prompt you?*"},
            "accessory": pb.cadence_select(person),
        }
    )
    settings = [button("Set my levels", pb.EDIT_LEVELS, "levels", style="primary")]
    settings.append(
        button("Resume prompts", pb.RESUME, "resume")
        if person and person.paused_until
        else button("Export my journal", pb.EXPORT, "export")
    )
    blocks += actions(settings, "home_settings")
    blocks += manager.home_blocks(deps, asker)
    blocks += [{"type": "divider"}, mrkdwn("*Recent reflections* (only you can see these, unless you share one)")]
    reflections = deps.store.reflections_for(asker.team_id, asker.user_id, limit=RECENT_REFLECTIONS)
    if reflections:
        blocks += manager.home_reflection_blocks(deps, asker, reflections)
    else:
        blocks.append(context("Nothing yet: reply to a growth prompt and it will show here."))
    blocks += [{"type": "divider"}, mrkdwn(_levels_overview(deps, asker.command))]
    return {"type": "home", "blocks": blocks[:100]}


def _levels_overview(deps: Deps, command: str) -> str:
    lines = ["*The ladder*"]
    for track in deps.content.answerer.ladder.tracks.values():
        names = ", ".join(escape(l.name) for l in track.levels)
        lines.append(f"• *{escape(track.name)}*: {names}")
    examples = [typed(command, e) for e in HOME_EXAMPLES]  # the Home is opened, not typed: the installed name
    lines.append(f"Ask me {', '.join(examples[:-1])} or {examples[-1]}.")
    return truncate("\n".join(lines), 3000)
