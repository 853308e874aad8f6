"""An app uninstalled, or its bot token revoked: the installation goes at once, the
workspace's data after the grace period (LADDERBOT_FORGET_WORKSPACE_AFTER_DAYS), unless it
installs again first. Quick database work, done on the request thread before the ack."""

from __future__ import annotations

import logging

from slack_bolt import BoltContext
from slack_bolt.listener.builtins import TokenRevocationListeners

from bot.slack import listeners

EVENTS = ("app_uninstalled", "tokens_revoked")

log = logging.getLogger(__name__)


def on_event(event: dict, body: dict, context: BoltContext) -> None:
    if event.get("type") == "tokens_revoked" and not (event.get("tokens") or {}).get("bot"):
        return  # only user tokens, and ladderbot holds none
    deps = listeners.deps_of(context)
    team_id = context.team_id or body.get("team_id")
    enterprise_id = context.enterprise_id
    if deps.settings.oauth:  # Bolt's own handlers, on our installation store
        installations = deps.store.slack_installation_store(deps.settings.slack_client_id or "")
        revocation = TokenRevocationListeners(installations)
        if context.is_enterprise_install:
            # Bolt's handlers look the install up by the event's workspace; an org-wide one has none.
            installations.delete_all(enterprise_id=enterprise_id, team_id=None)
        elif event.get("type") == "app_uninstalled":
            revocation.handle_app_uninstalled_events(context)
        else:
            revocation.handle_tokens_revoked_events(event, context)
    workspace = (enterprise_id if context.is_enterprise_install else team_id) or ""
    deps.store.workspace_departed(workspace, now=deps.now())
    log.info(
        "%s in %s: installation removed; its data is deleted after %d days unless it installs again",
        event.get("type"),
        workspace,
        deps.settings.forget_workspace_after_days,
    )
