"""Modal submissions: a reflection written in the modal, and the levels picker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import Ack, App, BoltResponse
from slack_sdk import WebClient

from bot.slack import handoff, home, personal
from bot.slack import profile_blocks as pb
from bot.slack.conversation import Asker

if TYPE_CHECKING:
    from bot.slack.app import Deps


def register(app: App, deps: Deps) -> None:
    @app.view(pb.REFLECTION_MODAL)
    def reflection_submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> BoltResponse | None:
        asker = _asker(body, client)
        text = (((view.get("state") or {}).get("values") or {}).get("reflection") or {}).get("text", {}).get("value") or ""
        # Checked before the ack: a problem is shown in the modal, which only the ack can do.
        nudge, problem = personal.check_reflection(view.get("private_metadata", ""), text, deps, asker)
        # Saved before the ack (one short insert): if it fails, the modal stays open with the text.
        problem = problem or personal.save_reflection(nudge, text, deps)
        if problem:
            ack(response_action="errors", errors={"reflection": problem})
            return None
        ack()  # saved: the ack closes the modal; the thanks can wait for the pool, or be dropped if it is full
        handoff.later(deps, body, client, lambda: personal.thank_for_reflection(asker))
        return None

    @app.view(pb.LEVELS_MODAL)
    def levels_submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> BoltResponse | None:
        return handoff.interaction(ack, deps, body, client, lambda: save_levels(body, view, client))

    def save_levels(body: dict, view: dict, client: WebClient) -> None:
        values = (view.get("state") or {}).get("values") or {}
        chosen = {key: ((values.get(key) or {}).get("level") or {}).get("selected_option") or {} for key in ("current", "target")}
        asker = _asker(body, client)
        personal.save_levels_from_modal(chosen["current"].get("value"), chosen["target"].get("value"), deps, asker)
        client.views_publish(user_id=asker.user_id, view=home.view(deps, asker))


def _asker(body: dict, client: WebClient) -> Asker:
    return Asker((body.get("team") or {}).get("id") or body["user"].get("team_id", ""), body["user"]["id"], client)
