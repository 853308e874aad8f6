"""Tests for the fake Slack server, driven through slack_sdk's real WebClient.

If these pass, the rest of the suite can trust that what FakeSlack records
and answers is what slack_sdk actually sends and expects.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.webhook import WebhookClient

from tests.fakes.fake_slack import Call, FakeSlack, readable_text

TOKEN = "xoxb-test"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake
        assert fake.errors == [], "the fake itself raised while answering"


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    # No retry handlers: each test decides whether retries are part of the story.
    return WebClient(base_url=slack.api_url, token=TOKEN, retry_handlers=[])


RICH_BLOCKS = [
    {"type": "header", "text": {"type": "plain_text", "text": "Your ladder"}},
    {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "*Level 3* engineer"},
        "fields": [{"type": "mrkdwn", "text": "Scope: team"}, {"type": "plain_text", "text": "Impact: high"}],
        "accessory": {"type": "button", "text": {"type": "plain_text", "text": "Details"}, "value": "secret-v"},
    },
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "updated today"}]},
    {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Next level"}}]},
    {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "text", "text": "Hello "},
                    {"type": "text", "text": "world", "style": {"bold": True}},
                    {"type": "user", "user_id": "U123"},
                ],
            },
            {
                "type": "rich_text_list",
                "style": "bullet",
                "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "first item"}]}],
            },
        ],
    },
]


# --------------------------------------------------------------------------
# Recording and readable text
# --------------------------------------------------------------------------


def test_post_message_is_recorded_with_readable_text_from_blocks(slack: FakeSlack, client: WebClient) -> None:
    response = client.chat_postMessage(
        channel="C1",
        text="fallback",
        blocks=RICH_BLOCKS,
        metadata={"event_type": "e", "event_payload": {"text": "HIDDEN"}},
    )

    (call,) = slack.calls("chat.postMessage")
    assert call.token == TOKEN
    assert call.status == 200 and not call.failed
    assert call.args["blocks"] == RICH_BLOCKS  # slack_sdk sends JSON: blocks arrive as objects
    text = readable_text(call)
    for expected in (
        "fallback", "Your ladder", "*Level 3* engineer", "Scope: team", "Impact: high", "Details",
        "updated today", "Next level", "Hello world<@U123>", "first item",
    ):  # fmt: skip
        assert expected in text
    assert "secret-v" not in text  # button values are not shown to people
    assert "HIDDEN" not in text  # metadata is not shown either
    assert slack.texts("chat.postMessage") == [text]
    ts = response["ts"]
    assert response["channel"] == "C1" and response["message"]["ts"] == ts and response["message"]["user"] == "U0BOT"


def test_json_string_form_fields_are_decoded(slack: FakeSlack, client: WebClient) -> None:
    # Callers that use params= (form body) send blocks as a JSON string.
    client.api_call("chat.postMessage", params={"channel": "C1", "blocks": '[{"type": "section", '
                    '"text": {"type": "mrkdwn", "text": "from a form"}}]'})  # fmt: skip

    (call,) = slack.calls("chat.postMessage")
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert call.args["blocks"][0]["text"]["text"] == "from a form"
    assert call.text == "from a form"


def test_view_text_is_readable(slack: FakeSlack, client: WebClient) -> None:
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Log progress"},
        "submit": {"type": "plain_text", "text": "Save"},
        "private_metadata": "hidden",
        "blocks": [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "What did you do?"},
                "element": {"type": "plain_text_input", "action_id": "a"},
            }
        ],
    }
    response = client.views_open(trigger_id="t1", view=view)

    assert response["view"]["id"].startswith("V") and response["view"]["title"] == view["title"]
    text = slack.texts("views.open")[0]
    assert text.splitlines() == ["Log progress", "Save", "What did you do?"]


# --------------------------------------------------------------------------
# Stateful answers
# --------------------------------------------------------------------------


def test_history_returns_posted_messages_newest_first_with_metadata(slack: FakeSlack, client: WebClient) -> None:
    metadata = {"event_type": "ladder_nudge", "event_payload": {"level": 3}}
    first = client.chat_postMessage(channel="C1", text="one", metadata=metadata)["ts"]
    second = client.chat_postMessage(channel="C1", text="two")["ts"]
    client.chat_postMessage(channel="C2", text="elsewhere")
    assert first < second

    history = client.conversations_history(channel="C1", include_all_metadata=True)
    assert [m["text"] for m in history["messages"]] == ["two", "one"]
    assert history["messages"][1]["metadata"] == metadata

    # Without the flag Slack leaves metadata out; so does the fake.
    plain = client.conversations_history(channel="C1")
    assert "metadata" not in plain["messages"][1]

    newer = client.conversations_history(channel="C1", oldest=first)
    assert [m["text"] for m in newer["messages"]] == ["two"]
    limited = client.conversations_history(channel="C1", limit=1)
    assert [m["text"] for m in limited["messages"]] == ["two"] and limited["has_more"]


def test_threads_updates_and_deletes(slack: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C1", text="parent")["ts"]
    client.chat_postMessage(channel="C1", text="reply", thread_ts=parent)

    replies = client.conversations_replies(channel="C1", ts=parent)
    assert [m["text"] for m in replies["messages"]] == ["parent", "reply"]
    assert [m["text"] for m in client.conversations_history(channel="C1")["messages"]] == ["parent"]

    updated = client.chat_update(channel="C1", ts=parent, text="edited")
    assert updated["text"] == "edited" and updated["ts"] == parent
    client.chat_delete(channel="C1", ts=parent)
    assert [m["text"] for m in slack.messages("C1")] == ["reply"]
    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel="C1", ts=parent, text="again")
    assert err.value.response["error"] == "message_not_found"


def test_dm_ephemeral_and_auth_test(client: WebClient) -> None:
    assert client.conversations_open(users="U123")["channel"]["id"] == "DU123"
    assert client.chat_postEphemeral(channel="C1", user="U123", text="psst")["message_ts"]
    auth = client.auth_test()
    assert (auth["team_id"], auth["user_id"], auth["bot_id"]) == ("T0TEST", "U0BOT", "B0BOT")
    assert auth["is_enterprise_install"] is False


def test_users_info_default_configured_deleted_and_removed(slack: FakeSlack, client: WebClient) -> None:
    user = client.users_info(user="U123")["user"]
    assert (user["id"], user["deleted"], user["tz"]) == ("U123", False, "Europe/London")
    assert user["tz_offset"] in (0, 3600) and user["tz_label"]

    slack.set_user("U123", tz="Asia/Tokyo")
    user = client.users_info(user="U123")["user"]
    assert (user["tz"], user["tz_offset"]) == ("Asia/Tokyo", 9 * 3600)

    slack.set_user("U123", deleted=True)
    assert client.users_info(user="U123")["user"]["deleted"] is True

    slack.remove_user("U123")
    with pytest.raises(SlackApiError) as err:
        client.users_info(user="U123")
    assert err.value.response["error"] == "user_not_found"


# --------------------------------------------------------------------------
# Fault injection
# --------------------------------------------------------------------------


def test_fail_next_429_retry_after_is_honoured_by_slack_sdk(slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    # Record the handler's sleep instead of sleeping: proves it read Retry-After, costs no time.
    slept: list[float] = []
    monkeypatch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=slept.append))
    client = WebClient(
        base_url=slack.api_url, token=TOKEN, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)]
    )
    slack.fail_next("chat.postMessage", status=429, retry_after=7)

    response = client.chat_postMessage(channel="C1", text="hi")

    assert response["ok"]
    first, second = slack.calls("chat.postMessage")
    assert (first.status, first.failed, second.status, second.failed) == (429, True, 200, False)
    assert len(slack.accepted("chat.postMessage")) == 1
    assert len(slept) == 1 and 7 <= slept[0] < 8  # Retry-After seconds plus slack_sdk's jitter


def test_fail_next_500_raises_and_is_recorded(slack: FakeSlack, client: WebClient) -> None:
    slack.fail_next("chat.postMessage", status=500)

    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="hi")
    assert err.value.response.status_code == 500
    assert client.chat_postMessage(channel="C1", text="hi again")["ok"]  # only the next call fails
    assert [c.status for c in slack.calls("chat.postMessage")] == [500, 200]


def test_fail_next_with_slack_error_fails_times_calls(slack: FakeSlack, client: WebClient) -> None:
    slack.fail_next("users.info", error="account_inactive", times=2)

    for _ in range(2):
        with pytest.raises(SlackApiError) as err:
            client.users_info(user="U1")
        assert err.value.response.status_code == 200
        assert err.value.response["error"] == "account_inactive"
    assert client.users_info(user="U1")["ok"]
    assert [c.failed for c in slack.calls("users.info")] == [True, True, False]


def test_rate_limit_answers_429_beyond_the_limit(slack: FakeSlack, client: WebClient) -> None:
    slack.rate_limit("chat.postMessage", per_second=3)
    outcomes: list[int] = []
    retry_after: list[str] = []
    for i in range(5):
        try:
            client.chat_postMessage(channel="C1", text=f"m{i}")
            outcomes.append(200)
        except SlackApiError as e:
            outcomes.append(e.response.status_code)
            retry_after.append(e.response.headers["Retry-After"])

    assert outcomes == [200, 200, 200, 429, 429]
    assert retry_after == ["1", "1"]
    assert [c.args["text"] for c in slack.accepted("chat.postMessage")] == ["m0", "m1", "m2"]
    assert len(slack.calls("chat.postMessage")) == 5


def test_hang_next_makes_client_time_out(slack: FakeSlack) -> None:
    client = WebClient(base_url=slack.api_url, token=TOKEN, timeout=0.2, retry_handlers=[])  # type: ignore[arg-type]
    slack.hang_next("auth.test", 2.0)

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        client.auth_test()
    assert time.monotonic() - started < 1.5
    assert len(slack.calls("auth.test")) == 1
    assert client.auth_test()["ok"]  # the hang was for one call only


def test_reset_next_resets_connection_and_sdk_retry_recovers(slack: FakeSlack, client: WebClient) -> None:
    slack.reset_next("auth.test")
    with pytest.raises(ConnectionResetError):
        client.auth_test()
    assert slack.calls("auth.test")[0].status == 0

    retrying = WebClient(
        base_url=slack.api_url,
        token=TOKEN,
        retry_handlers=[ConnectionErrorRetryHandler(interval_calculator=FixedValueRetryIntervalCalculator(0.0))],
    )
    slack.reset_next("auth.test")
    assert retrying.auth_test()["ok"]
    assert [c.failed for c in slack.calls("auth.test")] == [True, True, False]


# --------------------------------------------------------------------------
# response_url and file uploads
# --------------------------------------------------------------------------


def test_response_url_post_is_recorded(slack: FakeSlack) -> None:
    url = slack.new_response_url()
    assert url.startswith(slack.base_url + "/response/")

    response = WebhookClient(url).send(text="Done!", blocks=[{"type": "section", "text": {"type": "mrkdwn",
                                       "text": "Saved *3* items"}}], response_type="ephemeral")  # fmt: skip

    assert response.status_code == 200
    (call,) = slack.calls("response_url")
    assert call.args["response_type"] == "ephemeral"
    assert call.text == "Done!\nSaved *3* items"
    assert WebhookClient(slack.base_url + "/response/999").send(text="x").status_code == 404


def test_files_upload_v2_flow(slack: FakeSlack, client: WebClient) -> None:
    response = client.files_upload_v2(channel="D1", filename="journal.md", content="# hi", initial_comment="Here")

    assert response["file"]["title"] == "journal.md"
    assert slack.uploaded_files() == [("journal.md", b"# hi")]
    assert [c.method for c in slack.calls()] == [
        "files.getUploadURLExternal",
        "file_upload",
        "files.completeUploadExternal",
    ]
    complete = slack.calls("files.completeUploadExternal")[0]
    assert complete.args["channel_id"] == "D1" and complete.args["initial_comment"] == "Here"
    assert complete.args["files"] == [{"id": response["file"]["id"], "title": "journal.md"}]


# --------------------------------------------------------------------------
# Waiting, errors, auth
# --------------------------------------------------------------------------


def test_wait_for_sees_calls_from_other_threads(slack: FakeSlack, client: WebClient) -> None:
    timer = threading.Timer(0.05, lambda: client.chat_postMessage(channel="C1", text="later"))
    timer.start()
    calls = slack.wait_for("chat.postMessage", timeout=2.0)
    timer.join()
    assert [c.args["text"] for c in calls] == ["later"]


def test_wait_for_times_out_listing_what_was_received(slack: FakeSlack, client: WebClient) -> None:
    client.users_info(user="U1")
    client.chat_postMessage(channel="C1", text="something else")

    started = time.monotonic()
    with pytest.raises(AssertionError) as err:
        slack.wait_for("views.publish", timeout=0.2)
    assert time.monotonic() - started < 1.0
    message = str(err.value)
    assert "views.publish" in message and "got 0" in message
    assert "users.info" in message and "something else" in message


def test_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.api_call("ladder.teleport")
    assert err.value.response["error"] == "unknown_method"


def test_missing_and_invalid_tokens(slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as err:
        WebClient(base_url=slack.api_url, retry_handlers=[]).auth_test()
    assert err.value.response["error"] == "not_authed"

    with pytest.raises(SlackApiError) as err:
        WebClient(base_url=slack.api_url, token="xoxp-user", retry_handlers=[]).auth_test()
    assert err.value.response["error"] == "invalid_auth"

    slack.set_valid_tokens({"xoxb-only-this"})
    with pytest.raises(SlackApiError) as err:
        WebClient(base_url=slack.api_url, token=TOKEN, retry_handlers=[]).auth_test()
    assert err.value.response["error"] == "invalid_auth"
    assert WebClient(base_url=slack.api_url, token="xoxb-only-this").auth_test()["ok"]


def test_custom_method_handler(slack: FakeSlack, client: WebClient) -> None:
    slack.on("reactions.add", lambda args: {"added": args["name"]})
    assert client.reactions_add(channel="C1", timestamp="1.0", name="tada")["added"] == "tada"


def test_readable_text_accepts_plain_mappings() -> None:
    message = {"text": "hi", "attachments": [{"pretext": "pre", "fields": [{"title": "T", "value": "V"}]}]}
    assert readable_text(message) == "hi\npre\nT\nV"
    assert readable_text(Call("m", {}, {}, None, 0.0)) == ""


def test_handles_a_burst_of_concurrent_requests(slack: FakeSlack) -> None:
    """Bench-style load: hundreds of requests from many threads, none lost, ts unique."""
    clients = [WebClient(base_url=slack.api_url, token=TOKEN, retry_handlers=[]) for _ in range(8)]
    n = 400

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda i: clients[i % 8].chat_postMessage(channel="C1", text=str(i)), range(n)))
    elapsed = time.monotonic() - started

    assert len({r["ts"] for r in results}) == n
    assert len(slack.calls("chat.postMessage")) == n
    assert elapsed < 4.0, f"{n} requests took {elapsed:.2f}s"
