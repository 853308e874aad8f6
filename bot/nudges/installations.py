"""Multi-workspace mode: the due prompts of every installation, each sent with that
installation's own bot token (refreshed first when Slack rotates it). A workspace whose
token Slack refuses is logged and skipped; the others go on."""

from __future__ import annotations

import logging
from dataclasses import fields
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackTokenRotationError
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.config import Settings
from bot.content import Content, Contents
from bot.nudges.change_notes import send_change_notes
from bot.nudges.runner import NudgeRunner, RunSummary
from bot.slackkit.client import make_client
from storage import Installed, Store

log = logging.getLogger(__name__)

REFRESH_MINUTES_BEFORE_EXPIRY = 120  # as Bolt does for requests; a run never starts with a dying token


class EveryInstallation:
    """Runs like a NudgeRunner (run_due, store), once per installation."""

    def __init__(self, store: Store, content: Content, settings: Settings, **options) -> None:
        self.store = store
        self.content = content
        self.contents = Contents(content)
        self.settings = settings
        self.options = options
        client_id, secret = settings.slack_client_id or "", settings.slack_client_secret or ""
        self.installations = store.slack_installation_store(client_id)
        self.rotator = TokenRotator(
            client_id=client_id, client_secret=secret, client=WebClient(base_url=settings.slack_api_url, timeout=10)
        )

    def installed_teams(self) -> set[str]:
        return {i.team_id or i.enterprise_id or "" for i in self.store.installed(self.settings.slack_client_id or "")}

    def send_change_notes(self, now: datetime) -> int:
        """Ladder-change notes about the shared ladder, each with its workspace's token. A
        workspace with a ladder of its own is left out: the kept versions are of the shared one."""
        clients: dict[str, WebClient] = {}
        for installed in self.store.installed(self.settings.slack_client_id or ""):
            bot = self._usable_bot(installed)
            if bot is None:
                continue
            client = make_client(self.settings, token=bot.bot_token, resend_on_doubt=False)  # as the runner's
            for team_id in self._teams_of(installed):
                if self.contents.for_team(team_id) is self.content:
                    clients[team_id] = client
        return send_change_notes(self.store, self.content, clients.get, now)

    def _teams_of(self, installed: Installed) -> list[str]:
        # An org-wide install's token serves every workspace of the org that has used ladderbot.
        if installed.is_enterprise_install:
            return self.store.org_workspaces(installed.enterprise_id or "")
        return [installed.team_id or ""]

    def run_due(self, now: datetime) -> RunSummary:
        total = RunSummary()
        for installed in self.store.installed(self.settings.slack_client_id or ""):
            bot = self._usable_bot(installed)
            if bot is None:
                continue
            for team_id in self._teams_of(installed):
                content = self.contents.for_team(team_id)  # its own ladder, if it has one
                runner = NudgeRunner.from_settings(
                    self.store, content, self.settings, token=bot.bot_token, **self.options
                )
                summary = runner.run_due(now, team_ids=[team_id])
                _add(total, summary)
                if summary.stopped:
                    log.error(
                        "%s: Slack refused its token (%s); skipped, the other workspaces go on",
                        installed.name,
                        summary.stopped,
                    )
                    break
        return total

    def _usable_bot(self, installed: Installed) -> Bot | None:
        """The installation's bot with a fresh token, or None (logged) when Slack refuses it."""
        bot = self.installations.find_bot(
            enterprise_id=installed.enterprise_id,
            team_id=installed.team_id,
            is_enterprise_install=installed.is_enterprise_install,
        )
        if bot is None or not bot.bot_token:
            return None
        try:
            refreshed = self.rotator.perform_bot_token_rotation(
                bot=bot, minutes_before_expiration=REFRESH_MINUTES_BEFORE_EXPIRY
            )
            if refreshed is not None:
                self.installations.save_bot(refreshed)
                bot = refreshed
            WebClient(base_url=self.settings.slack_api_url, token=bot.bot_token, timeout=10).auth_test()
        except SlackTokenRotationError as error:
            log.error(
                "%s: its token could not be refreshed (%s); skipped, the other workspaces go on",
                installed.name,
                error.api_error.response.get("error"),
            )
            return None
        except SlackApiError as error:
            log.error(
                "%s: Slack refused its token (%s); skipped, the other workspaces go on",
                installed.name,
                error.response.get("error"),
            )
            return None
        except Exception as error:  # noqa: BLE001 - refresh failed or Slack unreachable: try again next tick
            log.error("%s: could not check its token (%s); skipped this run", installed.name, type(error).__name__)
            return None
        return bot


def _add(total: RunSummary, part: RunSummary) -> None:
    for field in fields(RunSummary):
        if field.name != "stopped":  # a refused token stops one workspace, logged above, not the run
            setattr(total, field.name, getattr(total, field.name) + getattr(part, field.name))
