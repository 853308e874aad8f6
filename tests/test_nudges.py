"""Growth prompts: when they are due, what they ask, and that each goes out exactly once."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot import schedule
from bot.config import Settings
from bot.content import Content
from bot.ladder.compare import compare_levels
from bot.ladder.loader import load_ladder
from bot.nudges.choose import PromptChooser, competency_key
from bot.nudges.runner import NudgeRunner
from bot.slackkit.client import make_client
from tests.fakes.slack_requests import BOT_TOKEN, buttons

CONTENT = Path(__file__).resolve().parent.parent / "ladder_content"
LADDER = load_ladder(CONTENT).ladder
L2 = "cloud-engineering/l2-cloud-engineer"
L3 = "cloud-engineering/l3-senior-software-engineer"
MONDAY_NOON_UTC = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)  # a Monday


# --- when -------------------------------------------------------------------------------


def test_period_keys():
    day = datetime(2026, 11, 23).date()
    assert schedule.period_key("monthly", day) == "2026-11"
    assert schedule.period_key("weekly", day) == "2026-W48"
    assert schedule.period_key("fortnightly", day) == schedule.period_key("fortnightly", day + timedelta(days=6))
    assert schedule.period_key("fortnightly", day) != schedule.period_key("fortnightly", day + timedelta(days=14))


def _person(store, user="U1", **fields):
    values = {"target_level_id": L3, "current_level_id": L2, "tz": "Europe/London", **fields}
    return store.update_person("T0TEST", user, **values)


def test_due_after_local_time_on_weekdays_only(store):
    person = _person(store, tz="America/New_York")  # 10:00 Mon-Fri by default
    assert not schedule.is_due_now(person, datetime(2026, 11, 23, 14, 59, tzinfo=timezone.utc))  # 09:59 EST
    assert schedule.is_due_now(person, datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc))  # 10:00 EST
    assert not schedule.is_due_now(person, datetime(2026, 11, 28, 16, 0, tzinfo=timezone.utc))  # Saturday


def test_dst_never_shifts_the_local_time(store):
    person = _person(store, tz="America/New_York")
    summer, winter = datetime(2026, 7, 6, 14, 0, tzinfo=timezone.utc), datetime(2026, 12, 7, 15, 0, tzinfo=timezone.utc)
    for monday in (summer, winter):  # 10:00 local is 14:00 UTC in summer and 15:00 UTC in winter
        assert schedule.is_due_now(person, monday)
        assert not schedule.is_due_now(person, monday - timedelta(minutes=1))
    weekly = store.update_person("T0TEST", "U1", cadence="weekly")
    # This week's prompt went out on Friday 6 March; the clocks change on Sunday 8 March.
    nxt = schedule.next_prompt_at(weekly, datetime(2026, 3, 6, 20, 0, tzinfo=timezone.utc), this_period_done=True)
    assert (nxt.hour, nxt.minute, nxt.date().isoformat()) == (10, 0, "2026-03-09")
    assert nxt.utcoffset() == timedelta(hours=-4)  # EDT now: 14:00 UTC, still 10:00 local


def test_paused_and_off_are_never_due(store):
    assert not schedule.is_due_now(_person(store, "U2", cadence="off"), MONDAY_NOON_UTC)
    paused = _person(store, "U3", paused_until=MONDAY_NOON_UTC + timedelta(days=1))
    assert not schedule.is_due_now(paused, MONDAY_NOON_UTC)
    assert schedule.next_prompt_at(paused, MONDAY_NOON_UTC, this_period_done=False).date().isoformat() == "2026-11-24"


# --- what -------------------------------------------------------------------------------


def test_prompts_start_with_growth_and_never_repeat_until_all_are_used():
    current, target = LADDER.get(L2), LADDER.get(L3)
    comparison = compare_levels(current, target)
    growth = {c.text for d in comparison.sections for c in d.new} | {
        c.after.text for d in comparison.sections for c in d.changed
    }
    total = target.competency_count
    used, seen = set(), []
    for round_ in range(total + 1):
        prompt = PromptChooser().choose(current, target, used, seed=str(round_))
        seen.append(prompt.competency_text)
        used.add(prompt.competency_key)
    assert set(seen[: len(growth)]) == growth
    assert len(set(seen[:total])) == total  # no repeat in the first round
    assert seen[total] == seen[0]  # then round again


def test_prompt_quotes_an_example_from_the_same_section():
    prompt = PromptChooser().choose(None, LADDER.get(L3), set())
    section = next(s for s in LADDER.get(L3).sections if s.name == prompt.section_name)
    assert prompt.example_text in section.examples and prompt.question.endswith("?")
    assert prompt.competency_key == competency_key(section, section.competencies[0])


# --- sending ------------------------------------------------------------------------------


@pytest.fixture
def runner(store, fake_slack):
    settings = Settings(content_dir=CONTENT, slack_api_url=fake_slack.api_url, slack_bot_token=BOT_TOKEN)
    return NudgeRunner.from_settings(store, Content(CONTENT), settings, lease=timedelta(minutes=10))


def _dms(fake, user="U1"):
    return [c for c in fake.accepted("chat.postMessage") if c.args["channel"] == user]


def test_a_due_prompt_is_sent_once_with_its_buttons(store, runner, fake_slack):
    _person(store)
    summary = runner.run_due(MONDAY_NOON_UTC)
    assert (summary.sent, summary.failed) == (1, 0)
    [dm] = _dms(fake_slack)
    assert "A growth prompt for L3: Senior Software Engineer" in dm.text
    assert "An example from the ladder" in dm.text
    assert set(buttons(dm.args["blocks"])) == {
        "Write a reflection",
        "Mark as met",
        "Skip this one",
        "Snooze a week",
        "Stop these",
    }
    nudge = store.recent_nudges("T0TEST", "U1")[0]
    assert dm.args["metadata"]["event_payload"]["nudge_id"] == nudge.id
    assert nudge.status == "sent" and nudge.competency_text in dm.text
    assert runner.run_due(MONDAY_NOON_UTC + timedelta(hours=1)).sent == 0
    assert len(_dms(fake_slack)) == 1


def test_time_zone_is_refreshed_from_slack_before_sending(store, runner, fake_slack):
    _person(store, tz="Europe/London")
    fake_slack.set_user("U1", tz="Asia/Tokyo")
    assert runner.run_due(datetime(2026, 11, 23, 0, 30, tzinfo=timezone.utc)).sent == 0  # 09:30 in Tokyo
    assert store.get_person("T0TEST", "U1").tz == "Asia/Tokyo"
    assert runner.run_due(datetime(2026, 11, 23, 1, 5, tzinfo=timezone.utc)).sent == 1  # 10:05 in Tokyo


def test_deactivated_person_is_skipped_and_recorded(store, runner, fake_slack):
    _person(store, "U5")
    fake_slack.set_user("U5", deleted=True)
    summary = runner.run_due(MONDAY_NOON_UTC)
    assert (summary.sent, summary.skipped) == (0, 1)
    assert _dms(fake_slack, "U5") == []
    assert store.recent_nudges("T0TEST", "U5")[0].status == "failed"
    assert runner.run_due(MONDAY_NOON_UTC + timedelta(hours=1)).skipped == 0  # recorded once, not retried


def test_server_errors_are_retried_all_period_long_and_never_marked_sent(store, runner, fake_slack):
    _person(store)
    for run in range(8):  # forty minutes of Slack outage
        fake_slack.fail_next("chat.postMessage", status=503)
        summary = runner.run_due(MONDAY_NOON_UTC + timedelta(minutes=5 * run))
        assert (summary.sent, summary.failed) == (0, 1)
        assert store.recent_nudges("T0TEST", "U1")[0].status == "retry"
    assert runner.run_due(MONDAY_NOON_UTC + timedelta(hours=1)).sent == 1
    assert len(_dms(fake_slack)) == 1 and store.recent_nudges("T0TEST", "U1")[0].status == "sent"


def test_an_error_after_slack_accepted_the_message_is_not_a_duplicate(store, runner, fake_slack):
    """Slack can keep a message and still answer with an error: the next run finds the
    message by its metadata and records it, instead of sending it again."""
    _person(store)
    fake_slack.fail_next("chat.postMessage", error="internal_error", keep=True)
    assert runner.run_due(MONDAY_NOON_UTC).failed == 1
    summary = runner.run_due(MONDAY_NOON_UTC + timedelta(minutes=5))
    assert (summary.sent, summary.recovered) == (1, 1)
    assert len(fake_slack.messages("DU1")) == 1  # one message in the person's DM, not two
    assert store.recent_nudges("T0TEST", "U1")[0].status == "sent"


def test_a_refused_token_stops_the_run_and_says_why(store, runner, fake_slack):
    for user in ("U1", "U2", "U3"):
        _person(store, user)
    fake_slack.set_valid_tokens({"xoxb-some-other-token"})
    summary = runner.run_due(MONDAY_NOON_UTC)
    assert summary.sent == 0 and summary.stopped == "invalid_auth"
    assert "stopped early: Slack said invalid_auth, check SLACK_BOT_TOKEN" in summary.line()
    fake_slack.set_valid_tokens(None)
    assert runner.run_due(MONDAY_NOON_UTC + timedelta(minutes=5)).sent == 3  # nothing was lost


def test_rate_limits_are_honoured(store, runner, fake_slack):
    _person(store)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)
    assert runner.run_due(MONDAY_NOON_UTC).sent == 1
    calls = fake_slack.calls("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0  # waited as Retry-After said


def test_one_failure_does_not_stop_the_run(store, runner, fake_slack):
    for user in ("U1", "U2", "U3"):
        _person(store, user)
    fake_slack.fail_next("chat.postMessage", error="channel_not_found")
    summary = runner.run_due(MONDAY_NOON_UTC)
    assert (summary.sent, summary.skipped) == (2, 1)


def test_three_ignored_prompts_pause_with_one_message(store, runner, fake_slack):
    _person(store, cadence="weekly")
    mondays = [MONDAY_NOON_UTC + timedelta(weeks=i) for i in range(5)]
    sent = [runner.run_due(monday).sent for monday in mondays]
    assert sent == [1, 1, 1, 0, 0]
    texts = [c.text for c in _dms(fake_slack)]
    assert sum("I've paused your growth prompts" in t for t in texts) == 1
    assert "Resume prompts" in texts[-1]
    assert store.get_person("T0TEST", "U1").paused_until > mondays[-1]


def _ignore_three_prompts(store, runner, fake_slack) -> datetime:
    """Three weekly prompts nobody answers; the Monday the fourth would be due (not after
    today: the fake Slack stamps messages with the real time, and a retry searches the DM
    from the start of the period)."""
    _person(store, cadence="weekly")
    first = MONDAY_NOON_UTC - timedelta(weeks=3)
    assert [runner.run_due(first + timedelta(weeks=i)).sent for i in range(3)] == [1, 1, 1]
    return MONDAY_NOON_UTC


def _pause_notices(fake, user="U1"):
    return [m for m in fake.messages("D" + user) if "I've paused your growth prompts" in m["text"]]


@pytest.mark.parametrize("status", [500, 429])
def test_a_pause_notice_slack_refused_is_retried_and_only_then_pauses(store, runner, fake_slack, status):
    fourth = _ignore_three_prompts(store, runner, fake_slack)
    fake_slack.fail_next("chat.postMessage", status=status, retry_after=1)
    first = runner.run_due(fourth)
    if status == 500:  # not resent blind: the next run checks the DM and tries again
        assert first.failed == 1 and _pause_notices(fake_slack) == []
        assert store.get_person("T0TEST", "U1").paused_until is None  # not paused without being told
        runner.run_due(fourth + timedelta(minutes=5))
    assert len(_pause_notices(fake_slack)) == 1
    assert store.get_person("T0TEST", "U1").paused_until > fourth + timedelta(weeks=52)
    assert runner.run_due(fourth + timedelta(weeks=1)).sent == 0
    assert len(_pause_notices(fake_slack)) == 1 and len(_dms(fake_slack)) == 4  # three prompts, one notice


def test_a_pause_notice_slack_kept_but_answered_500_is_not_sent_twice(store, runner, fake_slack):
    fourth = _ignore_three_prompts(store, runner, fake_slack)
    fake_slack.fail_next("chat.postMessage", error="internal_error", keep=True)
    assert runner.run_due(fourth).failed == 1
    runner.run_due(fourth + timedelta(minutes=5))  # finds the notice in the DM's history
    assert len(_pause_notices(fake_slack)) == 1
    assert store.get_person("T0TEST", "U1").paused_until is not None


def test_a_crashed_claim_is_sent_after_its_lease(store, runner, fake_slack):
    _person(store)
    prompt = PromptChooser().choose(LADDER.get(L2), LADDER.get(L3), set())
    store.claim_nudge(
        "T0TEST",
        "U1",
        "2026-11",
        worker="crashed",
        now=MONDAY_NOON_UTC - timedelta(hours=1),
        lease=timedelta(minutes=10),
        **prompt.__dict__,
    )
    assert runner.run_due(MONDAY_NOON_UTC).sent == 1
    assert len(_dms(fake_slack)) == 1


def test_a_message_slack_accepted_but_we_never_recorded_is_not_resent(store, runner, fake_slack):
    _person(store)
    prompt = PromptChooser().choose(LADDER.get(L2), LADDER.get(L3), set())
    claim = store.claim_nudge(
        "T0TEST",
        "U1",
        "2026-11",
        worker="crashed",
        now=MONDAY_NOON_UTC - timedelta(minutes=30),
        lease=timedelta(minutes=10),
        **prompt.__dict__,
    )
    # The crashed run got as far as Slack accepting the message.
    runner.client.chat_postMessage(
        channel="U1",
        text="A growth prompt",
        metadata={"event_type": "ladder_nudge", "event_payload": {"nudge_id": claim.id, "period": "2026-11"}},
    )
    fake_slack.clear()
    assert runner.run_due(MONDAY_NOON_UTC).sent == 1
    assert _dms(fake_slack) == []  # found in the DM's history instead
    assert store.recent_nudges("T0TEST", "U1")[0].status == "sent"


def test_two_runners_at_once_send_each_prompt_once(store, fake_slack):
    for i in range(30):
        _person(store, f"U{i:03d}")
    settings = Settings(content_dir=CONTENT, slack_api_url=fake_slack.api_url, slack_bot_token=BOT_TOKEN)
    runners = [
        NudgeRunner(store, Content(CONTENT), make_client(settings, resend_on_doubt=False), worker=f"w{i}")
        for i in range(2)
    ]
    barrier = threading.Barrier(2)
    results = []

    def run(r):
        barrier.wait()
        results.append(r.run_due(MONDAY_NOON_UTC))

    threads = [threading.Thread(target=run, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    channels = [c.args["channel"] for c in fake_slack.accepted("chat.postMessage")]
    assert sorted(channels) == sorted(f"U{i:03d}" for i in range(30))
    assert sum(r.sent for r in results) == 30


def test_unknown_target_level_is_skipped_not_crashed(store, runner, fake_slack):
    _person(store, target_level_id="gone/l9-vanished")
    assert runner.run_due(MONDAY_NOON_UTC).skipped == 1
    assert _dms(fake_slack) == []


def test_clock_tick_sends_and_forgets_old_event_ids(store, runner, fake_slack):
    from bot.nudges.clock import tick

    store.claim_event("T0TEST", "EvOLD", now=datetime(2020, 1, 1, tzinfo=timezone.utc))
    store.claim_event("T0TEST", "EvNEW")
    tick(runner)
    assert store.claim_event("T0TEST", "EvOLD") is True  # forgotten: the id is free again
    assert store.claim_event("T0TEST", "EvNEW") is False  # recent: still remembered


def test_db_forget_deletes_one_person(store, database_url):
    from click.testing import CliRunner

    from bot.cli import cli

    _person(store, "U77")
    store.add_reflection("T0TEST", "U77", "private", source="command")
    result = CliRunner().invoke(cli, ["db", "forget", "T0TEST", "U77"], env={"DATABASE_URL": database_url})
    assert result.exit_code == 0 and "1 reflections" in result.output and "1 people" in result.output
    assert store.get_person("T0TEST", "U77") is None and store.reflections_for("T0TEST", "U77") == []


def test_a_snoozed_competency_opens_the_next_prompt(store, runner, fake_slack):
    _person(store, cadence="weekly")
    assert runner.run_due(MONDAY_NOON_UTC).sent == 1
    first = store.recent_nudges("T0TEST", "U1")[0]
    store.set_nudge_status("T0TEST", "U1", first.id, "snoozed", now=MONDAY_NOON_UTC)
    store.update_person("T0TEST", "U1", paused_until=MONDAY_NOON_UTC + timedelta(days=7))
    assert runner.run_due(MONDAY_NOON_UTC + timedelta(days=3)).sent == 0  # quiet while snoozed
    assert runner.run_due(MONDAY_NOON_UTC + timedelta(days=7)).sent == 1
    again = store.recent_nudges("T0TEST", "U1")[0]
    assert again.id != first.id and again.competency_text == first.competency_text
    assert runner.run_due(MONDAY_NOON_UTC + timedelta(days=14)).sent == 1
    assert store.recent_nudges("T0TEST", "U1")[0].competency_text != first.competency_text  # then it moves on


def test_many_stale_time_zones_come_from_one_users_list_not_one_call_each(store, runner, fake_slack):
    users = [f"U{i:03d}" for i in range(120)]
    fake_slack.add_members(users)
    fake_slack.set_user("U007", tz="Asia/Tokyo")  # 21:00 there on Monday: due as well
    for user in users:
        _person(store, user, tz="UTC")
    summary = runner.run_due(MONDAY_NOON_UTC)
    assert len(fake_slack.calls("users.list")) == 1 and fake_slack.calls("users.info") == []
    assert summary.sent == 120
    assert store.get_person("T0TEST", "U007").tz == "Asia/Tokyo"
    assert store.get_person("T0TEST", "U001").tz == "Europe/London"  # the fake's default profile


def test_the_pacer_learns_the_rate_limit_and_spaces_sends():
    from bot.slackkit.pacing import Pacer

    clock = [0.0]
    slept = []
    pacer = Pacer(clock=lambda: clock[0], sleep=lambda s: (slept.append(s), clock.__setitem__(0, clock[0] + s)))
    for _ in range(10):  # as fast as allowed until the first 429 after a stretch of sending
        pacer.wait()
        pacer.accepted()
        clock[0] += 0.1
    assert slept == [] and pacer.rate is None
    pacer.limited(retry_after=1.0)
    assert pacer.rate == pytest.approx(10 * 0.97)
    pacer.wait()  # everyone waits out Retry-After first
    assert slept[-1] == pytest.approx(1.0, abs=0.02)
    pacer.wait()
    assert slept[-1] == pytest.approx(1 / (10 * 0.97), rel=0.01)  # then sends are spaced


def test_a_timeout_after_slack_kept_the_message_is_recovered_not_resent(store, runner, fake_slack):
    """The worst window: Slack stores the prompt, but the answer never arrives in time."""
    _person(store)
    runner.client.timeout = 1
    fake_slack.hang_next("chat.postMessage", 2)  # the fake keeps the message, then answers too late
    assert runner.run_due(MONDAY_NOON_UTC).failed == 1
    assert store.recent_nudges("T0TEST", "U1")[0].status == "retry"
    summary = runner.run_due(MONDAY_NOON_UTC + timedelta(minutes=5))
    assert (summary.sent, summary.recovered) == (1, 1)
    assert len(fake_slack.messages("DU1")) == 1


def test_a_retry_after_that_opens_while_a_thread_sleeps_is_honoured():
    from bot.slackkit.pacing import Pacer

    clock = [0.0]
    pacer = Pacer(clock=lambda: clock[0])
    for _ in range(10):
        pacer.accepted()
        clock[0] += 0.1
    pacer.limited(retry_after=0.0)  # a pace is learned: slots are now spaced
    slept = []

    def sleep(seconds):  # while this thread sleeps in its slot, another one meets a 30 s 429
        if not slept:
            pacer.limited(retry_after=30.0)
        slept.append(seconds)
        clock[0] += seconds

    pacer._sleep = sleep
    pacer.wait()
    pacer.wait()
    assert clock[0] >= 30.0  # nobody sent inside the Retry-After window


def test_only_the_sends_429s_teach_the_pace():
    from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState

    from bot.slackkit.pacing import PacedRateLimitHandler, Pacer

    clock = [0.0]
    pacer = Pacer(clock=lambda: clock[0], sleep=lambda s: None)
    for _ in range(10):  # a second of sending
        pacer.accepted()
        clock[0] += 0.1
    handler = PacedRateLimitHandler(pacer)
    for method in ("users.list", "chat.postMessage"):
        request = HttpRequest(method="POST", url=f"http://x/api/{method}", headers={}, body_params={})
        response = HttpResponse(status_code=429, headers={"Retry-After": ["0"]}, body={}, data=b"")
        handler.prepare_for_next_attempt(state=RetryState(), request=request, response=response)
        assert (pacer.rate is None) == (method == "users.list")


def test_stop_then_resume_does_not_count_as_ignored(store, runner, fake_slack):
    from bot.slack import personal
    from bot.slack.deps import Deps
    from bot.slack.replies import Asker

    _person(store, cadence="weekly", ignored_streak=2)
    assert runner.run_due(MONDAY_NOON_UTC).sent == 1
    nudge = store.recent_nudges("T0TEST", "U1")[0]
    deps = Deps(
        settings=Settings(content_dir=CONTENT), content=runner.content, store=store, now=lambda: MONDAY_NOON_UTC
    )
    personal.on_action({"action_id": "me_stop", "value": str(nudge.id)}, {}, deps, Asker("T0TEST", "U1", runner.client))
    assert store.recent_nudges("T0TEST", "U1")[0].status == "skipped"
    personal.handle(personal.SetCadence("weekly"), deps, Asker("T0TEST", "U1", runner.client))
    assert runner.run_due(MONDAY_NOON_UTC + timedelta(weeks=1)).sent == 1  # not paused for silence
    assert store.get_person("T0TEST", "U1").paused_until is None


def test_a_prompt_names_the_sub_category_and_quotes_the_criterions_own_example(tmp_path):
    (tmp_path / "eng").mkdir()
    (tmp_path / "eng" / "L3-senior.md").write_text(
        "# L3: Senior Engineer\n\n## Leadership\n\n### Mentoring\n\n"
        "- I pair with newer engineers every week.\n  - Examples:\n    - Ran a pairing rota for two new hires.\n"
        "- I review designs from other teams.\n"
    )
    level = load_ladder(tmp_path).ladder.get("eng/l3-senior-engineer")
    assert level is not None
    prompt = PromptChooser().choose(None, level, used=set())
    assert prompt is not None and prompt.competency_text == "I pair with newer engineers every week."
    assert prompt.section_name == "Leadership › Mentoring"
    assert prompt.example_text == "Ran a pairing rota for two new hires."
