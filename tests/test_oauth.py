"""Multi-workspace mode end to end: installs through Bolt's real OAuth redirect flow (the
fake Slack plays oauth.v2.access), requests and growth prompts per workspace with that
workspace's token, uninstall, and the data deleted after the grace period, the clock
moved with --at rather than slept."""

from __future__ import annotations

import html
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

import storage
from tests.conftest import ROOT, RunningBot, bot_env, run_cli
from tests.fakes.fake_slack import FakeSlack
from tests.fakes.slack_requests import SlackRequests, buttons
from tests.test_slack_app import responses

pytestmark = pytest.mark.e2e

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d"
L3 = "cloud-engineering/l3-senior-software-engineer"
EVERY_DAY = {"local_time": "00:00", "weekdays": "mon,tue,wed,thu,fri,sat,sun"}  # due whenever the test runs


@dataclass
class Page:
    status: int
    text: str
    headers: dict[str, str]


def get(url: str, cookie: str = "") -> Page:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Page(response.status, response.read().decode(), {k.lower(): v for k, v in response.headers.items()})
    except urllib.error.HTTPError as error:
        return Page(error.code, error.read().decode(), {k.lower(): v for k, v in error.headers.items()})


@pytest.fixture(scope="module")
def oauth(tmp_path_factory):
    """ladderbot serve --http with SLACK_CLIENT_ID/SECRET and no SLACK_BOT_TOKEN, and its own fake Slack."""
    folder = tmp_path_factory.mktemp("oauth")
    with FakeSlack() as fake:
        fake.set_oauth_client(CLIENT_ID, CLIENT_SECRET)
        env = bot_env(
            fake,
            f"sqlite:///{folder / 'ladderbot.db'}",
            SLACK_CLIENT_ID=CLIENT_ID,
            SLACK_CLIENT_SECRET=CLIENT_SECRET,
            LADDERBOT_FORGET_WORKSPACE_AFTER_DAYS="30",
        )
        del env["SLACK_BOT_TOKEN"]
        bot = RunningBot(env, folder / "bot.log")
        try:
            bot.wait_ready()
            yield bot, fake
        finally:
            bot.stop()


def start_install(bot) -> tuple[str, str]:
    """GET /slack/install: the "Add to Slack" page. Returns (state, cookie) as a browser holds them."""
    page = get(bot.url + "/slack/install")
    assert page.status == 200 and "Add to Slack" in page.text
    link = html.unescape(re.search(r'href="(https://slack\.com/oauth/v2/authorize[^"]+)"', page.text).group(1))
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
    assert query["client_id"] == [CLIENT_ID] and "commands" in query["scope"][0]
    return query["state"][0], page.headers["set-cookie"].split(";")[0]


def finish_install(bot, code: str, state: str, cookie: str) -> Page:
    """Slack sends the browser back to GET /slack/oauth_redirect?code=...&state=..."""
    return get(f"{bot.url}/slack/oauth_redirect?" + urllib.parse.urlencode({"code": code, "state": state}), cookie)


def install(bot, fake, team: str, name: str, token: str, **options) -> Page:
    state, cookie = start_install(bot)
    fake.add_install(f"code-{team}", team, name, token=token, **options)
    return finish_install(bot, f"code-{team}", state, cookie)


def ask_in(bot, fake, team: str, text: str, user: str = "U1", org: str | None = None):
    slack = SlackRequests(bot.url, team=team, org=org)
    url = fake.new_response_url()
    result = slack.command(text, response_url=url, user=user)
    assert result.status == 200, bot.log()[-4000:]
    return responses(fake, url)[0]


def run(bot, *args: str) -> str:
    result = run_cli(bot.env, *args)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout + result.stderr


def prompt_tokens(fake, user: str) -> list[str | None]:
    return [c.token for c in fake.accepted("chat.postMessage") if c.args["channel"] == user]


