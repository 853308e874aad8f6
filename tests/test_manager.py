"""A manager, by invitation, who sees only what is shared: in process (signed requests
through `app.dispatch`, the fake Slack as Web API), one test per rule."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ladder.manager_query import EndManager, InviteManager, ShowManager, ShowShared, ShowTeam, parse_manager_command
from bot.slack import manager_blocks as mb
from tests.conftest import ROOT
from tests.fakes.fake_slack import Call
from tests.fakes.in_process import InProcessBot
from tests.fakes.slack_requests import TEAM, buttons
from tests.test_bad_input import answer, deps  # noqa: F401 (fixture)

L2 = "cloud-engineering/l2-cloud-engineer"
L3 = "cloud-engineering/l3-senior-software-engineer"
PERSON, MANAGER, OTHER = "UPER1", "UMGR1", "UOTH1"
SECRET = "private: I am thinking about leaving"


@pytest.fixture
def bot(fake_slack, tmp_path):
    running = InProcessBot(fake_slack, f"sqlite:///{tmp_path / 'ladderbot.db'}")
    yield running
    running.close()


def command(bot, fake_slack, text: str, user: str) -> Call:
    url = fake_slack.new_response_url()
    assert bot.command(text, response_url=url, user=user).status == 200
    bot.wait()
    [reply] = [c for c in fake_slack.calls("response_url") if c.path.endswith(url.rsplit("/", 1)[1])]
    return reply


def click(bot, fake_slack, button: dict, user: str, *, channel: str = "C1", ephemeral: bool = True) -> Call:
    url = fake_slack.new_response_url()
    assert bot.click(button, user=user, channel=channel, response_url=url, ephemeral=ephemeral).status == 200
    bot.wait()
    [reply] = [c for c in fake_slack.calls("response_url") if c.path.endswith(url.rsplit("/", 1)[1])]
    return reply


def click_on_home(bot, element: dict, block_id: str, user: str = PERSON):
    """The person clicks (or picks in) an element of their App Home."""
    return bot.interaction(
        {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": user, "team_id": TEAM},
            "api_app_id": "A0TEST",
            "trigger_id": "t",
            "view": {"type": "home", "id": "V1"},
            "actions": [{**element, "block_id": block_id}],
        }
    )


def dms_to(fake_slack, user: str) -> list[Call]:
    return [c for c in fake_slack.calls("chat.postMessage") if c.args["channel"] in (user, "D" + user)]


def invite_and_accept(bot, fake_slack, person: str = PERSON, manager: str = MANAGER) -> None:
    asked = command(bot, fake_slack, f"manager <@{manager}|mia>", person)
    assert "I've asked" in asked.text
    invitation = dms_to(fake_slack, manager)[-1]
    accepted = click(
        bot, fake_slack, buttons(invitation.args["blocks"])["Accept"], manager, channel="D" + manager, ephemeral=False
    )
    assert f"You're now <@{person}>'s manager" in accepted.text


def test_the_manifest_escapes_mentions_so_the_command_receives_ids():
    [slash] = yaml.safe_load((ROOT / "manifest.yml").read_text())["features"]["slash_commands"]
    assert slash["should_escape"] is True


@pytest.mark.parametrize(
    "text, intent",
    [
        ("manager <@U123ABC|mia>", InviteManager("U123ABC")),
        ("manager <@W0ABC>", InviteManager("W0ABC")),
        ("<@U0BOT> manager <@U123ABC>", InviteManager("U123ABC")),
        ("manager @mia", InviteManager(None, "@mia")),
        ("manager none", EndManager()),
        ("manager", ShowManager()),
        ("team", ShowTeam()),
        ("shared", ShowShared()),
        ("L3", None),
    ],
)
def test_manager_commands_are_parsed_from_the_escaped_mention(text, intent):
    assert parse_manager_command(text) == intent


def test_invite_accept_share_one_reflection_and_the_manager_sees_nothing_else(bot, fake_slack):
    store = bot.deps.store
    store.update_person(TEAM, PERSON, current_level_id=L2, target_level_id=L3)
    shared = store.add_reflection(TEAM, PERSON, "I led the Terraform migration", source="command")
    store.add_reflection(TEAM, PERSON, SECRET, source="command")
    invite_and_accept(bot, fake_slack)
    assert "accepted: they are now your manager" in dms_to(fake_slack, PERSON)[-1].text

    journal = command(bot, fake_slack, "journal", PERSON)
    share_buttons = [
        b
        for b in journal.args["blocks"]
        if b["type"] == "actions" and b["elements"][0]["action_id"] == mb.SHARE_REFLECTION
    ]
    assert len(share_buttons) == 2  # nothing shared by default: a button under each
    button = next(b["elements"][0] for b in share_buttons if b["elements"][0]["value"] == str(shared.id))
    after = click(bot, fake_slack, button, PERSON)
    assert "Shared with <@UMGR1>" in after.text and after.args["replace_original"] is True
    assert "Shared with <@UMGR1> on" in after.text  # the journal now says when

    [to_manager] = [c for c in dms_to(fake_slack, MANAGER) if "shared a reflection" in c.text]
    assert "I led the Terraform migration" in to_manager.text
    team = command(bot, fake_slack, "team", MANAGER)
    assert "I led the Terraform migration" in team.text
    assert "current *L2: Cloud Engineer*, target *L3: Senior Software Engineer*" in team.text
    mine = command(bot, fake_slack, "shared", PERSON)
    assert "I led the Terraform migration" in mine.text and "shared with <@UMGR1> on" in mine.text

    manager_saw = dms_to(fake_slack, MANAGER) + [team]
    assert all(SECRET not in c.text and SECRET not in str(c.args) for c in manager_saw)


def test_declining_leaves_no_link(bot, fake_slack):
    command(bot, fake_slack, f"manager <@{MANAGER}>", PERSON)
    invitation = dms_to(fake_slack, MANAGER)[-1]
    declined = click(
        bot, fake_slack, buttons(invitation.args["blocks"])["Decline"], MANAGER, channel="D" + MANAGER, ephemeral=False
    )
    assert "Declined" in declined.text
    assert bot.deps.store.manager_link(TEAM, PERSON) is None
    assert "declined your invitation" in dms_to(fake_slack, PERSON)[-1].text
    assert "Nobody has linked you" in command(bot, fake_slack, "team", MANAGER).text
    assert "Manager:* none" in command(bot, fake_slack, "me", PERSON).args["blocks"][-1]["elements"][0]["text"]


def test_a_forged_accept_of_someone_elses_invitation_is_refused_and_changes_nothing(bot, fake_slack):
    command(bot, fake_slack, f"manager <@{MANAGER}>", PERSON)
    accept = buttons(dms_to(fake_slack, MANAGER)[-1].args["blocks"])["Accept"]
    refused = click(bot, fake_slack, accept, OTHER)
    assert "isn't addressed to you" in refused.text and "Nothing changed" in refused.text
    assert bot.deps.store.manager_link(TEAM, PERSON) is None
    assert bot.deps.store.pending_invitation(TEAM, PERSON).manager_id == MANAGER  # still theirs to answer


def test_sharing_someone_elses_reflection_is_refused(bot, fake_slack):
    store = bot.deps.store
    theirs = store.add_reflection(TEAM, OTHER, SECRET, source="command")
    invite_and_accept(bot, fake_slack)
    forged = {
        "type": "button",
        "action_id": mb.SHARE_REFLECTION,
        "value": str(theirs.id),
        "text": {"type": "plain_text", "text": "Share with my manager"},
    }
    refused = click(bot, fake_slack, forged, PERSON)
    assert "isn't in your journal" in refused.text and "Nothing was shared" in refused.text
    assert store.shares_by(TEAM, PERSON) == [] and store.shares_by(TEAM, OTHER) == []
    assert all(SECRET not in str(c.args) for c in dms_to(fake_slack, MANAGER))


def test_ending_someone_elses_link_is_refused(bot, fake_slack):
    invite_and_accept(bot, fake_slack)
    link = bot.deps.store.manager_link(TEAM, PERSON)
    forged = {
        "type": "button",
        "action_id": mb.END,
        "value": str(link.id),
        "text": {"type": "plain_text", "text": "End"},
    }
    refused = click(bot, fake_slack, forged, OTHER)
    assert "isn't yours to end" in refused.text
    assert bot.deps.store.manager_link(TEAM, PERSON) == link


@pytest.mark.parametrize("side", ["person", "manager"])
def test_ending_the_link_from_either_side_hides_earlier_shares(bot, fake_slack, side):
    store = bot.deps.store
    reflection = store.add_reflection(TEAM, PERSON, "Ran the incident review", source="command")
    invite_and_accept(bot, fake_slack)
    store.share_reflection(TEAM, PERSON, reflection.id)
    assert "Ran the incident review" in command(bot, fake_slack, "team", MANAGER).text
    if side == "person":
        assert "Ended" in command(bot, fake_slack, "manager none", PERSON).text
    else:
        end = buttons(command(bot, fake_slack, "team", MANAGER).args["blocks"])["End this link"]
        assert "Ended" in click(bot, fake_slack, end, MANAGER).text
    other = MANAGER if side == "person" else PERSON
    assert "ended the manager link" in dms_to(fake_slack, other)[-1].text
    team = command(bot, fake_slack, "team", MANAGER)
    assert "Ran the incident review" not in team.text and "Nobody has linked you" in team.text
    assert "that link has ended" in command(bot, fake_slack, "shared", PERSON).text


@pytest.mark.parametrize("who", ["person", "manager"])
def test_forget_me_of_either_side_removes_the_link_in_slack(bot, fake_slack, who):
    store = bot.deps.store
    reflection = store.add_reflection(TEAM, PERSON, "Wrote the ADR", source="command")
    invite_and_accept(bot, fake_slack)
    store.share_reflection(TEAM, PERSON, reflection.id)
    assert "Wrote the ADR" in command(bot, fake_slack, "team", MANAGER).text
    forgotten = PERSON if who == "person" else MANAGER
    confirm = command(bot, fake_slack, "forget me", forgotten)
    assert (
        "Nothing about you is left"
        in click(bot, fake_slack, buttons(confirm.args["blocks"])["Delete everything"], forgotten).text
    )
    assert "Nobody has linked you" in command(bot, fake_slack, "team", MANAGER).text
    assert "Manager:* none" in command(bot, fake_slack, "me", PERSON).text
    assert "You haven't shared anything" in command(bot, fake_slack, "shared", PERSON).text


@pytest.mark.parametrize(
    "text, user_setup, answer",
    [
        ("manager @mia", None, "I couldn't tell who “@mia” is"),
        (f"manager <@{PERSON}|me>", None, "You can't be your own manager"),
        ("manager <@UBOT9|helper>", {"is_bot": True}, "is a bot"),
        ("manager <@UGONE9|gone>", {"deleted": True}, "deactivated"),
    ],
)
def test_friendly_answers_for_what_cannot_be_a_manager(bot, fake_slack, text, user_setup, answer):
    if user_setup:
        fake_slack.set_user(text.split("<@")[1].split("|")[0], **user_setup)
    reply = command(bot, fake_slack, text, PERSON)
    assert answer in reply.text
    assert bot.deps.store.pending_invitation(TEAM, PERSON) is None
    assert [c for c in fake_slack.calls("chat.postMessage")] == []


def test_asking_the_same_person_twice_sends_one_invitation(bot, fake_slack):
    command(bot, fake_slack, f"manager <@{MANAGER}>", PERSON)
    again = command(bot, fake_slack, f"manager <@{MANAGER}|mia>", PERSON)
    assert "already asked <@UMGR1>" in again.text
    assert len(dms_to(fake_slack, MANAGER)) == 1


def test_the_app_home_offers_a_user_picker_that_invites(bot, fake_slack):
    assert bot.event({"type": "app_home_opened", "user": PERSON, "channel": "D" + PERSON, "tab": "home"}).status == 200
    bot.wait()
    home = fake_slack.calls("views.publish")[-1].args["view"]
    [picker] = [
        e for b in home["blocks"] if b["type"] == "actions" for e in b["elements"] if e["type"] == "users_select"
    ]
    picked = {**picker, "selected_user": MANAGER}
    assert click_on_home(bot, picked, "home_manager").status == 200
    bot.wait()
    assert bot.deps.store.pending_invitation(TEAM, PERSON).manager_id == MANAGER
    assert "asked you to be their manager" in dms_to(fake_slack, MANAGER)[-1].text
    assert "you asked <@UMGR1>" in fake_slack.calls("views.publish")[-1].text


def test_the_self_assessment_is_shared_from_me(bot, fake_slack):
    store = bot.deps.store
    store.update_person(TEAM, PERSON, current_level_id=L2, target_level_id=L3)
    from bot.growth.criteria import criteria_of

    level = bot.deps.content.answerer.ladder.get(L3)
    first = criteria_of(level)[0]
    store.add_assessment(
        TEAM, PERSON, L3, {first.key: "met"}, {first.key: "did it"}, now=datetime(2026, 11, 1, tzinfo=timezone.utc)
    )
    invite_and_accept(bot, fake_slack)
    profile = command(bot, fake_slack, "me", PERSON)
    shared = click(bot, fake_slack, buttons(profile.args["blocks"])["Share with my manager"], PERSON)
    assert "Shared your self-assessment with <@UMGR1>" in shared.text
    [to_manager] = [c for c in dms_to(fake_slack, MANAGER) if "shared their self-assessment" in c.text]
    assert "Met:" in to_manager.text and "did it" in to_manager.text
    assert "1 of" in command(bot, fake_slack, "team", MANAGER).text
    assert "was shared with <@UMGR1>" in command(bot, fake_slack, "me", PERSON).text


def test_escaped_channels_and_groups_read_as_typed_and_user_mentions_are_kept():
    from bot.slack.blocks import from_slack

    escaped = "mentoring in <#C123|general> for <!subteam^S1|@devs> <!here>, ask <@U9|mia> &lt;b&gt;"
    assert from_slack(escaped) == "mentoring in #general for @devs @here, ask <@U9|mia> <b>"


def test_help_lists_the_manager_commands(bot, fake_slack):
    text = command(bot, fake_slack, "help", PERSON).text
    assert "/ladder manager @someone" in text and "/ladder team" in text and "/ladder shared" in text


def test_a_reflection_is_shared_from_the_app_home(bot, fake_slack):
    reflection = bot.deps.store.add_reflection(TEAM, PERSON, "Paired on the on-call runbook", source="command")
    invite_and_accept(bot, fake_slack)
    assert bot.event({"type": "app_home_opened", "user": PERSON, "channel": "D" + PERSON, "tab": "home"}).status == 200
    bot.wait()
    share = buttons(fake_slack.calls("views.publish")[-1].args["view"]["blocks"])["Share with my manager"]
    assert share["value"] == str(reflection.id)
    assert click_on_home(bot, share, "b").status == 200
    bot.wait()
    assert (
        "Paired on the on-call runbook"
        in next(c for c in dms_to(fake_slack, MANAGER) if "shared a reflection" in c.text).text
    )
    assert "Shared with <@UMGR1> on" in fake_slack.calls("views.publish")[-1].text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    words=st.lists(
        st.sampled_from(
            [
                "manager",
                "none",
                "team",
                "shared",
                "<@U1>",
                "<@U2|mia>",
                "<@W3|x>",
                "@mia",
                "me",
                "<!channel>",
                "&",
                "*",
                "`",
                "\x00",
                "🦉",
            ]
        ),
        max_size=8,
    )
)
def test_any_mix_of_manager_words_gets_an_answer_that_fits(deps, words):  # noqa: F811 (the fixture)
    answer(deps, " ".join(words))


def test_the_largest_shared_assessment_and_a_long_share_list_fit_slacks_limits(bot):
    from bot.growth.criteria import criteria_of
    from bot.slack.blocks import Message
    from storage.records import Assessment, Rating, Share
    from tests.test_bad_input import check_limits

    levels = list(bot.deps.content.answerer.ladder.levels)
    largest = max(levels, key=lambda level: len(criteria_of(level)))
    ratings = tuple(Rating(c.key, "partly", "n" * 3000) for c in criteria_of(largest))
    assessment = Assessment(1, TEAM, PERSON, largest.id, datetime(2026, 11, 1, tzinfo=timezone.utc), ratings)
    check_limits(Message("x", mb.shared_assessment_message(PERSON, assessment, largest, largest.name)))
    shares = [
        Share(i, TEAM, PERSON, MANAGER, 1, "packet", None, None, "x" * 200, assessment.created_at) for i in range(60)
    ]
    listed = mb.shared_list(shares, {}, 1, lambda level_id: level_id or "")
    check_limits(Message("x", listed))
    assert sum(b["text"]["text"].count("• ") for b in listed if b["type"] == "section") == 40  # none cut mid-way


def test_accepting_a_new_manager_ends_the_old_link_and_tells_the_old_manager(bot, fake_slack):
    store = bot.deps.store
    reflection = store.add_reflection(TEAM, PERSON, "Mentored the new hire", source="command")
    invite_and_accept(bot, fake_slack, manager=OTHER)
    store.share_reflection(TEAM, PERSON, reflection.id)
    asked = command(bot, fake_slack, f"manager <@{MANAGER}>", PERSON)
    assert "<@UOTH1> stays your manager until they accept" in asked.text
    accept = buttons(dms_to(fake_slack, MANAGER)[-1].args["blocks"])["Accept"]
    click(bot, fake_slack, accept, MANAGER, channel="D" + MANAGER, ephemeral=False)
    assert "has a new manager in ladderbot" in dms_to(fake_slack, OTHER)[-1].text
    assert "Nobody has linked you" in command(bot, fake_slack, "team", OTHER).text
    assert "Mentored the new hire" not in command(bot, fake_slack, "team", MANAGER).text  # a new link starts empty


# --- what was shared leaves the manager's DM when the share stops standing ----------------------

SHARED_TEXT = "I ran the game day for the payments team"


def _share_all_three(bot, fake_slack) -> None:
    """The person shares a reflection, their self-assessment and a packet, each with its
    button, so the manager's DM holds a copy of each."""
    from bot.growth.criteria import criteria_of

    store = bot.deps.store
    store.update_person(TEAM, PERSON, current_level_id=L2, target_level_id=L3)
    reflection = store.add_reflection(TEAM, PERSON, SHARED_TEXT, source="command")
    first = criteria_of(bot.deps.content.answerer.ladder.get(L3))[0]
    store.add_assessment(TEAM, PERSON, L3, {first.key: "met"}, {first.key: "did it"})
    invite_and_accept(bot, fake_slack)

    journal = command(bot, fake_slack, "journal", PERSON)
    share_reflection = next(e for e in _elements(journal.args["blocks"]) if e.get("action_id") == mb.SHARE_REFLECTION)
    assert share_reflection["value"] == str(reflection.id)
    assert "Shared with" in click(bot, fake_slack, share_reflection, PERSON).text
    me = command(bot, fake_slack, "me", PERSON)
    assert (
        "Shared your self-assessment"
        in click(bot, fake_slack, buttons(me.args["blocks"])["Share with my manager"], PERSON).text
    )
    bot.command("packet", response_url=fake_slack.new_response_url(), user=PERSON)
    bot.wait()
    offer = [c for c in fake_slack.calls("chat.postMessage") if c.args["channel"] == "D" + PERSON][-1]
    bot.click(
        buttons(offer.args["blocks"])["Share with my manager"],
        user=PERSON,
        channel="D" + PERSON,
        response_url="",
        ephemeral=False,
    )
    bot.wait()
    assert _copies_in_manager_dm(fake_slack) == {"reflection", "assessment", "packet"}


