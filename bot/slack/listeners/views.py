"""Modal submissions: a reflection written in the modal, and the levels picker."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.slack import handoff, home, listeners, personal
from bot.slack import profile_blocks as pb
from bot.slack.assessment_blocks import ASSESSMENT_MODAL
from bot.slack.listeners.growth import assessment_submitted


def reflection_submitted(ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext) -> None:
    deps, asker = listeners.deps_of(context), listeners.asker_of(body, client, context)
    text = (((view.get("state") or {}).get("values") or {}).get("reflection") or {}).get("text", {}).get("value") or ""
    # Checked before the ack: a problem is shown in the modal, which only the ack can do.
    nudge, problem = personal.check_reflection(view.get("private_metadata", ""), text, deps, asker)
    if nudge is not None and problem is None:
        # Saved before the ack (one short insert): if it fails, the modal stays open with the text.
        problem = personal.save_reflection(nudge, text, deps)
    if problem:
        ack(response_action="errors", errors={"reflection": problem})
        return
    ack()  # saved: the ack closes the modal; the thanks can wait for the pool, or be dropped if it is full
    handoff.later(deps, body, client, lambda: personal.thank_for_reflection(asker))


def levels_submitted(ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext) -> BoltResponse | None:
    deps = listeners.deps_of(context)

    def save() -> None:
        values = (view.get("state") or {}).get("values") or {}
        chosen = {
            key: ((values.get(key) or {}).get("level") or {}).get("selected_option") or {}
            for key in ("current", "target")
        }
        asker = listeners.asker_of(body, client, context)
        personal.save_levels_from_modal(chosen["current"].get("value"), chosen["target"].get("value"), deps, asker)
        client.views_publish(user_id=asker.user_id, view=home.view(deps, asker))

    return handoff.interaction(ack, deps, body, client, save)


VIEWS: dict[str, Callable[..., BoltResponse | None]] = {
    pb.REFLECTION_MODAL: reflection_submitted,
    pb.LEVELS_MODAL: levels_submitted,
    ASSESSMENT_MODAL: assessment_submitted,
}
