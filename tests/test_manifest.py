"""The manifest creates an app that can do everything the code asks Slack for."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_manifest_declares_what_the_bot_uses():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    features, settings = manifest["features"], manifest["settings"]
    assert features["app_home"]["home_tab_enabled"] and features["app_home"]["messages_tab_enabled"]
    # Which events and commands: derived from the listeners in tests/test_contracts.py.
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {
        "commands",
        "chat:write",
        "app_mentions:read",
        "im:history",
        "im:write",
        "users:read",
        "files:write",
    } <= scopes
    assert {
        "channels:history",
        "groups:history",
        "mpim:history",
    } <= scopes  # an answer's thread, checked before a resend
    urls = {
        features["slash_commands"][0]["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    }
    assert urls == {"https://YOUR-HOST/slack/events"}  # one endpoint for everything


def test_procfile_runs_release_web_and_clock():
    lines = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert lines == {"release": "ladderbot db upgrade", "web": "ladderbot serve --http", "clock": "ladderbot clock"}
