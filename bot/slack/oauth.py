"""Multi-workspace mode: Bolt's OAuth flow, with slack-sdk's SQLAlchemy installation and
state stores on our database (README "Installing in many workspaces").

GET /slack/install is Bolt's "Add to Slack" page; it sets a cookie holding a state that the
state store issued (single use, ten minutes). GET /slack/oauth_redirect checks the state
against that cookie and the store, exchanges the code (oauth.v2.access on SLACK_API_URL,
through the app's client), saves the installation, and lands on our "what next" page.
Requests are then authorised per workspace from the installation store, which also
refreshes rotating tokens before they expire.
"""

from __future__ import annotations

import html
import logging

from slack_bolt import BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings

from bot.slack.deps import Deps
from bot.slackkit.client import make_client

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# The bot scopes of manifest.yml (tests/test_contracts.py keeps the two equal).
SCOPES = (
    "app_mentions:read",
    "chat:write",
    "channels:history",
    "groups:history",
    "mpim:history",
    "commands",
    "im:history",
    "im:read",
    "im:write",
    "users:read",
    "files:write",
)


def settings_for(deps: Deps) -> OAuthSettings:
    settings = deps.settings
    logger = logging.getLogger("bot.slack.bolt.oauth")
    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(SCOPES),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=deps.store.slack_installation_store(settings.slack_client_id or ""),
        state_store=deps.store.slack_state_store(),
        callback_options=CallbackOptions(success=_installed(deps), failure=_not_installed),
        logger=logger,
    )
    # Bolt's authorize, as OAuthSettings builds it, but refreshing rotating tokens through
    # SLACK_API_URL: OAuthSettings gives it a default client, which always calls slack.com.
    oauth.authorize = InstallationStoreAuthorize(
        logger=logger,
        client_id=oauth.client_id,
        client_secret=oauth.client_secret,
        token_rotation_expiration_minutes=oauth.token_rotation_expiration_minutes,
        installation_store=oauth.installation_store,
        bot_only=oauth.installation_store_bot_only,
        user_token_resolution=oauth.user_token_resolution,
        client=make_client(settings),
    )
    return oauth


def _installed(deps: Deps):
    def success(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        workspace = installation.team_id or installation.enterprise_id or ""
        if deps.store.workspace_returned(workspace):
            log.info("installed again in %s within the grace period: its data is kept", workspace)
        log.info(
            "installed in %s (enterprise %s, org-wide: %s)",
            installation.team_id,
            installation.enterprise_id,
            installation.is_enterprise_install,
        )
        name = installation.team_name or installation.enterprise_name or "your workspace"
        return _page(
            200,
            "ladderbot is installed",
            f"""
<p>ladderbot is now in <strong>{html.escape(name)}</strong>.</p>
<p>What next, in Slack:</p>
<ul>
<li>type <code>/ladder help</code> in any channel to see what it answers;</li>
<li>open ladderbot's <em>Home</em> tab to pick your target level and get a monthly growth prompt;</li>
<li>ask in a DM, e.g. <em>what separates L2 from L3?</em></li>
</ul>
<p>You can close this page.</p>""",
        )

    return success


def _not_installed(args: FailureArgs) -> BoltResponse:
    log.warning("an installation was refused: %s", args.reason)
    status = args.suggested_status_code or 400
    return _page(
        status,
        "ladderbot was not installed",
        f"""
<p>The installation did not complete ({html.escape(args.reason)}).</p>
<p>Links to install are good for ten minutes and only once:
<a href="{INSTALL_PATH}">start again</a>.</p>""",
    )


def _page(status: int, title: str, body: str) -> BoltResponse:
    page = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1>{body}</body></html>"
    )
    return BoltResponse(status=status, body=page, headers={"Content-Type": "text/html; charset=utf-8"})
