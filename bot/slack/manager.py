"""A manager, by invitation, who sees only what is shared: `/ladder manager @someone`,
`manager none`, `team`, `shared`, and their buttons.

Every store call is scoped by the Slack user who typed or clicked: an id in a button's value
only names an item, and the Store answers None when that item is not the clicker's (an
invitation addressed to someone else, another person's reflection, a link they are not part
of). A manager is sent exactly the item shared, in their DM, and `/ladder team` reads only
`Store.team_view`; no journal, no unshared item, and never a reflection's text in a log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

from bot.growth.progress import progress
from bot.ladder.manager_query import EndManager, InviteManager, ManagerIntent, ShowManager, ShowShared, ShowTeam
from bot.slack import manager_blocks as mb
from bot.slack.blocks import Message, escape
from bot.slack.command_table import typed
from storage.records import Assessment, ManagerLink, Person, Reflection, Share, ShareCopy

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.slack.deps import Deps
    from bot.slack.replies import Asker

log = logging.getLogger(__name__)
ACTION_PREFIX = mb.ACTION_PREFIX


@dataclass(frozen=True)
class Outcome:
    """What a click answers; `replace` swaps the clicked message for it (the invitation
    once answered, a journal with the button now done)."""

    messages: list[Message] = field(default_factory=list)
    replace: bool = False


def _say(text: str) -> Message:
    return Message(text.replace("*", ""), mb.note(text))


# --- typed commands ---------------------------------------------------------------------------


def handle(intent: ManagerIntent, deps: Deps, asker: Asker) -> list[Message]:
    if isinstance(intent, InviteManager):
        return [invite(intent.user_id, intent.typed, deps, asker)]
    if isinstance(intent, EndManager):
        return [end_mine(deps, asker)]
    if isinstance(intent, ShowManager):
        return [show_manager(deps, asker)]
    if isinstance(intent, ShowTeam):
        return [team(deps, asker)]
    if isinstance(intent, ShowShared):
        return [shared(deps, asker)]
    return []


def invite(manager_id: str | None, typed_text: str, deps: Deps, asker: Asker) -> Message:
    store, team_id, me = deps.store, asker.team_id, asker.user_id
    usage = typed(asker.command, "manager @")
    if manager_id is None:
        return _say(
            f"I couldn't tell who “{escape(typed_text)}” is. Type {usage} and pick the person from Slack's "
            "list so it becomes a mention, or use the picker on my App Home."
        )
    if manager_id == me:
        return _say(
            f"You can't be your own manager. Ask the person who manages you: {typed(asker.command, 'manager @name')}."
        )
    current, pending = store.manager_link(team_id, me), store.pending_invitation(team_id, me)
    if current and current.manager_id == manager_id:
        return _say(f"{mb.person(manager_id)} is already your manager.")
    if pending and pending.manager_id == manager_id:
        return _say(
            f"You've already asked {mb.person(manager_id)}; they haven't answered yet. "
            f"{typed(asker.command, 'manager none')} withdraws the invitation."
        )
    problem = _not_a_colleague(manager_id, asker)
    if problem:
        return _say(problem)
    link = store.invite_manager(team_id, me, manager_id, now=deps.now())
    try:
        asker.client.chat_postMessage(
            channel=manager_id, text=f"<@{me}> asked you to be their manager in ladderbot", blocks=mb.invitation(link)
        )
    except SlackApiError as error:
        store.end_manager_link(team_id, me, link.id, now=deps.now())  # an invitation nobody can see is no invitation
        log.warning("could not send a manager invitation: %s", error.response.get("error"))
        return _say(
            f"I couldn't send {mb.person(manager_id)} a message just now, so I haven't asked them. "
            "Please try again in a minute."
        )
    stays = f" {mb.person(current.manager_id)} stays your manager until they accept." if current else ""
    return _say(
        f"I've asked {mb.person(manager_id)} to be your manager; they'll get a message to accept or decline."
        f"{mb.withdrawn_note(pending)}{stays} Nothing is shared with them unless you press "
        "“Share with my manager”."
    )


def _not_a_colleague(user_id: str, asker: Asker) -> str | None:
    """Why this user cannot be anyone's manager (a bot, deactivated, unknown), or None."""
    who = mb.person(user_id)
    try:
        user = asker.client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        if error.response.get("error") in ("user_not_found", "users_not_found", "invalid_user"):
            return "I can't find that person in this workspace. Pick them from Slack's list when you type @."
        raise
    if user.get("is_bot") or user.get("is_app_user") or user_id == "USLACKBOT":
        return f"{who} is a bot, and a bot can't be your manager. Ask a person."
    if user.get("deleted"):
        return f"{who}'s account is deactivated. Ask someone who can answer."
    return None


