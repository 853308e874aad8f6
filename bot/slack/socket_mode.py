"""Socket Mode: the app opens a WebSocket to Slack instead of receiving HTTP requests.

slack-sdk's built-in client (no extra dependency) is the one that notices a silently dead
connection by itself: it pings every `ping_interval` seconds and reconnects once more than
four intervals have passed since the last ping that got a pong. (slack-sdk runs the
websocket-client based one without a ping timeout, so a missing pong goes unnoticed; the
aiohttp and websockets ones need an asyncio app.) Bolt's default interval of 10 s makes that
about 50 s; ladderbot's default of 1.5 s about 9 s, at most 5 intervals plus the 3 s socket
read timeout the client waits out before it closes (bench/socket_reconnect.py measures it).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError

from bot.config import Settings, StartupError

log = logging.getLogger(__name__)


def socket_mode_handler(app: App, settings: Settings) -> SocketModeHandler:
    return SocketModeHandler(
        app,
        settings.slack_app_token,
        logger=_client_logger(),
        ping_interval=settings.socket_ping_interval,
    )


def _client_logger() -> logging.Logger:
    """The client logs every envelope in full at DEBUG, people's messages included:
    keep it at INFO or above whatever LOG_LEVEL says."""
    client_log = logging.getLogger("bot.slack.socket_mode.client")
    client_log.setLevel(max(logging.INFO, logging.getLogger().getEffectiveLevel()))
    return client_log


STOP_GRACE_S = 8.0  # answers already acked get this long to reach Slack once we are told to stop


def serve_socket_mode(app: App, settings: Settings, before_exit: Callable[[float], int]) -> None:
    """Connect, then serve until SIGTERM or SIGINT; the client reconnects on its own.
    On stopping, take no more envelopes, then give the answers already acked
    `before_exit(seconds)` to finish: an ack promised the person an answer."""
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    handler = socket_mode_handler(app, settings)
    try:
        handler.connect()  # apps.connections.open with the app token, then the WebSocket
    except (SlackApiError, OSError) as error:
        reason = error.response.get("error") if isinstance(error, SlackApiError) else str(error)
        raise StartupError(
            f"SLACK_APP_TOKEN could not open a Socket Mode connection through {settings.slack_api_url}: {reason}"
        ) from None
    log.info("Socket Mode: connected (ping every %ss)", settings.socket_ping_interval)
    stopping.wait()
    log.info("Socket Mode: stopping; finishing the answers already acked")
    handler.close()
    before_exit(STOP_GRACE_S)
