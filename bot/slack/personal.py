"""A person's own profile, prompts and journal: what /ladder me, target, journal... do.

Everything here is about one person, and shown only to them: ephemerally, in their DM,
or on their App Home. Every store call is scoped by (team, user) of the person asking.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from bot import schedule
from bot.journal import journal_markdown
from bot.ladder.answers import level_query
from bot.ladder.compare import compare_levels
from bot.ladder.model import Level
from bot.ladder.query import (
    GROWTH_INTENTS,
    Export,
    Forget,
    Intent,
    Journal,
    LevelRef,
    Pause,
    Resume,
    SetCadence,
    SetCurrent,
    SetSchedule,
    SetTarget,
    ShowProfile,
)
from bot.slack import assessment, assessment_blocks, manager
from bot.slack import profile_blocks as pb
from bot.slack.blocks import Message, actions, button, escape, from_slack, mrkdwn
from bot.slack.errors import new_reference
from storage import Nudge, Person, Store
from storage.records import CADENCES

if TYPE_CHECKING:
    from bot.slack.deps import Deps
    from bot.slack.replies import Asker

log = logging.getLogger(__name__)
ACTION_PREFIX = pb.ACTION_PREFIX
JOURNAL_PAGE = 20


def handle(intent: Intent, deps: Deps, asker: Asker) -> list[Message]:
    if isinstance(intent, GROWTH_INTENTS):
        from bot.slack import growth_commands  # it draws profiles through this module

        return growth_commands.handle(intent, deps, asker)
    if isinstance(intent, (SetTarget, SetCurrent)):
        return _set_level(intent, deps, asker)
    if isinstance(intent, ShowProfile):
        return [Message("Your ladder profile", profile(deps, asker))]
    if isinstance(intent, SetCadence):
        set_cadence(intent.cadence, deps, asker)
        word = "off" if intent.cadence == "off" else f"{intent.cadence}"
        return _with_profile(f"Growth prompts are now *{word}*.", deps, asker)
    if isinstance(intent, SetSchedule):
        deps.store.update_person(
            asker.team_id,
            asker.user_id,
            local_time=intent.local_time.strftime("%H:%M"),
            weekdays=",".join(intent.weekdays),
        )
        return _with_profile(f"Prompts will come at *{intent.local_time:%H:%M}* your time.", deps, asker)
    if isinstance(intent, Pause):
        until = deps.now() + timedelta(days=intent.days)
        deps.store.update_person(asker.team_id, asker.user_id, paused_until=until)
        return _with_profile(f"Paused for {intent.days} days, until {pb.when(until)}.", deps, asker)
    if isinstance(intent, Resume):
        return _resume(deps, asker)
    if isinstance(intent, Journal):
        return [journal(deps, asker)]
    if isinstance(intent, Export):
        return export(deps, asker)
    if isinstance(intent, Forget):
        return [Message("Delete everything about you?", pb.forget_confirm_blocks())]
    return []


def set_cadence(cadence: str, deps: Deps, asker: Asker) -> None:
    # Turning prompts on is a fresh start: earlier silences no longer count towards a pause.
    fresh: dict[str, Any] = {} if cadence == "off" else {"ignored_streak": 0}
    deps.store.update_person(asker.team_id, asker.user_id, create=True, cadence=cadence, **fresh)


def profile(deps: Deps, asker: Asker) -> list[dict]:
    person = deps.store.get_person(asker.team_id, asker.user_id)
    ladder = deps.content.answerer.ladder
    current = ladder.get(person.current_level_id) if person else None
    target = ladder.get(person.target_level_id) if person else None
    gap = compare_levels(current, target) if current and target and current.id != target.id else None
    steps = ladder.steps_between(gap.lower, gap.higher) if gap else None
    blocks = pb.profile_blocks(person, current, target, gap, steps, _next_prompt(deps, person), command=asker.command)
    progress = assessment_blocks.progress_blocks(assessment.progress_of(deps, asker, target), has_target=bool(target))
    return [*blocks, *progress, *manager.profile_blocks(deps, asker, person)]


def journal(deps: Deps, asker: Asker) -> Message:
    reflections = deps.store.reflections_for(asker.team_id, asker.user_id)
    return Message(
        "Your reflection journal",
        pb.journal_blocks(reflections[:JOURNAL_PAGE], len(reflections), manager.reflection_share_blocks(deps, asker)),
    )


def export(deps: Deps, asker: Asker) -> list[Message]:
    reflections = deps.store.reflections_for(asker.team_id, asker.user_id)
    if not reflections:
        return [Message("Nothing to export yet", pb.journal_blocks([], 0))]
    person = deps.store.get_person(asker.team_id, asker.user_id)
    target = deps.content.answerer.ladder.get(person.target_level_id) if person else None
    now = deps.now()
    channel = asker.client.conversations_open(users=asker.user_id)["channel"]["id"]
    asker.client.files_upload_v2(
        channel=channel,
        filename=f"ladder-journal-{now:%Y-%m-%d}.md",
        title="My reflection journal",
        content=journal_markdown(reflections, target, now),
        initial_comment="Here is your reflection journal, grouped by competency. Only you have it.",
    )
    return [
        Message(
            "Journal exported",
            [mrkdwn(f"I've sent your journal ({len(reflections)} reflections) to our direct messages.")],
        )
    ]


def take_thread_reply(event: dict, deps: Deps, asker: Asker) -> bool:
    """A reply in the thread of one of this person's prompts becomes a reflection."""
    nudge = deps.store.nudge_for_message(asker.team_id, event.get("channel", ""), event["thread_ts"])
    if nudge is None or nudge.user_id != asker.user_id:
        return False
    text = from_slack(event.get("text") or "").strip()
    if not text:
        return False
    deps.store.add_reflection(
        asker.team_id, asker.user_id, text[: pb.MAX_REFLECTION_CHARS], source="thread", nudge_id=nudge.id
    )
    asker.client.chat_postMessage(
        channel=event["channel"],
        thread_ts=event["thread_ts"],
        text="Thanks: saved to your private journal. `/ladder journal` shows it all.",
    )
    return True