def _elements(blocks: list[dict]) -> list[dict]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def _copies_in_manager_dm(fake_slack) -> set[str]:
    """Which shared items the manager can still read in their DM with the bot."""
    found = set()
    for message in fake_slack.messages("D" + MANAGER):
        seen = json.dumps(message)
        if SHARED_TEXT in seen:
            found.add("reflection")
        if "shared their self-assessment" in seen:
            found.add("assessment")
        if message.get("files"):
            found.add("packet")
    return found


@pytest.mark.parametrize("side", ["person", "manager"])
def test_ending_the_link_deletes_every_copy_from_the_managers_dm(bot, fake_slack, side):
    _share_all_three(bot, fake_slack)
    if side == "person":
        ended = command(bot, fake_slack, "manager none", PERSON)
    else:
        end = buttons(command(bot, fake_slack, "team", MANAGER).args["blocks"])["End this link"]
        ended = click(bot, fake_slack, end, MANAGER)
    assert "Ended" in ended.text and "may still be" not in ended.text
    assert _copies_in_manager_dm(fake_slack) == set()
    assert (
        "ended the manager link" in fake_slack.messages("D" + MANAGER if side == "person" else "D" + PERSON)[-1]["text"]
    )
    again = command(bot, fake_slack, "manager none", PERSON)  # nothing left to take back, and no error
    assert "no manager" in again.text