def test_two_workspaces_install_ask_get_prompts_and_one_leaves(oauth):
    bot, fake = oauth
    first = install(bot, fake, "TONE", "Team <One>", token="xoxb-one-1")
    assert first.status == 200
    assert "ladderbot is installed" in first.text and "Team &lt;One&gt;" in first.text and "/ladder help" in first.text
    # The second rotates its tokens, and this one is about to expire: it is refreshed before use.
    assert install(bot, fake, "TTWO", "Team Two", token="xoxb-two-1", expires_in=60).status == 200

    # The same user id in both workspaces: two people, each with their own target.
    assert "Your target is now L3" in ask_in(bot, fake, "TONE", "target L3 cloud").text
    assert "Your target is now L2" in ask_in(bot, fake, "TTWO", "target L2 cloud").text
    store = storage.Store(bot.database_url)
    assert store.get_person("TONE", "U1").target_level_id == L3
    assert store.get_person("TTWO", "U1").target_level_id != L3
    for team in ("TONE", "TTWO"):
        store.update_person(team, "U1", **EVERY_DAY)

    assert run(bot, "nudges", "run-due").startswith("nudges: 2 sent")
    tokens = prompt_tokens(fake, "U1")
    assert "xoxb-one-1" in tokens
    assert any(t and t.startswith("xoxe.xoxb-") for t in tokens), tokens  # TTWO's refreshed token, not the expiring one
    assert "xoxb-two-1" not in tokens

    # TONE uninstalls: Slack revokes its token and says so.
    fake.revoke_token("xoxb-one-1")
    assert SlackRequests(bot.url, team="TONE").event({"type": "app_uninstalled"}).status == 200
    bot.wait_for_log("app_uninstalled in TONE: installation removed")
    fake.clear()
    store.update_person("TONE", "U1", **EVERY_DAY)  # (nothing due changes: a new period is what matters below)
    assert "0 failed" in run(bot, "nudges", "run-due", "--at", "2026-12-24T10:00:00+00:00")
    assert all(c.token != "xoxb-one-1" for c in fake.calls())  # the departed workspace is not even tried
    assert len(prompt_tokens(fake, "U1")) == 1  # TTWO's person got theirs

    # Within the grace period TONE's data is kept; after it, gone, and TTWO untouched.
    assert "forgot 0 departed workspaces" in run(bot, "db", "forget-departed", "--at", "2026-12-01T00:00:00+00:00")
    assert store.get_person("TONE", "U1") is not None
    out = run(bot, "db", "forget-departed", "--at", "2027-06-01T00:00:00+00:00")
    assert "forgot 1 departed workspaces: TONE" in out
    assert store.get_person("TONE", "U1") is None and store.recent_nudges("TONE", "U1") == []
    assert store.get_person("TTWO", "U1") is not None and len(store.recent_nudges("TTWO", "U1")) == 2
    assert "Your target is now L3" in ask_in(bot, fake, "TTWO", "target L3 cloud").text
    store.dispose()


# -- security


def test_a_forged_state_is_refused_and_no_code_is_exchanged(oauth):
    bot, fake = oauth
    fake.clear()
    fake.add_install("code-forged", "TFORGED", "Forged", token="xoxb-forged-1")
    _, cookie = start_install(bot)
    for state, with_cookie in (("made-up", ""), ("made-up", "slack-app-oauth-state=made-up"), ("made-up", cookie)):
        page = finish_install(bot, "code-forged", state, with_cookie)
        assert page.status in (400, 401) and "ladderbot was not installed" in page.text, page
    assert fake.calls("oauth.v2.access") == []
    assert "TFORGED" not in {i.team_id for i in storage.Store(bot.database_url).installed(CLIENT_ID)}


def test_a_replayed_state_is_refused(oauth):
    bot, fake = oauth
    state, cookie = start_install(bot)
    fake.add_install("code-replay-1", "TREPLAY", "Replay", token="xoxb-replay-1")
    assert finish_install(bot, "code-replay-1", state, cookie).status == 200
    fake.clear()
    fake.add_install("code-replay-2", "TEVIL", "Evil", token="xoxb-evil-1")
    page = finish_install(bot, "code-replay-2", state, cookie)  # the same state and cookie, a second time
    assert page.status in (400, 401) and "ladderbot was not installed" in page.text
    assert fake.calls("oauth.v2.access") == []
    assert "TEVIL" not in {i.team_id for i in storage.Store(bot.database_url).installed(CLIENT_ID)}