def check_reflection(nudge_id: str, text: str, deps: Deps, asker: Asker) -> tuple[Nudge | None, str | None]:
    """The asker's nudge for a modal reflection, or the error to show in the modal."""
    if not (text or "").replace("\x00", "").strip():
        return None, "Write a few words first."
    nudge = deps.store.get_nudge(asker.team_id, asker.user_id, int(nudge_id)) if nudge_id.isdigit() else None
    if nudge is None:
        return None, "That prompt isn't yours or no longer exists."
    return nudge, None


def save_reflection(nudge: Nudge, text: str, deps: Deps) -> str | None:
    """Save a reflection from the modal; if that fails, the error to show in the modal, which
    stays open with the text in it: a lost reflection must never go unnoticed."""
    try:
        deps.store.add_reflection(
            nudge.team_id, nudge.user_id, text.strip()[: pb.MAX_REFLECTION_CHARS], source="modal", nudge_id=nudge.id
        )
    except Exception as error:
        reference = new_reference()
        # The engine hides statement parameters, so the log never holds the reflection.
        log.error(
            "ref %s: could not save a reflection from the modal: %s", reference, type(error).__name__, exc_info=error
        )
        return (
            f"I couldn't save this just now (reference {reference}). Your text is still here: submit again in a minute."
        )
    return None


def thank_for_reflection(asker: Asker) -> None:
    asker.client.chat_postMessage(
        channel=asker.user_id, text="Thanks: your reflection is saved to your private journal."
    )


def save_levels_from_modal(current_id: str | None, target_id: str | None, deps: Deps, asker: Asker) -> None:
    ladder = deps.content.answerer.ladder
    changes: dict[str, Any] = {
        k: v for k, v in (("current_level_id", current_id), ("target_level_id", target_id)) if v and ladder.get(v)
    }
    if changes:
        deps.store.update_person(asker.team_id, asker.user_id, create=True, **changes)


