"""Ladders kept as data: standalone `.yml`/`.yaml`/`.json` files, or YAML front matter
that carries the whole ladder.

Two shapes, in any nesting of job families / tracks:
- levels first: `levels: [{title, code, description, competencies: [...] | {Category: [...]}}]`;
- topics first: `topics: [{name, levels: {L1: [...], L2: [...]}}]` (a competency matrix),
  where each cell may list `criteria` and `examples`.
Keys are matched loosely (`title`/`name`, `code`/`level`/`id`...), so most hand-written
files read as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .codes import LevelHeading, code_rank, find_code, read_heading, seniority
from .model import Competency, Level, MetadataItem, Section, slugify, titlecase_track

_FAMILIES = ("job_families", "jobfamilies", "families", "tracks", "ladders", "departments", "roles", "paths")
_LEVELS = ("levels", "grades", "bands", "rungs", "positions", "titles")
_TOPICS = ("topics", "competencies", "areas", "dimensions", "categories", "pillars", "skills")
_CRITERIA = (
    "criteria",
    "competencies",
    "expectations",
    "skills",
    "behaviours",
    "behaviors",
    "responsibilities",
    "indicators",
    "items",
    "statements",
    "requirements",
    "outcomes",
    "signals",
)
_EXAMPLES = ("examples", "example", "evidence")
# Criteria shown with examples of meeting them: `exampleCriteria: [{criteria, examples}]`.
_EXAMPLE_CRITERIA = ("example_criteria", "examplecriteria")
# A topic's list of what each level expects: `content: [{level: 2, criteria: [...]}]`.
_PER_LEVEL = ("content", "cells")
_NAME = ("title", "name", "label", "role", "position")
_CODE = ("code", "level", "id", "grade", "band", "key", "slug")
_TEXT = ("description", "summary", "tagline", "overview", "about", "text")


# A code the file itself calls one ("level: S2"), whatever its prefix; "senior-engineer" is not.
_ANY_CODE = re.compile(r"[A-Za-z]{1,4} ?\d{1,2}(?:\.\d{1,2})?[a-d]?")


class NotALadderData(ValueError):
    """Structured data that describes no level."""


@dataclass
class _Level:
    heading: LevelHeading
    track: str
    department: str
    order: int
    tagline: str = ""
    metadata: list[MetadataItem] = field(default_factory=list)
    sections: dict[tuple[str, ...], tuple[list[Competency], list[str]]] = field(default_factory=dict)

    def add(self, path: tuple[str, ...], criteria: list[Competency], examples: list[str]) -> None:
        for depth in range(1, len(path)):
            self.sections.setdefault(path[:depth], ([], []))
        have = self.sections.setdefault(path or ("Expectations",), ([], []))
        have[0].extend(criteria)
        have[1].extend(examples)


def levels_from_data(data: object, *, source: str, folder_track: str | None, department: str = "") -> list[Level]:
    default_track = titlecase_track(folder_track) if folder_track else _stem_track(source)
    found: dict[tuple[str, str], _Level] = {}
    _walk(data, default_track, department, found)
    prefix = _get(data, ("level_prefix", "levelprefix")) if isinstance(data, dict) else None
    if isinstance(prefix, str) and re.fullmatch(r"[A-Za-z]{1,4}", prefix.strip()):
        _prefix_numbers(found, prefix.strip().upper())
    if folder_track:  # families named in the file sit in the folder's department
        for level in found.values():
            if level.track != default_track:
                level.department = default_track
    if not found:
        raise NotALadderData("no levels found (expected 'levels:' or 'topics:' with levels)")
    return [_build(level, source) for level in found.values()]


def _prefix_numbers(found: dict, prefix: str) -> None:
    """`levelPrefix: "Q"` with `level: 2`: the level is Q2, not L2."""
    for level in found.values():
        code = level.heading.code
        if re.fullmatch(r"L\d{1,2}", code):
            level.heading = LevelHeading(prefix + code[1:], level.heading.title.replace(code, prefix + code[1:]))


def _stem_track(source: str) -> str:
    stem = re.sub(r"\.[a-z]+$", "", source.rsplit("/", 1)[-1], flags=re.I)
    return titlecase_track(stem) if stem.lower() not in ("ladder", "levels", "index", "readme") else "General"


def _get(d: dict, keys: tuple[str, ...]):
    """The value of the first of `keys` that `d` has, matched loosely ("Job Family", "job-family")."""
    return next(iter(_all(d, keys)), None)


def _all(d: dict, keys: tuple[str, ...]) -> list:
    """The values of every one of `keys` that `d` has, in the order of `keys`."""
    lowered = {str(k).lower().replace(" ", "_").replace("-", "_"): v for k, v in d.items()}
    return [lowered[k] for k in keys if k in lowered and lowered[k] not in (None, "")]


def _walk(data: object, track: str, department: str, found: dict) -> None:
    if isinstance(data, list):
        for entry in data:
            _walk(entry, track, department, found)
        return
    if not isinstance(data, dict):
        return
    name = _get(data, _NAME)
    own = _get(data, ("track", "family", "job_family", "department"))
    if isinstance(own, str):
        track = titlecase_track(own) if own.islower() else own
    # A department may hold sub-departments and roles side by side: every kind is read.
    family_lists = [value for value in _all(data, _FAMILIES) if not isinstance(value, str)]
    families = family_lists or None
    for entries in family_lists:
        for key, entry in _named_entries(entries):
            family_name = str(_get(entry, _NAME) or key) if isinstance(entry, dict) else str(key)
            _walk(entry, titlecase_track(family_name) if family_name else track, department, found)
    levels = _get(data, _LEVELS)
    if not isinstance(levels, (list, dict)):
        levels = None  # `levels: 5`: how many there are, not what they are
    if levels is not None:
        own_track = (
            str(name)
            if name and families is None and isinstance(data.get("levels"), (list, dict)) and _get(data, _CODE) is None
            else track
        )
        for order, (key, entry) in enumerate(_named_entries(levels)):
            _read_level(key, entry, own_track, department, order, found)
    topics = _get(data, _TOPICS)
    if levels is None and families is None and _is_a_level(data, topics):
        _read_level("", data, track, department, len(found), found)  # a list of levels, one dict each
        return
    if topics is not None and levels is None and families is None and own is None and isinstance(name, str):
        track = _matrix_track(name) or track  # "🖥 Backend Framework" is the Backend track
    if topics is not None and levels is None:
        for key, entry in _named_entries(topics):
            _read_topic(key, entry, (), track, department, found)


_FRAMEWORK_WORDS = re.compile(r"(?i)\b(?:progression|career|framework|ladder|matrix|competenc(?:y|ies))\b")


def _matrix_track(title: str) -> str:
    """A matrix's title without its emoji and the words that say it is a framework."""
    words = _FRAMEWORK_WORDS.sub(" ", re.sub(r"[^\w\s&/'-]", " ", title))
    return " ".join(words.split()).strip(" -/&")


