"""Contracts derived from the code, as sqlite-utils tests its docs against its CLI:
what the code uses must be declared where Slack and people read it."""

from __future__ import annotations

import ast
import re

import click
import pytest
import yaml

from bot.cli import cli
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
    "apps_connections_open": None,  # the app-level token's connections:write, not a bot scope
}
WEB_API_CALL = re.compile(r"^(auth|chat|conversations|users|views|files|apps|reactions|team|usergroups|oauth)_[a-zA-Z0-9_]+$")


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def web_api_methods_called() -> dict[str, str]:
    """Every `something.chat_postMessage(...)`-style call under bot/, with where it is."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and WEB_API_CALL.match(node.func.attr):
                found.setdefault(node.func.attr, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_the_code_calls_slack():  # the scan below would pass vacuously if it found nothing
    assert {"chat_postMessage", "views_publish", "users_list"} <= set(web_api_methods_called())


def test_every_web_api_method_called_is_covered_by_a_manifest_scope():
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    for method, where in web_api_methods_called().items():
        assert method in METHOD_SCOPES, f"{where} calls {method}: add it to METHOD_SCOPES with the scope it needs"
        needed = METHOD_SCOPES[method]
        assert needed is None or needed in scopes, f"{where} calls {method}, which needs {needed}: add it to manifest.yml"


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
