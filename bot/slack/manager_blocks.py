"""Block Kit for a manager link and what is shared through it: the invitation, the share
buttons, what a person shared, and a manager's team view.

What a manager is shown is drawn only from `SharedItem`s (the Store hands a manager nothing
else), one item per message or line, never a journal.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.growth.criteria import categories_of
from bot.growth.progress import RATING_LABELS, progress
from bot.ladder.model import Level
from bot.slack.command_table import CANONICAL, typed
from bot.slack.profile_blocks import when
from bot.slackkit.blockkit import actions, button, context, escape, header, mrkdwn, truncate
from storage.records import Assessment, ManagerLink, Reflection, Share, SharedItem, TeamMember

ACTION_PREFIX = "mgr_"
ACCEPT, DECLINE, END = "mgr_accept", "mgr_decline", "mgr_end"
SHARE_REFLECTION, SHARE_ASSESSMENT, PICK = "mgr_share_reflection", "mgr_share_assessment", "mgr_pick"
MAX_BLOCKS = 50
ITEMS_PER_PERSON = 10

LevelName = Callable[[str | None], str]


def person(user_id: str) -> str:
    """A mention Slack draws as the person's name (ids are [A-Z0-9]: nothing to escape)."""
    return f"<@{user_id}>"


def note(text: str) -> list[dict]:
    return [mrkdwn(text)]


