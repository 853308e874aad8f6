"""A person's reflections as a markdown document: the start of a promotion packet."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from bot.ladder.model import Level
from storage import Reflection


def journal_markdown(reflections: list[Reflection], target: Level | None, now: datetime) -> str:
    """Reflections grouped by the competency they answer, in the target level's order."""
    title = f"for {target.name} ({target.track})" if target else ""
    lines = [
        f"# My reflection journal {title}".rstrip(),
        "",
        f"_Exported {now:%d %B %Y}. {len(reflections)} reflection(s)._",
        "",
    ]
    groups: dict[str, list[Reflection]] = defaultdict(list)
    for reflection in sorted(reflections, key=lambda r: r.created_at):
        groups[reflection.competency_text or ""].append(reflection)
    for competency in _ordered(groups, target):
        lines.append(f"## {competency}" if competency else "## Other reflections")
        lines.append("")
        for reflection in groups[competency]:
            lines.append(f"**{reflection.created_at:%d %b %Y}**")
            lines.append("")
            lines.extend(f"> {line}" if line else ">" for line in reflection.text.splitlines())
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _ordered(groups: dict[str, list[Reflection]], target: Level | None) -> list[str]:
    order = [c.text for s in target.sections for c in s.competencies] if target else []
    position = {text: i for i, text in enumerate(order)}
    return sorted(groups, key=lambda text: (text == "", position.get(text, len(order)), text))
