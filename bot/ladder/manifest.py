"""The optional manifest, `ladder.toml` or `ladder.yml` at the content root: where
detection guesses, the ladder's owner has the last word.

    source_url = "https://git.example.com/ladder/blob/main"   # "Source document" links
    cumulative = true          # a level includes everything below it
    include = ["**/*.md"]      # only these files (globs from the root)
    exclude = ["drafts/**"]

    [[tracks]]
    name = "Software Engineering"
    department = "Engineering"
    files = ["Engineering/Software-Engineering/**"]
    levels = ["L1.0", "L2", "Senior Software Engineer", "L4"]   # rank order, by code or title

    [aliases]
    "L3" = ["SSE", "senior dev"]

(`change_notes = false`, before the tables, turns off the DMs about changed levels, as
LADDERBOT_CHANGE_NOTES=off does.)
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote

import yaml

from .model import Level, slugify
from .parser import UnsafeYaml, load_yaml

MANIFEST_NAMES = ("ladder.toml", "ladder.yml", "ladder.yaml")
_KNOWN_KEYS = {"source_url", "cumulative", "include", "exclude", "tracks", "aliases", "change_notes"}


class ManifestError(ValueError):
    """The manifest cannot be read or says something that cannot be."""


@dataclass(frozen=True)
class TrackRule:
    name: str
    files: tuple[str, ...] = ()
    department: str = ""
    levels: tuple[str, ...] = ()  # rank order, by code or title


@dataclass(frozen=True)
class Manifest:
    path: str
    source_url: str = ""
    cumulative: bool = False
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    tracks: tuple[TrackRule, ...] = ()
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    change_notes: bool = True  # tell people when their level's criteria change

    def wants(self, source: str) -> bool:
        if self.include and not any(_matches(source, p) for p in self.include):
            return False
        return not any(_matches(source, p) for p in self.exclude)

    def apply(self, levels: list[Level]) -> list[Level]:
        """Levels with the manifest's tracks, aliases, cumulative flag and source links."""
        out = []
        for level in levels:
            rule = next((t for t in self.tracks if any(_matches(level.source, p) for p in t.files)), None)
            if rule is not None:
                department = rule.department or level.department
                key = slugify(f"{department} {rule.name}" if department else rule.name)
                level = replace(
                    level,
                    track=rule.name,
                    track_key=key,
                    department=department,
                    id=f"{key}/{level.id.split('/', 1)[1]}",
                )
            extra = self.aliases.get(level.code.upper(), ()) + self.aliases.get(level.title.lower(), ())
            level = replace(
                level,
                aliases=level.aliases + tuple(a for a in extra if a not in level.aliases),
                cumulative=self.cumulative,
                source_url=level.source_url
                or (f"{self.source_url.rstrip('/')}/{quote(level.source)}" if self.source_url else ""),
            )
            out.append(level)
        return out

    def ranked(self, levels: list[Level]) -> list[Level]:
        """Levels ranked in the manifest's order, where it gives one for their track."""
        out = []
        for level in levels:
            rule = next((t for t in self.tracks if t.levels and slugify(t.name) in level.track_key), None)
            if rule is not None:
                names = [n.lower() for n in rule.levels]
                for candidate in (level.code.lower(), level.title.lower(), level.name.lower()):
                    if candidate and candidate in names:
                        level = replace(level, rank=names.index(candidate) + 1)
                        break
            out.append(level)
        return out


def _matches(source: str, pattern: str) -> bool:
    """A glob ("drafts/**", "*.md"), or a folder or file named as it is."""
    pattern = pattern.strip().strip("/")
    if any(c in pattern for c in "*?["):
        return fnmatch.fnmatch(source, pattern)
    return source == pattern or source.startswith(pattern + "/")


def find_manifest(root: Path) -> Path | None:
    return next((root / name for name in MANIFEST_NAMES if (root / name).is_file()), None)


def load_manifest(root: Path) -> Manifest | None:
    """The manifest of a content folder, None if it has none; ManifestError if broken."""
    path = find_manifest(root)
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else load_yaml(text, limit=200_000)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError, UnsafeYaml) as error:
        raise ManifestError(f"cannot be read: {str(error).splitlines()[0]}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ManifestError("must be a table of settings (source_url, cumulative, include, exclude, tracks, aliases)")
    unknown = set(data) - _KNOWN_KEYS
    if unknown:
        raise ManifestError(
            f"unknown setting(s): {', '.join(sorted(unknown))} (known: {', '.join(sorted(_KNOWN_KEYS))})"
        )
    try:
        return Manifest(
            path=path.name,
            source_url=str(data.get("source_url") or ""),
            cumulative=_boolean(data.get("cumulative", False)),
            change_notes=_boolean(data.get("change_notes", True), "change_notes"),
            include=_strings(data.get("include"), "include"),
            exclude=_strings(data.get("exclude"), "exclude"),
            tracks=tuple(_track(t) for t in _list(data.get("tracks"), "tracks")),
            aliases={_alias_key(k): _strings(v, f"aliases.{k}") for k, v in (data.get("aliases") or {}).items()},
        )
    except (TypeError, AttributeError) as error:
        raise ManifestError(str(error)) from None


def _alias_key(key: object) -> str:
    text = str(key)
    return text.upper() if any(c.isdigit() for c in text) and len(text) <= 6 else text.lower()


def _boolean(value: object, name: str = "cumulative") -> bool:
    if not isinstance(value, bool):
        raise ManifestError(f"{name} must be true or false, not {value!r}")
    return value


def _list(value: object, name: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ManifestError(f"{name} must be a list")
    return value


def _strings(value: object, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise ManifestError(f"{name} must be a list of names")
    return tuple(str(v) for v in value)


def _track(value: object) -> TrackRule:
    if not isinstance(value, dict) or not value.get("name"):
        raise ManifestError('each of tracks needs a name, e.g. name = "Software Engineering"')
    files = _strings(value.get("files") or value.get("folder"), "tracks.files")
    return TrackRule(
        str(value["name"]), files, str(value.get("department") or ""), _strings(value.get("levels"), "tracks.levels")
    )


def draft_manifest(levels: list[Level], source_url: str = "") -> str:
    """A ladder.toml that writes down what detection found, for the owner to edit."""
    lines = [
        "# ladderbot manifest: what `ladderbot content init` found. Edit it; it has the last word.",
        f'source_url = "{source_url}"  # where these files can be read on the web, for "Source document" links',
        "cumulative = false  # true: a level includes everything the levels below it ask",
        'include = []  # only files matching these globs, e.g. ["levels/**"]',
        'exclude = []  # never these, e.g. ["drafts/**"]',
    ]
    tracks: dict[str, list[Level]] = {}
    for level in levels:
        tracks.setdefault(level.track_key, []).append(level)
    for track_levels in tracks.values():
        first = track_levels[0]
        files = sorted({l.source.rsplit("/", 1)[0] + "/**" if "/" in l.source else l.source for l in track_levels})
        ordered = sorted(track_levels, key=lambda l: l.rank)
        lines += [
            "",
            "[[tracks]]",
            f"name = {_quoted(first.track)}",
            *([f"department = {_quoted(first.department)}"] if first.department else []),
            f"files = [{', '.join(_quoted(f) for f in files)}]",
            f"levels = [{', '.join(_quoted(l.code or l.title) for l in ordered)}]  # lowest first",
        ]
    lines += ["", "[aliases]", '# "L3" = ["SSE", "senior engineer"]']
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