def end_mine(deps: Deps, asker: Asker) -> Message:
    """`manager none`: end my link and withdraw my invitation, whichever I have."""
    store, team_id, me = deps.store, asker.team_id, asker.user_id
    ended = [link for link in (store.manager_link(team_id, me), store.pending_invitation(team_id, me)) if link]
    if not ended:
        return _say(
            "You have no manager in ladderbot, and no invitation waiting. "
            f"{typed(asker.command, 'manager @someone')} asks someone."
        )
    done = [_end(link.id, deps, asker) for link in ended]
    return Message(done[0].text, [block for message in done for block in message.blocks])


def show_manager(deps: Deps, asker: Asker) -> Message:
    link, pending = (
        deps.store.manager_link(asker.team_id, asker.user_id),
        deps.store.pending_invitation(asker.team_id, asker.user_id),
    )
    return Message("Your manager", mb.manager_line(link, pending, asker.command))


def team(deps: Deps, asker: Asker) -> Message:
    members = deps.store.team_view(asker.team_id, asker.user_id)
    links = {link.user_id: link for link in deps.store.people_of(asker.team_id, asker.user_id)} if members else {}
    return Message(
        "Your team", mb.blocks_for_team(members, links, level_name(deps), lambda a: summarise(deps, a), asker.command)
    )


def shared(deps: Deps, asker: Asker) -> Message:
    shares = deps.store.shares_by(asker.team_id, asker.user_id)
    link = deps.store.manager_link(asker.team_id, asker.user_id)
    reflections = {r.id: r for r in deps.store.reflections_for(asker.team_id, asker.user_id)} if shares else {}
    return Message(
        "What you shared",
        mb.shared_list(shares, reflections, link.id if link else None, level_name(deps), asker.command),
    )


# --- what the profile, journal and App Home add -------------------------------------------------


def profile_blocks(deps: Deps, asker: Asker, person: Person | None) -> list[dict]:
    """Under `/ladder me`: my manager, and "Share with my manager" for my latest self-assessment."""
    store, team_id, me = deps.store, asker.team_id, asker.user_id
    link, pending = store.manager_link(team_id, me), store.pending_invitation(team_id, me)
    blocks = mb.manager_line(link, pending, asker.command)
    target = person.target_level_id if person else None
    latest = store.assessments_for(team_id, me, target, limit=1) if link and target else []
    if latest:
        shares = _shares_through(deps, asker, link.id if link else None)
        done = next((s for s in shares if s.assessment_id == latest[0].id), None)
        blocks += mb.share_assessment(latest[0], level_name(deps)(target), done)
    return blocks


def reflection_share_blocks(deps: Deps, asker: Asker) -> Callable[[Reflection], list[dict]] | None:
    """For the journal: under each reflection, its share button or when it was shared;
    None when the person has no manager (then there is nothing to share with)."""
    link = deps.store.manager_link(asker.team_id, asker.user_id)
    if link is None:
        return None
    by_reflection = {s.reflection_id: s for s in _shares_through(deps, asker, link.id) if s.reflection_id}
    return lambda reflection: mb.reflection_share(reflection, by_reflection.get(reflection.id))


