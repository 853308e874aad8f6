"""The growth loop end to end: `ladderbot serve --http` in a subprocess, signed requests,
the fake Slack, and `ladderbot nudges run-due` as the clock runs it."""

from __future__ import annotations

import json

import pytest

from bot.ladder.loader import load_ladder
from bot.slack import assessment_blocks as ab
from tests.conftest import ROOT
from tests.fakes.fake_slack import readable_text
from tests.test_growth_ui import _answers
from tests.test_journey import MONDAY_10_05_LONDON, prompts_to, run_due, wait_for_message
from tests.test_slack_app import ask

pytestmark = pytest.mark.e2e
L3 = "cloud-engineering/l3-senior-software-engineer"


def test_assess_then_prompt_order_packet_and_stats_through_http(bot, slack, fake_slack):
    user = "UGROW1"
    ask(slack, fake_slack, "target L3 cloud", user=user)
    ask(slack, fake_slack, "level L2 cloud", user=user)
    assert slack.command("assess", response_url=fake_slack.new_response_url(), user=user).status == 200
    [opened] = fake_slack.wait_for("views.open", timeout=15)
    view = opened.args["view"]
    criteria = ab.unique_criteria(load_ladder(ROOT / "ladder_content").ladder.get(L3))
    still_open = criteria[-1]
    while True:  # every page, as Slack would send it
        response = slack.submit_view(
            view,
            _answers(view, lambda label: "not_yet" if still_open.text.startswith(label.rstrip("…")) else "met"),
            user=user,
        )
        assert response.status == 200
        if not response.body:
            break
        view = json.loads(response.body)["view"]
    saved = wait_for_message(fake_slack, user, "Your self-assessment is saved", timeout=15)
    assert f"{len(criteria) - 1} of {len(criteria)} met" in readable_text(saved)

    run_due(bot, MONDAY_10_05_LONDON)
    [prompt] = [c for c in prompts_to(fake_slack, user) if "A growth prompt" in c.text]
    assert still_open.text[:60] in prompt.text  # what is not met yet comes first

    ask(slack, fake_slack, "packet", user=user)
    fake_slack.wait_for("files.completeUploadExternal", timeout=15)
    [(_name, content)] = [(n, c) for n, c in fake_slack.uploaded_files() if n.startswith("promotion-packet")]
    assert b"## Domain expertise" in content and b"**Self-assessment:** Met" in content

    refused = ask(slack, fake_slack, "stats", user="UGROW2")
    assert "admins and owners only" in refused.text
    fake_slack.set_user("UGROW3", is_owner=True)
    report = ask(slack, fake_slack, "stats", user="UGROW3")
    assert "Workspace stats" in report.text or "People" in readable_text(report)
    assert user not in readable_text(report)
    assert "<5" in readable_text(report)
