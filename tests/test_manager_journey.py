"""A manager, end to end: `ladderbot serve --http`, signed requests, the fake Slack.
A person invites, the manager accepts, one reflection is shared, and every call the
manager receives (their DM, their /ladder team) holds that reflection and nothing else."""

from __future__ import annotations

import pytest

import storage
from tests.fakes.slack_requests import TEAM, buttons
from tests.test_journey import wait_for_message
from tests.test_slack_app import ask, press

pytestmark = pytest.mark.e2e
PERSON, MANAGER, INTRUDER = "UMJ10", "UMJ11", "UMJ12"
SHARED = "I ran the game day for the payments team"
UNSHARED = ("My salary expectations for next year", "I disagreed with my manager about the reorg")


def test_invite_accept_share_one_and_the_manager_sees_nothing_else(bot, slack, fake_slack):
    ask(slack, fake_slack, "target L3 cloud", user=PERSON)
    store = storage.Store(bot.database_url)
    try:
        shared = store.add_reflection(TEAM, PERSON, SHARED, source="command")
        for text in UNSHARED:
            store.add_reflection(TEAM, PERSON, text, source="command")
    finally:
        store.dispose()

    assert f"I've asked <@{MANAGER}>" in ask(slack, fake_slack, f"manager <@{MANAGER}|mia>", user=PERSON).text
    invitation = wait_for_message(fake_slack, MANAGER, "asked you to be their manager")
    accept = buttons(invitation.args["blocks"])["Accept"]
    forged = press(slack, fake_slack, accept, user=INTRUDER)  # someone else's invitation
    assert "isn't addressed to you" in forged.text
    assert "Nobody has linked you" in ask(slack, fake_slack, "team", user=INTRUDER).text
    accepted = press(slack, fake_slack, accept, user=MANAGER, channel="D" + MANAGER, ephemeral=False)
    assert "You're now <@UMJ10>'s manager" in accepted.text and accepted.args["replace_original"] is True
    wait_for_message(fake_slack, PERSON, "accepted: they are now your manager")

    journal = ask(slack, fake_slack, "journal", user=PERSON)
    share = next(
        b["elements"][0]
        for b in journal.args["blocks"]
        if b["type"] == "actions" and b["elements"][0].get("value") == str(shared.id)
    )
    assert f"Shared with <@{MANAGER}>" in press(slack, fake_slack, share, user=PERSON).text
    wait_for_message(fake_slack, MANAGER, "shared a reflection with you")

    end = buttons(accepted.args["blocks"])["End this link"]
    assert "isn't yours to end" in press(slack, fake_slack, end, user=INTRUDER).text
    team = ask(slack, fake_slack, "team", user=MANAGER)
    assert SHARED in team.text and "target *L3: Senior Software Engineer*" in team.text

    to_manager = [
        c
        for c in fake_slack.calls()
        if c.method == "chat.postMessage" and c.args["channel"] in (MANAGER, "D" + MANAGER)
    ] + [accepted, team]
    assert [c for c in to_manager if SHARED in c.text] != []
    for call in to_manager:
        assert not any(text in str(call.args) for text in UNSHARED), call.text
    # Nor in the logs at INFO and above (DEBUG logs Slack payloads, as SECURITY.md warns).
    logged = "\n".join(line for line in bot.log().splitlines() if " DEBUG " not in line)
    assert "share " in logged and not any(text in logged for text in (SHARED, *UNSHARED))
