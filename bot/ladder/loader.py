"""Load a folder of level documents. A broken file is reported, never fatal."""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from .codes import has_seniority_word, read_title, seniority
from .ladder import Ladder
from .manifest import Manifest, ManifestError, find_manifest, load_manifest
from .model import Level, Problem, Section, slugify, titlecase_track
from .parser import GENERIC_FOLDERS, NotALevelDocument, UnsafeYaml, load_yaml, parse_levels
from .repair import decode_bytes, repair_text

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdx", ".txt", "")  # "": a file with no extension
DATA_SUFFIXES = (".yml", ".yaml", ".json")
HTML_SUFFIXES = (".html", ".htm")
DOCUMENT_SUFFIXES = MARKDOWN_SUFFIXES + DATA_SUFFIXES + HTML_SUFFIXES
# Files that live beside level documents but are not levels: skipped with a note. A
# README or index is read (it may hold the whole ladder) and skipped only if it names no level.
NOT_LEVELS = (
    "changelog",
    "license",
    "licence",
    "contributing",
    "summary",
    "faq",
    "code_of_conduct",
    "code-of-conduct",
    "copying",
    "authors",
    "notice",
    "codeowners",
    "_index",
    "glossary",
    "makefile",
    "dockerfile",
    "gemfile",
    "procfile",
    "_sidebar",
    "_navbar",
    "sidebars",
    "toc",
)
NOT_LEVEL_DOCUMENTS = ("security", "support", "changes", "history")  # as markdown: repository documents
NOT_LEVEL_DATA = (
    "mkdocs",
    "_config",
    "config",
    "package",
    "package-lock",
    "tsconfig",
    "netlify",
    "vercel",
    "docker-compose",
    "renovate",
    "dependabot",
    "pre-commit-config",
    "manifest",
    "ladder",
)
MAYBE_LEVELS = ("readme", "index")
MAX_FILE_BYTES = 1_000_000
PARALLEL_FROM = 100  # below this many files, starting worker processes costs more than it saves


@dataclass
class LoadResult:
    ladder: Ladder
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # files that are not levels, and why

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def load_ladder(root: str | os.PathLike[str]) -> LoadResult:
    """Read every level document under `root`; one folder level below it names the track."""
    root = Path(root)
    if not root.is_dir():
        problem = Problem(str(root), "content folder not found")
        return LoadResult(Ladder(()), [problem])
    problems: list[Problem] = []
    skipped: list[Problem] = []
    levels: dict[str, Level] = {}
    manifest = _manifest(root, problems)
    paths = _document_paths(root, problems, skipped)
    if manifest is not None:
        paths = [p for p in paths if manifest.wants(_relative(root, p))]
    with gc_paused():
        loaded = _load_files(root, paths)
    for file_levels, file_problems in loaded:
        for problem in file_problems:
            (skipped if problem.severity == "note" else problems).append(problem)
        for level in file_levels:
            if level.id in levels:
                other = levels[level.id]
                if _is_html(level.source) != _is_html(other.source):  # a built page of a markdown source
                    html, kept = (level, other) if _is_html(level.source) else (other, level)
                    skipped.append(
                        Problem(html.source, f"{html.name} is also in {kept.source}, read from there; skipped", "note")
                    )
                    levels[level.id] = kept
                    continue
                # An old copy beside the real file: worth fixing, not worth failing the check.
                problems.append(
                    Problem(level.source, f"duplicate of {level.name} in {other.source}; skipped", "warning")
                )
                continue
            levels[level.id] = level
    found = merge_competency_files(list(levels.values()))
    if manifest is not None:
        found = manifest.apply(found)
    ranked = rank_levels(found)
    if manifest is not None:
        ranked = manifest.ranked(ranked)
    ranked = [_titled_by_track(level) for level in ranked]
    problems.extend(_unresolved_references(root, ranked))
    return LoadResult(Ladder(tuple(ranked)), problems, skipped)