def sections(lines: list[str], limit: int = 2900) -> list[dict]:
    """Lines in as few sections as Slack's 3,000 characters a section allow, none cut."""
    blocks, chunk = [], ""
    for line in (truncate(line, limit) for line in lines):
        if chunk and len(chunk) + 1 + len(line) > limit:
            blocks.append(mrkdwn(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    return blocks + ([mrkdwn(chunk)] if chunk else [])


# --- the invitation --------------------------------------------------------------------------


def invitation(link: ManagerLink) -> list[dict]:
    return [
        mrkdwn(
            f"{person(link.user_id)} asked you to be their manager in ladderbot. If you accept, you'll see "
            "their current and target levels, and only the reflections and self-assessments they choose to "
            "share with you, one at a time. Either of you can end the link at any time."
        ),
        *actions([button("Accept", ACCEPT, str(link.id), style="primary"), button("Decline", DECLINE, str(link.id))]),
    ]


def accepted(link: ManagerLink, command: str = CANONICAL) -> list[dict]:
    return [
        mrkdwn(
            f"You're now {person(link.user_id)}'s manager in ladderbot. {typed(command, 'team')} shows their "
            "levels and what they share with you."
        ),
        *actions([button("End this link", END, str(link.id))]),
    ]


# --- a person's side ---------------------------------------------------------------------------


def manager_line(link: ManagerLink | None, pending: ManagerLink | None, command: str = CANONICAL) -> list[dict]:
    """The "Manager" line of a profile, with the button that ends the link or the invitation."""
    if link:
        text = f"*Manager:* {person(link.manager_id)} (sees only what you share, with “Share with my manager”)"
        end = button("End this link", END, str(link.id))
    elif pending:
        text = f"*Manager:* you asked {person(pending.manager_id)}; waiting for their answer"
        end = button("Withdraw", END, str(pending.id))
    else:
        return [
            context(
                f"*Manager:* none. {typed(command, 'manager @someone')} asks someone to be your manager; "
                "they see only what you share."
            )
        ]
    if link and pending:
        text += (
            f"\nYou also asked {person(pending.manager_id)}; if they accept, they replace {person(link.manager_id)}."
        )
    return [mrkdwn(text, end)]


def share_assessment(assessment: Assessment, level_name: str, shared: Share | None) -> list[dict]:
    what = f"Your self-assessment of {escape(level_name)} ({assessment.created_at:%d %b %Y})"
    if shared:
        return [context(f"{what} was shared with {person(shared.manager_id)} on {when(shared.shared_at)}.")]
    return [mrkdwn(f"{what} is private.", button("Share with my manager", SHARE_ASSESSMENT, str(assessment.id)))]


def reflection_share(reflection: Reflection, shared: Share | None) -> list[dict]:
    """Under a reflection in the journal, when the person has a manager."""
    if shared:
        return [context(f"Shared with {person(shared.manager_id)} on {when(shared.shared_at)}")]
    return actions([button("Share with my manager", SHARE_REFLECTION, str(reflection.id))])


def home_reflection(reflection: Reflection, has_manager: bool, shared: Share | None) -> list[dict]:
    """One line of the App Home's recent reflections."""
    line = f"*{reflection.created_at:%d %b}* {escape(truncate(reflection.text, 280))}"
    if not has_manager:
        return [context(line)]
    if shared:
        return [context(f"{line}\n_Shared with {person(shared.manager_id)} on {when(shared.shared_at)}_")]
    return [mrkdwn(line, button("Share with my manager", SHARE_REFLECTION, str(reflection.id)))]


def home_manager(people: list[ManagerLink], command: str = CANONICAL) -> list[dict]:
    """The App Home's manager section (the profile above says who my manager is): a picker
    to ask someone, and whom I manage."""
    picker = {
        "type": "users_select",
        "action_id": PICK,
        "placeholder": {"type": "plain_text", "text": "Ask someone to be your manager"},
    }
    blocks = [{"type": "actions", "block_id": "home_manager", "elements": [picker]}]
    if people:
        names = ", ".join(person(p.user_id) for p in people[:30])
        blocks.append(mrkdwn(f"*You manage:* {names}. {typed(command, 'team')} shows what each shared with you."))
    return blocks


def shared_list(
    shares: list[Share],
    reflections: dict[int, Reflection],
    active_link: int | None,
    level_name: LevelName,
    command: str = CANONICAL,
) -> list[dict]:
    """`/ladder shared`: what I shared, with whom and when."""
    if not shares:
        return note(
            "You haven't shared anything. Nothing is shared unless you press “Share with my manager” on a "
            f"reflection ({typed(command, 'journal')}) or on your self-assessment ({typed(command, 'me')})."
        )
    lines = []
    for share in shares[:40]:
        ended = "" if share.link_id == active_link else " _(that link has ended: they no longer see it)_"
        lines.append(
            f"• {_what(share, reflections, level_name)}: shared with {person(share.manager_id)} "
            f"on {when(share.shared_at)}{ended}"
        )
    return [
        header("What you shared"),
        context("Only your manager, while linked, sees these; nothing else of yours."),
        *sections(lines),
    ][:MAX_BLOCKS]


def _what(share: Share, reflections: dict[int, Reflection], level_name: LevelName) -> str:
    if share.kind == "reflection":
        found = reflections.get(share.reflection_id or -1)
        return f"Reflection “{escape(truncate(found.text, 60))}”" if found else "A reflection"
    if share.kind == "assessment":
        return "Your self-assessment"
    return f"Your promotion packet for {escape(level_name(share.level_id))}"


# --- what a manager is shown ---------------------------------------------------------------------


def shared_reflection_message(user_id: str, reflection: Reflection) -> list[dict]:
    about = f"\n_{escape(truncate(reflection.competency_text, 300))}_" if reflection.competency_text else ""
    return [
        mrkdwn(f"{person(user_id)} shared a reflection with you, written {reflection.created_at:%d %b %Y}:{about}"),
        mrkdwn(f"> {escape(truncate(reflection.text, 2800))}".replace("\n", "\n> ")),
    ]


def shared_assessment_message(user_id: str, assessment: Assessment, level: Level | None, level_name: str) -> list[dict]:
    blocks = [
        mrkdwn(
            f"{person(user_id)} shared their self-assessment of *{escape(level_name)}* "
            f"({assessment.created_at:%d %b %Y}) with you."
        )
    ]
    if level is None:
        return blocks + [context(f"{len(assessment.ratings)} criteria rated; that level is no longer in the ladder.")]
    ratings = {r.criterion_key: r for r in assessment.ratings}
    for category, summary in zip(categories_of(level), progress(level, assessment), strict=False):
        lines = [f"*{escape(summary.summary)}*"]
        for criterion in category.criteria:
            rating = ratings.get(criterion.key)
            label = RATING_LABELS[rating.rating if rating else None]
            extra = f" ({escape(truncate(rating.note, 200))})" if rating and rating.note else ""
            lines.append(f"• {label}: {escape(truncate(criterion.text, 200))}{extra}")
        blocks += sections(lines)
    if len(blocks) > MAX_BLOCKS:
        blocks = blocks[: MAX_BLOCKS - 1] + [context("Longer than one Slack message: the rest is cut here.")]
    return blocks


def blocks_for_team(
    members: list[TeamMember],
    links: dict[str, ManagerLink],
    level_name: LevelName,
    summarise: Callable[[Assessment], str],
    command: str = CANONICAL,
) -> list[dict]:
    """`/ladder team`: each linked person, their levels, and only the items they shared."""
    if not members:
        return note(
            "Nobody has linked you as their manager yet. A person asks you with "
            f"{typed(command, 'manager @you')}, and you accept in our DM. Then you'll see their levels and "
            "only what they choose to share with you."
        )
    blocks = [header("Your team"), context("Each person's levels, and only what they chose to share with you.")]
    for member in members:
        link = links.get(member.user_id)
        levels = (
            f"current *{escape(level_name(member.current_level_id))}*, "
            f"target *{escape(level_name(member.target_level_id))}*"
        )
        end = button("End this link", END, str(link.id)) if link else None
        blocks.append(mrkdwn(f"{person(member.user_id)}: {levels}; linked since {when(member.linked_at)}", end))
        items = [_shared_line(item, level_name, summarise) for item in member.shared[:ITEMS_PER_PERSON]]
        more = len(member.shared) - ITEMS_PER_PERSON
        if more > 0:
            items.append(f"…and {more} more")
        blocks.append(context(truncate("\n".join(items), 2900) if items else "Nothing shared yet."))
    if len(blocks) > MAX_BLOCKS:
        blocks = blocks[: MAX_BLOCKS - 1] + [context("More people than fit here; this list is cut short.")]
    return blocks


def _shared_line(item: SharedItem, level_name: LevelName, summarise: Callable[[Assessment], str]) -> str:
    shared = f"shared {when(item.share.shared_at)}"
    if item.reflection is not None:
        written = item.reflection.created_at
        return f"• Reflection of {written:%d %b %Y} ({shared}): “{escape(truncate(item.reflection.text, 400))}”"
    if item.assessment is not None:
        assessment = item.assessment
        return (
            f"• Self-assessment of {escape(level_name(assessment.level_id))}, {assessment.created_at:%d %b %Y} "
            f"({shared}): {escape(summarise(assessment))}"
        )
    return f"• Promotion packet for {escape(level_name(item.share.level_id))} ({shared})"


def withdrawn_note(previous: ManagerLink | None) -> str:
    return f" Your earlier invitation to {person(previous.manager_id)} is withdrawn." if previous else ""