def forget_everything(store: Store, asker: Asker) -> tuple[dict[str, int], int]:
    """Delete every row about the person and, from Slack, the copies of what they shared
    with a manager (or were shared, as a manager); returns deleted rows per table and how
    many copies Slack would not let go."""
    copies = store.take_back_copies(asker.team_id, person_id=asker.user_id)
    deleted = store.forget_person(asker.team_id, asker.user_id)
    return deleted, manager.take_back(asker.client, copies)


def _delete_reflection(reflection_id: int | None, deps: Deps, asker: Asker) -> tuple[bool, int]:
    """A deleted reflection leaves no copy behind: the manager's, if it was shared, goes too."""
    if reflection_id is None:
        return False, 0
    copies = deps.store.take_back_copies(asker.team_id, reflection=(asker.user_id, reflection_id))
    removed = deps.store.delete_reflection(asker.team_id, asker.user_id, reflection_id)
    return removed, manager.take_back(asker.client, copies)


def on_action(action: dict, body: dict, deps: Deps, asker: Asker) -> list[Message]:
    """Buttons of prompts, the journal, confirmations and the App Home."""
    action_id, value = action.get("action_id", ""), action.get("value", "")
    if action_id in (pb.SKIP, pb.SNOOZE, pb.STOP, pb.REFLECT):
        return _nudge_button(action_id, value, body, deps, asker)
    if action_id == pb.RESUME:
        return _resume(deps, asker)
    if action_id == pb.FORGET_CONFIRM:
        deleted, kept = forget_everything(deps.store, asker)
        log.info("forgot a person on request (%s)", ", ".join(f"{k}: {v}" for k, v in deleted.items()))
        republish_home(deps, asker)
        return [
            Message(
                "Deleted",
                [
                    mrkdwn(
                        "Done: I've deleted your levels, settings, prompts and "
                        f"{deleted.get('reflections', 0)} reflection(s), and what you had shared with a "
                        "manager. Nothing about you is left." + manager.still_in_slack(kept)
                    )
                ],
            )
        ]
    if action_id == pb.FORGET_CANCEL:
        return [Message("Cancelled", [mrkdwn("Nothing was deleted.")])]
    if action_id == pb.DELETE_REFLECTION:
        removed, kept = _delete_reflection(int(value) if value.isdigit() else None, deps, asker)
        note = (
            "Deleted that reflection." + manager.still_in_slack(kept)
            if removed
            else "That reflection isn't in your journal."
        )
        return [Message(note, [mrkdwn(note), *journal(deps, asker).blocks])]
    if action_id == pb.EXPORT:
        return export(deps, asker)
    if action_id == pb.CADENCE:
        cadence = ((action.get("selected_option") or {}).get("value")) or ""
        if cadence in CADENCES:
            set_cadence(cadence, deps, asker)
        return []
    if action_id == pb.EDIT_LEVELS:
        person = deps.store.get_person(asker.team_id, asker.user_id)
        asker.client.views_open(
            trigger_id=body["trigger_id"],
            view=pb.levels_modal(
                list(deps.content.answerer.ladder.levels),
                person.current_level_id if person else None,
                person.target_level_id if person else None,
            ),
        )
        return []
    return []


def republish_home(deps: Deps, asker: Asker) -> bool:
    """After `forget me`: the App Home still shows what was just deleted until it is
    published again. False if Slack would not take it (it refreshes when next opened)."""
    from bot.slack import home  # home imports this module

    try:
        asker.client.views_publish(user_id=asker.user_id, view=home.view(deps, asker))
        return True
    except (SlackApiError, OSError) as error:  # the deletion stands either way
        log.warning("could not refresh the App Home after forgetting a person: %s", error)
        return False