def merge_competency_files(levels: list[Level]) -> list[Level]:
    """A folder of files per competency ("communication.md", "craft.md"), each listing the
    same levels as sections, is one ladder cut the other way: merge it into one level per
    level, with each file as a category."""
    by_file: dict[str, list[Level]] = {}
    for level in levels:
        by_file.setdefault(level.source, []).append(level)
    by_folder: dict[str, list[str]] = {}
    for source, file_levels in by_file.items():
        # Only levels written as sections: files of tables or data name their own tracks.
        if len(file_levels) >= 2 and file_levels[0].shape == "sections" and not read_title(file_levels[0].track):
            by_folder.setdefault(source.rsplit("/", 1)[0] if "/" in source else "", []).append(source)
    merged_sources: set[str] = set()
    merged: list[Level] = []
    for folder, sources in by_folder.items():
        keys = [frozenset(_level_key(l) for l in by_file[s]) for s in sources]
        shared = frozenset.intersection(*keys) if keys else frozenset()
        if len(sources) < 2 or len(shared) < 2:
            continue
        merged_sources.update(sources)
        merged.extend(_merge(folder, [by_file[s] for s in sources]))
    return [l for l in levels if l.source not in merged_sources] + merged


def _level_key(level: Level) -> str:
    # Code and title both: files of the same levels name them alike ("## L2", "## Senior"),
    # while files that are tracks ("## L2: Backend Engineer", "## L2: Frontend Engineer") do not.
    return f"{level.code.upper()}|{level.title.lower()}"


def _merge(folder: str, files: list[list[Level]]) -> list[Level]:
    track_name, department = folder_names(folder + "/x") if folder else (None, "")
    track = titlecase_track(track_name) if track_name else "General"
    track_key = slugify(f"{department} {track}" if department else track)
    out: dict[str, Level] = {}
    for file_levels in files:
        for level in file_levels:
            category = level.track  # the file's own title: the competency
            plain = [s for s in level.sections if not s.path and s.name == "Expectations"]  # criteria under no heading
            sections = [
                Section(
                    name=category,
                    key=slugify(category),
                    competencies=tuple(c for s in plain for c in s.competencies),
                    examples=tuple(e for s in plain for e in s.examples),
                    notes=tuple(n for n in (level.tagline, *level.notes) if n),
                )
            ]
            sections += [
                replace(s, path=(category, *s.path), key=slugify(" ".join((category, *s.path, s.name))))
                for s in level.sections
                if s not in plain
            ]
            key = _level_key(level)
            if key in out:
                out[key] = replace(
                    out[key],
                    sections=out[key].sections + tuple(sections),
                    references=out[key].references + level.references,
                )
            else:
                out[key] = replace(
                    level,
                    track=track,
                    track_key=track_key,
                    department=department,
                    id=f"{track_key}/{level.id.split('/', 1)[1]}",
                    sections=tuple(sections),
                    tagline="",
                    notes=(),
                    source=folder or level.source,
                )
    return list(out.values())


def _titled_by_track(level: Level) -> Level:
    """A level named only by its code ("## Level 3", `level: 2` in a matrix) is titled by its
    track: "L3: Ops Leadership" reads better than "L3" in answers and suggestions."""
    if level.code and level.title in ("", level.code):
        return replace(level, title=level.track)
    return level


def _manifest(root: Path, problems: list[Problem]) -> Manifest | None:
    try:
        return load_manifest(root)
    except ManifestError as error:
        path = find_manifest(root)
        problems.append(Problem(path.name if path else "ladder.toml", f"broken manifest, ignored: {error}"))
        return None


def rank_levels(levels: list[Level]) -> list[Level]:
    """Rank each track: by code where levels have one, else by seniority words, else by
    their order in the file or folder. Two prefixes in one track (IC and M) are parallel
    tracks: each ranks on its own, and becomes its own track."""
    by_track: dict[str, list[Level]] = {}
    for level in levels:
        by_track.setdefault(level.track_key, []).append(level)
    out: list[Level] = []
    for track_levels in by_track.values():
        for group in _parallel_tracks(track_levels):
            out.extend(_ranked(group))
    return out


def _parallel_tracks(levels: list[Level]) -> list[list[Level]]:
    prefixes: dict[str, list[Level]] = {}
    for level in levels:
        prefixes.setdefault(re.sub(r"[\d.].*$", "", level.code) if level.code else "", []).append(level)
    coded = {p: group for p, group in prefixes.items() if p}
    if not coded:
        return _roles_apart(levels) or _management_apart(levels)
    # A lone code of its own kind is a stray, except a manager's (M1 beside IC2..IC4).
    lone = [g for g in coded.values() if len(g) < 2 and not all(_MANAGES.search(l.title) for l in g)]
    if len(coded) < 2 or lone or "" in prefixes:
        return [levels]
    groups = []
    for prefix, group in coded.items():
        name = f"{group[0].track} ({prefix})"
        groups.append(
            [
                replace(
                    l,
                    track=name,
                    track_key=f"{l.track_key}-{prefix.lower()}",
                    id=f"{l.track_key}-{prefix.lower()}/{l.id.split('/', 1)[1]}",
                )
                for l in group
            ]
        )
    return groups


