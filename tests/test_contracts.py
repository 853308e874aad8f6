"""Contracts derived from the code, as sqlite-utils tests its docs against its CLI:
what the code uses must be declared where Slack and people read it."""

from __future__ import annotations

import ast
import re

import click
import pytest
import yaml

from bot.cli import cli
from bot.slack import listeners
from bot.slack.listeners import actions, commands, lifecycle, views
from tests.conftest import ROOT

# The bot-token scope each Web API method needs (None: no scope). A method the code starts to
# call must be added here, which makes whoever adds it check the manifest too.
METHOD_SCOPES: dict[str, str | None] = {
    "auth_test": None,
    "chat_postMessage": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write",
    "chat_delete": "chat:write",
    "conversations_open": "im:write",
    "conversations_history": "im:history",  # only ever on the bot's own DMs
    "conversations_replies": "im:history",
    "users_info": "users:read",
    "users_list": "users:read",
    "views_open": None,
    "views_publish": None,
    "views_update": None,
    "files_upload_v2": "files:write",
    "files_delete": "files:write",  # only the packets it uploaded to a manager
    "apps_connections_open": None,  # the app-level token's connections:write, not a bot scope
}
WEB_API_CALL = re.compile(
    r"^(auth|chat|conversations|users|views|files|apps|reactions|team|usergroups|oauth)_[a-zA-Z0-9_]+$"
)


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def web_api_methods_called() -> dict[str, str]:
    """Every `something.chat_postMessage(...)`-style call under bot/, with where it is."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and WEB_API_CALL.match(node.func.attr)
                and not _on_the_store(node.func)
            ):
                found.setdefault(node.func.attr, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _on_the_store(call: ast.Attribute) -> bool:
    """`deps.store.team_view(...)`: the Store's API, whose names may look like Web API methods."""
    receiver = call.value
    return (isinstance(receiver, ast.Attribute) and receiver.attr == "store") or (
        isinstance(receiver, ast.Name) and receiver.id == "store"
    )


def test_the_code_calls_slack():  # the scan below would pass vacuously if it found nothing
    assert {"chat_postMessage", "views_publish", "users_list"} <= set(web_api_methods_called())


def test_every_web_api_method_called_is_covered_by_a_manifest_scope():
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    for method, where in web_api_methods_called().items():
        assert method in METHOD_SCOPES, f"{where} calls {method}: add it to METHOD_SCOPES with the scope it needs"
        needed = METHOD_SCOPES[method]
        assert needed is None or needed in scopes, (
            f"{where} calls {method}, which needs {needed}: add it to manifest.yml"
        )


def cli_commands(group: click.Group = cli, prefix: str = "ladderbot") -> list[str]:
    commands = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            commands.extend(cli_commands(command, f"{prefix} {name}"))
        else:
            commands.append(f"{prefix} {name}")
    return commands


@pytest.mark.parametrize("command", cli_commands())
def test_every_cli_command_is_in_the_readme(command):
    assert command in (ROOT / "README.md").read_text(), f"README.md never mentions `{command}`"


# A manifest event and the event type its listener is registered for, where they differ:
# message.im is Slack's subscription to DMs with the bot; they arrive as "message" events.
MANIFEST_EVENT_TYPES = {"message.im": "message"}


def test_the_events_the_app_listens_to_are_the_events_the_manifest_subscribes_to():
    subscribed = {MANIFEST_EVENT_TYPES.get(e, e) for e in manifest()["settings"]["event_subscriptions"]["bot_events"]}
    assert listeners.registered_events(), "no event listeners found: the comparison would pass vacuously"
    assert listeners.registered_events() == subscribed


def test_the_slash_commands_in_the_manifest_are_the_ones_the_app_answers():
    declared = [c["command"] for c in manifest()["features"]["slash_commands"]]
    assert declared, "the manifest declares no slash command"
    for command in declared:
        assert commands.COMMAND.match(command), f"manifest.yml declares {command}, which no listener answers"
        assert command in (ROOT / "README.md").read_text()


def test_the_oauth_install_asks_for_the_manifests_scopes_and_redirects_where_bolt_listens():
    from bot.slack import oauth

    config = manifest()["oauth_config"]
    assert list(oauth.SCOPES) == config["scopes"]["bot"]
    assert [url.split("YOUR-HOST", 1)[1] for url in config["redirect_urls"]] == [oauth.REDIRECT_PATH]


def test_interactivity_is_on_because_the_app_handles_buttons_and_modals():
    assert actions.ACTIONS and views.VIEWS
    assert manifest()["settings"]["interactivity"]["is_enabled"]
    assert manifest()["features"]["app_home"]["home_tab_enabled"] == (
        "app_home_opened" in listeners.registered_events()
    )


def test_the_bolt_app_registers_exactly_the_declared_listeners(fake_slack, tmp_path):
    """Registration iterates the declarations: one Bolt listener each, nothing registered on the side."""
    from tests.fakes.in_process import InProcessBot

    bot = InProcessBot(fake_slack, f"sqlite:///{tmp_path / 'contract.db'}")
    try:
        declared = 1 + len(listeners.EVENT_LISTENERS) + len(lifecycle.EVENTS) + len(actions.ACTIONS) + len(views.VIEWS)
        assert len(bot.app._listeners) == declared
    finally:
        bot.close()


# The layers: arrows run one way, cli -> slack/nudges -> slackkit -> domain/storage.
FORBIDDEN_IMPORTS = {
    "bot/slack": ("bot.nudges", "bot.cli"),
    "bot/nudges": ("bot.slack", "bot.cli"),
    "bot/slackkit": ("bot.slack", "bot.nudges", "bot.cli"),
    "bot/ladder": (
        "bot.slack",
        "bot.slackkit",
        "bot.nudges",
        "bot.cli",
        "storage",
        "slack_sdk",
        "slack_bolt",
        "sqlalchemy",
    ),
    "storage": ("bot",),
}


def imported_modules(path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN_IMPORTS))
def test_imports_run_one_way(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    for path in files:
        for module in imported_modules(path):
            for forbidden in FORBIDDEN_IMPORTS[package]:
                assert not (module == forbidden or module.startswith(forbidden + ".")), (
                    f"{path.relative_to(ROOT)} imports {module}: {package} must not depend on {forbidden}"
                )