def test_one_workspaces_ids_in_anothers_request_are_refused(oauth):
    bot, fake = oauth
    assert install(bot, fake, "TSECA", "A", token="xoxb-seca-1").status == 200
    assert install(bot, fake, "TSECB", "B", token="xoxb-secb-1").status == 200
    store = storage.Store(bot.database_url)
    store.update_person("TSECA", "U7", target_level_id=L3, **EVERY_DAY)
    store.update_person("TSECB", "U7", target_level_id=L3, cadence="off")  # same user id, other workspace
    fake.clear()
    run(bot, "nudges", "run-due")
    prompt = next(c for c in fake.accepted("chat.postMessage") if c.args["channel"] == "U7")
    assert prompt.token == "xoxb-seca-1"
    skip = next(b for b in buttons(prompt.args["blocks"]).values() if b["action_id"] == "me_skip")

    url = fake.new_response_url()
    assert SlackRequests(bot.url, team="TSECB").click(skip, user="U7", response_url=url).status == 200
    assert "isn't yours" in responses(fake, url)[0].text
    assert store.recent_nudges("TSECA", "U7")[0].status == "sent"  # untouched by the other workspace's click

    url = fake.new_response_url()  # a workspace that never installed ladderbot gets nothing of anyone's
    SlackRequests(bot.url, team="TNEVER").click(skip, user="U7", response_url=url)
    refusal = responses(fake, url)[0].text
    assert "installation with this app is no longer available" in refusal  # Bolt's authorize: no installation
    assert "isn't yours" not in refusal  # never reached ladderbot's code
    assert store.recent_nudges("TSECA", "U7")[0].status == "sent"
    store.dispose()


def test_no_token_or_client_secret_in_the_logs(oauth):
    bot, fake = oauth
    assert install(bot, fake, "TLOGS", "Logs", token="xoxb-logs-secret-1", expires_in=60).status == 200
    ask_in(bot, fake, "TLOGS", "help")  # authorises with a refresh: the new token passes through the log
    cli = run(bot, "nudges", "run-due")
    refreshed = {c.response.get("access_token") for c in fake.calls("oauth.v2.access") if c.response}
    refresh_tokens = {c.response.get("refresh_token") for c in fake.calls("oauth.v2.access") if c.response}
    for text in (bot.log(), cli):
        assert CLIENT_SECRET not in text
        for token in {"xoxb-logs-secret-1"} | refreshed | refresh_tokens - {None}:
            assert token not in text


def test_an_org_wide_install_serves_each_workspace_of_the_org_and_leaves_with_all_of_them(oauth):
    bot, fake = oauth
    page = install(bot, fake, "EORG1", "Org", token="xoxb-org-1", enterprise_id="EORG1", is_enterprise_install=True)
    assert page.status == 200 and "ladderbot is now in <strong>Org</strong>" in page.text
    store = storage.Store(bot.database_url)
    for team in ("TORGA1", "TORGB1"):  # two workspaces of the org; data stays per workspace
        assert "Your target is now L3" in ask_in(bot, fake, team, "target L3 cloud", user="U12", org="EORG1").text
        store.update_person(team, "U12", **EVERY_DAY)
    assert store.org_workspaces("EORG1") == ["TORGA1", "TORGB1"]
    fake.clear()
    run(bot, "nudges", "run-due")
    assert [c.token for c in fake.accepted("chat.postMessage") if c.args["channel"] == "U12"] == ["xoxb-org-1"] * 2

    slack = SlackRequests(bot.url, team="TORGA1", org="EORG1")
    assert slack.event({"type": "app_uninstalled"}).status == 200
    bot.wait_for_log("app_uninstalled in EORG1: installation removed")
    assert "EORG1" not in {i.enterprise_id for i in store.installed(CLIENT_ID)}
    assert "forgot 1 departed workspaces: EORG1" in run(
        bot, "db", "forget-departed", "--at", "2031-01-01T00:00:00+00:00"
    )
    assert store.get_person("TORGA1", "U12") is None and store.get_person("TORGB1", "U12") is None
    store.dispose()


