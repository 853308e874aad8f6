"""Ladder-change notes, sent from the clock process only (one process, so several web
workers never race; the claim before sending makes it at most once per person anyway).

Each tick compares the ladder the clock serves with the versions kept in the database
(bot.growth.changes): the first load and a restart tell nobody; a changed level tells the
people whose current or target level it is, once. LADDERBOT_CHANGE_NOTES=off or
`change_notes = false` in the ladder's manifest turns the notes off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.content import Content
from bot.growth.changes import ChangeNotes, notes_enabled
from bot.ladder.manifest import ManifestError, load_manifest
from bot.slackkit.change_note_blocks import change_note_blocks, change_note_text
from storage import Store

log = logging.getLogger(__name__)


def enabled_for(content: Content) -> bool:
    """Off when the environment or the ladder's manifest says so."""
    if not notes_enabled():
        return False
    try:
        manifest = load_manifest(content.directory)
    except ManifestError:
        return True  # a broken manifest is reported by the content load; it keeps the default
    return manifest is None or manifest.change_notes


def send_change_notes(
    store: Store, content: Content, client_for: Callable[[str], WebClient | None], now: datetime
) -> int:
    """Check the served ladder and send the notes due, each with the client of its person's
    workspace (`client_for(team_id)`; None: no usable token there, so no note); how many
    were sent."""
    notes = ChangeNotes(store, enabled=enabled_for(content))
    sent = 0
    for note in notes.check(content.answerer.ladder.levels, now=now):
        client = client_for(note.team_id)
        if client is None or not notes.claim(note, now=now):
            continue  # told already (another process, an earlier tick), or forgotten meanwhile
        try:
            client.chat_postMessage(
                channel=note.user_id, text=change_note_text(note), blocks=change_note_blocks(note), unfurl_links=False
            )
            sent += 1
        except (SlackApiError, OSError) as error:  # claimed: at most once, so this one is not retried
            log.warning(
                "change note for %s/%s about %s not delivered: %s",
                note.team_id,
                note.user_id,
                note.change.level.id,
                error,
            )
    if sent:
        log.info("change notes: %d sent", sent)
    return sent
