"""Draw answers as Block Kit messages that always fit Slack's limits.

Every piece of text that did not come from this module (ladder content, what a person
typed) goes through `escape`, so `<!channel>` typed by someone is shown, never sent as
a ping; a person's own words (a query echoed back, in a message that can be shared in a
channel) go through `literal`, which also keeps their *bold*, _italics_, ~strikes~ and
`code` from formatting. Long answers are split into several messages rather than refused
by the API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, urlparse

from bot.ladder.answers import (
    Answer,
    ChoiceAnswer,
    CompareAnswer,
    HelpAnswer,
    LevelAnswer,
    NotFoundAnswer,
    Option,
    SearchAnswer,
    compare_query,
    level_query,
)
from bot.ladder.compare import Comparison
from bot.ladder.model import Level
from bot.slack import command_table
from bot.slackkit.blockkit import (  # noqa: F401 - the primitives, used here and by importers of this module
    MAX_BUTTON_TEXT,
    MAX_HEADER,
    MAX_TEXT,
    MAX_VALUE,
    Message,
    actions,
    button,
    context,
    diff_mrkdwn,
    escape,
    header,
    mrkdwn,
    truncate,
)

MAX_BLOCKS = 50
MAX_MESSAGES = 5  # a slash command's response_url takes five posts
MAX_FALLBACK = 3000

# action_id prefixes; listeners match on these.
ACTION_QUERY = "ladder_query"  # value: a query to answer (options, examples, compare buttons)
ACTION_SHARE = "ladder_share"  # value: the query whose answer to post in the channel
ACTION_LINK = "ladder_link"  # a URL button; Slack still tells us it was clicked


# mrkdwn has no escape for its formatting marks: in a person's words they become lookalikes.
_MARK_LOOKALIKES = str.maketrans({"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"})
_BROADCAST = re.compile(r"@(here|channel|everyone)\b", re.IGNORECASE)


def literal(text: str) -> str:
    """A person's words in mrkdwn, shown as they typed them and doing nothing: no link or
    ping (`escape`), no formatting (lookalike marks), no broadcast even where a client
    links bare `@here` (a word joiner), and on one line, so no line of it is a quote."""
    text = escape(" ".join(str(text).split())).translate(_MARK_LOOKALIKES)
    return _BROADCAST.sub("@\u2060\\1", text)


def from_slack(text: str) -> str:
    """What a person typed, from Slack's encoding of it: links become plain text and
    `&lt;` `&gt;` `&amp;` their characters, so what we store and echo is what they wrote
    (and `escape` can encode it exactly once on the way out)."""
    text = re.sub(r"<(https?://[^|>\s]+)\|([^>]+)>", r"\2 (\1)", str(text or ""))
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)
    # should_escape (for `/ladder manager @someone`) also sends #channel and @here escaped: read them as typed.
    text = re.sub(r"<#[A-Z0-9]+\|([^>]*)>", r"#\1", text)
    text = re.sub(r"<!subteam\^[A-Z0-9]+\|([^>]*)>", r"\1", text)
    text = re.sub(r"<!(here|channel|everyone)(?:\|[^>]*)?>", r"@\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def render(answer: Answer, *, shareable: bool = False, source_url: str = "", command: str = "/ladder") -> list[Message]:
    """Messages for `answer`; `shareable` adds the "Share in channel" button."""
    if isinstance(answer, LevelAnswer):
        blocks = level_blocks(answer, shareable, source_url)
        fallback = escape(answer.level.name)
    elif isinstance(answer, CompareAnswer):
        blocks = comparison_blocks(answer.comparison, shareable)
        fallback = escape(f"{answer.comparison.lower.name} → {answer.comparison.higher.name}")
    elif isinstance(answer, SearchAnswer):
        blocks = search_blocks(answer, shareable)
        fallback = f"Competencies about “{literal(answer.query)}”"
    elif isinstance(answer, ChoiceAnswer):  # the question and the message quote what was asked
        blocks = [mrkdwn(literal(answer.question)), *option_buttons(answer.options)]
        fallback = literal(answer.question)
    elif isinstance(answer, NotFoundAnswer):
        blocks = [mrkdwn(literal(answer.message))]
        if answer.suggestions:
            blocks += [mrkdwn("Nearest levels:"), *option_buttons(answer.suggestions)]
        fallback = literal(answer.message)
    else:
        blocks = help_blocks(answer, command)
        fallback = command_table.as_installed(escape(answer.message or "What I can do"), command)
    return paginate(blocks, fallback)


# --- blocks made of several -------------------------------------------------------------


def sections_from_lines(lines: Iterable[str]) -> list[dict]:
    """Pack lines into as few section blocks as fit MAX_TEXT each."""
    blocks: list[dict] = []
    current = ""
    for line in lines:
        for piece in _chunks(line, MAX_TEXT):
            if current and len(current) + 1 + len(piece) > MAX_TEXT:
                blocks.append(mrkdwn(current))
                current = ""
            current = f"{current}\n{piece}" if current else piece
    if current:
        blocks.append(mrkdwn(current))
    return blocks


def option_buttons(options: Iterable[Option]) -> list[dict]:
    return actions([button(o.label, f"{ACTION_QUERY}_{i}", o.query) for i, o in enumerate(options)])


# --- answers --------------------------------------------------------------------------


def level_blocks(answer: LevelAnswer, shareable: bool, source_url: str) -> list[dict]:
    level = answer.level
    blocks = [
        header(level.name),
        context(f"*{escape(level.track)}*", *(f"{escape(m.label)}: {escape(m.value)}" for m in level.metadata)),
    ]
    if level.tagline:
        blocks.append(mrkdwn(f"> _{escape(level.tagline)}_"))
    blocks += [mrkdwn(escape(note)) for note in level.notes]
    if answer.empty_note:
        blocks.append(mrkdwn(f"_{escape(answer.empty_note)}_"))
    for section in level.sections:
        title = escape(_titled(section.emoji, section.full_name))  # "Craft › Code" for a sub-category
        lines = [f"*{title}*"]
        lines += [escape(note) for note in section.notes if not section.competencies]
        for c in section.competencies:
            lines.append(f"{'    ' * c.depth}{'•' if c.depth == 0 else '◦'} {escape(c.text)}")
            if answer.show_examples:  # examples written under this very criterion
                lines += [f"{'    ' * (c.depth + 1)}› _{escape(e)}_" for e in c.examples]
        if section.examples and (answer.show_examples or not section.competencies):
            lines.append("_Examples_" if section.competencies else "")
            lines += [f"◦ {escape(e)}" for e in section.examples]
        blocks += sections_from_lines(line for line in lines if line)
    buttons = []
    if level.example_count and not answer.show_examples:
        buttons.append(button("Show examples", f"{ACTION_QUERY}_examples", level_query(level) + " --examples"))
    for i, other in enumerate(answer.next_levels):
        label = "Compare with next level" if len(answer.next_levels) == 1 else f"Compare with {other.title}"
        buttons.append(button(label, f"{ACTION_QUERY}_next_{i}", compare_query(level, other)))
    for i, other in enumerate(answer.previous_levels):
        label = "Compare with previous level" if len(answer.previous_levels) == 1 else f"Compare with {other.title}"
        buttons.append(button(label, f"{ACTION_QUERY}_prev_{i}", compare_query(other, level)))
    link = _source_link(level, source_url)
    if link:
        buttons.append(button("Source document", ACTION_LINK, url=link))
    if shareable:
        buttons.append(
            button(
                "Share in channel", ACTION_SHARE, level_query(level) + (" --examples" if answer.show_examples else "")
            )
        )
    return blocks + actions(buttons, "level")


def comparison_blocks(comparison: Comparison, shareable: bool) -> list[dict]:
    lower, higher = comparison.lower, comparison.higher
    counts = comparison.counts
    blocks = [
        header(f"{lower.name} → {higher.name}"),
        context(
            f"*{counts['new']}* new at {escape(higher.label)}",
            f"*{counts['changed']}* changed in degree",
            f"*{counts['dropped']}* {escape(comparison.dropped_summary)}",
            f"*{counts['unchanged']}* the same",
            escape(lower.track if lower.track_key == higher.track_key else f"{lower.track} → {higher.track}"),
        ),
    ]
    if comparison.metadata:
        lines = ["*What changes around the role*"]
        lines += [
            f"• *{escape(m.label)}*: {escape(m.before or '—')} → {escape(m.after or '—')}" for m in comparison.metadata
        ]
        blocks += sections_from_lines(lines)
    for section in comparison.sections:
        if not section.has_changes:
            continue
        title = escape(_titled(section.emoji, section.name))
        if section.status != "both":
            title += f" (only at {escape(higher.label if section.status == 'new' else lower.label)})"
        lines = [f"*{title}*"]
        if section.new:
            lines += [f"_New at {escape(higher.label)}_", *(f"• {escape(c.text)}" for c in section.new)]
        if section.changed:
            lines += ["_Changes in degree_", *(f"• {diff_mrkdwn(c)}" for c in section.changed)]
        if section.dropped:
            lines += [f"_{escape(comparison.dropped_label)}_", *(f"• {escape(c.text)}" for c in section.dropped)]
        blocks += sections_from_lines(lines)
    buttons = [
        button(f"Show {lower.name}", f"{ACTION_QUERY}_lower", level_query(lower)),
        button(f"Show {higher.name}", f"{ACTION_QUERY}_higher", level_query(higher)),
    ]
    if shareable:
        buttons.append(button("Share in channel", ACTION_SHARE, compare_query(lower, higher)))
    return blocks + actions(buttons, "compare")


def search_blocks(answer: SearchAnswer, shareable: bool) -> list[dict]:
    if not answer.hits:
        blocks = [mrkdwn(f"Nothing in the ladder speaks of “{literal(answer.query)}”. Try one of these:")]
        return blocks + option_buttons(answer.suggestions)
    blocks = [header(f"Competencies about “{answer.query}”")]
    for i, hit in enumerate(answer.hits):
        where = hit.level.name if not hit.also_at else f"{hit.where} ({hit.level.track})"
        text = f"• {escape(hit.competency.text)}\n_{escape(where)} · {escape(hit.section.full_name)}_"
        blocks.append(
            mrkdwn(text, button(f"Open {hit.level.label}", f"{ACTION_QUERY}_hit_{i}", level_query(hit.level)))
        )
    if shareable:
        blocks += actions([button("Share in channel", ACTION_SHARE, answer.query)], "search")
    return blocks


def help_blocks(answer: HelpAnswer, command: str = "/ladder") -> list[dict]:
    lines = []
    if answer.message:
        lines.append(command_table.as_installed(escape(answer.message), command))
    lines += [
        "*Ask about the career ladder*",
        *(f"• {command_table.typed(command, escape(q))}" for q in answer.examples),
        "You can also mention me in a channel or write to me in a direct message.",
        "*Grow towards a level*",
        *command_table.growth_lines(command),
    ]
    return [header("ladderbot: your career ladder in Slack"), *sections_from_lines(lines)]


# --- messages ---------------------------------------------------------------------------


def paginate(blocks: list[dict], fallback: str) -> list[Message]:
    """Split blocks into messages of at most MAX_BLOCKS; at most MAX_MESSAGES of them.
    `fallback`, the notification text, is mrkdwn too: the caller escapes it."""
    fallback = truncate(fallback, MAX_FALLBACK)
    pages = [blocks[i : i + MAX_BLOCKS] for i in range(0, len(blocks), MAX_BLOCKS)] or [[mrkdwn(fallback)]]
    if len(pages) > MAX_MESSAGES:
        pages = pages[:MAX_MESSAGES]
        last = pages[-1][: MAX_BLOCKS - 1]
        pages[-1] = last + [context("…that is all that fits in Slack: ask a narrower question to see the rest.")]
    return [Message(fallback if i == 0 else f"{fallback} (part {i + 1})", page) for i, page in enumerate(pages)]


def _titled(emoji: str, name: str) -> str:
    return f"{emoji} {name}" if emoji else name


def _source_link(level: Level, source_url: str) -> str:
    """A web link to the document, or "" (a malformed URL would make Slack refuse the message)."""
    if level.source_url:
        link = level.source_url
    elif source_url and level.source:
        link = f"{source_url}/{quote(level.source)}"
    else:
        return ""
    parsed = urlparse(link)
    return link if parsed.scheme in ("http", "https") and parsed.netloc and len(link) <= 3000 else ""


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]
