"""The self-assessment: open the modal, walk its pages, save it, "Mark as met" on a prompt.

A long level is several pages of one modal. The answers of the pages before travel in the
view's private_metadata (a rating is one character; notes are short) and everything is
saved once, as one dated assessment, when the last page is submitted. Saving page by page
would store a partial assessment per page, and "what moved since last time" would then
compare page 3 with page 2 of the same sitting. Saved before the ack: if it fails, the
modal stays open with everything still in it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

from bot.growth.changes import level_fingerprint
from bot.growth.criteria import Criterion
from bot.growth.due import ReassessPolicy
from bot.growth.service import ProgressView, StaleAssessment, mark_met, progress_view, save_assessment
from bot.ladder.model import Level
from bot.slack import assessment_blocks as ab
from bot.slack.blocks import Message, mrkdwn
from bot.slack.command_table import typed
from bot.slack.errors import new_reference
from storage import Assessment

if TYPE_CHECKING:
    from bot.slack.deps import Deps
    from bot.slack.replies import Asker

log = logging.getLogger(__name__)
_CODES = {"not_yet": "n", "partly": "p", "met": "m"}
_RATINGS = {code: rating for rating, code in _CODES.items()}
STALE = "The ladder changed while this was open. Close it and start the assessment again."


def target_of(deps: Deps, asker: Asker) -> Level | None:
    person = deps.store.get_person(asker.team_id, asker.user_id)
    return deps.content.answerer.ladder.get(person.target_level_id) if person and person.target_level_id else None


def no_target(asker: Asker) -> Message:
    text = f"Set your target level first ({typed(asker.command, 'target L3 cloud')}), then rate yourself against it."
    return Message("Set a target level first", [mrkdwn(text)])


def progress_of(deps: Deps, asker: Asker, target: Level | None) -> ProgressView | None:
    if target is None:
        return None
    try:
        policy = ReassessPolicy.from_env()
    except ValueError:  # a typo in LADDERBOT_REASSESS_MONTHS must not break /ladder me (the clock logs it)
        policy = ReassessPolicy()
    return progress_view(deps.store, asker.team_id, asker.user_id, target, now=deps.now(), policy=policy)


def open_modal(deps: Deps, asker: Asker, trigger_id: str) -> list[Message]:
    target = target_of(deps, asker)
    if target is None:
        return [no_target(asker)]
    if not trigger_id:  # typed in a DM or a mention: Slack gives no trigger to open a modal with
        return [Message("Self-assessment", ab.progress_blocks(progress_of(deps, asker, target), has_target=True))]
    latest = _latest(deps, asker, target)
    draft = Draft(
        target.id, level_fingerprint(target)[:12], 0, [_rating(latest, c.key) for c in ab.unique_criteria(target)]
    )
    try:
        asker.client.views_open(trigger_id=trigger_id, view=_page_view(target, draft, latest))
    except SlackApiError as error:
        if error.response.get("error") != "expired_trigger_id":
            raise
        # Slack allows 3 s to open a modal; when answers queue longer, a button gives a fresh trigger.
        return [Message("Self-assessment", ab.progress_blocks(progress_of(deps, asker, target), has_target=True))]
    return []


@dataclass
class Draft:
    """What travels between the pages of one modal."""

    level_id: str
    fingerprint: str  # the level as it was when the modal opened
    page: int
    ratings: list[str | None]  # by position in ab.unique_criteria
    notes: dict[int, str] = field(default_factory=dict)

    def dump(self) -> str:
        ratings = "".join(_CODES.get(r or "", "-") for r in self.ratings)
        return json.dumps(
            {
                "l": self.level_id,
                "f": self.fingerprint,
                "p": self.page,
                "r": ratings,
                "n": {str(i): n for i, n in self.notes.items()},
            },
            separators=(",", ":"),
            ensure_ascii=False,
        )

    @classmethod
    def load(cls, text: str) -> Draft | None:
        try:
            data = json.loads(text)
            return cls(
                str(data["l"]),
                str(data["f"]),
                int(data["p"]),
                [_RATINGS.get(c) for c in str(data["r"])],
                {int(i): str(n) for i, n in dict(data.get("n") or {}).items()},
            )
        except (ValueError, KeyError, TypeError):
            return None


def _rating(assessment: Assessment | None, key: str) -> str | None:
    rating = assessment.rating_of(key) if assessment else None
    return rating.rating if rating else None


def _latest(deps: Deps, asker: Asker, target: Level) -> Assessment | None:
    history = deps.store.assessments_for(asker.team_id, asker.user_id, target.id, limit=1)
    return history[0] if history else None


def _page_view(target: Level, draft: Draft, latest: Assessment | None) -> dict:
    criteria = ab.unique_criteria(target)
    initial = {}
    for index, criterion in enumerate(criteria):
        saved = latest.rating_of(criterion.key) if latest else None
        note = draft.notes.get(index, saved.note if saved else None)
        initial[criterion.key] = (draft.ratings[index], note)
    return ab.modal(target, ab.pages_of(target), draft.page, draft.dump(), initial)


@dataclass(frozen=True)
class Submitted:
    """What the ack says: errors (the modal stays open), the next page, or nothing (closed, saved)."""

    errors: dict[str, str] | None = None
    next_view: dict | None = None
    saved: ProgressView | None = None


def submit(view: dict, deps: Deps, asker: Asker) -> Submitted:
    draft = Draft.load(view.get("private_metadata") or "")
    values = (view.get("state") or {}).get("values") or {}
    first_block = next(iter(values), "")
    target = deps.content.answerer.ladder.get(draft.level_id) if draft else None
    if draft is None or target is None or level_fingerprint(target)[:12] != draft.fingerprint:
        return Submitted(errors={first_block: STALE} if first_block else None)
    criteria = ab.unique_criteria(target)
    pages = ab.pages_of(target)
    if not 0 <= draft.page < len(pages) or len(draft.ratings) != len(criteria):
        return Submitted(errors={first_block: STALE} if first_block else None)
    position = {c.key: i for i, c in enumerate(criteria)}
    on_page = [c for part in pages[draft.page] for c in part.criteria]
    for criterion in on_page:
        index = position[criterion.key]
        chosen = ((values.get(f"rate_{criterion.key}") or {}).get("rating") or {}).get("selected_option") or {}
        if chosen.get("value") in ab.RATINGS:
            draft.ratings[index] = chosen["value"]
        note = (((values.get(f"note_{criterion.key}") or {}).get("note") or {}).get("value") or "").strip()
        if note:
            draft.notes[index] = note[: ab.NOTE_MAX]
        else:
            draft.notes.pop(index, None)
    if draft.page < len(pages) - 1:
        return _next_page(draft, target, on_page, deps, asker)
    return _save(draft, target, criteria, on_page, deps, asker)


def _next_page(draft: Draft, target: Level, on_page: list[Criterion], deps: Deps, asker: Asker) -> Submitted:
    draft.page += 1
    if len(draft.dump()) > ab.MAX_METADATA:
        block = f"note_{on_page[0].key}" if on_page else ""
        return Submitted(
            errors={block: "Your notes are longer than one assessment can carry: shorten some on this page."}
            if block
            else None
        )
    return Submitted(next_view=_page_view(target, draft, _latest(deps, asker, target)))


def _save(
    draft: Draft, target: Level, criteria: list[Criterion], on_page: list[Criterion], deps: Deps, asker: Asker
) -> Submitted:
    first = f"rate_{on_page[0].key}" if on_page else ""
    ratings = {c.key: r for c, r in zip(criteria, draft.ratings, strict=True) if r}
    if not ratings:
        return Submitted(errors={first: "Rate at least one criterion first."} if first else None)
    notes = {criteria[i].key: n for i, n in draft.notes.items() if i < len(criteria) and criteria[i].key in ratings}
    try:
        save_assessment(deps.store, asker.team_id, asker.user_id, target, ratings, notes, now=deps.now())
    except StaleAssessment:
        return Submitted(errors={first: STALE} if first else None)
    except Exception as error:  # whatever it was, the person must hear of it
        reference = new_reference()
        log.error("ref %s: could not save a self-assessment: %s", reference, type(error).__name__, exc_info=error)
        return Submitted(
            errors={
                first: f"I couldn't save this just now (reference {reference}). "
                "Your answers are still here: submit again in a minute."
            }
            if first
            else None
        )
    return Submitted(saved=progress_of(deps, asker, target))


def thank(saved: ProgressView, asker: Asker) -> None:
    asker.client.chat_postMessage(
        channel=asker.user_id, text="Your self-assessment is saved", blocks=ab.saved_blocks(saved)
    )


def mark_as_met(nudge_id: str, deps: Deps, asker: Asker) -> list[Message]:
    """ "Mark as met" on a growth prompt: a new assessment with that criterion met."""
    nudge = deps.store.get_nudge(asker.team_id, asker.user_id, int(nudge_id)) if nudge_id.isdigit() else None
    if nudge is None:
        return [Message("Not yours", [mrkdwn("That prompt isn't yours or no longer exists.")])]
    target = deps.content.answerer.ladder.get(nudge.level_id)
    if target is None or nudge.competency_key not in {c.key for c in ab.unique_criteria(target)}:
        return [
            Message(
                "Not in the ladder",
                [mrkdwn("That criterion is no longer part of the level, so there is nothing to mark.")],
            )
        ]
    mark_met(deps.store, asker.team_id, asker.user_id, target, nudge.competency_key, now=deps.now())
    view = progress_of(deps, asker, target)
    return [
        Message(
            "Marked as met",
            [
                mrkdwn("Marked as met in your self-assessment: I'll ask about the rest first."),
                *ab.progress_blocks(view, has_target=True),
            ],
        )
    ]
