"""The growth loop in Slack, in process against the fake Slack: the self-assessment modal
(its pages and Slack's limits), "Mark as met", the packet file, stats for admins only."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.config import Settings
from bot.content import Content
from bot.ladder.loader import load_ladder
from bot.nudges.runner import NudgeRunner
from bot.slack import assessment_blocks as ab
from tests.fakes.fake_slack import readable_text
from tests.fakes.in_process import CONTENT, InProcessBot
from tests.fakes.slack_requests import BOT_TOKEN, TEAM, buttons

ROOT = Path(__file__).resolve().parent.parent
L2, L3 = "cloud-engineering/l2-cloud-engineer", "cloud-engineering/l3-senior-software-engineer"
MONDAY_NOON_UTC = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def bot(fake_slack, tmp_path):
    running = InProcessBot(fake_slack, f"sqlite:///{tmp_path / 'ladderbot.db'}")
    yield running
    running.close()


def _with_target(bot, user: str) -> None:
    bot.deps.store.update_person(TEAM, user, current_level_id=L2, target_level_id=L3, tz="Europe/London")


def _open_modal(bot, fake_slack, user: str) -> dict:
    bot.command("assess", response_url=fake_slack.new_response_url(), user=user)
    bot.wait()
    [opened] = fake_slack.calls("views.open")
    return opened.args["view"]


def _answers(view: dict, rating_of) -> dict:
    """The state Slack sends for a page: a rating picked for every criterion on it."""
    values = {}
    for block in view["blocks"]:
        if block.get("block_id", "").startswith("rate_"):
            rating = rating_of(block["label"]["text"])
            values[block["block_id"]] = {
                "rating": {"type": "static_select", "selected_option": {"value": rating} if rating else None}
            }
        elif block.get("block_id", "").startswith("note_"):
            values[block["block_id"]] = {"note": {"type": "plain_text_input", "value": None}}
    return values


def _submit_all_pages(bot, view: dict, user: str, rating_of) -> int:
    pages = 0
    while True:
        pages += 1
        response = bot.submit_view(view, _answers(view, rating_of), user=user)
        assert response.status == 200, response.body
        if not response.body:
            return pages
        answer = json.loads(response.body)
        assert answer["response_action"] == "update", answer
        view = answer["view"]


def test_an_assessment_submitted_in_the_modal_orders_the_next_prompt(bot, fake_slack):
    _with_target(bot, "U30")
    view = _open_modal(bot, fake_slack, "U30")
    level = bot.deps.content.answerer.ladder.get(L3)
    criteria = ab.unique_criteria(level)
    open_one = criteria[-1]  # the last criterion: without an assessment it would come last or late
    assert view["callback_id"] == ab.ASSESSMENT_MODAL
    _submit_all_pages(
        bot, view, "U30", lambda label: "not_yet" if open_one.text.startswith(label.rstrip("…")) else "met"
    )
    bot.wait()
    thanks = [c for c in fake_slack.calls("chat.postMessage") if c.args["channel"] == "U30"]
    assert f"{len(criteria) - 1} of {len(criteria)} met" in readable_text(thanks[-1])
    assert fake_slack.calls("views.publish")[-1].args["user_id"] == "U30"

    # The nudge run asks about what is not met yet first.
    settings = Settings(content_dir=CONTENT, slack_api_url=fake_slack.api_url, slack_bot_token=BOT_TOKEN)
    runner = NudgeRunner.from_settings(bot.deps.store, Content(CONTENT), settings, lease=timedelta(minutes=10))
    assert runner.run_due(MONDAY_NOON_UTC).sent == 1
    [nudge] = bot.deps.store.recent_nudges(TEAM, "U30")
    assert nudge.competency_key == open_one.key


def test_me_shows_progress_per_category_and_what_moved(bot, fake_slack):
    _with_target(bot, "U31")
    level = bot.deps.content.answerer.ladder.get(L3)
    first = ab.unique_criteria(level)[0]
    store = bot.deps.store
    store.add_assessment(TEAM, "U31", L3, {first.key: "not_yet"}, now=MONDAY_NOON_UTC - timedelta(days=40))
    store.add_assessment(TEAM, "U31", L3, {first.key: "met"}, now=MONDAY_NOON_UTC - timedelta(days=2))
    bot.command("me", response_url=fake_slack.new_response_url(), user="U31")
    bot.wait()
    [reply] = fake_slack.calls("response_url")
    text = readable_text(reply)
    assert f"{first.category}: 1 of" in text and "Since the previous one" in text and "Not yet → Met" in text
    assert {"Re-assess myself", "Promotion packet"} <= set(buttons(reply.args["blocks"]))


@pytest.mark.parametrize(
    "root", [ROOT / "ladder_content", *sorted((ROOT / "tests/fixtures/ladders").iterdir())], ids=lambda p: p.name
)
def test_the_largest_level_pages_within_slacks_modal_limits(root):
    levels = list(load_ladder(root).ladder.levels)
    if not levels:
        pytest.skip("no levels")
    largest = max(levels, key=lambda l: len(ab.unique_criteria(l)))
    pages = ab.pages_of(largest)
    seen = []
    for number in range(len(pages)):
        everything_met = {c.key: ("met", "x" * ab.NOTE_MAX) for c in ab.unique_criteria(largest)}
        view = ab.modal(largest, pages, number, "m" * 1500, everything_met)
        assert len(view["blocks"]) <= ab.MAX_BLOCKS
        assert len(view["title"]["text"]) <= 24
        for block in view["blocks"]:
            if block["type"] == "input":
                assert len(block["label"]["text"]) <= ab.MAX_LABEL
                seen.append(block["block_id"])
            for text in [block.get("text", {})] + block.get("elements", []):
                assert len(text.get("text", "")) <= 3000
    assert len(seen) == len(set(seen)) == 2 * len(ab.unique_criteria(largest))  # every criterion, once


def test_a_long_level_pages_through_categories_and_saves_once_at_the_end(bot, fake_slack, monkeypatch):
    monkeypatch.setattr(ab, "PAGE_BLOCKS", 9)  # the seed ladder's levels are short: make pages tiny
    _with_target(bot, "U32")
    level = bot.deps.content.answerer.ladder.get(L3)
    assert len(ab.pages_of(level)) >= 3
    view = _open_modal(bot, fake_slack, "U32")
    assert view["submit"]["text"] == "Next"
    pages = _submit_all_pages(bot, view, "U32", lambda label: "partly")
    assert pages == len(ab.pages_of(level))
    history = bot.deps.store.assessments_for(TEAM, "U32", L3, limit=None)
    assert len(history) == 1 and len(history[0].ratings) == len(ab.unique_criteria(level))


def test_mark_as_met_on_a_prompt_saves_it(bot, fake_slack):
    _with_target(bot, "U33")
    settings = Settings(content_dir=CONTENT, slack_api_url=fake_slack.api_url, slack_bot_token=BOT_TOKEN)
    runner = NudgeRunner.from_settings(bot.deps.store, Content(CONTENT), settings, lease=timedelta(minutes=10))
    assert runner.run_due(MONDAY_NOON_UTC).sent == 1
    [prompt] = [c for c in fake_slack.accepted("chat.postMessage") if c.args["channel"] == "U33"]
    fake_slack.clear()
    assert (
        bot.click(
            buttons(prompt.args["blocks"])["Mark as met"], user="U33", channel="DU33", response_url="", ephemeral=False
        ).status
        == 200
    )
    bot.wait()
    [nudge] = bot.deps.store.recent_nudges(TEAM, "U33")
    [latest] = bot.deps.store.assessments_for(TEAM, "U33", L3, limit=1)
    assert latest.rating_of(nudge.competency_key).rating == "met"
    assert "Marked as met" in fake_slack.texts("chat.postMessage")[-1]


def test_packet_is_uploaded_to_the_dm_and_shared_with_the_manager_on_request(bot, fake_slack):
    _with_target(bot, "U34")
    store = bot.deps.store
    store.add_reflection(TEAM, "U34", "I led the <incident> review", source="thread")
    bot.command("packet", response_url=fake_slack.new_response_url(), user="U34")
    bot.wait()
    [(name, content)] = fake_slack.uploaded_files()
    assert name.startswith("promotion-packet-L3") and name.endswith(".md")
    assert b"# Promotion packet: L3" in content and b"I led the <incident> review" in content
    offer = [c for c in fake_slack.calls("chat.postMessage") if c.args["channel"] == "DU34"][-1]
    share = buttons(offer.args["blocks"])["Share with my manager"]

    fake_slack.clear()
    bot.click(share, user="U34", channel="DU34", response_url="", ephemeral=False)
    bot.wait()
    assert fake_slack.uploaded_files() == [] and "no manager linked yet" in fake_slack.texts("chat.postMessage")[-1]

    link = store.invite_manager(TEAM, "U34", "U35")
    store.answer_invitation(TEAM, "U35", link.id, accept=True)
    fake_slack.clear()
    bot.click(share, user="U34", channel="DU34", response_url="", ephemeral=False)
    bot.wait()
    [(_, shared)] = fake_slack.uploaded_files()
    assert b"I led the <incident> review" in shared
    [complete] = fake_slack.calls("files.completeUploadExternal")
    assert complete.args["channel_id"] == "DU35"
    assert [s.kind for s in store.shares_by(TEAM, "U34")] == ["packet"]


def test_stats_are_refused_to_a_non_admin_and_bucketed_for_an_admin(bot, fake_slack):
    for user in ("U40", "U41", "U42", "U43", "U44", "U45"):
        bot.deps.store.update_person(TEAM, user, current_level_id=L2, target_level_id=L3)
    fake_slack.set_user("U46", is_admin=False)
    bot.command("stats", response_url=fake_slack.new_response_url(), user="U46")
    bot.wait()
    [refused] = fake_slack.calls("response_url")
    assert "only" in refused.text and "People" not in refused.text

    fake_slack.clear()
    fake_slack.set_user("U47", is_admin=True)
    bot.command("stats", response_url=fake_slack.new_response_url(), user="U47")
    bot.wait()
    [report] = fake_slack.calls("response_url")
    text = readable_text(report)
    assert "People:* 6" in text or "People: 6" in text
    assert "L3: Senior Software Engineer (Cloud Engineering): <5 at it, 6 aiming for it" in text
    assert "Self-assessments: <5" in text.replace("*", "")
    assert "U40" not in text


def test_a_due_reassessment_is_offered_once_instead_of_a_prompt(bot, fake_slack):
    _with_target(bot, "U36")
    store = bot.deps.store
    store.update_person(TEAM, "U36", cadence="weekly")
    first = ab.unique_criteria(bot.deps.content.answerer.ladder.get(L3))[0]
    store.add_assessment(TEAM, "U36", L3, {first.key: "partly"}, now=MONDAY_NOON_UTC - timedelta(days=100))
    settings = Settings(content_dir=CONTENT, slack_api_url=fake_slack.api_url, slack_bot_token=BOT_TOKEN)
    runner = NudgeRunner.from_settings(store, Content(CONTENT), settings, lease=timedelta(minutes=10))

    assert runner.run_due(MONDAY_NOON_UTC).sent == 1
    [offer] = [c for c in fake_slack.accepted("chat.postMessage") if c.args["channel"] == "U36"]
    assert "Time to re-assess" in offer.text and "Re-assess myself" in buttons(offer.args["blocks"])
    fake_slack.clear()
    bot.click(buttons(offer.args["blocks"])["Re-assess myself"], user="U36", channel="DU36", ephemeral=False)
    bot.wait()
    [opened] = fake_slack.calls("views.open")
    assert opened.args["view"]["callback_id"] == ab.ASSESSMENT_MODAL

    fake_slack.clear()
    assert runner.run_due(MONDAY_NOON_UTC + timedelta(days=7)).sent == 1  # next week: a prompt again
    [prompt] = [c for c in fake_slack.accepted("chat.postMessage") if c.args["channel"] == "U36"]
    assert "A growth prompt" in prompt.text


def test_assess_typed_in_the_dm_offers_the_button_and_help_lists_the_commands(bot, fake_slack):
    _with_target(bot, "U37")
    bot.direct_message("assess", user="U37")
    bot.wait()
    [reply] = fake_slack.calls("chat.postMessage")
    assert reply.args["channel"] == "DU37" and "Assess myself" in buttons(reply.args["blocks"])
    fake_slack.clear()
    bot.command("help", response_url=fake_slack.new_response_url(), user="U37")
    bot.wait()
    assert "/ladder assess" in fake_slack.calls("response_url")[0].text


def test_assess_without_a_target_says_how_to_set_one(bot, fake_slack):
    bot.command("assess", response_url=fake_slack.new_response_url(), user="U38")
    bot.wait()
    [reply] = fake_slack.calls("response_url")
    assert "Set your target level first" in reply.text and fake_slack.calls("views.open") == []


def test_the_app_home_shows_progress_and_the_assess_button(bot, fake_slack):
    _with_target(bot, "U39")
    first = ab.unique_criteria(bot.deps.content.answerer.ladder.get(L3))[0]
    bot.deps.store.add_assessment(TEAM, "U39", L3, {first.key: "met"})
    bot.event({"type": "app_home_opened", "user": "U39", "channel": "DU39", "tab": "home"})
    bot.wait()
    [home] = fake_slack.calls("views.publish")
    assert f"{first.category}: 1 of" in readable_text(home)
    assert {"Re-assess myself", "Promotion packet"} <= set(buttons(home.args["view"]["blocks"]))


def test_a_forged_or_stale_modal_submission_keeps_the_modal_open_with_a_reason(bot, fake_slack):
    _with_target(bot, "U48")
    view = _open_modal(bot, fake_slack, "U48")
    values = _answers(view, lambda label: "met")
    response = bot.submit_view({**view, "private_metadata": "not json"}, values, user="U48")
    answer = json.loads(response.body)
    assert answer["response_action"] == "errors" and "ladder changed" in next(iter(answer["errors"].values()))
    assert bot.deps.store.assessments_for(TEAM, "U48", L3) == []


def test_an_expired_trigger_offers_the_button_instead(bot, fake_slack):
    _with_target(bot, "U49")
    fake_slack.fail_next("views.open", error="expired_trigger_id")
    url = fake_slack.new_response_url()
    bot.command("assess", response_url=url, user="U49")
    bot.wait()
    [reply] = fake_slack.calls("response_url")
    assert "Assess myself" in buttons(reply.args["blocks"]) and "went wrong" not in reply.text


def test_mark_as_met_with_someone_elses_prompt_changes_nothing(bot, fake_slack):
    _with_target(bot, "U50")
    settings = Settings(content_dir=CONTENT, slack_api_url=fake_slack.api_url, slack_bot_token=BOT_TOKEN)
    runner = NudgeRunner.from_settings(bot.deps.store, Content(CONTENT), settings, lease=timedelta(minutes=10))
    assert runner.run_due(MONDAY_NOON_UTC).sent == 1
    [prompt] = [c for c in fake_slack.accepted("chat.postMessage") if c.args["channel"] == "U50"]
    fake_slack.clear()
    bot.click(buttons(prompt.args["blocks"])["Mark as met"], user="U51", channel="DU51", ephemeral=False)
    bot.wait()
    assert "isn't yours" in fake_slack.texts("chat.postMessage")[-1]
    assert bot.deps.store.assessments_for(TEAM, "U51", L3) == [] == bot.deps.store.assessments_for(TEAM, "U50", L3)


def test_notes_too_long_to_carry_to_the_last_page_are_refused_on_the_page_not_lost(bot, fake_slack, monkeypatch):
    monkeypatch.setattr(ab, "PAGE_BLOCKS", 9)  # four criteria a page
    _with_target(bot, "U52")
    view = _open_modal(bot, fake_slack, "U52")
    for _ in range(len(ab.pages_of(bot.deps.content.answerer.ladder.get(L3)))):
        values = _answers(view, lambda label: "met")
        for block_id in values:
            if block_id.startswith("note_"):
                values[block_id]["note"]["value"] = "n" * ab.NOTE_MAX
        answer = json.loads(bot.submit_view(view, values, user="U52").body or "{}")
        if answer.get("response_action") == "errors":
            break
        view = answer["view"]
    else:
        pytest.fail("the notes never outgrew private_metadata")
    [message] = answer["errors"].values()
    assert "shorten some" in message and bot.deps.store.assessments_for(TEAM, "U52", L3) == []


def test_a_level_at_the_loaders_cap_pages_within_every_limit():
    """2,000 criteria (the loader's cap per level) with over-long texts: every page within
    Slack's limits, and the opening draft (every criterion rated) fits in private_metadata."""
    from bot.growth.changes import level_fingerprint
    from bot.slack.assessment import Draft
    from tests.test_growth import make_level

    long = "I " + "do a thing well " * 200  # 3,000+ characters
    level = make_level(
        "eng/" + "x" * 60, **{f"Category_{n}": [f"{n}.{i} {long}" for i in range(250)] for n in range(8)}
    )
    pages = ab.pages_of(level)
    assert len(ab.unique_criteria(level)) == 2000 and len(pages) > 20
    shown = []
    for number in range(len(pages)):
        view = ab.modal(level, pages, number, "", {})
        assert len(view["blocks"]) <= ab.MAX_BLOCKS
        for block in view["blocks"]:
            if block["type"] == "input":
                assert len(block["label"]["text"]) <= ab.MAX_LABEL
                shown.append(block["block_id"])
            assert len((block.get("text") or {}).get("text", "")) <= 3000
    assert len(shown) == len(set(shown)) == 4000
    draft = Draft(level.id, level_fingerprint(level)[:12], len(pages) - 1, ["partly"] * 2000)
    assert len(draft.dump()) <= ab.MAX_METADATA