def home_reflection_blocks(deps: Deps, asker: Asker, reflections: list[Reflection]) -> list[dict]:
    link = deps.store.manager_link(asker.team_id, asker.user_id)
    by_reflection = (
        {s.reflection_id: s for s in _shares_through(deps, asker, link.id) if s.reflection_id} if link else {}
    )
    return [block for r in reflections for block in mb.home_reflection(r, link is not None, by_reflection.get(r.id))]


def home_blocks(deps: Deps, asker: Asker) -> list[dict]:
    return mb.home_manager(deps.store.people_of(asker.team_id, asker.user_id), asker.command)


def _shares_through(deps: Deps, asker: Asker, link_id: int | None) -> list[Share]:
    """What I shared through this link (a new link starts with nothing shared)."""
    return [s for s in deps.store.shares_by(asker.team_id, asker.user_id) if s.link_id == link_id]


# --- buttons ----------------------------------------------------------------------------------------


def on_action(action: dict, body: dict, deps: Deps, asker: Asker) -> Outcome:
    action_id, value = action.get("action_id", ""), str(action.get("value") or "")
    if action_id == mb.PICK:
        picked = action.get("selected_user") or ""
        return Outcome([invite(picked or None, "", deps, asker)]) if picked else Outcome()
    item_id = int(value) if value.isdigit() else None
    if action_id in (mb.ACCEPT, mb.DECLINE):
        return _answer(item_id, action_id == mb.ACCEPT, deps, asker)
    if action_id == mb.END:
        message = _end(item_id, deps, asker)
        return Outcome([message], replace=_from_ephemeral(body) or _in_dm(body))
    if action_id == mb.SHARE_REFLECTION:
        return Outcome(
            _share_reflection(item_id, deps, asker, in_journal=_from_ephemeral(body)), replace=_from_ephemeral(body)
        )
    if action_id == mb.SHARE_ASSESSMENT:
        return Outcome(_share_assessment(item_id, deps, asker), replace=False)
    return Outcome()


def _from_ephemeral(body: dict) -> bool:
    return bool((body.get("container") or {}).get("is_ephemeral", False))


def _in_dm(body: dict) -> bool:
    return str((body.get("container") or {}).get("channel_id") or "").startswith("D")


def _answer(link_id: int | None, accept: bool, deps: Deps, asker: Asker) -> Outcome:
    replaced = _manager_replaced_by(link_id, deps, asker) if accept else None
    link = (
        deps.store.answer_invitation(asker.team_id, asker.user_id, link_id, accept=accept, now=deps.now())
        if link_id is not None
        else None
    )
    if link is None:
        return Outcome(
            [
                _say(
                    "That invitation isn't addressed to you, or it has already been answered or withdrawn. "
                    "Nothing changed."
                )
            ]
        )
    log.info("manager invitation %s %s", link.id, "accepted" if accept else "declined")
    if accept:
        kept = 0
        if replaced is not None:
            kept = take_back(asker.client, deps.store.take_back_copies(asker.team_id, link_id=replaced.id))
            _tell(
                asker,
                replaced.manager_id,
                f"{mb.person(link.user_id)} has a new manager in ladderbot, so the link "
                "between you has ended; what they shared through it is no longer shown.",
            )
        _tell(
            asker,
            link.user_id,
            f"{mb.person(asker.user_id)} accepted: they are now your manager in ladderbot. "
            "Nothing is shared with them until you press “Share with my manager” on a reflection "
            f"({typed(asker.command, 'journal')}) or on your self-assessment ({typed(asker.command, 'me')})."
            + (f" Your link with {mb.person(replaced.manager_id)} has ended." if replaced else "")
            + still_in_slack(kept),
        )
        return Outcome([Message("Accepted", mb.accepted(link, asker.command))], replace=True)
    _tell(asker, link.user_id, f"{mb.person(asker.user_id)} declined your invitation to be your manager in ladderbot.")
    return Outcome(
        [_say(f"Declined: you are not {mb.person(link.user_id)}'s manager, and I've told them.")], replace=True
    )