# -- token lifecycle


def test_a_revoked_token_skips_its_workspace_and_the_others_go_on(oauth):
    bot, fake = oauth
    assert install(bot, fake, "TREVA", "A", token="xoxb-reva-1").status == 200
    assert install(bot, fake, "TREVB", "B", token="xoxb-revb-1").status == 200
    store = storage.Store(bot.database_url)
    for team in ("TREVA", "TREVB"):
        store.update_person(team, "U8", target_level_id=L3, **EVERY_DAY)
    fake.revoke_token("xoxb-reva-1")  # revoked, and no event about it (yet)
    fake.clear()
    out = run(bot, "nudges", "run-due")
    assert "TREVA: Slack refused its token (token_revoked); skipped, the other workspaces go on" in out
    assert [c.token for c in fake.accepted("chat.postMessage") if c.args["channel"] == "U8"] == ["xoxb-revb-1"]
    assert store.recent_nudges("TREVA", "U8") == []  # nothing claimed: its prompt goes out once it is back
    store.dispose()


def test_tokens_revoked_for_the_bot_removes_the_install_and_a_reinstall_keeps_the_data(oauth):
    bot, fake = oauth
    assert install(bot, fake, "TBACK", "Back", token="xoxb-back-1").status == 200
    store = storage.Store(bot.database_url)
    store.update_person("TBACK", "U9", target_level_id=L3)
    slack = SlackRequests(bot.url, team="TBACK")

    # Only a user token revoked: ladderbot holds none, so nothing changes.
    assert slack.event({"type": "tokens_revoked", "tokens": {"oauth": ["U9"]}}).status == 200
    assert "TBACK" in {i.team_id for i in store.installed(CLIENT_ID)}

    assert slack.event({"type": "tokens_revoked", "tokens": {"bot": ["U0BOT"]}}).status == 200
    bot.wait_for_log("tokens_revoked in TBACK: installation removed")
    assert "TBACK" not in {i.team_id for i in store.installed(CLIENT_ID)}

    assert install(bot, fake, "TBACK", "Back", token="xoxb-back-2").status == 200  # within the grace period
    bot.wait_for_log("installed again in TBACK within the grace period")
    assert "forgot 0 departed" in run(bot, "db", "forget-departed", "--at", "2030-01-01T00:00:00+00:00")
    assert store.get_person("TBACK", "U9").target_level_id == L3
    store.dispose()


def test_forget_workspace_deletes_one_workspace_at_once(oauth):
    bot, fake = oauth
    assert install(bot, fake, "TGONE", "Gone", token="xoxb-gone-1").status == 200
    store = storage.Store(bot.database_url)
    store.update_person("TGONE", "U10", target_level_id=L3)
    store.add_reflection(team_id="TGONE", user_id="U10", text="private words", source="command")
    store.update_person("TSTAY", "U10", target_level_id=L3)
    out = run(bot, "db", "forget-workspace", "TGONE")
    assert "workspace TGONE: deleted" in out and "1 people" in out and "1 reflections" in out and "slack_bots" in out
    assert store.get_person("TGONE", "U10") is None and store.reflections_for("TGONE", "U10") == []
    assert "TGONE" not in {i.team_id for i in store.installed(CLIENT_ID)}
    assert store.get_person("TSTAY", "U10") is not None
    store.dispose()


# -- single-workspace mode


