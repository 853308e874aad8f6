"""The `ladderbot` command line: ask questions, check content, run the bot."""

from __future__ import annotations

import sys

import click
from rich.console import Console

from bot.config import ConfigError, Settings, StartupError, load_settings
from bot.ladder.answers import Answerer
from bot.ladder.loader import load_ladder
from bot.render_text import print_answer


class _FriendlyGroup(click.Group):
    """Turn configuration errors, and a database that cannot be reached, into one clear
    line (URLs redacted) and a non-zero exit: never a traceback."""

    def invoke(self, ctx: click.Context):
        from bot.logs import redact
        from storage import SchemaOutOfDate, StorageError

        try:
            return super().invoke(ctx)
        except (ConfigError, StartupError, SchemaOutOfDate) as error:
            click.echo(f"ladderbot: {redact(str(error))}", err=True)
            sys.exit(2)
        except StorageError as error:
            click.echo(f"ladderbot: {redact(str(error))}", err=True)
            sys.exit(1)


@click.group(cls=_FriendlyGroup)
@click.option(
    "--content",
    "content_dir",
    metavar="DIR",
    envvar="LADDER_CONTENT_DIR",
    help="Folder of level documents (default: ./ladder_content).",
)
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
    settings = settings_from(ctx)
    answerer = _answerer(settings)
    if not answerer.ladder.levels:
        click.echo(
            f"ladderbot: no level found in {settings.content_dir}; "
            f"`ladderbot content check {settings.content_dir}` says what was read and why",
            err=True,
        )
        sys.exit(1)
    print_answer(answerer.ask(" ".join(question), examples=examples), Console(soft_wrap=False))


@cli.group()
def content() -> None:
    """Check the level documents."""


@content.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.pass_context
def content_check(ctx: click.Context, directory: str | None) -> None:
    """List tracks, levels in rank order and criteria per level and category, and every
    skipped file with its reason; exit non-zero only on real errors (no level at all, a
    broken manifest, a file that claims to be a level and cannot be read)."""
    from pathlib import Path

    from bot.content import workspace_folders

    settings = settings_from(ctx) if directory is None else None
    root = directory or str(settings.content_dir)  # type: ignore[union-attr]
    console = Console(soft_wrap=True, highlight=False)
    failed = False
    for folder in [root, *map(str, workspace_folders(Path(root)))]:  # the shared ladder, then each workspace's own
        if folder != root:
            console.print(f"\n[bold]workspace {escape_markup(folder.rsplit('/', 1)[-1])}'s own ladder[/]")
        result = load_ladder(folder)
        print_found(console, folder, result)
        failed = failed or bool(result.errors) or not len(result.ladder)
    if failed:
        sys.exit(1)