def _manager_replaced_by(link_id: int | None, deps: Deps, asker: Asker) -> ManagerLink | None:
    """The link that accepting this invitation ends (the person's current manager), if any."""
    invitation = next((i for i in deps.store.invitations_for(asker.team_id, asker.user_id) if i.id == link_id), None)
    return deps.store.manager_link(asker.team_id, invitation.user_id) if invitation else None


def _end(link_id: int | None, deps: Deps, asker: Asker) -> Message:
    link = (
        deps.store.end_manager_link(asker.team_id, asker.user_id, link_id, now=deps.now())
        if link_id is not None
        else None
    )
    if link is None:
        return _say("That link isn't yours to end, or it has already ended. Nothing changed.")
    log.info("manager link %s %s", link.id, link.status)
    i_am_the_person = link.user_id == asker.user_id
    other = link.manager_id if i_am_the_person else link.user_id
    if link.status == "ended":
        kept = take_back(asker.client, deps.store.take_back_copies(asker.team_id, link_id=link.id))
        _tell(
            asker,
            other,
            f"{mb.person(asker.user_id)} ended the manager link between you in ladderbot. "
            "What was shared through it is no longer shown.",
        )
        return _say(
            f"Ended: {mb.person(other)} no longer sees anything of "
            f"{'yours' if i_am_the_person else 'theirs'}, including what was shared before." + still_in_slack(kept)
        )
    if link.status == "withdrawn":
        return _say(f"Withdrawn: your invitation to {mb.person(other)} no longer stands.")
    _tell(asker, other, f"{mb.person(asker.user_id)} declined your invitation to be your manager in ladderbot.")
    return _say(f"Declined: you are not {mb.person(other)}'s manager.")


def _share_reflection(reflection_id: int | None, deps: Deps, asker: Asker, *, in_journal: bool) -> list[Message]:
    store, team_id, me = deps.store, asker.team_id, asker.user_id
    link = store.manager_link(team_id, me)
    if link is None:
        return [_no_manager(asker)]
    reflection = store.get_reflection(team_id, me, reflection_id) if reflection_id is not None else None
    if reflection is None:
        return [_say("That reflection isn't in your journal. Nothing was shared.")]
    before = next((s for s in _shares_through(deps, asker, link.id) if s.reflection_id == reflection.id), None)
    share = before or store.share_reflection(team_id, me, reflection.id, now=deps.now())
    if share is None:  # the link ended meanwhile
        return [_no_manager(asker)]
    if before is None:
        _send_to_manager(
            deps, asker, share, "shared a reflection with you", mb.shared_reflection_message(me, reflection)
        )
    text = (
        f"You shared this reflection with {mb.person(share.manager_id)} on {mb.when(share.shared_at)}."
        if before
        else f"Shared with {mb.person(share.manager_id)}: they got this reflection, and only this one, "
        "in a message from me."
    )
    if not in_journal:
        return [_say(text)]
    from bot.slack import personal  # personal imports this module

    return [Message(text, [*mb.note(text), *personal.journal(deps, asker).blocks][: mb.MAX_BLOCKS])]


def _share_assessment(assessment_id: int | None, deps: Deps, asker: Asker) -> list[Message]:
    store, team_id, me = deps.store, asker.team_id, asker.user_id
    link = store.manager_link(team_id, me)
    if link is None:
        return [_no_manager(asker)]
    assessment = store.get_assessment(team_id, me, assessment_id) if assessment_id is not None else None
    if assessment is None:
        return [_say("That self-assessment isn't yours. Nothing was shared.")]
    before = next((s for s in _shares_through(deps, asker, link.id) if s.assessment_id == assessment.id), None)
    share = before or store.share_assessment(team_id, me, assessment.id, now=deps.now())
    if share is None:
        return [_no_manager(asker)]
    if before is None:
        level = deps.content.answerer.ladder.get(assessment.level_id)
        blocks = mb.shared_assessment_message(me, assessment, level, level_name(deps)(assessment.level_id))
        _send_to_manager(deps, asker, share, "shared their self-assessment with you", blocks)
        return [_say(f"Shared your self-assessment with {mb.person(share.manager_id)}.")]
    return [_say(f"You shared this self-assessment with {mb.person(share.manager_id)} on {mb.when(share.shared_at)}.")]


