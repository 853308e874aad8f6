"""HTTP mode: Bolt's WSGI adapter behind gunicorn, with a health check beside it."""

from __future__ import annotations

import json
from collections.abc import Callable

from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

SLACK_PATH = "/slack/events"


def make_wsgi(bolt_app: App, health: Callable[[], dict]) -> Callable:
    """All Slack requests on POST /slack/events; GET /healthz says whether we are ready."""
    slack = SlackRequestHandler(bolt_app, path=SLACK_PATH)

    def application(environ: dict, start_response: Callable):
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            body = json.dumps(health()).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return slack(environ, start_response)

    return application


class GunicornServer(BaseApplication):
    """gunicorn run from Python, so `ladderbot serve --http` is one process tree."""

    def __init__(self, application: Callable, options: dict) -> None:
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Callable:
        return self.application


def serve_http(application: Callable, *, host: str, port: int, workers: int, after_fork: Callable[[], None]) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",  # threads: Bolt does its slow work after the ack, in-process
        "threads": 8,
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "post_fork": lambda server, worker: after_fork(),
    }
    GunicornServer(application, options).run()