_MANAGES = re.compile(r"\b(?:manager|director|head of|vp|vice president|cto)\b", re.I)


_NUMBERED_ROLE = re.compile(r"^(?P<role>.*?\S)\s+(?:\d{1,2}|I{1,3}|IV|V|VI{1,3})$")


def _roles_apart(levels: list[Level]) -> list[list[Level]] | None:
    """ "Data Scientist 3", "Tech Lead 5", "Engineering Manager 5", a file each in one folder: a
    track per role, each ranked by its number. None unless every title is a role and a number,
    each level has its own file, and the roles differ by more than a seniority word ("Product
    Designer 2" and "Senior Product Designer 1" are one ladder)."""
    if len({level.source for level in levels}) < len(levels):
        return None  # levels of one file: the file says they are one track
    roles: dict[str, list[Level]] = {}
    names: dict[str, str] = {}  # a role's track is named as its first level has it
    for level in sorted(levels, key=lambda l: seniority(l.title)):
        match = _NUMBERED_ROLE.match(level.title)
        if match is None:
            return None
        role = match.group("role")
        plain = " ".join(w for w in role.split() if not has_seniority_word(w)) or role
        roles.setdefault(plain, []).append(level)
        names.setdefault(plain, role)
    if len(roles) < 2:
        return None
    groups = []
    for plain, group in roles.items():
        role = names[plain]
        key = f"{group[0].track_key}-{slugify(role)}"
        groups.append([replace(l, track=role, track_key=key, id=f"{key}/{l.id.split('/', 1)[1]}") for l in group])
    return groups


def _management_apart(levels: list[Level]) -> list[list[Level]]:
    """Titles without codes: engineering managers beside engineers in one folder are a
    parallel track, ranked on their own ("Engineering Manager" is not level with "Engineer")."""
    managers = [l for l in levels if _MANAGES.search(l.title)]
    others = [l for l in levels if not _MANAGES.search(l.title)]
    if len(managers) < 2 or len(others) < 2 or len({l.source for l in levels}) == 1:
        return [levels]
    first = managers[0]
    name, key = f"{first.track} Management", f"{first.track_key}-management"
    moved = [replace(l, track=name, track_key=key, id=f"{key}/{l.id.split('/', 1)[1]}") for l in managers]
    return [others, moved]


def _ranked(levels: list[Level]) -> list[Level]:
    if all(level.code and re.search(r"\d", level.code) for level in levels):
        return levels  # ranked from their codes already
    one_file = len({level.source for level in levels}) == 1 and len(levels) > 1
    key: Callable[[Level], tuple[Any, ...]]
    if all(level.weight is not None for level in levels):  # the site's own page order
        key = lambda l: (l.weight, l.source)  # noqa: E731
    elif one_file:  # a role page lists its roles in order
        key = lambda l: (l.order,)  # noqa: E731
    else:
        key = lambda l: (seniority(l.title), l.source, l.order)  # noqa: E731
    ordered = sorted(levels, key=key)
    return [replace(level, rank=index + 1) for index, level in enumerate(ordered)]


def is_workspace_folder(name: str) -> bool:
    """A folder at the top of the content named by a Slack workspace id (T0123ABCD): that
    workspace's own ladder, loaded for it alone and never into the shared one."""
    return bool(WORKSPACE_FOLDER.fullmatch(name))


WORKSPACE_FOLDER = re.compile(r"T(?=[A-Z]*[0-9])[A-Z0-9]{4,}")  # T, then capitals and digits, at least one digit