def escape_markup(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def print_found(console: Console, root: str, result) -> None:
    """What a content folder holds, as `content check` and `content init` show it."""
    from rich.markup import escape

    console.print(f"[bold]{escape(str(root))}[/]: {len(result.ladder)} levels in {len(result.ladder.tracks)} tracks")
    for track in result.ladder.tracks.values():
        department = f"  ({escape(track.levels[0].department)})" if track.levels[0].department else ""
        console.print(f"\n[bold cyan]{escape(track.name)}[/]{department}")
        for level in track.levels:
            console.print(
                f"  {escape(level.name):<40} {level.competency_count:>3} competencies {level.example_count:>3} examples"
                f"   {escape(level.source)}" + (f" ({level.shape})" if level.shape not in ("", "file") else "")
            )
            for section in level.sections:
                name = ("  " * section.depth + section.name)[:48]
                console.print(
                    f"      {escape(name):<48} {len(section.competencies):>3} {len(section.examples):>3}", style="dim"
                )
    for problem in result.skipped:
        console.print(f"[dim]skipped: {escape(str(problem))}[/]")
    for problem in result.problems:
        style = "red" if problem.severity == "error" else "yellow"
        console.print(f"[{style}]{problem.severity}[/]: {escape(str(problem))}")
    if not len(result.ladder):
        console.print("[red]error[/]: no level found in this folder")


@content.command("init")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.pass_context
def content_init(ctx: click.Context, directory: str | None) -> None:
    """Inspect a folder, print what it holds (tracks, levels in rank order, criteria, what was
    skipped and why) and write a draft ladder.toml there for its owner to edit."""
    from pathlib import Path

    from bot.ladder.manifest import draft_manifest, find_manifest

    root = Path(directory) if directory else settings_from(ctx).content_dir
    result = load_ladder(root)
    console = Console(soft_wrap=True, highlight=False)
    print_found(console, str(root), result)
    if not len(result.ladder):
        sys.exit(1)
    draft = draft_manifest(list(result.ladder.levels))
    existing = find_manifest(root)
    if existing is not None:
        click.echo(f"\n{existing.name} already exists; not overwritten. A fresh draft:\n\n{draft}")
        return
    try:
        (root / "ladder.toml").write_text(draft, encoding="utf-8")
    except OSError as error:
        click.echo(f"\ncannot write {root / 'ladder.toml'} ({error.strerror}); the draft:\n\n{draft}")
        sys.exit(1)
    click.echo(f"\nwrote {root / 'ladder.toml'}: edit it to name tracks, order levels, add aliases.")


@content.command("reload")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.pass_context
def content_reload(ctx: click.Context, directory: str | None) -> None:
    """Check the documents, then have running bots reload them without a restart."""
    from pathlib import Path

    from bot.content import request_reload, workspace_folders

    root = Path(directory) if directory else settings_from(ctx).content_dir
    for folder in [root, *workspace_folders(root)]:  # a workspace's own ladder is checked like the shared one
        result = load_ladder(folder)
        for problem in result.problems:
            click.echo(f"{problem.severity}: {problem}", err=True)
        if result.errors or not len(result.ladder):
            click.echo(
                f"not reloaded: fix the errors above in {folder}; running bots keep serving their current content",
                err=True,
            )
            sys.exit(1)
    result = load_ladder(root)
    try:
        request_reload(root)
    except OSError as error:
        click.echo(f"ladderbot: cannot signal a reload in {root}: {error.strerror}", err=True)
        sys.exit(1)
    click.echo(f"{len(result.ladder)} levels checked; running ladderbot processes reload within a few seconds")


@cli.command()
@click.option("--http", "http_mode", is_flag=True, help="HTTP mode (production) instead of Socket Mode.")
@click.option("--port", type=int, help="HTTP port (default: $PORT, then 3000).")
@click.option("--host", default="0.0.0.0", show_default=True, help="HTTP address to listen on.")
@click.option(
    "--workers",
    type=int,
    envvar="WEB_CONCURRENCY",
    default=2,
    show_default=True,
    help="HTTP worker processes ($WEB_CONCURRENCY).",
)
@click.pass_context
def serve(ctx: click.Context, http_mode: bool, port: int | None, host: str, workers: int) -> None:
    """Run the Slack app: Socket Mode by default, HTTP with --http."""
    if http_mode:
        _share_metrics_between_workers()
    from bot.logs import configure_logging
    from bot.slack.app import start_app
    from bot.slack.deps import build_deps

    if http_mode and load_settings_oauth():
        required: tuple[str, ...] = ("SLACK_SIGNING_SECRET",)  # every token comes from the installations
    else:
        required = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET") if http_mode else ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN")
    settings = settings_from(ctx, require=required)
    configure_logging(settings.secrets)
    deps = build_deps(settings)
    app = start_app(deps, socket_mode=not http_mode)
    if http_mode:
        from bot.slack.http import make_wsgi, serve_http

        def health() -> dict:
            return {"ok": True, "levels": len(deps.content.answerer.ladder)}

        application = make_wsgi(
            app, health, signing_secret=settings.slack_signing_secret or "", max_body_bytes=settings.max_body_bytes
        )
        serve_http(
            application,
            host=host,
            port=port or settings.port,
            workers=workers,
            request_timeout=settings.request_timeout,
            after_fork=deps.store.dispose,
            before_exit=deps.work.drain,
        )
    else:
        import signal

        from bot.slack.socket_mode import serve_socket_mode

        signal.signal(signal.SIGHUP, lambda *_: deps.content.reload())  # reload content without a restart
        serve_socket_mode(app, settings, before_exit=deps.work.drain)


