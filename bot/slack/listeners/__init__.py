"""Thin listeners, one module per kind of request, each a named callback (as in Slack's
bolt-python starter template). Each module declares what it handles (COMMAND, EVENT,
ACTIONS or VIEWS) and registration iterates those declarations, so the contract test can
compare what the app listens to with manifest.yml.

Listeners ack at once and leave the work to the pool (bot/slack/handoff.py); they reach
the process's Deps through Bolt's context (`deps_of`), put there by `provide_deps`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack import replies
from bot.slack.listeners import actions, app_home, commands, direct_message, lifecycle, mention, views

if TYPE_CHECKING:
    from bot.slack.deps import Deps

EVENT_LISTENERS = (mention, direct_message, app_home)


def register(app: App, deps: Deps) -> None:
    app.use(provide_deps(deps))
    app.command(commands.COMMAND)(commands.slash_command)
    for module in EVENT_LISTENERS:
        app.event(module.EVENT)(module.on_event)
    for event in lifecycle.EVENTS:
        app.event(event)(lifecycle.on_event)
    for action_id, callback in actions.ACTIONS.items():
        app.action(action_id)(callback)
    for callback_id, callback in views.VIEWS.items():
        app.view(callback_id)(callback)


def registered_events() -> set[str]:
    return {module.EVENT for module in EVENT_LISTENERS} | set(lifecycle.EVENTS)


def provide_deps(deps: Deps) -> Callable[..., None]:
    def provide(context: BoltContext, next: Callable[[], None]) -> None:
        if context.is_enterprise_install and context.team_id and context.enterprise_id:
            deps.remember_org_workspace(context.team_id, context.enterprise_id)
        context["deps"] = deps.for_team(context.team_id)  # that workspace's own ladder, if it has one
        next()

    return provide


def deps_of(context: BoltContext) -> Deps:
    return context["deps"]


def asker_of(body: dict, client: WebClient, context: BoltContext) -> replies.Asker:
    """Who asked, with the slash command as this workspace installed it."""
    return replies.asker_from(body, client, deps_of(context).settings.slash_command)