def _nudge_button(action_id: str, value: str, body: dict, deps: Deps, asker: Asker) -> list[Message]:
    nudge = deps.store.get_nudge(asker.team_id, asker.user_id, int(value)) if value.isdigit() else None
    if nudge is None:
        return [Message("Not yours", [mrkdwn("That prompt isn't yours or no longer exists.")])]
    now = deps.now()
    if action_id == pb.REFLECT:
        asker.client.views_open(trigger_id=body["trigger_id"], view=pb.reflection_modal(nudge))
        return []
    if action_id == pb.STOP:
        if nudge.status == "sent":  # a click is an answer: it must not count as an ignored prompt later
            deps.store.set_nudge_status(asker.team_id, asker.user_id, nudge.id, "skipped", now=now)
        if deps.store.update_person(asker.team_id, asker.user_id, create=False, cadence="off") is None:
            return [_FORGOTTEN]
        return [
            Message(
                "Stopped", [mrkdwn("Stopped: no more growth prompts. `/ladder nudges monthly` turns them back on.")]
            )
        ]
    if nudge.status != "sent":  # answered, skipped or snoozed already: a second click changes nothing
        done = nudge.status if nudge.status in ("answered", "skipped", "snoozed") else "handled"
        return [Message("Already done", [mrkdwn(f"You've already {done} this prompt.")])]
    if action_id == pb.SKIP:
        deps.store.set_nudge_status(asker.team_id, asker.user_id, nudge.id, "skipped", now=now)
        return [Message("Skipped", [mrkdwn("Skipped. Next time I'll pick another competency.")])]
    # Snooze: quiet for a week, and this same competency opens the next prompt.
    deps.store.set_nudge_status(asker.team_id, asker.user_id, nudge.id, "snoozed", now=now)
    until = now + timedelta(days=7)
    if deps.store.update_person(asker.team_id, asker.user_id, create=False, paused_until=until) is None:
        return [_FORGOTTEN]
    return [
        Message("Snoozed", [mrkdwn(f"Snoozed: no prompts until {pb.when(until)}, and then this one comes back first.")])
    ]


# Buttons left over from before `forget me` must not bring a person back: no tombstone says
# who was forgotten, so "no people row" is the test, and these buttons never create one.
_FORGOTTEN_NOTE = (
    "I don't keep anything about you (if you asked me to forget you, that's done), "
    "so there is nothing to change. `/ladder target L3 cloud` starts afresh."
)
_FORGOTTEN = Message("Nothing to change", [mrkdwn(_FORGOTTEN_NOTE)])


def _resume(deps: Deps, asker: Asker) -> list[Message]:
    if (
        deps.store.update_person(asker.team_id, asker.user_id, create=False, paused_until=None, ignored_streak=0)
        is None
    ):
        return [_FORGOTTEN]
    return _with_profile("Prompts resumed.", deps, asker)


def _set_level(intent: SetTarget | SetCurrent, deps: Deps, asker: Asker) -> list[Message]:
    ladder = deps.content.answerer.ladder
    resolution = ladder.resolve(intent.ref, ladder.track_named_in(intent.ref.words) if intent.ref.code else None)
    verb = "target" if isinstance(intent, SetTarget) else "level"
    if resolution.level is None:
        return [_pick_level(intent.ref, resolution.candidates or resolution.suggestions, verb)]
    field = "target_level_id" if isinstance(intent, SetTarget) else "current_level_id"
    deps.store.update_person(asker.team_id, asker.user_id, create=True, **{field: resolution.level.id})
    what = "target" if isinstance(intent, SetTarget) else "current level"
    return _with_profile(
        f"Your {what} is now *{escape(resolution.level.name)}* ({escape(resolution.level.track)}).", deps, asker
    )


def _pick_level(ref: LevelRef, levels: tuple[Level, ...], verb: str) -> Message:
    text = (
        f"Which level do you mean by “{escape(str(ref))}”?"
        if levels
        else f"I couldn't find a level called “{escape(str(ref))}”."
    )
    buttons = [
        button(f"{l.name} ({l.track})", f"ladder_query_pick_{i}", f"{verb} {level_query(l)}")
        for i, l in enumerate(levels)
    ]
    return Message(text, [mrkdwn(text), *actions(buttons)])


def _with_profile(note: str, deps: Deps, asker: Asker) -> list[Message]:
    return [Message(note.replace("*", ""), [mrkdwn(note), *profile(deps, asker)])]


def _next_prompt(deps: Deps, person: Person | None):
    if person is None:
        return None
    now = deps.now()
    period = schedule.current_period(person, now)
    done = any(
        n.period == period and n.status != "retry" for n in deps.store.recent_nudges(person.team_id, person.user_id, 3)
    )
    return schedule.next_prompt_at(person, now, this_period_done=done)