def load_settings_oauth() -> bool:
    """Multi-workspace mode (README "Installing in many workspaces")."""
    import os

    return bool(os.environ.get("SLACK_CLIENT_ID", "").strip() and os.environ.get("SLACK_CLIENT_SECRET", "").strip())


def _share_metrics_between_workers() -> None:
    """gunicorn's workers each count into files in one folder that GET /metrics adds up;
    prometheus-client reads where from the environment, before it is first imported."""
    import atexit
    import os
    import shutil
    import tempfile

    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        folder = tempfile.mkdtemp(prefix="ladderbot-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
        master = os.getpid()

        def remove_folder() -> None:
            if os.getpid() == master:  # forked workers inherit atexit handlers: only the master cleans up
                shutil.rmtree(folder, ignore_errors=True)

        atexit.register(remove_folder)


@cli.group()
def db() -> None:
    """Manage the database."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply the database migrations (the Procfile's release step)."""
    import storage
    from bot.logs import redact

    settings = settings_from(ctx)
    try:
        storage.upgrade(settings.database_url)
    except storage.DatabaseUnavailable as error:
        click.echo(f"ladderbot: {redact(str(error))}", err=True)
        sys.exit(1)
    click.echo(f"database at revision {storage.current_revision(settings.database_url)}")


@db.command("forget")
@click.argument("team_id")
@click.argument("user_id")
@click.pass_context
def db_forget(ctx: click.Context, team_id: str, user_id: str) -> None:
    """Delete every row about one person (what `/ladder forget me` does), e.g. for a request by email."""
    import storage

    settings = settings_from(ctx)
    store = storage.Store(settings.database_url)
    if not settings.slack_bot_token:
        copies = store.take_back_copies(team_id, person_id=user_id)
        _echo_deleted(store.forget_person(team_id, user_id))
        if copies:
            click.echo(
                f"{len(copies)} copies of what was shared with a manager stay in Slack DMs: "
                "without SLACK_BOT_TOKEN I cannot delete them",
                err=True,
            )
        return
    _forget_with_slack(settings, store, team_id, user_id)


def _echo_deleted(deleted: dict[str, int]) -> None:
    click.echo("deleted " + ", ".join(f"{count} {table}" for table, count in deleted.items()))


def _forget_with_slack(settings: Settings, store, team_id: str, user_id: str) -> None:
    """As `forget me` does: the rows and the shared copies in managers' DMs first (nothing,
    not even a broken ladder, may stand in their way), then their App Home published again
    (it still shows what was just deleted)."""
    from bot.slack.personal import forget_everything
    from bot.slack.replies import Asker
    from bot.slackkit.client import make_client

    asker = Asker(team_id, user_id, make_client(settings))
    deleted, kept = forget_everything(store, asker)
    _echo_deleted(deleted)
    if kept:
        click.echo(f"{kept} copies of what was shared with a manager could not be deleted from Slack", err=True)
    _refresh_home(settings, store, asker)


def _refresh_home(settings: Settings, store, asker) -> None:
    """Their App Home still shows what was just deleted: publish it again."""
    from bot.content import Content
    from bot.slack.deps import Deps
    from bot.slack.personal import republish_home

    deps = Deps(settings=settings, content=Content(settings.content_dir), store=store)
    if republish_home(deps, asker):
        click.echo("their App Home is refreshed")
    else:
        click.echo("their App Home could not be refreshed now; it will be when they next open it", err=True)


@db.command("forget-workspace")
@click.argument("team_id")
@click.pass_context
def db_forget_workspace(ctx: click.Context, team_id: str) -> None:
    """Delete every row of one workspace now, its installation included (what an uninstall
    does after the grace period)."""
    import storage

    settings = settings_from(ctx)
    deleted = storage.Store(settings.database_url).forget_workspace(team_id)
    click.echo(
        f"workspace {team_id}: deleted "
        + (", ".join(f"{count} {table}" for table, count in deleted.items()) or "nothing (no rows)")
    )


@db.command("forget-departed")
@click.option("--at", "at", metavar="ISO-8601", help="Run as if it were this instant (default: now).")
@click.pass_context
def db_forget_departed(ctx: click.Context, at: str | None) -> None:
    """Delete the data of workspaces that uninstalled longer ago than the grace period
    (LADDERBOT_FORGET_WORKSPACE_AFTER_DAYS); the clock does this on every tick."""
    from datetime import timedelta

    import storage
    from bot.logs import configure_logging
    from bot.nudges.clock import forget_departed_workspaces

    settings = settings_from(ctx)
    configure_logging(settings.secrets)
    # Which workspaces are installed again, as the installations (or SLACK_BOT_TOKEN) say.
    installed = _runner(ctx).installed_teams() if settings.oauth or settings.slack_bot_token else set()
    store = storage.Store(settings.database_url)
    teams = forget_departed_workspaces(
        store, _instant(at), timedelta(days=settings.forget_workspace_after_days), installed
    )
    click.echo(f"forgot {len(teams)} departed workspaces" + (f": {', '.join(teams)}" if teams else ""))


@cli.group()
def nudges() -> None:
    """Send growth prompts."""


def _runner(ctx: click.Context):
    import storage
    from bot.content import Content
    from bot.logs import configure_logging
    from bot.nudges.runner import NudgeRunner

    settings = settings_from(ctx, require=() if load_settings_oauth() else ("SLACK_BOT_TOKEN",))
    configure_logging(settings.secrets)
    storage.prepare(settings.database_url)
    store, content = storage.Store(settings.database_url), Content(settings.content_dir)
    if settings.oauth:
        from bot.nudges.installations import EveryInstallation

        return EveryInstallation(store, content, settings)
    return NudgeRunner.from_settings(store, content, settings)


@nudges.command("run-due")
@click.option("--at", "at", metavar="ISO-8601", help="Run as if it were this instant (default: now).")
@click.pass_context
def nudges_run_due(ctx: click.Context, at: str | None) -> None:
    """Send every prompt due at that instant, once, and print a summary."""
    import storage

    now = _instant(at)
    runner = _runner(ctx)
    try:
        summary = runner.run_due(now)
    except storage.DatabaseUnavailable as error:
        from bot.logs import redact

        click.echo(f"ladderbot: nothing sent: {redact(str(error))}", err=True)
        sys.exit(1)
    click.echo(summary.line())


@cli.command()
@click.option("--every", default=5, show_default=True, help="Minutes between runs.")
@click.option(
    "--metrics-port",
    type=int,
    envvar="METRICS_PORT",
    default=9102,
    show_default=True,
    help="Serve Prometheus metrics on this port ($METRICS_PORT; 0: off).",
)
@click.pass_context
def clock(ctx: click.Context, every: int, metrics_port: int) -> None:
    """Run due prompts on a schedule (the Procfile's clock process)."""
    from datetime import timedelta

    from bot.nudges.clock import run_clock

    runner = _runner(ctx)
    grace = timedelta(days=settings_from(ctx).forget_workspace_after_days)
    run_clock(runner, every, metrics_port, forget_workspaces_after=grace)


def _instant(text: str | None):
    from datetime import datetime, timezone

    if not text:
        return datetime.now(timezone.utc)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not an ISO-8601 date and time, e.g. 2026-11-23T10:05:00+00:00", param_hint="--at"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def main() -> None:
    cli(prog_name="ladderbot")
