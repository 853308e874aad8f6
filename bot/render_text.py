"""Draw answers for the terminal with rich: the same answers Slack gets as Block Kit."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from bot.ladder.answers import (
    Answer,
    ChoiceAnswer,
    CompareAnswer,
    HelpAnswer,
    LevelAnswer,
    NotFoundAnswer,
    SearchAnswer,
)
from bot.ladder.compare import ChangedCompetency, Comparison

_STYLES = {"removed": "strike red", "added": "bold green", "same": ""}
# Markers keep a word diff readable where there is no colour (pipes, logs, CI).
_MARKERS = {"removed": ("[-", "-]"), "added": ("{+", "+}"), "same": ("", "")}


def print_answer(answer: Answer, console: Console | None = None) -> None:
    (console or Console()).print(render(answer))


def render(answer: Answer) -> Group:
    if isinstance(answer, LevelAnswer):
        return _level(answer)
    if isinstance(answer, CompareAnswer):
        return _comparison(answer.comparison)
    if isinstance(answer, SearchAnswer):
        return _search(answer)
    if isinstance(answer, ChoiceAnswer):
        return Group(
            Text(answer.question, style="bold"),
            *(_bullet(f'{o.label}   → ladderbot ask "{o.query}"') for o in answer.options),
        )
    if isinstance(answer, NotFoundAnswer):
        lines: list[RenderableType] = [Text(answer.message, style="bold")]
        if answer.suggestions:
            lines.append(Text("Nearest levels:"))
            lines.extend(_bullet(o.label) for o in answer.suggestions)
        return Group(*lines)
    return _help(answer)


def _level(answer: LevelAnswer) -> Group:
    level = answer.level
    parts: list = [Rule(f"[bold]{escape(level.name)}[/] · {escape(level.track)}", align="left")]
    if level.tagline:
        parts.append(Padding(Text(level.tagline, style="italic"), (0, 0, 1, 2)))
    for item in level.metadata:
        parts.append(_hanging(" ", Text.assemble((f"{item.label}: ", "bold"), item.value)))
    parts.extend(Padding(Text(note), (0, 0, 0, 2)) for note in level.notes)
    if answer.empty_note:
        parts.append(Padding(Text(answer.empty_note, style="italic"), (0, 0, 0, 2)))
    for section in level.sections:
        indent = 2 * section.depth  # a sub-category sits under its parent
        style = "bold cyan" if section.depth == 0 else "bold"
        parts.append(
            Text(
                f"\n{' ' * indent}{section.emoji} {section.name}".replace("  ", " ").replace("\n ", "\n")
                if not indent
                else f"\n{' ' * indent}{section.name}",
                style=style,
            )
        )
        parts.extend(Padding(Text(note, style="italic"), (0, 0, 0, indent + 2)) for note in section.notes)
        for c in section.competencies:
            parts.append(_bullet(c.text, indent=indent + 2 + 2 * c.depth, mark="•" if c.depth == 0 else "◦"))
            if answer.show_examples:
                parts.extend(_bullet(e, "dim", indent=indent + 6 + 2 * c.depth, mark="›") for e in c.examples)
        if section.examples and (answer.show_examples or not section.competencies):
            parts.append(Text(" " * (indent + 2) + "Examples", style="bold dim"))
            parts.extend(_bullet(e, "dim", indent=indent + 4) for e in section.examples)
    hints = []
    if not answer.show_examples and level.example_count:
        hints.append(f"{level.example_count} examples: add --examples")
    for other in answer.next_levels:
        hints.append(f"next: compare {level.label} and " + " ".join(p for p in (other.code, other.title.lower()) if p))
    if hints:
        parts.append(Text("\n" + " · ".join(hints), style="dim"))
    return Group(*parts)


def _comparison(comparison: Comparison) -> Group:
    lower, higher = comparison.lower, comparison.higher
    counts = comparison.counts
    parts: list = [
        Rule(f"[bold]{escape(lower.name)}[/] → [bold]{escape(higher.name)}[/]", align="left"),
        Text(
            f"{counts['new']} new, {counts['changed']} changed in degree, {counts['dropped']} {comparison.dropped_summary}, "
            f"{counts['unchanged']} the same",
            style="dim",
        ),
    ]
    if lower.track_key != higher.track_key:
        parts.append(Text(f"Note: these are in different tracks ({lower.track}, {higher.track}).", style="yellow"))
    if comparison.metadata:
        parts.append(Text("\nWhat changes around the role", style="bold cyan"))
        for change in comparison.metadata:
            parts.append(
                _hanging(
                    "  ~",
                    Text.assemble(
                        (f"{change.label}: ", "bold"),
                        (change.before or "—", "red"),
                        " → ",
                        (change.after or "—", "green"),
                    ),
                )
            )
    for section in comparison.sections:
        if not section.has_changes:
            continue
        title = f"\n{section.emoji} {section.name}".replace("\n ", "\n")
        if section.status != "both":
            title += "  (only at " + (higher.label if section.status == "new" else lower.label) + ")"
        parts.append(Text(title, style="bold cyan"))
        parts.extend(_labelled("New", c.text, "green") for c in section.new)
        parts.extend(_changed(c) for c in section.changed)
        parts.extend(_labelled(comparison.dropped_label, c.text, "dim") for c in section.dropped)
    return Group(*parts)


def _changed(change: ChangedCompetency) -> Table:
    text = Text()
    for i, piece in enumerate(change.pieces):
        start, end = _MARKERS[piece.op]
        text.append(("" if i == 0 else " ") + start + piece.text + end, style=_STYLES[piece.op])
    return _hanging("  ~", Text("Changes: ", style="yellow") + text)


def _labelled(label: str, body: str, style: str) -> Table:
    mark = "+" if label == "New" else "-" if label.startswith(("Not repeated", "Still expected")) else "•"
    return _hanging(f"  {mark}", Text.assemble((f"{label}: ", style), body))


def _search(answer: SearchAnswer) -> Group:
    if not answer.hits:
        lines: list[RenderableType] = [Text(f"Nothing in the ladder speaks of “{answer.query}”.", style="bold")]
        if answer.suggestions:
            lines.append(Text("Try for example:"))
            lines.extend(_bullet(o.query) for o in answer.suggestions)
        return Group(*lines)
    parts: list = [Rule(f"Competencies about “{escape(answer.query)}”", align="left")]
    for hit in answer.hits:
        parts.append(
            _hanging(
                "  •",
                Text(hit.competency.text)
                + Text(
                    f"\n{hit.level.name if not hit.also_at else hit.where} ({hit.level.track}) · {hit.section.full_name}",
                    style="dim",
                ),
            )
        )
    return Group(*parts)


def _help(answer: HelpAnswer) -> Group:
    parts: list = []
    if answer.message:
        parts.append(Text(answer.message, style="bold"))
    parts.append(Text("Ask me about the career ladder, for example:"))
    parts.extend(_bullet(f'ladderbot ask "{q}"') for q in answer.examples)
    return Group(*parts)


def _bullet(text: str, style: str = "", indent: int = 2, mark: str = "•") -> Table:
    return _hanging(" " * indent + mark, Text(text, style=style))


def _hanging(mark: str, body: Text) -> Table:
    """A bullet whose wrapped lines stay indented under its text."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(mark, body)
    return grid
