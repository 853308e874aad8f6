"""The `ladderbot` command line: ask questions, check content, run the bot."""

from __future__ import annotations

import sys

import click
from rich.console import Console

from bot.config import ConfigError, Settings, load_settings
from bot.ladder.answers import Answerer
from bot.ladder.loader import load_ladder
from bot.render_text import print_answer


class _FriendlyGroup(click.Group):
    """Turn configuration errors into one clear line and a non-zero exit."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            click.echo(f"ladderbot: {error}", err=True)
            sys.exit(2)


@click.group(cls=_FriendlyGroup)
@click.option("--content", "content_dir", metavar="DIR", envvar="LADDER_CONTENT_DIR",
              help="Folder of level documents (default: ./ladder_content).")
@click.version_option(package_name="ladderbot")
@click.pass_context
def cli(ctx: click.Context, content_dir: str | None) -> None:
    """ladderbot: your engineering career ladder, in Slack and in the terminal."""
    ctx.obj = {"content_dir": content_dir}


def settings_from(ctx: click.Context, **kwargs) -> Settings:
    return load_settings(content_dir=ctx.obj.get("content_dir"), **kwargs)


def _answerer(settings: Settings) -> Answerer:
    result = load_ladder(settings.content_dir)
    for problem in result.errors:
        click.echo(f"warning: skipped {problem}", err=True)
    return Answerer(result.ladder)


@cli.command()
@click.argument("question", nargs=-1, required=True)
@click.option("--examples", "-e", is_flag=True, help="Show each section's examples.")
@click.pass_context
def ask(ctx: click.Context, question: tuple[str, ...], examples: bool) -> None:
    """Answer a ladder question, e.g. ladderbot ask "what separates L2 from L3?"."""
    answerer = _answerer(settings_from(ctx))
    print_answer(answerer.ask(" ".join(question), examples=examples), Console(soft_wrap=False))


@cli.group()
def content() -> None:
    """Check the level documents."""


@content.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.pass_context
def content_check(ctx: click.Context, directory: str | None) -> None:
    """List tracks, levels and counts; exit non-zero if a file could not be loaded."""
    settings = settings_from(ctx) if directory is None else None
    root = directory or str(settings.content_dir)  # type: ignore[union-attr]
    result = load_ladder(root)
    console = Console(soft_wrap=True)
    console.print(f"[bold]{root}[/]: {len(result.ladder)} levels in {len(result.ladder.tracks)} tracks")
    for track in result.ladder.tracks.values():
        console.print(f"\n[bold cyan]{track.name}[/]")
        for level in track.levels:
            console.print(f"  {level.name:<40} {level.competency_count:>3} competencies {level.example_count:>3} examples   {level.source}")
            for section in level.sections:
                console.print(f"      {section.name[:48]:<48} {len(section.competencies):>3} {len(section.examples):>3}", style="dim")
    for problem in result.problems:
        style = "red" if problem.severity == "error" else "yellow"
        console.print(f"[{style}]{problem.severity}[/]: {problem}", markup=True, highlight=False)
    if result.errors or not len(result.ladder):
        sys.exit(1)


def main() -> None:
    cli(prog_name="ladderbot")
