"""No input raises out of the code listeners call, and every answer fits Slack's limits."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import storage
from bot.config import Settings
from bot.content import Content
from bot.ladder.answers import Answerer, LevelAnswer
from bot.ladder.loader import load_ladder
from bot.ladder.model import Competency, Level, Section
from bot.ladder.parser import NotALevelDocument, parse_level
from bot.ladder.repair import repair_text
from bot.slack.blocks import Message, render
from bot.slack.conversation import reply_to
from bot.slack.deps import Deps
from bot.slack.replies import Asker
from bot.slackkit.client import make_client
from tests.fakes.slack_requests import BOT_TOKEN

CONTENT = Path(__file__).resolve().parent.parent / "ladder_content"


PING = re.compile(r"<!(?:channel|here|everyone|subteam)")  # <!date^...> is our own formatting


def check_limits(message: Message) -> None:
    """Slack's documented limits, and no mention that pings people where Slack parses mrkdwn."""
    assert message.text and len(message.text) <= 3000
    assert not PING.search(message.text)
    assert 1 <= len(message.blocks) <= 50
    for block in message.blocks:
        if block["type"] == "header":
            assert 1 <= len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            assert 1 <= len(block["text"]["text"]) <= 3000 and not PING.search(block["text"]["text"])
        if block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
            assert all(len(e["text"]) <= 3000 and not PING.search(e["text"]) for e in block["elements"])
        if block["type"] == "actions":
            assert 1 <= len(block["elements"]) <= 25
        for element in block.get("elements", []) + [block.get("accessory") or {}]:
            if element.get("type") == "button":
                assert 1 <= len(element["text"]["text"]) <= 75 and len(element.get("value", "")) <= 2000


@pytest.fixture(scope="module")
def deps(fake_slack_server, tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'bad-input.db'}"
    storage.upgrade(url)
    settings = Settings(content_dir=CONTENT, slack_api_url=fake_slack_server.api_url, slack_bot_token=BOT_TOKEN)
    return Deps(settings=settings, content=Content(CONTENT), store=storage.Store(url))


def answer(deps, text: str) -> list[Message]:
    asker = Asker("T0TEST", "U1", make_client(deps.settings))
    messages = reply_to(text, deps, asker, shareable=True).messages
    assert messages, f"no answer to {text!r}"
    for message in messages:
        check_limits(message)
    return messages


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400))
def test_any_command_text_gets_an_answer_that_fits(deps, text):
    answer(deps, text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    words=st.lists(
        st.sampled_from(
            [
                "L2",
                "L3",
                "L4",
                "L99",
                "vs",
                "compare",
                "and",
                "from",
                "to",
                "target",
                "level",
                "me",
                "nudges",
                "time",
                "09:30",
                "mon-fri",
                "pause",
                "2w",
                "journal",
                "examples",
                "cloud",
                "support",
                "architect",
                "<!channel>",
                "<@U1>",
                "&",
                "*",
                "~",
                "`",
                "```",
                ">",
                "\u202e",
                "🦉",
                "\x00",
                "?",
            ]
        ),
        max_size=15,
    )
)
def test_any_mix_of_keywords_gets_an_answer_that_fits(deps, words):
    answer(deps, " ".join(words))


@pytest.mark.parametrize(
    "text, expect",
    [
        ("", "Ask about the career ladder"),
        ("mentoring " * 4000, "Competencies about"),  # 40 KB
        (bytes(range(256)).decode("latin-1"), "Nothing in the ladder speaks of"),
        ("מה ההבדל בין L2 ל-L3?", "L2: Cloud Engineer → L3: Senior Software Engineer"),
        ("🦉🌱🧭🏆", "Nothing in the ladder speaks of “🦉🌱🧭🏆”"),
        ("*bold* _it_ ~s~ `code` ```block``` > quote <https://x|y> <!channel> <#C123> <@U1>", "Competencies about"),
    ],
)
def test_awkward_inputs_get_a_clear_answer(deps, text, expect):
    messages = answer(deps, text)
    readable = " ".join(json.dumps(m.blocks, ensure_ascii=False) for m in messages)
    assert expect in readable
    assert len(readable) > 40  # a real answer, not an empty shell


def test_a_huge_level_is_split_into_messages_that_fit():
    long = "I " + "do a careful and considered thing " * 8
    sections = tuple(
        Section(
            f"Section {i} " + "x" * 300,
            f"s{i}",
            "🦉",
            tuple(Competency(f"{long} {j}") for j in range(40)),
            tuple(f"example {j}" for j in range(30)),
        )
        for i in range(30)
    )
    level = Level("t/l9-huge", "L9", 9, "Huge " * 50, "Track", "t", "tag " * 900, sections=sections)
    messages = render(LevelAnswer(level, show_examples=True), shareable=True)
    assert 2 <= len(messages) <= 5
    for message in messages:
        check_limits(message)


markdown_documents = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "# L3: Senior Engineer",
                "# L2 - Engineer",
                "## 🦉 Domain",
                "## Examples",
                "> tagline _x_",
                "- **Planning horizon**: 6 months",
                "**Impact radius:** Team  ",
                "<details>",
                "<summary>Examples</summary>",
                "</details>",
                "**Examples:**",
                "---",
                "track: x",
                "",
                "- I do things.",
                "  - nested item",
                "1. ordered",
                "[link](../x.md)",
                "```",
                "| a | b |",
                "\uf8ffü¶â ‚Äôs",
            ]
        ),
        st.text(max_size=60),
    ),
    max_size=40,
).map("\n".join)


@settings(max_examples=200, deadline=None)
@given(markdown_documents)
def test_no_content_file_crashes_the_parser_and_its_answer_fits(document):
    try:
        level = parse_level(repair_text(document), source="L3-x.md")
    except NotALevelDocument:
        return
    for message in render(LevelAnswer(level, show_examples=True), shareable=True):
        check_limits(message)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.binary(max_size=300) | markdown_documents.map(str.encode), min_size=1, max_size=5))
def test_no_folder_of_files_crashes_the_loader(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("content")
    for i, data in enumerate(files):
        (folder / f"L{i}-doc.md").write_bytes(data)
    result = load_ladder(folder)
    answerer = Answerer(result.ladder)
    for level in result.ladder.levels:
        answerer.ask(f"{level.code} {level.title}")