def _no_manager(asker: Asker) -> Message:
    return _say(
        "You have no manager in ladderbot, so there is no one to share with. "
        f"{typed(asker.command, 'manager @someone')} asks someone. Nothing was shared."
    )


def _send_to_manager(deps: Deps, asker: Asker, share: Share, what: str, blocks: list[dict]) -> None:
    # The share is recorded first: the manager also finds it in `/ladder team` if this DM fails.
    try:
        sent = asker.client.chat_postMessage(channel=share.manager_id, text=f"<@{asker.user_id}> {what}", blocks=blocks)
    except SlackApiError as error:
        log.warning("could not send share %s to the manager: %s", share.id, error.response.get("error"))
        return
    keep_copy(deps, asker, share, ShareCopy(sent["channel"], sent["ts"], None))
    log.info("share %s (%s) sent through link %s", share.id, share.kind, share.link_id)


def keep_copy(deps: Deps, asker: Asker, share: Share, copy: ShareCopy) -> None:
    """Record where the manager's copy went, so it can be taken back later; a copy that
    arrives after its link ended is taken back at once (the link's end could not see it)."""
    if not deps.store.record_share_copy(share.id, copy.channel, ts=copy.ts, file_id=copy.file_id):
        take_back(asker.client, [copy])


_ALREADY_GONE = frozenset({"message_not_found", "file_not_found", "file_deleted", "channel_not_found"})


def take_back(client: WebClient, copies: list[ShareCopy]) -> int:
    """Delete the copies of shares that no longer stand from the managers' DMs (the bot
    may delete what it posted); returns how many are still there because Slack refused."""
    kept = 0
    for copy in copies:
        try:
            if copy.file_id:
                client.files_delete(file=copy.file_id)
            if copy.ts:
                client.chat_delete(channel=copy.channel, ts=copy.ts)
        except SlackApiError as error:
            code = error.response.get("error")
            if code not in _ALREADY_GONE:
                kept += 1
                log.warning("could not delete a shared copy from a manager's DM: %s", code)
        except OSError as error:  # Slack unreachable, after the client's own retries
            kept += 1
            log.warning("could not delete a shared copy from a manager's DM: %s", type(error).__name__)
    if copies:
        log.info("took back %d shared copies from managers' DMs (%d could not be deleted)", len(copies), kept)
    return kept


def still_in_slack(kept: int) -> str:
    """The honest footnote when Slack would not let a copy be deleted."""
    if not kept:
        return ""
    return (
        f" Slack did not let me delete {kept} of the messages I had sent them with what was shared,"
        " so those may still be in their DMs."
    )


def _tell(asker: Asker, user_id: str, text: str) -> None:
    """Best effort: the link's new state stands whether or not this note arrives."""
    try:
        asker.client.chat_postMessage(
            channel=user_id, text=text.replace("“", '"').replace("”", '"'), blocks=mb.note(text)
        )
    except SlackApiError as error:
        log.warning("could not tell the other side of a manager link: %s", error.response.get("error"))


# --- names ------------------------------------------------------------------------------------------


def level_name(deps: Deps) -> mb.LevelName:
    ladder = deps.content.answerer.ladder

    def name(level_id: str | None) -> str:
        level = ladder.get(level_id) if level_id else None
        return level.name if level else ("not set" if not level_id else "a level no longer in the ladder")

    return name


def summarise(deps: Deps, assessment: Assessment) -> str:
    level = deps.content.answerer.ladder.get(assessment.level_id)
    if level is None:
        return f"{len(assessment.ratings)} criteria rated"
    return "; ".join(p.summary for p in progress(level, assessment))
