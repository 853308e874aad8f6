"""/ladder stats: aggregate counts for workspace admins and owners (Slack's user flags) or
the people in LADDERBOT_ADMINS; a polite no for everyone else. Counts only, small ones "<5"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.growth.stats import StatsReport, admins_from_env, may_see_stats, stats_report
from bot.slack.blocks import Message, context, escape, header, mrkdwn

if TYPE_CHECKING:
    from bot.slack.deps import Deps
    from bot.slack.replies import Asker

REFUSAL = "Workspace stats are for workspace admins and owners only. Everything else I keep is private to each person."


def stats(deps: Deps, asker: Asker) -> list[Message]:
    user = asker.client.users_info(user=asker.user_id)["user"]
    if not may_see_stats(asker.user_id, user, admins_from_env()):
        return [Message("Stats are for admins", [mrkdwn(REFUSAL)])]
    ladder = deps.content.answerer.ladder

    def name(level_id: str) -> str | None:
        level = ladder.get(level_id)
        return f"{level.name} ({level.track})" if level else None

    report = stats_report(deps.store.workspace_stats(asker.team_id), level_name=name)
    return [Message("Workspace stats", stats_blocks(report))]


def stats_blocks(report: StatsReport) -> list[dict]:
    lines = [
        f"*People:* {report.people} ({report.with_current} with a current level, {report.with_target} with a target)",
        f"*Self-assessments:* {report.assessments} by {report.assessed_people} people",
        f"*Reflections written:* {report.reflections}",
    ]
    levels = [f"• {escape(line.level)}: {line.current} at it, {line.target} aiming for it" for line in report.levels]
    months = [f"• {m.month}: {m.sent} sent, {m.answered} answered" for m in report.prompts]
    blocks = [header("Workspace stats"), mrkdwn("\n".join(lines))]
    if levels:
        blocks.append(mrkdwn("*By level*\n" + "\n".join(levels[:60])))
    if months:
        blocks.append(mrkdwn("*Growth prompts per month (UTC)*\n" + "\n".join(months[-24:])))
    blocks.append(context("Counts only, no names: anything under 5 shows as <5."))
    return blocks