def _is_a_level(data: dict, topics: object) -> bool:
    """`{title: Senior Engineer, level: L3, competencies: [...]}`: a level, not a matrix."""
    if not (_get(data, _NAME) or _get(data, _CODE)) or _get(data, _CRITERIA) is None:
        return False
    entries = [entry for _, entry in _named_entries(topics)] if topics is not None else []
    return not any(isinstance(e, dict) and _get(e, _LEVELS) is not None for e in entries)


def _named_entries(value: object) -> list[tuple[str, object]]:
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()]
    if isinstance(value, list):
        return [("", v) for v in value]
    return []


def _heading(key: str, entry: object) -> LevelHeading | None:
    if isinstance(entry, dict):
        title = str(_get(entry, _NAME) or "")
        code = str(_get(entry, _CODE) or "")
    else:
        title, code = "", ""
    key_heading = read_heading(key) if key else None
    if key and not title and not key_heading:
        title = key
    if key_heading and not code:
        code = key_heading.code
        title = title or (key_heading.title if key_heading.title != key_heading.code else "")
    if re.fullmatch(r"\d{1,2}(?:\.\d+)?", code):
        code = f"L{code}"
    code = find_code(code) or (code.replace(" ", "").upper() if _ANY_CODE.fullmatch(code) else "")
    title = title or code
    if not title:
        return None
    from_title = read_heading(title)
    if from_title and not code:
        return from_title
    return LevelHeading(code, title)


def _level_for(found: dict, heading: LevelHeading, track: str, department: str) -> _Level:
    key = (track, heading.code or heading.title.lower())
    if key not in found:
        found[key] = _Level(heading, track, department, order=sum(1 for t, _ in found if t == track))
    return found[key]


def _read_level(key: str, entry: object, track: str, department: str, order: int, found: dict) -> None:
    heading = _heading(key, entry)
    if heading is None:
        return
    level = _level_for(found, heading, track, department)
    if not isinstance(entry, dict):
        level.add((), _criteria(entry), [])
        return
    text = _get(entry, _TEXT)
    if isinstance(text, str):
        level.tagline = " ".join(text.split())
    for meta_key, value in entry.items():
        if isinstance(value, (str, int, float)) and str(meta_key).lower() not in (*_NAME, *_CODE, *_TEXT):
            label = str(meta_key).replace("_", " ").capitalize()
            level.metadata.append(MetadataItem(slugify(label).replace("-", "_"), label, str(value)))
    criteria = _get(entry, _CRITERIA)
    if isinstance(criteria, dict):
        for category, value in criteria.items():
            _read_category(level, (str(category),), value)
    elif criteria is not None:
        _read_category(level, (), criteria)
    examples = _get(entry, _EXAMPLES)
    if examples is not None:
        level.add((), [], _texts(examples))