def _document_paths(root: Path, problems: list[Problem], skipped: list[Problem]) -> list[Path]:
    real_root = root.resolve()
    paths = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        # "_site", "_layouts", "_includes": a site generator's output and templates; "_data" holds ladders.
        dirnames[:] = sorted(
            d
            for d in dirnames
            if (not d.startswith((".", "_")) or d == "_data")
            and d not in ("node_modules",)
            and not (Path(dirpath) == root and is_workspace_folder(d))
        )
        for name in sorted(filenames):
            path = Path(dirpath) / name
            suffix = path.suffix.lower() if re.fullmatch(r"\.[A-Za-z]{1,9}", path.suffix) else ""
            if suffix in UNREAD_SUFFIXES:  # a ladder may well be kept so: say it is not read
                skipped.append(Problem(_relative(root, path), UNREAD_SUFFIXES[suffix], "note"))
                continue
            if name.startswith(".") or suffix not in DOCUMENT_SUFFIXES:
                continue
            stem = name[: len(name) - len(suffix)] if suffix else name
            if _not_a_level_file(stem.lower(), suffix, stem):
                if not (stem.lower() == "ladder" and suffix in DATA_SUFFIXES):  # the manifest
                    skipped.append(
                        Problem(
                            _relative(root, path),
                            "not a level (a file about the ladder or the repository); skipped",
                            "note",
                        )
                    )
                continue
            reason = _link_problem(path, real_root)
            if reason:
                problems.append(Problem(_relative(root, path), reason))
                continue
            paths.append(path)
    return paths


_AS_TEXT = "export the ladder as markdown, YAML or JSON to have it read"
UNREAD_SUFFIXES = {
    ".csv": f"a spreadsheet (CSV) is not read; {_AS_TEXT}; skipped",
    ".tsv": f"a spreadsheet (TSV) is not read; {_AS_TEXT}; skipped",
    ".xlsx": f"a spreadsheet is not read; {_AS_TEXT}; skipped",
    ".pdf": f"a PDF is not read; {_AS_TEXT}; skipped",
    ".docx": f"a Word document is not read; {_AS_TEXT}; skipped",
}


def _is_html(source: str) -> bool:
    return source.lower().endswith(HTML_SUFFIXES)


def _not_a_level_file(lowered: str, suffix: str, stem: str) -> bool:
    if lowered in NOT_LEVELS:
        return True
    if suffix in DATA_SUFFIXES:
        return lowered in NOT_LEVEL_DATA
    if lowered in NOT_LEVEL_DOCUMENTS and stem.isupper():  # SECURITY.md, SUPPORT.md
        return True
    return suffix == "" and stem.isupper() and lowered not in MAYBE_LEVELS  # LICENSE, NOTICE


def _link_problem(path: Path, real_root: Path) -> str | None:
    """Why a (symlinked) file cannot be read as part of this folder, if it cannot."""
    if not path.is_symlink():  # os.walk follows no link to a folder: a plain file found is inside
        return None
    try:
        # strict: a dangling link or a loop raises here (a loop as RuntimeError before 3.13).
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return "a broken symbolic link (a loop, or pointing at nothing); skipped"
    if not target.is_relative_to(real_root):
        return "links outside the content folder; skipped"
    return None