def test_a_new_manager_accepted_takes_the_copies_back_from_the_old_one(bot, fake_slack):
    _share_all_three(bot, fake_slack)
    invite_and_accept(bot, fake_slack, manager=OTHER)
    assert _copies_in_manager_dm(fake_slack) == set()


@pytest.mark.parametrize("who", [PERSON, MANAGER])
def test_forget_me_of_either_side_deletes_the_copies(bot, fake_slack, who):
    _share_all_three(bot, fake_slack)
    confirm = command(bot, fake_slack, "forget me", who)
    done = click(bot, fake_slack, buttons(confirm.args["blocks"])["Delete everything"], who)
    assert "Nothing about you is left" in done.text and "may still be" not in done.text
    assert _copies_in_manager_dm(fake_slack) == set()


def test_deleting_a_shared_reflection_deletes_only_its_copy(bot, fake_slack):
    _share_all_three(bot, fake_slack)
    journal = command(bot, fake_slack, "journal", PERSON)
    delete = next(
        b["accessory"]
        for b in journal.args["blocks"]
        if b.get("accessory", {}).get("action_id") == "me_delete_reflection"
    )
    assert "Deleted that reflection" in click(bot, fake_slack, delete, PERSON).text
    assert _copies_in_manager_dm(fake_slack) == {"assessment", "packet"}