def _read_category(level: _Level, path: tuple[str, ...], value: object) -> None:
    if isinstance(value, dict) and (_get(value, _CRITERIA) is not None or _get(value, _EXAMPLES) is not None):
        name = _get(value, _NAME)
        path = (*path, str(name)) if name and not path else path
        crit = _get(value, _CRITERIA)
        if isinstance(crit, dict):
            for sub, inner in crit.items():
                _read_category(level, (*path, str(sub)), inner)
        else:
            level.add(path, _criteria(crit), _texts(_get(value, _EXAMPLES)))
        return
    if isinstance(value, dict):
        for sub, inner in value.items():
            _read_category(level, (*path, str(sub)), inner)
        return
    if isinstance(value, list) and value and all(isinstance(v, dict) and _get(v, _NAME) for v in value):
        for entry in value:
            _read_category(
                level, (*path, str(_get(entry, _NAME))), {k: v for k, v in entry.items() if k not in _NAME} or []
            )
        return
    level.add(path, _criteria(value), [])


def _read_topic(key: str, entry: object, path: tuple[str, ...], track: str, department: str, found: dict) -> None:
    """A competency with, per level, what it expects: `{name: Craft, levels: {L1: [...]}}`."""
    name = str(_get(entry, _NAME) or key) if isinstance(entry, dict) else key
    if not isinstance(entry, dict):
        return
    per_level = _get(entry, _LEVELS)
    content = _get(entry, _PER_LEVEL)
    if per_level is None and isinstance(content, list) and all(isinstance(c, dict) and _get(c, _CODE) for c in content):
        per_level = content
    if per_level is None:
        sub = _get(entry, _TOPICS)
        for sub_key, sub_entry in _named_entries(sub):
            _read_topic(sub_key, sub_entry, (*path, name), track, department, found)
        return
    for level_key, cell in _named_entries(per_level):
        heading = _heading(level_key, cell) if level_key else _heading("", cell)
        if heading is None:
            continue
        level = _level_for(found, heading, track, department)
        if isinstance(cell, dict):
            shown, examples = _example_criteria(_get(cell, _EXAMPLE_CRITERIA))
            level.add(
                (*path, titlecase_track(name) if name.islower() else name),
                _criteria(_get(cell, _CRITERIA) or _get(cell, _TEXT)) + shown,
                _texts(_get(cell, _EXAMPLES)) + examples,
            )
        else:
            level.add((*path, name), _criteria(cell), [])


def _example_criteria(value: object) -> tuple[list[Competency], list[str]]:
    """`[{criteria: "...", examples: [...]}]`: criteria with their examples; plain strings
    in such a list are examples of the category."""
    criteria: list[Competency] = []
    examples: list[str] = []
    for item in value if isinstance(value, list) else [value] if value else []:
        if isinstance(item, dict):
            text = _get(item, ("criteria", "criterion", "text", "description"))
            if isinstance(text, str) and text.strip():
                criteria.append(Competency(" ".join(text.split()), examples=tuple(_texts(_get(item, _EXAMPLES)))))
        else:
            examples.extend(_texts(item))
    return criteria, examples


def _criteria(value: object, depth: int = 0) -> list[Competency]:
    out: list[Competency] = []
    if isinstance(value, str):
        return [Competency(" ".join(value.split()), depth=depth)] if value.strip() else []
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                text = _get(item, ("text", "description", "criterion", "statement", *_NAME))
                if text:
                    out.append(
                        Competency(
                            " ".join(str(text).split()), depth=depth, examples=tuple(_texts(_get(item, _EXAMPLES)))
                        )
                    )
                children = _get(item, _CRITERIA)
                if children is not None:
                    out.extend(_criteria(children, depth + 1 if text else depth))
            else:
                out.extend(
                    _criteria(item, depth) if isinstance(item, (list, str)) else [Competency(str(item), depth=depth)]
                )
    return out


def _texts(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [" ".join(value.split())] if value.strip() else []
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [str(value)]


def _build(level: _Level, source: str) -> Level:
    heading = level.heading
    track_key = slugify(f"{level.department} {level.track}" if level.department else level.track)
    said = [path for path, (criteria, examples) in level.sections.items() if criteria or examples]
    needed = {path[:depth] for path in said for depth in range(1, len(path) + 1)}  # and their parents
    sections = []
    for path, (criteria, examples) in level.sections.items():
        if path not in needed:
            continue  # `criteria: [""]`: a topic with nothing at this level
        emoji_free = path[-1]
        sections.append(
            Section(
                name=emoji_free,
                key=slugify(" ".join(path)),
                competencies=tuple(criteria),
                examples=tuple(examples),
                path=path[:-1],
            )
        )
    rank = code_rank(heading.code) if heading.code else None
    return Level(
        id=f"{track_key}/" + "-".join(p for p in (heading.code.lower(), slugify(heading.title)) if p),
        code=heading.code,
        rank=rank if rank is not None else seniority(heading.title),
        title=heading.title,
        track=level.track,
        track_key=track_key,
        tagline=level.tagline,
        metadata=tuple(level.metadata),
        sections=tuple(sections),
        source=source,
        department=level.department,
        order=level.order,
        shape="data",
    )
