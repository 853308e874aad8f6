"""Send requests to a running ladderbot exactly as Slack does: signed with v0 HMAC-SHA256."""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"
TEAM = "T0TEST"
_ids = itertools.count(1)


@dataclass
class HttpResult:
    status: int
    body: str


class SlackRequests:
    def __init__(self, base_url: str, secret: str = SIGNING_SECRET, team: str = TEAM, org: str | None = None) -> None:
        self.url = base_url.rstrip("/") + "/slack/events"
        self.team = team  # the workspace the requests come from
        self.org = org  # its Enterprise Grid org, which installed the app org-wide
        self.verifier = SignatureVerifier(secret)

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict | None = None,
    ) -> HttpResult:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        sig = signature if signature is not None else self.verifier.generate_signature(timestamp=ts, body=body)
        return self.send(
            body,
            {
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": sig,
                **(headers or {}),
            },
        )

    def send(self, body: str, headers: dict[str, str]) -> HttpResult:
        """POST the signed request to the running bot (tests.fakes.in_process overrides this)."""
        request = urllib.request.Request(self.url, data=body.encode(), method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return HttpResult(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return HttpResult(error.code, error.read().decode())

    def command(
        self, text: str, *, response_url: str, user: str = "U1", channel: str = "C1", command: str = "/ladder", **kwargs
    ) -> HttpResult:
        form = {
            "token": "legacy",
            "team_id": self.team,
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0TEST",
            "response_url": response_url,
            "trigger_id": f"trigger-{next(_ids)}",
        }
        if self.org:
            form.update(enterprise_id=self.org, is_enterprise_install="true")
        return self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded", **kwargs)

    def event(self, event: dict, *, event_id: str | None = None, headers: dict | None = None, **kwargs) -> HttpResult:
        body = {
            "token": "legacy",
            "team_id": self.team,
            "api_app_id": "A0TEST",
            "type": "event_callback",
            "event": {"event_ts": event.get("ts", ""), **event},
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team, "user_id": "U0BOT", "is_bot": True}],
        }
        if self.org:
            body.update(enterprise_id=self.org, is_enterprise_install=True)
            body["authorizations"][0].update(enterprise_id=self.org, is_enterprise_install=True)
        return self.post(json.dumps(body), "application/json", headers=headers, **kwargs)

    def mention(
        self, text: str, *, user: str = "U1", channel: str = "C1", ts: str | None = None, **kwargs
    ) -> HttpResult:
        ts = ts or f"{time.time():.6f}"
        return self.event(
            {"type": "app_mention", "user": user, "text": f"<@U0BOT> {text}", "channel": channel, "ts": ts}, **kwargs
        )

    def direct_message(self, text: str, *, user: str = "U1", thread_ts: str | None = None, **kwargs) -> HttpResult:
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": f"D{user}",
            "user": user,
            "text": text,
            "ts": f"{time.time():.6f}",
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event, **kwargs)

    def interaction(self, payload: dict) -> HttpResult:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded")

    def click(
        self,
        action: dict,
        *,
        user: str = "U1",
        channel: str = "C1",
        response_url: str = "",
        ephemeral: bool = True,
        message: dict | None = None,
    ) -> HttpResult:
        """Click a button taken from a message the bot sent."""
        return self.interaction(
            {
                "type": "block_actions",
                "team": {"id": self.team, "domain": "test"},
                "user": {"id": user, "team_id": self.team},
                "api_app_id": "A0TEST",
                "trigger_id": f"trigger-{next(_ids)}",
                "response_url": response_url,
                "container": {"type": "message", "is_ephemeral": ephemeral, "channel_id": channel},
                "channel": {"id": channel},
                "message": message or {"ts": "1.000", "type": "message"},
                "actions": [{**action, "block_id": "b", "action_ts": f"{time.time():.6f}"}],
            }
        )

    def submit_view(self, view: dict, values: dict, *, user: str = "U1") -> HttpResult:
        return self.interaction(
            {
                "type": "view_submission",
                "team": {"id": self.team, "domain": "test"},
                "user": {"id": user, "team_id": self.team},
                "api_app_id": "A0TEST",
                "trigger_id": f"trigger-{next(_ids)}",
                "view": {**view, "id": "V1", "state": {"values": values}},
            }
        )


def buttons(blocks: list[dict]) -> dict[str, dict]:
    """Buttons of a message by their text, to click them as a person would."""
    found = {}
    for block in blocks:
        for element in block.get("elements", []) + ([block["accessory"]] if "accessory" in block else []):
            if element.get("type") == "button":
                found[element["text"]["text"]] = element
    return found