def test_a_copy_slack_will_not_delete_is_owned_up_to(bot, fake_slack):
    _share_all_three(bot, fake_slack)
    fake_slack.fail_next("chat.delete", error="cant_delete_message")
    ended = command(bot, fake_slack, "manager none", PERSON)
    assert "Ended" in ended.text and "Slack did not let me delete 1" in ended.text
    assert bot.deps.store.manager_link(TEAM, PERSON) is None  # the link ended all the same
    assert _copies_in_manager_dm(fake_slack) == {"reflection"}  # the first copy taken back was the reflection


def test_a_copy_that_arrives_after_the_link_ended_is_deleted_at_once(bot, fake_slack):
    store = bot.deps.store
    reflection = store.add_reflection(TEAM, PERSON, SHARED_TEXT, source="command")
    invite_and_accept(bot, fake_slack)
    journal = command(bot, fake_slack, "journal", PERSON)
    share = next(e for e in _elements(journal.args["blocks"]) if e.get("action_id") == mb.SHARE_REFLECTION)
    assert share["value"] == str(reflection.id)
    post = fake_slack._handlers["chat.postMessage"]

    def deliver_while_the_link_ends(args):
        link = store.manager_link(TEAM, PERSON)
        if link is not None and args.get("channel") == MANAGER:
            store.end_manager_link(TEAM, MANAGER, link.id)  # the manager ends it as the copy is on its way
        return post(args)

    fake_slack.on("chat.postMessage", deliver_while_the_link_ends)
    click(bot, fake_slack, share, PERSON)
    assert _copies_in_manager_dm(fake_slack) == set()
    assert [c.args["ts"] for c in fake_slack.calls("chat.delete")]  # taken back, not left behind