def _load_files(root: Path, paths: list[Path]) -> list[tuple[list[Level], list[Problem]]]:
    """Parse every file, on all cores when there are many (parsing is CPU-bound)."""
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_FROM or workers < 2:
        return [_load_one(root, path) for path in paths]
    try:
        # Forking a process that runs threads (a bot reloading its content) can copy a held
        # lock into the child; fork only while this is the one thread, else use a fork server.
        context = multiprocessing.get_context("fork" if threading.active_count() == 1 else "forkserver")
        with ProcessPoolExecutor(max_workers=workers, initializer=gc.disable, mp_context=context) as pool:
            return list(pool.map(_load_one, [root] * len(paths), paths, chunksize=max(1, len(paths) // (workers * 4))))
    except (OSError, RuntimeError):  # no processes to be had here: do it in this one
        return [_load_one(root, path) for path in paths]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Building a ladder allocates millions of small objects that all live on: the cyclic
    collector would scan them again and again for nothing, a large share of loading time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load_one(root: Path, path: Path) -> tuple[list[Level], list[Problem]]:
    problems: list[Problem] = []
    return _load_file(root, path, problems), problems


def _load_file(root: Path, path: Path, problems: list[Problem]) -> list[Level]:
    source = _relative(root, path)
    suffix = path.suffix.lower() if path.suffix.lower() in DOCUMENT_SUFFIXES else ""
    try:
        data = path.read_bytes()
    except OSError as error:
        problems.append(Problem(source, f"cannot be read ({error.strerror or error})"))
        return []
    reason = _unreadable_reason(data)
    if reason:
        if suffix == "" and reason.startswith("binary"):
            problems.append(Problem(source, "binary file; skipped", "note"))
        else:
            problems.append(Problem(source, reason))
        return []
    text, valid_utf8 = decode_bytes(data)
    if not valid_utf8:
        problems.append(Problem(source, "invalid UTF-8; damaged characters replaced", "warning"))
    folder_track, department = folder_names(source)
    text = repair_text(text)
    try:
        if suffix in DATA_SUFFIXES:
            levels = _read_data(text, suffix, source, folder_track, department)
        else:
            if suffix in HTML_SUFFIXES:
                from .html import html_to_markdown

                text = html_to_markdown(text)
            levels = parse_levels(text, source=source, folder_track=folder_track, department=department)
    except NotALevelDocument as error:
        problems.append(_not_a_level(source, suffix, str(error)))
        return []
    except (RecursionError, ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        # A shape no reader foresaw must cost that file, never the whole ladder.
        problems.append(Problem(source, f"could not be read as a ladder document ({type(error).__name__}); skipped"))
        return []
    if Path(source).stem.lower() in MAYBE_LEVELS:  # a README that outlines the roles, criteria elsewhere
        levels = [level for level in levels if level.competency_count or level.example_count]
        if not levels:
            problems.append(Problem(source, "describes the ladder, names no level with criteria; skipped", "note"))
    for level in levels:
        if level.competency_count == 0 and not level.example_count:
            problems.append(
                Problem(source, f"{level.name}: no criteria found (expected list items under headings)", "warning")
            )
    return levels


def _read_data(text: str, suffix: str, source: str, folder_track: str | None, department: str) -> list[Level]:
    from .structured import NotALadderData, levels_from_data

    try:
        data = json.loads(text) if suffix == ".json" else load_yaml(text)
    except UnsafeYaml as error:
        raise NotALevelDocument(str(error)) from None
    except (ValueError, yaml.YAMLError) as error:
        raise NotALevelDocument(f"cannot be read as {suffix[1:].upper()}: {str(error).splitlines()[0]}") from None
    try:
        return levels_from_data(data, source=source, folder_track=folder_track, department=department)
    except NotALadderData as error:
        raise NotALevelDocument(f"NOTE {error}") from None


def _not_a_level(source: str, suffix: str, message: str) -> Problem:
    """A file that names no level is skipped with a note, unless it claims to be one (a
    level code in its name, or a refused/broken file): then it is an error."""
    stem = Path(source).name
    if message.startswith("NOTE "):
        return Problem(source, message[5:] + "; skipped", "note")
    refused = "refused" in message or "too many" in message or "not allowed" in message or "cannot be read" in message
    if refused:
        return Problem(source, message)
    if Path(stem).stem.lower() in MAYBE_LEVELS:
        return Problem(source, "describes the ladder, names no level; skipped", "note")
    return Problem(source, message + "; skipped", "warning")


def folder_names(source: str) -> tuple[str | None, str]:
    """(track, department) from the folders of a file: the nearest folder that is not a
    generic one ("levels", "docs"; "data" beside a data file) names the track, the one above
    it the department."""
    generic = GENERIC_FOLDERS | ({"data"} if source.lower().endswith(DATA_SUFFIXES) else set())
    folders = [f for f in Path(source).parts[:-1] if f.lower() not in generic]
    if not folders:
        return None, ""

    return folders[-1], titlecase_track(folders[-2]) if len(folders) >= 2 else ""


def _unreadable_reason(data: bytes) -> str | None:
    if not data.strip():
        return "empty file"
    if len(data) > MAX_FILE_BYTES:
        return f"too large ({len(data):,} bytes; the limit is {MAX_FILE_BYTES:,})"
    if b"\x00" in data[:8192]:
        return "binary file, not markdown"
    return None


def _unresolved_references(root: Path, levels: list[Level]) -> list[Problem]:
    """Relative links to level documents that are not in this content folder."""
    problems = []
    for level in levels:
        for ref in level.references:
            if ref.is_external or ref.target.startswith("#") or not ref.target.split("#")[0].endswith(".md"):
                continue
            target = (root / level.source).parent / ref.target.split("#")[0]
            if not target.exists():
                problems.append(
                    Problem(level.source, f"links to {ref.target}, which is not in the content folder", "warning")
                )
    return problems


def _relative(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
