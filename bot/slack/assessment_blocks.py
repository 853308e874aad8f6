"""Block Kit for the self-assessment: the modal (paged through categories within Slack's
limits) and the progress lines on /ladder me and the App Home."""

from __future__ import annotations

from dataclasses import dataclass

from bot.growth.criteria import Criterion, categories_of
from bot.growth.progress import RATING_LABELS
from bot.growth.service import ProgressView
from bot.ladder.model import Level
from bot.slackkit.blockkit import actions, button, context, escape, mrkdwn, truncate
from bot.slackkit.prompt_blocks import MARK_MET  # noqa: F401 - one vocabulary for the growth buttons

ASSESS, PACKET, SHARE_PACKET = "grow_assess", "grow_packet", "grow_share_packet"
ASSESSMENT_MODAL = "grow_assessment_modal"
RATINGS = ("not_yet", "partly", "met")
MAX_BLOCKS = 100  # Slack's limit for a modal
PAGE_BLOCKS = MAX_BLOCKS - 1  # one block of every page says which page it is
MAX_LABEL = 2000  # an input block's label
MAX_METADATA = 3000  # a view's private_metadata
NOTE_MAX = 300  # short enough that a page's notes travel to the last page in private_metadata
MORE_MOVES = 8


@dataclass(frozen=True)
class Part:
    """One category, or the part of a long one, shown on one page."""

    category: str
    criteria: tuple[Criterion, ...]
    continued: bool


def unique_criteria(level: Level) -> list[Criterion]:
    """The level's criteria in order, each key once (a criterion written twice in one
    category is rated once: Slack refuses two blocks with one id)."""
    seen: set[str] = set()
    unique = []
    for category in categories_of(level):
        for criterion in category.criteria:
            if criterion.key not in seen:
                seen.add(criterion.key)
                unique.append(criterion)
    return unique


def pages_of(level: Level) -> list[list[Part]]:
    """Categories packed into pages of at most PAGE_BLOCKS blocks (a category title, then two
    blocks a criterion: its rating and its note). A category that fits on a fresh page starts
    one rather than being split; a longer one continues on the next page."""
    by_category: dict[str, list[Criterion]] = {}
    for criterion in unique_criteria(level):
        by_category.setdefault(criterion.category, []).append(criterion)
    pages: list[list[Part]] = [[]]
    room = PAGE_BLOCKS
    for category, criteria in by_category.items():
        whole = 1 + 2 * len(criteria)
        if whole > room and whole <= PAGE_BLOCKS and pages[-1]:
            pages.append([])
            room = PAGE_BLOCKS
        continued = False
        while criteria:
            if room < 3:
                pages.append([])
                room = PAGE_BLOCKS
            take = min(len(criteria), (room - 1) // 2)
            pages[-1].append(Part(category, tuple(criteria[:take]), continued))
            room -= 1 + 2 * take
            criteria, continued = criteria[take:], True
    return [page for page in pages if page] or [[]]


def _option(rating: str) -> dict:
    return {"text": {"type": "plain_text", "text": RATING_LABELS[rating]}, "value": rating}


def modal(
    level: Level, pages: list[list[Part]], page: int, metadata: str, initial: dict[str, tuple[str | None, str | None]]
) -> dict:
    """Page `page` of the assessment; `initial`: (rating, note) by criterion key."""
    last = page == len(pages) - 1
    saving = "Save when you reach the last page" if not last else "Save stores this assessment, dated today"
    blocks = [
        context(
            f"*{escape(level.name)}* ({escape(level.track)}) · page {page + 1} of {len(pages)}. "
            f"Rate each criterion; notes are optional and only you see them. {saving}."
        )
    ]
    for part in pages[page]:
        blocks.append(mrkdwn(f"*{escape(part.category)}*" + (" (continued)" if part.continued else "")))
        for criterion in part.criteria:
            rating, note = initial.get(criterion.key, (None, None))
            select = {
                "type": "static_select",
                "action_id": "rating",
                "placeholder": {"type": "plain_text", "text": "Not assessed"},
                "options": [_option(r) for r in RATINGS],
            }
            if rating in RATINGS:
                select["initial_option"] = _option(rating)
            note_input = {
                "type": "plain_text_input",
                "action_id": "note",
                "max_length": NOTE_MAX,
                "placeholder": {"type": "plain_text", "text": "Optional: what shows it, or what is missing"},
            }
            if note:
                note_input["initial_value"] = note[:NOTE_MAX]
            blocks += [
                {
                    "type": "input",
                    "block_id": f"rate_{criterion.key}",
                    "optional": True,
                    "label": {"type": "plain_text", "text": truncate(criterion.text, MAX_LABEL)},
                    "element": select,
                },
                {
                    "type": "input",
                    "block_id": f"note_{criterion.key}",
                    "optional": True,
                    "label": {"type": "plain_text", "text": "Note"},
                    "element": note_input,
                },
            ]
    return {
        "type": "modal",
        "callback_id": ASSESSMENT_MODAL,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": "Self-assessment"},
        "submit": {"type": "plain_text", "text": "Save" if last else "Next"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def progress_blocks(view: ProgressView | None, *, has_target: bool) -> list[dict]:
    """Progress per category and what moved, with the buttons to assess and build the packet."""
    if not has_target:
        return []
    buttons = [
        button(
            "Re-assess myself" if view and view.latest else "Assess myself",
            ASSESS,
            "assess",
            style="primary" if view is None or view.latest is None or view.reassess_due else "",
        ),
        button("Promotion packet", PACKET, "packet"),
    ]
    if view is None or view.latest is None:
        return [
            mrkdwn(
                "*Self-assessment:* not yet. Rate yourself against your target level: "
                "not yet, partly or met for each criterion."
            ),
            *actions(buttons, "growth"),
        ]
    lines = [f"*Self-assessment* ({view.latest.created_at:%d %b %Y}):"]
    lines += [f"• {escape(c.summary)}" for c in view.categories]
    if view.moved:
        lines.append("*Since the previous one:*")
        lines += [f"• {escape(truncate(m.summary, 200))}" for m in view.moved[:MORE_MOVES]]
        if len(view.moved) > MORE_MOVES:
            lines.append(f"• … and {len(view.moved) - MORE_MOVES} more")
    if view.reassess_due:
        lines.append("_A re-assessment is due._")
    return [mrkdwn("\n".join(lines)), *actions(buttons, "growth")]


def saved_blocks(view: ProgressView) -> list[dict]:
    met = sum(c.met for c in view.categories)
    total = sum(c.total for c in view.categories)
    head = mrkdwn(f"Saved your self-assessment against *{escape(view.level.name)}*: {met} of {total} met.")
    return [head, *progress_blocks(view, has_target=True)]