def test_single_workspace_uninstall_forgets_after_the_grace_unless_the_token_works_again(fake_slack, tmp_path):
    from tests.fakes.in_process import InProcessBot
    from tests.fakes.slack_requests import BOT_TOKEN, TEAM

    url = f"sqlite:///{tmp_path / 'single.db'}"
    bot = InProcessBot(fake_slack, url)
    try:
        bot.deps.store.update_person(TEAM, "U11", target_level_id=L3)
        assert bot.event({"type": "app_uninstalled"}).status == 200
        env = bot_env(fake_slack, url)
        later = ("db", "forget-departed", "--at", "2031-01-01T00:00:00+00:00")
        # Reinstalled: SLACK_BOT_TOKEN works for this workspace again, so its data stays, for good.
        assert "forgot 0 departed" in run_cli(env, *later).stdout
        assert bot.deps.store.departed_before(datetime(2031, 1, 1, tzinfo=timezone.utc)) == []

        assert bot.event({"type": "app_uninstalled"}).status == 200
        fake_slack.revoke_token(BOT_TOKEN)
        assert f"forgot 1 departed workspaces: {TEAM}" in run_cli(env, *later).stdout
        assert bot.deps.store.get_person(TEAM, "U11") is None
    finally:
        bot.close()


def test_the_clock_forgets_install_states_never_used(oauth):
    from bot.config import load_settings
    from bot.content import Content
    from bot.nudges.clock import tick
    from bot.nudges.installations import EveryInstallation
    from tests.fakes.in_process import CONTENT

    bot, fake = oauth
    state, cookie = start_install(bot)  # a visit to the install page that never came back
    store = storage.Store(bot.database_url)
    runner = EveryInstallation(store, Content(CONTENT), load_settings(bot.env))
    tick(runner, datetime.now(timezone.utc))
    fake.add_install("code-late", "TLATE", "Late", token="xoxb-late-1")
    assert finish_install(bot, "code-late", state, cookie).status == 200  # still good within its ten minutes
    state, cookie = start_install(bot)
    tick(runner, datetime.now(timezone.utc) + timedelta(minutes=11))
    fake.add_install("code-later", "TLATER", "Later", token="xoxb-later-1")
    page = finish_install(bot, "code-later", state, cookie)
    assert page.status in (400, 401) and "ladderbot was not installed" in page.text
    store.dispose()


def test_ladder_change_notes_go_to_each_workspace_with_its_own_token(oauth, tmp_path):
    import shutil

    from bot.config import load_settings
    from bot.content import Content
    from bot.nudges.clock import tick
    from bot.nudges.installations import EveryInstallation

    bot, fake = oauth
    assert install(bot, fake, "TNOTEA", "Notes A", token="xoxb-notes-a").status == 200
    assert install(bot, fake, "TNOTEB", "Notes B", token="xoxb-notes-b").status == 200
    content_dir = tmp_path / "content"
    shutil.copytree(ROOT / "ladder_content", content_dir)
    store = storage.Store(bot.database_url)
    store.update_person("TNOTEA", "UNA", target_level_id=L3, cadence="off")
    store.update_person("TNOTEB", "UNB", current_level_id=L3, cadence="off")
    store.update_person("TNOTEB", "UNC", target_level_id="support/l2-devops-support-engineer", cadence="off")
    settings = load_settings({**bot.env, "LADDER_CONTENT_DIR": str(content_dir)})
    content = Content(content_dir, check_every=0)
    every = EveryInstallation(store, content, settings)
    tick(every, datetime(2026, 12, 1, 3, tzinfo=timezone.utc))  # the first look at this ladder: nobody is told
    level = content_dir / "cloud-engineering" / "L3-senior-software-engineer.md"
    level.write_text(level.read_text() + "\n## Stewardship\n\n- I keep our runbooks current for the whole team.\n")
    content.reload()
    fake.clear()
    tick(every, datetime(2026, 12, 1, 3, 5, tzinfo=timezone.utc))
    tick(every, datetime(2026, 12, 1, 3, 10, tzinfo=timezone.utc))  # again: nobody is told twice
    notes = {
        c.args["channel"]: c.token for c in fake.accepted("chat.postMessage") if c.args["channel"].startswith("UN")
    }
    assert notes == {"UNA": "xoxb-notes-a", "UNB": "xoxb-notes-b"}
    assert sum(c.args["channel"] == "UNA" for c in fake.accepted("chat.postMessage")) == 1
    store.dispose()
