"""The baseline for bench/ack_latency.py: a bare Bolt app on ladderbot's own server stack.

``python -m bench._bare_app --host 127.0.0.1 --port N --workers W`` builds
``slack_bolt.App(client=WebClient(token, base_url=SLACK_API_URL), signing_secret)``
whose ``/ladder`` command handler only does ``ack("ok")``, wraps it with ladderbot's
``make_wsgi`` and serves it with ladderbot's ``serve_http`` (gunicorn gthread, same
threads/timeouts), so the only difference from ``ladderbot serve --http`` is the app.
Environment: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL, LOG_LEVEL.
"""

from __future__ import annotations

import argparse
import os

from slack_bolt import App
from slack_sdk import WebClient

from bot.logs import configure_logging
from bot.slack.http import make_wsgi, serve_http


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    args = parser.parse_args()

    token = os.environ["SLACK_BOT_TOKEN"]
    secret = os.environ["SLACK_SIGNING_SECRET"]
    configure_logging([token, secret])  # same log set-up (and level) as ladderbot
    app = App(client=WebClient(token=token, base_url=os.environ["SLACK_API_URL"]), signing_secret=secret)

    @app.command("/ladder")
    def ladder(ack) -> None:
        ack("ok")

    application = make_wsgi(app, lambda: {"ok": True, "bare": True}, signing_secret=secret, max_body_bytes=1_048_576)
    serve_http(
        application,
        host=args.host,
        port=args.port,
        workers=args.workers,
        request_timeout=10,
        after_fork=lambda: None,
        before_exit=lambda seconds: None,
    )


if __name__ == "__main__":
    main()
