"""The growth loop's buttons (grow_*) and the self-assessment modal's pages."""

from __future__ import annotations

from slack_bolt import Ack, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.slack import assessment, growth_commands, handoff, home, listeners, replies


def growth_action(ack: Ack, body: dict, action: dict, client: WebClient, context: BoltContext) -> BoltResponse | None:
    deps = listeners.deps_of(context)

    def act() -> None:
        asker = listeners.asker_of(body, client, context)
        messages = growth_commands.on_action(action, body, deps, asker)
        if messages and (body.get("view") or {}).get("type") == "home":
            client.views_publish(user_id=asker.user_id, view=home.view(deps, asker))
        if messages:
            replies.send(messages, body, client, private=True)

    return handoff.interaction(ack, deps, body, client, act)


def assessment_submitted(ack: Ack, body: dict, view: dict, client: WebClient, context: BoltContext) -> None:
    """Each page is answered by the ack: the next page, errors shown in the modal, or (the
    last page, saved before the ack) closed; the thanks and the Home wait for the pool."""
    deps, asker = listeners.deps_of(context), listeners.asker_of(body, client, context)
    result = assessment.submit(view, deps, asker)
    if result.errors:
        ack(response_action="errors", errors=result.errors)
        return
    if result.next_view is not None:
        ack(response_action="update", view=result.next_view)
        return
    ack()
    saved = result.saved
    if saved is not None:

        def after() -> None:
            assessment.thank(saved, asker)
            client.views_publish(user_id=asker.user_id, view=home.view(deps, asker))

        handoff.later(deps, body, client, after)
